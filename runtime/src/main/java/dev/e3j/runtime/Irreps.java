package dev.e3j.runtime;

import dev.e3j.runtime.internal.Checks;
import dev.e3j.runtime.o3.Rotations;
import dev.e3j.runtime.o3.WignerD;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/**
 * A direct sum of O(3) irreps with multiplicities, e3nn's {@code Irreps}: {@code "32x0e + 16x1o + 8x2e"}.
 *
 * <p>Feature vectors use e3nn's {@code mul_ir} layout: for each entry {@code mul x (l, p)}, {@code mul} consecutive
 * blocks of {@code 2l + 1} numbers. Instances are immutable.
 */
public final class Irreps implements Iterable<Irreps.MulIrrep> {

    /** One entry {@code mul x ir}. */
    public record MulIrrep(int mul, Irrep ir) {
        /** Checks {@code mul >= 0}, a non-null irrep, and that the dimension fits an array. */
        public MulIrrep {
            if (mul < 0) {
                throw new IllegalArgumentException("new MulIrrep: mul must be >= 0, got " + mul);
            }
            if (ir == null) {
                throw new IllegalArgumentException("new MulIrrep: ir must not be null");
            }
            if ((long) mul * ir.dim() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("new MulIrrep: mul × (2l + 1) must be at most " + Integer.MAX_VALUE
                        + " (the dimension is an int), got " + mul + " × " + ir.dim() + " = " + (long) mul * ir.dim()
                        + " for " + mul + "x" + ir);
            }
        }

        /** {@code mul} copies of {@code ir}. */
        public static MulIrrep of(int mul, Irrep ir) {
            return new MulIrrep(mul, ir);
        }

        /** {@code mul * (2l + 1)}. */
        public int dim() {
            return mul * ir.dim();
        }

        @Override
        public String toString() {
            return mul + "x" + ir;
        }
    }

    /** The index range {@code [start, stop)} of one entry in a feature vector, e3nn's {@code slice(start, stop)}. */
    public record Slice(int start, int stop) {
        /** {@code stop - start}, the entry's dimension. */
        public int length() {
            return stop - start;
        }
    }

    /** Result of {@link #sort()}: the sorted irreps, {@code p[i]} = new index of entry {@code i}, {@code inv = p^-1}. */
    public record Sorted(Irreps irreps, int[] p, int[] inv) {
    }

    private static final Irreps EMPTY = new Irreps(List.of());
    /** The largest {@code lmax} of {@link #sphericalHarmonics(int, int)}: {@code 46340^2 <= 2^31 - 1 < 46341^2}. */
    private static final int MAX_SPHERICAL_HARMONICS_L = 46339;

    private final List<MulIrrep> entries;
    private final int[] offsets;

    private Irreps(List<MulIrrep> entries) {
        this.entries = List.copyOf(entries);
        this.offsets = new int[this.entries.size() + 1];
        long offset = 0;
        for (int i = 0; i < this.entries.size(); i++) {
            offset += this.entries.get(i).dim();
            if (offset > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("Irreps.of: the dimension must be at most " + Integer.MAX_VALUE
                        + " (an int), got " + offset + " or more for the first " + (i + 1) + " of "
                        + this.entries.size() + " entries");
            }
            offsets[i + 1] = (int) offset;
        }
    }

    /** The direct sum of {@code entries}, in their order (not simplified). */
    public static Irreps of(List<MulIrrep> entries) {
        return entries.isEmpty() ? EMPTY : new Irreps(entries);
    }

    /** The direct sum of {@code entries}, in their order (not simplified). */
    public static Irreps of(MulIrrep... entries) {
        return of(Arrays.asList(entries));
    }

    /** The empty direct sum (dimension 0). */
    public static Irreps empty() {
        return EMPTY;
    }

    /**
     * Parses e3nn's grammar: entries {@code [mul x] l parity} separated by {@code +}, parity {@code e}, {@code o} or
     * {@code y}; spaces are ignored and the empty string is the empty sum.
     *
     * @throws IllegalArgumentException quoting the string and the 0-based position of the problem
     */
    public static Irreps parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("Irreps.parse: text must not be null");
        }
        if (text.isBlank()) {
            return EMPTY;
        }
        List<MulIrrep> out = new ArrayList<>();
        int start = 0;
        while (true) {
            int plus = text.indexOf('+', start);
            int end = plus < 0 ? text.length() : plus;
            out.add(parseEntry(text, start, end));
            if (plus < 0) {
                break;
            }
            start = plus + 1;
        }
        return of(out);
    }

    private static MulIrrep parseEntry(String text, int start, int end) {
        int s = start;
        while (s < end && Character.isWhitespace(text.charAt(s))) {
            s++;
        }
        int e = end;
        while (e > s && Character.isWhitespace(text.charAt(e - 1))) {
            e--;
        }
        if (s == e) {
            throw syntaxError(text, s, "empty entry (expected e.g. 2x1o)");
        }
        String token = text.substring(s, e);
        int x = token.indexOf('x');
        if (x < 0) {
            return new MulIrrep(1, Irrep.parseAt(token, text, s));
        }
        String mulText = token.substring(0, x).strip();
        if (mulText.isEmpty() || !mulText.chars().allMatch(Irrep::isAsciiDigit)) {
            throw syntaxError(text, s, "expected a multiplicity (digits) before 'x' in \"" + token + "\"");
        }
        int mul;
        try {
            mul = Integer.parseInt(mulText);
        } catch (NumberFormatException ex) {
            throw syntaxError(text, s, "multiplicity out of range in \"" + token + "\"");
        }
        int irStart = s + x + 1;
        while (irStart < e && Character.isWhitespace(text.charAt(irStart))) {
            irStart++;
        }
        if (irStart == e) {
            throw syntaxError(text, irStart, "expected an irrep after 'x' in \"" + token + "\"");
        }
        return new MulIrrep(mul, Irrep.parseAt(text.substring(irStart, e), text, irStart));
    }

    static IllegalArgumentException syntaxError(String source, int position, String what) {
        return new IllegalArgumentException(
                "malformed irreps \"" + source + "\" at position " + position + ": " + what);
    }

    /**
     * {@code 1x0e + 1x1o + ... + 1x(lmax)} with parity {@code p^l} (e3nn's {@code Irreps.spherical_harmonics}), of
     * dimension {@code (lmax + 1)^2}; {@code 0 <= lmax <= 46339}, so that the dimension is an {@code int}.
     */
    public static Irreps sphericalHarmonics(int lmax, int p) {
        if (lmax < 0 || lmax > MAX_SPHERICAL_HARMONICS_L) {
            throw new IllegalArgumentException("Irreps.sphericalHarmonics: lmax must be in [0, "
                    + MAX_SPHERICAL_HARMONICS_L + "] (the dimension (lmax + 1)^2 must be an int), got " + lmax);
        }
        if (p != 1 && p != -1) {
            throw new IllegalArgumentException("Irreps.sphericalHarmonics: p must be 1 or -1, got " + p);
        }
        List<MulIrrep> out = new ArrayList<>();
        for (int l = 0; l <= lmax; l++) {
            out.add(new MulIrrep(1, new Irrep(l, (p == -1 && l % 2 == 1) ? -1 : 1)));
        }
        return of(out);
    }

    /** Spherical harmonics irreps with e3nn's default parity {@code p = -1}, i.e. {@code 0e+1o+2e+...}. */
    public static Irreps sphericalHarmonics(int lmax) {
        return sphericalHarmonics(lmax, -1);
    }

    /** The entries, in order. */
    public List<MulIrrep> entries() {
        return entries;
    }

    /** Number of entries (e3nn's {@code len(irreps)}). */
    public int size() {
        return entries.size();
    }

    /**
     * Entry {@code i}; a negative {@code i} counts from the end, as in Python ({@code get(-1)} is the last entry).
     *
     * @throws IllegalArgumentException unless {@code -size() <= i < size()}
     */
    public MulIrrep get(int i) {
        int size = entries.size();
        if (i < -size || i >= size) {
            throw new IllegalArgumentException("Irreps.get: i must be in [" + -size + ", " + size + ") for the " + size
                    + " entries of \"" + this + "\", got " + i);
        }
        return entries.get(i < 0 ? i + size : i);
    }

    /**
     * The entries {@code [start, stop)} as irreps, with Python's slice semantics ({@code irreps[start:stop]}): a
     * negative index counts from the end, indices are clamped to {@code [0, size()]}, and {@code stop <= start} gives
     * the empty sum. {@code slice(2, size())} is e3nn's {@code irreps[2:]}.
     */
    public Irreps slice(int start, int stop) {
        int from = clampSliceIndex(start);
        int to = clampSliceIndex(stop);
        return from >= to ? EMPTY : of(entries.subList(from, to));
    }

    private int clampSliceIndex(int index) {
        int size = entries.size();
        long resolved = index < 0 ? (long) index + size : index;
        return (int) Math.max(0, Math.min(size, resolved));
    }

    /** Whether there are no entries. */
    public boolean isEmpty() {
        return entries.isEmpty();
    }

    @Override
    public Iterator<MulIrrep> iterator() {
        return entries.iterator();
    }

    /** Total dimension {@code sum mul (2l + 1)}. */
    public int dim() {
        return offsets[entries.size()];
    }

    /** Start of entry {@code i} in a feature vector; {@code offset(size())} is {@link #dim()}. */
    public int offset(int i) {
        return offsets[i];
    }

    /** Total multiplicity {@code sum mul}. */
    public int numIrreps() {
        int n = 0;
        for (MulIrrep e : entries) {
            n += e.mul();
        }
        return n;
    }

    /**
     * The degree of each irrep copy, in order: {@code l} repeated {@code mul} times per entry (e3nn's {@code ls}), a
     * new array of length {@link #numIrreps()}.
     */
    public int[] ls() {
        int[] out = new int[numIrreps()];
        int i = 0;
        for (MulIrrep e : entries) {
            Arrays.fill(out, i, i + e.mul(), e.ir().l());
            i += e.mul();
        }
        return out;
    }

    /**
     * The largest degree among the irrep copies, e3nn's {@code max(ls)}: entries of multiplicity 0 do not count, so
     * {@code "1x0e+100x2o+0x4o"} has {@code lmax} 2.
     *
     * @throws IllegalArgumentException if there is no copy (the empty sum, or only multiplicities 0 such as
     *     {@code "0x0e"}), where e3nn raises too
     */
    public int lmax() {
        if (numIrreps() == 0) {
            throw new IllegalArgumentException("Irreps.lmax: the irreps must hold at least one irrep copy (lmax is the "
                    + "largest l among them), got \"" + this + "\"");
        }
        int l = 0;
        for (MulIrrep e : entries) {
            if (e.mul() > 0) {
                l = Math.max(l, e.ir().l());
            }
        }
        return l;
    }

    /** Each entry's range in a feature vector, in order (e3nn's {@code slices()}). */
    public List<Slice> slices() {
        List<Slice> out = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            out.add(new Slice(offsets[i], offsets[i + 1]));
        }
        return Collections.unmodifiableList(out);
    }

    /** Number of copies of {@code ir} over all entries. */
    public int count(Irrep ir) {
        int n = 0;
        for (MulIrrep e : entries) {
            if (e.ir().equals(ir)) {
                n += e.mul();
            }
        }
        return n;
    }

    /** Whether some entry with nonzero multiplicity is {@code ir}. */
    public boolean contains(Irrep ir) {
        return count(ir) > 0;
    }

    /** Merges adjacent equal irreps and drops zero multiplicities (order otherwise kept), as e3nn. */
    public Irreps simplify() {
        List<MulIrrep> out = new ArrayList<>();
        for (MulIrrep e : entries) {
            if (e.mul() == 0) {
                continue;
            }
            int last = out.size() - 1;
            if (last >= 0 && out.get(last).ir().equals(e.ir())) {
                out.set(last, new MulIrrep(out.get(last).mul() + e.mul(), e.ir()));
            } else {
                out.add(e);
            }
        }
        return of(out);
    }

    /** Stable sort by irrep; {@code p[i]} is where entry {@code i} moved, {@code inv[j]} where entry {@code j} came from. */
    public Sorted sort() {
        Integer[] order = new Integer[entries.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparing((Integer i) -> entries.get(i).ir()).thenComparing(i -> i));
        int[] inv = new int[order.length];
        int[] p = new int[order.length];
        List<MulIrrep> sorted = new ArrayList<>();
        for (int j = 0; j < order.length; j++) {
            inv[j] = order[j];
            p[order[j]] = j;
            sorted.add(entries.get(order[j]));
        }
        return new Sorted(of(sorted), p, inv);
    }

    /** {@code sort().irreps().simplify()}. */
    public Irreps regroup() {
        return sort().irreps().simplify();
    }

    /** Concatenation. */
    public Irreps plus(Irreps other) {
        List<MulIrrep> out = new ArrayList<>(entries);
        out.addAll(other.entries);
        return of(out);
    }

    /**
     * Each multiplicity times {@code factor}.
     *
     * @throws IllegalArgumentException if {@code factor} is negative or the dimension would not be an {@code int}
     */
    public Irreps times(int factor) {
        if (factor < 0) {
            throw new IllegalArgumentException("Irreps.times: factor must be >= 0, got " + factor);
        }
        long dim = (long) dim() * factor;
        if (dim > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Irreps.times: factor must keep the dimension at most "
                    + Integer.MAX_VALUE + " (an int), got " + factor + " (dimension " + dim() + " × " + factor + " = "
                    + dim + ")");
        }
        List<MulIrrep> out = new ArrayList<>();
        for (MulIrrep e : entries) {
            out.add(new MulIrrep(e.mul() * factor, e.ir()));
        }
        return of(out);
    }

    /**
     * The entries repeated {@code count} times, e3nn's {@code irreps * count}: {@code "2x2e+4x1o".repeat(2)} is
     * {@code "2x2e+4x1o+2x2e+4x1o"}. ({@link #times(int)} multiplies the multiplicities instead; both have the same
     * dimension, and {@code repeat(n).regroup()} equals {@code times(n).regroup()}.)
     *
     * @throws IllegalArgumentException if {@code count} is negative, or the dimension or the number of entries would
     *     not be an {@code int}
     */
    public Irreps repeat(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("Irreps.repeat: count must be >= 0, got " + count);
        }
        long dim = (long) dim() * count;
        if (dim > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Irreps.repeat: count must keep the dimension at most "
                    + Integer.MAX_VALUE + " (an int), got " + count + " (dimension " + dim() + " × " + count + " = "
                    + dim + ")");
        }
        long size = (long) entries.size() * count;
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("Irreps.repeat: count must keep the number of entries at most "
                    + (Integer.MAX_VALUE - 8) + " (the length of one list), got " + count + " (" + entries.size()
                    + " entries × " + count + " = " + size + ")");
        }
        List<MulIrrep> out = new ArrayList<>((int) size);
        for (int k = 0; k < count; k++) {
            out.addAll(entries);
        }
        return of(out);
    }

    /**
     * Random features {@code [batch][dim()]}, e3nn's {@code randn(batch, -1, normalization=...)}: with
     * {@link Normalization#COMPONENT} every number is a standard Gaussian; with {@link Normalization#NORM} every irrep
     * copy is a Gaussian vector divided by its norm, so uniformly distributed on the unit sphere of its
     * {@code 2l + 1} dimensions ({@code 0e} copies are {@code ±1}).
     *
     * @throws IllegalArgumentException if {@code batch} is negative, the result would not fit an array, or an
     *     argument is null
     */
    public double[] randn(int batch, Normalization normalization, Random random) {
        String where = "Irreps.randn";
        if (batch < 0) {
            throw new IllegalArgumentException(where + ": batch must be >= 0, got " + batch);
        }
        if (normalization == null) {
            throw new IllegalArgumentException(where + ": normalization must not be null");
        }
        if (random == null) {
            throw new IllegalArgumentException(where + ": random must not be null");
        }
        long length = (long) batch * dim();
        if (length > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(where + ": batch × dim must be at most " + (Integer.MAX_VALUE - 8)
                    + " (the length of one array), got " + batch + " × " + dim() + " = " + length);
        }
        double[] out = new double[(int) length];
        for (int i = 0; i < out.length; i++) {
            out[i] = random.nextGaussian();
        }
        if (normalization == Normalization.NORM) {
            int dim = dim();
            for (int n = 0; n < batch; n++) {
                for (int i = 0; i < entries.size(); i++) {
                    int d = entries.get(i).ir().dim();
                    for (int start = n * dim + offsets[i]; start < n * dim + offsets[i + 1]; start += d) {
                        divideByNorm(out, start, d, random);
                    }
                }
            }
        }
        return out;
    }

    /** Scales {@code x[start, start + d)} to unit norm, drawing it again in the (measure-zero) case of a zero norm. */
    private static void divideByNorm(double[] x, int start, int d, Random random) {
        double squared = 0;
        for (int m = start; m < start + d; m++) {
            squared += x[m] * x[m];
        }
        while (squared == 0) {
            for (int m = start; m < start + d; m++) {
                x[m] = random.nextGaussian();
                squared += x[m] * x[m];
            }
        }
        double norm = Math.sqrt(squared);
        for (int m = start; m < start + d; m++) {
            x[m] /= norm;
        }
    }

    /**
     * The input of the spherical harmonics with these irreps as output, checked as e3nn's
     * {@code o3.spherical_harmonics(irreps, x, ...)} does: the harmonic of degree {@code l} of a vector ({@code 1o})
     * has parity {@code (-1)^l}, of a pseudovector ({@code 1e}) parity {@code +1}. The input is {@code 1e} when some
     * odd {@code l} has even parity, else {@code 1o}; every entry must then have the parity {@code p_in^l}. The
     * harmonics' degrees are {@link #ls()}: {@code "0e+1o+2e"} and {@code "2x1o"} take a vector, {@code "0e+1e+2e"}
     * a pseudovector, and {@code "0e+1o+2o"} or {@code "0o"} none.
     *
     * @throws IllegalArgumentException naming the first entry whose parity is inconsistent, or if there is no irrep
     *     copy (e3nn's degree list would be empty)
     */
    public Irrep sphericalHarmonicsInput() {
        String where = "Irreps.sphericalHarmonicsInput";
        if (numIrreps() == 0) {
            throw new IllegalArgumentException(where + ": the irreps must hold at least one irrep copy (the degrees "
                    + "of the harmonics), got \"" + this + "\"");
        }
        int inputParity = -1;
        for (MulIrrep e : entries) {
            if (e.ir().l() % 2 == 1 && e.ir().p() == 1) {
                inputParity = 1;
            }
        }
        for (MulIrrep e : entries) {
            int expected = e.ir().l() % 2 == 1 ? inputParity : 1;
            if (e.ir().p() != expected) {
                throw new IllegalArgumentException(where + ": each entry must have the parity p_in^l of a harmonic of "
                        + (inputParity == -1 ? "a vector (1o), " : "a pseudovector (1e), ") + "here "
                        + new Irrep(e.ir().l(), expected) + " for l = " + e.ir().l() + ", got " + e.ir() + " in \""
                        + this + "\"");
            }
        }
        return new Irrep(1, inputParity);
    }

    /** The distinct irreps, in order of first appearance. */
    public List<Irrep> irreps() {
        List<Irrep> out = new ArrayList<>();
        for (MulIrrep e : entries) {
            if (!out.contains(e.ir())) {
                out.add(e.ir());
            }
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * The representation of a rotation composed with {@code k} inversions, e3nn's {@code D_from_angles}: block
     * diagonal over the entries and, within each, over the {@code mul} copies, each block {@code p^k D^l(alpha, beta,
     * gamma)} ({@link WignerD#of}), so {@code x' = D x} in the {@code mul_ir} layout. {@code k = 0} is the rotation
     * {@code Ry(alpha) Rx(beta) Ry(gamma)}; {@code k = 1} composes it with the inversion {@code x -> -x}.
     *
     * @return a new {@code dim() x dim()} matrix
     */
    public double[][] wignerD(double alpha, double beta, double gamma, int k) {
        boolean inverted = Math.floorMod(k, 2) == 1;
        double[][] out = new double[dim()][dim()];
        double[][][] byDegree = new double[lmaxOrZero() + 1][][];
        for (int i = 0; i < entries.size(); i++) {
            MulIrrep entry = entries.get(i);
            int l = entry.ir().l();
            if (entry.mul() == 0) {
                continue;
            }
            if (byDegree[l] == null) {
                byDegree[l] = WignerD.of(l, alpha, beta, gamma);
            }
            double sign = inverted && entry.ir().p() == -1 ? -1 : 1;
            int n = entry.ir().dim();
            for (int copy = 0; copy < entry.mul(); copy++) {
                int start = offsets[i] + copy * n;
                for (int r = 0; r < n; r++) {
                    for (int c = 0; c < n; c++) {
                        out[start + r][start + c] = sign * byDegree[l][r][c];
                    }
                }
            }
        }
        return out;
    }

    /**
     * The representation of an orthogonal 3x3 matrix, e3nn's {@code D_from_matrix}: a rotation ({@code det R > 0})
     * gives {@code wignerD(angles(R), 0)}; a rotoinversion ({@code det R < 0}) is the inversion times the rotation
     * {@code -R} and gives {@code wignerD(angles(-R), 1)}.
     *
     * @throws IllegalArgumentException if the matrix is not 3x3 or its determinant is not ±1
     */
    public double[][] wignerD(double[][] rotationOrRotoinversion) {
        Checks.requireShape3x3("Irreps.wignerD", rotationOrRotoinversion, "rotationOrRotoinversion");
        double det = Rotations.determinant(rotationOrRotoinversion);
        if (!(Math.abs(Math.abs(det) - 1) <= 1e-5)) {
            throw new IllegalArgumentException("Irreps.wignerD: rotationOrRotoinversion must have determinant 1 or -1, "
                    + "got determinant " + det);
        }
        double[][] rotation = rotationOrRotoinversion;
        int k = 0;
        if (det < 0) {
            rotation = new double[3][3];
            for (int r = 0; r < 3; r++) {
                for (int c = 0; c < 3; c++) {
                    rotation[r][c] = -rotationOrRotoinversion[r][c];
                }
            }
            k = 1;
        }
        double[] angles = Rotations.matrixToAngles(rotation);
        return wignerD(angles[0], angles[1], angles[2], k);
    }

    private int lmaxOrZero() {
        return numIrreps() == 0 ? 0 : lmax();
    }

    /** e3nn's form, e.g. {@code 2x1e+3x0o}; the empty sum prints as the empty string. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (MulIrrep e : entries) {
            if (sb.length() > 0) {
                sb.append('+');
            }
            sb.append(e);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Irreps other && entries.equals(other.entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }
}
