package dev.e3j.runtime.model;

import dev.e3j.runtime.BatchBlocks;
import dev.e3j.runtime.SphericalHarmonicsKernel;
import dev.e3j.runtime.nn.Convolution;
import dev.e3j.runtime.nn.RadiusGraph;
import dev.e3j.runtime.nn.SoftOneHot;
import java.util.Arrays;

/**
 * The edges of a batch of point clouds as e3nn's {@code gate_points_2101.Network} builds them: the radius graph
 * within each graph of the batch, edge attributes (cut-off spherical harmonics) and the embedded edge lengths
 * ({@link Convolution.Edges}), read once per pass.
 *
 * <p>Edges are sorted by {@code dst} (the radius graph's order, graph after graph), so the edges into a run of
 * nodes are a run of edges. The nodes are cut into fixed blocks of at most {@link #MAX_BLOCK_EDGES} edges (a node
 * with more is a block of its own), which the fused convolutions run in parallel: each block owns its nodes' sums
 * and its edges' rows, so results do not depend on the number of threads.
 */
final class EdgeSet {

    /** Nodes or edges per parallel block of the sums over edges into their source nodes. */
    private static final int BLOCK_SIZE = 128;
    /**
     * Edges per block of a fused convolution: its arrays (messages, radial weights, gradients) stay in the core's
     * caches, and it stays under the generated kernels' own parallel block sizes, so each runs in the calling thread.
     */
    static final int MAX_BLOCK_EDGES = 96;

    /** The work of one block: nodes {@code firstNode .. endNode} and the edges into them. */
    @FunctionalInterface
    interface Block {
        /** Runs block {@code block}: nodes {@code firstNode} to {@code endNode}, edges {@code firstEdge} to {@code endEdge} (ends exclusive). */
        void run(int block, int firstNode, int endNode, int firstEdge, int endEdge);
    }

    private final int numNodes;
    private final int[] src;
    private final int[] dst;
    private final Convolution.Edges edges;
    private final double[] attr;
    private final double[] lengthEmbedding;
    /** The edges into node {@code n} are {@code dstStart[n] .. dstStart[n + 1]}. */
    private final int[] dstStart;
    /** Block {@code b} holds nodes {@code blockStart[b] .. blockStart[b + 1]}. */
    private final int[] blockStart;
    /** The edges out of node {@code n} are {@code bySrc[srcStart[n] .. srcStart[n + 1])}, in edge order. */
    private final int[] srcStart;
    private final int[] bySrc;

    private EdgeSet(int numNodes, int[] src, int[] dst, Convolution.Edges edges) {
        this.numNodes = numNodes;
        this.src = src;
        this.dst = dst;
        this.edges = edges;
        this.attr = edges.attr();
        this.lengthEmbedding = edges.lengthEmbedding();
        this.dstStart = new int[numNodes + 1];
        for (int e = 0; e < dst.length; e++) {
            if (e > 0 && dst[e] < dst[e - 1]) {
                throw new IllegalStateException("edges: expected sorted by dst, got dst[" + e + "] = " + dst[e]
                        + " after " + dst[e - 1]);
            }
            dstStart[dst[e] + 1]++;
        }
        for (int n = 0; n < numNodes; n++) {
            dstStart[n + 1] += dstStart[n];
        }
        this.blockStart = blocks(numNodes, dstStart);
        this.srcStart = new int[numNodes + 1];
        this.bySrc = groupBy(src, numNodes, srcStart);
    }

    /** Greedy runs of nodes holding at most {@link #MAX_BLOCK_EDGES} edges each, or one node. */
    private static int[] blocks(int numNodes, int[] dstStart) {
        int[] starts = new int[numNodes + 1];
        int count = 0;
        for (int n = 0; n < numNodes; n++) {
            if (n == 0 || dstStart[n + 1] - dstStart[starts[count - 1]] > MAX_BLOCK_EDGES) {
                starts[count++] = n;
            }
        }
        starts[count++] = numNodes;
        return Arrays.copyOf(starts, count);
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

    /** Number of blocks of {@link #forEachBlock}. */
    int blockCount() {
        return blockStart.length - 1;
    }

    /** Runs every block once, in parallel; returns when all are done. */
    void forEachBlock(Block body) {
        BatchBlocks.run(blockCount(), 1, (block, from, to) -> {
            for (int b = from; b < to; b++) {
                int firstNode = blockStart[b];
                int endNode = blockStart[b + 1];
                body.run(b, firstNode, endNode, dstStart[firstNode], dstStart[endNode]);
            }
        });
    }

    /** {@code out[e - firstEdge] = nodes[src[e]]} for edges {@code firstEdge .. endEdge}: their neighbours. */
    double[] gatherSrc(double[] nodes, int width, int firstEdge, int endEdge) {
        double[] out = new double[(endEdge - firstEdge) * width];
        // A loop, not System.arraycopy: rows are a few numbers wide, where the call costs more than the copy.
        for (int e = firstEdge; e < endEdge; e++) {
            int from = src[e] * width;
            int to = (e - firstEdge) * width;
            for (int c = 0; c < width; c++) {
                out[to + c] = nodes[from + c];
            }
        }
        return out;
    }

    /**
     * {@code out[e - dstStart[firstNode]] = scale * nodes[dst[e]]} for the edges into nodes
     * {@code firstNode .. endNode}: each edge reads its center.
     */
    double[] gatherDst(double[] nodes, int width, double scale, int firstNode, int endNode) {
        int firstEdge = dstStart[firstNode];
        double[] out = new double[(dstStart[endNode] - firstEdge) * width];
        for (int n = firstNode; n < endNode; n++) {
            for (int e = dstStart[n]; e < dstStart[n + 1]; e++) {
                int row = (e - firstEdge) * width;
                for (int c = 0; c < width; c++) {
                    out[row + c] = scale * nodes[n * width + c];
                }
            }
        }
        return out;
    }

    /**
     * {@code out[n] = scale * sum_{e: dst[e] = n} values[e - dstStart[firstNode]]} for nodes
     * {@code firstNode .. endNode} ({@code out} is {@code [numNodes][width]}), summed in edge order.
     */
    void sumIntoDst(double[] values, int width, double scale, int firstNode, int endNode, double[] out) {
        int firstEdge = dstStart[firstNode];
        for (int n = firstNode; n < endNode; n++) {
            int row = n * width;
            for (int e = dstStart[n]; e < dstStart[n + 1]; e++) {
                int edge = (e - firstEdge) * width;
                for (int c = 0; c < width; c++) {
                    out[row + c] += values[edge + c];
                }
            }
            if (scale != 1.0) {
                for (int c = 0; c < width; c++) {
                    out[row + c] *= scale;
                }
            }
        }
    }

    /** {@code out[n] = sum_{e: src[e] = n} values[e]}, {@code [numNodes][width]}, summed in edge order. */
    double[] sumIntoSrc(double[] values, int width) {
        double[] out = new double[numNodes * width];
        BatchBlocks.run(numNodes, BLOCK_SIZE, (block, from, to) -> {
            for (int n = from; n < to; n++) {
                int row = n * width;
                for (int k = srcStart[n]; k < srcStart[n + 1]; k++) {
                    int edge = bySrc[k] * width;
                    for (int c = 0; c < width; c++) {
                        out[row + c] += values[edge + c];
                    }
                }
            }
        });
        return out;
    }

    /**
     * Every ordered pair of distinct nodes of the same graph closer than {@code maxRadius}; the nodes of graph
     * {@code g} are the run of {@code batch} equal to {@code g} (a valid, non-decreasing {@code batch}). The graphs
     * are searched in parallel and their edges concatenated in order.
     */
    static EdgeSet build(SphericalHarmonicsKernel harmonics, int numNodes, double[] pos, int[] batch,
                         double maxRadius, int numberOfBasis) {
        int[] graphStart = new int[numNodes + 1];
        int numGraphs = 0;
        for (int n = 0; n < numNodes; n++) {
            if (n == 0 || batch[n] != batch[n - 1]) {
                graphStart[numGraphs++] = n;
            }
        }
        graphStart[numGraphs] = numNodes;
        RadiusGraph[] graphs = new RadiusGraph[numGraphs];
        BatchBlocks.run(numGraphs, 1, (block, from, to) -> {
            for (int g = from; g < to; g++) {
                graphs[g] = RadiusGraph.build(graphStart[g + 1] - graphStart[g],
                        Arrays.copyOfRange(pos, 3 * graphStart[g], 3 * graphStart[g + 1]), maxRadius);
            }
        });
        int numEdges = 0;
        for (RadiusGraph graph : graphs) {
            numEdges = Math.addExact(numEdges, graph.numEdges());
        }
        int[] src = new int[numEdges];
        int[] dst = new int[numEdges];
        double[] edgeVec = new double[Math.multiplyExact(3, numEdges)];
        int at = 0;
        for (int g = 0; g < numGraphs; g++) {
            RadiusGraph graph = graphs[g];
            int count = graph.numEdges();
            int[] graphSrc = graph.src();
            int[] graphDst = graph.dst();
            for (int e = 0; e < count; e++) {
                src[at + e] = graphSrc[e] + graphStart[g];
                dst[at + e] = graphDst[e] + graphStart[g];
            }
            System.arraycopy(graph.edgeVec(), 0, edgeVec, 3 * at, 3 * count);
            at += count;
        }
        return new EdgeSet(numNodes, src, dst, Convolution.Edges.of(harmonics, numNodes, src, dst, edgeVec, maxRadius,
                numberOfBasis, SoftOneHot.Basis.GAUSSIAN));
    }

    int numNodes() {
        return numNodes;
    }

    int numEdges() {
        return src.length;
    }

    /** Rows {@code firstEdge .. endEdge} of the edge attributes ({@code [numEdges][irrepsEdgeAttr.dim()]}). */
    double[] attr(int firstEdge, int endEdge) {
        int width = attrDim();
        return Arrays.copyOfRange(attr, firstEdge * width, endEdge * width);
    }

    /** {@code [numEdges][numberOfBasis]}. */
    double[] lengthEmbedding() {
        return lengthEmbedding;
    }

    int attrDim() {
        return edges.irrepsAttr().dim();
    }

    int numberOfBasis() {
        return edges.numberOfBasis();
    }

    /**
     * Adds to {@code gradPos} ({@code [numNodes][3]}) the gradient of {@code sum(attr * gradAttr) +
     * sum(lengthEmbedding * gradLengthEmbedding)} through {@code edgeVec = pos[src] - pos[dst]}.
     */
    void positionGradient(double[] gradAttr, double[] gradLengthEmbedding, double[] gradPos) {
        double[] gradVec = edges.edgeVecGradient(gradAttr, gradLengthEmbedding);
        for (int e = 0; e < src.length; e++) {
            for (int c = 0; c < 3; c++) {
                gradPos[3 * src[e] + c] += gradVec[3 * e + c];
                gradPos[3 * dst[e] + c] -= gradVec[3 * e + c];
            }
        }
    }
}
