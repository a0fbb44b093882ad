package dev.e3j.runtime.nn;

import dev.e3j.runtime.BatchBlocks;
import java.util.Arrays;
import java.util.Random;

/**
 * e3nn's {@code nn.FullyConnectedNet(hs, act, variance_in=1, variance_out=1, out_act=False)}: layers
 * {@code h_0 -> h_1 -> ... -> h_L} with weights {@code W_i ~ N(0, 1)} of shape {@code [h_i][h_{i+1}]} and
 * <pre>{@code
 *   hidden layer:  x <- φ(x W / sqrt(h_in var_in)) sqrt(var_out)     (var_in = variance_in for the first layer, else 1)
 *   last layer:    x <- x W / sqrt(h_in var_in / var_out)            (var_out = variance_out; φ too if out_act)
 * }</pre>
 * with {@code φ = normalize2mom(act)} ({@link Normalize2Mom}). A {@code null} activation makes every layer linear.
 *
 * <p>Parameters are one flat array: the layers' weights in order, each row-major {@code [h_in][h_out]} (the order
 * and layout of e3nn's {@code state_dict}). Inputs are {@code [batch][h_0]}, outputs {@code [batch][h_L]}.
 * Stateless and thread-safe.
 */
public final class FullyConnectedNet {

    /** Samples per parallel block. */
    private static final int BLOCK_SIZE = 64;
    /** The parameter gradient sums over at most this many blocks, each into its own arrays. */
    private static final int MAX_PARTIAL_SUMS = 16;

    private final int[] hs;
    private final ScalarFunction act;
    private final double varianceIn;
    private final double varianceOut;
    private final boolean outAct;
    private final int[] weightOffsets;
    /** {@code max_i h_i}: the widest row of activations a batch holds. */
    private final int widestLayer;

    /** e3nn's defaults: unit variances, no activation after the last layer. */
    public FullyConnectedNet(int[] hs, ScalarFunction act) {
        this(hs, act, 1.0, 1.0, false);
    }

    /** e3nn's {@code FullyConnectedNet(hs, act, variance_in, variance_out, out_act)}. */
    public FullyConnectedNet(int[] hs, ScalarFunction act, double varianceIn, double varianceOut, boolean outAct) {
        String where = "new FullyConnectedNet";
        Checks.requireNonNull(where, "hs", hs);
        if (hs.length < 2) {
            throw Checks.invalid(where, "hs", "hold at least 2 sizes (input and output)", Arrays.toString(hs));
        }
        for (int i = 0; i < hs.length; i++) {
            if (hs[i] < 1) {
                throw Checks.invalid(where, "hs[" + i + "]", "be >= 1", hs[i]);
            }
        }
        if (!(varianceIn > 0)) {
            throw Checks.invalid(where, "varianceIn", "be > 0", varianceIn);
        }
        if (!(varianceOut > 0)) {
            throw Checks.invalid(where, "varianceOut", "be > 0", varianceOut);
        }
        this.hs = hs.clone();
        this.act = act == null ? null : Normalize2Mom.of(act);
        this.varianceIn = varianceIn;
        this.varianceOut = varianceOut;
        this.outAct = outAct;
        this.weightOffsets = new int[hs.length];
        for (int i = 0; i + 1 < hs.length; i++) {
            long end = weightOffsets[i] + (long) hs[i] * hs[i + 1];
            if (end > Checks.MAX_ARRAY_LENGTH) {
                throw Checks.invalid(where, "hs", "give at most " + Checks.MAX_ARRAY_LENGTH + " weights (the sum of h_i × "
                        + "h_i+1, in one array)", "at least " + end + " (hs = " + Arrays.toString(hs) + ")");
            }
            weightOffsets[i + 1] = (int) end;
        }
        this.widestLayer = Arrays.stream(hs).max().getAsInt();
    }

    /** Layer sizes {@code h_0 ... h_L}. */
    public int[] hs() {
        return hs.clone();
    }

    /** Input width {@code h_0}. */
    public int inputDim() {
        return hs[0];
    }

    /** Output width {@code h_L}. */
    public int outputDim() {
        return hs[hs.length - 1];
    }

    /** {@code max_i h_i}: a batch of {@code n} samples holds {@code n × widestLayer()} activations per layer at most. */
    int widestLayer() {
        return widestLayer;
    }

    /** {@code sum_i h_i h_{i+1}}. */
    public int parameterCount() {
        return weightOffsets[hs.length - 1];
    }

    /** Fresh parameters {@code ~ N(0, 1)} (e3nn's {@code torch.randn} initialization, with Java's generator). */
    public double[] initialParameters(Random random) {
        Checks.requireNonNull("FullyConnectedNet.initialParameters", "random", random);
        double[] params = new double[parameterCount()];
        for (int i = 0; i < params.length; i++) {
            params[i] = random.nextGaussian();
        }
        return params;
    }

    private int layers() {
        return hs.length - 1;
    }

    private boolean activated(int layer) {
        return act != null && (layer < layers() - 1 || outAct);
    }

    /** Weight scale {@code 1 / sqrt(h_in var_in)} (activated) or {@code 1 / sqrt(h_in var_in / var_out)}. */
    private double weightScale(int layer) {
        double varIn = layer == 0 ? varianceIn : 1.0;
        double varOut = layer == layers() - 1 ? varianceOut : 1.0;
        return activated(layer) ? 1 / Math.sqrt(hs[layer] * varIn) : 1 / Math.sqrt(hs[layer] * varIn / varOut);
    }

    /** Output gain {@code sqrt(var_out)} of an activated layer. */
    private double outputGain(int layer) {
        return Math.sqrt(layer == layers() - 1 ? varianceOut : 1.0);
    }

    /** Computes the network on {@code batch} rows of {@code x} with {@code params}, overwriting {@code out}. */
    public void forward(int batch, double[] x, double[] params, double[] out) {
        String where = "FullyConnectedNet.forward";
        check(where, batch, x, params);
        Checks.requireShape(where, "out", out, "batch", batch, outputDim());
        Trace trace = new Trace(this, batch, x, params, false);
        BatchBlocks.run(batch, BLOCK_SIZE, (block, from, to) -> trace.forward(from, to));
        System.arraycopy(trace.output, 0, out, 0, out.length);
    }

    /**
     * Gradients of {@code sum(out * gradOut)}: {@code gradX} ({@code [batch][h_0]}) and {@code gradParams} (summed
     * over the batch), each overwritten, {@code null} to skip. The parameter gradient is summed per block of samples
     * and then over the blocks in order, so it depends on the batch alone, not on the number of threads.
     */
    public void backward(int batch, double[] x, double[] params, double[] gradOut, double[] gradX,
                         double[] gradParams) {
        String where = "FullyConnectedNet.backward";
        check(where, batch, x, params);
        Checks.requireShape(where, "gradOut", gradOut, "batch", batch, outputDim());
        if (gradX != null) {
            Checks.requireShape(where, "gradX", gradX, "batch", batch, inputDim());
        }
        if (gradParams != null) {
            Checks.requireLength(where, "gradParams", gradParams, parameterCount());
        }
        backward(trace(batch, x, params), gradOut, gradX, gradParams);
    }

    /**
     * The intermediates of one forward pass, which {@link #backward(Trace, double[], double[], double[])} reuses: per
     * layer its input and, where activated, {@code act'(z)}, with the weights laid out for the row loops. A trace
     * from {@link #emptyTrace} is filled block by block by {@link #forward(int, int)}, and its blocks' gradients are
     * then taken by {@link #backward(int, int, double[], double[], double[])}: the serial steps of a caller that
     * runs its own blocks of samples in parallel (a fused convolution over blocks of edges).
     */
    public static final class Trace {
        private final FullyConnectedNet net;
        private final int batch;
        private final double[] params;
        /** {@code inputs[layer]}: {@code [batch][h_layer]}; {@code inputs[0]} is the caller's {@code x}. */
        private final double[][] inputs;
        /** {@code derivatives[layer]}: {@code act'(z)}, {@code [batch][h_layer+1]}, for activated layers. */
        private final double[][] derivatives;
        private final double[] output;
        /** Layer {@code layer}'s weights as rows {@code [h_in][h_out]}, each at offset 0 for the vectorized loops. */
        private final double[][][] rows;
        /** Layer {@code layer}'s weights transposed, as rows {@code [h_out][h_in]}. */
        private final double[][][] columns;

        private Trace(FullyConnectedNet net, int batch, double[] x, double[] params, boolean withDerivatives) {
            this.net = net;
            this.batch = batch;
            this.params = params;
            int layers = net.layers();
            this.inputs = new double[layers][];
            this.derivatives = new double[layers][];
            this.rows = new double[layers][][];
            this.columns = new double[layers][][];
            inputs[0] = x;
            for (int layer = 0; layer < layers; layer++) {
                int width = batch * net.hs[layer + 1];
                if (layer + 1 < layers) {
                    inputs[layer + 1] = new double[width];
                }
                if (withDerivatives && net.activated(layer)) {
                    derivatives[layer] = new double[width];
                }
                rows[layer] = net.rows(params, layer);
                columns[layer] = withDerivatives ? net.columns(params, layer) : null;
            }
            this.output = new double[batch * net.outputDim()];
        }

        /** The output, {@code [batch][h_L]} (a copy). */
        public double[] output() {
            return output.clone();
        }

        /** Copies the output rows of samples {@code from .. to} into {@code out}, from its start. */
        public void copyOutput(int from, int to, double[] out) {
            checkRows("FullyConnectedNet.Trace.copyOutput", from, to);
            Checks.requireNonNull("FullyConnectedNet.Trace.copyOutput", "out", out);
            int width = net.outputDim();
            System.arraycopy(output, from * width, out, 0, (to - from) * width);
        }

        private void checkRows(String where, int from, int to) {
            if (from < 0 || from > to || to > batch) {
                throw Checks.invalid(where, "from, to", "satisfy 0 <= from <= to <= batch = " + batch,
                        from + ", " + to);
            }
        }

        /**
         * Computes every layer for samples {@code from .. to} in the calling thread. Per sample, each row of the
         * weights adds into a row of the result in loops HotSpot vectorizes; the activation's derivative is computed
         * with its value, sharing their exponentials.
         */
        public void forward(int from, int to) {
            checkRows("FullyConnectedNet.Trace.forward", from, to);
            int[] hs = net.hs;
            double[] sum = new double[net.widestLayer];
            double[] z = new double[(to - from) * net.widestLayer];
            for (int layer = 0; layer < inputs.length; layer++) {
                int hIn = hs[layer];
                int hOut = hs[layer + 1];
                double scale = net.weightScale(layer);
                double[][] weights = rows[layer];
                double[] in = inputs[layer];
                boolean last = layer + 1 == inputs.length;
                boolean activated = net.activated(layer);
                double[] y = last ? output : inputs[layer + 1];
                double[] pre = activated ? z : y;
                int preOffset = activated ? -from * hOut : 0;
                for (int b = from; b < to; b++) {
                    affineRow(in, b * hIn, hIn, weights, hOut, scale, sum);
                    System.arraycopy(sum, 0, pre, b * hOut + preOffset, hOut);
                }
                if (activated) {
                    activate(layer, z, y, from * hOut, (to - from) * hOut);
                }
            }
        }

        /** {@code y[at ..] = gain act(z[0 .. count])}, and {@code act'(z)} into this layer's derivatives if kept. */
        private void activate(int layer, double[] z, double[] y, int at, int count) {
            double[] values = new double[count];
            double[] derivative = derivatives[layer];
            if (derivative != null) {
                double[] slopes = new double[count];
                net.act.valuesAndDerivatives(z, values, slopes, 0, count);
                System.arraycopy(slopes, 0, derivative, at, count);
            } else {
                net.act.values(z, values, 0, count);
            }
            double gain = net.outputGain(layer);
            for (int i = 0; i < count; i++) {
                y[at + i] = values[i] * gain;
            }
        }

        /**
         * Gradients of {@code sum(out * gradOut)} over samples {@code from .. to}, in the calling thread, from a
         * trace whose rows {@code from .. to} are computed: {@code gradOut} and {@code gradX} hold those samples'
         * rows from their start ({@code gradX} overwritten, {@code null} to skip); their weight gradient is added
         * to {@code gradParams} ({@code null} to skip). Blocks that add into one array per block, summed in block
         * order, give results that do not depend on the number of threads.
         */
        public void backward(int from, int to, double[] gradOut, double[] gradX, double[] gradParams) {
            String where = "FullyConnectedNet.Trace.backward";
            checkRows(where, from, to);
            int count = to - from;
            Checks.requireShape(where, "gradOut", gradOut, "to - from", count, net.outputDim());
            if (gradX != null) {
                Checks.requireShape(where, "gradX", gradX, "to - from", count, net.inputDim());
            }
            if (gradParams != null) {
                Checks.requireLength(where, "gradParams", gradParams, net.parameterCount());
            }
            int[] hs = net.hs;
            double[] grad = Arrays.copyOf(gradOut, count * net.outputDim());
            double[] sum = new double[net.widestLayer];
            for (int layer = inputs.length - 1; layer >= 0; layer--) {
                int hIn = hs[layer];
                int hOut = hs[layer + 1];
                if (net.activated(layer)) {
                    multiply(grad, count * hOut, net.outputGain(layer), derivatives[layer], from * hOut);
                }
                double scale = net.weightScale(layer);
                if (gradParams != null) {
                    addWeightGradient(inputs[layer], from, count, hIn, grad, hOut, scale, gradParams,
                            net.weightOffsets[layer]);
                }
                if (layer == 0 && gradX == null) {
                    break;
                }
                double[] gradIn = layer == 0 ? gradX : new double[count * hIn];
                double[][] weights = columns[layer];
                for (int b = 0; b < count; b++) {
                    affineRow(grad, b * hOut, hOut, weights, hIn, scale, sum);
                    System.arraycopy(sum, 0, gradIn, b * hIn, hIn);
                }
                grad = gradIn;
            }
        }
    }

    /**
     * {@code sum[j] = sum_i (x[at + i] scale) rows[i][j]} for {@code j < width}, four rows per pass (one store of
     * {@code sum} per four multiply-adds, still vectorized). A method of its own, which HotSpot compiles and
     * vectorizes on its own.
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

    /** {@code grad[i] *= gain derivative[at + i]} for {@code i < count}. */
    private static void multiply(double[] grad, int count, double gain, double[] derivative, int at) {
        for (int i = 0; i < count; i++) {
            grad[i] *= gain * derivative[at + i];
        }
    }

    /** {@code gradParams[offset + i hOut + j] += scale sum_b input[from + b][i] grad[b][j]}. */
    private static void addWeightGradient(double[] input, int from, int count, int hIn, double[] grad, int hOut,
                                          double scale, double[] gradParams, int offset) {
        for (int b = 0; b < count; b++) {
            int g = b * hOut;
            for (int i = 0; i < hIn; i++) {
                double v = input[(from + b) * hIn + i] * scale;
                int w = offset + i * hOut;
                for (int j = 0; j < hOut; j++) {
                    gradParams[w + j] += v * grad[g + j];
                }
            }
        }
    }

    /**
     * The forward pass of {@code x} ({@code [batch][h_0]}) with its intermediates, for a backward pass that does not
     * recompute them; {@code x} and {@code params} are kept, not copied, and must not change until then.
     */
    public Trace trace(int batch, double[] x, double[] params) {
        Trace trace = emptyTrace(batch, x, params);
        BatchBlocks.run(batch, BLOCK_SIZE, (block, from, to) -> trace.forward(from, to));
        return trace;
    }

    /**
     * A trace of {@code x} ({@code [batch][h_0]}) with no row computed yet: the caller computes every sample once
     * with {@link Trace#forward(int, int)} (blocks in any order, in parallel) before reading it. {@code x} and
     * {@code params} are kept, not copied, and must not change until then.
     */
    public Trace emptyTrace(int batch, double[] x, double[] params) {
        check("FullyConnectedNet.trace", batch, x, params);
        return new Trace(this, batch, x, params, true);
    }

    /**
     * {@link #backward(int, double[], double[], double[], double[], double[])} from the intermediates of
     * {@link #trace}.
     */
    public void backward(Trace trace, double[] gradOut, double[] gradX, double[] gradParams) {
        String where = "FullyConnectedNet.backward";
        Checks.requireNonNull(where, "trace", trace);
        if (trace.net != this) {
            throw Checks.invalid(where, "trace", "come from this network's trace()", "another network's");
        }
        int batch = trace.batch;
        Checks.requireShape(where, "gradOut", gradOut, "batch", batch, outputDim());
        if (gradX != null) {
            Checks.requireShape(where, "gradX", gradX, "batch", batch, inputDim());
        }
        if (gradParams != null) {
            Checks.requireLength(where, "gradParams", gradParams, parameterCount());
        }
        int blockSize = Math.max(BLOCK_SIZE, (batch + MAX_PARTIAL_SUMS - 1) / MAX_PARTIAL_SUMS);
        double[][] partialSums = new double[BatchBlocks.count(batch, blockSize)][];
        int hIn = inputDim();
        int hOut = outputDim();
        BatchBlocks.run(batch, blockSize, (block, from, to) -> {
            double[] blockGradX = gradX != null ? new double[(to - from) * hIn] : null;
            double[] blockGradParams = gradParams != null ? new double[parameterCount()] : null;
            trace.backward(from, to, Arrays.copyOfRange(gradOut, from * hOut, to * hOut), blockGradX,
                    blockGradParams);
            if (blockGradX != null) {
                System.arraycopy(blockGradX, 0, gradX, from * hIn, blockGradX.length);
            }
            partialSums[block] = blockGradParams;
        });
        if (gradParams != null) {
            Arrays.fill(gradParams, 0.0);
            for (double[] partial : partialSums) {
                for (int i = 0; i < gradParams.length; i++) {
                    gradParams[i] += partial[i];
                }
            }
        }
    }

    /** Layer {@code layer}'s weights as rows {@code [h_in][h_out]}, each at offset 0 for the vectorized loops. */
    private double[][] rows(double[] params, int layer) {
        double[][] rows = new double[hs[layer]][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = Arrays.copyOfRange(params, weightOffsets[layer] + i * hs[layer + 1],
                    weightOffsets[layer] + (i + 1) * hs[layer + 1]);
        }
        return rows;
    }

    /** Layer {@code layer}'s weights transposed, as rows {@code [h_out][h_in]}. */
    private double[][] columns(double[] params, int layer) {
        int hIn = hs[layer];
        int hOut = hs[layer + 1];
        double[][] columns = new double[hOut][hIn];
        for (int i = 0; i < hIn; i++) {
            for (int j = 0; j < hOut; j++) {
                columns[j][i] = params[weightOffsets[layer] + i * hOut + j];
            }
        }
        return columns;
    }

    private void check(String where, int batch, double[] x, double[] params) {
        Checks.requireNonNegative(where, "batch", batch);
        Checks.requireShape(where, "x", x, "batch", batch, inputDim());
        Checks.requireLength(where, "params", params, parameterCount());
        Checks.arrayLength(where, "batch", batch, "the widest layer", widestLayer);
    }

    @Override
    public String toString() {
        return "FullyConnectedNet" + Arrays.toString(hs);
    }
}
