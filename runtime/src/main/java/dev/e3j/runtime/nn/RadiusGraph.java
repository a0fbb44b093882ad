package dev.e3j.runtime.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The radius graph of a point cloud (e3nn's use of {@code torch_cluster.radius_graph}): an edge for every ordered
 * pair {@code (src, dst)}, {@code src != dst}, with {@code |pos[src] - pos[dst]| < rMax}.
 *
 * <p>Convention, as in e3nn's example networks: messages flow from {@code src} (the neighbour) to {@code dst} (the
 * center), and {@code edgeVec = pos[src] - pos[dst]}, pointing from the center to its neighbour. Edges are sorted
 * by {@code dst}, then by {@code src}; with {@code maxNeighbours}, each center keeps its nearest neighbours (ties
 * broken by index) — torch_cluster instead keeps whichever neighbours its search meets first, so results agree
 * whenever no center has more than {@code maxNeighbours} neighbours. All pairs are tested ({@code O(n^2)}).
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
        List<int[]> edges = new ArrayList<>();
        double rMaxSquared = rMax * rMax;
        for (int center = 0; center < numNodes; center++) {
            List<double[]> neighbours = new ArrayList<>();
            for (int other = 0; other < numNodes; other++) {
                if (other == center) {
                    continue;
                }
                double squared = 0;
                for (int c = 0; c < 3; c++) {
                    double d = pos[3 * other + c] - pos[3 * center + c];
                    squared += d * d;
                }
                if (squared < rMaxSquared) {
                    neighbours.add(new double[] {squared, other});
                }
            }
            if (neighbours.size() > maxNeighbours) {
                neighbours.sort((a, b) -> a[0] != b[0] ? Double.compare(a[0], b[0]) : Double.compare(a[1], b[1]));
                neighbours = new ArrayList<>(neighbours.subList(0, maxNeighbours));
                neighbours.sort((a, b) -> Double.compare(a[1], b[1]));
            }
            for (double[] neighbour : neighbours) {
                edges.add(new int[] {(int) neighbour[1], center});
            }
        }
        int n = edges.size();
        int[] src = new int[n];
        int[] dst = new int[n];
        double[] vec = new double[3 * n];
        for (int e = 0; e < n; e++) {
            src[e] = edges.get(e)[0];
            dst[e] = edges.get(e)[1];
            for (int c = 0; c < 3; c++) {
                vec[3 * e + c] = pos[3 * src[e] + c] - pos[3 * dst[e] + c];
            }
        }
        return new RadiusGraph(numNodes, src, dst, vec);
    }

    public int numNodes() {
        return numNodes;
    }

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
