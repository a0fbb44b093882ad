package dev.e3j.runtime.nn;

import static dev.e3j.runtime.nn.GradientCheck.assertGradient;
import static dev.e3j.runtime.nn.GradientCheck.dot;
import static dev.e3j.runtime.nn.GradientCheck.gaussian;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.math.Normalize2Mom;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ActivationTest {

    private static final ScalarFunction TANH = ScalarFunction.TANH;
    private static final ScalarFunction ABS = ScalarFunction.ABS;
    private static final ScalarFunction SILU = ScalarFunction.SILU;

    @Test
    void outputParitiesFollowE3nn() {
        assertEquals(Irreps.parse("256x0e"), new Activation(Irreps.parse("256x0o"), List.of(ABS)).irrepsOut());
        assertEquals(Irreps.parse("4x0o+2x0e+3x0e+16x1e"),
                new Activation(Irreps.parse("4x0o+2x0o+3x0e+16x1e"), Arrays.asList(TANH, ABS, SILU, null))
                        .irrepsOut());
    }

    @Test
    void forwardAppliesNormalizedActivationsAndPassesTheRest() {
        Activation act = new Activation(Irreps.parse("2x0e+1x1o"), Arrays.asList(SILU, null));
        double[] x = {0.5, -1.25, 1, 2, 3};
        double[] out = new double[5];
        act.forward(1, x, out);
        double c = Normalize2Mom.of(SILU).constant();
        assertEquals(c * 0.5 / (1 + Math.exp(-0.5)), out[0], 1e-15);
        assertEquals(c * -1.25 / (1 + Math.exp(1.25)), out[1], 1e-15);
        assertEquals(List.of(1.0, 2.0, 3.0), List.of(out[2], out[3], out[4]));
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        Irreps irreps = Irreps.parse("3x0e+2x0o+1x1o+2x0o");
        Activation act = new Activation(irreps, Arrays.asList(SILU, TANH, null, ABS));
        Random random = new Random(1);
        int batch = 3;
        double[] x = gaussian(random, batch * irreps.dim());
        double[] gradOut = gaussian(random, batch * irreps.dim());
        double[] gradX = new double[x.length];
        act.backward(batch, x, gradOut, gradX);
        assertGradient("Activation", p -> {
            double[] out = new double[p.length];
            act.forward(batch, p, out);
            return dot(out, gradOut);
        }, x, gradX);
    }

    /** jvp is the slope of forward; doubleBackward the gradients of ggX . backward, by central differences. */
    @Test
    void tangentAndSecondDerivativesMatchFiniteDifferences() {
        Irreps irreps = Irreps.parse("3x0e+2x0o+1x1o+2x0o");
        Activation act = new Activation(irreps, Arrays.asList(SILU, TANH, null, ABS));
        Random random = new Random(3);
        int batch = 3;
        int n = batch * irreps.dim();
        double[] x = gaussian(random, n);
        double[] gradOut = gaussian(random, n);
        double[] ggX = gaussian(random, n);
        double[] dOut = new double[n];
        act.jvp(batch, x, ggX, dOut);
        double[] gX = new double[n];
        double[] gGradOut = new double[n];
        act.doubleBackward(batch, x, gradOut, ggX, gX, gGradOut);
        assertEquals(0.0, GradientCheck.maxAbsDiff(dOut, gGradOut));
        double[] direction = gaussian(random, n);
        assertGradient("Activation.jvp", t -> {
            double[] out = new double[n];
            double[] moved = x.clone();
            for (int i = 0; i < n; i++) {
                moved[i] += t[0] * ggX[i];
            }
            act.forward(batch, moved, out);
            return dot(out, direction);
        }, new double[] {0.0}, new double[] {dot(dOut, direction)}, 1e-8);
        assertGradient("Activation.doubleBackward gX", p -> {
            double[] gradX = new double[n];
            act.backward(batch, p, gradOut, gradX);
            return dot(gradX, ggX);
        }, x, gX, 1e-8);
        assertGradient("Activation.doubleBackward gGradOut", p -> {
            double[] gradX = new double[n];
            act.backward(batch, x, p, gradX);
            return dot(gradX, ggX);
        }, gradOut, gGradOut, 1e-8);
        double[] zeroX = new double[n];
        Arrays.fill(gX, 1.0);
        act.doubleBackward(batch, x, gradOut, null, gX, null);
        assertEquals(0.0, GradientCheck.maxAbsDiff(zeroX, gX));
        assertThrows(IllegalArgumentException.class, () -> act.doubleBackward(batch, x, gradOut, new double[1],
                null, null));
    }

    @Test
    void oddScalarsTransformCorrectlyUnderInversion() {
        Irreps irreps = Irreps.parse("3x0o+2x0o+2x0e");
        Activation act = new Activation(irreps, Arrays.asList(TANH, ABS, SILU));
        Random random = new Random(2);
        int batch = 4;
        double[] x = gaussian(random, batch * irreps.dim());
        double[] inverted = LowOrderRotations.apply(irreps, LowOrderRotations.randomRotation(random), 1, batch, x);
        double[] outOfInverted = new double[x.length];
        double[] out = new double[x.length];
        act.forward(batch, inverted, outOfInverted);
        act.forward(batch, x, out);
        double[] invertedOut = LowOrderRotations.apply(act.irrepsOut(), new double[3][3], 1, batch, out);
        assertTrue(GradientCheck.maxAbsDiff(outOfInverted, invertedOut) < 1e-15);
        // The check can fail: keeping the input parities (abs makes 0o even) breaks it.
        double[] wrong = LowOrderRotations.apply(irreps, new double[3][3], 1, batch, out);
        assertTrue(GradientCheck.maxAbsDiff(outOfInverted, wrong) > 1e-3);
    }

    @Test
    void rejectsBadConfigurationsAndSizes() {
        IllegalArgumentException parity = assertThrows(IllegalArgumentException.class,
                () -> new Activation(Irreps.parse("2x0o"), List.of(SILU)));
        assertTrue(parity.getMessage().contains("neither even nor odd"), parity.getMessage());
        IllegalArgumentException nonScalar = assertThrows(IllegalArgumentException.class,
                () -> new Activation(Irreps.parse("2x1o"), List.of(TANH)));
        assertTrue(nonScalar.getMessage().contains("non-scalar"), nonScalar.getMessage());
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> new Activation(Irreps.parse("2x0e+1x1o"), List.of(TANH)));
        assertTrue(count.getMessage().startsWith("new Activation: acts must have one activation")
                && count.getMessage().endsWith("got 1"),
                count.getMessage());
        Activation act = new Activation(Irreps.parse("2x0e"), List.of(TANH));
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> act.forward(2, new double[3], new double[4]));
        assertEquals("Activation.forward: x must have length 4 (batch 2 × 2), got 3", size.getMessage());
    }
}
