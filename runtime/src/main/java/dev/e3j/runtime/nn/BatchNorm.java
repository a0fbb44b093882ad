package dev.e3j.runtime.nn;

import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.Normalization;
import dev.e3j.runtime.internal.Checks;
import java.util.Arrays;

/**
 * e3nn's {@code nn.BatchNorm(irreps, eps, momentum, affine, reduce, instance, normalization)}: batch normalization
 * that keeps equivariance by normalizing each irrep copy by the mean of its squared norm.
 *
 * <p>Features are {@code [batch][samples][dim]} (e3nn's {@code (batch, ..., dim)} with the middle axes flattened;
 * the overloads without {@code samples} take {@code samples = 1}). For channel {@code u} of an entry with irrep
 * dimension {@code d}, over a group of feature vectors (the whole batch, or with {@code instance} each batch element's
 * samples):
 * <pre>
 *   z_ns = x_ns - mean_group x                 (only for true scalars 0e; other irreps are not centered)
 *   q_ns = |z_ns|^2 / d  (component)   or   |z_ns|^2  (norm)
 *   r_n  = mean_s q_ns  (reduce MEAN)   or   max_s q_ns  (reduce MAX)
 *   v    = mean_n r_n  (batch norm)     or   r_n  (instance norm)
 *   y_ns = w z_ns / sqrt(v + eps) + b          (w, b with affine; b only for 0e)
 * </pre>
 * Batch norm in training mode uses the batch statistics and moves the running ones by
 * {@code running = (1 - momentum) running + momentum batch} (the biased {@code v}, as e3nn); in evaluation mode the
 * running statistics replace them. Running means exist per {@code 0e} channel, running variances per channel.
 * Instance norm always uses each element's own statistics and keeps no running ones (e3nn registers none; here
 * they have length 0).
 *
 * <p>{@code weight} is {@code [numIrreps]}, {@code bias} {@code [number of 0e channels]} (both {@code null} without
 * affine). Not thread-safe: the running statistics and the mode are mutable state.
 */
public final class BatchNorm {

    /** How the squared norms of one batch element's samples are reduced, e3nn's {@code reduce}. */
    public enum Reduce {
        /** Their mean. */
        MEAN,
        /** Their maximum (the gradient flows to the sample that attains it). */
        MAX
    }

    private final Irreps irreps;
    private final double eps;
    private final double momentum;
    private final boolean affine;
    private final Reduce reduce;
    private final boolean instance;
    private final Normalization normalization;
    private final double[] runningMean;
    private final double[] runningVar;
    private final int numScalars;
    private boolean training = true;

    /** e3nn's defaults: {@code eps = 1e-5}, {@code momentum = 0.1}, affine, component normalization. */
    public BatchNorm(Irreps irreps) {
        this(irreps, 1e-5, 0.1, true, Normalization.COMPONENT);
    }

    /** e3nn's {@code BatchNorm(irreps, eps, momentum, affine, normalization)}: reduce by mean, batch norm, training. */
    public BatchNorm(Irreps irreps, double eps, double momentum, boolean affine, Normalization normalization) {
        this(irreps, eps, momentum, affine, Reduce.MEAN, false, normalization);
    }

    /** e3nn's {@code BatchNorm(irreps, eps, momentum, affine, reduce, instance, normalization)}, in training mode. */
    public BatchNorm(Irreps irreps, double eps, double momentum, boolean affine, Reduce reduce, boolean instance,
                     Normalization normalization) {
        String where = "new BatchNorm";
        this.irreps = Checks.requireNonNull(where, "irreps", irreps);
        this.reduce = Checks.requireNonNull(where, "reduce", reduce);
        this.normalization = Checks.requireNonNull(where, "normalization", normalization);
        if (!(eps >= 0)) {
            throw Checks.invalid(where, "eps", "be >= 0", eps);
        }
        if (!(momentum >= 0 && momentum <= 1)) {
            throw Checks.invalid(where, "momentum", "be in [0, 1]", momentum);
        }
        this.eps = eps;
        this.momentum = momentum;
        this.affine = affine;
        this.instance = instance;
        this.numScalars = numScalars(irreps);
        this.runningMean = new double[instance ? 0 : numScalars];
        this.runningVar = new double[instance ? 0 : irreps.numIrreps()];
        Arrays.fill(runningVar, 1.0);
    }

    private static int numScalars(Irreps irreps) {
        int n = 0;
        for (Irreps.MulIrrep entry : irreps) {
            if (entry.ir().isScalar()) {
                n += entry.mul();
            }
        }
        return n;
    }

    /** Irreps of the input and the output. */
    public Irreps irreps() {
        return irreps;
    }

    /** How the samples' squared norms are reduced. */
    public Reduce reduce() {
        return reduce;
    }

    /** Whether this is instance norm (each batch element normalized by its own statistics). */
    public boolean isInstance() {
        return instance;
    }

    /** Number of weights ({@code numIrreps}) with affine, else 0. */
    public int weightNumel() {
        return affine ? irreps.numIrreps() : 0;
    }

    /** Number of biases (one per {@code 0e} channel) with affine, else 0. */
    public int biasNumel() {
        return affine ? numScalars : 0;
    }

    /** e3nn's initial affine weights: all ones. */
    public double[] initialWeight() {
        double[] w = new double[weightNumel()];
        Arrays.fill(w, 1.0);
        return w;
    }

    /** Whether this normalizes with batch statistics (training) or the running ones (evaluation). */
    public boolean isTraining() {
        return training;
    }

    /**
     * Training mode (batch statistics, running ones updated) or evaluation mode (running statistics); instance norm
     * behaves the same in both.
     */
    public void setTraining(boolean training) {
        this.training = training;
    }

    /** A copy of the running means, one per {@code 0e} channel (none for instance norm). */
    public double[] runningMean() {
        return runningMean.clone();
    }

    /** A copy of the running variances, one per channel (none for instance norm). */
    public double[] runningVar() {
        return runningVar.clone();
    }

    /**
     * Replaces the running statistics (e.g. loaded from a trained e3nn model); for instance norm both have length 0.
     *
     * @throws IllegalArgumentException if a length differs, a mean is not finite, or a variance is negative or not
     *     finite (it would turn the evaluation-mode output into NaN)
     */
    public void setRunningStatistics(double[] mean, double[] var) {
        String where = "BatchNorm.setRunningStatistics";
        Checks.requireLength(where, "mean", mean, runningMean.length);
        Checks.requireLength(where, "var", var, runningVar.length);
        for (int i = 0; i < mean.length; i++) {
            if (!Double.isFinite(mean[i])) {
                throw Checks.invalid(where, "mean[" + i + "]", "be finite", mean[i]);
            }
        }
        for (int i = 0; i < var.length; i++) {
            if (!(var[i] >= 0 && var[i] < Double.POSITIVE_INFINITY)) {
                throw Checks.invalid(where, "var[" + i + "]", "be finite and >= 0", var[i]);
            }
        }
        System.arraycopy(mean, 0, runningMean, 0, mean.length);
        System.arraycopy(var, 0, runningVar, 0, var.length);
    }

    /** {@link #forward(int, int, double[], double[], double[], double[])} with one sample per batch element. */
    public void forward(int batch, double[] x, double[] weight, double[] bias, double[] out) {
        forward(batch, 1, x, weight, bias, out);
    }

    /**
     * Normalizes {@code x} ({@code [batch][samples][dim]}) into {@code out}; batch norm in training mode also updates
     * the running statistics.
     */
    public void forward(int batch, int samples, double[] x, double[] weight, double[] bias, double[] out) {
        String where = "BatchNorm.forward";
        check(where, batch, samples, x, weight);
        if (affine) {
            Checks.requireLength(where, "bias", bias, biasNumel());
        }
        Checks.requireShape(where, "out", out, "batch × samples", batch * samples, irreps.dim());
        int dim = irreps.dim();
        double[] batchMean = new double[runningMean.length];
        double[] batchVar = new double[runningVar.length];
        forEachChannel((offset, d, channel, scalarChannel) -> {
            double w = affine ? weight[channel] : 1.0;
            double shift = affine && scalarChannel >= 0 ? bias[scalarChannel] : 0.0;
            for (int[] group : groups(batch)) {
                GroupStatistics stats = statistics(group[0], group[1], samples, x, offset, d, channel, scalarChannel);
                double scale = w / Math.sqrt(stats.var + eps);
                for (int i = group[0] * samples * dim; i < group[1] * samples * dim; i += dim) {
                    for (int m = 0; m < d; m++) {
                        out[i + offset + m] = (x[i + offset + m] - stats.mean) * scale + shift;
                    }
                }
                if (updatesRunningStatistics()) {
                    if (scalarChannel >= 0) {
                        batchMean[scalarChannel] = stats.mean;
                    }
                    batchVar[channel] = stats.var;
                }
            }
        });
        if (updatesRunningStatistics()) {
            for (int i = 0; i < runningMean.length; i++) {
                runningMean[i] = (1 - momentum) * runningMean[i] + momentum * batchMean[i];
            }
            for (int i = 0; i < runningVar.length; i++) {
                runningVar[i] = (1 - momentum) * runningVar[i] + momentum * batchVar[i];
            }
        }
    }

    /** {@link #backward(int, int, double[], double[], double[], double[], double[], double[])}, one sample each. */
    public void backward(int batch, double[] x, double[] weight, double[] gradOut, double[] gradX,
                         double[] gradWeight, double[] gradBias) {
        backward(batch, 1, x, weight, gradOut, gradX, gradWeight, gradBias);
    }

    /**
     * Gradients of {@code sum(out * gradOut)} for the current mode (running statistics untouched). Where the
     * statistics come from {@code x} (training, or instance norm), per group with {@code rho = (v + eps)^{-1/2}},
     * {@code k = 1/d} (component) or 1 (norm) and {@code A = sum_group g · z}:
     * {@code gz_ns = w rho g_ns + dv/dq_ns (-w rho^3 A / 2) 2k z_ns}, where {@code dv/dq_ns} is {@code 1/(N S)} for
     * the mean (over {@code N} batch elements of the group and {@code S} samples), and {@code 1/N} at each
     * element's maximizing sample for the maximum; for {@code 0e} channels {@code gradX = gz - mean_group gz}.
     * {@code gradWeight} and {@code gradBias} are overwritten ({@code null} to skip).
     */
    public void backward(int batch, int samples, double[] x, double[] weight, double[] gradOut, double[] gradX,
                         double[] gradWeight, double[] gradBias) {
        String where = "BatchNorm.backward";
        check(where, batch, samples, x, weight);
        Checks.requireShape(where, "gradOut", gradOut, "batch × samples", batch * samples, irreps.dim());
        Checks.requireShape(where, "gradX", gradX, "batch × samples", batch * samples, irreps.dim());
        if (gradWeight != null) {
            Checks.requireLength(where, "gradWeight", gradWeight, weightNumel());
        }
        if (gradBias != null) {
            Checks.requireLength(where, "gradBias", gradBias, biasNumel());
        }
        int dim = irreps.dim();
        forEachChannel((offset, d, channel, scalarChannel) -> {
            double w = affine ? weight[channel] : 1.0;
            double scaleOfSquare = 2 * (normalization == Normalization.COMPONENT ? 1.0 / d : 1.0);
            double weightSum = 0;
            double biasSum = 0;
            for (int[] group : groups(batch)) {
                GroupStatistics stats = statistics(group[0], group[1], samples, x, offset, d, channel, scalarChannel);
                double rho = 1 / Math.sqrt(stats.var + eps);
                int first = group[0] * samples;
                int last = group[1] * samples;
                double gradDotZ = 0;
                for (int row = first; row < last; row++) {
                    for (int m = 0; m < d; m++) {
                        int i = row * dim + offset + m;
                        gradDotZ += gradOut[i] * (x[i] - stats.mean);
                        biasSum += gradOut[i];
                    }
                }
                weightSum += gradDotZ * rho;
                // d(loss)/dv, spread over the batch elements of the group (v is their mean).
                double gradR = -0.5 * w * rho * rho * rho * gradDotZ / (group[1] - group[0]);
                double centerSum = 0;
                for (int row = first; row < last; row++) {
                    double gradQ = usesBatchStatistics() ? gradR * reductionWeight(row, samples, stats) : 0.0;
                    for (int m = 0; m < d; m++) {
                        int i = row * dim + offset + m;
                        gradX[i] = w * rho * gradOut[i] + gradQ * scaleOfSquare * (x[i] - stats.mean);
                        centerSum += gradX[i];
                    }
                }
                if (usesBatchStatistics() && scalarChannel >= 0) {
                    double centerMean = centerSum / (last - first);
                    for (int row = first; row < last; row++) {
                        gradX[row * dim + offset] -= centerMean;
                    }
                }
            }
            if (gradWeight != null && affine) {
                gradWeight[channel] = weightSum;
            }
            if (gradBias != null && affine && scalarChannel >= 0) {
                gradBias[scalarChannel] = biasSum;
            }
        });
    }

    /** {@code d r_n / d q_ns} for the row {@code n S + s}: {@code 1/S} for the mean, 1 or 0 for the maximum. */
    private double reductionWeight(int row, int samples, GroupStatistics stats) {
        if (reduce == Reduce.MEAN) {
            return 1.0 / samples;
        }
        return stats.maxRows[row / samples - stats.firstElement] == row ? 1.0 : 0.0;
    }

    /** Whether the statistics come from the input (batch norm in training, or instance norm). */
    private boolean usesBatchStatistics() {
        return training || instance;
    }

    private boolean updatesRunningStatistics() {
        return training && !instance;
    }

    /** The batch elements normalized together, {@code [first, end)}: each one for instance norm, else all. */
    private int[][] groups(int batch) {
        if (!instance) {
            return new int[][] {{0, batch}};
        }
        int[][] groups = new int[batch][];
        for (int n = 0; n < batch; n++) {
            groups[n] = new int[] {n, n + 1};
        }
        return groups;
    }

    /**
     * One channel's statistics over batch elements {@code [firstElement, end)}: the mean ({@code 0e} channels, else
     * 0), the variance {@code v}, and for the maximum each element's maximizing row ({@code n S + s}).
     */
    private record GroupStatistics(double mean, double var, int firstElement, int[] maxRows) {
    }

    private GroupStatistics statistics(int firstElement, int endElement, int samples, double[] x, int offset, int d,
                                       int channel, int scalarChannel) {
        if (!usesBatchStatistics()) {
            return new GroupStatistics(scalarChannel >= 0 ? runningMean[scalarChannel] : 0.0, runningVar[channel],
                    firstElement, null);
        }
        int dim = irreps.dim();
        double mean = 0;
        if (scalarChannel >= 0) {
            for (int row = firstElement * samples; row < endElement * samples; row++) {
                mean += x[row * dim + offset];
            }
            mean /= (double) (endElement - firstElement) * samples;
        }
        double scale = normalization == Normalization.COMPONENT ? 1.0 / d : 1.0;
        int[] maxRows = reduce == Reduce.MAX ? new int[endElement - firstElement] : null;
        double sum = 0;
        for (int n = firstElement; n < endElement; n++) {
            double reduced = reduce == Reduce.MAX ? Double.NEGATIVE_INFINITY : 0.0;
            for (int row = n * samples; row < (n + 1) * samples; row++) {
                double squared = 0;
                for (int m = 0; m < d; m++) {
                    double z = x[row * dim + offset + m] - mean;
                    squared += z * z;
                }
                double q = squared * scale;
                if (reduce == Reduce.MEAN) {
                    reduced += q;
                } else if (q > reduced) {
                    reduced = q;
                    maxRows[n - firstElement] = row;
                }
            }
            sum += reduce == Reduce.MEAN ? reduced / samples : reduced;
        }
        return new GroupStatistics(mean, sum / (endElement - firstElement), firstElement, maxRows);
    }

    private interface ChannelVisitor {
        /** Channel {@code channel} at {@code offset} of a row, irrep dimension {@code d}; {@code scalarChannel} its 0e index or -1. */
        void visit(int offset, int d, int channel, int scalarChannel);
    }

    private void forEachChannel(ChannelVisitor visitor) {
        int channel = 0;
        int scalarChannel = 0;
        for (int i = 0; i < irreps.size(); i++) {
            Irreps.MulIrrep entry = irreps.get(i);
            int d = entry.ir().dim();
            boolean scalar = entry.ir().isScalar();
            for (int u = 0; u < entry.mul(); u++, channel++) {
                visitor.visit(irreps.offset(i) + u * d, d, channel, scalar ? scalarChannel++ : -1);
            }
        }
    }

    private void check(String where, int batch, int samples, double[] x, double[] weight) {
        Checks.requireNonNegative(where, "batch", batch);
        if (samples < 1) {
            throw Checks.invalid(where, "samples", "be >= 1", samples);
        }
        long rows = (long) batch * samples;
        if (irreps.dim() > 0 && rows > Checks.MAX_ARRAY_LENGTH / irreps.dim()) {
            throw Checks.invalid(where, "batch × samples × dim", "be at most " + Checks.MAX_ARRAY_LENGTH
                    + " (the length of one array)", batch + " × " + samples + " × " + irreps.dim());
        }
        Checks.requireShape(where, "x", x, "batch × samples", batch * samples, irreps.dim());
        if (updatesRunningStatistics() && batch == 0) {
            throw Checks.invalid(where, "batch", "be >= 1 in training mode (statistics of an empty batch are "
                    + "undefined)", batch);
        }
        if (affine) {
            Checks.requireLength(where, "weight", weight, weightNumel());
        }
    }

    @Override
    public String toString() {
        return "BatchNorm (" + irreps + ", eps=" + eps + ", momentum=" + momentum + ")";
    }
}
