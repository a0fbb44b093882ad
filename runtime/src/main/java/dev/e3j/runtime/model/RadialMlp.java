package dev.e3j.runtime.model;

import dev.e3j.runtime.nn.FullyConnectedNet;
import dev.e3j.runtime.nn.ScalarFunction;
import java.util.ArrayList;
import java.util.List;

/**
 * MACE's radial MLP ({@code conv_tp_weights}: e3nn's {@code FullyConnectedNet(hs, act)} with unit variances and no
 * activation after the last layer) on one block of edges at a time, in the calling thread, with its weights laid out
 * once: layer {@code l} is {@code z = (x / sqrt(h_l)) W_l}, then {@code act(z)} except after the last layer. In
 * {@link Numbers#FLOAT64} each value sums the same products in the same order as {@link FullyConnectedNet}, so the
 * values are the same bits; what differs is that a caller running its own blocks of edges in parallel (the fused
 * edge pass of {@link Mace}) keeps each block's intermediates small enough to stay in cache, and the weights are laid
 * out once, as rows and columns in arrays of their own ({@link Numbers#multiply}).
 *
 * <p>For training on energies and forces, the parameter gradient ({@link #backward(int, double[], double[],
 * double[], double[])}), the forward-mode tangent ({@link #jvp}) and the second derivatives ({@link
 * #doubleBackward}) of a block of rows are {@link FullyConnectedNet}'s with these weights in double, in the calling
 * thread for a block of up to 64 rows (the network's parallel block).
 *
 * @param <A> the arrays it computes in, {@code double[]} or {@code float[]}
 */
final class RadialMlp<A> {

    private final Numbers<A> numbers;
    private final FullyConnectedNet net;
    /** The flat parameters in double, for the training methods. */
    private final double[] params;
    private final int[] hs;
    private final ScalarFunction act;
    /** {@code rows.get(l).get(i)}: row {@code i} of layer {@code l}'s weights ({@code [h_l][h_l+1]}). */
    private final List<List<A>> rows = new ArrayList<>();
    /** {@code columns.get(l).get(j)}: column {@code j} of layer {@code l}'s weights, for the backward pass. */
    private final List<List<A>> columns = new ArrayList<>();

    /**
     * The layers of {@code net} with its flat {@code params} (layer by layer, each {@code [h_in][h_out]}), rounded
     * once to the type of {@code numbers}.
     */
    RadialMlp(Numbers<A> numbers, FullyConnectedNet net, ScalarFunction act, double[] params) {
        this.numbers = numbers;
        this.net = net;
        this.params = params.clone();
        this.hs = net.hs();
        this.act = act;
        int offset = 0;
        for (int l = 0; l + 1 < hs.length; l++) {
            int hIn = hs[l];
            int hOut = hs[l + 1];
            List<A> layerRows = new ArrayList<>();
            for (int i = 0; i < hIn; i++) {
                layerRows.add(numbers.round(params, offset + i * hOut, offset + (i + 1) * hOut));
            }
            List<A> layerColumns = new ArrayList<>();
            for (int j = 0; j < hOut; j++) {
                double[] column = new double[hIn];
                for (int i = 0; i < hIn; i++) {
                    column[i] = params[offset + i * hOut + j];
                }
                layerColumns.add(numbers.round(column, 0, hIn));
            }
            rows.add(layerRows);
            columns.add(layerColumns);
            offset += hIn * hOut;
        }
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
    final class Trace {
        private final List<A> derivatives;
        private final A output;

        private Trace(List<A> derivatives, A output) {
            this.derivatives = derivatives;
            this.output = output;
        }

        /** Output rows {@code from .. to}, {@code [to - from][h_L]} (a copy). */
        A output(int from, int to) {
            return numbers.copyOfRange(output, from * outputDim(), to * outputDim());
        }
    }

    /** An empty trace for {@code rows} rows, filled by {@link #forward}. */
    Trace trace(int rows) {
        List<A> derivatives = new ArrayList<>();
        for (int l = 1; l + 1 < hs.length; l++) {
            derivatives.add(numbers.zeros(rows * hs[l]));
        }
        return new Trace(derivatives, numbers.zeros(rows * outputDim()));
    }

    /**
     * The forward pass of rows {@code from .. to}, whose inputs are {@code x} ({@code [to - from][h_0]}), into those
     * rows of {@code trace}; returns their output ({@code [to - from][h_L]}).
     */
    A forward(Trace trace, A x, int from, int to) {
        int count = to - from;
        int layers = hs.length - 1;
        A h = x;
        for (int l = 0; l < layers; l++) {
            int hIn = hs[l];
            int hOut = hs[l + 1];
            A z = numbers.zeros(count * hOut);
            numbers.multiply(h, count, hIn, rows.get(l), hOut, 1 / Math.sqrt(hIn), z);
            if (l + 1 < layers) {
                A y = numbers.zeros(count * hOut);
                numbers.valuesAndDerivatives(act, z, y, trace.derivatives.get(l), from * hOut, count * hOut);
                h = y;
            } else {
                System.arraycopy(z, 0, trace.output, from * hOut, count * hOut);
                h = z;
            }
        }
        return h;
    }

    /**
     * {@code gradX} ({@code [to - from][h_0]}, overwritten): the gradient of {@code sum(out * gradOut)} over rows
     * {@code from .. to} of {@code trace}, {@code gradOut} holding those rows from its start (and left as it is).
     */
    void backward(Trace trace, int from, int to, A gradOut, A gradX) {
        int count = to - from;
        A grad = gradOut;
        for (int l = hs.length - 2; l >= 0; l--) {
            int hIn = hs[l];
            int hOut = hs[l + 1];
            if (l + 2 < hs.length) {
                if (grad == gradOut) {
                    grad = numbers.copyOfRange(gradOut, 0, count * hOut);
                }
                numbers.multiply(grad, trace.derivatives.get(l), from * hOut, count * hOut);
            }
            A gradIn = l == 0 ? gradX : numbers.zeros(count * hIn);
            numbers.multiply(grad, count, hOut, columns.get(l), hIn, 1.0, gradIn);
            numbers.scale(gradIn, 1 / Math.sqrt(hIn));
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
}
