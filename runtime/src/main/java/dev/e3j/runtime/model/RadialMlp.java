package dev.e3j.runtime.model;

import dev.e3j.runtime.nn.FullyConnectedNet;
import dev.e3j.runtime.nn.ScalarFunction;
import java.util.Arrays;

/**
 * MACE's radial MLP ({@code conv_tp_weights}: e3nn's {@code FullyConnectedNet(hs, act)} with unit variances and no
 * activation after the last layer) on one block of edges at a time, in the calling thread, with its weights laid out
 * once: layer {@code l} is {@code z = (x / sqrt(h_l)) W_l}, then {@code act(z)} except after the last layer. The
 * arithmetic is {@link FullyConnectedNet}'s (same loops, same order), so the values are the same bits; what differs
 * is that a caller running its own blocks of edges in parallel (the fused edge pass of {@link Mace}) keeps each
 * block's intermediates small enough to stay in cache, and no weight copy is made per call.
 *
 * <p>For training on energies and forces, the parameter gradient ({@link #backward(int, double[], double[],
 * double[], double[])}), the forward-mode tangent ({@link #jvp}) and the second derivatives ({@link
 * #doubleBackward}) of a block of rows are {@link FullyConnectedNet}'s with these weights, in the calling thread for
 * a block of up to 64 rows (the network's parallel block).
 */
final class RadialMlp {

    private final FullyConnectedNet net;
    private final double[] params;
    private final int[] hs;
    private final ScalarFunction act;
    /** {@code rows[l][i]}: row {@code i} of layer {@code l}'s weights ({@code [h_l][h_l+1]}), each at offset 0. */
    private final double[][][] rows;
    /** {@code columns[l][j]}: column {@code j} of layer {@code l}'s weights, for the backward pass. */
    private final double[][][] columns;
    private final int widest;
    /** The widest hidden layer: the width of the blocks' scratch rows. */
    private final int widestHidden;

    /** The layers of {@code net} with its flat {@code params} (layer by layer, each {@code [h_in][h_out]}). */
    RadialMlp(FullyConnectedNet net, ScalarFunction act, double[] params) {
        this.net = net;
        this.params = params.clone();
        this.hs = net.hs();
        this.act = act;
        int layers = hs.length - 1;
        this.rows = new double[layers][][];
        this.columns = new double[layers][][];
        int offset = 0;
        for (int l = 0; l < layers; l++) {
            int hIn = hs[l];
            int hOut = hs[l + 1];
            rows[l] = new double[hIn][];
            columns[l] = new double[hOut][hIn];
            for (int i = 0; i < hIn; i++) {
                rows[l][i] = Arrays.copyOfRange(params, offset + i * hOut, offset + (i + 1) * hOut);
                for (int j = 0; j < hOut; j++) {
                    columns[l][j][i] = rows[l][i][j];
                }
            }
            offset += hIn * hOut;
        }
        this.widest = Arrays.stream(hs).max().getAsInt();
        this.widestHidden = Arrays.stream(hs, 1, hs.length - 1).max().orElse(0);
    }

    /** Width of the output rows. */
    int outputDim() {
        return hs[hs.length - 1];
    }

    /**
     * What the input gradients need from the forward pass of all rows: each hidden layer's {@code act'(z)}, and the
     * output (the layers' inputs only serve weight gradients, which MACE's forces do not take). One array per layer
     * for all rows, which blocks fill at their own rows: a few large arrays, not many small ones that the garbage
     * collector would copy while the pass keeps them.
     */
    static final class Trace {
        private final double[][] derivatives;
        private final double[] output;

        private Trace(double[][] derivatives, double[] output) {
            this.derivatives = derivatives;
            this.output = output;
        }

        /** Output rows {@code from .. to}, {@code [to - from][h_L]} (a copy). */
        double[] output(int from, int to, int width) {
            return Arrays.copyOfRange(output, from * width, to * width);
        }
    }

    /** An empty trace for {@code rows} rows, filled by {@link #forward}. */
    Trace trace(int rows) {
        int layers = hs.length - 1;
        double[][] derivatives = new double[layers][];
        for (int l = 0; l + 1 < layers; l++) {
            derivatives[l] = new double[rows * hs[l + 1]];
        }
        return new Trace(derivatives, new double[rows * outputDim()]);
    }

    /**
     * The forward pass of rows {@code from .. to}, whose inputs are {@code x} ({@code [to - from][h_0]}), into those
     * rows of {@code trace}; returns their output ({@code [to - from][h_L]}). The pre-activations and the hidden
     * layers' values live in two scratch arrays of the block.
     */
    double[] forward(Trace trace, double[] x, int from, int to) {
        int count = to - from;
        int layers = hs.length - 1;
        double[] sum = new double[widest];
        double[] z = new double[count * widestHidden];
        double[][] values = {new double[count * widestHidden], new double[count * widestHidden]};
        double[] h = x;
        for (int l = 0; l < layers; l++) {
            int hIn = hs[l];
            int hOut = hs[l + 1];
            double scale = 1 / Math.sqrt(hIn);
            boolean last = l + 1 == layers;
            double[] pre = last ? new double[count * hOut] : z;
            for (int b = 0; b < count; b++) {
                affineRow(h, b * hIn, hIn, rows[l], hOut, scale, sum);
                System.arraycopy(sum, 0, pre, b * hOut, hOut);
            }
            if (!last) {
                double[] y = values[l % 2];
                double[] derivative = new double[count * hOut];
                act.valuesAndDerivatives(z, y, derivative, 0, count * hOut);
                System.arraycopy(derivative, 0, trace.derivatives[l], from * hOut, count * hOut);
                h = y;
            } else {
                System.arraycopy(pre, 0, trace.output, from * hOut, count * hOut);
                h = pre;
            }
        }
        return h;
    }

    /**
     * {@code gradX} ({@code [to - from][h_0]}, overwritten): the gradient of {@code sum(out * gradOut)} over rows
     * {@code from .. to} of {@code trace}, {@code gradOut} holding those rows from its start.
     */
    void backward(Trace trace, int from, int to, double[] gradOut, double[] gradX) {
        int count = to - from;
        double[] sum = new double[widest];
        double[][] scratch = {new double[count * widestHidden], new double[count * widestHidden]};
        double[] grad = gradOut;
        for (int l = hs.length - 2; l >= 0; l--) {
            int hIn = hs[l];
            int hOut = hs[l + 1];
            if (trace.derivatives[l] != null) {
                double[] derivative = trace.derivatives[l];
                double[] scaled = grad == gradOut ? scratch[0] : grad;
                int at = from * hOut;
                for (int i = 0; i < count * hOut; i++) {
                    scaled[i] = grad[i] * derivative[at + i];
                }
                grad = scaled;
            }
            double scale = 1 / Math.sqrt(hIn);
            double[] gradIn = l == 0 ? gradX : grad == scratch[0] ? scratch[1] : scratch[0];
            for (int b = 0; b < count; b++) {
                affineRow(grad, b * hOut, hOut, columns[l], hIn, 1.0, sum);
                for (int i = 0; i < hIn; i++) {
                    gradIn[b * hIn + i] = sum[i] * scale;
                }
            }
            grad = gradIn;
        }
    }

    /**
     * The gradients of {@code sum(out * gradOut)} over {@code count} rows {@code x} ({@code [count][h_0]}):
     * {@code gradX} ({@code [count][h_0]}) and {@code gradParams} (summed over the rows, in the layout of the flat
     * parameters), each overwritten, {@code null} to skip; {@link FullyConnectedNet#backward(int, double[], double[],
     * double[], double[], double[])} with this MLP's weights, the forward recomputed.
     */
    void backward(int count, double[] x, double[] gradOut, double[] gradX, double[] gradParams) {
        net.backward(count, x, params, gradOut, gradX, gradParams);
    }

    /**
     * The tangent {@code dOut} ({@code [count][h_L]}, overwritten) of the output of {@code count} rows {@code x} along
     * {@code dx}: {@link FullyConnectedNet#jvp} with this MLP's weights held fixed.
     */
    void jvp(int count, double[] x, double[] dx, double[] dOut) {
        net.jvp(count, x, params, dx, null, dOut);
    }

    /**
     * The second derivatives of {@code count} rows {@code x}: given cotangents {@code ggX} and {@code ggParams} of
     * {@link #backward(int, double[], double[], double[], double[])}'s {@code gradX} and {@code gradParams}
     * ({@code null} = zero), the gradients with respect to {@code x}, the parameters and {@code gradOut}, each
     * overwritten, {@code null} to skip: {@link FullyConnectedNet#doubleBackward} with this MLP's weights.
     */
    void doubleBackward(int count, double[] x, double[] gradOut, double[] ggX, double[] ggParams, double[] gX,
                        double[] gParams, double[] gGradOut) {
        net.doubleBackward(count, x, params, gradOut, ggX, ggParams, gX, gParams, gGradOut);
    }

    /**
     * {@code sum[j] = sum_i (x[at + i] scale) rows[i][j]} for {@code j < width}, four rows per pass (one store of
     * {@code sum} per four multiply-adds, in loops HotSpot vectorizes).
     */
    private static void affineRow(double[] x, int at, int length, double[][] rows, int width, double scale,
                                  double[] sum) {
        Arrays.fill(sum, 0, width, 0.0);
        int i = 0;
        for (; i + 4 <= length; i += 4) {
            double x0 = x[at + i] * scale;
            double x1 = x[at + i + 1] * scale;
            double x2 = x[at + i + 2] * scale;
            double x3 = x[at + i + 3] * scale;
            double[] r0 = rows[i];
            double[] r1 = rows[i + 1];
            double[] r2 = rows[i + 2];
            double[] r3 = rows[i + 3];
            for (int j = 0; j < width; j++) {
                sum[j] += x0 * r0[j] + x1 * r1[j] + x2 * r2[j] + x3 * r3[j];
            }
        }
        for (; i < length; i++) {
            double xi = x[at + i] * scale;
            double[] row = rows[i];
            for (int j = 0; j < width; j++) {
                sum[j] += xi * row[j];
            }
        }
    }
}
