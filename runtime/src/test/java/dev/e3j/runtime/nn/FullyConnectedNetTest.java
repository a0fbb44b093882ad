package dev.e3j.runtime.nn;

import static dev.e3j.runtime.nn.GradientCheck.assertGradient;
import static dev.e3j.runtime.nn.GradientCheck.dot;
import static dev.e3j.runtime.nn.GradientCheck.gaussian;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.runtime.math.Normalize2Mom;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FullyConnectedNetTest {

    @Test
    void forwardFollowsE3nnScaling() {
        // hs = [2, 3, 1]: h = φ(x W0 / sqrt 2), out = h W1 / sqrt 3, φ = c tanh.
        FullyConnectedNet net = new FullyConnectedNet(new int[] {2, 3, 1}, ScalarFunction.TANH);
        assertEquals(9, net.parameterCount());
        double[] w = {0.1, -0.2, 0.3, 0.4, 0.5, -0.6, 1.0, 2.0, -3.0};
        double[] x = {0.7, -1.1};
        double[] out = new double[1];
        net.forward(1, x, w, out);
        double c = Normalize2Mom.of(ScalarFunction.TANH).constant();
        double expected = 0;
        for (int j = 0; j < 3; j++) {
            double pre = (x[0] * w[j] + x[1] * w[3 + j]) / Math.sqrt(2);
            expected += c * Math.tanh(pre) * w[6 + j];
        }
        assertEquals(expected / Math.sqrt(3), out[0], 1e-15);
    }

    /** A backward pass from a trace equals the backward pass that recomputes the forward, bit for bit. */
    @Test
    void backwardFromATraceEqualsTheRecomputedOne() {
        FullyConnectedNet net = new FullyConnectedNet(new int[] {5, 7, 6, 4}, ScalarFunction.SILU, 2.0, 3.0, true);
        java.util.Random random = new java.util.Random(8);
        double[] params = net.initialParameters(random);
        int batch = 150;
        double[] x = new double[batch * 5];
        double[] gradOut = new double[batch * 4];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextGaussian();
        }
        for (int i = 0; i < gradOut.length; i++) {
            gradOut[i] = random.nextGaussian();
        }
        double[] out = new double[batch * 4];
        net.forward(batch, x, params, out);
        FullyConnectedNet.Trace trace = net.trace(batch, x, params);
        org.junit.jupiter.api.Assertions.assertArrayEquals(out, trace.output());
        double[] gradX = new double[x.length];
        double[] gradParams = new double[params.length];
        net.backward(batch, x, params, gradOut, gradX, gradParams);
        double[] gradXFromTrace = new double[x.length];
        double[] gradParamsFromTrace = new double[params.length];
        net.backward(trace, gradOut, gradXFromTrace, gradParamsFromTrace);
        org.junit.jupiter.api.Assertions.assertArrayEquals(gradX, gradXFromTrace);
        org.junit.jupiter.api.Assertions.assertArrayEquals(gradParams, gradParamsFromTrace);
        FullyConnectedNet other = new FullyConnectedNet(new int[] {5, 7, 6, 4}, ScalarFunction.SILU);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> other.backward(trace, gradOut, null, null));
    }

    /**
     * The output gradient set by chunks of rows, in shuffled order and across the blocks of the transposed passes
     * (2,500 samples: three blocks of 834, chunks of 32 that straddle them), adds to {@code gradX} exactly the
     * gradient of the backward pass from a whole array, in double and float; a row set twice or never is refused.
     */
    @Test
    void outputGradientSetByRowsAddsTheBackwardPassesGradient() {
        FullyConnectedNet net = new FullyConnectedNet(new int[] {10, 16, 38}, ScalarFunction.SILU);
        Random random = new Random(12);
        double[] params = net.initialParameters(random);
        int batch = 2500;
        double[] x = gaussian(random, batch * 10);
        double[] gradOut = gaussian(random, batch * 38);
        double[] start = gaussian(random, batch * 10);
        int chunk = 32;
        java.util.List<Integer> firsts = new java.util.ArrayList<>();
        for (int first = 0; first < batch; first += chunk) {
            firsts.add(first);
        }
        java.util.Collections.shuffle(firsts, random);

        FullyConnectedNet.Trace trace = net.trace(batch, x, params);
        double[] gradX = new double[x.length];
        net.backward(trace, gradOut, gradX, null);
        double[] sum = start.clone();
        FullyConnectedNet.OutputGradient gradient = trace.outputGradient(sum);
        for (int first : firsts) {
            int count = Math.min(chunk, batch - first);
            gradient.setRows(first, count, Arrays.copyOfRange(gradOut, first * 38, (first + count) * 38));
        }
        gradient.finish();
        for (int i = 0; i < sum.length; i++) {
            assertEquals(start[i] + gradX[i], sum[i], 0.0, "gradX[" + i + "]");
        }

        FullyConnectedNet.FloatTrace floatTrace = net.trace(batch, narrow(x), params);
        float[] floatGradOut = narrow(gradOut);
        float[] floatGradX = new float[x.length];
        net.backward(floatTrace, floatGradOut, floatGradX);
        float[] floatStart = narrow(start);
        float[] floatSum = floatStart.clone();
        FullyConnectedNet.FloatOutputGradient floatGradient = floatTrace.outputGradient(floatSum);
        for (int first : firsts) {
            int count = Math.min(chunk, batch - first);
            floatGradient.setRows(first, count, Arrays.copyOfRange(floatGradOut, first * 38, (first + count) * 38));
        }
        floatGradient.finish();
        for (int i = 0; i < floatSum.length; i++) {
            assertEquals(floatStart[i] + floatGradX[i], floatSum[i], 0f, "float gradX[" + i + "]");
        }

        FullyConnectedNet.OutputGradient twice = trace.outputGradient(new double[x.length]);
        twice.setRows(0, 32, new double[32 * 38]);
        assertThrows(IllegalStateException.class, twice::finish);
        assertThrows(IllegalStateException.class, () -> {
            for (int first = 0; first < 900; first += 32) {
                twice.setRows(first, 32, new double[32 * 38]);
            }
        });
        assertThrows(IllegalArgumentException.class, () -> twice.setRows(batch - 1, 2, new double[2 * 38]));
        assertThrows(IllegalArgumentException.class, () -> twice.setRows(0, 2, new double[38]));
        assertThrows(IllegalArgumentException.class, () -> trace.outputGradient(new double[9]));
    }

    @Test
    void varianceOptionsAndOutputActivation() {
        FullyConnectedNet net = new FullyConnectedNet(new int[] {1, 1}, ScalarFunction.RELU, 4.0, 9.0, true);
        double[] out = new double[1];
        net.forward(1, new double[] {2.0}, new double[] {3.0}, out);
        // φ(x W / sqrt(h var_in)) sqrt(var_out) = sqrt 2 relu(2 * 3 / 2) * 3.
        assertEquals(Math.sqrt(2) * 3 * 3, out[0], 1e-14);
        FullyConnectedNet linear = new FullyConnectedNet(new int[] {1, 1}, null, 4.0, 9.0, false);
        linear.forward(1, new double[] {2.0}, new double[] {3.0}, out);
        assertEquals(2 * 3 / Math.sqrt(4.0 / 9.0), out[0], 1e-14);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        FullyConnectedNet net = new FullyConnectedNet(new int[] {3, 5, 4, 2}, ScalarFunction.SILU);
        Random random = new Random(10);
        int batch = 4;
        double[] params = net.initialParameters(random);
        double[] x = gaussian(random, batch * 3);
        double[] gradOut = gaussian(random, batch * 2);
        double[] gradX = new double[x.length];
        double[] gradParams = new double[params.length];
        net.backward(batch, x, params, gradOut, gradX, gradParams);
        assertGradient("x", p -> loss(net, batch, p, params, gradOut), x, gradX);
        assertGradient("params", p -> loss(net, batch, x, p, gradOut), params, gradParams);
    }

    /**
     * {@code doubleBackward} is the gradient of {@code S = ggX . gradX + ggParams . gradParams} with respect to
     * {@code x}, {@code params} and {@code gradOut} (central differences of {@code backward}); {@code jvp} is the
     * slope of {@code forward} along {@code (dx, dParams)} and equals {@code gGradOut}. Activated, linear, with
     * variances and an output activation, with one tangent or both, and over several parallel blocks.
     */
    @Test
    void secondDerivativesMatchFiniteDifferencesOfBackward() {
        Random random = new Random(12);
        FullyConnectedNet[] nets = {
            new FullyConnectedNet(new int[] {3, 5, 4, 2}, ScalarFunction.SILU),
            new FullyConnectedNet(new int[] {2, 6, 3}, ScalarFunction.TANH, 2.0, 3.0, true),
            new FullyConnectedNet(new int[] {4, 3, 2}, null, 1.5, 0.5, false),
            new FullyConnectedNet(new int[] {1, 5}, ScalarFunction.SIGMOID, 1.0, 1.0, true),
        };
        boolean[] linear = {false, false, true, false};
        for (int n = 0; n < nets.length; n++) {
            FullyConnectedNet net = nets[n];
            for (int tangents = 0; tangents < 3; tangents++) {
                int batch = tangents == 2 ? 70 : 3;
                String what = net + " with " + (tangents == 0 ? "ggX" : tangents == 1 ? "ggParams" : "both");
                double[] params = net.initialParameters(random);
                double[] x = gaussian(random, batch * net.inputDim());
                double[] gradOut = gaussian(random, batch * net.outputDim());
                double[] ggX = tangents == 1 ? null : gaussian(random, x.length);
                double[] ggParams = tangents == 0 ? null : gaussian(random, params.length);
                double[] gX = new double[x.length];
                double[] gParams = new double[params.length];
                double[] gGradOut = new double[gradOut.length];
                net.doubleBackward(batch, x, params, gradOut, ggX, ggParams, gX, gParams, gGradOut);
                double tolerance = batch > 64 ? 1e-7 : 1e-8;
                if (linear[n] && ggParams == null) {
                    assertArrayEquals(new double[x.length], gX, what + ": gradX of a linear net does not depend on x");
                } else {
                    assertGradient(what + ": gX", p -> second(net, batch, p, params, gradOut, ggX, ggParams), x, gX,
                            tolerance);
                }
                assertGradient(what + ": gParams", p -> second(net, batch, x, p, gradOut, ggX, ggParams), params,
                        gParams, tolerance);
                assertGradient(what + ": gGradOut", p -> second(net, batch, x, params, p, ggX, ggParams), gradOut,
                        gGradOut, tolerance);
                double[] dOut = new double[gradOut.length];
                net.jvp(batch, x, params, ggX, ggParams, dOut);
                assertArrayEquals(gGradOut, dOut, what + ": jvp = gGradOut");
                double[] one = {0.0};
                assertGradient(what + ": jvp", t -> {
                    double[] movedX = x.clone();
                    double[] movedParams = params.clone();
                    for (int i = 0; ggX != null && i < x.length; i++) {
                        movedX[i] += t[0] * ggX[i];
                    }
                    for (int i = 0; ggParams != null && i < params.length; i++) {
                        movedParams[i] += t[0] * ggParams[i];
                    }
                    return loss(net, batch, movedX, movedParams, gradOut);
                }, one, new double[] {dot(dOut, gradOut)}, tolerance);
                double[] onlyX = new double[x.length];
                net.doubleBackward(batch, x, params, gradOut, ggX, ggParams, onlyX, null, null);
                assertArrayEquals(gX, onlyX, what + ": gX alone");
            }
        }
    }

    @Test
    void secondDerivativesOfZeroCotangentsAreZeroAndShapesAreChecked() {
        FullyConnectedNet net = new FullyConnectedNet(new int[] {3, 4, 2}, ScalarFunction.SILU);
        Random random = new Random(13);
        double[] params = net.initialParameters(random);
        double[] x = gaussian(random, 6);
        double[] gradOut = gaussian(random, 4);
        double[] gX = gaussian(random, 6);
        double[] gParams = gaussian(random, params.length);
        double[] gGradOut = gaussian(random, 4);
        net.doubleBackward(2, x, params, gradOut, null, null, gX, gParams, gGradOut);
        assertArrayEquals(new double[6], gX);
        assertArrayEquals(new double[params.length], gParams);
        assertArrayEquals(new double[4], gGradOut);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> net.doubleBackward(2, x, params, gradOut, new double[5], null, null, null, null));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("ggX"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> net.jvp(2, x, params, null, new double[3], new double[4]));
        FullyConnectedNet cube = new FullyConnectedNet(new int[] {1, 1, 1},
                ScalarFunction.of("cube", t -> t * t * t, t -> 3 * t * t));
        assertThrows(UnsupportedOperationException.class, () -> cube.doubleBackward(1, new double[] {1},
                new double[] {1, 1}, new double[] {1}, new double[] {1}, null, new double[1], null, null));
    }

    /** {@code S = ggX . gradX + ggParams . gradParams} from {@code backward}. */
    private static double second(FullyConnectedNet net, int batch, double[] x, double[] params, double[] gradOut,
                                 double[] ggX, double[] ggParams) {
        double[] gradX = new double[x.length];
        double[] gradParams = new double[params.length];
        net.backward(batch, x, params, gradOut, gradX, gradParams);
        return (ggX == null ? 0 : dot(ggX, gradX)) + (ggParams == null ? 0 : dot(ggParams, gradParams));
    }

    /**
     * A batch of several parallel blocks against plain loops over the samples: the forward and the input gradient
     * add four products at a time, so they agree to rounding; the parameter gradient sums per block, then over the
     * blocks, so it agrees to rounding too; every result is the same on every call.
     */
    @Test
    void severalBlocksMatchPlainLoops() {
        int[] hs = {5, 17, 9, 33};
        FullyConnectedNet net = new FullyConnectedNet(hs, ScalarFunction.SILU, 2.0, 3.0, false);
        Random random = new Random(21);
        int batch = 5 * 64 + 7;
        double[] params = net.initialParameters(random);
        double[] x = gaussian(random, batch * hs[0]);
        double[] gradOut = gaussian(random, batch * hs[3]);
        ScalarFunction act = Normalize2Mom.of(ScalarFunction.SILU);
        double[][] inputs = new double[3][];
        double[][] pre = new double[3][];
        double[] h = x;
        int offset = 0;
        int[] offsets = new int[3];
        for (int layer = 0; layer < 3; layer++) {
            int hIn = hs[layer];
            int hOut = hs[layer + 1];
            offsets[layer] = offset;
            double scale = layer == 0 ? 1 / Math.sqrt(hIn * 2.0) : layer == 2 ? 1 / Math.sqrt(hIn / 3.0)
                    : 1 / Math.sqrt(hIn);
            double[] z = new double[batch * hOut];
            for (int b = 0; b < batch; b++) {
                for (int i = 0; i < hIn; i++) {
                    double xi = h[b * hIn + i] * scale;
                    for (int j = 0; j < hOut; j++) {
                        z[b * hOut + j] += xi * params[offset + i * hOut + j];
                    }
                }
            }
            inputs[layer] = h;
            pre[layer] = z;
            if (layer < 2) {
                double[] y = new double[z.length];
                for (int i = 0; i < z.length; i++) {
                    y[i] = act.value(z[i]);
                }
                h = y;
            } else {
                h = z;
            }
            offset += hIn * hOut;
        }
        double[] out = new double[batch * hs[3]];
        net.forward(batch, x, params, out);
        assertClose(h, out, "forward");
        double[] grad = gradOut.clone();
        double[] expectedParams = new double[params.length];
        for (int layer = 2; layer >= 0; layer--) {
            int hIn = hs[layer];
            int hOut = hs[layer + 1];
            double scale = layer == 0 ? 1 / Math.sqrt(hIn * 2.0) : layer == 2 ? 1 / Math.sqrt(hIn / 3.0)
                    : 1 / Math.sqrt(hIn);
            if (layer < 2) {
                for (int i = 0; i < grad.length; i++) {
                    grad[i] *= act.derivative(pre[layer][i]);
                }
            }
            for (int i = 0; i < hIn; i++) {
                for (int j = 0; j < hOut; j++) {
                    double sum = 0;
                    for (int b = 0; b < batch; b++) {
                        sum += inputs[layer][b * hIn + i] * grad[b * hOut + j];
                    }
                    expectedParams[offsets[layer] + i * hOut + j] = sum * scale;
                }
            }
            double[] gradIn = new double[batch * hIn];
            for (int b = 0; b < batch; b++) {
                for (int i = 0; i < hIn; i++) {
                    double sum = 0;
                    for (int j = 0; j < hOut; j++) {
                        sum += params[offsets[layer] + i * hOut + j] * grad[b * hOut + j];
                    }
                    gradIn[b * hIn + i] = sum * scale;
                }
            }
            grad = gradIn;
        }
        double[] gradX = new double[x.length];
        double[] gradParams = new double[params.length];
        net.backward(batch, x, params, gradOut, gradX, gradParams);
        assertClose(grad, gradX, "input gradient");
        double[] outAgain = new double[out.length];
        net.forward(batch, x, params, outAgain);
        assertArrayEquals(out, outAgain, "the same forward on every call");
        for (int i = 0; i < params.length; i++) {
            assertEquals(expectedParams[i], gradParams[i], 1e-12 * (1 + Math.abs(expectedParams[i])), "param " + i);
        }
        double[] again = new double[params.length];
        net.backward(batch, x, params, gradOut, null, again);
        assertArrayEquals(gradParams, again, "the same on every call");
    }

    private static void assertClose(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-13 * (1 + Math.abs(expected[i])), what + " " + i);
        }
    }

    private static double loss(FullyConnectedNet net, int batch, double[] x, double[] params, double[] gradOut) {
        double[] out = new double[gradOut.length];
        net.forward(batch, x, params, out);
        return dot(out, gradOut);
    }

    @Test
    void rejectsBadSizes() {
        FullyConnectedNet net = new FullyConnectedNet(new int[] {3, 4}, ScalarFunction.SILU);
        IllegalArgumentException params = assertThrows(IllegalArgumentException.class,
                () -> net.forward(1, new double[3], new double[11], new double[4]));
        assertEquals("FullyConnectedNet.forward: params must have length 12, got 11", params.getMessage());
        IllegalArgumentException hs = assertThrows(IllegalArgumentException.class,
                () -> new FullyConnectedNet(new int[] {3}, null));
        assertEquals("new FullyConnectedNet: hs must hold at least 2 sizes (input and output), got [3]",
                hs.getMessage());
    }

    @Test
    void rejectsSizesBeyondAnArray() {
        // 100000 x 100000 weights threw ArithmeticException.
        IllegalArgumentException weights = assertThrows(IllegalArgumentException.class,
                () -> new FullyConnectedNet(new int[] {100000, 100000}, null));
        assertEquals("new FullyConnectedNet: hs must give at most 2147483639 weights (the sum of h_i × h_i+1, in one "
                + "array), got at least 10000000000 (hs = [100000, 100000])", weights.getMessage());
        // A hidden layer wider than the input: batch x 100000 overflowed (NegativeArraySizeException).
        FullyConnectedNet wide = new FullyConnectedNet(new int[] {1, 100000, 1}, null);
        int batch = 30000;
        IllegalArgumentException activations = assertThrows(IllegalArgumentException.class,
                () -> wide.forward(batch, new double[batch], new double[wide.parameterCount()], new double[batch]));
        assertEquals("FullyConnectedNet.forward: batch × the widest layer must be at most 2147483639 (the length of "
                + "one array), got 30000 × 100000 = 3000000000", activations.getMessage());
    }

    @Test
    void floatTraceAndBackwardAgreeWithDoubleToFloatAccuracy() {
        // Odd widths for the loops' remainders; 150 samples: two full blocks of 64 and a partial one.
        FullyConnectedNet net = new FullyConnectedNet(new int[] {5, 7, 13, 3}, ScalarFunction.SILU);
        Random random = new Random(11);
        int batch = 150;
        double[] params = net.initialParameters(random);
        double[] x = new double[batch * 5];
        double[] gradOut = new double[batch * 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (2 * random.nextGaussian());
        }
        for (int i = 0; i < gradOut.length; i++) {
            gradOut[i] = (float) random.nextGaussian();
        }
        double[] out = new double[batch * 3];
        net.forward(batch, x, params, out);
        double[] gradX = new double[x.length];
        net.backward(batch, x, params, gradOut, gradX, null);

        FullyConnectedNet.FloatTrace trace = net.trace(batch, narrow(x), params);
        assertFloatClose(out, trace.output());
        float[] gradXFloat = new float[x.length];
        net.backward(trace, narrow(gradOut), gradXFloat);
        assertFloatClose(gradX, gradXFloat);

        FullyConnectedNet other = new FullyConnectedNet(new int[] {5, 7, 13, 3}, ScalarFunction.SILU);
        assertThrows(IllegalArgumentException.class, () -> other.backward(trace, narrow(gradOut), gradXFloat));
    }

    @Test
    void floatTraceAndBackwardSumAsPlainPerSampleLoops() {
        // The float passes run transposed blocks of samples; their sums must be those of per-sample loops, four
        // rows (or columns) per step, bit for bit. 600 samples, an output gain other than 1 (out_act with
        // variance_out = 2), and widths for every remainder of the four-row steps: one to three rows after whole
        // steps (10, 9, 6, 7) or alone (3, 1).
        for (int[] hs : new int[][] {{10, 16, 9}, {7, 3, 6}, {1, 7, 1}}) {
            floatTraceAndBackwardSumAsPlainPerSampleLoops(hs);
        }
    }

    private static void floatTraceAndBackwardSumAsPlainPerSampleLoops(int[] hs) {
        FullyConnectedNet net = new FullyConnectedNet(hs, ScalarFunction.SILU, 1.0, 2.0, true);
        ScalarFunction act = Normalize2Mom.of(ScalarFunction.SILU);
        Random random = new Random(12);
        int batch = 600;
        double[] params = net.initialParameters(random);
        float[] x = narrow(gaussian(random, batch * hs[0]));
        float[] gradOut = narrow(gaussian(random, batch * hs[2]));
        float[] weights = narrow(params);
        float[][] derivatives = new float[2][];
        float[] h = x;
        int offset = 0;
        for (int layer = 0; layer < 2; layer++) {
            int hIn = hs[layer];
            int hOut = hs[layer + 1];
            float scale = (float) (1 / Math.sqrt(hIn));
            float gain = layer == 1 ? (float) Math.sqrt(2.0) : 1f;
            float[] z = new float[batch * hOut];
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < hOut; j++) {
                    float sum = 0f;
                    int i = 0;
                    for (; i + 4 <= hIn; i += 4) {
                        sum += h[b * hIn + i] * scale * weights[offset + i * hOut + j]
                                + h[b * hIn + i + 1] * scale * weights[offset + (i + 1) * hOut + j]
                                + h[b * hIn + i + 2] * scale * weights[offset + (i + 2) * hOut + j]
                                + h[b * hIn + i + 3] * scale * weights[offset + (i + 3) * hOut + j];
                    }
                    for (; i < hIn; i++) {
                        sum += h[b * hIn + i] * scale * weights[offset + i * hOut + j];
                    }
                    z[b * hOut + j] = sum;
                }
            }
            float[] values = new float[z.length];
            derivatives[layer] = new float[z.length];
            act.valuesAndDerivatives(z, values, derivatives[layer], 0, z.length);
            for (int k = 0; k < values.length; k++) {
                values[k] *= gain;
            }
            h = values;
            offset += hIn * hOut;
        }
        FullyConnectedNet.FloatTrace trace = net.trace(batch, x, params);
        assertArrayEquals(h, trace.output(), Arrays.toString(hs));

        float[] grad = gradOut;
        for (int layer = 1; layer >= 0; layer--) {
            int hIn = hs[layer];
            int hOut = hs[layer + 1];
            offset -= hIn * hOut;
            float scale = (float) (1 / Math.sqrt(hIn));
            float gain = layer == 1 ? (float) Math.sqrt(2.0) : 1f;
            float[] g = new float[batch * hOut];
            for (int k = 0; k < g.length; k++) {
                g[k] = grad[k] * (gain * derivatives[layer][k]);
            }
            float[] gradIn = new float[batch * hIn];
            for (int b = 0; b < batch; b++) {
                for (int i = 0; i < hIn; i++) {
                    float[] w = Arrays.copyOfRange(weights, offset + i * hOut, offset + (i + 1) * hOut);
                    int o = b * hOut;
                    float sum = 0f;
                    int j = 0;
                    for (; j + 4 <= hOut; j += 4) {
                        sum += w[j] * g[o + j] + w[j + 1] * g[o + j + 1] + w[j + 2] * g[o + j + 2]
                                + w[j + 3] * g[o + j + 3];
                    }
                    for (; j < hOut; j++) {
                        sum += w[j] * g[o + j];
                    }
                    gradIn[b * hIn + i] = sum * scale;
                }
            }
            grad = gradIn;
        }
        float[] gradX = new float[x.length];
        net.backward(trace, gradOut, gradX);
        assertArrayEquals(grad, gradX, Arrays.toString(hs));
    }

    /**
     * The double passes run transposed blocks of samples (up to 1024 each); their values must be those of per-sample
     * loops, four inputs (or outputs) per term, bit for bit, whatever the blocks: 2100 samples (three blocks of 700),
     * then fewer and more samples on the same network (its reused scratch rows). A width of 10 for the four-term
     * steps' remainder, a hidden layer of 3 (remainder only), an output gain other than 1 (out_act with
     * variance_out = 2); the same for a linear network, whose hidden outputs are kept as they are.
     */
    @Test
    void doublePassesSumAsPlainPerSampleLoops() {
        int[] hs = {10, 16, 3, 9};
        for (ScalarFunction act : new ScalarFunction[] {ScalarFunction.SILU, null}) {
            FullyConnectedNet net = new FullyConnectedNet(hs, act, 1.0, 2.0, true);
            Random random = new Random(13);
            double[] params = net.initialParameters(random);
            for (int batch : new int[] {2100, 5, 1030}) {
                double[] x = gaussian(random, batch * hs[0]);
                double[] gradOut = gaussian(random, batch * hs[3]);
                double[][] expected = perSampleLoops(hs, act, params, batch, x, gradOut);
                FullyConnectedNet.Trace trace = net.trace(batch, x, params);
                assertArrayEquals(expected[0], trace.output(), "forward, " + batch + " samples");
                double[] out = new double[expected[0].length];
                net.forward(batch, x, params, out);
                assertArrayEquals(expected[0], out, "forward without a trace, " + batch + " samples");
                double[] gradX = new double[x.length];
                double[] gradParams = new double[params.length];
                net.backward(trace, gradOut, gradX, gradParams);
                assertArrayEquals(expected[1], gradX, "input gradient, " + batch + " samples");
                assertArrayEquals(expected[2], gradParams, "parameter gradient, " + batch + " samples");
                double[] gradXAlone = new double[x.length];
                net.backward(trace, gradOut, gradXAlone, null);
                assertArrayEquals(expected[1], gradXAlone, "input gradient alone, " + batch + " samples");
                double[] gradParamsAlone = new double[params.length];
                net.backward(trace, gradOut, null, gradParamsAlone);
                assertArrayEquals(expected[2], gradParamsAlone, "parameter gradient alone, " + batch + " samples");
            }
        }
    }

    /**
     * The output, input gradient and parameter gradient of {@code FullyConnectedNet(hs, act, 1, 2, true)} by plain
     * per-sample loops in the order of the network's sums; the parameter gradient summed per block of
     * {@code max(64, ceil(batch / 16))} samples, then over the blocks.
     */
    private static double[][] perSampleLoops(int[] hs, ScalarFunction act, double[] params, int batch, double[] x,
                                             double[] gradOut) {
        ScalarFunction phi = act == null ? null : Normalize2Mom.of(act);
        int layers = hs.length - 1;
        double[][] inputs = new double[layers][];
        double[][] derivatives = new double[layers][];
        int[] offsets = new int[layers];
        double[] h = x;
        for (int layer = 0, offset = 0; layer < layers; offset += hs[layer] * hs[layer + 1], layer++) {
            int hIn = hs[layer];
            int hOut = hs[layer + 1];
            offsets[layer] = offset;
            double scale = 1 / Math.sqrt(layer == layers - 1 && phi == null ? hIn / 2.0 : hIn);
            double gain = layer == layers - 1 ? Math.sqrt(2.0) : 1.0;
            double[] y = new double[batch * hOut];
            derivatives[layer] = new double[y.length];
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < hOut; j++) {
                    double sum = 0;
                    int i = 0;
                    for (; i + 4 <= hIn; i += 4) {
                        sum += h[b * hIn + i] * scale * params[offset + i * hOut + j]
                                + h[b * hIn + i + 1] * scale * params[offset + (i + 1) * hOut + j]
                                + h[b * hIn + i + 2] * scale * params[offset + (i + 2) * hOut + j]
                                + h[b * hIn + i + 3] * scale * params[offset + (i + 3) * hOut + j];
                    }
                    for (; i < hIn; i++) {
                        sum += h[b * hIn + i] * scale * params[offset + i * hOut + j];
                    }
                    y[b * hOut + j] = phi == null ? sum : phi.value(sum) * gain;
                    derivatives[layer][b * hOut + j] = phi == null ? 1.0 : phi.derivative(sum);
                }
            }
            inputs[layer] = h;
            h = y;
        }
        double[] gradParams = new double[params.length];
        double[] grad = gradOut;
        for (int layer = layers - 1; layer >= 0; layer--) {
            int hIn = hs[layer];
            int hOut = hs[layer + 1];
            int offset = offsets[layer];
            double scale = 1 / Math.sqrt(layer == layers - 1 && phi == null ? hIn / 2.0 : hIn);
            double gain = layer == layers - 1 ? Math.sqrt(2.0) : 1.0;
            double[] g = grad.clone();
            if (phi != null) {
                for (int k = 0; k < g.length; k++) {
                    g[k] = grad[k] * (gain * derivatives[layer][k]);
                }
            }
            int blockSize = Math.max(64, (batch + 15) / 16);
            for (int i = 0; i < hIn; i++) {
                for (int j = 0; j < hOut; j++) {
                    double total = 0;
                    for (int from = 0; from < batch; from += blockSize) {
                        double partial = 0;
                        for (int b = from; b < Math.min(batch, from + blockSize); b++) {
                            partial += inputs[layer][b * hIn + i] * g[b * hOut + j];
                        }
                        total += partial;
                    }
                    gradParams[offset + i * hOut + j] = total * scale;
                }
            }
            double[] gradIn = new double[batch * hIn];
            for (int b = 0; b < batch; b++) {
                for (int i = 0; i < hIn; i++) {
                    int w = offset + i * hOut;
                    int o = b * hOut;
                    double sum = 0;
                    int j = 0;
                    for (; j + 4 <= hOut; j += 4) {
                        sum += params[w + j] * g[o + j] + params[w + j + 1] * g[o + j + 1]
                                + params[w + j + 2] * g[o + j + 2] + params[w + j + 3] * g[o + j + 3];
                    }
                    for (; j < hOut; j++) {
                        sum += params[w + j] * g[o + j];
                    }
                    gradIn[b * hIn + i] = sum * scale;
                }
            }
            grad = gradIn;
        }
        return new double[][] {h, grad, gradParams};
    }

    private static float[] narrow(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }

    /** Largest error at most 1e-5 of the largest value. */
    private static void assertFloatClose(double[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        double scale = 0;
        double error = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            error = Math.max(error, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(error <= 1e-5 * scale, "largest error " + error + " against largest value " + scale);
    }
}
