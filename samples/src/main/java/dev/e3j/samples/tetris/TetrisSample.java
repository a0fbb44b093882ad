package dev.e3j.samples.tetris;

import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.o3.Rotations;
import dev.e3j.runtime.optim.Adam;
import dev.e3j.runtime.testing.Equivariance;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * e3nn's tetris example in Java: trains {@link TetrisNetwork} on the eight {@link Tetromino}s in one pose each, then
 * shows that it classifies every shape in random rotations and tells the chiral pair apart in mirrored poses, which
 * it has never seen, and writes the loss curve ({@link LossCurve}). Run with
 * {@code java -jar samples/target/e3j-tetris.jar} ({@code --help} for the options, {@link TetrisOptions}).
 */
public final class TetrisSample {

    /** Seed of the parameters and of the evaluation poses. */
    public static final long SEED = TetrisOptions.DEFAULT_SEED;
    public static final double LEARNING_RATE = 1e-2;
    public static final int PROGRESS_EVERY = 25;
    public static final int EVALUATION_POSES = 100;

    private final TetrisNetwork network;
    private final TetrisNetwork.Batch trainingBatch;
    private final double[] targets;
    private final double[] params;
    private final Adam adam;

    public TetrisSample(long seed) {
        List<double[]> poses = new ArrayList<>();
        for (Tetromino shape : Tetromino.values()) {
            poses.add(shape.positions());
        }
        this.network = new TetrisNetwork();
        this.trainingBatch = network.batch(poses);
        this.targets = targets(Tetromino.values());
        this.params = network.initialParameters(new Random(seed));
        this.adam = new Adam(params.length, LEARNING_RATE, 0.9, 0.999, 1e-8, 0.0);
    }

    private static double[] targets(Tetromino[] shapes) {
        double[] out = new double[shapes.length * Tetromino.OUTPUTS];
        for (int s = 0; s < shapes.length; s++) {
            System.arraycopy(shapes[s].target(), 0, out, s * Tetromino.OUTPUTS, Tetromino.OUTPUTS);
        }
        return out;
    }

    public TetrisNetwork network() {
        return network;
    }

    /** The current parameters (a copy). */
    public double[] parameters() {
        return params.clone();
    }

    /** One full-batch Adam step; returns the loss before the step. */
    public TetrisNetwork.LossAndGradient step() {
        TetrisNetwork.LossAndGradient result = network.lossAndGradient(trainingBatch, targets, params);
        adam.step(params, result.gradient());
        return result;
    }

    /** How many of the training shapes are classified correctly by {@code prediction} ({@code [8][7]}). */
    static int correct(double[] prediction) {
        int correct = 0;
        for (Tetromino shape : Tetromino.values()) {
            if (shape.matches(prediction, shape.ordinal() * Tetromino.OUTPUTS)) {
                correct++;
            }
        }
        return correct;
    }

    /** Trains for {@code steps}, printing a progress line every {@link #PROGRESS_EVERY} steps; returns the losses. */
    public double[] train(int steps, PrintStream out) {
        double[] losses = new double[steps];
        for (int t = 0; t < steps; t++) {
            TetrisNetwork.LossAndGradient result = step();
            losses[t] = result.loss();
            if (out != null && (t % PROGRESS_EVERY == 0 || t == steps - 1)) {
                out.printf(Locale.ROOT, "step %4d  loss %.3e  accuracy %d/%d%n", t, result.loss(),
                        correct(result.prediction()), Tetromino.values().length);
            }
        }
        return losses;
    }

    /** The evaluation of one shape over rotated and mirrored poses. */
    public record ShapeReport(Tetromino shape, double[] trainingPrediction, int rotatedCorrect, int mirroredCorrect,
                              double equivarianceError) {
    }

    /**
     * Predictions for each shape in its training pose, in {@code poses} random rotations {@code R x} and in as many
     * mirrored poses {@code -R x}; the equivariance error is the largest {@code |f(g x) - D(g) f(x)|}, where
     * {@code D(g)} leaves the six scalars alone and multiplies the pseudoscalar by {@code det g}.
     */
    public List<ShapeReport> evaluate(int poses, Random random) {
        List<ShapeReport> reports = new ArrayList<>();
        for (Tetromino shape : Tetromino.values()) {
            double[] pose = shape.positions();
            double[] reference = network.forward(network.batch(List.of(pose)), params);
            List<double[]> rotated = new ArrayList<>();
            List<double[]> mirrored = new ArrayList<>();
            for (int i = 0; i < poses; i++) {
                double[][] rotation = Rotations.randomMatrix(random);
                rotated.add(transform(rotation, 1, pose));
                mirrored.add(transform(rotation, -1, pose));
            }
            double[] rotatedPrediction = network.forward(network.batch(rotated), params);
            double[] mirroredPrediction = network.forward(network.batch(mirrored), params);
            int rotatedCorrect = 0;
            int mirroredCorrect = 0;
            double error = 0;
            for (int i = 0; i < poses; i++) {
                int offset = i * Tetromino.OUTPUTS;
                rotatedCorrect += shape.matches(rotatedPrediction, offset) ? 1 : 0;
                mirroredCorrect += shape.mirrorImage().matches(mirroredPrediction, offset) ? 1 : 0;
                for (int k = 0; k < Tetromino.OUTPUTS; k++) {
                    double parity = k == 0 ? -1 : 1;
                    error = Math.max(error, Math.abs(rotatedPrediction[offset + k] - reference[k]));
                    error = Math.max(error, Math.abs(mirroredPrediction[offset + k] - parity * reference[k]));
                }
            }
            reports.add(new ShapeReport(shape, reference, rotatedCorrect, mirroredCorrect, error));
        }
        return reports;
    }

    /**
     * e3nn's {@code assert_equivariant} on the per-node outputs as a function of the points of each shape: random
     * rotations, with and without inversion, with and without a translation. Returns the largest error.
     */
    public double nodeEquivarianceError(Random random) {
        double max = 0;
        for (Tetromino shape : Tetromino.values()) {
            Equivariance.Report report = Equivariance.equivarianceError(
                    (batch, inputs) -> new double[][] {
                        network.nodeOutputs(network.batch(List.of(inputs[0])), params)},
                    List.of(Equivariance.Argument.cartesianPoints()),
                    List.of(Equivariance.Argument.irreps(TetrisNetwork.IRREPS_OUT)),
                    new double[][] {shape.positions()}, Tetromino.POINTS, true, random);
            max = Math.max(max, report.maxError());
        }
        return max;
    }

    /** {@code sign R x} for every point. */
    private static double[] transform(double[][] rotation, int sign, double[] pose) {
        double[] out = new double[pose.length];
        for (int p = 0; p < pose.length / 3; p++) {
            for (int r = 0; r < 3; r++) {
                double s = 0;
                for (int c = 0; c < 3; c++) {
                    s += rotation[r][c] * pose[3 * p + c];
                }
                out[3 * p + r] = sign * s;
            }
        }
        return out;
    }

    private static String format(double[] values, int from, int count) {
        StringBuilder sb = new StringBuilder("[");
        for (int k = 0; k < count; k++) {
            sb.append(k == 0 ? "" : " ").append(String.format(Locale.ROOT, "%+.2f", values[from + k]));
        }
        return sb.append(']').toString();
    }

    /** Exit status of a run whose network is not equivariant. */
    public static final int FAILED = 1;
    /** Exit status of a bad command line. */
    public static final int USAGE_ERROR = 2;

    /** Runs the sample headless (the plot needs no display) and exits with {@link #run}'s status. */
    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Parses {@code args}, trains, evaluates and writes the loss curve. Returns 0; {@link #USAGE_ERROR} after a
     * one-line error on {@code err} for a bad command line; {@link #FAILED} if the network is not equivariant or the
     * loss curve cannot be written. A misclassified pose is reported, not a failure: fewer steps train less.
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        TetrisOptions options;
        try {
            options = TetrisOptions.parse(args);
        } catch (TetrisOptions.UsageException e) {
            err.println("e3j-tetris: " + e.getMessage() + " (see --help)");
            return USAGE_ERROR;
        }
        if (options.help()) {
            out.print(TetrisOptions.USAGE);
            return 0;
        }
        long start = System.nanoTime();
        TetrisSample sample = new TetrisSample(options.seed());
        out.printf(Locale.ROOT, "e3j tetris: %d shapes, output irreps %s, %d parameters, Adam lr %.0e, seed %d%n",
                Tetromino.values().length, TetrisNetwork.IRREPS_OUT, sample.parameters().length, LEARNING_RATE,
                options.seed());
        double[] losses = sample.train(options.steps(), out);
        double seconds = (System.nanoTime() - start) / 1e9;
        out.printf(Locale.ROOT, "trained %d steps in %.1f s%n%n", options.steps(), seconds);

        Random random = new Random(options.seed() + 1);
        List<ShapeReport> reports = sample.evaluate(EVALUATION_POSES, random);
        out.printf(Locale.ROOT, "%-9s %-50s %-10s %-12s %s%n", "shape", "prediction on the training pose "
                + "(0o, 6x0e)", "training", "rotated", "mirrored (expected class)");
        int misclassified = 0;
        double equivarianceError = 0;
        for (ShapeReport report : reports) {
            Tetromino shape = report.shape();
            boolean trainingCorrect = shape.matches(report.trainingPrediction(), 0);
            misclassified += (trainingCorrect ? 0 : 1) + 2 * EVALUATION_POSES - report.rotatedCorrect()
                    - report.mirroredCorrect();
            equivarianceError = Math.max(equivarianceError, report.equivarianceError());
            out.printf(Locale.ROOT, "%-9s %-50s %-10s %3d/%-8d %3d/%d (%s)%n", shape.label(),
                    format(report.trainingPrediction(), 0, Tetromino.OUTPUTS), trainingCorrect ? "correct" : "WRONG",
                    report.rotatedCorrect(), EVALUATION_POSES, report.mirroredCorrect(), EVALUATION_POSES,
                    shape.mirrorImage().label());
        }
        double nodeError = sample.nodeEquivarianceError(random);
        out.printf(Locale.ROOT, "%nlargest equivariance error over %d rotated and %d mirrored poses per shape: %.2e%n",
                EVALUATION_POSES, EVALUATION_POSES, equivarianceError);
        out.printf(Locale.ROOT, "largest per-node equivariance error (assert_equivariant, %s, with translations): "
                + "%.2e%n", TetrisNetwork.IRREPS_OUT, nodeError);
        boolean equivariant = Math.max(equivarianceError, nodeError) < Equivariance.DEFAULT_TOLERANCE;
        int poses = reports.size() * (1 + 2 * EVALUATION_POSES);
        out.println(!equivariant ? "FAILED: equivariance error above " + Equivariance.DEFAULT_TOLERANCE
                : misclassified == 0 ? "every shape classified correctly in every pose; equivariant to "
                        + Equivariance.DEFAULT_TOLERANCE
                : misclassified + " of " + poses + " poses misclassified after " + options.steps()
                        + " steps (train longer with --steps); equivariant to " + Equivariance.DEFAULT_TOLERANCE);
        try {
            LossCurve.Written written = LossCurve.write(losses, options.out());
            out.println("loss curve: " + written.csv().toAbsolutePath() + " and " + written.png().toAbsolutePath());
        } catch (IOException e) {
            err.println("e3j-tetris: cannot write the loss curve to " + options.out().toAbsolutePath() + ": " + e);
            return FAILED;
        }
        return equivariant ? 0 : FAILED;
    }
}
