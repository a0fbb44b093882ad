package dev.e3j.runtime.nn;

import dev.e3j.runtime.Irrep;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.LinearKernel;
import dev.e3j.runtime.TensorProductKernel;
import dev.e3j.runtime.graph.Edges;
import dev.e3j.runtime.graph.Scatter;
import dev.e3j.runtime.internal.Checks;
import java.util.Arrays;
import java.util.Random;

/**
 * e3nn's point convolution ({@code nn.models.gate_points_2101.Convolution}, the NequIP interaction block) over a
 * graph whose edges carry {@link Edges}:
 * <pre>
 *   s     = sc(x)                                               self-connection
 *   h     = lin1(x)
 *   m_e   = tp(h[src_e], Y_e, radial(E_e))                     per-edge weights from the radial MLP
 *   a_n   = (1 / sqrt(numNeighbors)) sum_{e: dst_e = n} m_e
 *   out   = sin(pi/8) s + cos(pi/8) lin2(a)                    on outputs the self-connection reaches
 *   out   = lin2(a)                                             elsewhere
 * </pre>
 * with {@code Y_e} the edge attributes (cut-off spherical harmonics of the edge vector) and {@code E_e} the embedded
 * edge length. e3nn's {@code sc}, {@code lin1} and {@code lin2} are {@code FullyConnectedTensorProduct}s of the node
 * features with node attributes; with e3nn's default attribute, the constant {@code 1x0e} of value 1, each path
 * {@code (ir, 0e) -> ir} has Clebsch–Gordan coefficient {@code 1/sqrt(2l+1)} times e3nn's component normalization
 * {@code sqrt(2l+1)}, i.e. the identity, and the fan-in is the same, so each reduces exactly to an {@code o3.Linear}
 * with the same weights: here they are {@link LinearKernel}s. The edge product is any {@link TensorProductKernel}
 * with per-sample weights ({@code sharedWeights = false}), typically {@code Kind.CHANNELWISE} (mode {@code uvu}).
 *
 * <p>The kernels are generated from the user's own declarations and passed in; their irreps must chain:
 * {@code sc.in = lin1.in}, {@code lin1.out = tp.in1}, {@code tp.in2 =} the edge attributes, {@code tp.out =
 * lin2.in}, {@code lin2.out = sc.out}, and {@code radial} maps the embedded length to {@code tp.weightNumel()}
 * weights. Irreps are compared after {@link Irreps#simplify()}, which keeps the {@code mul_ir} layout.
 *
 * <p>Parameters are one flat array in e3nn's {@code state_dict} order: {@code sc} weights and biases, {@code lin1}
 * weights and biases, the radial MLP, {@code lin2} weights and biases. Node features are {@code [numNodes][dim]}.
 * {@link #backward} recomputes the forward intermediates, so the layer holds no state and is thread-safe.
 */
public final class Convolution {

    private static final double SELF_CONNECTION_MIX = Math.sin(Math.PI / 8);
    private static final double CONVOLUTION_MIX = Math.cos(Math.PI / 8);
    private static final String NEW = "new Convolution";

    private final LinearKernel selfConnection;
    private final LinearKernel lin1;
    private final TensorProductKernel edgeProduct;
    private final LinearKernel lin2;
    private final FullyConnectedNet radial;
    private final double numNeighbors;
    /** Per output component: the factor on {@code lin2(a)}, {@code cos(pi/8)} where the self-connection reaches, else 1. */
    private final double[] convolutionScale;
    /** Per output component: the factor on {@code sc(x)}, {@code sin(pi/8)} where it reaches, else 0. */
    private final double[] selfConnectionScale;
    /** Offsets of sc weights, sc biases, lin1 weights, lin1 biases, radial, lin2 weights, lin2 biases, end. */
    private final int[] offsets;

    /**
     * @param numNeighbors the typical number of neighbours, e3nn's {@code num_neighbors}: the aggregated messages are
     *     divided by its square root
     * @throws IllegalArgumentException naming the first pair of irreps (or sizes) that do not fit together
     */
    public Convolution(LinearKernel selfConnection, LinearKernel lin1, TensorProductKernel edgeProduct,
                       LinearKernel lin2, FullyConnectedNet radial, double numNeighbors) {
        this.selfConnection = Checks.requireNonNull(NEW, "selfConnection", selfConnection);
        this.lin1 = Checks.requireNonNull(NEW, "lin1", lin1);
        this.edgeProduct = Checks.requireNonNull(NEW, "edgeProduct", edgeProduct);
        this.lin2 = Checks.requireNonNull(NEW, "lin2", lin2);
        this.radial = Checks.requireNonNull(NEW, "radial", radial);
        requireSame("lin1.irrepsIn()", lin1.irrepsIn(), "selfConnection.irrepsIn()", selfConnection.irrepsIn());
        requireSame("edgeProduct.irrepsIn1()", edgeProduct.irrepsIn1(), "lin1.irrepsOut()", lin1.irrepsOut());
        requireSame("lin2.irrepsIn()", lin2.irrepsIn(), "edgeProduct.irrepsOut()", edgeProduct.irrepsOut());
        requireSame("lin2.irrepsOut()", lin2.irrepsOut(), "selfConnection.irrepsOut()", selfConnection.irrepsOut());
        if (edgeProduct.sharedWeights()) {
            throw Checks.invalid(NEW, "edgeProduct", "take per-edge weights (sharedWeights = false)",
                    "shared weights");
        }
        if (radial.outputDim() != edgeProduct.weightNumel()) {
            throw Checks.invalid(NEW, "radial", "have output size edgeProduct.weightNumel() = "
                    + edgeProduct.weightNumel(), radial.outputDim());
        }
        if (!(numNeighbors > 0)) {
            throw Checks.invalid(NEW, "numNeighbors", "be > 0", numNeighbors);
        }
        this.numNeighbors = numNeighbors;

        Irreps out = selfConnection.irrepsOut();
        this.convolutionScale = new double[out.dim()];
        this.selfConnectionScale = new double[out.dim()];
        for (int i = 0; i < out.size(); i++) {
            boolean reached = reachedBySelfConnection(out.get(i).ir());
            Arrays.fill(convolutionScale, out.offset(i), out.offset(i + 1), reached ? CONVOLUTION_MIX : 1.0);
            Arrays.fill(selfConnectionScale, out.offset(i), out.offset(i + 1), reached ? SELF_CONNECTION_MIX : 0.0);
        }
        int[] sizes = {selfConnection.weightNumel(), selfConnection.biasNumel(), lin1.weightNumel(),
            lin1.biasNumel(), radial.parameterCount(), lin2.weightNumel(), lin2.biasNumel()};
        this.offsets = new int[sizes.length + 1];
        for (int i = 0; i < sizes.length; i++) {
            long end = (long) offsets[i] + sizes[i];
            if (end > Checks.MAX_ARRAY_LENGTH) {
                throw Checks.invalid(NEW, "the layers", "have at most " + Checks.MAX_ARRAY_LENGTH + " parameters in "
                        + "all (one array)", "at least " + end + " (sizes " + Arrays.toString(sizes) + ")");
            }
            offsets[i + 1] = (int) end;
        }
    }

    /** e3nn's {@code sc.output_mask}: an output is reached when some input has its irrep, or a bias feeds it. */
    private boolean reachedBySelfConnection(Irrep ir) {
        return selfConnection.irrepsIn().contains(ir) || (ir.equals(Irrep.of(0, 1)) && selfConnection.biasNumel() > 0);
    }

    private static void requireSame(String name, Irreps actual, String otherName, Irreps expected) {
        if (!actual.simplify().equals(expected.simplify())) {
            throw Checks.invalid(NEW, name, "be \"" + expected + "\" (= " + otherName + ")", "\"" + actual + "\"");
        }
    }

    /** Irreps of the node features it reads. */
    public Irreps irrepsIn() {
        return lin1.irrepsIn();
    }

    /** Irreps of the node features it writes. */
    public Irreps irrepsOut() {
        return lin2.irrepsOut();
    }

    /** Irreps of the edge attributes that the edge product expects as its second input. */
    public Irreps irrepsEdgeAttr() {
        return edgeProduct.irrepsIn2();
    }

    /** Size of the embedded edge length that the radial MLP expects. */
    public int numberOfBasis() {
        return radial.inputDim();
    }

    /** Number of parameters, all layers' in one flat array. */
    public int parameterCount() {
        return offsets[offsets.length - 1];
    }

    /**
     * Fresh parameters as e3nn initializes them: weights {@code ~ N(0, 1)}, biases zero, the radial MLP by
     * {@link FullyConnectedNet#initialParameters}.
     */
    public double[] initialParameters(Random random) {
        Checks.requireNonNull("Convolution.initialParameters", "random", random);
        double[] params = new double[parameterCount()];
        for (int block : new int[] {0, 2, 5}) {
            for (int i = offsets[block]; i < offsets[block + 1]; i++) {
                params[i] = random.nextGaussian();
            }
        }
        double[] radialParams = radial.initialParameters(random);
        System.arraycopy(radialParams, 0, params, offsets[4], radialParams.length);
        return params;
    }

    /** {@code out} ({@code [numNodes][irrepsOut().dim()]}) is overwritten with the convolution of {@code x}. */
    public void forward(int numNodes, double[] x, Edges edges, double[] params, double[] out) {
        String where = "Convolution.forward";
        check(where, numNodes, x, edges, params);
        Checks.requireShape(where, "out", out, "numNodes", numNodes, irrepsOut().dim());
        Pass pass = new Pass(numNodes, x, edges, params);
        int dim = irrepsOut().dim();
        for (int n = 0; n < numNodes; n++) {
            for (int c = 0; c < dim; c++) {
                int i = n * dim + c;
                out[i] = selfConnectionScale[c] * pass.selfConnected[i] + convolutionScale[c] * pass.mixed[i];
            }
        }
    }

    /**
     * Gradients of {@code sum(out * gradOut)}, each overwritten, a {@code null} one skipped: {@code gradX}
     * ({@code [numNodes][irrepsIn().dim()]}), {@code gradParams} (the flat layout), {@code gradEdgeAttr}
     * ({@code [numEdges][irrepsEdgeAttr().dim()]}) and {@code gradLengthEmbedding}
     * ({@code [numEdges][numberOfBasis()]}); pass the last two to {@link Edges#edgeVecGradient} for forces.
     */
    public void backward(int numNodes, double[] x, Edges edges, double[] params, double[] gradOut, double[] gradX,
                         double[] gradParams, double[] gradEdgeAttr, double[] gradLengthEmbedding) {
        String where = "Convolution.backward";
        check(where, numNodes, x, edges, params);
        int dimIn = irrepsIn().dim();
        int dimOut = irrepsOut().dim();
        int numEdges = edges.numEdges();
        Checks.requireShape(where, "gradOut", gradOut, "numNodes", numNodes, dimOut);
        if (gradX != null) {
            Checks.requireShape(where, "gradX", gradX, "numNodes", numNodes, dimIn);
        }
        if (gradParams != null) {
            Checks.requireLength(where, "gradParams", gradParams, parameterCount());
        }
        if (gradEdgeAttr != null) {
            Checks.requireShape(where, "gradEdgeAttr", gradEdgeAttr, "numEdges", numEdges, irrepsEdgeAttr().dim());
        }
        if (gradLengthEmbedding != null) {
            Checks.requireShape(where, "gradLengthEmbedding", gradLengthEmbedding, "numEdges", numEdges,
                    numberOfBasis());
        }
        Pass pass = new Pass(numNodes, x, edges, params);
        double[] gradSelfConnected = new double[numNodes * dimOut];
        double[] gradMixed = new double[numNodes * dimOut];
        for (int n = 0; n < numNodes; n++) {
            for (int c = 0; c < dimOut; c++) {
                int i = n * dimOut + c;
                gradSelfConnected[i] = selfConnectionScale[c] * gradOut[i];
                gradMixed[i] = convolutionScale[c] * gradOut[i];
            }
        }
        boolean wantParams = gradParams != null;
        double[][] gradBlocks = new double[offsets.length - 1][];
        if (wantParams) {
            for (int b = 0; b < gradBlocks.length; b++) {
                gradBlocks[b] = new double[offsets[b + 1] - offsets[b]];
            }
        }

        int midDim = edgeProduct.irrepsOut().dim();
        double[] gradAggregated = new double[numNodes * midDim];
        lin2.backward(numNodes, pass.aggregated, pass.block(params, 5), gradMixed, gradAggregated, gradBlocks[5],
                gradBlocks[6]);
        double[] gradMessages = new double[numEdges * midDim];
        Scatter.gather(numNodes, midDim, gradAggregated, edges.dst(), gradMessages);
        double norm = 1 / Math.sqrt(numNeighbors);
        for (int i = 0; i < gradMessages.length; i++) {
            gradMessages[i] *= norm;
        }

        int hiddenDim = lin1.irrepsOut().dim();
        double[] gradNeighbours = new double[numEdges * hiddenDim];
        double[] gradEdgeWeights = new double[numEdges * edgeProduct.weightNumel()];
        edgeProduct.backward(numEdges, pass.neighbours, edges.attr(), pass.edgeWeights, gradMessages, gradNeighbours,
                gradEdgeAttr, gradEdgeWeights);
        radial.backward(numEdges, edges.lengthEmbedding(), pass.block(params, 4), gradEdgeWeights, gradLengthEmbedding,
                gradBlocks[4]);

        double[] gradHidden = new double[numNodes * hiddenDim];
        Scatter.scatterSum(numNodes, hiddenDim, gradNeighbours, edges.src(), gradHidden);
        double[] gradXFromLin1 = gradX != null ? new double[numNodes * dimIn] : null;
        lin1.backward(numNodes, x, pass.block(params, 2), gradHidden, gradXFromLin1, gradBlocks[2], gradBlocks[3]);
        selfConnection.backward(numNodes, x, pass.block(params, 0), gradSelfConnected, gradX, gradBlocks[0],
                gradBlocks[1]);
        if (gradX != null) {
            for (int i = 0; i < gradX.length; i++) {
                gradX[i] += gradXFromLin1[i];
            }
        }
        if (wantParams) {
            for (int b = 0; b < gradBlocks.length; b++) {
                System.arraycopy(gradBlocks[b], 0, gradParams, offsets[b], gradBlocks[b].length);
            }
        }
    }

    /**
     * Checks the arguments, and that every intermediate array of the pass fits one array: hidden features and edge
     * messages can be wider than the inputs and outputs.
     */
    private void check(String where, int numNodes, double[] x, Edges edges, double[] params) {
        Checks.requireNonNegative(where, "numNodes", numNodes);
        Checks.requireShape(where, "x", x, "numNodes", numNodes, irrepsIn().dim());
        Checks.requireNonNull(where, "edges", edges);
        if (edges.numNodes() != numNodes) {
            throw Checks.invalid(where, "edges", "be a graph on numNodes = " + numNodes + " nodes", edges.numNodes());
        }
        if (!edges.irrepsAttr().simplify().equals(irrepsEdgeAttr().simplify())) {
            throw Checks.invalid(where, "edges", "have attributes \"" + irrepsEdgeAttr()
                    + "\" (= edgeProduct.irrepsIn2())", "\"" + edges.irrepsAttr() + "\"");
        }
        if (edges.numberOfBasis() != numberOfBasis()) {
            throw Checks.invalid(where, "edges", "have a length embedding of radial.inputDim() = " + numberOfBasis()
                    + " basis functions", edges.numberOfBasis());
        }
        Checks.requireLength(where, "params", params, parameterCount());
        int numEdges = edges.numEdges();
        Checks.arrayLength(where, "numNodes", numNodes, "lin1.irrepsOut().dim()", lin1.irrepsOut().dim());
        Checks.arrayLength(where, "numNodes", numNodes, "edgeProduct.irrepsOut().dim()",
                edgeProduct.irrepsOut().dim());
        Checks.arrayLength(where, "numNodes", numNodes, "irrepsOut().dim()", irrepsOut().dim());
        Checks.arrayLength(where, "numEdges", numEdges, "lin1.irrepsOut().dim()", lin1.irrepsOut().dim());
        Checks.arrayLength(where, "numEdges", numEdges, "edgeProduct.irrepsOut().dim()",
                edgeProduct.irrepsOut().dim());
        Checks.arrayLength(where, "numEdges", numEdges, "edgeProduct.weightNumel()", edgeProduct.weightNumel());
        Checks.arrayLength(where, "numEdges", numEdges, "the radial network's widest layer", radial.widestLayer());
    }

    /** The forward intermediates that the output and the gradients need. */
    private final class Pass {
        final double[] selfConnected;
        final double[] neighbours;
        final double[] edgeWeights;
        final double[] aggregated;
        final double[] mixed;

        Pass(int numNodes, double[] x, Edges edges, double[] params) {
            int numEdges = edges.numEdges();
            selfConnected = new double[numNodes * irrepsOut().dim()];
            selfConnection.forward(numNodes, x, block(params, 0), block(params, 1), selfConnected);
            int hiddenDim = lin1.irrepsOut().dim();
            double[] hidden = new double[numNodes * hiddenDim];
            lin1.forward(numNodes, x, block(params, 2), block(params, 3), hidden);
            neighbours = new double[numEdges * hiddenDim];
            Scatter.gather(numNodes, hiddenDim, hidden, edges.src(), neighbours);
            edgeWeights = new double[numEdges * edgeProduct.weightNumel()];
            radial.forward(numEdges, edges.lengthEmbedding(), block(params, 4), edgeWeights);
            int midDim = edgeProduct.irrepsOut().dim();
            double[] messages = new double[numEdges * midDim];
            edgeProduct.forward(numEdges, neighbours, edges.attr(), edgeWeights, messages);
            aggregated = new double[numNodes * midDim];
            Scatter.scatterSum(numNodes, midDim, messages, edges.dst(), aggregated);
            double norm = 1 / Math.sqrt(numNeighbors);
            for (int i = 0; i < aggregated.length; i++) {
                aggregated[i] *= norm;
            }
            mixed = new double[numNodes * irrepsOut().dim()];
            lin2.forward(numNodes, aggregated, block(params, 5), block(params, 6), mixed);
        }

        double[] block(double[] params, int block) {
            return Arrays.copyOfRange(params, offsets[block], offsets[block + 1]);
        }
    }
}
