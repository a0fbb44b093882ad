package dev.e3j.runtime.graph;

import dev.e3j.runtime.BatchBlocks;
import dev.e3j.runtime.internal.Checks;
import java.util.Arrays;

/**
 * The radius graph of a point cloud (e3nn's use of {@code torch_cluster.radius_graph}): an edge for every ordered
 * pair {@code (src, dst)}, {@code src != dst}, with {@code |pos[src] - pos[dst]| < rMax}.
 *
 * <p>Convention, as in e3nn's example networks: messages flow from {@code src} (the neighbour) to {@code dst} (the
 * center), and {@code edgeVec = pos[src] - pos[dst]}, pointing from the center to its neighbour. Edges are sorted
 * by {@code dst}, then by {@code src}; with {@code maxNeighbours}, each center keeps its nearest neighbours (ties
 * broken by index) — torch_cluster instead keeps whichever neighbours its search meets first, so results agree
 * whenever no center has more than {@code maxNeighbours} neighbours. The search buckets the nodes into cells at
 * least {@code rMax} wide and tests only the pairs in neighbouring cells: {@code O(n)} for clouds of roughly uniform
 * density, with exactly the edges (and the same floating-point distance test) of testing every pair, which clouds of
 * a few tens of nodes do instead. The test is
 * made in units of {@code rMax} (scaled by a power of two, so exactly {@code |d|^2 < rMax^2} wherever neither square
 * overflows or underflows), which keeps it right for coordinates and radii of any finite magnitude.
 */
public final class RadiusGraph {

    /** The most edges a graph holds: its {@code edgeVec} is one array of three coordinates per edge. */
    static final int MAX_EDGES = Checks.MAX_ARRAY_LENGTH / 3;
    /**
     * Clouds of at most this many nodes test every pair, in index order, rather than bucket the nodes into cells and
     * sort each center's neighbours: cheaper at this size (the gate-points benchmark's clouds of 25 nodes), and the
     * same edges.
     */
    private static final int ALL_PAIRS_NODES = 32;

    private final int numNodes;
    private final int[] src;
    private final int[] dst;
    private final double[] edgeVec;

    private RadiusGraph(int numNodes, int[] src, int[] dst, double[] edgeVec) {
        this.numNodes = numNodes;
        this.src = src;
        this.dst = dst;
        this.edgeVec = edgeVec;
    }

    /** All neighbours within {@code rMax}; {@code pos} is {@code [numNodes][3]}. */
    public static RadiusGraph build(int numNodes, double[] pos, double rMax) {
        return build(numNodes, pos, rMax, Integer.MAX_VALUE);
    }

    /**
     * The radius graphs of a batch of point clouds in one graph (torch_cluster's {@code radius_graph} with
     * {@code batch}): a cloud is a run of nodes of equal {@code batch[n]} ({@code batch} non-negative and
     * non-decreasing), and only nodes of the same cloud are joined. Each cloud's graph is that of
     * {@link #build(int, double[], double)} on its nodes alone (the clouds are searched in parallel), its nodes
     * renumbered from the cloud's first; the edges are theirs in order of the clouds, so still sorted by {@code dst},
     * then by {@code src}.
     *
     * @throws IllegalArgumentException if {@code batch} is negative or decreasing somewhere, if {@code rMax} is not
     *     positive, or the graph would have more than {@link #MAX_EDGES} edges
     */
    public static RadiusGraph build(int numNodes, double[] pos, int[] batch, double rMax) {
        String where = "RadiusGraph.build";
        Checks.requireNonNegative(where, "numNodes", numNodes);
        Checks.requireShape(where, "pos", pos, "numNodes", numNodes, 3);
        Checks.requireLength(where, "batch", batch, numNodes);
        if (!(rMax > 0)) {
            throw Checks.invalid(where, "rMax", "be > 0", rMax);
        }
        int[] graphStart = new int[numNodes + 1];
        int numGraphs = 0;
        for (int n = 0; n < numNodes; n++) {
            int previous = n == 0 ? 0 : batch[n - 1];
            if (batch[n] < previous) {
                throw Checks.invalid(where, "batch[" + n + "]", "be >= " + previous + " (graph indices from 0, "
                        + "non-decreasing)", batch[n]);
            }
            if (n == 0 || batch[n] != previous) {
                graphStart[numGraphs++] = n;
            }
        }
        graphStart[numGraphs] = numNodes;
        RadiusGraph[] graphs = new RadiusGraph[numGraphs];
        BatchBlocks.run(numGraphs, 1, (block, from, to) -> {
            for (int g = from; g < to; g++) {
                graphs[g] = build(graphStart[g + 1] - graphStart[g],
                        Arrays.copyOfRange(pos, 3 * graphStart[g], 3 * graphStart[g + 1]), rMax);
            }
        });
        long total = 0;
        for (RadiusGraph graph : graphs) {
            total += graph.numEdges();
        }
        if (total > MAX_EDGES) {
            throw Checks.invalid(where, "rMax", "leave at most " + MAX_EDGES + " edges (3 coordinates each in one "
                    + "array)", rMax + " (" + total + " edges among " + numNodes + " nodes)");
        }
        int numEdges = (int) total;
        int[] src = new int[numEdges];
        int[] dst = new int[numEdges];
        double[] edgeVec = new double[3 * numEdges];
        int at = 0;
        for (int g = 0; g < numGraphs; g++) {
            RadiusGraph graph = graphs[g];
            int count = graph.numEdges();
            for (int e = 0; e < count; e++) {
                src[at + e] = graph.src[e] + graphStart[g];
                dst[at + e] = graph.dst[e] + graphStart[g];
            }
            System.arraycopy(graph.edgeVec, 0, edgeVec, 3 * at, 3 * count);
            at += count;
        }
        return new RadiusGraph(numNodes, src, dst, edgeVec);
    }

    /**
     * At most {@code maxNeighbours} (nearest) neighbours per center. A node with a non-finite coordinate has no
     * edges.
     *
     * @throws IllegalArgumentException if {@code rMax} is not positive ({@code +∞} joins every pair of finite
     *     nodes), or the graph would have more than {@link #MAX_EDGES} edges
     */
    public static RadiusGraph build(int numNodes, double[] pos, double rMax, int maxNeighbours) {
        String where = "RadiusGraph.build";
        Checks.requireNonNegative(where, "numNodes", numNodes);
        Checks.requireShape(where, "pos", pos, "numNodes", numNodes, 3);
        if (!(rMax > 0)) {
            throw Checks.invalid(where, "rMax", "be > 0", rMax);
        }
        if (maxNeighbours < 1) {
            throw Checks.invalid(where, "maxNeighbours", "be >= 1", maxNeighbours);
        }
        CellGrid grid = numNodes > ALL_PAIRS_NODES ? new CellGrid(numNodes, pos, rMax) : null;
        Distances distances = new Distances(pos, rMax);
        boolean[] near = grid == null ? nearPairs(numNodes, pos, distances) : null;
        int[] neighbours = new int[Math.max(numNodes, 1)];
        int[] src = new int[Math.max(numNodes, 16)];
        int[] dst = new int[src.length];
        int numEdges = 0;
        for (int center = 0; center < numNodes; center++) {
            int count;
            if (grid != null) {
                count = grid.neighbours(center, distances, neighbours);
                Arrays.sort(neighbours, 0, count);
            } else {
                count = allNeighbours(numNodes, center, near, neighbours);
            }
            if (count > maxNeighbours) {
                count = keepNearest(center, distances, neighbours, count, maxNeighbours);
            }
            if ((long) numEdges + count > MAX_EDGES) {
                throw Checks.invalid(where, "rMax", "leave at most " + MAX_EDGES + " edges (3 coordinates each in "
                        + "one array; lower rMax or maxNeighbours)", rMax + " (at least " + ((long) numEdges + count)
                        + " edges among " + numNodes + " nodes)");
            }
            if (numEdges + count > src.length) {
                int capacity = (int) Math.min(MAX_EDGES, Math.max(2L * src.length, (long) numEdges + count));
                src = Arrays.copyOf(src, capacity);
                dst = Arrays.copyOf(dst, capacity);
            }
            for (int i = 0; i < count; i++) {
                src[numEdges] = neighbours[i];
                dst[numEdges] = center;
                numEdges++;
            }
        }
        src = Arrays.copyOf(src, numEdges);
        dst = Arrays.copyOf(dst, numEdges);
        double[] vec = new double[3 * numEdges];
        for (int e = 0; e < numEdges; e++) {
            for (int c = 0; c < 3; c++) {
                vec[3 * e + c] = pos[3 * src[e] + c] - pos[3 * dst[e] + c];
            }
        }
        return new RadiusGraph(numNodes, src, dst, vec);
    }

    /**
     * The one distance test, wherever it is made: {@code |d|^2 < rMax^2} computed as {@code |s d|^2 < (s rMax)^2},
     * {@code s = 2^-e} with {@code e} the binary exponent of {@code rMax}, so that {@code s rMax} is in
     * {@code [1, 2)}. Multiplying by a power of two is exact, so this is the plain test whenever the plain squares
     * neither overflow nor underflow; beyond that it stays right: a {@code |s d|} that overflows is far outside the
     * radius, one that underflows far inside. An infinite radius takes every pair of finite nodes, even those whose
     * difference overflows.
     */
    private static final class Distances {

        private final double[] pos;
        private final boolean unbounded;
        private final double scale;
        private final double scaledRadiusSquared;

        Distances(double[] pos, double rMax) {
            this.pos = pos;
            this.unbounded = rMax == Double.POSITIVE_INFINITY;
            this.scale = unbounded ? 1.0 : Math.scalb(1.0, -Math.getExponent(rMax));
            double scaledRadius = rMax * scale;
            this.scaledRadiusSquared = scaledRadius * scaledRadius;
        }

        /** {@code |s (p - pos[center])|^2} for the point {@code p = (x, y, z)}. */
        double scaledSquared(int center, double x, double y, double z) {
            double dx = (x - pos[3 * center]) * scale;
            double dy = (y - pos[3 * center + 1]) * scale;
            double dz = (z - pos[3 * center + 2]) * scale;
            double squared = 0;
            squared += dx * dx;
            squared += dy * dy;
            squared += dz * dz;
            return squared;
        }

        /** {@code |s (pos[other] - pos[center])|^2}. */
        double scaledSquared(int center, int other) {
            return scaledSquared(center, pos[3 * other], pos[3 * other + 1], pos[3 * other + 2]);
        }

        boolean within(double scaledSquared) {
            return unbounded || scaledSquared < scaledRadiusSquared;
        }
    }

    /**
     * Whether nodes {@code a} and {@code b} are neighbours, at {@code [a * numNodes + b]}: distinct, both finite and
     * within {@code rMax}, by testing every pair once. The test is symmetric ({@code pos[a] - pos[b]} is
     * {@code -(pos[b] - pos[a])} exactly, so both squares are the same), so each pair is tested for one order and
     * the answer mirrored.
     */
    private static boolean[] nearPairs(int numNodes, double[] pos, Distances distances) {
        boolean[] finite = new boolean[numNodes];
        for (int n = 0; n < numNodes; n++) {
            finite[n] = CellGrid.isFinite(pos, n);
        }
        boolean[] near = new boolean[numNodes * numNodes];
        for (int center = 0; center < numNodes; center++) {
            if (!finite[center]) {
                continue;
            }
            for (int other = center + 1; other < numNodes; other++) {
                if (finite[other] && distances.within(distances.scaledSquared(center, other))) {
                    near[center * numNodes + other] = true;
                    near[other * numNodes + center] = true;
                }
            }
        }
        return near;
    }

    /** The neighbours of {@code center} ({@link #nearPairs}) into {@code out}, in index order; their count. */
    private static int allNeighbours(int numNodes, int center, boolean[] near, int[] out) {
        int count = 0;
        for (int other = 0; other < numNodes; other++) {
            if (near[center * numNodes + other]) {
                out[count++] = other;
            }
        }
        return count;
    }

    /**
     * Keeps the {@code maxNeighbours} nearest of {@code neighbours[0, count)} (ties broken by index), in index order;
     * returns their number.
     */
    private static int keepNearest(int center, Distances distances, int[] neighbours, int count, int maxNeighbours) {
        Integer[] order = new Integer[count];
        double[] squared = new double[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
            squared[i] = distances.scaledSquared(center, neighbours[i]);
        }
        // neighbours is sorted by index, so comparing positions in it breaks ties by index.
        Arrays.sort(order, (a, b) -> squared[a] != squared[b] ? Double.compare(squared[a], squared[b])
                : Integer.compare(a, b));
        int[] kept = new int[maxNeighbours];
        for (int i = 0; i < maxNeighbours; i++) {
            kept[i] = neighbours[order[i]];
        }
        Arrays.sort(kept);
        System.arraycopy(kept, 0, neighbours, 0, maxNeighbours);
        return maxNeighbours;
    }

    /**
     * Nodes bucketed into cubic cells at least {@code rMax} wide, so that the neighbours of a node lie in its own cell
     * and the 26 around it. The cells grow when there would be more than about two per node (sparse clouds), so the
     * search takes {@code O(n)} memory and, for clouds of roughly uniform density, {@code O(n)} time.
     * Nodes with a non-finite coordinate are left out: no distance to them is below {@code rMax}. A cloud wider than
     * the largest double ({@code hi - lo} overflows) is bucketed in halved coordinates, so that {@code p - lo} stays
     * finite; its cells are then so wide that halving's rounding of tiny coordinates does not matter.
     */
    private static final class CellGrid {

        /** {@code 1}, or {@code 1/2} for a cloud wider than the largest double: bucketed coordinates are {@code s p}. */
        private final double coordinateScale;
        /** Lowest scaled coordinate per axis. */
        private final double[] lo = new double[3];
        private final int[] dims = new int[3];
        private final double cell;
        /** Nodes ordered by cell; those of cell {@code k} are {@code nodes[cellStart[k], cellStart[k + 1])}. */
        private final int[] nodes;
        /** The positions of {@code nodes}, in the same order (the search reads them in sequence). */
        private final double[] coordinates;
        private final int[] cellStart;
        /** Cell of each node, -1 for a node left out. */
        private final int[] cellOf;

        CellGrid(int numNodes, double[] pos, double rMax) {
            double[] hi = new double[3];
            Arrays.fill(lo, Double.POSITIVE_INFINITY);
            Arrays.fill(hi, Double.NEGATIVE_INFINITY);
            int finite = 0;
            for (int node = 0; node < numNodes; node++) {
                if (isFinite(pos, node)) {
                    finite++;
                    for (int c = 0; c < 3; c++) {
                        lo[c] = Math.min(lo[c], pos[3 * node + c]);
                        hi[c] = Math.max(hi[c], pos[3 * node + c]);
                    }
                }
            }
            boolean wide = false;
            for (int c = 0; c < 3; c++) {
                wide |= hi[c] - lo[c] == Double.POSITIVE_INFINITY;
            }
            coordinateScale = wide ? 0.5 : 1.0;
            double[] axisExtent = new double[3];
            double extent = 0;
            for (int c = 0; c < 3; c++) {
                lo[c] *= coordinateScale;
                axisExtent[c] = finite == 0 ? 0 : hi[c] * coordinateScale - lo[c];
                extent = Math.max(extent, axisExtent[c]);
            }
            // Wider than rMax by more than the rounding of (p - lo) / cell, so nodes closer than rMax (as computed)
            // never land two cells apart.
            double width = rMax * coordinateScale * (1 + 1e-9) + 1e-12 * extent;
            long maxCells = 2L * finite + 8;
            while (true) {
                long total = 1;
                for (int c = 0; c < 3; c++) {
                    double perAxis = Math.floor(axisExtent[c] / width) + 1;
                    dims[c] = (int) Math.min(perAxis, maxCells + 1);
                    total = Math.min(total * dims[c], maxCells + 1);
                }
                if (total <= maxCells) {
                    break;
                }
                width *= Math.max(1.01, Math.cbrt((double) total / maxCells));
            }
            cell = width;
            cellOf = new int[numNodes];
            cellStart = new int[dims[0] * dims[1] * dims[2] + 1];
            for (int node = 0; node < numNodes; node++) {
                cellOf[node] = isFinite(pos, node) ? cellIndex(axisIndex(pos, node, 0), axisIndex(pos, node, 1),
                        axisIndex(pos, node, 2)) : -1;
                if (cellOf[node] >= 0) {
                    cellStart[cellOf[node] + 1]++;
                }
            }
            for (int k = 0; k + 1 < cellStart.length; k++) {
                cellStart[k + 1] += cellStart[k];
            }
            nodes = new int[finite];
            coordinates = new double[3 * finite];
            int[] next = Arrays.copyOf(cellStart, cellStart.length - 1);
            for (int node = 0; node < numNodes; node++) {
                if (cellOf[node] >= 0) {
                    int i = next[cellOf[node]]++;
                    nodes[i] = node;
                    System.arraycopy(pos, 3 * node, coordinates, 3 * i, 3);
                }
            }
        }

        /** Writes the nodes other than {@code center} closer than {@code rMax} into {@code out}; returns how many. */
        int neighbours(int center, Distances distances, int[] out) {
            if (cellOf[center] < 0) {
                return 0;
            }
            int k = cellOf[center];
            int ax = k / (dims[1] * dims[2]);
            int ay = k / dims[2] % dims[1];
            int az = k % dims[2];
            int count = 0;
            for (int x = Math.max(ax - 1, 0); x <= Math.min(ax + 1, dims[0] - 1); x++) {
                for (int y = Math.max(ay - 1, 0); y <= Math.min(ay + 1, dims[1] - 1); y++) {
                    // The cells z - 1 .. z + 1 of one (x, y) are consecutive: one run of nodes.
                    int first = cellStart[cellIndex(x, y, Math.max(az - 1, 0))];
                    int last = cellStart[cellIndex(x, y, Math.min(az + 1, dims[2] - 1)) + 1];
                    for (int i = first; i < last; i++) {
                        double squared = distances.scaledSquared(center, coordinates[3 * i], coordinates[3 * i + 1],
                                coordinates[3 * i + 2]);
                        if (distances.within(squared) && nodes[i] != center) {
                            out[count++] = nodes[i];
                        }
                    }
                }
            }
            return count;
        }

        private int axisIndex(double[] pos, int node, int c) {
            double scaled = Math.floor((pos[3 * node + c] * coordinateScale - lo[c]) / cell);
            return (int) Math.max(0, Math.min(scaled, dims[c] - 1));
        }

        private int cellIndex(int x, int y, int z) {
            return (x * dims[1] + y) * dims[2] + z;
        }

        private static boolean isFinite(double[] pos, int node) {
            return Double.isFinite(pos[3 * node]) && Double.isFinite(pos[3 * node + 1])
                    && Double.isFinite(pos[3 * node + 2]);
        }
    }

    /** {@link #src()} itself, for the edges of this package that share it and keep it unchanged. */
    int[] srcArray() {
        return src;
    }

    /** {@link #dst()} itself, shared as {@link #srcArray()}. */
    int[] dstArray() {
        return dst;
    }

    /** {@link #edgeVec()} itself, shared as {@link #srcArray()}. */
    double[] edgeVecArray() {
        return edgeVec;
    }

    /** Number of nodes. */
    public int numNodes() {
        return numNodes;
    }

    /** Number of edges. */
    public int numEdges() {
        return src.length;
    }

    /** Source (neighbour) of each edge. */
    public int[] src() {
        return src.clone();
    }

    /** Destination (center) of each edge. */
    public int[] dst() {
        return dst.clone();
    }

    /** {@code pos[src] - pos[dst]}, {@code [numEdges][3]}. */
    public double[] edgeVec() {
        return edgeVec.clone();
    }

    /** {@code |edgeVec|} per edge. */
    public double[] edgeLength() {
        double[] length = new double[src.length];
        for (int e = 0; e < length.length; e++) {
            length[e] = length(edgeVec[3 * e], edgeVec[3 * e + 1], edgeVec[3 * e + 2]);
        }
        return length;
    }

    /**
     * {@code sqrt(x^2 + y^2 + z^2)}, the plain formula where its squares neither overflow nor underflow, and
     * otherwise computed on the vector divided by its largest component, which cannot.
     */
    static double length(double x, double y, double z) {
        double squared = x * x + y * y + z * z;
        if (squared >= Double.MIN_NORMAL && squared < Double.POSITIVE_INFINITY) {
            return Math.sqrt(squared);
        }
        double largest = Math.max(Math.abs(x), Math.max(Math.abs(y), Math.abs(z)));
        if (largest == 0 || !Double.isFinite(largest)) {
            return largest;
        }
        double sx = x / largest;
        double sy = y / largest;
        double sz = z / largest;
        return largest * Math.sqrt(sx * sx + sy * sy + sz * sz);
    }

    /**
     * Backward of {@code edgeVec = pos[src] - pos[dst]}: {@code gradPos[src] += g}, {@code gradPos[dst] -= g} for each
     * edge; {@code gradPos} ({@code [numNodes][3]}) is overwritten. This turns edge gradients into forces.
     */
    public void edgeVecBackward(double[] gradEdgeVec, double[] gradPos) {
        String where = "RadiusGraph.edgeVecBackward";
        Checks.requireShape(where, "gradEdgeVec", gradEdgeVec, "numEdges()", numEdges(), 3);
        Checks.requireShape(where, "gradPos", gradPos, "numNodes()", numNodes, 3);
        Arrays.fill(gradPos, 0.0);
        for (int e = 0; e < src.length; e++) {
            for (int c = 0; c < 3; c++) {
                gradPos[3 * src[e] + c] += gradEdgeVec[3 * e + c];
                gradPos[3 * dst[e] + c] -= gradEdgeVec[3 * e + c];
            }
        }
    }
}
