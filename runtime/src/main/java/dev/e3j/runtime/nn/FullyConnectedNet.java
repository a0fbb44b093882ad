package dev.e3j.runtime.nn;

import java.util.Arrays;
import java.util.Random;

/**
 * e3nn's {@code nn.FullyConnectedNet(hs, act, variance_in=1, variance_out=1, out_act=False)}: layers
 * {@code h_0 -> h_1 -> ... -> h_L} with weights {@code W_i ~ N(0, 1)} of shape {@code [h_i][h_{i+1}]} and
 * <pre>
 *   hidden layer:  x <- φ(x W / sqrt(h_in var_in)) sqrt(var_out)     (var_in = variance_in for the first layer, else 1)
 *   last layer:    x <- x W / sqrt(h_in var_in / var_out)            (var_out = variance_out; φ too if out_act)
 * </pre>
 * with {@code φ = normalize2mom(act)} ({@link Normalize2Mom}). A {@code null} activation makes every layer linear.
 *
 * <p>Parameters are one flat array: the layers' weights in order, each row-major {@code [h_in][h_out]} (the order
 * and layout of e3nn's {@code state_dict}). Inputs are {@code [batch][h_0]}, outputs {@code [batch][h_L]}.
 * Stateless and thread-safe.
 */
public final class FullyConnectedNet {

    private final int[] hs;
    private final ScalarFunction act;
    private final double varianceIn;
    private final double varianceOut;
    private final boolean outAct;
    private final int[] weightOffsets;

    /** e3nn's defaults: unit variances, no activation after the last layer. */
    public FullyConnectedNet(int[] hs, ScalarFunction act) {
        this(hs, act, 1.0, 1.0, false);
    }

    public FullyConnectedNet(int[] hs, ScalarFunction act, double varianceIn, double varianceOut, boolean outAct) {
        Checks.requireNonNull("hs", hs);
        if (hs.length < 2) {
            throw new IllegalArgumentException("hs: expected at least 2 sizes (input and output), got "
                    + Arrays.toString(hs));
        }
        for (int i = 0; i < hs.length; i++) {
            if (hs[i] < 1) {
                throw new IllegalArgumentException("hs[" + i + "]: expected >= 1, got " + hs[i]);
            }
        }
        if (!(varianceIn > 0) || !(varianceOut > 0)) {
            throw new IllegalArgumentException("varianceIn, varianceOut: expected > 0, got " + varianceIn + ", "
                    + varianceOut);
        }
        this.hs = hs.clone();
        this.act = act == null ? null : Normalize2Mom.of(act);
        this.varianceIn = varianceIn;
        this.varianceOut = varianceOut;
        this.outAct = outAct;
        this.weightOffsets = new int[hs.length];
        for (int i = 0; i + 1 < hs.length; i++) {
            weightOffsets[i + 1] = Math.addExact(weightOffsets[i], Math.multiplyExact(hs[i], hs[i + 1]));
        }
    }

    /** Layer sizes {@code h_0 ... h_L}. */
    public int[] hs() {
        return hs.clone();
    }

    public int inputDim() {
        return hs[0];
    }

    public int outputDim() {
        return hs[hs.length - 1];
    }

    /** {@code sum_i h_i h_{i+1}}. */
    public int parameterCount() {
        return weightOffsets[hs.length - 1];
    }

    /** Fresh parameters {@code ~ N(0, 1)} (e3nn's {@code torch.randn} initialization, with Java's generator). */
    public double[] initialParameters(Random random) {
        Checks.requireNonNull("random", random);
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

    public void forward(int batch, double[] x, double[] params, double[] out) {
        check(batch, x, params);
        Checks.requireShape("out", out, batch, outputDim());
        double[][] pre = new double[layers()][];
        double[] y = run(batch, x, params, pre);
        System.arraycopy(y, 0, out, 0, y.length);
    }

    /**
     * Gradients of {@code sum(out * gradOut)}: {@code gradX} ({@code [batch][h_0]}) and {@code gradParams} (summed
     * over the batch), each overwritten, {@code null} to skip.
     */
    public void backward(int batch, double[] x, double[] params, double[] gradOut, double[] gradX,
                         double[] gradParams) {
        check(batch, x, params);
        Checks.requireShape("gradOut", gradOut, batch, outputDim());
        if (gradX != null) {
            Checks.requireShape("gradX", gradX, batch, inputDim());
        }
        if (gradParams != null) {
            Checks.requireLength("gradParams", gradParams, parameterCount());
        }
        double[][] inputs = new double[layers()][];
        double[][] pre = new double[layers()][];
        run(batch, x, params, inputs, pre);
        double[] grad = gradOut.clone();
        for (int layer = layers() - 1; layer >= 0; layer--) {
            int hIn = hs[layer];
            int hOut = hs[layer + 1];
            if (activated(layer)) {
                double gain = outputGain(layer);
                for (int i = 0; i < grad.length; i++) {
                    grad[i] *= gain * act.derivative(pre[layer][i]);
                }
            }
            double scale = weightScale(layer);
            int w0 = weightOffsets[layer];
            if (gradParams != null) {
                for (int i = 0; i < hIn; i++) {
                    for (int j = 0; j < hOut; j++) {
                        double sum = 0;
                        for (int b = 0; b < batch; b++) {
                            sum += inputs[layer][b * hIn + i] * grad[b * hOut + j];
                        }
                        gradParams[w0 + i * hOut + j] = sum * scale;
                    }
                }
            }
            if (layer == 0 && gradX == null) {
                break;
            }
            double[] gradIn = new double[batch * hIn];
            for (int b = 0; b < batch; b++) {
                for (int i = 0; i < hIn; i++) {
                    double sum = 0;
                    for (int j = 0; j < hOut; j++) {
                        sum += params[w0 + i * hOut + j] * grad[b * hOut + j];
                    }
                    gradIn[b * hIn + i] = sum * scale;
                }
            }
            grad = gradIn;
        }
        if (gradX != null) {
            System.arraycopy(grad, 0, gradX, 0, grad.length);
        }
    }

    private double[] run(int batch, double[] x, double[] params, double[][] pre) {
        return run(batch, x, params, new double[layers()][], pre);
    }

    /** Forward pass keeping each layer's input and pre-activation ({@code x W scale}). */
    private double[] run(int batch, double[] x, double[] params, double[][] inputs, double[][] pre) {
        double[] h = x;
        for (int layer = 0; layer < layers(); layer++) {
            int hIn = hs[layer];
            int hOut = hs[layer + 1];
            double scale = weightScale(layer);
            int w0 = weightOffsets[layer];
            double[] z = new double[batch * hOut];
            for (int b = 0; b < batch; b++) {
                for (int i = 0; i < hIn; i++) {
                    double xi = h[b * hIn + i] * scale;
                    for (int j = 0; j < hOut; j++) {
                        z[b * hOut + j] += xi * params[w0 + i * hOut + j];
                    }
                }
            }
            inputs[layer] = h;
            pre[layer] = z;
            if (activated(layer)) {
                double gain = outputGain(layer);
                double[] y = new double[z.length];
                for (int i = 0; i < z.length; i++) {
                    y[i] = act.value(z[i]) * gain;
                }
                h = y;
            } else {
                h = z;
            }
        }
        return h;
    }

    private void check(int batch, double[] x, double[] params) {
        Checks.requireNonNegative("batch", batch);
        Checks.requireShape("x", x, batch, inputDim());
        Checks.requireLength("params", params, parameterCount());
    }

    @Override
    public String toString() {
        return "FullyConnectedNet" + Arrays.toString(hs);
    }
}
