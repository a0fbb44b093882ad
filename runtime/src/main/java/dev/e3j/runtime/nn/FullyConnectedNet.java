package dev.e3j.runtime.nn;

import dev.e3j.runtime.BatchBlocks;
import dev.e3j.runtime.internal.Checks;
import dev.e3j.runtime.math.Normalize2Mom;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

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
 * Besides {@link #forward} and {@link #backward}: the forward-mode tangent {@link #jvp} and the second derivatives
 * {@link #doubleBackward}, for training on forces. Thread-safe; the only state it keeps between calls is scratch rows
 * for its passes, which change no result.
 */
public final class FullyConnectedNet {

    /** Samples per parallel block of the row-wise passes ({@link #jvp}, {@link #doubleBackward}). */
    private static final int BLOCK_SIZE = 64;
    /**
     * The most samples per parallel block of the passes that run each block through all layers transposed
     * ({@link #forward}, {@link #trace}, {@link #backward}, in double and float): the longer the loops over a block,
     * the less C2's pre- and post-loops around their unrolled vector loops cost, while a block's intermediates
     * (about {@code 3 h} rows of the block per hidden layer of {@code h}) stay within the L2 cache (a 10 x 16 x 60
     * SiLU network on 630 samples, trace + backward in one thread, float: 64 samples 330 us, 128 about 255 us, 256
     * about 235 us; the gate-points network's three radial MLPs on 630 samples in one block rather than blocks of
     * 256: 4% less time in double, 17% in float).
     */
    private static final int MAX_TRANSPOSED_BLOCK = 1024;
    /** Samples per tile of a transposition: each column's tile is read or written in one pass. */
    private static final int TRANSPOSE_TILE = 64;
    /** The parameter gradient sums over at most this many blocks, each into its own arrays. */
    private static final int MAX_PARTIAL_SUMS = 16;

    private final int[] hs;
    private final ScalarFunction act;
    /**
     * {@link #act}'s unnormalized function and its {@link Normalize2Mom} constant: the transposed passes apply the
     * constant in the pass that scales a layer's activations for the next layer (and to the kept derivatives in the
     * backward pass), the same products in the same order as {@code act}'s own, without a pass of their own.
     */
    private final ScalarFunction unnormalized;
    private final double constant;
    private final double varianceIn;
    private final double varianceOut;
    private final boolean outAct;
    private final int[] weightOffsets;
    /** {@code max_i h_i}: the widest row of activations a batch holds. */
    private final int widestLayer;
    /** Workspaces no block of a transposed pass is using; a block takes one (or makes one) and puts it back. */
    private final ConcurrentLinkedQueue<Workspace> idle = new ConcurrentLinkedQueue<>();
    /**
     * Rows that an {@link OutputGradient} (a {@link FloatOutputGradient}) fills for one block and gives back once the
     * block's pass has run: a gradient set by rows costs no fresh memory per call.
     */
    private final ConcurrentLinkedQueue<double[][]> idleColumns = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<float[][]> idleFloatColumns = new ConcurrentLinkedQueue<>();

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
        Normalize2Mom normalized = act == null ? null : Normalize2Mom.of(act);
        this.act = normalized;
        this.unnormalized = normalized == null ? null : normalized.unnormalized();
        this.constant = normalized == null ? 1.0 : normalized.constant();
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

    /**
     * Samples per block of the transposed passes: the batch in as few blocks of at most {@link #MAX_TRANSPOSED_BLOCK}
     * as it takes, of equal sizes but the last (no short block at the end). Only the grouping of the work depends
     * on it, not the results: every value of these passes is computed per sample.
     */
    private static int transposedBlockSize(int batch) {
        int blocks = Math.max(1, (batch + MAX_TRANSPOSED_BLOCK - 1) / MAX_TRANSPOSED_BLOCK);
        return Math.max(1, (batch + blocks - 1) / blocks);
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
        double[] y = run(batch, transposedBlockSize(batch), x, params, null);
        System.arraycopy(y, 0, out, 0, y.length);
    }

    /**
     * Gradients of {@code sum(out * gradOut)}: {@code gradX} ({@code [batch][h_0]}) and {@code gradParams} (summed
     * over the batch), each overwritten, {@code null} to skip. The parameter gradient is summed per block of samples
     * and then over the blocks in order, so it depends on the batch alone, not on the number of threads. Without a
     * parameter gradient, {@link #trace} then {@link #backward(Trace, double[], double[], double[])}; with one, the
     * passes run row by row (sample by sample), the layout the sums over the samples want, for the same values.
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
        if (gradParams == null) {
            backward(trace(batch, x, params), gradOut, gradX, null);
        } else {
            backwardByRows(batch, x, params, gradOut, gradX, gradParams);
        }
    }

    /**
     * The gradients with a parameter gradient, row by row (sample by sample), the layout its sums over the samples
     * want: the forward pass recomputed ({@link #tangents} without tangents), then each layer's gradient.
     */
    private void backwardByRows(int batch, double[] x, double[] params, double[] gradOut, double[] gradX,
                                double[] gradParams) {
        Tangents forward = tangents(batch, x, params, null, null, false);
        // gradOut is read, never written: an activated layer scales a gradient of its own (a copy only for gradOut).
        double[] grad = gradOut;
        for (int layer = layers() - 1; layer >= 0; layer--) {
            int hIn = hs[layer];
            int hOut = hs[layer + 1];
            if (activated(layer)) {
                double gain = outputGain(layer);
                double[] derivative = forward.derivatives[layer];
                double[] in = grad;
                double[] g = grad == gradOut ? new double[grad.length] : grad;
                BatchBlocks.run(batch, BLOCK_SIZE, (block, from, to) -> {
                    for (int i = from * hOut; i < to * hOut; i++) {
                        g[i] = in[i] * (gain * derivative[i]);
                    }
                });
                grad = g;
            }
            double scale = weightScale(layer);
            weightGradient(batch, forward.inputs[layer], grad, hIn, hOut, scale, gradParams, weightOffsets[layer],
                    false);
            if (layer == 0 && gradX == null) {
                break;
            }
            grad = inputGradient(batch, grad, columns(params, layer), hIn, hOut, scale);
        }
        if (gradX != null) {
            System.arraycopy(grad, 0, gradX, 0, grad.length);
        }
    }

    /**
     * The intermediates of one forward pass, which {@link #backward(Trace, double[], double[], double[])} reuses: each
     * activated layer's {@code f'(z)} per block of samples, transposed ({@code f} the unnormalized activation, whose
     * {@link Normalize2Mom} constant the backward pass applies). The layers' inputs are not kept: the input
     * gradient does not need them, and a parameter gradient recomputes them.
     */
    public static final class Trace {
        private final FullyConnectedNet net;
        private final int batch;
        /** Samples per block ({@link #transposedBlockSize}). */
        private final int blockSize;
        private final double[] x;
        private final double[] params;
        /**
         * {@code derivatives[layer][block * h_out + j][b]}: {@code f'(z)} of output {@code j} of sample {@code b}
         * of the block; {@code null} for a linear layer.
         */
        private final double[][][] derivatives;
        private final double[] output;

        private Trace(FullyConnectedNet net, int batch, int blockSize, double[] x, double[] params,
                      double[][][] derivatives, double[] output) {
            this.net = net;
            this.batch = batch;
            this.blockSize = blockSize;
            this.x = x;
            this.params = params;
            this.derivatives = derivatives;
            this.output = output;
        }

        /** The output, {@code [batch][h_L]}; the trace's own array, which the caller must not change. */
        public double[] output() {
            return output;
        }

        /**
         * The output's gradient to set by rows ({@link OutputGradient}), whose blocks run their backward pass into
         * {@code gradX} ({@code [batch][h_0]}, each row added to once its block has run).
         */
        public OutputGradient outputGradient(double[] gradX) {
            Checks.requireShape("FullyConnectedNet.Trace.outputGradient", "gradX", gradX, "batch", batch,
                    net.inputDim());
            return new OutputGradient(this, gradX);
        }
    }

    /**
     * The forward pass of {@code x} ({@code [batch][h_0]}) with its intermediates, for a backward pass that does not
     * recompute them; {@code x} and {@code params} are kept, not copied, and must not change until then.
     */
    public Trace trace(int batch, double[] x, double[] params) {
        check("FullyConnectedNet.trace", batch, x, params);
        int blockSize = transposedBlockSize(batch);
        int blocks = BatchBlocks.count(batch, blockSize);
        double[][][] derivatives = new double[layers()][][];
        for (int layer = 0; layer < layers(); layer++) {
            derivatives[layer] = activated(layer) ? new double[blocks * hs[layer + 1]][] : null;
        }
        double[] output = run(batch, blockSize, x, params, derivatives);
        return new Trace(this, batch, blockSize, x, params, derivatives, output);
    }

    /**
     * {@link #backward(int, double[], double[], double[], double[], double[])} from the intermediates of
     * {@link #trace}, the same values. The input gradient alone runs from the output back to the input by blocks of
     * samples, transposed like the forward pass; with a parameter gradient, the passes run row by row, the forward
     * recomputed (the layout the parameter gradient's sums over the samples want).
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
        if (gradParams != null) {
            backwardByRows(batch, trace.x, trace.params, gradOut, gradX, gradParams);
            return;
        }
        if (gradX == null) {
            return;
        }
        BatchBlocks.run(batch, trace.blockSize, (block, from, to) -> {
            Workspace workspace = takeWorkspace();
            try {
                double[][] grad = transposed(gradOut, outputDim(), from, to, 1.0,
                        workspace.doubles(0, outputDim(), to - from));
                backwardBlock(trace, block, from, to, grad, gradX, false, workspace);
            } finally {
                idle.offer(workspace);
            }
        });
    }

    /**
     * The input gradient of block {@code block} (samples {@code from .. to}) of {@code trace}, from its output's
     * gradient transposed ({@code gradOut}, {@code [h_L][to - from]}, used up) into those rows of {@code gradX}
     * (added to them with {@code add}: {@code gradX[i] += g}, the sum of adding the gradient from an array of its
     * own); the intermediates in {@code workspace}'s first two slots, which {@code gradOut} may be the first of.
     */
    private void backwardBlock(Trace trace, int block, int from, int to, double[][] gradOut, double[] gradX,
                               boolean add, Workspace workspace) {
        int count = to - from;
        double[] params = trace.params;
        double[][] grad = gradOut;
        int slot = 0;
        // The weight scale the gradient's rows still lack: each layer's is applied by the next pass.
        double scale = 1.0;
        for (int layer = layers() - 1; layer >= 0; layer--) {
            int hIn = hs[layer];
            int hOut = hs[layer + 1];
            if (activated(layer)) {
                double gain = outputGain(layer);
                double c = constant;
                for (int j = 0; j < hOut; j++) {
                    double[] g = grad[j];
                    double[] derivative = trace.derivatives[layer][block * hOut + j];
                    for (int b = 0; b < count; b++) {
                        g[b] = g[b] * scale * (gain * (c * derivative[b]));
                    }
                }
            } else if (scale != 1.0) {
                for (int j = 0; j < hOut; j++) {
                    double[] g = grad[j];
                    for (int b = 0; b < count; b++) {
                        g[b] *= scale;
                    }
                }
            }
            slot = 1 - slot;
            grad = inputGradient(grad, params, weightOffsets[layer], hIn, hOut, count,
                    workspace.doubles(slot, hIn, count));
            scale = weightScale(layer);
        }
        if (add) {
            addUntransposed(grad, hs[0], count, gradX, from, scale);
        } else {
            untransposed(grad, hs[0], count, gradX, from, scale);
        }
    }

    /**
     * The input gradient of a {@link Trace}, added into {@code gradX} ({@code [batch][h_0]}), from its output's
     * gradient set a few rows at a time ({@link #setRows}), each block of the trace's samples running its backward
     * pass as soon as its last row is set, while its rows are in cache: a caller that forms the gradient by chunks
     * of rows (a convolution's edge products) hands each chunk over instead of filling a row-major array that the
     * backward pass would transpose from memory, and one that sums the input gradients of several networks saves
     * their arrays. The values are {@code gradX[i] += g} for the {@code g} of
     * {@link FullyConnectedNet#backward(Trace, double[], double[], double[])}. Each row must be set exactly once;
     * distinct rows may be set from different threads at once, and {@link #finish} (after the last) checks that
     * every row was. A block's rows go into arrays that the network reuses once its pass has run.
     */
    public static final class OutputGradient {
        private final Trace trace;
        private final RowsByBlock<double[], double[][]> blocks;

        private OutputGradient(Trace trace, double[] gradX) {
            this.trace = trace;
            FullyConnectedNet net = trace.net;
            this.blocks = new RowsByBlock<>(net, "FullyConnectedNet.OutputGradient", trace.batch,
                    trace.blockSize) {
                @Override
                double[][] take(int rows) {
                    return net.takeColumns(net.outputDim(), rows);
                }

                @Override
                void give(double[][] columns) {
                    net.idleColumns.offer(columns);
                }

                @Override
                void transpose(double[] rows, int at, double[][] columns, int from, int to) {
                    transposeRows(rows, at, net.outputDim(), columns, from, to);
                }

                @Override
                void backward(int block, int from, int to, double[][] columns, Workspace workspace) {
                    net.backwardBlock(trace, block, from, to, columns, gradX, true, workspace);
                }
            };
        }

        /**
         * Rows {@code first .. first + count} of the gradient: {@code rows} ({@code [count][h_L]} from its start).
         * Runs the backward pass of each block whose last row this is, in the calling thread.
         *
         * @throws IllegalStateException if a row of a block was set before (found when the block's count overflows)
         */
        public void setRows(int first, int count, double[] rows) {
            String where = "FullyConnectedNet.OutputGradient.setRows";
            Checks.requireNonNull(where, "rows", rows);
            checkRows(where, first, count, trace.batch, rows.length, trace.net.outputDim());
            blocks.setRows(where, first, count, rows);
        }

        /** Checks that every row was set (and so every block's pass has run). */
        public void finish() {
            blocks.finish();
        }
    }

    /**
     * The intermediates of one float forward pass ({@link #trace(int, float[], double[])}), which
     * {@link #backward(FloatTrace, float[], float[])} reuses: the weights rounded to float, as rows per layer, and
     * each activated layer's unnormalized {@code f'(z)} per block of samples, transposed, as in {@link Trace}.
     */
    public static final class FloatTrace {
        private final FullyConnectedNet net;
        private final int batch;
        /** Samples per block ({@link #transposedBlockSize}). */
        private final int blockSize;
        /** {@code rows[layer][i]}: row {@code i} of the layer's weights {@code [h_in][h_out]}, in float. */
        private final float[][][] rows;
        /**
         * {@code derivatives[layer][block * h_out + j][b]}: {@code f'(z)} of output {@code j} of sample
         * {@code b} of the block; {@code null} for a linear layer.
         */
        private final float[][][] derivatives;
        private final float[] output;

        private FloatTrace(FullyConnectedNet net, int batch, int blockSize, float[][][] rows,
                           float[][][] derivatives, float[] output) {
            this.net = net;
            this.batch = batch;
            this.blockSize = blockSize;
            this.rows = rows;
            this.derivatives = derivatives;
            this.output = output;
        }

        /** The output, {@code [batch][h_L]}; the trace's own array, which the caller must not change. */
        public float[] output() {
            return output;
        }

        /**
         * The output's gradient to set by rows ({@link FloatOutputGradient}), whose blocks run their backward pass
         * into {@code gradX} ({@code [batch][h_0]}, each row added to once its block has run).
         */
        public FloatOutputGradient outputGradient(float[] gradX) {
            Checks.requireShape("FullyConnectedNet.FloatTrace.outputGradient", "gradX", gradX, "batch", batch,
                    net.inputDim());
            return new FloatOutputGradient(this, gradX);
        }
    }

    /**
     * Float overload of {@link #trace(int, double[], double[])}: {@code params} rounded once to float, every layer
     * computed in float (the activation to float accuracy,
     * {@link ScalarFunction#valuesAndDerivatives(float[], float[], float[], int, int)}), each activated layer's
     * {@code f'(z)} kept for {@link #backward(FloatTrace, float[], float[])}. Each block of samples runs through all
     * layers transposed, {@code [h][block]}: the inner loops run over the block's samples, not over the layers'
     * widths, which are short in radial MLPs (16 floats fill no unrolled AVX2 loop). Every sum adds the same products
     * in the same order as the per-sample loop of the double pass, four input rows per step, so the same bits as
     * that loop in float.
     */
    public FloatTrace trace(int batch, float[] x, double[] params) {
        String where = "FullyConnectedNet.trace";
        Checks.requireNonNegative(where, "batch", batch);
        Checks.requireShape(where, "x", x, "batch", batch, inputDim());
        Checks.requireLength(where, "params", params, parameterCount());
        Checks.arrayLength(where, "batch", batch, "the widest layer", widestLayer);
        float[] weights = new float[params.length];
        for (int i = 0; i < params.length; i++) {
            weights[i] = (float) params[i];
        }
        float[][][] rows = new float[layers()][][];
        float[][][] derivatives = new float[layers()][][];
        int blockSize = transposedBlockSize(batch);
        int blocks = BatchBlocks.count(batch, blockSize);
        for (int layer = 0; layer < layers(); layer++) {
            rows[layer] = rows(weights, layer);
            derivatives[layer] = activated(layer) ? new float[blocks * hs[layer + 1]][] : null;
        }
        float[] output = new float[batch * outputDim()];
        BatchBlocks.run(batch, blockSize, (block, from, to) -> {
            int count = to - from;
            Workspace workspace = takeWorkspace();
            try {
                int slot = 0;
                float[][] in = transposed(x, hs[0], from, to, (float) weightScale(0),
                        workspace.floats(slot, hs[0], count));
                for (int layer = 0; ; layer++) {
                    int hOut = hs[layer + 1];
                    slot = 1 - slot;
                    float[][] z = affineColumns(in, rows[layer], hs[layer], hOut, count,
                            workspace.floats(slot, hOut, count));
                    boolean last = layer + 1 == layers();
                    // The layer's output, times the next layer's weight scale unless it is the last, into z's rows.
                    float scale = last ? 1f : (float) weightScale(layer + 1);
                    if (activated(layer)) {
                        activateColumns(z, workspace.floats(2, hOut, count), hOut, count, derivatives[layer],
                                block * hOut, (float) outputGain(layer), scale);
                    } else if (!last) {
                        for (int j = 0; j < hOut; j++) {
                            float[] row = z[j];
                            for (int b = 0; b < count; b++) {
                                row[b] *= scale;
                            }
                        }
                    }
                    if (last) {
                        untransposed(z, hOut, count, output, from, 1f);
                        return;
                    }
                    in = z;
                }
            } finally {
                idle.offer(workspace);
            }
        });
        return new FloatTrace(this, batch, blockSize, rows, derivatives, output);
    }

    /**
     * {@code z[j][b] = sum_i in[i][b] rows[i][j]} for the {@code count} samples {@code b} of a transposed block whose
     * input rows are already scaled, into {@code z}'s rows (returned): the sums of
     * {@link #affineRows(double[], double[][], int, int, double, double[], int, int)}, term for term, in float,
     * the passes in the order of the double one's.
     */
    private static float[][] affineColumns(float[][] in, float[][] rows, int hIn, int hOut, int count, float[][] z) {
        int groups = hIn - hIn % 4;
        for (int i = 0; i < groups; i += 4) {
            float[] x0 = in[i];
            float[] x1 = in[i + 1];
            float[] x2 = in[i + 2];
            float[] x3 = in[i + 3];
            for (int j = 0; j < hOut; j++) {
                float w0 = rows[i][j];
                float w1 = rows[i + 1][j];
                float w2 = rows[i + 2][j];
                float w3 = rows[i + 3][j];
                float[] sum = z[j];
                if (i == 0) {
                    for (int b = 0; b < count; b++) {
                        sum[b] = 0f + (x0[b] * w0 + x1[b] * w1 + x2[b] * w2 + x3[b] * w3);
                    }
                } else {
                    for (int b = 0; b < count; b++) {
                        sum[b] += x0[b] * w0 + x1[b] * w1 + x2[b] * w2 + x3[b] * w3;
                    }
                }
            }
        }
        int tail = hIn - groups;
        if (tail == 0) {
            return z;
        }
        // The last one to three inputs, each added to the sum in turn (as the per-sample loop does), in one pass.
        float[] x0 = in[groups];
        float[] x1 = in[Math.min(groups + 1, hIn - 1)];
        float[] x2 = in[hIn - 1];
        for (int j = 0; j < hOut; j++) {
            float[] sum = z[j];
            if (groups == 0) {
                Arrays.fill(sum, 0, count, 0f);
            }
            float w0 = rows[groups][j];
            if (tail == 1) {
                for (int b = 0; b < count; b++) {
                    sum[b] += x0[b] * w0;
                }
            } else {
                float w1 = rows[groups + 1][j];
                if (tail == 2) {
                    for (int b = 0; b < count; b++) {
                        sum[b] = sum[b] + x0[b] * w0 + x1[b] * w1;
                    }
                } else {
                    float w2 = rows[groups + 2][j];
                    for (int b = 0; b < count; b++) {
                        sum[b] = sum[b] + x0[b] * w0 + x1[b] * w1 + x2[b] * w2;
                    }
                }
            }
        }
        return z;
    }

    /**
     * Float overload of {@link #activateColumns(double[][], double[][], int, int, double[][], int, double, double)},
     * with the constant rounded to float (as {@link Normalize2Mom}'s float method has it), the derivatives always
     * kept.
     */
    private void activateColumns(float[][] z, float[][] values, int width, int count, float[][] derivatives, int at,
                                 float gain, float scale) {
        float c = (float) constant;
        for (int j = 0; j < width; j++) {
            float[] value = values[j];
            float[] derivative = new float[count];
            unnormalized.valuesAndDerivatives(z[j], value, derivative, 0, count);
            derivatives[at + j] = derivative;
            float[] out = z[j];
            for (int b = 0; b < count; b++) {
                out[b] = value[b] * c * gain * scale;
            }
        }
    }

    /**
     * Samples {@code from .. to} of {@code values} ({@code [batch][width]}) transposed into {@code columns}
     * ({@code [width][to - from]}, returned), each times {@code scale}; by tiles of samples, one column at a time.
     */
    private static float[][] transposed(float[] values, int width, int from, int to, float scale,
                                        float[][] columns) {
        int count = to - from;
        for (int start = 0; start < count; start += TRANSPOSE_TILE) {
            int end = Math.min(count, start + TRANSPOSE_TILE);
            for (int i = 0; i < width; i++) {
                float[] column = columns[i];
                int at = from * width + i;
                for (int b = start; b < end; b++) {
                    column[b] = values[at + b * width] * scale;
                }
            }
        }
        return columns;
    }

    /**
     * The inverse of {@link #transposed(float[], int, int, int, float, float[][])}: {@code columns}
     * ({@code [width][count]}), each times {@code scale}, into rows from {@code from}.
     */
    private static void untransposed(float[][] columns, int width, int count, float[] values, int from, float scale) {
        for (int start = 0; start < count; start += TRANSPOSE_TILE) {
            int end = Math.min(count, start + TRANSPOSE_TILE);
            int i = 0;
            // Four columns per pass, as in transposeRows: a run of four numbers of each row.
            for (; i + 4 <= width; i += 4) {
                float[] c0 = columns[i];
                float[] c1 = columns[i + 1];
                float[] c2 = columns[i + 2];
                float[] c3 = columns[i + 3];
                for (int b = start, at = (from + start) * width + i; b < end; b++, at += width) {
                    values[at] = c0[b] * scale;
                    values[at + 1] = c1[b] * scale;
                    values[at + 2] = c2[b] * scale;
                    values[at + 3] = c3[b] * scale;
                }
            }
            for (; i < width; i++) {
                float[] column = columns[i];
                int at = from * width + i;
                for (int b = start; b < end; b++) {
                    values[at + b * width] = column[b] * scale;
                }
            }
        }
    }

    /**
     * Float overload of {@link #backward(Trace, double[], double[], double[])} for the input gradient alone:
     * {@code gradX} ({@code [batch][h_0]}) of {@code sum(out * gradOut)}, overwritten. Transposed by blocks like
     * {@link #trace(int, float[], double[])}, the gradient stays transposed from the output back to the input.
     */
    public void backward(FloatTrace trace, float[] gradOut, float[] gradX) {
        String where = "FullyConnectedNet.backward";
        Checks.requireNonNull(where, "trace", trace);
        if (trace.net != this) {
            throw Checks.invalid(where, "trace", "come from this network's trace()", "another network's");
        }
        int batch = trace.batch;
        Checks.requireShape(where, "gradOut", gradOut, "batch", batch, outputDim());
        Checks.requireShape(where, "gradX", gradX, "batch", batch, inputDim());
        BatchBlocks.run(batch, trace.blockSize, (block, from, to) -> {
            Workspace workspace = takeWorkspace();
            try {
                float[][] grad = transposed(gradOut, outputDim(), from, to, 1f,
                        workspace.floats(0, outputDim(), to - from));
                backwardBlock(trace, block, from, to, grad, gradX, false, workspace);
            } finally {
                idle.offer(workspace);
            }
        });
    }

    /** Float overload of {@link #backwardBlock(Trace, int, int, int, double[][], double[], boolean, Workspace)}. */
    private void backwardBlock(FloatTrace trace, int block, int from, int to, float[][] gradOut, float[] gradX,
                               boolean add, Workspace workspace) {
        int count = to - from;
        float[][] grad = gradOut;
        int slot = 0;
        // The weight scale the gradient's rows still lack: each layer's is applied by the next pass.
        float scale = 1f;
        for (int layer = layers() - 1; layer >= 0; layer--) {
            int hIn = hs[layer];
            int hOut = hs[layer + 1];
            if (activated(layer)) {
                float gain = (float) outputGain(layer);
                float c = (float) constant;
                float[][] derivatives = trace.derivatives[layer];
                for (int j = 0; j < hOut; j++) {
                    float[] g = grad[j];
                    float[] derivative = derivatives[block * hOut + j];
                    for (int b = 0; b < count; b++) {
                        g[b] = g[b] * scale * (gain * (c * derivative[b]));
                    }
                }
            } else if (scale != 1f) {
                for (int j = 0; j < hOut; j++) {
                    float[] g = grad[j];
                    for (int b = 0; b < count; b++) {
                        g[b] *= scale;
                    }
                }
            }
            slot = 1 - slot;
            grad = inputGradient(grad, trace.rows[layer], hIn, hOut, count, workspace.floats(slot, hIn, count));
            scale = (float) weightScale(layer);
        }
        if (add) {
            addUntransposed(grad, hs[0], count, gradX, from, scale);
        } else {
            untransposed(grad, hs[0], count, gradX, from, scale);
        }
    }

    /**
     * Float overload of {@link OutputGradient}: the input gradient of a {@link FloatTrace} added into {@code gradX},
     * each block's backward pass run as soon as its last row of the output's gradient is set; {@code gradX[i] += g}
     * for the {@code g} of {@link FullyConnectedNet#backward(FloatTrace, float[], float[])}.
     */
    public static final class FloatOutputGradient {
        private final FloatTrace trace;
        private final RowsByBlock<float[], float[][]> blocks;

        private FloatOutputGradient(FloatTrace trace, float[] gradX) {
            this.trace = trace;
            FullyConnectedNet net = trace.net;
            this.blocks = new RowsByBlock<>(net, "FullyConnectedNet.FloatOutputGradient", trace.batch,
                    trace.blockSize) {
                @Override
                float[][] take(int rows) {
                    return net.takeFloatColumns(net.outputDim(), rows);
                }

                @Override
                void give(float[][] columns) {
                    net.idleFloatColumns.offer(columns);
                }

                @Override
                void transpose(float[] rows, int at, float[][] columns, int from, int to) {
                    transposeRows(rows, at, net.outputDim(), columns, from, to);
                }

                @Override
                void backward(int block, int from, int to, float[][] columns, Workspace workspace) {
                    net.backwardBlock(trace, block, from, to, columns, gradX, true, workspace);
                }
            };
        }

        /** {@link OutputGradient#setRows} in float. */
        public void setRows(int first, int count, float[] rows) {
            String where = "FullyConnectedNet.FloatOutputGradient.setRows";
            Checks.requireNonNull(where, "rows", rows);
            checkRows(where, first, count, trace.batch, rows.length, trace.net.outputDim());
            blocks.setRows(where, first, count, rows);
        }

        /** {@link OutputGradient#finish}. */
        public void finish() {
            blocks.finish();
        }
    }

    /**
     * What {@link OutputGradient} and {@link FloatOutputGradient} share: the rows of each block of samples not yet
     * set, the block's columns while they fill (taken from the network's idle ones, given back once the block's
     * backward pass has run), and that pass, run by the thread that sets the block's last row.
     *
     * @param <R> the rows' array ({@code double[]} or {@code float[]})
     * @param <C> a block's columns ({@code double[][]} or {@code float[][]})
     */
    private abstract static class RowsByBlock<R, C> {
        private final FullyConnectedNet net;
        private final String name;
        private final int batch;
        private final int blockSize;
        private final int width;
        /** {@code columns.get(block)[j][b]}: component {@code j} of sample {@code b} of the block, while it fills. */
        private final AtomicReferenceArray<C> columns;
        /** Rows of each block not yet set. */
        private final AtomicIntegerArray missing;

        RowsByBlock(FullyConnectedNet net, String name, int batch, int blockSize) {
            this.net = net;
            this.name = name;
            this.batch = batch;
            this.blockSize = blockSize;
            this.width = net.outputDim();
            int blocks = BatchBlocks.count(batch, blockSize);
            this.columns = new AtomicReferenceArray<>(blocks);
            this.missing = new AtomicIntegerArray(blocks);
            for (int block = 0; block < blocks; block++) {
                missing.set(block, blockRows(batch, blockSize, block));
            }
        }

        /** Columns for a block of {@code rows} samples. */
        abstract C take(int rows);

        /** Gives a block's columns back to the network. */
        abstract void give(C columns);

        /** Rows from {@code rows[at]} on into samples {@code from .. to} of {@code columns}. */
        abstract void transpose(R rows, int at, C columns, int from, int to);

        /** The backward pass of block {@code block} (samples {@code from .. to}) from its filled columns. */
        abstract void backward(int block, int from, int to, C columns, Workspace workspace);

        /** Sets rows {@code first .. first + count} (checked by the caller) and runs every block they complete. */
        final void setRows(String where, int first, int count, R rows) {
            for (int row = first; row < first + count; ) {
                int block = row / blockSize;
                int start = block * blockSize;
                int end = Math.min(first + count, start + blockSize);
                int blockCount = blockRows(batch, blockSize, block);
                C blockColumns = columns.get(block);
                if (blockColumns == null) {
                    C taken = take(blockCount);
                    blockColumns = columns.compareAndExchange(block, null, taken);
                    if (blockColumns == null) {
                        blockColumns = taken;
                    } else {
                        give(taken);
                    }
                }
                transpose(rows, (row - first) * width, blockColumns, row - start, end - start);
                int left = missing.addAndGet(block, -(end - row));
                if (left < 0) {
                    throw new IllegalStateException(where + ": rows of block " + block + " set twice (rows " + first
                            + ".." + (first + count) + ")");
                }
                if (left == 0) {
                    columns.set(block, null);
                    Workspace workspace = net.takeWorkspace();
                    try {
                        backward(block, start, start + blockCount, blockColumns, workspace);
                    } finally {
                        net.idle.offer(workspace);
                        give(blockColumns);
                    }
                }
                row = end;
            }
        }

        /** Checks that every row was set (and so every block's pass has run). */
        final void finish() {
            for (int block = 0; block < missing.length(); block++) {
                if (missing.get(block) != 0) {
                    throw new IllegalStateException(name + ".finish: " + missing.get(block) + " rows of block "
                            + block + " not set");
                }
            }
        }
    }

    /**
     * The forward-mode tangent of the output, {@code dOut = (d out / d x) dx + (d out / d params) dParams}
     * ({@code [batch][h_L]}, overwritten); {@code dx} ({@code [batch][h_0]}) or {@code dParams} {@code null} = zero.
     * Layer by layer, with {@code z = s h W} and {@code a = g φ(z)} as in {@link #forward},
     * <pre>{@code
     *   dz = s (dh W + h dW),   da = g φ'(z) dz   (da = dz on a linear layer)
     * }</pre>
     * Its gradients, for a reverse-over-forward scheme: with respect to {@code dx}, {@link #backward}'s
     * {@code gradX} with {@code gradOut = gradDOut}; with respect to {@code x} and {@code params},
     * {@link #doubleBackward}'s {@code gX} and {@code gParams} with {@code gradOut = gradDOut},
     * {@code ggX = dx}, {@code ggParams = dParams}.
     */
    public void jvp(int batch, double[] x, double[] params, double[] dx, double[] dParams, double[] dOut) {
        String where = "FullyConnectedNet.jvp";
        check(where, batch, x, params);
        checkTangents(where, batch, dx, dParams, "dx", "dParams");
        Checks.requireShape(where, "dOut", dOut, "batch", batch, outputDim());
        if (dx == null && dParams == null) {
            Arrays.fill(dOut, 0.0);
            return;
        }
        System.arraycopy(tangents(batch, x, params, dx, dParams, false).output, 0, dOut, 0, dOut.length);
    }

    /**
     * The second derivatives: given cotangents {@code ggX} ({@code [batch][h_0]}) and {@code ggParams} of
     * {@link #backward}'s {@code gradX} and {@code gradParams} ({@code null} = zero), the gradients of
     * {@code S = sum(ggX * gradX) + sum(ggParams * gradParams)} with respect to {@code x} ({@code gX}),
     * {@code params} ({@code gParams}, summed over the batch) and {@code gradOut} ({@code gGradOut}), each
     * overwritten, {@code null} to skip.
     *
     * <p>{@code S} is {@code sum(gradOut * dOut)} for the tangent {@code dOut} of {@link #jvp} along
     * {@code (ggX, ggParams)}, so {@code gGradOut = dOut}, and {@code gX}, {@code gParams} are the reverse pass
     * through the tangent's forward pass: per layer, from the cotangents {@code cA} of {@code a} (zero at the output)
     * and {@code cDa} of {@code da} ({@code gradOut} at the output),
     * <pre>{@code
     *   cZ = g (φ'(z) cA + φ''(z) dz cDa),   cDz = g φ'(z) cDa        (cZ = cA, cDz = cDa on a linear layer)
     *   gW = s (hᵀ cZ + dhᵀ cDz),   cA(previous) = s (cZ Wᵀ + cDz dWᵀ),   cDa(previous) = s cDz Wᵀ
     * }</pre>
     * The {@code cDa} stream is {@link #backward}'s, computed the same way. The activation needs
     * {@link ScalarFunction#secondDerivative}. Parameter gradients are summed per block of samples and then over the
     * blocks in order, independent of the number of threads.
     */
    public void doubleBackward(int batch, double[] x, double[] params, double[] gradOut, double[] ggX,
                               double[] ggParams, double[] gX, double[] gParams, double[] gGradOut) {
        String where = "FullyConnectedNet.doubleBackward";
        check(where, batch, x, params);
        Checks.requireShape(where, "gradOut", gradOut, "batch", batch, outputDim());
        checkTangents(where, batch, ggX, ggParams, "ggX", "ggParams");
        if (gX != null) {
            Checks.requireShape(where, "gX", gX, "batch", batch, inputDim());
        }
        if (gParams != null) {
            Checks.requireLength(where, "gParams", gParams, parameterCount());
        }
        if (gGradOut != null) {
            Checks.requireShape(where, "gGradOut", gGradOut, "batch", batch, outputDim());
        }
        if (ggX == null && ggParams == null) {
            for (double[] g : new double[][] {gX, gParams, gGradOut}) {
                if (g != null) {
                    Arrays.fill(g, 0.0);
                }
            }
            return;
        }
        Tangents t = tangents(batch, x, params, ggX, ggParams, gX != null || gParams != null);
        if (gGradOut != null) {
            System.arraycopy(t.output, 0, gGradOut, 0, gGradOut.length);
        }
        if (gX == null && gParams == null) {
            return;
        }
        double[] cA = null;
        double[] cDa = gradOut.clone();
        for (int layer = layers() - 1; layer >= 0; layer--) {
            int hIn = hs[layer];
            int hOut = hs[layer + 1];
            double scale = weightScale(layer);
            double[] cZ = cA;
            double[] cDz = cDa;
            if (activated(layer)) {
                double gain = outputGain(layer);
                double[] derivative = t.derivatives[layer];
                double[] second = t.secondDerivatives[layer];
                double[] dz = t.preActivationTangents[layer];
                double[] fromA = cA;
                double[] toZ = new double[batch * hOut];
                double[] toDz = cDa;
                BatchBlocks.run(batch, BLOCK_SIZE, (block, from, to) -> {
                    for (int i = from * hOut; i < to * hOut; i++) {
                        double viaTangent = second[i] * dz[i] * toDz[i];
                        toZ[i] = gain * (fromA == null ? viaTangent : derivative[i] * fromA[i] + viaTangent);
                        toDz[i] *= gain * derivative[i];
                    }
                });
                cZ = toZ;
                cDz = toDz;
            }
            if (gParams != null) {
                int offset = weightOffsets[layer];
                if (cZ != null) {
                    weightGradient(batch, t.inputs[layer], cZ, hIn, hOut, scale, gParams, offset, false);
                } else {
                    Arrays.fill(gParams, offset, offset + hIn * hOut, 0.0);
                }
                if (t.inputTangents[layer] != null) {
                    weightGradient(batch, t.inputTangents[layer], cDz, hIn, hOut, scale, gParams, offset, true);
                }
            }
            if (layer == 0 && gX == null) {
                break;
            }
            double[][] columns = columns(params, layer);
            double[] cH = cZ == null ? null : inputGradient(batch, cZ, columns, hIn, hOut, scale);
            if (t.paramTangents != null) {
                double[] viaWeights = inputGradient(batch, cDz, columns(t.paramTangents, layer), hIn, hOut, scale);
                if (cH == null) {
                    cH = viaWeights;
                } else {
                    for (int i = 0; i < cH.length; i++) {
                        cH[i] += viaWeights[i];
                    }
                }
            }
            cA = cH;
            if (layer > 0) {
                cDa = inputGradient(batch, cDz, columns, hIn, hOut, scale);
            }
        }
        if (gX != null) {
            if (cA == null) {
                Arrays.fill(gX, 0.0);
            } else {
                System.arraycopy(cA, 0, gX, 0, gX.length);
            }
        }
    }

    private void checkTangents(String where, int batch, double[] dx, double[] dParams, String dxName,
                               String dParamsName) {
        if (dx != null) {
            Checks.requireShape(where, dxName, dx, "batch", batch, inputDim());
        }
        if (dParams != null) {
            Checks.requireLength(where, dParamsName, dParams, parameterCount());
        }
    }

    /**
     * The forward pass with its tangent along {@code (dx, dParams)} ({@code null} = zero; both null for the plain
     * forward pass), row by row, keeping per layer the input {@code h}, its tangent {@code dh} ({@code null} while
     * zero), {@code dz}, and for activated layers {@code φ'(z)} and, with {@code secondDerivatives}, {@code φ''(z)}.
     */
    private Tangents tangents(int batch, double[] x, double[] params, double[] dx, double[] dParams,
                              boolean secondDerivatives) {
        int layers = layers();
        Tangents t = new Tangents(layers, dParams);
        double[] h = x;
        double[] dh = dx;
        for (int layer = 0; layer < layers; layer++) {
            int hIn = hs[layer];
            int hOut = hs[layer + 1];
            double scale = weightScale(layer);
            double[][] rows = rows(params, layer);
            double[][] tangentRows = dParams == null ? null : rows(dParams, layer);
            boolean activated = activated(layer);
            double gain = outputGain(layer);
            double[] in = h;
            double[] dIn = dh;
            double[] z = new double[batch * hOut];
            double[] y = activated ? new double[z.length] : z;
            double[] dz = dIn == null && tangentRows == null ? null : new double[z.length];
            double[] dzViaWeights = dIn != null && tangentRows != null ? new double[z.length] : null;
            double[] dy = activated && dz != null ? new double[z.length] : dz;
            double[] derivative = activated ? new double[z.length] : null;
            double[] second = activated && secondDerivatives ? new double[z.length] : null;
            BatchBlocks.run(batch, BLOCK_SIZE, (block, from, to) -> {
                affineRows(in, rows, hIn, hOut, scale, z, from, to);
                if (dIn != null) {
                    affineRows(dIn, rows, hIn, hOut, scale, dz, from, to);
                }
                if (dzViaWeights != null) {
                    affineRows(in, tangentRows, hIn, hOut, scale, dzViaWeights, from, to);
                    for (int i = from * hOut; i < to * hOut; i++) {
                        dz[i] += dzViaWeights[i];
                    }
                } else if (tangentRows != null) {
                    affineRows(in, tangentRows, hIn, hOut, scale, dz, from, to);
                }
                if (activated) {
                    act.valuesAndDerivatives(z, y, derivative, from * hOut, to * hOut);
                    if (second != null) {
                        act.secondDerivatives(z, second, from * hOut, to * hOut);
                    }
                    for (int i = from * hOut; i < to * hOut; i++) {
                        y[i] *= gain;
                        if (dz != null) {
                            dy[i] = gain * derivative[i] * dz[i];
                        }
                    }
                }
            });
            t.inputs[layer] = h;
            t.inputTangents[layer] = dh;
            t.derivatives[layer] = derivative;
            t.secondDerivatives[layer] = second;
            t.preActivationTangents[layer] = dz;
            h = y;
            dh = dy;
        }
        t.output = dh;
        return t;
    }

    /** What {@link #tangents} keeps of a forward pass with its tangent. */
    private static final class Tangents {
        final double[][] inputs;
        final double[][] inputTangents;
        final double[][] derivatives;
        final double[][] secondDerivatives;
        final double[][] preActivationTangents;
        final double[] paramTangents;
        /** The output's tangent, {@code [batch][h_L]}. */
        double[] output;

        Tangents(int layers, double[] paramTangents) {
            this.inputs = new double[layers][];
            this.inputTangents = new double[layers][];
            this.derivatives = new double[layers][];
            this.secondDerivatives = new double[layers][];
            this.preActivationTangents = new double[layers][];
            this.paramTangents = paramTangents;
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

    /** Float overload of {@link #rows(double[], int)}. */
    private float[][] rows(float[] params, int layer) {
        float[][] rows = new float[hs[layer]][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = Arrays.copyOfRange(params, weightOffsets[layer] + i * hs[layer + 1],
                    weightOffsets[layer] + (i + 1) * hs[layer + 1]);
        }
        return rows;
    }

    /**
     * {@code gradIn[i][b] = sum_j W[i][j] grad[j][b]} for the {@code count} samples {@code b} of a transposed block,
     * into {@code gradIn}'s rows (returned), in the passes of the double one, and like it before its scale, which
     * the caller's next pass over the rows applies. Over the samples in the inner loop rather than over
     * {@code h_in}, which is short in radial MLPs: measured 1.9 times faster at {@code h_in = 16}, {@code h_out = 60}
     * (in double too, once the blocks were long and their rows reused: the whole double trace + backward 40% faster
     * than by rows).
     */
    private static float[][] inputGradient(float[][] grad, float[][] rows, int hIn, int hOut, int count,
                                           float[][] gradIn) {
        int groups = hOut - hOut % 4;
        for (int j = 0; j < groups; j += 4) {
            float[] g0 = grad[j];
            float[] g1 = grad[j + 1];
            float[] g2 = grad[j + 2];
            float[] g3 = grad[j + 3];
            for (int i = 0; i < hIn; i++) {
                float w0 = rows[i][j];
                float w1 = rows[i][j + 1];
                float w2 = rows[i][j + 2];
                float w3 = rows[i][j + 3];
                float[] sum = gradIn[i];
                if (j == 0) {
                    for (int b = 0; b < count; b++) {
                        sum[b] = 0f + (w0 * g0[b] + w1 * g1[b] + w2 * g2[b] + w3 * g3[b]);
                    }
                } else {
                    for (int b = 0; b < count; b++) {
                        sum[b] += w0 * g0[b] + w1 * g1[b] + w2 * g2[b] + w3 * g3[b];
                    }
                }
            }
        }
        int tail = hOut - groups;
        if (tail == 0) {
            return gradIn;
        }
        // The last one to three columns, each added to the sum in turn (as the per-sample loop does), in one pass.
        float[] g0 = grad[groups];
        float[] g1 = grad[Math.min(groups + 1, hOut - 1)];
        float[] g2 = grad[hOut - 1];
        for (int i = 0; i < hIn; i++) {
            float[] sum = gradIn[i];
            if (groups == 0) {
                Arrays.fill(sum, 0, count, 0f);
            }
            float w0 = rows[i][groups];
            if (tail == 1) {
                for (int b = 0; b < count; b++) {
                    sum[b] += w0 * g0[b];
                }
            } else {
                float w1 = rows[i][groups + 1];
                if (tail == 2) {
                    for (int b = 0; b < count; b++) {
                        sum[b] = sum[b] + w0 * g0[b] + w1 * g1[b];
                    }
                } else {
                    float w2 = rows[i][groups + 2];
                    for (int b = 0; b < count; b++) {
                        sum[b] = sum[b] + w0 * g0[b] + w1 * g1[b] + w2 * g2[b];
                    }
                }
            }
        }
        return gradIn;
    }

    /** {@code gradIn[b][i] = scale * sum_j W[i][j] grad[b][j]}, four columns {@code j} per pass. */
    private static double[] inputGradient(int batch, double[] grad, double[][] columns, int hIn, int hOut,
                                          double scale) {
        double[] gradIn = new double[batch * hIn];
        BatchBlocks.run(batch, BLOCK_SIZE, (block, from, to) -> {
            double[] sum = new double[hIn];
            for (int b = from; b < to; b++) {
                Arrays.fill(sum, 0.0);
                int j = 0;
                int base = b * hOut;
                for (; j + 4 <= hOut; j += 4) {
                    double g0 = grad[base + j];
                    double g1 = grad[base + j + 1];
                    double g2 = grad[base + j + 2];
                    double g3 = grad[base + j + 3];
                    double[] c0 = columns[j];
                    double[] c1 = columns[j + 1];
                    double[] c2 = columns[j + 2];
                    double[] c3 = columns[j + 3];
                    for (int i = 0; i < hIn; i++) {
                        sum[i] += c0[i] * g0 + c1[i] * g1 + c2[i] * g2 + c3[i] * g3;
                    }
                }
                for (; j < hOut; j++) {
                    double g = grad[base + j];
                    double[] column = columns[j];
                    for (int i = 0; i < hIn; i++) {
                        sum[i] += column[i] * g;
                    }
                }
                for (int i = 0; i < hIn; i++) {
                    gradIn[b * hIn + i] = sum[i] * scale;
                }
            }
        });
        return gradIn;
    }

    /**
     * {@code gradParams[i][j] = scale * sum_b input[b][i] grad[b][j]}, or {@code +=} that with {@code add}: per-block
     * partial sums, added in order.
     */
    private static void weightGradient(int batch, double[] input, double[] grad, int hIn, int hOut, double scale,
                                       double[] gradParams, int offset, boolean add) {
        int blockSize = Math.max(BLOCK_SIZE, (batch + MAX_PARTIAL_SUMS - 1) / MAX_PARTIAL_SUMS);
        double[][][] partialSums = new double[BatchBlocks.count(batch, blockSize)][][];
        BatchBlocks.run(batch, blockSize, (block, from, to) -> {
            double[][] sums = new double[hIn][hOut];
            double[] row = new double[hOut];
            for (int b = from; b < to; b++) {
                System.arraycopy(grad, b * hOut, row, 0, hOut);
                for (int i = 0; i < hIn; i++) {
                    double v = input[b * hIn + i];
                    double[] sum = sums[i];
                    for (int j = 0; j < hOut; j++) {
                        sum[j] += v * row[j];
                    }
                }
            }
            partialSums[block] = sums;
        });
        for (int i = 0; i < hIn; i++) {
            for (int j = 0; j < hOut; j++) {
                double sum = 0;
                for (double[][] sums : partialSums) {
                    sum += sums[i][j];
                }
                if (add) {
                    gradParams[offset + i * hOut + j] += sum * scale;
                } else {
                    gradParams[offset + i * hOut + j] = sum * scale;
                }
            }
        }
    }

    /**
     * The forward pass, by blocks of samples, each through all layers transposed ({@code [h][block]}: the loops run
     * over the block's samples, not over the layers' widths, which are short in radial MLPs), with the sums of
     * {@link #affineRows}, term for term (so the same bits as the row-wise passes). With {@code derivatives} (a
     * {@link Trace}'s), each activated layer's unnormalized {@code f'(z)} goes into it (computed with the values,
     * sharing their exponentials; the backward pass applies the constant); nothing else is kept, every other
     * intermediate is in a workspace's rows.
     */
    private double[] run(int batch, int blockSize, double[] x, double[] params, double[][][] derivatives) {
        double[] output = new double[batch * outputDim()];
        BatchBlocks.run(batch, blockSize, (block, from, to) -> {
            int count = to - from;
            Workspace workspace = takeWorkspace();
            try {
                int slot = 0;
                double[][] in = transposed(x, hs[0], from, to, weightScale(0), workspace.doubles(slot, hs[0], count));
                for (int layer = 0; ; layer++) {
                    int hOut = hs[layer + 1];
                    slot = 1 - slot;
                    double[][] z = affineColumns(in, params, weightOffsets[layer], hs[layer], hOut, count,
                            workspace.doubles(slot, hOut, count));
                    boolean last = layer + 1 == layers();
                    // The layer's output, times the next layer's weight scale unless it is the last, into z's rows.
                    double scale = last ? 1.0 : weightScale(layer + 1);
                    if (activated(layer)) {
                        activateColumns(z, workspace.doubles(2, hOut, count), hOut, count,
                                derivatives == null ? null : derivatives[layer], block * hOut, outputGain(layer), scale);
                    } else if (!last) {
                        for (int j = 0; j < hOut; j++) {
                            double[] row = z[j];
                            for (int b = 0; b < count; b++) {
                                row[b] *= scale;
                            }
                        }
                    }
                    if (last) {
                        untransposed(z, hOut, count, output, from, 1.0);
                        return;
                    }
                    in = z;
                }
            } finally {
                idle.offer(workspace);
            }
        });
        return output;
    }

    /**
     * {@code gain act(z) scale} of a transposed block ({@code width} rows of {@code count} samples) into {@code z}'s
     * rows, {@code act(z)} being the unnormalized {@code f(z)} (into {@code values}' rows) times the constant: the
     * products of {@code act}'s bulk method, then of the gain and of the scale, in that order, in one pass (a factor
     * of 1 changes no bits). With {@code derivatives}, the unnormalized {@code f'(z)} into {@code derivatives[at + j]}
     * (fresh arrays). Each row runs from index 0 into arrays of its own, where the bulk activations vectorize.
     */
    private void activateColumns(double[][] z, double[][] values, int width, int count, double[][] derivatives,
                                 int at, double gain, double scale) {
        double c = constant;
        for (int j = 0; j < width; j++) {
            double[] value = values[j];
            if (derivatives == null) {
                unnormalized.values(z[j], value, 0, count);
            } else {
                double[] derivative = new double[count];
                unnormalized.valuesAndDerivatives(z[j], value, derivative, 0, count);
                derivatives[at + j] = derivative;
            }
            double[] out = z[j];
            for (int b = 0; b < count; b++) {
                out[b] = value[b] * c * gain * scale;
            }
        }
    }

    /**
     * {@code z[j][b] = sum_i in[i][b] W[i][j]} for the {@code count} samples {@code b} of a transposed block whose
     * input rows are already scaled, into {@code z}'s rows (returned): the sums of {@link #affineRows}, term for
     * term, four inputs per pass over the block (a pass of eight, or of two outputs, is a loop C2 leaves scalar), the
     * last one to three inputs in one more pass. The passes of a group of inputs run over every output before the
     * next group's, so that the group's four input rows stay in the L1 cache while the output rows stream (at
     * {@code 16 -> 60}, the output rows read and written four times instead of the input rows read sixty times:
     * about 8% less time for the gate-points radial MLPs); the first writes the rows (as {@code 0 + t}, which C2
     * keeps: a sum of {@code -0} terms is {@code +0}, as in the per-sample loop's sum from 0), the others add to them.
     */
    private static double[][] affineColumns(double[][] in, double[] params, int offset, int hIn, int hOut, int count,
                                            double[][] z) {
        int groups = hIn - hIn % 4;
        for (int i = 0; i < groups; i += 4) {
            double[] x0 = in[i];
            double[] x1 = in[i + 1];
            double[] x2 = in[i + 2];
            double[] x3 = in[i + 3];
            for (int j = 0; j < hOut; j++) {
                double w0 = params[offset + i * hOut + j];
                double w1 = params[offset + (i + 1) * hOut + j];
                double w2 = params[offset + (i + 2) * hOut + j];
                double w3 = params[offset + (i + 3) * hOut + j];
                double[] sum = z[j];
                if (i == 0) {
                    for (int b = 0; b < count; b++) {
                        sum[b] = 0.0 + (x0[b] * w0 + x1[b] * w1 + x2[b] * w2 + x3[b] * w3);
                    }
                } else {
                    for (int b = 0; b < count; b++) {
                        sum[b] += x0[b] * w0 + x1[b] * w1 + x2[b] * w2 + x3[b] * w3;
                    }
                }
            }
        }
        int tail = hIn - groups;
        if (tail == 0) {
            return z;
        }
        // The last one to three inputs, each added to the sum in turn (as the per-sample loop does), in one pass.
        double[] x0 = in[groups];
        double[] x1 = in[Math.min(groups + 1, hIn - 1)];
        double[] x2 = in[hIn - 1];
        for (int j = 0; j < hOut; j++) {
            double[] sum = z[j];
            if (groups == 0) {
                Arrays.fill(sum, 0, count, 0.0);
            }
            double w0 = params[offset + groups * hOut + j];
            if (tail == 1) {
                for (int b = 0; b < count; b++) {
                    sum[b] += x0[b] * w0;
                }
            } else {
                double w1 = params[offset + (groups + 1) * hOut + j];
                if (tail == 2) {
                    for (int b = 0; b < count; b++) {
                        sum[b] = sum[b] + x0[b] * w0 + x1[b] * w1;
                    }
                } else {
                    double w2 = params[offset + (groups + 2) * hOut + j];
                    for (int b = 0; b < count; b++) {
                        sum[b] = sum[b] + x0[b] * w0 + x1[b] * w1 + x2[b] * w2;
                    }
                }
            }
        }
        return z;
    }

    /**
     * {@code gradIn[i][b] = sum_j W[i][j] grad[j][b]} for the {@code count} samples {@code b} of a transposed block,
     * into {@code gradIn}'s rows (returned): the sums of
     * {@link #inputGradient(int, double[], double[][], int, int, double)}, term for term, four columns per pass over
     * the block, the last one to three columns in one more pass, before its scale, which the caller's next pass over
     * the rows applies. As in {@link #affineColumns(double[][], double[], int, int, int, int, double[][])}, the
     * passes of a group of columns run over every input row before the next group's (the group's rows stay in the
     * L1 cache); the first writes the rows (as {@code 0 + t}), the others add to them.
     */
    private static double[][] inputGradient(double[][] grad, double[] params, int offset, int hIn, int hOut,
                                            int count, double[][] gradIn) {
        int groups = hOut - hOut % 4;
        for (int j = 0; j < groups; j += 4) {
            double[] g0 = grad[j];
            double[] g1 = grad[j + 1];
            double[] g2 = grad[j + 2];
            double[] g3 = grad[j + 3];
            for (int i = 0; i < hIn; i++) {
                double w0 = params[offset + i * hOut + j];
                double w1 = params[offset + i * hOut + j + 1];
                double w2 = params[offset + i * hOut + j + 2];
                double w3 = params[offset + i * hOut + j + 3];
                double[] sum = gradIn[i];
                if (j == 0) {
                    for (int b = 0; b < count; b++) {
                        sum[b] = 0.0 + (w0 * g0[b] + w1 * g1[b] + w2 * g2[b] + w3 * g3[b]);
                    }
                } else {
                    for (int b = 0; b < count; b++) {
                        sum[b] += w0 * g0[b] + w1 * g1[b] + w2 * g2[b] + w3 * g3[b];
                    }
                }
            }
        }
        int tail = hOut - groups;
        if (tail == 0) {
            return gradIn;
        }
        // The last one to three columns, each added to the sum in turn (as the per-sample loop does), in one pass.
        double[] g0 = grad[groups];
        double[] g1 = grad[Math.min(groups + 1, hOut - 1)];
        double[] g2 = grad[hOut - 1];
        for (int i = 0; i < hIn; i++) {
            double[] sum = gradIn[i];
            if (groups == 0) {
                Arrays.fill(sum, 0, count, 0.0);
            }
            double w0 = params[offset + i * hOut + groups];
            if (tail == 1) {
                for (int b = 0; b < count; b++) {
                    sum[b] += w0 * g0[b];
                }
            } else {
                double w1 = params[offset + i * hOut + groups + 1];
                if (tail == 2) {
                    for (int b = 0; b < count; b++) {
                        sum[b] = sum[b] + w0 * g0[b] + w1 * g1[b];
                    }
                } else {
                    double w2 = params[offset + i * hOut + groups + 2];
                    for (int b = 0; b < count; b++) {
                        sum[b] = sum[b] + w0 * g0[b] + w1 * g1[b] + w2 * g2[b];
                    }
                }
            }
        }
        return gradIn;
    }

    /**
     * Samples {@code from .. to} of {@code values} ({@code [batch][width]}) transposed into {@code columns}
     * ({@code [width][to - from]}, returned), each times {@code scale}; by tiles of samples, one column at a time.
     */
    private static double[][] transposed(double[] values, int width, int from, int to, double scale,
                                         double[][] columns) {
        int count = to - from;
        for (int start = 0; start < count; start += TRANSPOSE_TILE) {
            int end = Math.min(count, start + TRANSPOSE_TILE);
            for (int i = 0; i < width; i++) {
                double[] column = columns[i];
                int at = from * width + i;
                for (int b = start; b < end; b++) {
                    column[b] = values[at + b * width] * scale;
                }
            }
        }
        return columns;
    }

    /**
     * The inverse of {@link #transposed(double[], int, int, int, double, double[][])}: {@code columns}
     * ({@code [width][count]}), each times {@code scale}, into rows from {@code from} of {@code values}
     * ({@code [batch][width]}).
     */
    private static void untransposed(double[][] columns, int width, int count, double[] values, int from,
                                     double scale) {
        for (int start = 0; start < count; start += TRANSPOSE_TILE) {
            int end = Math.min(count, start + TRANSPOSE_TILE);
            int i = 0;
            // Four columns per pass, as in transposeRows: a run of four numbers of each row.
            for (; i + 4 <= width; i += 4) {
                double[] c0 = columns[i];
                double[] c1 = columns[i + 1];
                double[] c2 = columns[i + 2];
                double[] c3 = columns[i + 3];
                for (int b = start, at = (from + start) * width + i; b < end; b++, at += width) {
                    values[at] = c0[b] * scale;
                    values[at + 1] = c1[b] * scale;
                    values[at + 2] = c2[b] * scale;
                    values[at + 3] = c3[b] * scale;
                }
            }
            for (; i < width; i++) {
                double[] column = columns[i];
                int at = from * width + i;
                for (int b = start; b < end; b++) {
                    values[at + b * width] = column[b] * scale;
                }
            }
        }
    }

    /**
     * {@link #untransposed(double[][], int, int, double[], int, double)} added to the rows:
     * {@code values[..] += columns[i][b] * scale}.
     */
    private static void addUntransposed(double[][] columns, int width, int count, double[] values, int from,
                                        double scale) {
        for (int start = 0; start < count; start += TRANSPOSE_TILE) {
            int end = Math.min(count, start + TRANSPOSE_TILE);
            for (int i = 0; i < width; i++) {
                double[] column = columns[i];
                int at = from * width + i;
                for (int b = start; b < end; b++) {
                    values[at + b * width] += column[b] * scale;
                }
            }
        }
    }

    /** Float overload of {@link #addUntransposed(double[][], int, int, double[], int, double)}. */
    private static void addUntransposed(float[][] columns, int width, int count, float[] values, int from,
                                        float scale) {
        for (int start = 0; start < count; start += TRANSPOSE_TILE) {
            int end = Math.min(count, start + TRANSPOSE_TILE);
            for (int i = 0; i < width; i++) {
                float[] column = columns[i];
                int at = from * width + i;
                for (int b = start; b < end; b++) {
                    values[at + b * width] += column[b] * scale;
                }
            }
        }
    }

    /**
     * {@code z[b][j] = sum_i (in[b][i] scale) rows[i][j]} for samples {@code from .. to}. Per sample, each row of the
     * weights adds into a row of the result, in the order of a plain loop (so the same bits), in loops HotSpot
     * vectorizes.
     */
    private static void affineRows(double[] in, double[][] rows, int hIn, int hOut, double scale, double[] z,
                                   int from, int to) {
        double[] sum = new double[hOut];
        for (int b = from; b < to; b++) {
            Arrays.fill(sum, 0.0);
            int i = 0;
            int base = b * hIn;
            // Four input rows per pass: one store of sum per four multiply-adds, still vectorized.
            for (; i + 4 <= hIn; i += 4) {
                double x0 = in[base + i] * scale;
                double x1 = in[base + i + 1] * scale;
                double x2 = in[base + i + 2] * scale;
                double x3 = in[base + i + 3] * scale;
                double[] r0 = rows[i];
                double[] r1 = rows[i + 1];
                double[] r2 = rows[i + 2];
                double[] r3 = rows[i + 3];
                for (int j = 0; j < hOut; j++) {
                    sum[j] += x0 * r0[j] + x1 * r1[j] + x2 * r2[j] + x3 * r3[j];
                }
            }
            for (; i < hIn; i++) {
                double xi = in[base + i] * scale;
                double[] row = rows[i];
                for (int j = 0; j < hOut; j++) {
                    sum[j] += xi * row[j];
                }
            }
            System.arraycopy(sum, 0, z, b * hOut, hOut);
        }
    }

    /**
     * {@code columns[j][b] = rows[at + (b - from) * width + j]} for samples {@code b = from .. to}: rows
     * ({@code [to - from][width]} from {@code at}) transposed into columns. Four columns per pass over the rows
     * (a transposition is a scalar loop: one pass per column spends as much on the loop as on the copies; four
     * columns read a run of four numbers of each row).
     */
    private static void transposeRows(double[] rows, int at, int width, double[][] columns, int from, int to) {
        int j = 0;
        for (; j + 4 <= width; j += 4) {
            double[] c0 = columns[j];
            double[] c1 = columns[j + 1];
            double[] c2 = columns[j + 2];
            double[] c3 = columns[j + 3];
            for (int b = from, i = at + j; b < to; b++, i += width) {
                c0[b] = rows[i];
                c1[b] = rows[i + 1];
                c2[b] = rows[i + 2];
                c3[b] = rows[i + 3];
            }
        }
        for (; j < width; j++) {
            double[] column = columns[j];
            for (int b = from, i = at + j; b < to; b++, i += width) {
                column[b] = rows[i];
            }
        }
    }

    /** Float overload of {@link #transposeRows(double[], int, int, double[][], int, int)}. */
    private static void transposeRows(float[] rows, int at, int width, float[][] columns, int from, int to) {
        int j = 0;
        for (; j + 4 <= width; j += 4) {
            float[] c0 = columns[j];
            float[] c1 = columns[j + 1];
            float[] c2 = columns[j + 2];
            float[] c3 = columns[j + 3];
            for (int b = from, i = at + j; b < to; b++, i += width) {
                c0[b] = rows[i];
                c1[b] = rows[i + 1];
                c2[b] = rows[i + 2];
                c3[b] = rows[i + 3];
            }
        }
        for (; j < width; j++) {
            float[] column = columns[j];
            for (int b = from, i = at + j; b < to; b++, i += width) {
                column[b] = rows[i];
            }
        }
    }

    /** Idle rows ({@link #idleColumns}) of at least {@code width} rows of {@code count}, or fresh ones. */
    private double[][] takeColumns(int width, int count) {
        double[][] rows = idleColumns.poll();
        return rows != null && rows.length >= width && rows[0].length >= count ? rows : new double[width][count];
    }

    /** Float overload of {@link #takeColumns}. */
    private float[][] takeFloatColumns(int width, int count) {
        float[][] rows = idleFloatColumns.poll();
        return rows != null && rows.length >= width && rows[0].length >= count ? rows : new float[width][count];
    }

    /** Samples in block {@code block} of a batch of {@code batch} in blocks of {@code blockSize}. */
    private static int blockRows(int batch, int blockSize, int block) {
        return Math.min(batch, (block + 1) * blockSize) - block * blockSize;
    }

    private Workspace takeWorkspace() {
        Workspace workspace = idle.poll();
        return workspace != null ? workspace : new Workspace();
    }

    /**
     * Rows for the intermediates of one block of a transposed pass that nothing keeps (the block's input, each
     * layer's {@code z} and activations, the gradients), reused from block to block and from call to call, so that a
     * pass does not write them into fresh memory (which costs about half as much again as the arithmetic that fills
     * them): three slots per type, two that the layers' inputs and {@code z} use in turn and one for the activations,
     * each of at least as many rows as asked, each row at least as long. One workspace serves one block at a time
     * ({@link #idle} hands them out), so blocks running in parallel never share one.
     */
    private static final class Workspace {
        private final double[][][] doubles = new double[3][][];
        private final float[][][] floats = new float[3][][];

        /** Slot {@code slot}: at least {@code width} rows of at least {@code count} doubles, contents unspecified. */
        double[][] doubles(int slot, int width, int count) {
            double[][] rows = doubles[slot];
            if (rows == null || rows.length < width || rows[0].length < count) {
                rows = rows == null ? new double[width][count]
                        : new double[Math.max(width, rows.length)][Math.max(count, rows[0].length)];
                doubles[slot] = rows;
            }
            return rows;
        }

        /** Slot {@code slot}: at least {@code width} rows of at least {@code count} floats, contents unspecified. */
        float[][] floats(int slot, int width, int count) {
            float[][] rows = floats[slot];
            if (rows == null || rows.length < width || rows[0].length < count) {
                rows = rows == null ? new float[width][count]
                        : new float[Math.max(width, rows.length)][Math.max(count, rows[0].length)];
                floats[slot] = rows;
            }
            return rows;
        }
    }

    /** Checks that rows {@code first .. first + count} of {@code batch} fit in an array of {@code length}. */
    private static void checkRows(String where, int first, int count, int batch, int length, int width) {
        Checks.requireNonNegative(where, "first", first);
        Checks.requireNonNegative(where, "count", count);
        if (first > batch - count) {
            throw Checks.invalid(where, "first + count", "be <= the trace's batch " + batch, (long) first + count);
        }
        if (length < (long) count * width) {
            throw Checks.invalid(where, "rows", "hold count × " + width + " = " + (long) count * width + " values",
                    length);
        }
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
