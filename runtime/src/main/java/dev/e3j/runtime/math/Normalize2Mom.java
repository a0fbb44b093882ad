package dev.e3j.runtime.math;

import dev.e3j.runtime.internal.Checks;
import dev.e3j.runtime.nn.ScalarFunction;

/**
 * e3nn's {@code normalize2mom}: {@code f} scaled by {@code c = E[f(z)^2]^{-1/2}}, {@code z ~ N(0, 1)}, so that the
 * result has unit second moment on standard normal input.
 *
 * <p>The constant is computed by deterministic quadrature ({@link NormalExpectation}), accurate to about 1e-15.
 * e3nn estimates it by Monte Carlo on 1,000,000 normal samples (seed 0), which is only accurate to about 1e-3
 * relative, so e3nn's constants differ from these in the third or fourth digit (e.g. silu: 1.676532470331 here,
 * about 1.679 in e3nn).
 * As in e3nn, a constant within 1e-4 of 1 is taken to be exactly 1 and {@code f} is used unscaled
 * ({@code |x|} has {@code E[z^2] = 1} exactly; e3nn's Monte-Carlo constant for it may miss that window).
 */
public final class Normalize2Mom implements ScalarFunction {

    private final ScalarFunction f;
    private final double constant;

    /** {@code f} scaled by {@code c}; as in e3nn, a constant within 1e-4 of 1 is taken to be exactly 1. */
    private Normalize2Mom(ScalarFunction f, double c) {
        this.f = f;
        this.constant = Math.abs(c - 1) < 1e-4 ? 1.0 : c;
    }

    /**
     * {@code f} normalized; a function that already is a {@code Normalize2Mom} is returned as is.
     *
     * @throws IllegalArgumentException if the second moment of {@code f} is 0 (the function vanishes on the normal
     *     distribution's support), infinite or NaN: no finite nonzero constant normalizes it
     */
    public static Normalize2Mom of(ScalarFunction f) {
        Checks.requireNonNull("Normalize2Mom.of", "f", f);
        if (f instanceof Normalize2Mom normalized) {
            return normalized;
        }
        double secondMoment = secondMoment(f);
        if (!(secondMoment > 0 && secondMoment < Double.POSITIVE_INFINITY)) {
            throw Checks.invalid("Normalize2Mom.of", "f", "have a finite, nonzero second moment E[f(z)^2], "
                    + "z ~ N(0, 1)", secondMoment + " for " + f);
        }
        return new Normalize2Mom(f, 1 / Math.sqrt(secondMoment));
    }

    /**
     * {@code f} scaled by a given constant, such as the Monte-Carlo constant an e3nn model was built with (e3nn
     * computes it at construction and no {@code state_dict} holds it); as in e3nn, a constant within 1e-4 of 1 is
     * taken to be exactly 1.
     *
     * @throws IllegalArgumentException if {@code constant} is not finite and positive
     */
    public static Normalize2Mom withConstant(ScalarFunction f, double constant) {
        Checks.requireNonNull("Normalize2Mom.withConstant", "f", f);
        if (!(constant > 0 && constant < Double.POSITIVE_INFINITY)) {
            throw Checks.invalid("Normalize2Mom.withConstant", "constant", "be finite and > 0", constant);
        }
        ScalarFunction raw = f instanceof Normalize2Mom normalized ? normalized.unnormalized() : f;
        return new Normalize2Mom(raw, constant);
    }

    /** {@code E[f(z)^2]}, {@code z ~ N(0, 1)}. */
    public static double secondMoment(ScalarFunction f) {
        Checks.requireNonNull("Normalize2Mom.secondMoment", "f", f);
        return NormalExpectation.of(z -> {
            double v = f.value(z);
            return v * v;
        });
    }

    /** The scale {@code c}. */
    public double constant() {
        return constant;
    }

    /** The unnormalized function. */
    public ScalarFunction unnormalized() {
        return f;
    }

    @Override
    public double value(double x) {
        return constant * f.value(x);
    }

    @Override
    public double derivative(double x) {
        return constant * f.derivative(x);
    }

    @Override
    public double secondDerivative(double x) {
        return constant * f.secondDerivative(x);
    }

    @Override
    public void values(double[] x, double[] out, int from, int to) {
        f.values(x, out, from, to);
        scale(out, from, to);
    }

    @Override
    public void derivatives(double[] x, double[] out, int from, int to) {
        f.derivatives(x, out, from, to);
        scale(out, from, to);
    }

    @Override
    public void secondDerivatives(double[] x, double[] out, int from, int to) {
        f.secondDerivatives(x, out, from, to);
        scale(out, from, to);
    }

    @Override
    public void valuesAndDerivatives(double[] x, double[] values, double[] derivatives, int from, int to) {
        f.valuesAndDerivatives(x, values, derivatives, from, to);
        scale(values, from, to);
        scale(derivatives, from, to);
    }

    @Override
    public void valuesAndDerivatives(float[] x, float[] values, float[] derivatives, int from, int to) {
        f.valuesAndDerivatives(x, values, derivatives, from, to);
        if (constant != 1.0) {
            float c = (float) constant;
            for (int i = from; i < to; i++) {
                values[i] *= c;
                derivatives[i] *= c;
            }
        }
    }

    private void scale(double[] out, int from, int to) {
        if (constant != 1.0) {
            for (int i = from; i < to; i++) {
                out[i] *= constant;
            }
        }
    }

    @Override
    public String toString() {
        return "normalize2mom(" + f + ")";
    }
}
