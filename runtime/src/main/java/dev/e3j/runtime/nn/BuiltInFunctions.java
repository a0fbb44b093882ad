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

    /**
     * SiLU: values and first derivatives from {@link DoubleSilu} (double) and {@link FloatSilu} (float), in
     * arithmetic that C2 vectorizes, one at a time and in bulk alike (the same bits); second derivatives from
     * {@link #sigmoid}.
     */
    static final class Silu implements ScalarFunction {
        @Override
        public void valuesAndDerivatives(float[] x, float[] values, float[] derivatives, int from, int to) {
            FloatSilu.valuesAndDerivatives(x, values, derivatives, from, to);
        }

        @Override
        public double value(double x) {
            return DoubleSilu.value(x);
        }

        @Override
        public double derivative(double x) {
            return DoubleSilu.derivative(x);
        }

        @Override
        public void values(double[] x, double[] out, int from, int to) {
            DoubleSilu.values(x, out, from, to);
        }

        @Override
        public void derivatives(double[] x, double[] out, int from, int to) {
            DoubleSilu.derivatives(x, out, from, to);
        }

        @Override
        public void valuesAndDerivatives(double[] x, double[] values, double[] derivatives, int from, int to) {
            DoubleSilu.valuesAndDerivatives(x, values, derivatives, from, to);
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
