package dev.e3j.runtime.nn;

import dev.e3j.runtime.Irreps;
import java.util.Arrays;

/**
 * e3nn's {@code nn.BatchNorm(irreps, eps, momentum, affine, reduce='mean', instance=False, normalization)}: batch
 * normalization that keeps equivariance by normalizing each irrep copy by the mean of its squared norm.
 *
 * <p>For channel {@code u} of an entry with irrep dimension {@code d} over a batch of {@code N}:
 * <pre>
 *   z_n = x_n - mean_n x_n                 (only for true scalars 0e; other irreps are not centered)
 *   v   = mean_n q(z_n),   q(z) = |z|^2 / d  (component)   or   |z|^2  (norm)
 *   y_n = w z_n / sqrt(v + eps) + b        (w, b with affine; b only for 0e)
 * </pre>
 * In training mode the batch statistics are used and the running ones move by
 * {@code running = (1 - momentum) running + momentum batch} (the biased {@code v}, as e3nn); in evaluation mode the
 * running statistics replace them. Running means exist per {@code 0e} channel, running variances per channel.
 *
 * <p>Features are {@code [batch][dim]}; {@code weight} is {@code [numIrreps]}, {@code bias} {@code [number of 0e
 * channels]} (both {@code null} without affine). Not thread-safe: the running statistics are mutable state.
 */
public final class BatchNorm {

    /** Which squared norm is averaged. */
    public enum Normalization {
        /** {@code |x|^2 / (2l + 1)}: unit variance per component. */
        COMPONENT,
        /** {@code |x|^2}: unit squared norm per irrep. */
        NORM
    }

    private final Irreps irreps;
    private final double eps;
    private final double momentum;
    private final boolean affine;
    private final Normalization normalization;
    private final double[] runningMean;
    private final double[] runningVar;
    private boolean training = true;

    /** e3nn's defaults: {@code eps = 1e-5}, {@code momentum = 0.1}, affine, component normalization. */
    public BatchNorm(Irreps irreps) {
        this(irreps, 1e-5, 0.1, true, Normalization.COMPONENT);
    }

    /** e3nn's {@code BatchNorm(irreps, eps, momentum, affine, normalization)}, in training mode. */
    public BatchNorm(Irreps irreps, double eps, double momentum, boolean affine, Normalization normalization) {
        String where = "new BatchNorm";
        this.irreps = Checks.requireNonNull(where, "irreps", irreps);
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
        this.runningMean = new double[numScalars(irreps)];
        this.runningVar = new double[irreps.numIrreps()];
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

    /** Number of weights ({@code numIrreps}) with affine, else 0. */
    public int weightNumel() {
        return affine ? irreps.numIrreps() : 0;
    }

    /** Number of biases (one per {@code 0e} channel) with affine, else 0. */
    public int biasNumel() {
        return affine ? runningMean.length : 0;
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

    /** Training mode (batch statistics, running ones updated) or evaluation mode (running statistics). */
    public void setTraining(boolean training) {
        this.training = training;
    }

    /** A copy of the running means, one per {@code 0e} channel. */
    public double[] runningMean() {
        return runningMean.clone();
    }

    /** A copy of the running variances, one per channel. */
    public double[] runningVar() {
        return runningVar.clone();
    }

    /**
     * Replaces the running statistics (e.g. loaded from a trained e3nn model).
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

    /** Normalizes {@code x} into {@code out}; in training mode also updates the running statistics. */
    public void forward(int batch, double[] x, double[] weight, double[] bias, double[] out) {
        String where = "BatchNorm.forward";
        check(where, batch, x, weight);
        if (affine) {
            Checks.requireLength(where, "bias", bias, biasNumel());
        }
        Checks.requireShape(where, "out", out, "batch", batch, irreps.dim());
        Statistics stats = statistics(batch, x);
        int dim = irreps.dim();
        forEachChannel((offset, d, channel, scalarChannel) -> {
            double scale = scale(stats.var[channel], weight, channel);
            double mean = scalarChannel >= 0 ? stats.mean[scalarChannel] : 0.0;
            double shift = affine && scalarChannel >= 0 ? bias[scalarChannel] : 0.0;
            for (int n = 0; n < batch; n++) {
                for (int m = 0; m < d; m++) {
                    int i = n * dim + offset + m;
                    out[i] = (x[i] - mean) * scale + shift;
                }
            }
        });
        if (training) {
            for (int i = 0; i < runningMean.length; i++) {
                runningMean[i] = (1 - momentum) * runningMean[i] + momentum * stats.mean[i];
            }
            for (int i = 0; i < runningVar.length; i++) {
                runningVar[i] = (1 - momentum) * runningVar[i] + momentum * stats.var[i];
            }
        }
    }

    /**
     * Gradients of {@code sum(out * gradOut)} for the current mode (running statistics untouched). In training mode
     * the batch statistics depend on {@code x}: with {@code r = (v + eps)^{-1/2}}, {@code k = 1/d} (component) or 1
     * (norm), {@code gz_n = w r g_n - w r^3 (k/N) (sum_m g_m · z_m) z_n}, and for {@code 0e} channels
     * {@code gradX_n = gz_n - mean_m gz_m}. {@code gradWeight} and {@code gradBias} are overwritten ({@code null}
     * to skip).
     */
    public void backward(int batch, double[] x, double[] weight, double[] gradOut, double[] gradX,
                         double[] gradWeight, double[] gradBias) {
        String where = "BatchNorm.backward";
        check(where, batch, x, weight);
        Checks.requireShape(where, "gradOut", gradOut, "batch", batch, irreps.dim());
        Checks.requireShape(where, "gradX", gradX, "batch", batch, irreps.dim());
        if (gradWeight != null) {
            Checks.requireLength(where, "gradWeight", gradWeight, weightNumel());
        }
        if (gradBias != null) {
            Checks.requireLength(where, "gradBias", gradBias, biasNumel());
        }
        Statistics stats = statistics(batch, x);
        int dim = irreps.dim();
        forEachChannel((offset, d, channel, scalarChannel) -> {
            double r = 1 / Math.sqrt(stats.var[channel] + eps);
            double w = affine ? weight[channel] : 1.0;
            double mean = scalarChannel >= 0 ? stats.mean[scalarChannel] : 0.0;
            double k = normalization == Normalization.COMPONENT ? 1.0 / d : 1.0;
            double gz = 0;
            double biasSum = 0;
            for (int n = 0; n < batch; n++) {
                for (int m = 0; m < d; m++) {
                    int i = n * dim + offset + m;
                    gz += gradOut[i] * (x[i] - mean);
                    biasSum += gradOut[i];
                }
            }
            if (gradWeight != null && affine) {
                gradWeight[channel] = gz * r;
            }
            if (gradBias != null && affine && scalarChannel >= 0) {
                gradBias[scalarChannel] = biasSum;
            }
            double varianceTerm = training ? w * r * r * r * k / batch * gz : 0.0;
            double centerSum = 0;
            for (int n = 0; n < batch; n++) {
                for (int m = 0; m < d; m++) {
                    int i = n * dim + offset + m;
                    gradX[i] = w * r * gradOut[i] - varianceTerm * (x[i] - mean);
                    centerSum += gradX[i];
                }
            }
            if (training && scalarChannel >= 0) {
                double centerMean = centerSum / batch;
                for (int n = 0; n < batch; n++) {
                    gradX[n * dim + offset] -= centerMean;
                }
            }
        });
    }

    private double scale(double var, double[] weight, int channel) {
        double r = 1 / Math.sqrt(var + eps);
        return affine ? r * weight[channel] : r;
    }

    /** Per-channel mean (0e channels) and variance: the batch's in training mode, the running ones otherwise. */
    private record Statistics(double[] mean, double[] var) {
    }

    private Statistics statistics(int batch, double[] x) {
        if (!training) {
            return new Statistics(runningMean, runningVar);
        }
        double[] mean = new double[runningMean.length];
        double[] var = new double[runningVar.length];
        int dim = irreps.dim();
        forEachChannel((offset, d, channel, scalarChannel) -> {
            double mu = 0;
            if (scalarChannel >= 0) {
                for (int n = 0; n < batch; n++) {
                    mu += x[n * dim + offset];
                }
                mu /= batch;
                mean[scalarChannel] = mu;
            }
            double sum = 0;
            for (int n = 0; n < batch; n++) {
                for (int m = 0; m < d; m++) {
                    double z = x[n * dim + offset + m] - mu;
                    sum += z * z;
                }
            }
            double perCopy = normalization == Normalization.COMPONENT ? sum / d : sum;
            var[channel] = perCopy / batch;
        });
        return new Statistics(mean, var);
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

    private void check(String where, int batch, double[] x, double[] weight) {
        Checks.requireNonNegative(where, "batch", batch);
        Checks.requireShape(where, "x", x, "batch", batch, irreps.dim());
        if (training && batch == 0) {
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
