package dev.e3j.samples.tetris;

import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.graph.RadiusGraph;
import dev.e3j.runtime.model.GatePoints;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The tetris network ({@link TetrisModel}, e3nn's {@code gate_points_2101.Network} with two gated layers) for point
 * clouds of {@link Tetromino#POINTS} points: every node starts from the constant {@code 1x0e}; edges join points closer
 * than {@link #MAX_RADIUS}; two convolutions each followed by a gate, a final convolution to {@code 1x0o+6x0e}, and the
 * sum over each cloud's nodes divided by {@code sqrt(4)}. The layers are those e3j derives from the annotation, run
 * through the generated model's architecture ({@link TetrisModelImpl#architecture}) so that training can ask for the
 * parameter gradient.
 *
 * <p>Parameters are one flat array in e3nn's {@code state_dict} order. Stateless and thread-safe.
 */
public final class TetrisNetwork {

    /** Edges join points closer than this; the smooth cutoff fades them out from half of it. */
    public static final double MAX_RADIUS = 2.5;
    /** Output irreps: the chirality pseudoscalar and six class scalars. */
    public static final Irreps IRREPS_OUT = Irreps.parse("1x0o+6x0e");

    private final GatePoints architecture = TetrisModelImpl.architecture(Map.of());

    /** The mean number of neighbours per point over {@code clouds} ({@code [4][3]} each), e3nn's {@code num_neighbors}. */
    public static double meanNeighbors(List<double[]> clouds) {
        int edges = 0;
        for (double[] cloud : clouds) {
            edges += RadiusGraph.build(Tetromino.POINTS, cloud, MAX_RADIUS).numEdges();
        }
        return (double) edges / (clouds.size() * Tetromino.POINTS);
    }

    public int parameterCount() {
        return architecture.parameterCount();
    }

    /** e3nn's initialization of every product and radial MLP, drawn from {@code random}. */
    public double[] initialParameters(Random random) {
        return architecture.initialParameters(random);
    }

    /** Point clouds joined into one batch, nodes numbered cloud after cloud. */
    public static final class Batch {
        private final int clouds;
        private final double[] pos;
        private final int[] cloudOf;

        private Batch(List<double[]> positions) {
            this.clouds = positions.size();
            this.pos = new double[clouds * Tetromino.POINTS * 3];
            this.cloudOf = new int[clouds * Tetromino.POINTS];
            for (int c = 0; c < clouds; c++) {
                double[] cloud = positions.get(c);
                if (cloud == null || cloud.length != 3 * Tetromino.POINTS) {
                    throw new IllegalArgumentException("positions[" + c + "]: expected length "
                            + 3 * Tetromino.POINTS + " (" + Tetromino.POINTS + " x 3), got "
                            + (cloud == null ? "null" : cloud.length));
                }
                System.arraycopy(cloud, 0, pos, c * cloud.length, cloud.length);
                Arrays.fill(cloudOf, c * Tetromino.POINTS, (c + 1) * Tetromino.POINTS, c);
            }
        }

        public int clouds() {
            return clouds;
        }

        int numNodes() {
            return cloudOf.length;
        }
    }

    /** The batch of {@code positions}, each a {@code [4][3]} point cloud. */
    public Batch batch(List<double[]> positions) {
        if (positions == null || positions.isEmpty()) {
            throw new IllegalArgumentException("positions: expected at least one point cloud, got "
                    + (positions == null ? "null" : "none"));
        }
        return new Batch(positions);
    }

    /** Per-node outputs before pooling, {@code [4 clouds][7]}: each transforms as {@code 1x0o+6x0e}. */
    public double[] nodeOutputs(Batch batch, double[] params) {
        return architecture.nodeOutputs(batch.numNodes(), batch.pos, batch.cloudOf, null, null, params);
    }

    /** The prediction for each cloud, {@code [clouds][7]}: the sum of its nodes' outputs over {@code sqrt(4)}. */
    public double[] forward(Batch batch, double[] params) {
        return architecture.forward(batch.numNodes(), batch.pos, batch.cloudOf, null, null, params);
    }

    /** The mean squared error and its gradient with respect to the parameters. */
    public record LossAndGradient(double loss, double[] prediction, double[] gradient) {
    }

    /**
     * {@code loss = mean((forward - targets)^2)} over every cloud and output (PyTorch's {@code mse_loss}), with its
     * gradient through the generated backward kernels.
     */
    public LossAndGradient lossAndGradient(Batch batch, double[] targets, double[] params) {
        int width = IRREPS_OUT.dim();
        if (targets == null || targets.length != batch.clouds * width) {
            throw new IllegalArgumentException("targets: expected length " + batch.clouds * width + " ("
                    + batch.clouds + " x " + width + "), got " + (targets == null ? "null" : targets.length));
        }
        double[] prediction = forward(batch, params);
        double loss = 0;
        double[] gradPrediction = new double[prediction.length];
        for (int i = 0; i < prediction.length; i++) {
            double diff = prediction[i] - targets[i];
            loss += diff * diff / prediction.length;
            gradPrediction[i] = 2 * diff / prediction.length;
        }
        double[] gradParams = new double[parameterCount()];
        architecture.backward(batch.numNodes(), batch.pos, batch.cloudOf, null, null, params, gradPrediction, null,
                null, null, gradParams);
        return new LossAndGradient(loss, prediction, gradParams);
    }
}
