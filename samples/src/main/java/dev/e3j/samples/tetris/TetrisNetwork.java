package dev.e3j.samples.tetris;

import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.SphericalHarmonicsKernel;
import dev.e3j.runtime.nn.Convolution;
import dev.e3j.runtime.nn.FullyConnectedNet;
import dev.e3j.runtime.nn.Gate;
import dev.e3j.runtime.nn.RadiusGraph;
import dev.e3j.runtime.nn.ScalarFunction;
import dev.e3j.runtime.nn.SoftOneHot;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * An e3nn "gate points" network ({@code gate_points_2101.Network} with two gated layers) for point clouds of
 * {@link Tetromino#POINTS} points: every node starts from the constant {@code 1x0e}; edges join points closer than
 * {@link #MAX_RADIUS}; two convolutions each followed by a {@link Gate}, a final convolution to {@code 1x0o+6x0e}, and
 * the sum over each cloud's nodes divided by {@code sqrt(4)}. The kernels are those of {@link TetrisKernels}.
 *
 * <p>Parameters are one flat array: the three convolutions' parameters in order. Stateless and thread-safe.
 */
public final class TetrisNetwork {

    /** Edges join points closer than this; the smooth cutoff fades them out from half of it. */
    public static final double MAX_RADIUS = 2.5;
    /** Gaussians embedding the edge length. */
    public static final int NUMBER_OF_BASIS = 10;
    /** Width of the radial MLP's hidden layer. */
    public static final int RADIAL_NEURONS = 16;
    /** Output irreps: the chirality pseudoscalar and six class scalars. */
    public static final Irreps IRREPS_OUT = Irreps.parse("1x0o+6x0e");

    private static final Irreps IRREPS_NODE_INPUT = Irreps.parse("1x0e");

    private final SphericalHarmonicsKernel edgeHarmonics;
    private final List<Convolution> convolutions;
    private final List<Gate> gates;
    private final int[] offsets;

    /**
     * @param numNeighbors e3nn's typical number of neighbours, e.g. {@link #meanNeighbors} of the training clouds
     */
    public TetrisNetwork(double numNeighbors) {
        this.edgeHarmonics = new TetrisKernels_EdgeHarmonicsImpl();
        this.gates = List.of(
                gate("8x0e", "16x0e", "8x1o+8x2e"),
                gate("8x0e", "32x0e", "8x1o+8x1e+8x2o+8x2e"));
        this.convolutions = List.of(
                new Convolution(new TetrisKernels_Layer1SelfConnectionImpl(), new TetrisKernels_Layer1Lin1Impl(),
                        new TetrisKernels_Layer1EdgeProductImpl(), new TetrisKernels_Layer1Lin2Impl(),
                        radial(new TetrisKernels_Layer1EdgeProductImpl().weightNumel()), numNeighbors),
                new Convolution(new TetrisKernels_Layer2SelfConnectionImpl(), new TetrisKernels_Layer2Lin1Impl(),
                        new TetrisKernels_Layer2EdgeProductImpl(), new TetrisKernels_Layer2Lin2Impl(),
                        radial(new TetrisKernels_Layer2EdgeProductImpl().weightNumel()), numNeighbors),
                new Convolution(new TetrisKernels_Layer3SelfConnectionImpl(), new TetrisKernels_Layer3Lin1Impl(),
                        new TetrisKernels_Layer3EdgeProductImpl(), new TetrisKernels_Layer3Lin2Impl(),
                        radial(new TetrisKernels_Layer3EdgeProductImpl().weightNumel()), numNeighbors));
        requireChain("convolution 1 input", convolutions.get(0).irrepsIn(), IRREPS_NODE_INPUT);
        for (int layer = 0; layer < gates.size(); layer++) {
            requireChain("gate " + (layer + 1) + " input", gates.get(layer).irrepsIn(),
                    convolutions.get(layer).irrepsOut());
            requireChain("convolution " + (layer + 2) + " input", convolutions.get(layer + 1).irrepsIn(),
                    gates.get(layer).irrepsOut());
        }
        requireChain("network output", convolutions.get(convolutions.size() - 1).irrepsOut(), IRREPS_OUT);
        this.offsets = new int[convolutions.size() + 1];
        for (int i = 0; i < convolutions.size(); i++) {
            offsets[i + 1] = offsets[i] + convolutions.get(i).parameterCount();
        }
    }

    /** e3nn's gate activations: SiLU on even scalars, sigmoid on the (even) gates. */
    private static Gate gate(String scalars, String gates, String gated) {
        return new Gate(Irreps.parse(scalars), List.of(ScalarFunction.SILU), Irreps.parse(gates),
                List.of(ScalarFunction.SIGMOID), Irreps.parse(gated));
    }

    /** e3nn's radial MLP {@code [number_of_basis, radial_neurons, weight_numel]} with SiLU. */
    private static FullyConnectedNet radial(int weightNumel) {
        return new FullyConnectedNet(new int[] {NUMBER_OF_BASIS, RADIAL_NEURONS, weightNumel}, ScalarFunction.SILU);
    }

    private static void requireChain(String what, Irreps actual, Irreps expected) {
        if (!actual.simplify().equals(expected.simplify())) {
            throw new IllegalStateException(what + ": the declared kernels give \"" + actual + "\", expected \""
                    + expected + "\"; fix TetrisKernels");
        }
    }

    /** The mean number of neighbours per point over {@code clouds} ({@code [4][3]} each), e3nn's {@code num_neighbors}. */
    public static double meanNeighbors(List<double[]> clouds) {
        int edges = 0;
        for (double[] cloud : clouds) {
            edges += RadiusGraph.build(Tetromino.POINTS, cloud, MAX_RADIUS).numEdges();
        }
        return (double) edges / (clouds.size() * Tetromino.POINTS);
    }

    public int parameterCount() {
        return offsets[offsets.length - 1];
    }

    /** e3nn's initialization of every convolution, drawn from {@code random}. */
    public double[] initialParameters(Random random) {
        double[] params = new double[parameterCount()];
        for (int i = 0; i < convolutions.size(); i++) {
            double[] block = convolutions.get(i).initialParameters(random);
            System.arraycopy(block, 0, params, offsets[i], block.length);
        }
        return params;
    }

    /** Point clouds joined into one graph: the union of their radius graphs, nodes numbered cloud after cloud. */
    public final class Batch {
        private final int clouds;
        private final int[] cloudOf;
        private final Convolution.Edges edges;

        private Batch(List<double[]> positions) {
            this.clouds = positions.size();
            int numNodes = clouds * Tetromino.POINTS;
            this.cloudOf = new int[numNodes];
            List<int[]> src = new ArrayList<>();
            List<int[]> dst = new ArrayList<>();
            List<double[]> vec = new ArrayList<>();
            for (int c = 0; c < clouds; c++) {
                double[] cloud = positions.get(c);
                if (cloud == null || cloud.length != 3 * Tetromino.POINTS) {
                    throw new IllegalArgumentException("positions[" + c + "]: expected length "
                            + 3 * Tetromino.POINTS + " (" + Tetromino.POINTS + " x 3), got "
                            + (cloud == null ? "null" : cloud.length));
                }
                Arrays.fill(cloudOf, c * Tetromino.POINTS, (c + 1) * Tetromino.POINTS, c);
                RadiusGraph graph = RadiusGraph.build(Tetromino.POINTS, cloud, MAX_RADIUS);
                int[] graphSrc = graph.src();
                int[] graphDst = graph.dst();
                for (int e = 0; e < graph.numEdges(); e++) {
                    graphSrc[e] += c * Tetromino.POINTS;
                    graphDst[e] += c * Tetromino.POINTS;
                }
                src.add(graphSrc);
                dst.add(graphDst);
                vec.add(graph.edgeVec());
            }
            this.edges = Convolution.Edges.of(edgeHarmonics, numNodes, concat(src), concat(dst),
                    concatDoubles(vec), MAX_RADIUS, NUMBER_OF_BASIS, SoftOneHot.Basis.GAUSSIAN);
        }

        public int clouds() {
            return clouds;
        }

        int numNodes() {
            return cloudOf.length;
        }
    }

    /** Builds the graph of {@code positions}, each a {@code [4][3]} point cloud. */
    public Batch batch(List<double[]> positions) {
        if (positions == null || positions.isEmpty()) {
            throw new IllegalArgumentException("positions: expected at least one point cloud, got "
                    + (positions == null ? "null" : "none"));
        }
        return new Batch(positions);
    }

    /** The forward activations of one batch: each convolution's input and output. */
    private final class Trace {
        final double[][] convInputs = new double[convolutions.size()][];
        final double[][] convOutputs = new double[convolutions.size()][];

        Trace(Batch batch, double[] params) {
            int numNodes = batch.numNodes();
            double[] x = new double[numNodes];
            Arrays.fill(x, 1.0);
            for (int layer = 0; layer < convolutions.size(); layer++) {
                Convolution conv = convolutions.get(layer);
                convInputs[layer] = x;
                double[] y = new double[numNodes * conv.irrepsOut().dim()];
                conv.forward(numNodes, x, batch.edges, block(params, layer), y);
                convOutputs[layer] = y;
                if (layer < gates.size()) {
                    Gate gate = gates.get(layer);
                    x = new double[numNodes * gate.irrepsOut().dim()];
                    gate.forward(numNodes, y, x);
                }
            }
        }

        double[] nodeOutputs() {
            return convOutputs[convOutputs.length - 1];
        }
    }

    private double[] block(double[] params, int layer) {
        return Arrays.copyOfRange(params, offsets[layer], offsets[layer + 1]);
    }

    private void checkParams(double[] params) {
        if (params == null || params.length != parameterCount()) {
            throw new IllegalArgumentException("params: expected length " + parameterCount() + ", got "
                    + (params == null ? "null" : params.length));
        }
    }

    /** Per-node outputs before pooling, {@code [4 clouds][7]}: each transforms as {@code 1x0o+6x0e}. */
    public double[] nodeOutputs(Batch batch, double[] params) {
        checkParams(params);
        return new Trace(batch, params).nodeOutputs();
    }

    /** The prediction for each cloud, {@code [clouds][7]}: the sum of its nodes' outputs over {@code sqrt(4)}. */
    public double[] forward(Batch batch, double[] params) {
        checkParams(params);
        return pool(batch, new Trace(batch, params).nodeOutputs());
    }

    private static double[] pool(Batch batch, double[] nodeOutputs) {
        int width = IRREPS_OUT.dim();
        double[] out = new double[batch.clouds * width];
        double norm = 1 / Math.sqrt(Tetromino.POINTS);
        for (int n = 0; n < batch.numNodes(); n++) {
            for (int k = 0; k < width; k++) {
                out[batch.cloudOf[n] * width + k] += nodeOutputs[n * width + k] * norm;
            }
        }
        return out;
    }

    /** The mean squared error and its gradient with respect to the parameters. */
    public record LossAndGradient(double loss, double[] prediction, double[] gradient) {
    }

    /**
     * {@code loss = mean((forward - targets)^2)} over every cloud and output (PyTorch's {@code mse_loss}), with its
     * gradient through the generated backward kernels.
     */
    public LossAndGradient lossAndGradient(Batch batch, double[] targets, double[] params) {
        checkParams(params);
        int width = IRREPS_OUT.dim();
        if (targets == null || targets.length != batch.clouds * width) {
            throw new IllegalArgumentException("targets: expected length " + batch.clouds * width + " ("
                    + batch.clouds + " x " + width + "), got " + (targets == null ? "null" : targets.length));
        }
        Trace trace = new Trace(batch, params);
        double[] prediction = pool(batch, trace.nodeOutputs());
        double loss = 0;
        double[] gradPrediction = new double[prediction.length];
        for (int i = 0; i < prediction.length; i++) {
            double diff = prediction[i] - targets[i];
            loss += diff * diff / prediction.length;
            gradPrediction[i] = 2 * diff / prediction.length;
        }
        int numNodes = batch.numNodes();
        double norm = 1 / Math.sqrt(Tetromino.POINTS);
        double[] grad = new double[numNodes * width];
        for (int n = 0; n < numNodes; n++) {
            for (int k = 0; k < width; k++) {
                grad[n * width + k] = gradPrediction[batch.cloudOf[n] * width + k] * norm;
            }
        }
        double[] gradParams = new double[parameterCount()];
        for (int layer = convolutions.size() - 1; layer >= 0; layer--) {
            Convolution conv = convolutions.get(layer);
            double[] gradBlock = new double[conv.parameterCount()];
            double[] gradInput = layer > 0 ? new double[numNodes * conv.irrepsIn().dim()] : null;
            conv.backward(numNodes, trace.convInputs[layer], batch.edges, block(params, layer), grad, gradInput,
                    gradBlock, null, null);
            System.arraycopy(gradBlock, 0, gradParams, offsets[layer], gradBlock.length);
            if (layer > 0) {
                Gate gate = gates.get(layer - 1);
                grad = new double[numNodes * gate.irrepsIn().dim()];
                gate.backward(numNodes, trace.convOutputs[layer - 1], gradInput, grad);
            }
        }
        return new LossAndGradient(loss, prediction, gradParams);
    }

    private static int[] concat(List<int[]> parts) {
        int[] out = new int[parts.stream().mapToInt(p -> p.length).sum()];
        int at = 0;
        for (int[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }

    private static double[] concatDoubles(List<double[]> parts) {
        double[] out = new double[parts.stream().mapToInt(p -> p.length).sum()];
        int at = 0;
        for (double[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }
}
