package dev.e3j.runtime.nn;

import dev.e3j.runtime.Irrep;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.internal.Checks;

/**
 * e3nn's {@code o3.Norm(irreps_in, squared)}: the norm of each irrep copy, one scalar per copy,
 * <pre>
 *   out_c = |x_c|        or, with squared,   out_c = |x_c|^2 = sum_m x_cm^2
 * </pre>
 * for the copies {@code c} in feature order, so the output irreps are {@code numIrreps x 0e}. The backward pass is
 * {@code gradX_c = gradOut_c x_c / |x_c|} (0 at {@code x_c = 0}, where e3nn's {@code relu().sqrt()} also passes no
 * gradient) or {@code 2 gradOut_c x_c} with squared.
 *
 * <p>Features are {@code [batch][irrepsIn.dim()]} ({@code mul_ir} layout) and {@code [batch][numIrreps]}. Immutable
 * and thread-safe.
 */
public final class Norm {

    private final Irreps irrepsIn;
    private final Irreps irrepsOut;
    private final boolean squared;

    /** e3nn's default: the norm itself ({@code squared = false}). */
    public Norm(Irreps irrepsIn) {
        this(irrepsIn, false);
    }

    /** The norms ({@code squared = false}) or squared norms of the copies of {@code irrepsIn}. */
    public Norm(Irreps irrepsIn, boolean squared) {
        Checks.requireNonNull("new Norm", "irrepsIn", irrepsIn);
        this.irrepsIn = irrepsIn.simplify();
        this.irrepsOut = Irreps.of(Irreps.MulIrrep.of(irrepsIn.numIrreps(), new Irrep(0, 1))).simplify();
        this.squared = squared;
    }

    /** The input irreps, simplified as e3nn does (the feature layout is unchanged). */
    public Irreps irrepsIn() {
        return irrepsIn;
    }

    /** {@code numIrreps x 0e} (the empty sum when the input holds no copy). */
    public Irreps irrepsOut() {
        return irrepsOut;
    }

    /** Whether the output is the squared norm. */
    public boolean isSquared() {
        return squared;
    }

    /** Writes the norm of every copy of every row of {@code x} into {@code out}. */
    public void forward(int batch, double[] x, double[] out) {
        String where = "Norm.forward";
        check(where, batch, x);
        Checks.requireShape(where, "out", out, "batch", batch, irrepsOut.dim());
        int copy = 0;
        for (int n = 0; n < batch; n++) {
            int start = n * irrepsIn.dim();
            for (Irreps.MulIrrep entry : irrepsIn) {
                int d = entry.ir().dim();
                for (int u = 0; u < entry.mul(); u++, start += d) {
                    double sum = squaredNorm(x, start, d);
                    out[copy++] = squared ? sum : Math.sqrt(sum);
                }
            }
        }
    }

    /** Gradient of {@code sum(out * gradOut)} with respect to {@code x}, overwriting {@code gradX}. */
    public void backward(int batch, double[] x, double[] gradOut, double[] gradX) {
        String where = "Norm.backward";
        check(where, batch, x);
        Checks.requireShape(where, "gradOut", gradOut, "batch", batch, irrepsOut.dim());
        Checks.requireShape(where, "gradX", gradX, "batch", batch, irrepsIn.dim());
        int copy = 0;
        for (int n = 0; n < batch; n++) {
            int start = n * irrepsIn.dim();
            for (Irreps.MulIrrep entry : irrepsIn) {
                int d = entry.ir().dim();
                for (int u = 0; u < entry.mul(); u++, start += d) {
                    double factor;
                    if (squared) {
                        factor = 2 * gradOut[copy];
                    } else {
                        double norm = Math.sqrt(squaredNorm(x, start, d));
                        factor = norm > 0 ? gradOut[copy] / norm : 0.0;
                    }
                    for (int m = start; m < start + d; m++) {
                        gradX[m] = factor * x[m];
                    }
                    copy++;
                }
            }
        }
    }

    private static double squaredNorm(double[] x, int start, int d) {
        double sum = 0;
        for (int m = start; m < start + d; m++) {
            sum += x[m] * x[m];
        }
        return sum;
    }

    private void check(String where, int batch, double[] x) {
        Checks.requireNonNegative(where, "batch", batch);
        Checks.arrayLength(where, "batch", batch, "dim", irrepsIn.dim());
        Checks.requireShape(where, "x", x, "batch", batch, irrepsIn.dim());
    }

    @Override
    public String toString() {
        return "Norm(" + irrepsIn + (squared ? ", squared" : "") + ")";
    }
}
