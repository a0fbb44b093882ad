package dev.e3j.runtime.nn;

/**
 * The hot activations of e3nn's networks, each a class of its own so that its bulk loops ({@link
 * ScalarFunction#values}, {@link ScalarFunction#derivatives}, {@link ScalarFunction#secondDerivatives}) inline its
 * formula instead of calling through a function object.
 */
final class BuiltInFunctions {

    private BuiltInFunctions() {
    }

    /** {@code 1 / (1 + e^-x)}, written so that neither branch overflows. */
    static double sigmoid(double x) {
        if (x >= 0) {
            return 1 / (1 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1 + e);
    }

    /** {@code log2(e)}. */
    private static final double LOG2_E = 1.4426950408889634;
    /** {@code ln(2)}. */
    private static final double LN_2 = 0.6931471805599453;
    /** Below this, {@code e^t} (under 1e-52) is far under the smallest float: {@link #expToFloatAccuracy} gives 0. */
    private static final double EXP_FLOOR = -120.0;

    /**
     * {@code e^t} for {@code t <= 0}, to a relative error under 1e-8 (far inside a float's 6e-8): {@code t = n ln2 +
     * r} with {@code |r| <= ln2 / 2}, the Taylor polynomial of {@code e^r} to {@code r^7}, and {@code 2^n} from its
     * exponent bits, in plain arithmetic that the JIT inlines; 0 below {@link #EXP_FLOOR} (and for NaN, NaN).
     */
    static double expToFloatAccuracy(double t) {
        if (t < EXP_FLOOR) {
            return 0.0;
        }
        double n = Math.rint(t * LOG2_E);
        double r = t - n * LN_2;
        double p = 1 + r * (1 + r * (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120 + r * (1.0 / 720
                + r * (1.0 / 5040)))))));
        return p * Double.longBitsToDouble(((long) n + 1023) << 52);
    }

    static final class Silu implements ScalarFunction {
        @Override
        public void valuesAndDerivatives(float[] x, float[] values, float[] derivatives, int from, int to) {
            for (int i = from; i < to; i++) {
                double v = x[i];
                double e = expToFloatAccuracy(-Math.abs(v));
                double s = (v >= 0 ? 1.0 : e) / (1 + e);
                values[i] = (float) (v * s);
                derivatives[i] = (float) (s * (1 + v * (1 - s)));
            }
        }

        @Override
        public double value(double x) {
            return x * sigmoid(x);
        }

        @Override
        public double derivative(double x) {
            double s = sigmoid(x);
            return s * (1 + x * (1 - s));
        }

        @Override
        public void values(double[] x, double[] out, int from, int to) {
            for (int i = from; i < to; i++) {
                out[i] = x[i] * sigmoid(x[i]);
            }
        }

        @Override
        public void derivatives(double[] x, double[] out, int from, int to) {
            for (int i = from; i < to; i++) {
                double s = sigmoid(x[i]);
                out[i] = s * (1 + x[i] * (1 - s));
            }
        }

        @Override
        public void valuesAndDerivatives(double[] x, double[] values, double[] derivatives, int from, int to) {
            for (int i = from; i < to; i++) {
                double s = sigmoid(x[i]);
                values[i] = x[i] * s;
                derivatives[i] = s * (1 + x[i] * (1 - s));
            }
        }

        @Override
        public double secondDerivative(double x) {
            double s = sigmoid(x);
            return s * (1 - s) * (2 + x * (1 - 2 * s));
        }

        @Override
        public void secondDerivatives(double[] x, double[] out, int from, int to) {
            for (int i = from; i < to; i++) {
                double s = sigmoid(x[i]);
                out[i] = s * (1 - s) * (2 + x[i] * (1 - 2 * s));
            }
        }

        @Override
        public String toString() {
            return "silu";
        }
    }

    static final class Tanh implements ScalarFunction {
        @Override
        public double value(double x) {
            return Math.tanh(x);
        }

        @Override
        public double derivative(double x) {
            double t = Math.tanh(x);
            return 1 - t * t;
        }

        @Override
        public void values(double[] x, double[] out, int from, int to) {
            for (int i = from; i < to; i++) {
                out[i] = Math.tanh(x[i]);
            }
        }

        @Override
        public void derivatives(double[] x, double[] out, int from, int to) {
            for (int i = from; i < to; i++) {
                double t = Math.tanh(x[i]);
                out[i] = 1 - t * t;
            }
        }

        @Override
        public void valuesAndDerivatives(double[] x, double[] values, double[] derivatives, int from, int to) {
            for (int i = from; i < to; i++) {
                double t = Math.tanh(x[i]);
                values[i] = t;
                derivatives[i] = 1 - t * t;
            }
        }

        @Override
        public double secondDerivative(double x) {
            double t = Math.tanh(x);
            return -2 * t * (1 - t * t);
        }

        @Override
        public void secondDerivatives(double[] x, double[] out, int from, int to) {
            for (int i = from; i < to; i++) {
                double t = Math.tanh(x[i]);
                out[i] = -2 * t * (1 - t * t);
            }
        }

        @Override
        public String toString() {
            return "tanh";
        }
    }

    static final class Sigmoid implements ScalarFunction {
        @Override
        public double value(double x) {
            return sigmoid(x);
        }

        @Override
        public double derivative(double x) {
            double s = sigmoid(x);
            return s * (1 - s);
        }

        @Override
        public void values(double[] x, double[] out, int from, int to) {
            for (int i = from; i < to; i++) {
                out[i] = sigmoid(x[i]);
            }
        }

        @Override
        public void derivatives(double[] x, double[] out, int from, int to) {
            for (int i = from; i < to; i++) {
                double s = sigmoid(x[i]);
                out[i] = s * (1 - s);
            }
        }

        @Override
        public void valuesAndDerivatives(double[] x, double[] values, double[] derivatives, int from, int to) {
            for (int i = from; i < to; i++) {
                double s = sigmoid(x[i]);
                values[i] = s;
                derivatives[i] = s * (1 - s);
            }
        }

        @Override
        public double secondDerivative(double x) {
            double s = sigmoid(x);
            return s * (1 - s) * (1 - 2 * s);
        }

        @Override
        public void secondDerivatives(double[] x, double[] out, int from, int to) {
            for (int i = from; i < to; i++) {
                double s = sigmoid(x[i]);
                out[i] = s * (1 - s) * (1 - 2 * s);
            }
        }

        @Override
        public String toString() {
            return "sigmoid";
        }
    }
}
