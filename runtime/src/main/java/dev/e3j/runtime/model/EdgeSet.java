package dev.e3j.runtime.model;

import dev.e3j.runtime.SphericalHarmonicsKernel;
import dev.e3j.runtime.nn.Convolution;
import dev.e3j.runtime.nn.RadiusGraph;
import dev.e3j.runtime.nn.SoftOneHot;
import java.util.Arrays;

/**
 * The edges of a batch of point clouds as e3nn's {@code gate_points_2101.Network} builds them: the radius graph
 * within each graph of the batch, edge attributes (cut-off spherical harmonics) and the embedded edge lengths
 * ({@link Convolution.Edges}), read once per pass.
 */
final class EdgeSet {

    private final int numNodes;
    private final int[] src;
    private final int[] dst;
    private final Convolution.Edges edges;
    private final double[] attr;
    private final double[] lengthEmbedding;

    private EdgeSet(int numNodes, int[] src, int[] dst, Convolution.Edges edges) {
        this.numNodes = numNodes;
        this.src = src;
        this.dst = dst;
        this.edges = edges;
        this.attr = edges.attr();
        this.lengthEmbedding = edges.lengthEmbedding();
    }

    /**
     * Every ordered pair of distinct nodes of the same graph closer than {@code maxRadius}; the nodes of graph
     * {@code g} are the run of {@code batch} equal to {@code g} (a valid, non-decreasing {@code batch}).
     */
    static EdgeSet build(SphericalHarmonicsKernel harmonics, int numNodes, double[] pos, int[] batch,
                         double maxRadius, int numberOfBasis) {
        int[] src = new int[0];
        int[] dst = new int[0];
        double[] edgeVec = new double[0];
        int numEdges = 0;
        for (int first = 0; first < numNodes; ) {
            int end = first + 1;
            while (end < numNodes && batch[end] == batch[first]) {
                end++;
            }
            RadiusGraph graph = RadiusGraph.build(end - first, Arrays.copyOfRange(pos, 3 * first, 3 * end), maxRadius);
            int count = graph.numEdges();
            if (numEdges + count > src.length) {
                int capacity = Math.max(numEdges + count, 2 * src.length);
                src = Arrays.copyOf(src, capacity);
                dst = Arrays.copyOf(dst, capacity);
                edgeVec = Arrays.copyOf(edgeVec, 3 * capacity);
            }
            int[] graphSrc = graph.src();
            int[] graphDst = graph.dst();
            for (int e = 0; e < count; e++) {
                src[numEdges + e] = graphSrc[e] + first;
                dst[numEdges + e] = graphDst[e] + first;
            }
            System.arraycopy(graph.edgeVec(), 0, edgeVec, 3 * numEdges, 3 * count);
            numEdges += count;
            first = end;
        }
        src = Arrays.copyOf(src, numEdges);
        dst = Arrays.copyOf(dst, numEdges);
        edgeVec = Arrays.copyOf(edgeVec, 3 * numEdges);
        return new EdgeSet(numNodes, src, dst, Convolution.Edges.of(harmonics, numNodes, src, dst, edgeVec, maxRadius,
                numberOfBasis, SoftOneHot.Basis.GAUSSIAN));
    }

    int numNodes() {
        return numNodes;
    }

    int numEdges() {
        return src.length;
    }

    /** Neighbour (message source) of each edge. */
    int[] src() {
        return src;
    }

    /** Center (message destination) of each edge. */
    int[] dst() {
        return dst;
    }

    /** {@code [numEdges][irrepsEdgeAttr.dim()]}. */
    double[] attr() {
        return attr;
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
