package dev.e3j.runtime.model;

import dev.e3j.runtime.LinearKernel;
import dev.e3j.runtime.SphericalHarmonicsKernel;
import dev.e3j.runtime.SymmetricContractionKernel;
import dev.e3j.runtime.TensorProductKernel;
import dev.e3j.runtime.nn.ScalarFunction;
import java.util.Arrays;
import java.util.List;

/**
 * The arrays of one floating-point type that a {@link Mace} pass computes in ({@code double[]} or {@code float[]}),
 * with the kernels' overloads for that type and the few loops the pass runs between kernels. The pass is written
 * once against this class; each loop is written here once per type, so that the JIT compiles (and vectorizes) it for
 * that type alone. Values taken from or given to double code ({@link #get}, {@link #round}) are rounded once.
 *
 * @param <A> {@code double[]} or {@code float[]}
 */
abstract class Numbers<A> {

    /** float64: every operation in double, the same bits as the double kernels alone. */
    static final Numbers<double[]> FLOAT64 = new Float64();
    /**
     * float32: every array and kernel in float; activations evaluated in double and rounded once, except SiLU's
     * values with derivatives, in vectorized float arithmetic ({@link FloatSilu}).
     */
    static final Numbers<float[]> FLOAT32 = new Float32();

    /** A zero-filled array. */
    abstract A zeros(int length);

    /** {@code values[from .. to)} rounded once to this type (a copy). */
    abstract A round(double[] values, int from, int to);

    /** {@code values[index]} as a double. */
    abstract double get(A values, int index);

    /** {@code values[from .. to)} (a copy). */
    abstract A copyOfRange(A values, int from, int to);

    /** {@code values[i] = value} for every i. */
    abstract void fill(A values, double value);

    /** {@code values[i] /= divisor} for every i. */
    abstract void divide(A values, double divisor);

    /** {@code target[i] += addend[i]} for every i of {@code addend}. */
    abstract void add(A target, A addend);

    /** {@code target[targetAt + c] += source[sourceAt + c]} for {@code c < width}. */
    abstract void addRow(A target, int targetAt, A source, int sourceAt, int width);

    /** {@code values[i] *= factors[at + i]} for {@code i < length}. */
    abstract void multiply(A values, A factors, int at, int length);

    /** {@code out[i] = f(x[i])} for every i. */
    abstract void values(ScalarFunction f, A x, A out);

    /** {@code out[i] = f'(x[i])} for every i. */
    abstract void derivatives(ScalarFunction f, A x, A out);

    /** {@code values[i] = f(x[i])} and {@code derivatives[at + i] = f'(x[i])} for {@code i < length}. */
    abstract void valuesAndDerivatives(ScalarFunction f, A x, A values, A derivatives, int at, int length);

    /**
     * {@code out[b][j] = sum_i (x[b][i] scale) w[i][j]} for {@code rows} rows ({@code x [rows][hIn]}, {@code w} the
     * {@code hIn} rows of {@code [hIn][hOut]}, {@code out [rows][hOut]}, overwritten), each {@code out[b][j]} summing
     * four products at a time in the order of i, as {@link dev.e3j.runtime.nn.FullyConnectedNet} does. Each row of
     * {@code out} sums in an array of its own over rows of {@code w} that are arrays of their own: HotSpot's C2
     * vectorizes that inner loop, but not the same loop at offsets into one array (measured on this machine, JDK 17:
     * about a quarter of the multiply-adds per second).
     */
    abstract void multiply(A x, int rows, int hIn, List<A> w, int hOut, double scale, A out);

    /** {@code values[i] *= factor} for every i. */
    abstract void scale(A values, double factor);

    abstract void forward(LinearKernel kernel, int batch, A x, A weights, A bias, A out);

    abstract void backward(LinearKernel kernel, int batch, A x, A weights, A gradOut, A gradX);

    abstract void forward(TensorProductKernel kernel, int batch, A x1, A x2, A weights, A out);

    abstract void backward(TensorProductKernel kernel, int batch, A x1, A x2, A weights, A gradOut, A gradX1,
                           A gradX2, A gradWeights);

    abstract void forward(SymmetricContractionKernel kernel, int nodes, A x, int[] elements, A weights, A out);

    abstract void backward(SymmetricContractionKernel kernel, int nodes, A x, int[] elements, A weights, A gradOut,
                           A gradX);

    abstract void forward(SphericalHarmonicsKernel kernel, int n, A xyz, A out);

    abstract void backward(SphericalHarmonicsKernel kernel, int n, A xyz, A gradOut, A gradXyz);

    private static final class Float64 extends Numbers<double[]> {

        @Override
        double[] zeros(int length) {
            return new double[length];
        }

        @Override
        double[] round(double[] values, int from, int to) {
            return Arrays.copyOfRange(values, from, to);
        }

        @Override
        double get(double[] values, int index) {
            return values[index];
        }

        @Override
        double[] copyOfRange(double[] values, int from, int to) {
            return Arrays.copyOfRange(values, from, to);
        }

        @Override
        void fill(double[] values, double value) {
            Arrays.fill(values, value);
        }

        @Override
        void divide(double[] values, double divisor) {
            for (int i = 0; i < values.length; i++) {
                values[i] /= divisor;
            }
        }

        @Override
        void add(double[] target, double[] addend) {
            for (int i = 0; i < addend.length; i++) {
                target[i] += addend[i];
            }
        }

        @Override
        void addRow(double[] target, int targetAt, double[] source, int sourceAt, int width) {
            for (int c = 0; c < width; c++) {
                target[targetAt + c] += source[sourceAt + c];
            }
        }

        @Override
        void multiply(double[] values, double[] factors, int at, int length) {
            for (int i = 0; i < length; i++) {
                values[i] *= factors[at + i];
            }
        }

        @Override
        void values(ScalarFunction f, double[] x, double[] out) {
            f.values(x, out, 0, x.length);
        }

        @Override
        void derivatives(ScalarFunction f, double[] x, double[] out) {
            f.derivatives(x, out, 0, x.length);
        }

        @Override
        void valuesAndDerivatives(ScalarFunction f, double[] x, double[] values, double[] derivatives, int at,
                                  int length) {
            double[] derivative = new double[length];
            f.valuesAndDerivatives(x, values, derivative, 0, length);
            System.arraycopy(derivative, 0, derivatives, at, length);
        }

        @Override
        void multiply(double[] x, int rows, int hIn, List<double[]> w, int hOut, double scale, double[] out) {
            double[] sum = new double[hOut];
            for (int b = 0; b < rows; b++) {
                Arrays.fill(sum, 0.0);
                int at = b * hIn;
                int i = 0;
                for (; i + 4 <= hIn; i += 4) {
                    accumulate(sum, x[at + i] * scale, w.get(i), x[at + i + 1] * scale, w.get(i + 1),
                            x[at + i + 2] * scale, w.get(i + 2), x[at + i + 3] * scale, w.get(i + 3), hOut);
                }
                for (; i < hIn; i++) {
                    accumulate(sum, x[at + i] * scale, w.get(i), hOut);
                }
                System.arraycopy(sum, 0, out, b * hOut, hOut);
            }
        }

        /** {@code sum[j] += a0 w0[j] + a1 w1[j] + a2 w2[j] + a3 w3[j]}. */
        private static void accumulate(double[] sum, double a0, double[] w0, double a1, double[] w1, double a2,
                                       double[] w2, double a3, double[] w3, int width) {
            for (int j = 0; j < width; j++) {
                sum[j] += a0 * w0[j] + a1 * w1[j] + a2 * w2[j] + a3 * w3[j];
            }
        }

        /** {@code sum[j] += a w[j]}. */
        private static void accumulate(double[] sum, double a, double[] w, int width) {
            for (int j = 0; j < width; j++) {
                sum[j] += a * w[j];
            }
        }

        @Override
        void scale(double[] values, double factor) {
            for (int i = 0; i < values.length; i++) {
                values[i] *= factor;
            }
        }

        @Override
        void forward(LinearKernel kernel, int batch, double[] x, double[] weights, double[] bias, double[] out) {
            kernel.forward(batch, x, weights, bias, out);
        }

        @Override
        void backward(LinearKernel kernel, int batch, double[] x, double[] weights, double[] gradOut,
                      double[] gradX) {
            kernel.backward(batch, x, weights, gradOut, gradX, null, null);
        }

        @Override
        void forward(TensorProductKernel kernel, int batch, double[] x1, double[] x2, double[] weights,
                     double[] out) {
            kernel.forward(batch, x1, x2, weights, out);
        }

        @Override
        void backward(TensorProductKernel kernel, int batch, double[] x1, double[] x2, double[] weights,
                      double[] gradOut, double[] gradX1, double[] gradX2, double[] gradWeights) {
            kernel.backward(batch, x1, x2, weights, gradOut, gradX1, gradX2, gradWeights);
        }

        @Override
        void forward(SymmetricContractionKernel kernel, int nodes, double[] x, int[] elements, double[] weights,
                     double[] out) {
            kernel.forward(nodes, x, elements, weights, out);
        }

        @Override
        void backward(SymmetricContractionKernel kernel, int nodes, double[] x, int[] elements, double[] weights,
                      double[] gradOut, double[] gradX) {
            kernel.backward(nodes, x, elements, weights, gradOut, gradX, null);
        }

        @Override
        void forward(SphericalHarmonicsKernel kernel, int n, double[] xyz, double[] out) {
            kernel.forward(n, xyz, out);
        }

        @Override
        void backward(SphericalHarmonicsKernel kernel, int n, double[] xyz, double[] gradOut, double[] gradXyz) {
            kernel.backward(n, xyz, gradOut, gradXyz);
        }
    }

    private static final class Float32 extends Numbers<float[]> {

        @Override
        float[] zeros(int length) {
            return new float[length];
        }

        @Override
        float[] round(double[] values, int from, int to) {
            float[] out = new float[to - from];
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) values[from + i];
            }
            return out;
        }

        @Override
        double get(float[] values, int index) {
            return values[index];
        }

        @Override
        float[] copyOfRange(float[] values, int from, int to) {
            return Arrays.copyOfRange(values, from, to);
        }

        @Override
        void fill(float[] values, double value) {
            Arrays.fill(values, (float) value);
        }

        @Override
        void divide(float[] values, double divisor) {
            float d = (float) divisor;
            for (int i = 0; i < values.length; i++) {
                values[i] /= d;
            }
        }

        @Override
        void add(float[] target, float[] addend) {
            for (int i = 0; i < addend.length; i++) {
                target[i] += addend[i];
            }
        }

        @Override
        void addRow(float[] target, int targetAt, float[] source, int sourceAt, int width) {
            for (int c = 0; c < width; c++) {
                target[targetAt + c] += source[sourceAt + c];
            }
        }

        @Override
        void multiply(float[] values, float[] factors, int at, int length) {
            for (int i = 0; i < length; i++) {
                values[i] *= factors[at + i];
            }
        }

        @Override
        void values(ScalarFunction f, float[] x, float[] out) {
            double[] wide = widen(x);
            f.values(wide, wide, 0, wide.length);
            narrow(wide, out, 0);
        }

        @Override
        void derivatives(ScalarFunction f, float[] x, float[] out) {
            double[] wide = widen(x);
            f.derivatives(wide, wide, 0, wide.length);
            narrow(wide, out, 0);
        }

        @Override
        void valuesAndDerivatives(ScalarFunction f, float[] x, float[] values, float[] derivatives, int at,
                                  int length) {
            double siluScale = FloatSilu.scaleOf(f);
            if (!Double.isNaN(siluScale)) {
                float[] derivative = new float[length];
                FloatSilu.valuesAndDerivatives((float) siluScale, x, values, derivative, length);
                System.arraycopy(derivative, 0, derivatives, at, length);
                return;
            }
            double[] wide = new double[length];
            for (int i = 0; i < length; i++) {
                wide[i] = x[i];
            }
            double[] value = new double[length];
            double[] derivative = new double[length];
            f.valuesAndDerivatives(wide, value, derivative, 0, length);
            narrow(value, values, 0);
            narrow(derivative, derivatives, at);
        }

        private static double[] widen(float[] x) {
            double[] wide = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                wide[i] = x[i];
            }
            return wide;
        }

        private static void narrow(double[] wide, float[] out, int at) {
            for (int i = 0; i < wide.length; i++) {
                out[at + i] = (float) wide[i];
            }
        }

        @Override
        void multiply(float[] x, int rows, int hIn, List<float[]> w, int hOut, double scale, float[] out) {
            float s = (float) scale;
            float[] sum = new float[hOut];
            for (int b = 0; b < rows; b++) {
                Arrays.fill(sum, 0.0f);
                int at = b * hIn;
                int i = 0;
                for (; i + 4 <= hIn; i += 4) {
                    accumulate(sum, x[at + i] * s, w.get(i), x[at + i + 1] * s, w.get(i + 1),
                            x[at + i + 2] * s, w.get(i + 2), x[at + i + 3] * s, w.get(i + 3), hOut);
                }
                for (; i < hIn; i++) {
                    accumulate(sum, x[at + i] * s, w.get(i), hOut);
                }
                System.arraycopy(sum, 0, out, b * hOut, hOut);
            }
        }

        /** {@code sum[j] += a0 w0[j] + a1 w1[j] + a2 w2[j] + a3 w3[j]}. */
        private static void accumulate(float[] sum, float a0, float[] w0, float a1, float[] w1, float a2,
                                       float[] w2, float a3, float[] w3, int width) {
            for (int j = 0; j < width; j++) {
                sum[j] += a0 * w0[j] + a1 * w1[j] + a2 * w2[j] + a3 * w3[j];
            }
        }

        /** {@code sum[j] += a w[j]}. */
        private static void accumulate(float[] sum, float a, float[] w, int width) {
            for (int j = 0; j < width; j++) {
                sum[j] += a * w[j];
            }
        }

        @Override
        void scale(float[] values, double factor) {
            float f = (float) factor;
            for (int i = 0; i < values.length; i++) {
                values[i] *= f;
            }
        }

        @Override
        void forward(LinearKernel kernel, int batch, float[] x, float[] weights, float[] bias, float[] out) {
            kernel.forward(batch, x, weights, bias, out);
        }

        @Override
        void backward(LinearKernel kernel, int batch, float[] x, float[] weights, float[] gradOut, float[] gradX) {
            kernel.backward(batch, x, weights, gradOut, gradX, null, null);
        }

        @Override
        void forward(TensorProductKernel kernel, int batch, float[] x1, float[] x2, float[] weights, float[] out) {
            kernel.forward(batch, x1, x2, weights, out);
        }

        @Override
        void backward(TensorProductKernel kernel, int batch, float[] x1, float[] x2, float[] weights,
                      float[] gradOut, float[] gradX1, float[] gradX2, float[] gradWeights) {
            kernel.backward(batch, x1, x2, weights, gradOut, gradX1, gradX2, gradWeights);
        }

        @Override
        void forward(SymmetricContractionKernel kernel, int nodes, float[] x, int[] elements, float[] weights,
                     float[] out) {
            kernel.forward(nodes, x, elements, weights, out);
        }

        @Override
        void backward(SymmetricContractionKernel kernel, int nodes, float[] x, int[] elements, float[] weights,
                      float[] gradOut, float[] gradX) {
            kernel.backward(nodes, x, elements, weights, gradOut, gradX, null);
        }

        @Override
        void forward(SphericalHarmonicsKernel kernel, int n, float[] xyz, float[] out) {
            kernel.forward(n, xyz, out);
        }

        @Override
        void backward(SphericalHarmonicsKernel kernel, int n, float[] xyz, float[] gradOut, float[] gradXyz) {
            kernel.backward(n, xyz, gradOut, gradXyz);
        }
    }
}
