package dev.e3j.runtime.nn;

import dev.e3j.runtime.internal.Checks;
import dev.e3j.runtime.math.Normalize2Mom;
import java.util.function.DoubleUnaryOperator;

/**
 * A scalar function {@code f: R -> R} with its first and second derivatives, used as an activation. The constants
 * are the raw functions, as PyTorch defines them; the layers that e3nn normalizes ({@link Activation}, {@link Gate},
 * {@link FullyConnectedNet}) wrap them with {@link Normalize2Mom} themselves.
 *
 * <p>The second derivative serves the layers' double backward passes and forward-mode tangents (training on forces,
 * which are already gradients). Where a function has a kink ({@code abs}, {@code relu}) its derivatives are
 * PyTorch's: the one-sided derivative it picks, and a second derivative of 0.
 */
public interface ScalarFunction {

    /**
     * {@code silu(x) = x sigmoid(x)}; {@code silu'(x) = s (1 + x (1 - s))}, {@code silu''(x) = s (1 - s) (2 + x (1 -
     * 2s))} with {@code s = sigmoid(x)}.
     */
    ScalarFunction SILU = new BuiltInFunctions.Silu();

    /** {@code tanh}; {@code tanh' = 1 - t^2}, {@code tanh'' = -2 t (1 - t^2)} with {@code t = tanh(x)}. */
    ScalarFunction TANH = new BuiltInFunctions.Tanh();

    /** {@code sigmoid(x) = 1 / (1 + e^-x)}; {@code sigmoid' = s (1 - s)}, {@code sigmoid'' = s (1 - s) (1 - 2s)}. */
    ScalarFunction SIGMOID = new BuiltInFunctions.Sigmoid();

    /** {@code |x|}; derivative {@code sign(x)}, 0 at 0 as in PyTorch; second derivative 0. */
    ScalarFunction ABS = of("abs", Math::abs, Math::signum, x -> 0);

    /** {@code max(x, 0)}; derivative 1 for {@code x > 0}, else 0 as in PyTorch; second derivative 0. */
    ScalarFunction RELU = of("relu", x -> Math.max(x, 0), x -> x > 0 ? 1 : 0, x -> 0);

    /**
     * {@code softplus(x) = log(1 + e^x)}, evaluated without overflow; {@code softplus' = sigmoid},
     * {@code softplus'' = sigmoid'}.
     */
    ScalarFunction SOFTPLUS = of("softplus", x -> Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
            BuiltInFunctions::sigmoid, x -> {
                double s = BuiltInFunctions.sigmoid(x);
                return s * (1 - s);
            });

    /** {@code f(x) = x}. */
    ScalarFunction IDENTITY = of("identity", x -> x, x -> 1, x -> 0);

    /** {@code f(x)}. */
    double value(double x);

    /** {@code f'(x)}. */
    double derivative(double x);

    /**
     * {@code f''(x)}. The default has none to give: it throws, naming the function; every constant here and every
     * function from {@link #of(String, DoubleUnaryOperator, DoubleUnaryOperator, DoubleUnaryOperator)} overrides it.
     *
     * @throws UnsupportedOperationException if the function was given without its second derivative
     */
    default double secondDerivative(double x) {
        throw new UnsupportedOperationException("the scalar function " + this + " has no second derivative (give it "
                + "with ScalarFunction.of(name, value, derivative, secondDerivative))");
    }

    /**
     * {@code out[i] = value(x[i])} for {@code from <= i < to}. The built-in functions override it with a loop of their
     * own, which the JIT compiles for that function alone (a loop over {@link #value} calls in shared code sees every
     * function in the program and calls each value through a virtual call).
     */
    default void values(double[] x, double[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = value(x[i]);
        }
    }

    /** {@code out[i] = derivative(x[i])} for {@code from <= i < to}, overridden like {@link #values}. */
    default void derivatives(double[] x, double[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = derivative(x[i]);
        }
    }

    /** {@code out[i] = secondDerivative(x[i])} for {@code from <= i < to}, overridden like {@link #values}. */
    default void secondDerivatives(double[] x, double[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = secondDerivative(x[i]);
        }
    }

    /**
     * {@link #values} and {@link #derivatives} together, for a forward pass that keeps the derivatives for its
     * backward pass; the built-in functions share their one exponential between the two.
     */
    default void valuesAndDerivatives(double[] x, double[] values, double[] derivatives, int from, int to) {
        values(x, values, from, to);
        derivatives(x, derivatives, from, to);
    }

    /**
     * Float overload of {@link #valuesAndDerivatives(double[], double[], double[], int, int)}, for networks that
     * compute in float: each value and derivative to float accuracy ({@code values} may be {@code x}). The default
     * evaluates {@link #value} and {@link #derivative} in double and rounds each once; SiLU overrides it with
     * vectorized float arithmetic, several times faster than {@link Math#exp}.
     */
    default void valuesAndDerivatives(float[] x, float[] values, float[] derivatives, int from, int to) {
        for (int i = from; i < to; i++) {
            double v = x[i];
            values[i] = (float) value(v);
            derivatives[i] = (float) derivative(v);
        }
    }

    /**
     * Parity the way e3nn's {@code Activation} detects it: on 256 points {@code x} evenly spaced in {@code [0, 10]},
     * {@code +1} (even) if {@code max |f(x) - f(-x)| < 1e-5}, else {@code -1} (odd) if {@code max |f(x) + f(-x)| <
     * 1e-5}, else {@code 0} (neither).
     */
    default int parity() {
        double even = 0;
        double odd = 0;
        for (int i = 0; i < 256; i++) {
            double x = 10.0 * i / 255;
            double a = value(x);
            double b = value(-x);
            even = Math.max(even, Math.abs(a - b));
            odd = Math.max(odd, Math.abs(a + b));
        }
        if (even < 1e-5) {
            return 1;
        }
        return odd < 1e-5 ? -1 : 0;
    }

    /**
     * A named function from its value and derivative, without a second derivative: enough for forward and backward
     * passes; {@link #secondDerivative} throws.
     */
    static ScalarFunction of(String name, DoubleUnaryOperator value, DoubleUnaryOperator derivative) {
        Checks.requireNonNull("ScalarFunction.of", "name", name);
        Checks.requireNonNull("ScalarFunction.of", "value", value);
        Checks.requireNonNull("ScalarFunction.of", "derivative", derivative);
        return named(name, value, derivative, null);
    }

    /** A named function from its value and its first and second derivatives. */
    static ScalarFunction of(String name, DoubleUnaryOperator value, DoubleUnaryOperator derivative,
                             DoubleUnaryOperator secondDerivative) {
        Checks.requireNonNull("ScalarFunction.of", "name", name);
        Checks.requireNonNull("ScalarFunction.of", "value", value);
        Checks.requireNonNull("ScalarFunction.of", "derivative", derivative);
        Checks.requireNonNull("ScalarFunction.of", "secondDerivative", secondDerivative);
        return named(name, value, derivative, secondDerivative);
    }

    /** The function of both {@code of} methods; without {@code secondDerivative} (null) the default one throws. */
    private static ScalarFunction named(String name, DoubleUnaryOperator value, DoubleUnaryOperator derivative,
                                        DoubleUnaryOperator secondDerivative) {
        return new ScalarFunction() {
            @Override
            public double value(double x) {
                return value.applyAsDouble(x);
            }

            @Override
            public double derivative(double x) {
                return derivative.applyAsDouble(x);
            }

            @Override
            public double secondDerivative(double x) {
                return secondDerivative != null ? secondDerivative.applyAsDouble(x)
                        : ScalarFunction.super.secondDerivative(x);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
