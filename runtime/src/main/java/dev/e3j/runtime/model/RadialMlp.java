package dev.e3j.runtime.model;

import dev.e3j.runtime.nn.FullyConnectedNet;
import dev.e3j.runtime.nn.ScalarFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * MACE's radial MLP ({@code conv_tp_weights}: e3nn's {@code FullyConnectedNet(hs, act)} with unit variances and no
 * activation after the last layer) on one block of edges at a time, in the calling thread, with its weights laid out
 * once: layer {@code l} is {@code z = (x / sqrt(h_l)) W_l}, then {@code act(z)} except after the last layer. In
 * {@link Numbers#FLOAT64} each value sums the same products in the same order as {@link FullyConnectedNet}, so the
 * values are the same bits; what differs is that a caller running its own blocks of edges in parallel (the fused
 * edge pass of {@link Mace}) keeps each block's intermediates small enough to stay in cache, runs the block
 * transposed, one array per feature, so that the loops over its rows vectorize ({@link Numbers#rows}), and lays the
 * weights out once, transposed for the forward pass and as stored for the backward pass.
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
    /** {@code forwardWeights.get(l)}: layer {@code l}'s weights transposed, {@code [h_l+1][h_l]}. */
    private final List<A> forwardWeights = new ArrayList<>();
    /** {@code backwardWeights.get(l)}: layer {@code l}'s weights as stored, {@code [h_l][h_l+1]}. */
    private final List<A> backwardWeights = new ArrayList<>();

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
            double[] transposed = new double[hIn * hOut];
            for (int i = 0; i < hIn; i++) {
                for (int j = 0; j < hOut; j++) {
                    transposed[j * hIn + i] = params[offset + i * hOut + j];
                }
            }
            forwardWeights.add(numbers.round(transposed, 0, transposed.length));
            backwardWeights.add(numbers.round(params, offset, offset + hIn * hOut));
            offset += hIn * hOut;
        }
    }

    /** Width of the output rows. */
    int outputDim() {
        return hs[hs.length - 1];
    }

    /**
     * What the input gradients need from the forward pass of all rows: each block's hidden layers' {@code act'(z)}
     * (transposed, as {@link Numbers#rows}), kept under the block's first row, and the output of all rows (the
     * layers' inputs only serve weight gradients, which MACE's forces do not take).
     */
    final class Trace {
        /** At {@code from}: the derivatives of the block of rows {@code from ..}, one entry per hidden layer. */
        private final AtomicReferenceArray<List<A[]>> derivatives;
        private final A output;

        private Trace(int rows) {
            this.derivatives = new AtomicReferenceArray<>(rows);
            this.output = numbers.zeros(rows * outputDim());
        }

        /** Output rows {@code from .. to}, {@code [to - from][h_L]} (a copy). */
        A output(int from, int to) {
            return numbers.copyOfRange(output, from * outputDim(), to * outputDim());
        }

        /** The derivatives that {@link #forward} kept for the block of rows {@code from .. to}. */
        private List<A[]> derivatives(int from, int to) {
            List<A[]> block = derivatives.get(from);
            if (block == null) {
                throw new IllegalStateException("no block of the forward pass starts at row " + from + " (rows " + from
                        + ".." + to + ")");
            }
            return block;
        }
    }

    /** An empty trace for {@code rows} rows, filled by {@link #forward}. */
    Trace trace(int rows) {
        return new Trace(rows);
    }

    /**
     * The forward pass of the block of rows {@code from .. to}, whose inputs are {@code x} ({@code [to - from][h_0]}),
     * into those rows of {@code trace}; returns their output ({@code [to - from][h_L]}). The block runs transposed
     * ({@link Numbers#rows}); each value sums the same products in the same order as {@link FullyConnectedNet}.
     */
    A forward(Trace trace, A x, int from, int to) {
        int count = to - from;
        int layers = hs.length - 1;
        A[] h = numbers.rows(hs[0], count);
        numbers.transpose(x, count, hs[0], 1 / Math.sqrt(hs[0]), h);
        List<A[]> derivatives = new ArrayList<>(layers - 1);
        for (int l = 0; ; l++) {
            int hOut = hs[l + 1];
            A[] z = numbers.rows(hOut, count);
            numbers.multiply(h, hs[l], forwardWeights.get(l), hOut, count, z);
            if (l + 1 == layers) {
                A out = numbers.zeros(count * hOut);
                numbers.untranspose(z, hOut, count, out);
                System.arraycopy(out, 0, trace.output, from * hOut, count * hOut);
                if (count > 0) {
                    trace.derivatives.set(from, derivatives);
                }
                return out;
            }
            A[] y = numbers.rows(hOut, count);
            A[] derivative = numbers.rows(hOut, count);
            numbers.valuesAndDerivatives(act, z, y, derivative, count);
            derivatives.add(derivative);
            numbers.scale(y, count, 1 / Math.sqrt(hOut));
            h = y;
        }
    }

    /**
     * {@code gradX} ({@code [to - from][h_0]}, overwritten): the gradient of {@code sum(out * gradOut)} over the
     * block of rows {@code from .. to} of {@code trace}, as {@link #forward} ran it, {@code gradOut} holding those
     * rows from its start (and left as it is).
     *
     * @throws IllegalStateException if {@link #forward} did not run that block
     */
    void backward(Trace trace, int from, int to, A gradOut, A gradX) {
        int count = to - from;
        if (count == 0) {
            return;
        }
        List<A[]> derivatives = trace.derivatives(from, to);
        int layers = hs.length - 1;
        A[] grad = numbers.rows(hs[layers], count);
        numbers.transpose(gradOut, count, hs[layers], 1.0, grad);
        for (int l = layers - 1; l >= 0; l--) {
            int hIn = hs[l];
            if (l + 1 < layers) {
                numbers.multiply(grad, derivatives.get(l), count);
            }
            A[] gradIn = numbers.rows(hIn, count);
            numbers.multiply(grad, hs[l + 1], backwardWeights.get(l), hIn, count, gradIn);
            numbers.scale(gradIn, count, 1 / Math.sqrt(hIn));
            grad = gradIn;
        }
        numbers.untranspose(grad, hs[0], count, gradX);
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
