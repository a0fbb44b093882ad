package dev.e3j.runtime.graph;

import dev.e3j.runtime.BatchBlocks;
import dev.e3j.runtime.model.Structure;
import java.util.Arrays;

/**
 * The neighbour list of an atomic structure with periodic images: every triple {@code (i, j, S)} with
 * {@code |pos[j] - pos[i] + S·cell| < cutoff}, where {@code S} is an integer vector of lattice translations that is
 * zero along non-periodic directions, except {@code i == j} with {@code S = 0}. This is exactly the set of ASE's
 * {@code primitive_neighbor_list("ijS", pbc, cell, positions, cutoff, self_interaction=False)} (and of matscipy's
 * {@code neighbour_list("ijS", ...)}), with the same distance test ({@code sqrt} of the sum of squares, strictly
 * below the cutoff) on the positions as given: they need not be wrapped into the cell.
 *
 * <p>MACE's convention: edge {@code e} runs from the <em>sender</em> {@code i} to the <em>receiver</em> {@code j};
 * its vector is {@code pos[receiver] - pos[sender] + shift}, with the Cartesian {@code shift = S·cell} (the cell's
 * rows are the lattice vectors, as in {@link Structure}). Edges are sorted by sender, then receiver, then
 * {@code S} (lexicographically), so the list is deterministic. Every edge's reverse {@code (j, i, -S)} is in the list.
 *
 * <p>The search bins atoms in fractional coordinates ({@code s = pos·cell⁻¹}, or Cartesian coordinates for a
 * structure without a cell): along a periodic direction the cell is cut into slabs at least half a cutoff thick
 * (perpendicular to the other two lattice vectors); along a non-periodic one the atoms' bounding box is. Each atom is
 * compared with the atoms in the bins up to two away from its own, the periodic images included; when a cell is
 * thinner than the cutoff (an atom sees its own images) the search reaches as many images as needed. A cheap test on
 * the wrapped positions discards most candidates before the exact one. For structures of roughly uniform density
 * this takes time and memory linear in the number of atoms.
 */
public final class NeighborList {

    /**
     * The most periodic images a search may reach, {@code (2 n_a + 1)(2 n_b + 1)(2 n_c + 1)} with
     * {@code n_k = ceil(cutoff / height_k)}: a cutoff a thousand times a cell's height is a mistake, not a request.
     */
    public static final long MAX_IMAGES = 1_000_000;
    /** The most edges a list holds: its {@link #shifts()} is one array of three coordinates per edge. */
    public static final int MAX_EDGES = (Integer.MAX_VALUE - 8) / 3;
    /** The farthest an atom may lie from the cell, in cells along a periodic direction, so that shifts fit an int. */
    static final double MAX_CELLS_AWAY = 1 << 28;
    /**
     * Bins per cutoff length (at most): an atom's neighbours then lie within two bins of its own, and the 125 bins
     * searched hold about half the volume of the 27 bins a cutoff wide.
     */
    private static final int BINS_PER_CUTOFF = 2;
    /** Relative widening of the search over the cutoff, so rounding never hides a pair from the exact test. */
    private static final double MARGIN = 1e-8;

    private final int numAtoms;
    private final double cutoff;
    private final double[] cell;
    private final int[] senders;
    private final int[] receivers;
    private final int[] unitShifts;

    private NeighborList(int numAtoms, double cutoff, double[] cell, int[] senders, int[] receivers,
            int[] unitShifts) {
        this.numAtoms = numAtoms;
        this.cutoff = cutoff;
        this.cell = cell;
        this.senders = senders;
        this.receivers = receivers;
        this.unitShifts = unitShifts;
    }

    /**
     * The neighbour list of {@code structure}: all pairs closer than {@code cutoff} (Å, or whatever unit the positions
     * are in), periodic images included along the structure's periodic directions.
     *
     * @throws IllegalArgumentException if {@code structure} is null, {@code cutoff} is not a finite number
     *     {@code > 0}, the cutoff reaches more than {@link #MAX_IMAGES} periodic images, an atom lies more than
     *     {@code 2^28} cells from the cell along a periodic direction, or the list would have more than
     *     {@link #MAX_EDGES} edges
     */
    public static NeighborList of(Structure structure, double cutoff) {
        if (structure == null) {
            throw new IllegalArgumentException("NeighborList.of: structure must not be null");
        }
        if (!(cutoff > 0) || cutoff == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("NeighborList.of: cutoff must be a finite number > 0, got " + cutoff);
        }
        return new Search(structure, cutoff).run();
    }

    /** {@return the number of edges} */
    public int size() {
        return senders.length;
    }

    /** {@return the number of atoms of the structure the list was built for} */
    public int numAtoms() {
        return numAtoms;
    }

    /** {@return the cutoff the list was built with} */
    public double cutoff() {
        return cutoff;
    }

    /** {@return a copy of each edge's sender {@code i}, {@code [E]}} */
    public int[] senders() {
        return senders.clone();
    }

    /** {@return a copy of each edge's receiver {@code j}, {@code [E]}} */
    public int[] receivers() {
        return receivers.clone();
    }

    /** {@return a copy of each edge's lattice translation {@code S}, {@code [E][3]} row-major (ASE's {@code S})} */
    public int[] unitShifts() {
        return unitShifts.clone();
    }

    /**
     * {@return each edge's Cartesian shift {@code S·cell}, {@code [E][3]} row-major (MACE's {@code shifts}); all zero
     * for a structure without a cell}
     */
    public double[] shifts() {
        double[] out = new double[unitShifts.length];
        for (int e = 0; e < senders.length; e++) {
            shift(e, out, 3 * e);
        }
        return out;
    }

    /**
     * The edge vectors {@code positions[receiver] - positions[sender] + S·cell}, {@code [E][3]} row-major, for these
     * positions: the structure's own, or displaced ones (for finite differences or a molecular-dynamics step that
     * reuses the list, whose pairs then stay those found for the original positions).
     *
     * @throws IllegalArgumentException if {@code positions} is not {@code [numAtoms][3]}
     */
    public double[] vectors(double[] positions) {
        if (positions == null || positions.length != 3L * numAtoms) {
            throw new IllegalArgumentException("NeighborList.vectors: positions must have length " + 3L * numAtoms
                    + " (" + numAtoms + " atoms x 3), got "
                    + (positions == null ? "null" : String.valueOf(positions.length)));
        }
        double[] out = new double[unitShifts.length];
        double[] shift = new double[3];
        for (int e = 0; e < senders.length; e++) {
            shift(e, shift, 0);
            for (int c = 0; c < 3; c++) {
                out[3 * e + c] = positions[3 * receivers[e] + c] - positions[3 * senders[e] + c] + shift[c];
            }
        }
        return out;
    }

    /** Writes edge {@code e}'s {@code S·cell} to {@code out[offset, offset + 3)}. */
    private void shift(int e, double[] out, int offset) {
        for (int c = 0; c < 3; c++) {
            out[offset + c] = cell == null ? 0.0 : cartesianShift(unitShifts, 3 * e, cell, c);
        }
    }

    /** Component {@code c} of {@code S·cell} for {@code S = shifts[at, at + 3)}, summed as numpy's dot does. */
    static double cartesianShift(int[] shifts, int at, double[] cell, int c) {
        return shifts[at] * cell[c] + shifts[at + 1] * cell[3 + c] + shifts[at + 2] * cell[6 + c];
    }

    @Override
    public String toString() {
        return "NeighborList[" + numAtoms + " atoms, " + senders.length + " edges, cutoff " + cutoff + "]";
    }

    /**
     * One search: the bins along each of the three directions of the frame (the lattice vectors, or the Cartesian axes
     * without a cell), each atom's bin and, along periodic directions, the lattice translation that wraps it into the
     * cell. The search itself then looks at the atoms of the bins around each sender.
     */
    /** Senders per parallel block of a search: two blocks or more from 64 atoms (MACE's smallest benchmark cell). */
    private static final int SENDERS_PER_BLOCK = 32;

    /** Scratch of one block of a search: the image being visited and the candidate edge being tested. */
    private static final class Candidate {
        /** The Cartesian translation {@code image·cell} of the image being visited. */
        final double[] imageShift = new double[3];
        /** The shift of the candidate edge being tested. */
        final int[] shift = new int[3];
    }

    private static final class Search {

        private final double cutoff;
        private final int numAtoms;
        private final double[] positions;
        /** The cell, or null without one. */
        private final double[] cell;
        private final boolean[] periodic;
        /** Bins per direction. */
        private final int[] bins = new int[3];
        /** How many bins either side of its own an atom's neighbours may lie, per direction. */
        private final int[] reach = new int[3];
        /** Bins of the atoms, {@code [n][3]}. */
        private final int[] binOf;
        /** {@code floor(s)} along periodic directions (0 along the others): {@code pos = wrapped + wrap·cell}. */
        private final int[] wrap;
        /** Atoms ordered by bin; those of bin {@code b} are {@code atoms[binStart[b], binStart[b + 1])}. */
        private int[] atoms;
        private int[] binStart;
        /** The wrapped positions {@code pos - wrap·cell} of {@link #atoms}, in the same order (read in sequence). */
        private double[] wrapped;
        /**
         * The square of the prefilter's radius: the cutoff, widened by more than the rounding of the wrapped positions
         * and image translations, so that it passes every pair the exact test accepts.
         */
        private double prefilterSquared;

        Search(Structure structure, double cutoff) {
            this.cutoff = cutoff;
            this.numAtoms = structure.size();
            this.positions = structure.positions();
            this.cell = structure.cell();
            this.periodic = structure.pbc();
            this.binOf = new int[3 * numAtoms];
            this.wrap = new int[3 * numAtoms];
            double[] inverse = cell == null ? new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1} : inverse(cell);
            double[] fractional = new double[3 * numAtoms];
            // Per direction, the largest sum of the terms' magnitudes: the fractional coordinates' rounding scale.
            double[] magnitude = new double[3];
            for (int a = 0; a < numAtoms; a++) {
                for (int k = 0; k < 3; k++) {
                    double x = positions[3 * a] * inverse[k];
                    double y = positions[3 * a + 1] * inverse[3 + k];
                    double z = positions[3 * a + 2] * inverse[6 + k];
                    fractional[3 * a + k] = x + y + z;
                    magnitude[k] = Math.max(magnitude[k], Math.abs(x) + Math.abs(y) + Math.abs(z));
                }
            }
            // Per direction, the search radius in units of the direction's height (the distance between the planes
            // s_k = 0 and s_k = 1, or 1 for a Cartesian axis): a little wider than the cutoff, and wider again than
            // the rounding of the fractional coordinates, so that every pair the exact test accepts is a candidate.
            double[] reachInHeights = new double[3];
            for (int k = 0; k < 3; k++) {
                reachInHeights[k] = cutoff * (1 + MARGIN) * Math.sqrt(inverse[k] * inverse[k]
                        + inverse[3 + k] * inverse[3 + k] + inverse[6 + k] * inverse[6 + k]) + 1e-14 * magnitude[k];
            }
            requireFewImages(structure, reachInHeights);
            double[] origin = new double[3];
            double[] binWidth = new double[3];
            for (int k = 0; k < 3; k++) {
                if (periodic[k]) {
                    bins[k] = (int) Math.max(1, Math.min(numAtoms + 1,
                            Math.floor(BINS_PER_CUTOFF / reachInHeights[k])));
                    binWidth[k] = 1.0 / bins[k];
                } else {
                    double lo = Double.POSITIVE_INFINITY;
                    double hi = Double.NEGATIVE_INFINITY;
                    for (int a = 0; a < numAtoms; a++) {
                        lo = Math.min(lo, fractional[3 * a + k]);
                        hi = Math.max(hi, fractional[3 * a + k]);
                    }
                    double span = numAtoms == 0 ? 0 : hi - lo;
                    double narrowest = reachInHeights[k] / BINS_PER_CUTOFF;
                    bins[k] = (int) Math.min(numAtoms + 1, Math.floor(span / narrowest) + 1);
                    origin[k] = numAtoms == 0 ? 0 : lo;
                    binWidth[k] = Math.max(narrowest, span / bins[k]);
                }
            }
            coarsen(binWidth);
            for (int k = 0; k < 3; k++) {
                // |s_j - s_i| <= |d| / height < reachInHeights, so the bins differ by at most ceil(that / binWidth).
                reach[k] = (int) Math.ceil(reachInHeights[k] / binWidth[k]);
            }
            for (int a = 0; a < numAtoms; a++) {
                for (int k = 0; k < 3; k++) {
                    double s = fractional[3 * a + k];
                    if (periodic[k]) {
                        double cells = Math.floor(s);
                        if (!(Math.abs(cells) <= MAX_CELLS_AWAY)) {
                            throw new IllegalArgumentException("NeighborList.of: atoms must lie within 2^28 cells of "
                                    + "the cell along periodic directions, got atom " + a + " at fractional "
                                    + "coordinate " + s + " along lattice vector " + k);
                        }
                        wrap[3 * a + k] = (int) cells;
                        s -= cells;
                    }
                    long bin = (long) Math.floor((s - origin[k]) / binWidth[k]);
                    binOf[3 * a + k] = (int) Math.max(0, Math.min(bins[k] - 1, bin));
                }
            }
            sortIntoBins();
            double extent = 0;
            for (double p : positions) {
                extent = Math.max(extent, Math.abs(p));
            }
            if (cell != null) {
                for (int k = 0; k < 3; k++) {
                    // The farthest image visited along k, plus the wrapping of the positions.
                    double translations = reach[k] / (double) bins[k] + 2;
                    for (int c = 0; c < 3; c++) {
                        extent += translations * Math.abs(cell[3 * k + c]);
                    }
                }
            }
            double prefilter = cutoff * (1 + MARGIN) + 1e-12 * extent;
            prefilterSquared = prefilter * prefilter;
        }

        /**
         * Rejects a cutoff that reaches more than {@link #MAX_IMAGES} periodic images, and a cell whose inverse is not
         * finite.
         */
        private void requireFewImages(Structure structure, double[] reachInHeights) {
            double images = 1;
            for (int k = 0; k < 3; k++) {
                if (!Double.isFinite(reachInHeights[k])) {
                    throw new IllegalArgumentException("NeighborList.of: structure must have a cell with a finite "
                            + "inverse, got " + structure);
                }
                if (periodic[k]) {
                    images *= 2 * Math.ceil(reachInHeights[k]) + 1;
                }
            }
            if (images > MAX_IMAGES) {
                throw new IllegalArgumentException("NeighborList.of: cutoff must reach at most " + MAX_IMAGES
                        + " periodic images of the cell, got " + cutoff + " (about " + (long) images + " images of "
                        + structure + ")");
            }
        }

        /** Fewer, wider bins while there are more than about two per atom, so memory stays linear. */
        private void coarsen(double[] binWidth) {
            long maxBins = 2L * numAtoms + 8;
            while ((long) bins[0] * bins[1] * bins[2] > maxBins) {
                int widest = 0;
                for (int k = 1; k < 3; k++) {
                    if (bins[k] > bins[widest]) {
                        widest = k;
                    }
                }
                // Halving the bins of a direction doubles their width: the neighbours still lie within the same
                // reach (a periodic direction's bins stay a whole fraction of the cell).
                bins[widest] = (bins[widest] + 1) / 2;
                binWidth[widest] = periodic[widest] ? 1.0 / bins[widest] : binWidth[widest] * 2;
            }
        }

        private void sortIntoBins() {
            binStart = new int[bins[0] * bins[1] * bins[2] + 1];
            int[] flatBin = new int[numAtoms];
            for (int a = 0; a < numAtoms; a++) {
                flatBin[a] = flatIndex(binOf[3 * a], binOf[3 * a + 1], binOf[3 * a + 2]);
                binStart[flatBin[a] + 1]++;
            }
            for (int b = 0; b + 1 < binStart.length; b++) {
                binStart[b + 1] += binStart[b];
            }
            atoms = new int[numAtoms];
            wrapped = new double[3 * numAtoms];
            int[] next = Arrays.copyOf(binStart, binStart.length - 1);
            for (int a = 0; a < numAtoms; a++) {
                int at = next[flatBin[a]]++;
                atoms[at] = a;
                for (int c = 0; c < 3; c++) {
                    wrapped[3 * at + c] = positions[3 * a + c]
                            - (cell == null ? 0.0 : cartesianShift(wrap, 3 * a, cell, c));
                }
            }
        }

        private int flatIndex(int b0, int b1, int b2) {
            return (b2 * bins[1] + b1) * bins[0] + b0;
        }

        /**
         * The edges of every sender, in order: blocks of {@link #SENDERS_PER_BLOCK} senders search in parallel, each
         * into edges of its own, joined in sender order (the same list as one search in order).
         */
        NeighborList run() {
            Edges[] parts = new Edges[BatchBlocks.count(numAtoms, SENDERS_PER_BLOCK)];
            BatchBlocks.run(numAtoms, SENDERS_PER_BLOCK, (block, from, to) -> parts[block] = search(from, to));
            long total = 0;
            for (int b = 0; b < parts.length; b++) {
                total += parts[b].size;
                if (total > MAX_EDGES) {
                    throw new IllegalArgumentException("NeighborList.of: cutoff must leave at most " + MAX_EDGES
                            + " edges, got " + cutoff + " (more edges than that before atom "
                            + Math.min(numAtoms - 1, (b + 1) * SENDERS_PER_BLOCK) + ")");
                }
            }
            int size = (int) total;
            int[] senders = new int[size];
            int[] receivers = new int[size];
            int[] shifts = new int[3 * size];
            int at = 0;
            for (Edges part : parts) {
                System.arraycopy(part.senders, 0, senders, at, part.size);
                System.arraycopy(part.receivers, 0, receivers, at, part.size);
                System.arraycopy(part.shifts, 0, shifts, 3 * at, 3 * part.size);
                at += part.size;
            }
            return new NeighborList(numAtoms, cutoff, cell, senders, receivers, shifts);
        }

        /** The edges of senders {@code from .. to}, in order, each sender's sorted by receiver and shift. */
        private Edges search(int from, int to) {
            Edges edges = new Edges(to - from);
            int[] image = new int[3];
            int[] neighbourBin = new int[3];
            double[] senderWrapped = new double[3];
            Candidate candidate = new Candidate();
            for (int sender = from; sender < to; sender++) {
                int first = edges.size;
                for (int c = 0; c < 3; c++) {
                    senderWrapped[c] = positions[3 * sender + c]
                            - (cell == null ? 0.0 : cartesianShift(wrap, 3 * sender, cell, c));
                }
                for (int d2 = -reach[2]; d2 <= reach[2]; d2++) {
                    if (!locate(sender, 2, d2, neighbourBin, image)) {
                        continue;
                    }
                    for (int d1 = -reach[1]; d1 <= reach[1]; d1++) {
                        if (!locate(sender, 1, d1, neighbourBin, image)) {
                            continue;
                        }
                        for (int d0 = -reach[0]; d0 <= reach[0]; d0++) {
                            if (locate(sender, 0, d0, neighbourBin, image)) {
                                visitBin(sender, neighbourBin, image, edges, senderWrapped, candidate);
                            }
                        }
                    }
                }
                edges.sortFrom(first);
            }
            return edges;
        }

        /**
         * The bin {@code offset} bins from the sender's along direction {@code k}, and the lattice translation of the
         * image it belongs to; false if there is no such bin (beyond the bounding box of a non-periodic direction).
         */
        private boolean locate(int sender, int k, int offset, int[] neighbourBin, int[] image) {
            int bin = binOf[3 * sender + k] + offset;
            if (periodic[k]) {
                image[k] = Math.floorDiv(bin, bins[k]);
                neighbourBin[k] = Math.floorMod(bin, bins[k]);
                return true;
            }
            image[k] = 0;
            neighbourBin[k] = bin;
            return bin >= 0 && bin < bins[k];
        }

        /**
         * Adds the edges from {@code sender} to the atoms of one bin in the image {@code image} of the cell. A cheap
         * prefilter on the wrapped positions (a difference and a square per candidate) rejects most candidates; the
         * rest take the exact test on the positions as given.
         */
        private void visitBin(int sender, int[] neighbourBin, int[] image, Edges edges, double[] senderWrapped,
                              Candidate candidate) {
            int bin = flatIndex(neighbourBin[0], neighbourBin[1], neighbourBin[2]);
            double[] imageShift = candidate.imageShift;
            for (int c = 0; c < 3; c++) {
                imageShift[c] = cell == null ? 0.0 : cartesianShift(image, 0, cell, c);
            }
            double x = senderWrapped[0] - imageShift[0];
            double y = senderWrapped[1] - imageShift[1];
            double z = senderWrapped[2] - imageShift[2];
            int[] shift = candidate.shift;
            for (int n = binStart[bin]; n < binStart[bin + 1]; n++) {
                double dx = wrapped[3 * n] - x;
                double dy = wrapped[3 * n + 1] - y;
                double dz = wrapped[3 * n + 2] - z;
                if (!(dx * dx + dy * dy + dz * dz < prefilterSquared)) {
                    continue;
                }
                int receiver = atoms[n];
                // The wrapped receiver's image is pos[j] - wrap_j·cell + image·cell, the wrapped sender
                // pos[i] - wrap_i·cell: in the positions as given, the translation is image + wrap_i - wrap_j.
                boolean self = receiver == sender;
                for (int k = 0; k < 3; k++) {
                    shift[k] = image[k] + wrap[3 * sender + k] - wrap[3 * receiver + k];
                    self &= shift[k] == 0;
                }
                if (!self && within(sender, receiver, shift)) {
                    edges.add(sender, receiver, shift, cutoff);
                }
            }
        }

        /** ASE's test: {@code sqrt(sum(d^2)) < cutoff}, {@code d = pos[j] - pos[i] + S·cell}. */
        private boolean within(int sender, int receiver, int[] shift) {
            double squared = 0;
            for (int c = 0; c < 3; c++) {
                double d = positions[3 * receiver + c] - positions[3 * sender + c];
                if (cell != null) {
                    d += cartesianShift(shift, 0, cell, c);
                }
                squared += d * d;
            }
            return Math.sqrt(squared) < cutoff;
        }

        /** The inverse of a row-major 3x3 matrix (by cofactors). */
        private static double[] inverse(double[] m) {
            double det = m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6])
                    + m[2] * (m[3] * m[7] - m[4] * m[6]);
            return new double[] {
                (m[4] * m[8] - m[5] * m[7]) / det, (m[2] * m[7] - m[1] * m[8]) / det, (m[1] * m[5] - m[2] * m[4]) / det,
                (m[5] * m[6] - m[3] * m[8]) / det, (m[0] * m[8] - m[2] * m[6]) / det, (m[2] * m[3] - m[0] * m[5]) / det,
                (m[3] * m[7] - m[4] * m[6]) / det, (m[1] * m[6] - m[0] * m[7]) / det, (m[0] * m[4] - m[1] * m[3]) / det,
            };
        }
    }

    /** The growing edge arrays of a search. */
    private static final class Edges {

        int[] senders;
        int[] receivers;
        int[] shifts;
        int size;

        /** Room for the edges of {@code senderCount} senders at first (it grows). */
        Edges(int senderCount) {
            int capacity = Math.max(16, 32 * senderCount);
            senders = new int[capacity];
            receivers = new int[capacity];
            shifts = new int[3 * capacity];
        }

        void add(int sender, int receiver, int[] shift, double cutoff) {
            if (size == senders.length) {
                if (size == MAX_EDGES) {
                    throw new IllegalArgumentException("NeighborList.of: cutoff must leave at most " + MAX_EDGES
                            + " edges, got " + cutoff + " (more edges than that before atom " + sender + ")");
                }
                int capacity = (int) Math.min(MAX_EDGES, 2L * size);
                senders = Arrays.copyOf(senders, capacity);
                receivers = Arrays.copyOf(receivers, capacity);
                shifts = Arrays.copyOf(shifts, 3 * capacity);
            }
            senders[size] = sender;
            receivers[size] = receiver;
            System.arraycopy(shift, 0, shifts, 3 * size, 3);
            size++;
        }

        /**
         * Sorts one sender's edges {@code [first, size)} by receiver, then shift: by receiver with one sort of
         * {@code receiver << 32 | edge} keys, then each receiver's images (more than one only in cells thinner than
         * the cutoff) by their shifts packed into one long, 21 bits per component relative to the smallest: a
         * receiver's shifts differ by less than {@code 2^20} per component, since they span at most
         * {@link #MAX_IMAGES} images.
         */
        void sortFrom(int first) {
            int count = size - first;
            if (count < 2) {
                return;
            }
            long[] keys = new long[count];
            for (int e = 0; e < count; e++) {
                keys[e] = (long) receivers[first + e] << 32 | e;
            }
            Arrays.sort(keys);
            int[] sortedShifts = new int[3 * count];
            for (int e = 0; e < count; e++) {
                int from = first + (int) keys[e];
                System.arraycopy(shifts, 3 * from, sortedShifts, 3 * e, 3);
            }
            for (int start = 0, end; start < count; start = end) {
                end = start + 1;
                while (end < count && keys[end] >>> 32 == keys[start] >>> 32) {
                    end++;
                }
                if (end - start > 1) {
                    sortByShift(sortedShifts, start, end);
                }
                for (int e = start; e < end; e++) {
                    receivers[first + e] = (int) (keys[e] >>> 32);
                }
            }
            System.arraycopy(sortedShifts, 0, shifts, 3 * first, 3 * count);
        }

        /** Sorts the shifts {@code [start, end)} of {@code sorted} ({@code [count][3]}) lexicographically. */
        private static void sortByShift(int[] sorted, int start, int end) {
            int[] min = {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE};
            for (int e = start; e < end; e++) {
                for (int k = 0; k < 3; k++) {
                    min[k] = Math.min(min[k], sorted[3 * e + k]);
                }
            }
            long[] packed = new long[end - start];
            for (int e = start; e < end; e++) {
                packed[e - start] = (long) (sorted[3 * e] - min[0]) << 42
                        | (long) (sorted[3 * e + 1] - min[1]) << 21 | (sorted[3 * e + 2] - min[2]);
            }
            Arrays.sort(packed);
            for (int e = start; e < end; e++) {
                long key = packed[e - start];
                sorted[3 * e] = (int) (key >>> 42) + min[0];
                sorted[3 * e + 1] = (int) (key >>> 21 & 0x1FFFFF) + min[1];
                sorted[3 * e + 2] = (int) (key & 0x1FFFFF) + min[2];
            }
        }
    }
}
