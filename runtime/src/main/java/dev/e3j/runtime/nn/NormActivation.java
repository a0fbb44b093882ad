package dev.e3j.runtime.nn;

import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.internal.Checks;
import dev.e3j.runtime.math.Normalize2Mom;
import java.util.Arrays;

/**
 * e3nn's {@code nn.NormActivation(irreps_in, scalar_nonlinearity, normalize, epsilon, bias)}: each irrep copy
 * {@code x} (a block of {@code 2l + 1} numbers) becomes {@code s(n) x} with
 * <pre>
 *   n    = sqrt(max(|x|^2, epsilon^2))       (normalize; plain |x| when not normalizing)
 *   s(n) = f(n + b) / n                      (normalize)   or   f(n + b)   (not normalize)
 * </pre>
 * where {@code b} is the copy's learnable bias when {@code bias} is on (else 0). The norm is rotation and parity
 * invariant, so the output has the input's irreps. Unlike {@link Activation}, e3nn does not apply
 * {@link Normalize2Mom} here, and neither does this class.
 *
 * <p>As in PyTorch's clamp-by-assignment, a clamped norm ({@code |x|^2 < epsilon^2}) passes no gradient to
 * {@code x} through {@code n}. Without normalization the gradient of {@code |x|} at {@code x = 0} is taken as 0.
 * Features are {@code [batch][dim]}, {@code mul_ir} layout; biases are {@code [irrepsIn.numIrreps()]}.
 */
public final class NormActivation {

    /** e3nn's default {@code epsilon} when normalizing. */
    public static final double DEFAULT_EPSILON = 1e-8;

    private final Irreps irreps;
    private final ScalarFunction f;
    private final boolean normalize;
    private final double epsilonSquared;
    private final boolean bias;

    /** e3nn's defaults: {@code normalize = true}, {@code epsilon = 1e-8}, no bias. */
    public NormActivation(Irreps irrepsIn, ScalarFunction scalarNonlinearity) {
        this(irrepsIn, scalarNonlinearity, true, null, false);
    }

    /**
     * @param epsilon {@code null} for e3nn's default ({@value #DEFAULT_EPSILON} when normalizing); must be
     *     {@code > 0}, and only allowed when {@code normalize}
     */
    public NormActivation(Irreps irrepsIn, ScalarFunction scalarNonlinearity, boolean normalize, Double epsilon,
                          boolean bias) {
        String where = "new NormActivation";
        this.irreps = Checks.requireNonNull(where, "irrepsIn", irrepsIn);
        this.f = Checks.requireNonNull(where, "scalarNonlinearity", scalarNonlinearity);
        if (!normalize && epsilon != null) {
            throw Checks.invalid(where, "epsilon", "be null when normalize is false (an epsilon only guards the "
                    + "division by the norm)", epsilon);
        }
        double eps = epsilon == null ? (normalize ? DEFAULT_EPSILON : 0.0) : epsilon;
        if (normalize && !(eps > 0)) {
            throw Checks.invalid(where, "epsilon", "be > 0", eps);
        }
        this.normalize = normalize;
        this.epsilonSquared = eps * eps;
        this.bias = bias;
    }

    /** Irreps of the input. */
    public Irreps irrepsIn() {
        return irreps;
    }

    /** Same as {@link #irrepsIn()}. */
    public Irreps irrepsOut() {
        return irreps;
    }

    /** Number of biases: {@code irrepsIn.numIrreps()} with {@code bias}, else 0. */
    public int biasNumel() {
        return bias ? irreps.numIrreps() : 0;
    }

    /** {@code out = s(n) x} per irrep copy; {@code biases} may be {@code null} when there are none. */
    public void forward(int batch, double[] x, double[] biases, double[] out) {
        String where = "NormActivation.forward";
        checkCommon(where, batch, x, biases);
        Checks.requireShape(where, "out", out, "batch", batch, irreps.dim());
        forEachCopy(batch, x, biases, (start, d, norm, arg, unused) -> {
            double scale = normalize ? f.value(arg) / norm : f.value(arg);
            for (int m = 0; m < d; m++) {
                out[start + m] = scale * x[start + m];
            }
        });
    }

    /**
     * Gradients of {@code sum(out * gradOut)}: {@code gradX = s gradOut + (gradOut · x) s'(n) dn/dx} with
     * {@code dn/dx = x / n} (0 when clamped), and {@code gradBiases} (summed over the batch, overwritten;
     * {@code null} to skip) {@code = (gradOut · x) f'(n + b) / n} (or without {@code / n}).
     */
    public void backward(int batch, double[] x, double[] biases, double[] gradOut, double[] gradX,
                         double[] gradBiases) {
        String where = "NormActivation.backward";
        checkCommon(where, batch, x, biases);
        Checks.requireShape(where, "gradOut", gradOut, "batch", batch, irreps.dim());
        Checks.requireShape(where, "gradX", gradX, "batch", batch, irreps.dim());
        if (gradBiases != null) {
            Checks.requireLength(where, "gradBiases", gradBiases, biasNumel());
            Arrays.fill(gradBiases, 0.0);
        }
        forEachCopy(batch, x, biases, (start, d, norm, arg, copy) -> {
            double value = f.value(arg);
            double slope = f.derivative(arg);
            double scale = normalize ? value / norm : value;
            double scaleDerivative = normalize ? slope / norm - value / (norm * norm) : slope;
            double dot = 0;
            double squared = 0;
            for (int m = 0; m < d; m++) {
                dot += gradOut[start + m] * x[start + m];
                squared += x[start + m] * x[start + m];
            }
            boolean passesGradient = normalize ? squared >= epsilonSquared : norm > 0;
            double radial = passesGradient ? dot * scaleDerivative / norm : 0.0;
            for (int m = 0; m < d; m++) {
                gradX[start + m] = scale * gradOut[start + m] + radial * x[start + m];
            }
            if (gradBiases != null && bias) {
                gradBiases[copy] += dot * (normalize ? slope / norm : slope);
            }
        });
    }

    private interface CopyVisitor {
        /** One irrep copy at {@code start} of dimension {@code d}, norm {@code n}, argument {@code n + b}. */
        void visit(int start, int d, double norm, double argument, int copy);
    }

    private void forEachCopy(int batch, double[] x, double[] biases, CopyVisitor visitor) {
        int dim = irreps.dim();
        for (int b = 0; b < batch; b++) {
            int start = b * dim;
            int copy = 0;
            for (Irreps.MulIrrep entry : irreps) {
                int d = entry.ir().dim();
                for (int u = 0; u < entry.mul(); u++, copy++, start += d) {
                    double squared = 0;
                    for (int m = 0; m < d; m++) {
                        squared += x[start + m] * x[start + m];
                    }
                    double norm = Math.sqrt(normalize ? Math.max(squared, epsilonSquared) : squared);
                    double argument = bias ? norm + biases[copy] : norm;
                    visitor.visit(start, d, norm, argument, copy);
                }
            }
        }
    }

    private void checkCommon(String where, int batch, double[] x, double[] biases) {
        Checks.requireNonNegative(where, "batch", batch);
        Checks.requireShape(where, "x", x, "batch", batch, irreps.dim());
        if (bias) {
            Checks.requireLength(where, "biases", biases, irreps.numIrreps());
        } else if (biases != null && biases.length != 0) {
            throw Checks.invalid(where, "biases", "have length 0 or be null (bias = false)", biases.length);
        }
    }

    @Override
    public String toString() {
        return "NormActivation (" + irreps + ", " + f + ", normalize=" + normalize + ", bias=" + bias + ")";
    }
}
