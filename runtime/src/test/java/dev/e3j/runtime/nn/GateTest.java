package dev.e3j.runtime.nn;

import static dev.e3j.runtime.nn.GradientCheck.assertGradient;
import static dev.e3j.runtime.nn.GradientCheck.dot;
import static dev.e3j.runtime.nn.GradientCheck.gaussian;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.Layouts;
import dev.e3j.runtime.math.Normalize2Mom;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GateTest {

    private static final ScalarFunction TANH = ScalarFunction.TANH;
    private static final ScalarFunction SIGMOID = ScalarFunction.SIGMOID;
    private static final ScalarFunction RELU = ScalarFunction.RELU;

    /** Gate("8x0e", [relu], "4x0e+4x0o", [sigmoid, tanh], "8x1o"). */
    private static Gate mixedGate() {
        return new Gate(Irreps.parse("8x0e"), List.of(RELU), Irreps.parse("4x0e+4x0o"), List.of(SIGMOID, TANH),
                Irreps.parse("8x1o"));
    }

    @Test
    void irrepsMatchE3nnDocstringExample() {
        Gate gate = new Gate(Irreps.parse("16x0o"), List.of(TANH), Irreps.parse("32x0o"), List.of(TANH),
                Irreps.parse("16x1e+16x1o"));
        assertEquals(Irreps.parse("48x0o+16x1o+16x1e"), gate.irrepsIn());
        assertEquals(Irreps.parse("16x0o+16x1o+16x1e"), gate.irrepsOut());
    }

    @Test
    void inputIsSortedAndOutputSplitsWhereGateParitiesChange() {
        Gate gate = mixedGate();
        // [8x0e, 4x0e, 4x0o, 8x1o] sorted: 4x0o (gates), 8x0e (scalars), 4x0e (gates), 8x1o (gated).
        assertEquals(Irreps.parse("4x0o+12x0e+8x1o"), gate.irrepsIn());
        assertEquals(Irreps.parse("8x0e+4x1o+4x1e"), gate.irrepsOut());
    }

    @Test
    void forwardGatesEachIrrepByItsActivatedScalar() {
        Gate gate = mixedGate();
        Random random = new Random(3);
        double[] x = gaussian(random, gate.irrepsIn().dim());
        double[] out = new double[gate.irrepsOut().dim()];
        gate.forward(1, x, out);
        double relu = Normalize2Mom.of(RELU).constant();
        double sigmoid = Normalize2Mom.of(SIGMOID).constant();
        double tanh = Normalize2Mom.of(TANH).constant();
        // Scalar 3 sits at input 4 + 3; gated copy 1 (x, y, z at 16 + 3) uses gate 1 at input 12 + 1 (a 0e gate);
        // gated copy 6 uses gate 6 = the third 0o gate, at input 2.
        assertEquals(relu * Math.max(x[7], 0), out[3], 1e-15);
        double g1 = sigmoid / (1 + Math.exp(-x[13]));
        assertEquals(x[16 + 3 + 1] * g1, out[8 + 3 + 1], 1e-15);
        double g6 = tanh * Math.tanh(x[2]);
        assertEquals(x[16 + 18 + 2] * g6, out[8 + 18 + 2], 1e-15);
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        Gate gate = new Gate(Irreps.parse("3x0e+2x0o"), List.of(ScalarFunction.SILU, TANH),
                Irreps.parse("2x0e+1x0o"), List.of(SIGMOID, ScalarFunction.ABS), Irreps.parse("2x1o+1x2e"));
        Random random = new Random(4);
        int batch = 3;
        double[] x = gaussian(random, batch * gate.irrepsIn().dim());
        double[] gradOut = gaussian(random, batch * gate.irrepsOut().dim());
        double[] gradX = new double[x.length];
        gate.backward(batch, x, gradOut, gradX);
        assertGradient("Gate", p -> {
            double[] out = new double[batch * gate.irrepsOut().dim()];
            gate.forward(batch, p, out);
            return dot(out, gradOut);
        }, x, gradX);
    }

    /**
     * {@code doubleBackward} is the gradient of {@code ggX . gradX} with respect to {@code x} and {@code gradOut}
     * (central differences of {@code backward}), and {@code gGradOut} the tangent {@code jvp}, the slope of
     * {@code forward}: on a gate whose gates' multiplicities split the gated entries, with interleaved groups.
     */
    @Test
    void secondDerivativesMatchFiniteDifferencesOfBackward() {
        Gate gate = new Gate(Irreps.parse("3x0e+2x0o"), List.of(ScalarFunction.SILU, TANH),
                Irreps.parse("2x0e+1x0o"), List.of(SIGMOID, TANH), Irreps.parse("2x1o+1x2e"));
        Random random = new Random(5);
        int batch = 3;
        int dim = gate.irrepsIn().dim();
        int outDim = gate.irrepsOut().dim();
        double[] x = gaussian(random, batch * dim);
        double[] gradOut = gaussian(random, batch * outDim);
        double[] ggX = gaussian(random, batch * dim);
        double[] gX = new double[x.length];
        double[] gGradOut = new double[gradOut.length];
        gate.doubleBackward(batch, x, gradOut, ggX, gX, gGradOut);
        assertGradient("Gate.doubleBackward gX", p -> {
            double[] gradX = new double[p.length];
            gate.backward(batch, p, gradOut, gradX);
            return dot(gradX, ggX);
        }, x, gX, 1e-8);
        assertGradient("Gate.doubleBackward gGradOut", p -> {
            double[] gradX = new double[x.length];
            gate.backward(batch, x, p, gradX);
            return dot(gradX, ggX);
        }, gradOut, gGradOut, 1e-8);
        double[] dOut = new double[gradOut.length];
        gate.jvp(batch, x, ggX, dOut);
        assertArrayEquals(gGradOut, dOut);
        assertGradient("Gate.jvp", t -> {
            double[] moved = x.clone();
            for (int i = 0; i < moved.length; i++) {
                moved[i] += t[0] * ggX[i];
            }
            double[] out = new double[gradOut.length];
            gate.forward(batch, moved, out);
            return dot(out, gradOut);
        }, new double[] {0.0}, new double[] {dot(dOut, gradOut)}, 1e-8);
        gate.doubleBackward(batch, x, gradOut, null, gX, gGradOut);
        assertArrayEquals(new double[x.length], gX);
        assertArrayEquals(new double[gradOut.length], gGradOut);
        assertThrows(IllegalArgumentException.class, () -> gate.doubleBackward(batch, x, gradOut, ggX,
                new double[1], null));
    }

    @Test
    void equivariantUnderRotationsAndInversion() {
        Gate gate = mixedGate();
        Random random = new Random(5);
        int batch = 3;
        double[] x = gaussian(random, batch * gate.irrepsIn().dim());
        for (int k = 0; k <= 1; k++) {
            double[][] r = LowOrderRotations.randomRotation(random);
            double[] outOfRotated = new double[batch * gate.irrepsOut().dim()];
            gate.forward(batch, LowOrderRotations.apply(gate.irrepsIn(), r, k, batch, x), outOfRotated);
            double[] out = new double[outOfRotated.length];
            gate.forward(batch, x, out);
            double[] rotatedOut = LowOrderRotations.apply(gate.irrepsOut(), r, k, batch, out);
            assertTrue(GradientCheck.maxAbsDiff(outOfRotated, rotatedOut) < 1e-13, "k = " + k);
        }
    }

    /**
     * The channel-last gate computes what the {@code mul_ir} gate computes, every method, on features converted by
     * {@link Layouts}: here the sorted input merges gated entries that were apart ({@code 2x1o ... 1x1o} into
     * {@code 3x1o}), so that its {@code ir_mul} block interleaves them, and a gate's parity splits the output's gated
     * entries where the input's do not.
     */
    @Test
    void channelLastFormEqualsMulIrFormThroughLayouts() {
        Gate mulIr = new Gate(Irreps.parse("2x0e+1x0o"), List.of(RELU, TANH), Irreps.parse("2x0e+1x0o+1x0e"),
                List.of(SIGMOID, TANH, SIGMOID), Irreps.parse("2x1o+1x2e+1x1o"));
        Gate irMul = mulIr.channelLast();
        assertTrue(irMul.isChannelLast() && !mulIr.isChannelLast());
        assertEquals(irMul, irMul.channelLast());
        assertEquals(Irreps.parse("2x0o+5x0e+3x1o+1x2e"), irMul.irrepsIn());
        assertEquals(Irreps.parse("2x0e+1x0o+2x1o+1x2o+1x1o"), irMul.irrepsOut());
        Irreps in = mulIr.irrepsIn();
        Irreps out = mulIr.irrepsOut();
        int batch = 3;
        Random random = new Random(12);
        double[] x = gaussian(random, batch * in.dim());
        double[] dx = gaussian(random, batch * in.dim());
        double[] gradOut = gaussian(random, batch * out.dim());

        double[] expectedOut = new double[batch * out.dim()];
        mulIr.forward(batch, x, expectedOut);
        double[] actualOut = new double[batch * out.dim()];
        irMul.forward(batch, toIrMul(in, batch, x), actualOut);
        assertArrayEquals(expectedOut, toMulIr(out, batch, actualOut), 0.0, "forward");

        double[] expectedGradX = new double[batch * in.dim()];
        mulIr.backward(batch, x, gradOut, expectedGradX);
        double[] actualGradX = new double[batch * in.dim()];
        irMul.backward(batch, toIrMul(in, batch, x), toIrMul(out, batch, gradOut), actualGradX);
        assertArrayEquals(expectedGradX, toMulIr(in, batch, actualGradX), 0.0, "backward");

        double[] expectedTangent = new double[batch * out.dim()];
        mulIr.jvp(batch, x, dx, expectedTangent);
        double[] actualTangent = new double[batch * out.dim()];
        irMul.jvp(batch, toIrMul(in, batch, x), toIrMul(in, batch, dx), actualTangent);
        assertArrayEquals(expectedTangent, toMulIr(out, batch, actualTangent), 0.0, "jvp");

        double[] expectedGX = new double[batch * in.dim()];
        double[] expectedGGradOut = new double[batch * out.dim()];
        mulIr.doubleBackward(batch, x, gradOut, dx, expectedGX, expectedGGradOut);
        double[] actualGX = new double[batch * in.dim()];
        double[] actualGGradOut = new double[batch * out.dim()];
        irMul.doubleBackward(batch, toIrMul(in, batch, x), toIrMul(out, batch, gradOut), toIrMul(in, batch, dx),
                actualGX, actualGGradOut);
        assertArrayEquals(expectedGX, toMulIr(in, batch, actualGX), 0.0, "doubleBackward gX");
        assertArrayEquals(expectedGGradOut, toMulIr(out, batch, actualGGradOut), 0.0, "doubleBackward gGradOut");
        // The layouts differ here, so that the comparisons above could fail.
        assertTrue(!Arrays.equals(x, toIrMul(in, batch, x)) && !Arrays.equals(expectedOut,
                toIrMul(out, batch, expectedOut)));
    }

    private static double[] toIrMul(Irreps irreps, int batch, double[] mulIr) {
        double[] irMul = new double[mulIr.length];
        Layouts.toIrMul(irreps, batch, mulIr, irMul);
        return irMul;
    }

    private static double[] toMulIr(Irreps irreps, int batch, double[] irMul) {
        double[] mulIr = new double[irMul.length];
        Layouts.toMulIr(irreps, batch, irMul, mulIr);
        return mulIr;
    }

    @Test
    void tracedRowsGiveForwardAndBackwardBitForBit() {
        Gate mulIr = new Gate(Irreps.parse("2x0e+1x0o"), Arrays.asList(null, TANH), Irreps.parse("2x0e+1x0o+1x0e"),
                List.of(SIGMOID, TANH, ScalarFunction.SILU), Irreps.parse("2x1o+1x2e+1x1o"));
        for (Gate gate : List.of(mulIr, mulIr.channelLast())) {
            int dimIn = gate.irrepsIn().dim();
            int dimOut = gate.irrepsOut().dim();
            int batch = 7;
            int from = 2;
            int to = 6;
            Random random = new Random(13);
            double[] x = gaussian(random, batch * dimIn);
            double[] gradOut = gaussian(random, batch * dimOut);
            double[] rowsX = Arrays.copyOfRange(x, from * dimIn, to * dimIn);
            double[] rowsGradOut = Arrays.copyOfRange(gradOut, from * dimOut, to * dimOut);
            double[] expectedOut = new double[rowsGradOut.length];
            gate.forward(to - from, rowsX, expectedOut);
            double[] expectedGradX = new double[rowsX.length];
            gate.backward(to - from, rowsX, rowsGradOut, expectedGradX);

            double[] out = new double[batch * dimOut];
            Gate.Trace trace = gate.forward(x, out, from, to);
            assertArrayEquals(expectedOut, Arrays.copyOfRange(out, from * dimOut, to * dimOut), 0.0, gate + " forward");
            double[] gradX = new double[batch * dimIn];
            gate.backward(trace, gradOut, gradX);
            assertArrayEquals(expectedGradX, Arrays.copyOfRange(gradX, from * dimIn, to * dimIn), 0.0,
                    gate + " backward");

            // Float rows: the double pass on the widened rows, each result rounded once.
            float[] xFloat = narrow(x);
            float[] gradOutFloat = narrow(gradOut);
            double[] wideX = widen(Arrays.copyOfRange(xFloat, from * dimIn, to * dimIn));
            double[] wideGradOut = widen(Arrays.copyOfRange(gradOutFloat, from * dimOut, to * dimOut));
            double[] wideOut = new double[wideGradOut.length];
            gate.forward(to - from, wideX, wideOut);
            double[] wideGradX = new double[wideX.length];
            gate.backward(to - from, wideX, wideGradOut, wideGradX);
            float[] outFloat = new float[batch * dimOut];
            Gate.Trace floatTrace = gate.forward(xFloat, outFloat, from, to);
            assertArrayEquals(narrow(wideOut), Arrays.copyOfRange(outFloat, from * dimOut, to * dimOut), 0f,
                    gate + " float forward");
            float[] gradXFloat = new float[batch * dimIn];
            gate.backward(floatTrace, gradOutFloat, gradXFloat);
            assertArrayEquals(narrow(wideGradX), Arrays.copyOfRange(gradXFloat, from * dimIn, to * dimIn), 0f,
                    gate + " float backward");

            assertThrows(IllegalArgumentException.class, () -> mixedGate().backward(trace, gradOut, gradX));
            assertThrows(IllegalArgumentException.class, () -> gate.forward(x, out, 5, batch + 1));
        }
    }

    private static float[] narrow(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }

    private static double[] widen(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    @Test
    void rejectsMismatchedGatesAndNonScalars() {
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class, () -> new Gate(
                Irreps.parse("2x0e"), List.of(RELU), Irreps.parse("3x0e"), List.of(SIGMOID), Irreps.parse("2x1o")));
        assertTrue(count.getMessage().startsWith("new Gate: irrepsGates must have one gate per gated irrep, i.e. 2"),
                count.getMessage());
        assertTrue(count.getMessage().contains("got 3"), count.getMessage());
        IllegalArgumentException scalars = assertThrows(IllegalArgumentException.class, () -> new Gate(
                Irreps.parse("2x1o"), List.of(RELU), Irreps.empty(), List.of(), Irreps.empty()));
        assertTrue(scalars.getMessage().startsWith("new Gate: irrepsScalars must hold scalars only"),
                scalars.getMessage());
        Gate gate = mixedGate();
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> gate.forward(1, new double[40], new double[39]));
        assertEquals("Gate.forward: out must have length 32 (batch 1 × 32), got 39", size.getMessage());
    }
}
