package dev.e3j.runtime.nn;

import java.util.function.DoubleUnaryOperator;

/**
 * A scalar function {@code f: R -> R} with its derivative, used as an activation. The constants are the raw
 * functions, as PyTorch defines them; the layers that e3nn normalizes ({@link Activation}, {@link Gate},
 * {@link FullyConnectedNet}) wrap them with {@link Normalize2Mom} themselves.
 */
public interface ScalarFunction {

    /** {@code silu(x) = x sigmoid(x)}; {@code silu'(x) = s (1 + x (1 - s))} with {@code s = sigmoid(x)}. */
    ScalarFunction SILU = of("silu", x -> x * sigmoid(x), x -> {
        double s = sigmoid(x);
        return s * (1 + x * (1 - s));
    });

    /** {@code tanh}; {@code tanh' = 1 - tanh^2}. */
    ScalarFunction TANH = of("tanh", Math::tanh, x -> {
        double t = Math.tanh(x);
        return 1 - t * t;
    });

    /** {@code sigmoid(x) = 1 / (1 + e^-x)}; {@code sigmoid' = s (1 - s)}. */
    ScalarFunction SIGMOID = of("sigmoid", ScalarFunction::sigmoid, x -> {
        double s = sigmoid(x);
        return s * (1 - s);
    });

    /** {@code |x|}; derivative {@code sign(x)}, 0 at 0 as in PyTorch. */
    ScalarFunction ABS = of("abs", Math::abs, Math::signum);

    /** {@code max(x, 0)}; derivative 1 for {@code x > 0}, else 0 as in PyTorch. */
    ScalarFunction RELU = of("relu", x -> Math.max(x, 0), x -> x > 0 ? 1 : 0);

    /** {@code softplus(x) = log(1 + e^x)}, evaluated without overflow; {@code softplus' = sigmoid}. */
    ScalarFunction SOFTPLUS = of("softplus", x -> Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
            ScalarFunction::sigmoid);

    /** {@code f(x) = x}. */
    ScalarFunction IDENTITY = of("identity", x -> x, x -> 1);

    /** {@code f(x)}. */
    double value(double x);

    /** {@code f'(x)}. */
    double derivative(double x);

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

    /** A named function from its value and derivative. */
    static ScalarFunction of(String name, DoubleUnaryOperator value, DoubleUnaryOperator derivative) {
        Checks.requireNonNull("ScalarFunction.of", "name", name);
        Checks.requireNonNull("ScalarFunction.of", "value", value);
        Checks.requireNonNull("ScalarFunction.of", "derivative", derivative);
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
            public String toString() {
                return name;
            }
        };
    }

    /** {@code 1 / (1 + e^-x)}, written so that neither branch overflows. */
    private static double sigmoid(double x) {
        if (x >= 0) {
            return 1 / (1 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1 + e);
    }
}
