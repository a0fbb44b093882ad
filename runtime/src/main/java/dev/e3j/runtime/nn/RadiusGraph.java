package dev.e3j.runtime.nn;

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
 * density, with exactly the edges (and the same floating-point distance test) of testing every pair.
 */
public final class RadiusGraph {

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

    /** At most {@code maxNeighbours} (nearest) neighbours per center. */
    public static RadiusGraph build(int numNodes, double[] pos, double rMax, int maxNeighbours) {
        Checks.requireNonNegative("numNodes", numNodes);
        Checks.requireShape("pos", pos, numNodes, 3);
        if (!(rMax > 0)) {
            throw new IllegalArgumentException("rMax: expected > 0, got " + rMax);
        }
        if (maxNeighbours < 1) {
            throw new IllegalArgumentException("maxNeighbours: expected >= 1, got " + maxNeighbours);
        }
        CellGrid grid = new CellGrid(numNodes, pos, rMax);
        double rMaxSquared = rMax * rMax;
        int[] neighbours = new int[Math.max(numNodes, 1)];
        int[] src = new int[Math.max(numNodes, 16)];
        int[] dst = new int[src.length];
        int numEdges = 0;
        for (int center = 0; center < numNodes; center++) {
            int count = grid.neighbours(center, pos, rMaxSquared, neighbours);
            Arrays.sort(neighbours, 0, count);
            if (count > maxNeighbours) {
                count = keepNearest(center, pos, neighbours, count, maxNeighbours);
            }
            if (numEdges + count > src.length) {
                int capacity = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(2L * src.length, (long) numEdges + count));
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

    /** {@code |pos[other] - pos[center]|^2}. */
    private static double squaredDistance(double[] pos, int center, int other) {
        return sumOfSquares(pos[3 * other] - pos[3 * center], pos[3 * other + 1] - pos[3 * center + 1],
                pos[3 * other + 2] - pos[3 * center + 2]);
    }

    /** {@code dx^2 + dy^2 + dz^2} in this order: the one distance test, wherever it is made. */
    private static double sumOfSquares(double dx, double dy, double dz) {
        double squared = 0;
        squared += dx * dx;
        squared += dy * dy;
        squared += dz * dz;
        return squared;
    }

    /**
     * Keeps the {@code maxNeighbours} nearest of {@code neighbours[0, count)} (ties broken by index), in index order;
     * returns their number.
     */
    private static int keepNearest(int center, double[] pos, int[] neighbours, int count, int maxNeighbours) {
        Integer[] order = new Integer[count];
        double[] squared = new double[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
            squared[i] = squaredDistance(pos, center, neighbours[i]);
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
     * Nodes with a non-finite coordinate are left out: no distance to them is below {@code rMax}.
     */
    private static final class CellGrid {

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
            double extent = 0;
            for (int c = 0; c < 3; c++) {
                extent = finite == 0 ? 0 : Math.max(extent, hi[c] - lo[c]);
            }
            // Wider than rMax by more than the rounding of (p - lo) / cell, so nodes closer than rMax (as computed)
            // never land two cells apart.
            double width = rMax * (1 + 1e-9) + 1e-12 * extent;
            long maxCells = 2L * finite + 8;
            while (true) {
                long total = 1;
                for (int c = 0; c < 3; c++) {
                    double perAxis = finite == 0 ? 1 : Math.floor((hi[c] - lo[c]) / width) + 1;
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
        int neighbours(int center, double[] pos, double rMaxSquared, int[] out) {
            if (cellOf[center] < 0) {
                return 0;
            }
            int k = cellOf[center];
            int ax = k / (dims[1] * dims[2]);
            int ay = k / dims[2] % dims[1];
            int az = k % dims[2];
            double cx = pos[3 * center];
            double cy = pos[3 * center + 1];
            double cz = pos[3 * center + 2];
            int count = 0;
            for (int x = Math.max(ax - 1, 0); x <= Math.min(ax + 1, dims[0] - 1); x++) {
                for (int y = Math.max(ay - 1, 0); y <= Math.min(ay + 1, dims[1] - 1); y++) {
                    // The cells z - 1 .. z + 1 of one (x, y) are consecutive: one run of nodes.
                    int first = cellStart[cellIndex(x, y, Math.max(az - 1, 0))];
                    int last = cellStart[cellIndex(x, y, Math.min(az + 1, dims[2] - 1)) + 1];
                    for (int i = first; i < last; i++) {
                        double squared = sumOfSquares(coordinates[3 * i] - cx, coordinates[3 * i + 1] - cy,
                                coordinates[3 * i + 2] - cz);
                        if (squared < rMaxSquared && nodes[i] != center) {
                            out[count++] = nodes[i];
                        }
                    }
                }
            }
            return count;
        }

        private int axisIndex(double[] pos, int node, int c) {
            double scaled = Math.floor((pos[3 * node + c] - lo[c]) / cell);
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
            length[e] = Math.sqrt(edgeVec[3 * e] * edgeVec[3 * e] + edgeVec[3 * e + 1] * edgeVec[3 * e + 1]
                    + edgeVec[3 * e + 2] * edgeVec[3 * e + 2]);
        }
        return length;
    }

    /**
     * Backward of {@code edgeVec = pos[src] - pos[dst]}: {@code gradPos[src] += g}, {@code gradPos[dst] -= g} for each
     * edge; {@code gradPos} ({@code [numNodes][3]}) is overwritten. This turns edge gradients into forces.
     */
    public void edgeVecBackward(double[] gradEdgeVec, double[] gradPos) {
        Checks.requireShape("gradEdgeVec", gradEdgeVec, numEdges(), 3);
        Checks.requireShape("gradPos", gradPos, numNodes, 3);
        Arrays.fill(gradPos, 0.0);
        for (int e = 0; e < src.length; e++) {
            for (int c = 0; c < 3; c++) {
                gradPos[3 * src[e] + c] += gradEdgeVec[3 * e + c];
                gradPos[3 * dst[e] + c] -= gradEdgeVec[3 * e + c];
            }
        }
    }
}
