package dev.e3j.runtime.graph;

import dev.e3j.runtime.internal.Checks;
import java.util.Arrays;

/**
 * Moving features between nodes and edges of a graph, each operation the adjoint of the other:
 * <pre>
 *   gather:      out[e] = nodes[index[e]]                      (e3nn: x[edge_src])
 *   scatterSum:  out[n] = sum over e with index[e] = n of edges[e]   (e3nn: scatter(..., edge_dst, dim_size=n))
 * </pre>
 * so the backward of {@code gather} is {@code scatterSum} with the same index, and vice versa. Features are
 * row-major {@code [count][width]}; the output array must not be the input array.
 */
public final class Scatter {

    private Scatter() {
    }

    /** {@code out[e][:] = nodes[index[e]][:]}; {@code nodes} is {@code [numNodes][width]}, {@code out} {@code [index.length][width]}. */
    public static void gather(int numNodes, int width, double[] nodes, int[] index, double[] out) {
        String where = "Scatter.gather";
        Checks.requireNonNegative(where, "numNodes", numNodes);
        Checks.requireNonNegative(where, "width", width);
        Checks.requireShape(where, "nodes", nodes, "numNodes", numNodes, width);
        Checks.requireNonNull(where, "index", index);
        Checks.requireShape(where, "out", out, "index.length", index.length, width);
        requireDistinct(where, "out", out, "nodes", nodes);
        for (int e = 0; e < index.length; e++) {
            checkIndex(where, index, e, numNodes);
            System.arraycopy(nodes, index[e] * width, out, e * width, width);
        }
    }

    /** {@code out[n][:] = sum_{e: index[e] = n} edges[e][:]}, {@code out} ({@code [numNodes][width]}) overwritten. */
    public static void scatterSum(int numNodes, int width, double[] edges, int[] index, double[] out) {
        String where = "Scatter.scatterSum";
        Checks.requireNonNegative(where, "numNodes", numNodes);
        Checks.requireNonNegative(where, "width", width);
        Checks.requireNonNull(where, "index", index);
        Checks.requireShape(where, "edges", edges, "index.length", index.length, width);
        Checks.requireShape(where, "out", out, "numNodes", numNodes, width);
        requireDistinct(where, "out", out, "edges", edges);
        Arrays.fill(out, 0.0);
        for (int e = 0; e < index.length; e++) {
            checkIndex(where, index, e, numNodes);
            int node = index[e] * width;
            for (int k = 0; k < width; k++) {
                out[node + k] += edges[e * width + k];
            }
        }
    }

    private static void checkIndex(String where, int[] index, int e, int numNodes) {
        if (index[e] < 0 || index[e] >= numNodes) {
            throw Checks.invalid(where, "index[" + e + "]", "be in [0, numNodes " + numNodes + ")", index[e]);
        }
    }

    /**
     * The output is written while the input is still being read, so the two must be different arrays (an empty
     * pair has nothing to overwrite).
     */
    private static void requireDistinct(String where, String outName, double[] out, String inName, double[] in) {
        if (out == in && out.length > 0) {
            throw Checks.invalid(where, outName, "be a different array from " + inName, "the same array");
        }
    }
}
