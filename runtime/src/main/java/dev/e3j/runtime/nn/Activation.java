package dev.e3j.runtime.nn;

import dev.e3j.runtime.Irrep;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.internal.Checks;
import dev.e3j.runtime.math.Normalize2Mom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * e3nn's {@code nn.Activation}: entry {@code i} of {@code irrepsIn} goes through {@code acts[i]} elementwise,
 * normalized by {@link Normalize2Mom}; a {@code null} activation is the identity.
 *
 * <p>Parity: an activation may only act on scalars ({@code l = 0}). On an even scalar {@code 0e} the output stays
 * {@code 0e}. On an odd scalar {@code 0o} the output is {@code 0o} for an odd activation ({@code f(-x) = -f(x)}),
 * {@code 0e} for an even one, and any other activation is rejected, since {@code f(-x)} would then be neither
 * {@code f(x)} nor {@code -f(x)}. Parity is detected numerically as in e3nn ({@link ScalarFunction#parity()}).
 *
 * <p>Features are {@code [batch][irrepsIn().dim()]} in the {@code mul_ir} layout. Besides {@link #forward} and
 * {@link #backward}: the forward-mode tangent {@link #jvp} and the second derivatives {@link #doubleBackward} (which
 * need each activation's {@link ScalarFunction#secondDerivative}). Stateless and thread-safe.
 */
public final class Activation {

    private final Irreps irrepsIn;
    private final Irreps irrepsOut;
    private final List<ScalarFunction> acts;

    /**
     * @param acts one entry per entry of {@code irrepsIn}; {@code null} for identity (required for {@code l > 0})
     * @throws IllegalArgumentException if the counts differ, an activation acts on a non-scalar, or an odd scalar
     *     meets an activation with no parity
     */
    public Activation(Irreps irrepsIn, List<ScalarFunction> acts) {
        String where = "new Activation";
        Checks.requireNonNull(where, "irrepsIn", irrepsIn);
        Checks.requireNonNull(where, "acts", acts);
        if (acts.size() != irrepsIn.size()) {
            throw Checks.invalid(where, "acts", "have one activation (or null) per entry of irrepsIn \"" + irrepsIn
                    + "\", i.e. " + irrepsIn.size(), acts.size());
        }
        List<ScalarFunction> normalized = new ArrayList<>();
        List<Irreps.MulIrrep> out = new ArrayList<>();
        for (int i = 0; i < irrepsIn.size(); i++) {
            Irreps.MulIrrep entry = irrepsIn.get(i);
            ScalarFunction act = acts.get(i);
            if (act == null) {
                normalized.add(null);
                out.add(entry);
                continue;
            }
            Irrep ir = entry.ir();
            if (ir.l() != 0) {
                throw Checks.invalid(where, "acts[" + i + "]", "be null on the non-scalar entry " + entry + " of \""
                        + irrepsIn + "\" (an activation acts on scalars only)", act);
            }
            Normalize2Mom f = Normalize2Mom.of(act);
            int parity = ir.p();
            if (parity == -1) {
                parity = f.parity();
                if (parity == 0) {
                    throw Checks.invalid(where, "acts[" + i + "]", "be even or odd on the odd scalar entry " + entry
                            + " (parity)", act + ", neither even nor odd");
                }
            }
            normalized.add(f);
            out.add(Irreps.MulIrrep.of(entry.mul(), Irrep.of(0, parity)));
        }
        this.irrepsIn = irrepsIn;
        this.irrepsOut = Irreps.of(out);
        this.acts = Collections.unmodifiableList(normalized);
    }

    /** Irreps of the input. */
    public Irreps irrepsIn() {
        return irrepsIn;
    }

    /** Irreps of the output: scalars, each with the parity that its activation gives it. */
    public Irreps irrepsOut() {
        return irrepsOut;
    }

    /** The normalized activations ({@code null} = identity), one per entry. */
    public List<ScalarFunction> acts() {
        return acts;
    }

    /** {@code out[b][j] = c_i f_i(x[b][j])} on entries with an activation, {@code x[b][j]} elsewhere. */
    public void forward(int batch, double[] x, double[] out) {
        int dim = irrepsIn.dim();
        String where = "Activation.forward";
        Checks.requireNonNegative(where, "batch", batch);
        Checks.requireShape(where, "x", x, "batch", batch, dim);
        Checks.requireShape(where, "out", out, "batch", batch, dim);
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < irrepsIn.size(); i++) {
                ScalarFunction f = acts.get(i);
                int start = b * dim + irrepsIn.offset(i);
                int end = b * dim + irrepsIn.offset(i + 1);
                if (f == null) {
                    System.arraycopy(x, start, out, start, end - start);
                } else {
                    f.values(x, out, start, end);
                }
            }
        }
    }

    /** {@code gradX = gradOut * f'(x)} elementwise (identity entries pass {@code gradOut} through). */
    public void backward(int batch, double[] x, double[] gradOut, double[] gradX) {
        int dim = irrepsIn.dim();
        String where = "Activation.backward";
        Checks.requireNonNegative(where, "batch", batch);
        Checks.requireShape(where, "x", x, "batch", batch, dim);
        Checks.requireShape(where, "gradOut", gradOut, "batch", batch, dim);
        Checks.requireShape(where, "gradX", gradX, "batch", batch, dim);
        double[] derivative = new double[batch * dim];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < irrepsIn.size(); i++) {
                ScalarFunction f = acts.get(i);
                int start = b * dim + irrepsIn.offset(i);
                int end = b * dim + irrepsIn.offset(i + 1);
                if (f == null) {
                    System.arraycopy(gradOut, start, gradX, start, end - start);
                } else {
                    f.derivatives(x, derivative, start, end);
                    for (int j = start; j < end; j++) {
                        gradX[j] = gradOut[j] * derivative[j];
                    }
                }
            }
        }
    }

    /**
     * The forward-mode tangent {@code dOut = f'(x) dx} elementwise ({@code dx} itself on identity entries): the
     * derivative of {@link #forward} along {@code dx}, overwritten into {@code dOut}. Its gradients: with respect to
     * {@code dx}, {@link #backward}; with respect to {@code x}, {@link #doubleBackward}'s {@code gX} with
     * {@code ggX = dx}.
     */
    public void jvp(int batch, double[] x, double[] dx, double[] dOut) {
        int dim = irrepsIn.dim();
        String where = "Activation.jvp";
        Checks.requireNonNegative(where, "batch", batch);
        Checks.requireShape(where, "x", x, "batch", batch, dim);
        Checks.requireShape(where, "dx", dx, "batch", batch, dim);
        Checks.requireShape(where, "dOut", dOut, "batch", batch, dim);
        backward(batch, x, dx, dOut);
    }

    /**
     * The second derivatives: given a cotangent {@code ggX} of {@link #backward}'s {@code gradX} ({@code null} =
     * zero), the gradients of {@code sum(ggX * gradX)}, elementwise
     * <pre>{@code
     *   gX       = ggX gradOut f''(x)      (0 on identity entries)
     *   gGradOut = ggX f'(x)               (ggX on identity entries: the tangent jvp(x, ggX))
     * }</pre>
     * each overwritten, {@code null} to skip.
     */
    public void doubleBackward(int batch, double[] x, double[] gradOut, double[] ggX, double[] gX,
                               double[] gGradOut) {
        int dim = irrepsIn.dim();
        String where = "Activation.doubleBackward";
        Checks.requireNonNegative(where, "batch", batch);
        Checks.requireShape(where, "x", x, "batch", batch, dim);
        Checks.requireShape(where, "gradOut", gradOut, "batch", batch, dim);
        if (ggX != null) {
            Checks.requireShape(where, "ggX", ggX, "batch", batch, dim);
        }
        if (gX != null) {
            Checks.requireShape(where, "gX", gX, "batch", batch, dim);
        }
        if (gGradOut != null) {
            Checks.requireShape(where, "gGradOut", gGradOut, "batch", batch, dim);
        }
        if (ggX == null) {
            zero(gX);
            zero(gGradOut);
            return;
        }
        if (gGradOut != null) {
            backward(batch, x, ggX, gGradOut);
        }
        if (gX == null) {
            return;
        }
        double[] secondDerivative = new double[batch * dim];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < irrepsIn.size(); i++) {
                ScalarFunction f = acts.get(i);
                int start = b * dim + irrepsIn.offset(i);
                int end = b * dim + irrepsIn.offset(i + 1);
                if (f == null) {
                    Arrays.fill(gX, start, end, 0.0);
                } else {
                    f.secondDerivatives(x, secondDerivative, start, end);
                    for (int j = start; j < end; j++) {
                        gX[j] = ggX[j] * gradOut[j] * secondDerivative[j];
                    }
                }
            }
        }
    }

    private static void zero(double[] array) {
        if (array != null) {
            Arrays.fill(array, 0.0);
        }
    }

    @Override
    public String toString() {
        return "Activation (" + irrepsIn + " -> " + irrepsOut + ")";
    }
}
