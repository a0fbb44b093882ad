package dev.e3j.runtime.model;

import dev.e3j.runtime.math.Normalize2Mom;
import dev.e3j.runtime.nn.FullyConnectedNet;
import dev.e3j.runtime.nn.ScalarFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * MACE's radial MLP ({@code conv_tp_weights}: e3nn's {@code FullyConnectedNet(hs, act)} with unit variances and no
 * activation after the last layer) on one block of edges at a time, in the calling thread, with its weights laid out
 * once: layer {@code l} is {@code z = (x / sqrt(h_l)) W_l}, then {@code act(z)} except after the last layer. In
 * {@link Numbers#FLOAT64} each value sums the same products in the same order as {@link FullyConnectedNet}, one
 * multiply-add per product where the network rounds the product first (within a few units in the last place of it;
 * C2 vectorizes the fused form over two outputs at a time, {@link Numbers#multiply(Object[], int, Object, int, int,
 * Object[])}); what differs besides is that a caller running its own blocks of edges in parallel (the fused edge pass
 * of {@link Mace}) keeps each block's intermediates small enough to stay in cache, runs the block transposed, one
 * array per feature, so that the loops over its rows vectorize ({@link Numbers#rows}), and lays the weights out once,
 * transposed for the forward pass and as stored for the backward pass. An edge's values do not depend on the block
 * it is in. In
 * {@link Numbers#FLOAT32} ({@link Numbers#foldsConstantFactors()}) the weights are laid out with the constant
 * factors folded in: layer 0's with {@code 1 / sqrt(h_0)}, each later layer's with {@code c / sqrt(h_l)}, where
 * {@code c} is the activation's {@link Normalize2Mom} constant, so that a layer is the product with the previous
 * layer's unnormalized activation and no pass scales a hidden layer (each value rounds differently, to float
 * precision).
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
    /** The activation the hidden layers apply: {@code act}, or its unnormalized function when the factors fold. */
    private final ScalarFunction act;
    /** Whether the weights hold the constant factors ({@link Numbers#foldsConstantFactors()}). */
    private final boolean folded;
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
        this.folded = numbers.foldsConstantFactors();
        double normalization = 1.0;
        if (folded && act instanceof Normalize2Mom normalized) {
            normalization = normalized.constant();
            this.act = normalized.unnormalized();
        } else {
            this.act = act;
        }
        int offset = 0;
        for (int l = 0; l + 1 < hs.length; l++) {
            int hIn = hs[l];
            int hOut = hs[l + 1];
            double factor = folded ? (l == 0 ? 1.0 : normalization) / Math.sqrt(hIn) : 1.0;
            double[] stored = new double[hIn * hOut];
            double[] transposed = new double[hIn * hOut];
            for (int i = 0; i < hIn; i++) {
                for (int j = 0; j < hOut; j++) {
                    double w = params[offset + i * hOut + j] * factor;
                    stored[i * hOut + j] = w;
                    transposed[j * hIn + i] = w;
                }
            }
            forwardWeights.add(numbers.round(transposed, 0, transposed.length));
            backwardWeights.add(numbers.round(stored, 0, stored.length));
            offset += hIn * hOut;
        }
    }

    /** Width of the output rows. */
    int outputDim() {
        return hs[hs.length - 1];
    }

    /**
     * What the input gradients need from the forward pass of all rows, kept per block under the block's first row:
     * the hidden layers' {@code act'(z)} (transposed, as {@link Numbers#rows}) and the block's output (the layers'
     * inputs only serve weight gradients, which MACE's forces do not take). No array spans all rows, so nothing here
     * is a large allocation the collector must treat apart.
     */
    final class Trace {
        /** At {@code from}: what {@link #forward} kept of the block of rows {@code from ..}. */
        private final AtomicReferenceArray<Kept<A>> blocks;

        private Trace(int rows) {
            this.blocks = new AtomicReferenceArray<>(rows);
        }

        /**
         * Output rows {@code from .. to}, {@code [to - from][h_L]}, of a block {@link #forward} ran: the array it
         * returned, kept (read it, never write it).
         *
         * @throws IllegalStateException if {@link #forward} ran no block of exactly these rows
         */
        A output(int from, int to) {
            return kept(from, to).output();
        }

        /** What {@link #forward} kept of the block of rows {@code from .. to}. */
        private Kept<A> kept(int from, int to) {
            Kept<A> block = from < to ? blocks.get(from) : null;
            if (block == null || block.rows() != to - from) {
                throw new IllegalStateException("no block of the forward pass starts at row " + from + " (rows " + from
                        + ".." + to + ")");
            }
            return block;
        }
    }

    /** A forward block's hidden-layer derivatives ({@code [h_l][rows]} each) and output ({@code [rows][h_L]}). */
    private record Kept<A>(int rows, List<A[]> derivatives, A output) {
    }

    /**
     * Rows for the intermediates of one block's forward or backward pass that nothing keeps, reused from block to
     * block: slot {@code s} holds its own {@code width} arrays of at least {@code count} entries (the forward pass's
     * input and each layer's {@code z} and {@code act(z)} in slots below {@code 2 hs.length}, the backward pass's
     * gradient of layer {@code l}'s input in slot {@code 2 hs.length + l}). One workspace serves
     * one block at a time ({@link #idle} hands them out), so blocks running in parallel, or a block a thread runs
     * while it waits inside another, never share one.
     */
    private final class Workspace {
        @SuppressWarnings("unchecked")
        private final A[][] slots = (A[][]) new Object[3 * hs.length][];
        private final int[] capacity = new int[3 * hs.length];

        /** Slot {@code slot}'s rows, {@code width} arrays of at least {@code count} entries, contents unspecified. */
        A[] rows(int slot, int width, int count) {
            if (slots[slot] == null || slots[slot].length != width || capacity[slot] < count) {
                slots[slot] = numbers.rows(width, count);
                capacity[slot] = count;
            }
            return slots[slot];
        }
    }

    /** Workspaces no block is using; a block takes one (or makes one) and puts it back when done. */
    private final ConcurrentLinkedQueue<Workspace> idle = new ConcurrentLinkedQueue<>();

    private Workspace takeWorkspace() {
        Workspace workspace = idle.poll();
        return workspace != null ? workspace : new Workspace();
    }

    /** An empty trace for {@code rows} rows, filled by {@link #forward}. */
    Trace trace(int rows) {
        return new Trace(rows);
    }

    /**
     * The forward pass of the block of rows {@code from .. to}, whose inputs are {@code x} ({@code [to - from][h_0]}),
     * into those rows of {@code trace}; returns their output ({@code [to - from][h_L]}). The block runs transposed
     * ({@link Numbers#rows}); each value sums the same products in the same order as {@link FullyConnectedNet}, one
     * multiply-add per product.
     */
    A forward(Trace trace, A x, int from, int to) {
        int count = to - from;
        int layers = hs.length - 1;
        Workspace workspace = takeWorkspace();
        try {
            A[] h = workspace.rows(0, hs[0], count);
            numbers.transpose(x, count, hs[0], folded ? 1.0 : 1 / Math.sqrt(hs[0]), h);
            List<A[]> derivatives = new ArrayList<>(layers - 1);
            for (int l = 0; ; l++) {
                int hOut = hs[l + 1];
                A[] z = workspace.rows(1 + 2 * l, hOut, count);
                numbers.multiply(h, hs[l], forwardWeights.get(l), hOut, count, z);
                if (l + 1 == layers) {
                    A out = numbers.zeros(count * hOut);
                    numbers.untranspose(z, hOut, count, out);
                    if (count > 0) {
                        trace.blocks.set(from, new Kept<>(count, derivatives, out));
                    }
                    return out;
                }
                A[] y = workspace.rows(2 + 2 * l, hOut, count);
                A[] derivative = numbers.rows(hOut, count);
                numbers.valuesAndDerivatives(act, z, y, derivative, count);
                derivatives.add(derivative);
                if (!folded) {
                    numbers.scale(y, count, 1 / Math.sqrt(hOut));
                }
                h = y;
            }
        } finally {
            idle.offer(workspace);
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
        List<A[]> derivatives = trace.kept(from, to).derivatives();
        int layers = hs.length - 1;
        Workspace workspace = takeWorkspace();
        try {
            int gradients = 2 * hs.length;
            A[] grad = workspace.rows(gradients + layers, hs[layers], count);
            numbers.transpose(gradOut, count, hs[layers], 1.0, grad);
            for (int l = layers - 1; l >= 0; l--) {
                int hIn = hs[l];
                if (l + 1 < layers) {
                    numbers.multiply(grad, derivatives.get(l), count);
                }
                A[] gradIn = workspace.rows(gradients + l, hIn, count);
                numbers.multiply(grad, hs[l + 1], backwardWeights.get(l), hIn, count, gradIn);
                if (!folded) {
                    numbers.scale(gradIn, count, 1 / Math.sqrt(hIn));
                }
                grad = gradIn;
            }
            numbers.untranspose(grad, hs[0], count, gradX);
        } finally {
            idle.offer(workspace);
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
