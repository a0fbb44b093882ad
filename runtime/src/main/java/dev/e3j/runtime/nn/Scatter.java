package dev.e3j.runtime.nn;

import java.util.Arrays;

/**
 * Moving features between nodes and edges of a graph, each operation the adjoint of the other:
 * <pre>
 *   gather:      out[e] = nodes[index[e]]                      (e3nn: x[edge_src])
 *   scatterSum:  out[n] = sum over e with index[e] = n of edges[e]   (e3nn: scatter(..., edge_dst, dim_size=n))
 * </pre>
 * so the backward of {@code gather} is {@code scatterSum} with the same index, and vice versa. Features are
 * row-major {@code [count][width]}.
 */
public final class Scatter {

    private Scatter() {
    }

    /** {@code out[e][:] = nodes[index[e]][:]}; {@code nodes} is {@code [numNodes][width]}, {@code out} {@code [index.length][width]}. */
    public static void gather(int numNodes, int width, double[] nodes, int[] index, double[] out) {
        Checks.requireNonNegative("numNodes", numNodes);
        Checks.requireNonNegative("width", width);
        Checks.requireShape("nodes", nodes, numNodes, width);
        Checks.requireNonNull("index", index);
        Checks.requireShape("out", out, index.length, width);
        for (int e = 0; e < index.length; e++) {
            checkIndex(index, e, numNodes);
            System.arraycopy(nodes, index[e] * width, out, e * width, width);
        }
    }

    /** {@code out[n][:] = sum_{e: index[e] = n} edges[e][:]}, {@code out} ({@code [numNodes][width]}) overwritten. */
    public static void scatterSum(int numNodes, int width, double[] edges, int[] index, double[] out) {
        Checks.requireNonNegative("numNodes", numNodes);
        Checks.requireNonNegative("width", width);
        Checks.requireNonNull("index", index);
        Checks.requireShape("edges", edges, index.length, width);
        Checks.requireShape("out", out, numNodes, width);
        Arrays.fill(out, 0.0);
        for (int e = 0; e < index.length; e++) {
            checkIndex(index, e, numNodes);
            int node = index[e] * width;
            for (int k = 0; k < width; k++) {
                out[node + k] += edges[e * width + k];
            }
        }
    }

    private static void checkIndex(int[] index, int e, int numNodes) {
        if (index[e] < 0 || index[e] >= numNodes) {
            throw new IllegalArgumentException("index[" + e + "]: expected in [0, " + numNodes + "), got " + index[e]);
        }
    }
}
