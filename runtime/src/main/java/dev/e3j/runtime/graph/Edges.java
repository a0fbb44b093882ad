package dev.e3j.runtime.graph;

import dev.e3j.runtime.BatchBlocks;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.SphericalHarmonicsKernel;
import dev.e3j.runtime.internal.Checks;
import dev.e3j.runtime.math.SoftOneHot;
import java.util.Arrays;

/**
 * The edges of a graph with e3nn's edge features ({@code gate_points_2101.Network}):
 * <pre>
 *   Y_e = c(|r_e| / maxRadius) Y(r_e / |r_e|)                       attributes, c(x) = (1 - cos(pi u)) / 2,
 *                                                                    u = 2 (x - 1) clamped to [-1, 0]
 *   E_e = sqrt(numberOfBasis) softOneHotLinspace(|r_e|, 0, maxRadius, numberOfBasis, basis, cutoff = false)
 * </pre>
 * with {@code r_e = pos[src_e] - pos[dst_e]} and {@code Y} the generated spherical harmonics, which should be
 * declared with {@code normalize = true} (the {@code c} factor already depends on the length). {@code c} falls
 * smoothly from 1 at {@code maxRadius / 2} to 0 at {@code maxRadius}. Immutable.
 */
public final class Edges {

    /**
     * Edges per parallel block of the harmonics, lengths, cut-offs and radial bases (the harmonics kernels' own
     * blocks are sized for larger batches and would leave a batch of a few thousand edges on one core).
     */
    private static final int EDGE_BLOCK = 512;

    private final SphericalHarmonicsKernel sphericalHarmonics;
    private final int numNodes;
    private final int[] src;
    private final int[] dst;
    private final double[] edgeVec;
    private final double[] length;
    private final double maxRadius;
    private final int numberOfBasis;
    private final SoftOneHot.Basis basis;
    private final Irreps irrepsAttr;
    private final double[] harmonics;
    /** {@link #smoothCutoff} at each edge's {@code length / maxRadius}, for the backward pass. */
    private final double[] cutoff;
    private final double[] attr;
    private final double[] lengthEmbedding;
    /** {@code dy_i/dx} of the basis at each length, {@code [numEdges][numberOfBasis]}, for the backward pass. */
    private final double[] basisDerivative;

    private Edges(SphericalHarmonicsKernel sphericalHarmonics, int numNodes, int[] src, int[] dst,
                  double[] edgeVec, double maxRadius, int numberOfBasis, SoftOneHot.Basis basis) {
        this.sphericalHarmonics = sphericalHarmonics;
        this.numNodes = numNodes;
        this.src = src;
        this.dst = dst;
        this.edgeVec = edgeVec;
        this.maxRadius = maxRadius;
        this.numberOfBasis = numberOfBasis;
        this.basis = basis;
        this.irrepsAttr = sphericalHarmonics.irrepsOut();
        int numEdges = src.length;
        int shDim = irrepsAttr.dim();
        this.length = new double[numEdges];
        this.harmonics = new double[numEdges * shDim];
        this.cutoff = new double[numEdges];
        this.attr = new double[numEdges * shDim];
        this.lengthEmbedding = new double[numEdges * numberOfBasis];
        this.basisDerivative = new double[numEdges * numberOfBasis];
        BatchBlocks.run(numEdges, edgeBlock(numEdges), (block, from, to) -> computeFeatures(from, to));
    }

    /**
     * The features of edges {@code from .. to}: one block of all the edges works in the arrays themselves, others in
     * copies of their rows.
     */
    private void computeFeatures(int from, int to) {
        int numEdges = numEdges();
        int shDim = irrepsAttr.dim();
        double scale = Math.sqrt(numberOfBasis);
        boolean all = from == 0 && to == numEdges;
        double[] blockHarmonics = all ? harmonics : new double[(to - from) * shDim];
        sphericalHarmonics.forward(to - from, rows(edgeVec, 3, from, to), blockHarmonics);
        if (!all) {
            System.arraycopy(blockHarmonics, 0, harmonics, from * shDim, blockHarmonics.length);
        }
        for (int e = from; e < to; e++) {
            length[e] = RadiusGraph.length(edgeVec[3 * e], edgeVec[3 * e + 1], edgeVec[3 * e + 2]);
            double edgeCutoff = smoothCutoff(length[e] / maxRadius);
            cutoff[e] = edgeCutoff;
            for (int k = 0; k < shDim; k++) {
                attr[e * shDim + k] = edgeCutoff * harmonics[e * shDim + k];
            }
        }
        double[] embedding = all ? lengthEmbedding : new double[(to - from) * numberOfBasis];
        double[] derivative = all ? basisDerivative : new double[embedding.length];
        SoftOneHot.softOneHotLinspaceWithDerivative(rows(length, 1, from, to), 0.0, maxRadius, numberOfBasis,
                basis, false, embedding, derivative);
        for (int i = 0; i < (to - from) * numberOfBasis; i++) {
            lengthEmbedding[from * numberOfBasis + i] = embedding[i] * scale;
        }
        if (!all) {
            System.arraycopy(derivative, 0, basisDerivative, from * numberOfBasis, derivative.length);
        }
    }

    /**
     * Edges per block of the feature passes: {@link #EDGE_BLOCK}, or all of them in one block inside
     * {@link BatchBlocks#serially}, where blocks run one after the other anyway and one block works in the arrays
     * themselves, without copies of its rows. Every edge's numbers are its own, so the blocks change no bit.
     */
    private static int edgeBlock(int numEdges) {
        return BatchBlocks.isSerial() ? Math.max(1, numEdges) : EDGE_BLOCK;
    }

    /** The edges of {@code graph} ({@code src}, {@code dst}, {@code edgeVec}). */
    public static Edges of(SphericalHarmonicsKernel sphericalHarmonics, RadiusGraph graph, double maxRadius,
                           int numberOfBasis, SoftOneHot.Basis basis) {
        String where = "Edges.of";
        Checks.requireNonNull(where, "graph", graph);
        checkParameters(where, sphericalHarmonics, graph.numEdges(), maxRadius, numberOfBasis, basis);
        // The graph is immutable and keeps its arrays to itself, as the edges do: they share them.
        return new Edges(sphericalHarmonics, graph.numNodes(), graph.srcArray(), graph.dstArray(),
                graph.edgeVecArray(), maxRadius, numberOfBasis, basis);
    }

    /**
     * Edges {@code src_e -> dst_e} with vectors {@code edgeVec} ({@code [src.length][3]}, e3nn's
     * {@code pos[src] - pos[dst]}); the arrays are copied.
     */
    public static Edges of(SphericalHarmonicsKernel sphericalHarmonics, int numNodes, int[] src, int[] dst,
                           double[] edgeVec, double maxRadius, int numberOfBasis, SoftOneHot.Basis basis) {
        String where = "Edges.of";
        Checks.requireNonNull(where, "sphericalHarmonics", sphericalHarmonics);
        Checks.requireNonNegative(where, "numNodes", numNodes);
        Checks.requireNonNull(where, "src", src);
        Checks.requireLength(where, "dst", dst, src.length);
        Checks.requireShape(where, "edgeVec", edgeVec, "src.length", src.length, 3);
        for (int e = 0; e < src.length; e++) {
            if (src[e] < 0 || src[e] >= numNodes) {
                throw Checks.invalid(where, "src[" + e + "]", "be in [0, numNodes " + numNodes + ")", src[e]);
            }
            if (dst[e] < 0 || dst[e] >= numNodes) {
                throw Checks.invalid(where, "dst[" + e + "]", "be in [0, numNodes " + numNodes + ")", dst[e]);
            }
        }
        checkParameters(where, sphericalHarmonics, src.length, maxRadius, numberOfBasis, basis);
        return new Edges(sphericalHarmonics, numNodes, src.clone(), dst.clone(), edgeVec.clone(), maxRadius,
                numberOfBasis, basis);
    }

    /** The checks of {@link #of} on everything but the edges themselves. */
    private static void checkParameters(String where, SphericalHarmonicsKernel sphericalHarmonics, int numEdges,
                                        double maxRadius, int numberOfBasis, SoftOneHot.Basis basis) {
        Checks.requireNonNull(where, "sphericalHarmonics", sphericalHarmonics);
        if (!(maxRadius > 0 && maxRadius < Double.POSITIVE_INFINITY)) {
            throw Checks.invalid(where, "maxRadius", "be positive and finite", maxRadius);
        }
        Checks.requireNonNull(where, "basis", basis);
        Checks.arrayLength(where, "src.length", numEdges, "sphericalHarmonics.irrepsOut().dim()",
                sphericalHarmonics.irrepsOut().dim());
        Checks.arrayLength(where, "src.length", numEdges, "numberOfBasis", numberOfBasis);
    }

    /** Number of nodes. */
    public int numNodes() {
        return numNodes;
    }

    /** Number of edges. */
    public int numEdges() {
        return src.length;
    }

    /** Source node of each edge (a copy). */
    public int[] src() {
        return src.clone();
    }

    /** Destination node of each edge (a copy). */
    public int[] dst() {
        return dst.clone();
    }

    /** Edge vectors, {@code [numEdges][3]} (a copy). */
    public double[] edgeVec() {
        return edgeVec.clone();
    }

    /** Irreps of the edge attributes {@link #attr()}. */
    public Irreps irrepsAttr() {
        return irrepsAttr;
    }

    /** Number of radial basis functions per edge. */
    public int numberOfBasis() {
        return numberOfBasis;
    }

    /** {@code Y_e}, {@code [numEdges][irrepsAttr().dim()]}. */
    public double[] attr() {
        return attr.clone();
    }

    /** {@code E_e}, {@code [numEdges][numberOfBasis()]}. */
    public double[] lengthEmbedding() {
        return lengthEmbedding.clone();
    }

    /** {@link #attr()} with each value rounded once to float, for networks that compute in float. */
    public float[] attrFloat() {
        return rounded(attr);
    }

    /** {@link #lengthEmbedding()} with each value rounded once to float. */
    public float[] lengthEmbeddingFloat() {
        return rounded(lengthEmbedding);
    }

    private static float[] rounded(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }

    /**
     * Backward to the edge vectors: the gradient of {@code sum(Y * gradAttr) + sum(E * gradLengthEmbedding)}
     * with respect to {@code edgeVec}, {@code [numEdges][3]}; either gradient may be {@code null} (zero). Feed
     * it to {@link RadiusGraph#edgeVecBackward} for the gradient with respect to the positions.
     */
    public double[] edgeVecGradient(double[] gradAttr, double[] gradLengthEmbedding) {
        String where = "Edges.edgeVecGradient";
        if (gradAttr != null) {
            Checks.requireShape(where, "gradAttr", gradAttr, "numEdges()", numEdges(), irrepsAttr.dim());
        }
        if (gradLengthEmbedding != null) {
            Checks.requireShape(where, "gradLengthEmbedding", gradLengthEmbedding, "numEdges()", numEdges(),
                    numberOfBasis);
        }
        return edgeVecGradient(gradAttr, null, gradLengthEmbedding, null);
    }

    /**
     * Float overload of {@link #edgeVecGradient(double[], double[])}: the gradients are read widened (exactly) and
     * the rest computed in double, so the result is that of the double method on the widened gradients, bit for bit.
     */
    public double[] edgeVecGradient(float[] gradAttr, float[] gradLengthEmbedding) {
        String where = "Edges.edgeVecGradient";
        if (gradAttr != null) {
            Checks.requireShape(where, "gradAttr", gradAttr, "numEdges()", numEdges(), irrepsAttr.dim());
        }
        if (gradLengthEmbedding != null) {
            Checks.requireShape(where, "gradLengthEmbedding", gradLengthEmbedding, "numEdges()", numEdges(),
                    numberOfBasis);
        }
        return edgeVecGradient(null, gradAttr, null, gradLengthEmbedding);
    }

    /**
     * {@link #edgeVecGradient(double[], double[])} of checked gradients, each either in double or in float (the other
     * {@code null}); both {@code null} for a zero gradient.
     */
    private double[] edgeVecGradient(double[] gradAttr, float[] floatGradAttr, double[] gradLengthEmbedding,
                                     float[] floatGradLengthEmbedding) {
        int numEdges = numEdges();
        int shDim = irrepsAttr.dim();
        double[] gradVec = new double[numEdges * 3];
        double[] gradLength = new double[numEdges];
        if (gradAttr != null || floatGradAttr != null) {
            BatchBlocks.run(numEdges, edgeBlock(numEdges), (block, from, to) -> {
                double[] gradHarmonics = new double[(to - from) * shDim];
                for (int e = from; e < to; e++) {
                    double edgeCutoff = cutoff[e];
                    double dot = 0;
                    for (int k = 0; k < shDim; k++) {
                        double g = get(gradAttr, floatGradAttr, e * shDim + k);
                        gradHarmonics[(e - from) * shDim + k] = edgeCutoff * g;
                        dot += harmonics[e * shDim + k] * g;
                    }
                    gradLength[e] += dot * smoothCutoffDerivative(length[e] / maxRadius) / maxRadius;
                }
                boolean all = from == 0 && to == numEdges;
                double[] blockGradVec = all ? gradVec : new double[3 * (to - from)];
                sphericalHarmonics.backward(to - from, rows(edgeVec, 3, from, to), gradHarmonics, blockGradVec);
                if (!all) {
                    System.arraycopy(blockGradVec, 0, gradVec, 3 * from, blockGradVec.length);
                }
            });
        }
        double scale = Math.sqrt(numberOfBasis);
        BatchBlocks.run(numEdges, edgeBlock(numEdges), (block, from, to) -> {
            if (gradLengthEmbedding != null || floatGradLengthEmbedding != null) {
                for (int e = from; e < to; e++) {
                    double sum = 0;
                    for (int i = e * numberOfBasis; i < (e + 1) * numberOfBasis; i++) {
                        sum += get(gradLengthEmbedding, floatGradLengthEmbedding, i) * scale * basisDerivative[i];
                    }
                    gradLength[e] += sum;
                }
            }
            // d|r|/dr = r / |r|
            for (int e = from; e < to; e++) {
                if (gradLength[e] != 0) {
                    for (int c = 0; c < 3; c++) {
                        gradVec[3 * e + c] += gradLength[e] * edgeVec[3 * e + c] / length[e];
                    }
                }
            }
        });
        return gradVec;
    }

    /** Rows {@code from .. to} of {@code [rows][width]} {@code values}: the array itself when that is all of it. */
    private static double[] rows(double[] values, int width, int from, int to) {
        return from == 0 && to * width == values.length ? values : Arrays.copyOfRange(values, from * width,
                to * width);
    }

    /** {@code values[i]}, or {@code floatValues[i]} widened when {@code values} is {@code null}. */
    private static double get(double[] values, float[] floatValues, int i) {
        return values != null ? values[i] : floatValues[i];
    }

    /** e3nn's {@code smooth_cutoff}: {@code (1 - cos(pi u)) / 2}, {@code u = 2 (x - 1)}, 1 below u = -1, 0 above 0. */
    public static double smoothCutoff(double x) {
        double u = 2 * (x - 1);
        if (u > 0) {
            return 0.0;
        }
        if (u < -1) {
            return 1.0;
        }
        return (1 - Math.cos(Math.PI * u)) / 2;
    }

    /** {@code dc/dx = pi sin(pi u)} inside {@code -1 <= u <= 0}, else 0. */
    public static double smoothCutoffDerivative(double x) {
        double u = 2 * (x - 1);
        return u > 0 || u < -1 ? 0.0 : Math.PI * Math.sin(Math.PI * u);
    }

    /**
     * {@code d²c/dx² = 2 pi² cos(pi u)} inside {@code -1 <= u <= 0}, else 0 (as autograd differentiates e3nn's
     * {@code smooth_cutoff}, whose values outside are assigned constants).
     */
    public static double smoothCutoffSecondDerivative(double x) {
        double u = 2 * (x - 1);
        return u > 0 || u < -1 ? 0.0 : 2 * Math.PI * Math.PI * Math.cos(Math.PI * u);
    }
}
