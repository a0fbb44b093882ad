package dev.e3j.runtime.model;

import dev.e3j.runtime.BatchBlocks;
import dev.e3j.runtime.SphericalHarmonicsKernel;
import dev.e3j.runtime.graph.Edges;
import dev.e3j.runtime.graph.RadiusGraph;
import dev.e3j.runtime.math.SoftOneHot;
import dev.e3j.runtime.nn.Convolution;
import java.util.Arrays;

/**
 * The edges of a batch of point clouds as e3nn's {@code gate_points_2101.Network} builds them: the radius graph
 * within each graph of the batch, edge attributes (cut-off spherical harmonics) and the embedded edge lengths
 * ({@link Edges}), read once per pass.
 */
final class EdgeSet {

    /** Nodes or edges per parallel block of the gathers and sums. */
    private static final int BLOCK_SIZE = 128;

    private final int numNodes;
    private final int[] src;
    private final int[] dst;
    private final Edges edges;
    /**
     * The edges into node {@code n} are {@code byDst[dstStart[n] .. dstStart[n + 1])}, in edge order; the edges are
     * sorted by destination, so these are edges {@code dstStart[n] .. dstStart[n + 1]} themselves.
     */
    private final int[] dstStart;
    private final int[] byDst;
    /** The edges out of node {@code n} are {@code bySrc[srcStart[n] .. srcStart[n + 1])}, in edge order. */
    private final int[] srcStart;
    private final int[] bySrc;

    private EdgeSet(int numNodes, int[] src, int[] dst, Edges edges) {
        this.numNodes = numNodes;
        this.src = src;
        this.dst = dst;
        this.edges = edges;
        for (int e = 1; e < dst.length; e++) {
            if (dst[e] < dst[e - 1]) {
                throw new IllegalArgumentException("dst: expected edges sorted by destination, edge " + e + " into "
                        + dst[e] + " follows one into " + dst[e - 1]);
            }
        }
        this.dstStart = new int[numNodes + 1];
        this.byDst = groupBy(dst, numNodes, dstStart);
        this.srcStart = new int[numNodes + 1];
        this.bySrc = groupBy(src, numNodes, srcStart);
    }

    /** The edges grouped by {@code node[e]} (a stable counting sort), with each group's start in {@code start}. */
    private static int[] groupBy(int[] node, int numNodes, int[] start) {
        for (int n : node) {
            start[n + 1]++;
        }
        for (int n = 0; n < numNodes; n++) {
            start[n + 1] += start[n];
        }
        int[] next = Arrays.copyOf(start, numNodes);
        int[] order = new int[node.length];
        for (int e = 0; e < node.length; e++) {
            order[next[node[e]]++] = e;
        }
        return order;
    }

    /**
     * {@code out[e] = nodes[src[e]]}, {@code [numEdges][width]}: each edge reads its neighbour; {@code nodes} is a
     * {@code double[]} or a {@code float[]}, and so is the result.
     */
    <A> A gatherSrc(A nodes, int width) {
        return gather(nodes, width, src, 1.0);
    }

    /** {@code out[e] = scale * nodes[dst[e]]}, {@code [numEdges][width]}: each edge reads its center. */
    <A> A gatherDst(A nodes, int width, double scale) {
        return gather(nodes, width, dst, scale);
    }

    /**
     * {@link #gatherSrc(Object, int)} of edges {@code first .. first + count} into {@code out}
     * ({@code [count][width]}, overwritten), in the calling thread.
     */
    <A> void gatherSrc(A nodes, int width, int first, int count, A out) {
        gatherRows(nodes, width, src, 1.0, first, 0, count, out);
    }

    /**
     * {@link #gatherDst(Object, int, double)} of edges {@code first .. first + count} into {@code out}
     * ({@code [count][width]}, overwritten), in the calling thread.
     */
    <A> void gatherDst(A nodes, int width, double scale, int first, int count, A out) {
        gatherRows(nodes, width, dst, scale, first, 0, count, out);
    }

    /** The rows of every edge into a new array, in parallel blocks of edges. */
    @SuppressWarnings("unchecked")
    private <A> A gather(A nodes, int width, int[] index, double scale) {
        int count = numEdges();
        A target = (A) (nodes instanceof double[] ? new double[count * width] : new float[count * width]);
        BatchBlocks.run(count, BLOCK_SIZE, (block, from, to) -> gatherRows(nodes, width, index, scale, 0, from, to,
                target));
        return target;
    }

    /**
     * Rows {@code from .. to} of {@code out} ({@code [rows][width]}): row {@code k} is {@code nodes[index[first + k]]}
     * times {@code scale}, scaled while it is in cache.
     */
    private static <A> void gatherRows(A nodes, int width, int[] index, double scale, int first, int from, int to,
                                       A out) {
        if (nodes instanceof double[] wide) {
            double[] target = (double[]) out;
            for (int e = from; e < to; e++) {
                int row = e * width;
                System.arraycopy(wide, index[first + e] * width, target, row, width);
                if (scale != 1.0) {
                    for (int c = row; c < row + width; c++) {
                        target[c] *= scale;
                    }
                }
            }
            return;
        }
        float[] narrow = (float[]) nodes;
        float[] target = (float[]) out;
        float factor = (float) scale;
        for (int e = from; e < to; e++) {
            int row = e * width;
            System.arraycopy(narrow, index[first + e] * width, target, row, width);
            if (factor != 1.0f) {
                for (int c = row; c < row + width; c++) {
                    target[c] *= factor;
                }
            }
        }
    }

    /** The first edge into {@code node} (edges are sorted by destination); {@code numEdges()} for {@code numNodes}. */
    int firstEdgeInto(int node) {
        return dstStart[node];
    }

    /** {@code out[n] = scale * sum_{e: dst[e] = n} values[e]}, {@code [numNodes][width]}, summed in edge order. */
    <A> A sumIntoDst(A values, int width, double scale) {
        return sumInto(values, width, scale, dstStart, byDst);
    }

    /** {@code out[n] = sum_{e: src[e] = n} values[e]}, {@code [numNodes][width]}, summed in edge order. */
    <A> A sumIntoSrc(A values, int width) {
        return sumInto(values, width, 1.0, srcStart, bySrc);
    }

    /**
     * {@link #sumIntoDst(Object, int, double)} by chunks of edges: adds the rows of edges {@code first .. first +
     * count} ({@code values}, {@code [count][width]} from row 0) to the sums of their destinations, and writes each
     * sum, scaled, to its row of {@code out} ({@code [numNodes][width]}, rows of nodes without edges left as they are)
     * once its last edge is in. The sums are the same, bit for bit, when every node's edges go through consecutive
     * calls in edge order: {@code sum} and {@code row} ({@code [width]} each, the caller's from one call to the
     * next) carry the sum of a node whose edges continue into the next chunk. Each edge's row is copied into
     * {@code row} before it is added, so that the sum is a loop over two arrays at the same index, which C2
     * vectorizes (it does not vectorize {@code sum[c] += values[k * width + c]}, whose offsets it cannot compare):
     * about 4 times faster per row at the gate-points messages' width (196 floats, JDK 17).
     */
    <A> void sumIntoDst(A values, int width, double scale, int first, int count, A out, A sum, A row) {
        if (values instanceof double[] wide) {
            sumIntoDst(wide, width, scale, first, count, (double[]) out, (double[]) sum, (double[]) row);
        } else {
            sumIntoDst((float[]) values, width, (float) scale, first, count, (float[]) out, (float[]) sum,
                    (float[]) row);
        }
    }

    private void sumIntoDst(double[] values, int width, double scale, int first, int count, double[] out,
                            double[] sum, double[] row) {
        for (int k = 0; k < count; k++) {
            int e = first + k;
            System.arraycopy(values, k * width, row, 0, width);
            if (e == 0 || dst[e] != dst[e - 1]) {
                // A node's first edge: its sum starts from zero, without a pass that zero-fills it.
                for (int c = 0; c < width; c++) {
                    sum[c] = 0.0 + row[c];
                }
            } else {
                for (int c = 0; c < width; c++) {
                    sum[c] += row[c];
                }
            }
            if (e + 1 == dst.length || dst[e + 1] != dst[e]) {
                if (scale != 1.0) {
                    for (int c = 0; c < width; c++) {
                        sum[c] *= scale;
                    }
                }
                System.arraycopy(sum, 0, out, dst[e] * width, width);
            }
        }
    }

    private void sumIntoDst(float[] values, int width, float scale, int first, int count, float[] out, float[] sum,
                            float[] row) {
        for (int k = 0; k < count; k++) {
            int e = first + k;
            System.arraycopy(values, k * width, row, 0, width);
            if (e == 0 || dst[e] != dst[e - 1]) {
                // A node's first edge: its sum starts from zero, without a pass that zero-fills it.
                for (int c = 0; c < width; c++) {
                    sum[c] = 0.0f + row[c];
                }
            } else {
                for (int c = 0; c < width; c++) {
                    sum[c] += row[c];
                }
            }
            if (e + 1 == dst.length || dst[e + 1] != dst[e]) {
                if (scale != 1.0f) {
                    for (int c = 0; c < width; c++) {
                        sum[c] *= scale;
                    }
                }
                System.arraycopy(sum, 0, out, dst[e] * width, width);
            }
        }
    }

    /**
     * {@code out[src[e]] += values[e - first]} for the edges {@code first .. first + count}, in edge order
     * ({@code values} {@code [count][width]}, {@code out} {@code [numNodes][width]}): from zero and over every edge in
     * order, the sums of {@link #sumIntoSrc}, bit for bit.
     */
    <A> void addIntoSrc(A values, int width, int first, int count, A out) {
        if (values instanceof double[] wide) {
            double[] target = (double[]) out;
            for (int k = 0; k < count; k++) {
                int from = k * width;
                int to = src[first + k] * width;
                for (int c = 0; c < width; c++) {
                    target[to + c] += wide[from + c];
                }
            }
        } else {
            float[] narrow = (float[]) values;
            float[] target = (float[]) out;
            for (int k = 0; k < count; k++) {
                int from = k * width;
                int to = src[first + k] * width;
                for (int c = 0; c < width; c++) {
                    target[to + c] += narrow[from + c];
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private <A> A sumInto(A values, int width, double scale, int[] start, int[] order) {
        if (values instanceof double[] wide) {
            return (A) sumInto(wide, width, scale, start, order);
        }
        return (A) sumInto((float[]) values, width, (float) scale, start, order);
    }

    /**
     * Each node sums its own edges, so blocks of nodes run in parallel and the sums do not depend on threads. A node's
     * sum starts from zero and adds its edges' rows in edge order, each row first copied next to the sum: a loop over
     * two arrays at the same index, which the JIT can vectorize without knowing whether two rows of the same type
     * at unrelated offsets overlap.
     */
    private double[] sumInto(double[] values, int width, double scale, int[] start, int[] order) {
        double[] out = new double[numNodes * width];
        BatchBlocks.run(numNodes, BLOCK_SIZE, (block, from, to) -> {
            double[] sum = new double[width];
            double[] row = new double[width];
            for (int n = from; n < to; n++) {
                if (start[n] == start[n + 1]) {
                    continue;
                }
                Arrays.fill(sum, 0.0);
                for (int k = start[n]; k < start[n + 1]; k++) {
                    System.arraycopy(values, order[k] * width, row, 0, width);
                    for (int c = 0; c < width; c++) {
                        sum[c] += row[c];
                    }
                }
                if (scale != 1.0) {
                    for (int c = 0; c < width; c++) {
                        sum[c] *= scale;
                    }
                }
                System.arraycopy(sum, 0, out, n * width, width);
            }
        });
        return out;
    }

    private float[] sumInto(float[] values, int width, float scale, int[] start, int[] order) {
        float[] out = new float[numNodes * width];
        BatchBlocks.run(numNodes, BLOCK_SIZE, (block, from, to) -> {
            float[] sum = new float[width];
            float[] row = new float[width];
            for (int n = from; n < to; n++) {
                if (start[n] == start[n + 1]) {
                    continue;
                }
                Arrays.fill(sum, 0.0f);
                for (int k = start[n]; k < start[n + 1]; k++) {
                    System.arraycopy(values, order[k] * width, row, 0, width);
                    for (int c = 0; c < width; c++) {
                        sum[c] += row[c];
                    }
                }
                if (scale != 1.0f) {
                    for (int c = 0; c < width; c++) {
                        sum[c] *= scale;
                    }
                }
                System.arraycopy(sum, 0, out, n * width, width);
            }
        });
        return out;
    }

    /**
     * Every ordered pair of distinct nodes of the same graph closer than {@code maxRadius}; the nodes of graph
     * {@code g} are the run of {@code batch} equal to {@code g} (a valid, non-decreasing {@code batch}):
     * {@link RadiusGraph#build(int, double[], int[], double)}, which searches the graphs in parallel and concatenates
     * their edges in order.
     */
    static EdgeSet build(SphericalHarmonicsKernel harmonics, int numNodes, double[] pos, int[] batch,
                         double maxRadius, int numberOfBasis) {
        RadiusGraph graph = RadiusGraph.build(numNodes, pos, batch, maxRadius);
        return new EdgeSet(numNodes, graph.src(), graph.dst(), Edges.of(harmonics, graph, maxRadius, numberOfBasis,
                SoftOneHot.Basis.GAUSSIAN));
    }

    int numNodes() {
        return numNodes;
    }

    int numEdges() {
        return src.length;
    }

    /**
     * {@code [numEdges][irrepsEdgeAttr.dim()]}, in the type of {@code numbers} (rounded once to float); a new array,
     * which a pass makes once and keeps.
     */
    @SuppressWarnings("unchecked")
    <A> A attr(Numbers<A> numbers) {
        return numbers == Numbers.FLOAT64 ? (A) edges.attr() : (A) edges.attrFloat();
    }

    /** {@code [numEdges][numberOfBasis]}, as {@link #attr(Numbers)}. */
    @SuppressWarnings("unchecked")
    <A> A lengthEmbedding(Numbers<A> numbers) {
        return numbers == Numbers.FLOAT64 ? (A) edges.lengthEmbedding() : (A) edges.lengthEmbeddingFloat();
    }

    int attrDim() {
        return edges.irrepsAttr().dim();
    }

    int numberOfBasis() {
        return edges.numberOfBasis();
    }

    /**
     * The directional derivatives of the edge features when the positions move along {@code posTangent}
     * ({@code [numNodes][3]}): {@code {d attr, d lengthEmbedding}}, {@code [numEdges][attrDim()]} and
     * {@code [numEdges][numberOfBasis()]}. Each feature column's gradient with respect to the edge vectors (one
     * backward pass with that column's unit cotangent) is dotted with the edge vectors' tangent
     * {@code posTangent[src] - posTangent[dst]}: exact to rounding, with no second derivative.
     */
    double[][] tangent(double[] posTangent) {
        int numEdges = numEdges();
        double[] vecTangent = new double[3 * numEdges];
        for (int e = 0; e < numEdges; e++) {
            for (int c = 0; c < 3; c++) {
                vecTangent[3 * e + c] = posTangent[3 * src[e] + c] - posTangent[3 * dst[e] + c];
            }
        }
        int attrDim = attrDim();
        int basisDim = numberOfBasis();
        double[] attrTangent = new double[numEdges * attrDim];
        double[] embeddingTangent = new double[numEdges * basisDim];
        for (int k = 0; k < attrDim + basisDim; k++) {
            boolean inAttr = k < attrDim;
            int width = inAttr ? attrDim : basisDim;
            int column = inAttr ? k : k - attrDim;
            double[] unit = new double[numEdges * width];
            for (int e = 0; e < numEdges; e++) {
                unit[e * width + column] = 1.0;
            }
            double[] columnGradient = inAttr ? edges.edgeVecGradient(unit, null) : edges.edgeVecGradient(null, unit);
            double[] target = inAttr ? attrTangent : embeddingTangent;
            for (int e = 0; e < numEdges; e++) {
                double dot = 0;
                for (int c = 0; c < 3; c++) {
                    dot += columnGradient[3 * e + c] * vecTangent[3 * e + c];
                }
                target[e * width + column] = dot;
            }
        }
        return new double[][] {attrTangent, embeddingTangent};
    }

    /**
     * Adds to {@code gradPos} ({@code [numNodes][3]}) the gradient of {@code sum(attr * gradAttr) +
     * sum(lengthEmbedding * gradLengthEmbedding)} through {@code edgeVec = pos[src] - pos[dst]}.
     */
    void positionGradient(double[] gradAttr, double[] gradLengthEmbedding, double[] gradPos) {
        addEdgeVectorGradients(edges.edgeVecGradient(gradAttr, gradLengthEmbedding), gradPos);
    }

    /**
     * Float overload of {@link #positionGradient(double[], double[], double[])}: the gradients are read widened, the
     * rest is computed in double, as by the double method on the widened gradients.
     */
    void positionGradient(float[] gradAttr, float[] gradLengthEmbedding, double[] gradPos) {
        addEdgeVectorGradients(edges.edgeVecGradient(gradAttr, gradLengthEmbedding), gradPos);
    }

    /** Adds to {@code gradPos} the edge vectors' gradients {@code gradVec}, node by node, in parallel blocks. */
    private void addEdgeVectorGradients(double[] gradVec, double[] gradPos) {
        BatchBlocks.run(numNodes, BLOCK_SIZE, (block, from, to) -> {
            for (int n = from; n < to; n++) {
                addEdgeVectorGradients(n, gradVec, gradPos);
            }
        });
    }

    /**
     * Adds to node {@code n}'s row of {@code gradPos} the gradients of its edges in edge order, {@code +gradVec[e]}
     * where it is the source, {@code -gradVec[e]} where it is the destination: the sums of a scatter over the edges
     * in order (source before destination within an edge), node by node.
     */
    private void addEdgeVectorGradients(int n, double[] gradVec, double[] gradPos) {
        int out = srcStart[n];
        int in = dstStart[n];
        while (out < srcStart[n + 1] || in < dstStart[n + 1]) {
            boolean fromSource = in == dstStart[n + 1] || (out < srcStart[n + 1] && bySrc[out] <= byDst[in]);
            int edge = fromSource ? bySrc[out++] : byDst[in++];
            for (int c = 0; c < 3; c++) {
                if (fromSource) {
                    gradPos[3 * n + c] += gradVec[3 * edge + c];
                } else {
                    gradPos[3 * n + c] -= gradVec[3 * edge + c];
                }
            }
        }
    }
}
