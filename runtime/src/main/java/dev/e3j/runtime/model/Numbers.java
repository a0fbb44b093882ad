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
     * float32: every array and kernel in float; activations through their float bulk method
     * ({@link ScalarFunction#valuesAndDerivatives(float[], float[], float[], int, int)}: SiLU's in vectorized float
     * arithmetic, the others evaluated in double and rounded once).
     */
    static final Numbers<float[]> FLOAT32 = new Float32();

    /** The columns float64's {@link #multiply(Object[], int, Object, int, int, Object[])} sums in one scratch pass. */
    static final int COLUMNS = 256;

    /**
     * Whether a radial MLP computing in these arrays folds its constant factors (its inputs' and each layer's
     * {@code 1 / sqrt(fan-in)}, the activation's normalization constant) into its weights, which saves a pass over
     * every hidden layer: float32 does; float64 applies them where {@link dev.e3j.runtime.nn.FullyConnectedNet}
     * does ({@link RadialMlp}).
     */
    abstract boolean foldsConstantFactors();

    /** A zero-filled array. */
    abstract A zeros(int length);

    /** The length of {@code values}. */
    abstract int length(A values);

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

    /**
     * {@code count} zero-filled rows of {@code length}: a block of rows stored transposed, one array per column, so
     * that the loops over the block run over arrays of their own indexed from 0, which HotSpot's C2 vectorizes (it
     * does not vectorize the same loops at offsets into one array: measured on this machine, JDK 17, about a
     * quarter of the speed).
     */
    abstract A[] rows(int count, int length);

    /**
     * The columns per pass of {@link #multiply} over a block of {@code count}: at most {@link #COLUMNS}, in passes as
     * even as they can be (a block of 270 columns in passes of 256 and 14 left a pass too short for the vector loop:
     * 44 against 67 GFLOP/s for 256 columns, float32, 64 x 160 weights).
     */
    static int passWidth(int count) {
        int passes = Math.max(1, (count + COLUMNS - 1) / COLUMNS);
        return (count + passes - 1) / passes;
    }

    /**
     * The inputs from which float32's {@link #multiply} computes two outputs per pass (below, one): 64 x 64,
     * 112 x 32, 1280 x 64 weights ran 1.15-1.5x faster in that form, 32 x 32 as fast, 32 x 8 and 64 x 8 slower
     * (135-256 columns, one thread, JDK 17).
     */
    static final int TWO_OUTPUTS_FROM = 32;

    /** The width from which {@link #transpose} and {@link #untranspose} move eight rows per pass, not four. */
    static final int EIGHT_ROWS_FROM = 256;

    /**
     * {@code out[i][b] = x[b width + i] scale} for {@code b < count}, {@code i < width}: four rows of {@code out} per
     * pass over the block, so that each of {@code x}'s rows is read in runs of four (half the time of one entry per
     * pass: a {@code [294][112]} float block), eight from {@link #EIGHT_ROWS_FROM} on, a cache line of doubles (a
     * {@code [256][1280]} double block, MACE's radial weights: 0.7x the time of four per pass; at widths 10 and 64
     * eight took 2.5x and 1.2x the time of four; JDK 17, one thread).
     */
    abstract void transpose(A x, int count, int width, double scale, A[] out);

    /**
     * {@code out[b width + i] = rows[i][b]} for {@code b < count}, {@code i < width}, rows per pass as
     * {@link #transpose}: from {@link #EIGHT_ROWS_FROM} on each pass writes whole cache lines of doubles, where four
     * rows per pass wrote half lines and took 2.7-4.9x the time on a {@code [1280][256]} double block (MACE's radial
     * weights, which outgrow the L2 cache between the two passes that fill a line).
     */
    abstract void untranspose(A[] rows, int width, int count, A out);

    /**
     * {@code out[o][b] = sum_k x[k][b] weights[o inDim + k]} for {@code o < outDim}, {@code b < count}
     * ({@code out}'s rows overwritten), each sum in the order of {@code k}.
     *
     * <p>float64 takes one multiply-add per term, two outputs at a time accumulating in one scratch array
     * {@link #COLUMNS} apart (a constant), over at most that many columns at a time: C2 (JDK 17) vectorizes that loop
     * (four input rows, eight multiply-adds per column), but neither one that adds a sum of products rather than
     * multiply-adds, nor one that updates two separate arrays, nor one that reads its rows from an offset (measured,
     * 256 columns: 1.4-1.9x the throughput of one output at a time for 64 x 64, 64 x 1280, 1280 x 64 and 32 x 112
     * weights; 0.7x for the 8 inputs of a first layer, a small share). float32 takes the same form from
     * {@link #TWO_OUTPUTS_FROM} inputs, with its loops written in the methods that run them: as separate methods they
     * ran vectorized only where C2 inlined them, in some JVMs and not in others (15 or 85 GFLOP/s); written in,
     * 80-100 GFLOP/s against 41-53 for one output at a time (64 x 1280, 1280 x 64, 64 x 64, 256 columns, one thread).
     */
    abstract void multiply(A[] x, int inDim, A weights, int outDim, int count, A[] out);

    /**
     * {@code target[targetAt + c] = sum_{source rows first <= e < end} source[e width + c]} for {@code c < width}
     * (overwritten; {@code end > first}), summed in row order through {@code sum} and {@code row} ({@code width}
     * entries each): each row is copied to {@code row} and added to {@code sum}, both indexed from 0, which C2
     * vectorizes (it does not vectorize the sum of two rows at different offsets: it cannot tell the arrays apart).
     */
    abstract void sumRows(A source, int width, int first, int end, A target, int targetAt, A sum, A row);

    /** {@code rows[i][b] *= factor} for {@code b < count}. */
    abstract void scale(A[] rows, int count, double factor);

    /** {@code values[i][b] *= factors[i][b]} for {@code b < count}. */
    abstract void multiply(A[] values, A[] factors, int count);

    /** {@code values[i][b] = f(x[i][b])} and {@code derivatives[i][b] = f'(x[i][b])} for {@code b < count}. */
    abstract void valuesAndDerivatives(ScalarFunction f, A[] x, A[] values, A[] derivatives, int count);

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
        boolean foldsConstantFactors() {
            return false;
        }

        @Override
        double[] zeros(int length) {
            return new double[length];
        }

        @Override
        int length(double[] values) {
            return values.length;
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
        double[][] rows(int count, int length) {
            return new double[count][length];
        }

        @Override
        void transpose(double[] x, int count, int width, double scale, double[][] out) {
            double s = scale;
            int i = 0;
            for (; width >= EIGHT_ROWS_FROM && i + 8 <= width; i += 8) {
                double[] out0 = out[i];
                double[] out1 = out[i + 1];
                double[] out2 = out[i + 2];
                double[] out3 = out[i + 3];
                double[] out4 = out[i + 4];
                double[] out5 = out[i + 5];
                double[] out6 = out[i + 6];
                double[] out7 = out[i + 7];
                for (int b = 0, at = i; b < count; b++, at += width) {
                    out0[b] = x[at] * s;
                    out1[b] = x[at + 1] * s;
                    out2[b] = x[at + 2] * s;
                    out3[b] = x[at + 3] * s;
                    out4[b] = x[at + 4] * s;
                    out5[b] = x[at + 5] * s;
                    out6[b] = x[at + 6] * s;
                    out7[b] = x[at + 7] * s;
                }
            }
            for (; i + 4 <= width; i += 4) {
                double[] out0 = out[i];
                double[] out1 = out[i + 1];
                double[] out2 = out[i + 2];
                double[] out3 = out[i + 3];
                for (int b = 0, at = i; b < count; b++, at += width) {
                    out0[b] = x[at] * s;
                    out1[b] = x[at + 1] * s;
                    out2[b] = x[at + 2] * s;
                    out3[b] = x[at + 3] * s;
                }
            }
            for (; i < width; i++) {
                double[] row = out[i];
                for (int b = 0, at = i; b < count; b++, at += width) {
                    row[b] = x[at] * s;
                }
            }
        }

        @Override
        void untranspose(double[][] rows, int width, int count, double[] out) {
            int i = 0;
            for (; width >= EIGHT_ROWS_FROM && i + 8 <= width; i += 8) {
                double[] row0 = rows[i];
                double[] row1 = rows[i + 1];
                double[] row2 = rows[i + 2];
                double[] row3 = rows[i + 3];
                double[] row4 = rows[i + 4];
                double[] row5 = rows[i + 5];
                double[] row6 = rows[i + 6];
                double[] row7 = rows[i + 7];
                for (int b = 0, at = i; b < count; b++, at += width) {
                    out[at] = row0[b];
                    out[at + 1] = row1[b];
                    out[at + 2] = row2[b];
                    out[at + 3] = row3[b];
                    out[at + 4] = row4[b];
                    out[at + 5] = row5[b];
                    out[at + 6] = row6[b];
                    out[at + 7] = row7[b];
                }
            }
            for (; i + 4 <= width; i += 4) {
                double[] row0 = rows[i];
                double[] row1 = rows[i + 1];
                double[] row2 = rows[i + 2];
                double[] row3 = rows[i + 3];
                for (int b = 0, at = i; b < count; b++, at += width) {
                    out[at] = row0[b];
                    out[at + 1] = row1[b];
                    out[at + 2] = row2[b];
                    out[at + 3] = row3[b];
                }
            }
            for (; i < width; i++) {
                double[] row = rows[i];
                for (int b = 0, at = i; b < count; b++, at += width) {
                    out[at] = row[b];
                }
            }
        }

        @Override
        void multiply(double[][] x, int inDim, double[] weights, int outDim, int count, double[][] out) {
            double[] pair = new double[2 * COLUMNS];
            double[][] columns = count <= COLUMNS ? x : new double[inDim][COLUMNS];
            int step = passWidth(count);
            for (int from = 0; from < count; from += step) {
                int n = Math.min(step, count - from);
                if (columns != x) {
                    for (int k = 0; k < inDim; k++) {
                        System.arraycopy(x[k], from, columns[k], 0, n);
                    }
                }
                int o = 0;
                for (; o + 2 <= outDim; o += 2) {
                    twoOutputs(columns, inDim, weights, o, n, pair);
                    System.arraycopy(pair, 0, out[o], from, n);
                    System.arraycopy(pair, COLUMNS, out[o + 1], from, n);
                }
                if (o < outDim) {
                    oneOutput(columns, inDim, weights, o, n, pair);
                    System.arraycopy(pair, 0, out[o], from, n);
                }
            }
        }

        /** {@code pair[b]} and {@code pair[COLUMNS + b]} ({@code b < n}): outputs {@code o} and {@code o + 1}. */
        private static void twoOutputs(double[][] x, int inDim, double[] weights, int o, int n, double[] pair) {
            Arrays.fill(pair, 0, n, 0.0);
            Arrays.fill(pair, COLUMNS, COLUMNS + n, 0.0);
            int first = o * inDim;
            int second = first + inDim;
            int k = 0;
            for (; k + 4 <= inDim; k += 4) {
                addPair(pair, x[k], x[k + 1], x[k + 2], x[k + 3], n, weights, first + k, second + k);
            }
            for (; k < inDim; k++) {
                addPair(pair, x[k], n, weights[first + k], weights[second + k]);
            }
        }

        /** {@code row[b]} ({@code b < n}): output {@code o}. */
        private static void oneOutput(double[][] x, int inDim, double[] weights, int o, int n, double[] row) {
            Arrays.fill(row, 0, n, 0.0);
            int first = o * inDim;
            int k = 0;
            for (; k + 4 <= inDim; k += 4) {
                add(row, x[k], x[k + 1], x[k + 2], x[k + 3], n, weights, first + k);
            }
            for (; k < inDim; k++) {
                add(row, x[k], n, weights[first + k]);
            }
        }

        /**
         * {@code pair[b] += x_i[b] w[first + i]} and {@code pair[COLUMNS + b] += x_i[b] w[second + i]} for the four
         * rows {@code x_0 .. x_3} in that order, one multiply-add each.
         */
        private static void addPair(double[] pair, double[] x0, double[] x1, double[] x2, double[] x3, int n,
                                    double[] w, int first, int second) {
            double a0 = w[first];
            double a1 = w[first + 1];
            double a2 = w[first + 2];
            double a3 = w[first + 3];
            double c0 = w[second];
            double c1 = w[second + 1];
            double c2 = w[second + 2];
            double c3 = w[second + 3];
            for (int b = 0; b < n; b++) {
                double y0 = x0[b];
                double y1 = x1[b];
                double y2 = x2[b];
                double y3 = x3[b];
                pair[b] = Math.fma(y3, a3, Math.fma(y2, a2, Math.fma(y1, a1, Math.fma(y0, a0, pair[b]))));
                pair[COLUMNS + b] = Math.fma(y3, c3, Math.fma(y2, c2, Math.fma(y1, c1, Math.fma(y0, c0,
                        pair[COLUMNS + b]))));
            }
        }

        /** {@code pair[b] += x[b] a} and {@code pair[COLUMNS + b] += x[b] c}. */
        private static void addPair(double[] pair, double[] x, int n, double a, double c) {
            for (int b = 0; b < n; b++) {
                double y = x[b];
                pair[b] = Math.fma(y, a, pair[b]);
                pair[COLUMNS + b] = Math.fma(y, c, pair[COLUMNS + b]);
            }
        }

        /** {@code row[b] += x_i[b] w[first + i]} for the four rows {@code x_0 .. x_3} in that order. */
        private static void add(double[] row, double[] x0, double[] x1, double[] x2, double[] x3, int n, double[] w,
                                int first) {
            double a0 = w[first];
            double a1 = w[first + 1];
            double a2 = w[first + 2];
            double a3 = w[first + 3];
            for (int b = 0; b < n; b++) {
                row[b] = Math.fma(x3[b], a3, Math.fma(x2[b], a2, Math.fma(x1[b], a1, Math.fma(x0[b], a0, row[b]))));
            }
        }

        /** {@code row[b] += x[b] a}. */
        private static void add(double[] row, double[] x, int n, double a) {
            for (int b = 0; b < n; b++) {
                row[b] = Math.fma(x[b], a, row[b]);
            }
        }

        @Override
        void sumRows(double[] source, int width, int first, int end, double[] target, int targetAt, double[] sum,
                     double[] row) {
            System.arraycopy(source, first * width, sum, 0, width);
            for (int e = first + 1; e < end; e++) {
                System.arraycopy(source, e * width, row, 0, width);
                for (int c = 0; c < width; c++) {
                    sum[c] += row[c];
                }
            }
            System.arraycopy(sum, 0, target, targetAt, width);
        }

        @Override
        void scale(double[][] rows, int count, double factor) {
            double f = factor;
            for (double[] row : rows) {
                for (int b = 0; b < count; b++) {
                    row[b] *= f;
                }
            }
        }

        @Override
        void multiply(double[][] values, double[][] factors, int count) {
            for (int i = 0; i < values.length; i++) {
                double[] row = values[i];
                double[] factor = factors[i];
                for (int b = 0; b < count; b++) {
                    row[b] *= factor[b];
                }
            }
        }

        @Override
        void valuesAndDerivatives(ScalarFunction f, double[][] x, double[][] values, double[][] derivatives,
                                  int count) {
            for (int i = 0; i < x.length; i++) {
                f.valuesAndDerivatives(x[i], values[i], derivatives[i], 0, count);
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
        boolean foldsConstantFactors() {
            return true;
        }

        @Override
        float[] zeros(int length) {
            return new float[length];
        }

        @Override
        int length(float[] values) {
            return values.length;
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
        float[][] rows(int count, int length) {
            return new float[count][length];
        }

        @Override
        void transpose(float[] x, int count, int width, double scale, float[][] out) {
            float s = (float) scale;
            int i = 0;
            for (; width >= EIGHT_ROWS_FROM && i + 8 <= width; i += 8) {
                float[] out0 = out[i];
                float[] out1 = out[i + 1];
                float[] out2 = out[i + 2];
                float[] out3 = out[i + 3];
                float[] out4 = out[i + 4];
                float[] out5 = out[i + 5];
                float[] out6 = out[i + 6];
                float[] out7 = out[i + 7];
                for (int b = 0, at = i; b < count; b++, at += width) {
                    out0[b] = x[at] * s;
                    out1[b] = x[at + 1] * s;
                    out2[b] = x[at + 2] * s;
                    out3[b] = x[at + 3] * s;
                    out4[b] = x[at + 4] * s;
                    out5[b] = x[at + 5] * s;
                    out6[b] = x[at + 6] * s;
                    out7[b] = x[at + 7] * s;
                }
            }
            for (; i + 4 <= width; i += 4) {
                float[] out0 = out[i];
                float[] out1 = out[i + 1];
                float[] out2 = out[i + 2];
                float[] out3 = out[i + 3];
                for (int b = 0, at = i; b < count; b++, at += width) {
                    out0[b] = x[at] * s;
                    out1[b] = x[at + 1] * s;
                    out2[b] = x[at + 2] * s;
                    out3[b] = x[at + 3] * s;
                }
            }
            for (; i < width; i++) {
                float[] row = out[i];
                for (int b = 0, at = i; b < count; b++, at += width) {
                    row[b] = x[at] * s;
                }
            }
        }

        @Override
        void untranspose(float[][] rows, int width, int count, float[] out) {
            int i = 0;
            for (; width >= EIGHT_ROWS_FROM && i + 8 <= width; i += 8) {
                float[] row0 = rows[i];
                float[] row1 = rows[i + 1];
                float[] row2 = rows[i + 2];
                float[] row3 = rows[i + 3];
                float[] row4 = rows[i + 4];
                float[] row5 = rows[i + 5];
                float[] row6 = rows[i + 6];
                float[] row7 = rows[i + 7];
                for (int b = 0, at = i; b < count; b++, at += width) {
                    out[at] = row0[b];
                    out[at + 1] = row1[b];
                    out[at + 2] = row2[b];
                    out[at + 3] = row3[b];
                    out[at + 4] = row4[b];
                    out[at + 5] = row5[b];
                    out[at + 6] = row6[b];
                    out[at + 7] = row7[b];
                }
            }
            for (; i + 4 <= width; i += 4) {
                float[] row0 = rows[i];
                float[] row1 = rows[i + 1];
                float[] row2 = rows[i + 2];
                float[] row3 = rows[i + 3];
                for (int b = 0, at = i; b < count; b++, at += width) {
                    out[at] = row0[b];
                    out[at + 1] = row1[b];
                    out[at + 2] = row2[b];
                    out[at + 3] = row3[b];
                }
            }
            for (; i < width; i++) {
                float[] row = rows[i];
                for (int b = 0, at = i; b < count; b++, at += width) {
                    out[at] = row[b];
                }
            }
        }

        @Override
        void multiply(float[][] x, int inDim, float[] weights, int outDim, int count, float[][] out) {
            if (inDim < TWO_OUTPUTS_FROM) {
                oneOutputPerPass(x, inDim, weights, outDim, count, out);
                return;
            }
            float[] pair = new float[2 * COLUMNS];
            float[][] columns = count <= COLUMNS ? x : new float[inDim][COLUMNS];
            int step = passWidth(count);
            for (int from = 0; from < count; from += step) {
                int n = Math.min(step, count - from);
                if (columns != x) {
                    for (int k = 0; k < inDim; k++) {
                        System.arraycopy(x[k], from, columns[k], 0, n);
                    }
                }
                int o = 0;
                for (; o + 2 <= outDim; o += 2) {
                    twoOutputs(columns, inDim, weights, o, n, pair);
                    System.arraycopy(pair, 0, out[o], from, n);
                    System.arraycopy(pair, COLUMNS, out[o + 1], from, n);
                }
                if (o < outDim) {
                    oneOutput(columns, inDim, weights, o, n, pair);
                    System.arraycopy(pair, 0, out[o], from, n);
                }
            }
        }

        /**
         * {@code pair[b]} and {@code pair[COLUMNS + b]} ({@code b < n}): outputs {@code o} and {@code o + 1}, as
         * {@link Float64}'s, with the loops over {@code b} written in this method: C2 (JDK 17) vectorized the float
         * loops only where it inlined them here, and a separate method's were scalar in some JVMs (15 against 85
         * GFLOP/s, same harness), as {@link Float64}'s never were.
         */
        private static void twoOutputs(float[][] x, int inDim, float[] weights, int o, int n, float[] pair) {
            Arrays.fill(pair, 0, n, 0.0f);
            Arrays.fill(pair, COLUMNS, COLUMNS + n, 0.0f);
            int first = o * inDim;
            int second = first + inDim;
            int k = 0;
            for (; k + 4 <= inDim; k += 4) {
                float[] x0 = x[k];
                float[] x1 = x[k + 1];
                float[] x2 = x[k + 2];
                float[] x3 = x[k + 3];
                float a0 = weights[first + k];
                float a1 = weights[first + k + 1];
                float a2 = weights[first + k + 2];
                float a3 = weights[first + k + 3];
                float c0 = weights[second + k];
                float c1 = weights[second + k + 1];
                float c2 = weights[second + k + 2];
                float c3 = weights[second + k + 3];
                for (int b = 0; b < n; b++) {
                    float y0 = x0[b];
                    float y1 = x1[b];
                    float y2 = x2[b];
                    float y3 = x3[b];
                    pair[b] = Math.fma(y3, a3, Math.fma(y2, a2, Math.fma(y1, a1, Math.fma(y0, a0, pair[b]))));
                    pair[COLUMNS + b] = Math.fma(y3, c3, Math.fma(y2, c2, Math.fma(y1, c1, Math.fma(y0, c0,
                            pair[COLUMNS + b]))));
                }
            }
            for (; k < inDim; k++) {
                float[] x0 = x[k];
                float a0 = weights[first + k];
                float c0 = weights[second + k];
                for (int b = 0; b < n; b++) {
                    float y0 = x0[b];
                    pair[b] = Math.fma(y0, a0, pair[b]);
                    pair[COLUMNS + b] = Math.fma(y0, c0, pair[COLUMNS + b]);
                }
            }
        }

        /** {@code row[b]} ({@code b < n}): output {@code o}, its loops written here as {@link #twoOutputs}'. */
        private static void oneOutput(float[][] x, int inDim, float[] weights, int o, int n, float[] row) {
            Arrays.fill(row, 0, n, 0.0f);
            int first = o * inDim;
            int k = 0;
            for (; k + 4 <= inDim; k += 4) {
                float[] x0 = x[k];
                float[] x1 = x[k + 1];
                float[] x2 = x[k + 2];
                float[] x3 = x[k + 3];
                float a0 = weights[first + k];
                float a1 = weights[first + k + 1];
                float a2 = weights[first + k + 2];
                float a3 = weights[first + k + 3];
                for (int b = 0; b < n; b++) {
                    row[b] = Math.fma(x3[b], a3, Math.fma(x2[b], a2, Math.fma(x1[b], a1, Math.fma(x0[b], a0,
                            row[b]))));
                }
            }
            for (; k < inDim; k++) {
                float[] x0 = x[k];
                float a0 = weights[first + k];
                for (int b = 0; b < n; b++) {
                    row[b] = Math.fma(x0[b], a0, row[b]);
                }
            }
        }

        /**
         * One output per pass, four terms summed into it at a time, in the order of {@code k}, as
         * {@link dev.e3j.runtime.nn.FullyConnectedNet} does: for layers of fewer than {@link #TWO_OUTPUTS_FROM}
         * inputs, where it was the faster form (a first layer of 8 Bessel inputs: 47-57 against 5-17 GFLOP/s).
         */
        private static void oneOutputPerPass(float[][] x, int inDim, float[] weights, int outDim, int count,
                                             float[][] out) {
            for (int o = 0; o < outDim; o++) {
                int k;
                if (inDim >= 4) {
                    assign(out[o], x[0], x[1], x[2], x[3], weights, o * inDim, count);
                    k = 4;
                } else {
                    assign(out[o], x[0], weights[o * inDim], count);
                    k = 1;
                }
                for (; k + 4 <= inDim; k += 4) {
                    accumulate(out[o], x[k], x[k + 1], x[k + 2], x[k + 3], weights, o * inDim + k, count);
                }
                for (; k < inDim; k++) {
                    accumulate(out[o], x[k], weights[o * inDim + k], count);
                }
            }
        }

        /** {@code o[b] = x0[b] w[at] + x1[b] w[at + 1] + x2[b] w[at + 2] + x3[b] w[at + 3]}. */
        private static void assign(float[] o, float[] x0, float[] x1, float[] x2, float[] x3, float[] w, int at,
                                   int count) {
            float a0 = w[at];
            float a1 = w[at + 1];
            float a2 = w[at + 2];
            float a3 = w[at + 3];
            for (int b = 0; b < count; b++) {
                o[b] = x0[b] * a0 + x1[b] * a1 + x2[b] * a2 + x3[b] * a3;
            }
        }

        /** {@code o[b] = x[b] a}. */
        private static void assign(float[] o, float[] x, float a, int count) {
            for (int b = 0; b < count; b++) {
                o[b] = x[b] * a;
            }
        }

        /** {@code o[b] += x0[b] w[at] + x1[b] w[at + 1] + x2[b] w[at + 2] + x3[b] w[at + 3]}. */
        private static void accumulate(float[] o, float[] x0, float[] x1, float[] x2, float[] x3, float[] w,
                                       int at, int count) {
            float a0 = w[at];
            float a1 = w[at + 1];
            float a2 = w[at + 2];
            float a3 = w[at + 3];
            for (int b = 0; b < count; b++) {
                o[b] += x0[b] * a0 + x1[b] * a1 + x2[b] * a2 + x3[b] * a3;
            }
        }

        /** {@code o[b] += x[b] a}. */
        private static void accumulate(float[] o, float[] x, float a, int count) {
            for (int b = 0; b < count; b++) {
                o[b] += x[b] * a;
            }
        }

        @Override
        void sumRows(float[] source, int width, int first, int end, float[] target, int targetAt, float[] sum,
                     float[] row) {
            System.arraycopy(source, first * width, sum, 0, width);
            for (int e = first + 1; e < end; e++) {
                System.arraycopy(source, e * width, row, 0, width);
                for (int c = 0; c < width; c++) {
                    sum[c] += row[c];
                }
            }
            System.arraycopy(sum, 0, target, targetAt, width);
        }

        @Override
        void scale(float[][] rows, int count, double factor) {
            float f = (float) factor;
            for (float[] row : rows) {
                for (int b = 0; b < count; b++) {
                    row[b] *= f;
                }
            }
        }

        @Override
        void multiply(float[][] values, float[][] factors, int count) {
            for (int i = 0; i < values.length; i++) {
                float[] row = values[i];
                float[] factor = factors[i];
                for (int b = 0; b < count; b++) {
                    row[b] *= factor[b];
                }
            }
        }

        @Override
        void valuesAndDerivatives(ScalarFunction f, float[][] x, float[][] values, float[][] derivatives,
                                  int count) {
            for (int i = 0; i < x.length; i++) {
                f.valuesAndDerivatives(x[i], values[i], derivatives[i], 0, count);
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
