package dev.e3j.runtime.optim;

import dev.e3j.runtime.internal.Checks;

/**
 * PyTorch's {@code torch.optim.Adam} (no amsgrad) over one flat parameter array. Step {@code t} (from 1):
 * <pre>
 *   g = grad + weightDecay p                   (L2 penalty, as torch.optim.Adam; not AdamW)
 *   m = m + (1 - beta1) (g - m)                (torch's lerp)
 *   v = beta2 v + (1 - beta2) g^2
 *   p = p - lr / (1 - beta1^t) m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * Holds the moments {@code m}, {@code v} and the step count; not thread-safe.
 */
public final class Adam {

    private final double lr;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final double[] m;
    private final double[] v;
    private int step;

    /** PyTorch's defaults: {@code lr = 1e-3}, {@code betas = (0.9, 0.999)}, {@code eps = 1e-8}, no weight decay. */
    public Adam(int numel) {
        this(numel, 1e-3, 0.9, 0.999, 1e-8, 0.0);
    }

    /** PyTorch's {@code Adam(params, lr, betas=(beta1, beta2), eps, weight_decay)} over {@code numel} parameters. */
    public Adam(int numel, double lr, double beta1, double beta2, double eps, double weightDecay) {
        String where = "new Adam";
        Checks.requireNonNegative(where, "numel", numel);
        if (!(lr >= 0)) {
            throw Checks.invalid(where, "lr", "be >= 0", lr);
        }
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw Checks.invalid(where, "beta1", "be in [0, 1)", beta1);
        }
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw Checks.invalid(where, "beta2", "be in [0, 1)", beta2);
        }
        if (!(eps >= 0)) {
            throw Checks.invalid(where, "eps", "be >= 0", eps);
        }
        if (!(weightDecay >= 0)) {
            throw Checks.invalid(where, "weightDecay", "be >= 0", weightDecay);
        }
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.m = new double[numel];
        this.v = new double[numel];
    }

    /** Number of steps taken. */
    public int steps() {
        return step;
    }

    /** Updates {@code params} in place from {@code grads}. */
    public void step(double[] params, double[] grads) {
        Checks.requireLength("Adam.step", "params", params, m.length);
        Checks.requireLength("Adam.step", "grads", grads, m.length);
        step++;
        double biasCorrection1 = 1 - Math.pow(beta1, step);
        double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        double stepSize = lr / biasCorrection1;
        double weight = 1 - beta1;
        for (int i = 0; i < params.length; i++) {
            double g = weightDecay != 0 ? grads[i] + weightDecay * params[i] : grads[i];
            // torch.lerp(start, end, w): start + w (end - start) for w < 1/2, else end - (1 - w)(end - start).
            m[i] = weight < 0.5 ? m[i] + weight * (g - m[i]) : g - (1 - weight) * (g - m[i]);
            v[i] = v[i] * beta2 + (1 - beta2) * g * g;
            double denominator = Math.sqrt(v[i]) / biasCorrection2Sqrt + eps;
            params[i] -= stepSize * m[i] / denominator;
        }
    }
}
