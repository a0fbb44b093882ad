package dev.e3j.runtime.nn;

import static dev.e3j.runtime.nn.GradientCheck.assertGradient;
import static dev.e3j.runtime.nn.GradientCheck.dot;
import static dev.e3j.runtime.nn.GradientCheck.gaussian;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.runtime.Irreps;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NormActivationTest {

    @Test
    void e3nnDocstringExample() {
        // NormActivation("2x1e", sigmoid) on ones: each copy gets norm sigmoid(sqrt 3) = 0.8497.
        NormActivation act = new NormActivation(Irreps.parse("2x1e"), ScalarFunction.SIGMOID);
        double[] out = new double[6];
        act.forward(1, new double[] {1, 1, 1, 1, 1, 1}, null, out);
        double expected = 1 / (1 + Math.exp(-Math.sqrt(3))) / Math.sqrt(3);
        for (double v : out) {
            assertEquals(expected, v, 1e-15);
        }
        assertEquals(0.8497, Math.sqrt(3) * out[0], 5e-5);
    }

    @Test
    void clampsTinyNormsWithEpsilon() {
        NormActivation act = new NormActivation(Irreps.parse("1x1o"), ScalarFunction.IDENTITY, true, 1e-2, false);
        double[] out = new double[3];
        act.forward(1, new double[] {1e-3, 0, 0}, null, out);
        // n = max(|x|, eps) = 1e-2, s = f(n)/n = 1.
        assertEquals(1e-3, out[0], 1e-18);
        act.forward(1, new double[] {0.5, 0, 0}, null, out);
        assertEquals(0.5, out[0], 1e-16);
    }

    @Test
    void gradientsMatchFiniteDifferencesForAllOptions() {
        Irreps irreps = Irreps.parse("2x0e+1x0o+2x1o+1x2e");
        Random random = new Random(6);
        int batch = 3;
        for (boolean normalize : new boolean[] {true, false}) {
            for (boolean bias : new boolean[] {true, false}) {
                NormActivation act = new NormActivation(irreps, ScalarFunction.SILU, normalize, null, bias);
                double[] x = gaussian(random, batch * irreps.dim());
                double[] biases = gaussian(random, act.biasNumel());
                double[] gradOut = gaussian(random, x.length);
                double[] gradX = new double[x.length];
                double[] gradBiases = new double[act.biasNumel()];
                act.backward(batch, x, biases, gradOut, gradX, gradBiases);
                String what = "normalize=" + normalize + " bias=" + bias;
                assertGradient(what + " x", p -> {
                    double[] out = new double[p.length];
                    act.forward(batch, p, biases, out);
                    return dot(out, gradOut);
                }, x, gradX);
                if (bias) {
                    assertGradient(what + " biases", p -> {
                        double[] out = new double[x.length];
                        act.forward(batch, x, p, out);
                        return dot(out, gradOut);
                    }, biases, gradBiases);
                }
            }
        }
    }

    @Test
    void equivariantUnderRotationsAndInversion() {
        Irreps irreps = Irreps.parse("2x0e+2x0o+3x1o+2x1e");
        NormActivation act = new NormActivation(irreps, ScalarFunction.SIGMOID, true, null, true);
        Random random = new Random(7);
        int batch = 2;
        double[] x = gaussian(random, batch * irreps.dim());
        double[] biases = gaussian(random, act.biasNumel());
        for (int k = 0; k <= 1; k++) {
            double[][] r = LowOrderRotations.randomRotation(random);
            double[] outOfRotated = new double[x.length];
            act.forward(batch, LowOrderRotations.apply(irreps, r, k, batch, x), biases, outOfRotated);
            double[] out = new double[x.length];
            act.forward(batch, x, biases, out);
            double[] rotatedOut = LowOrderRotations.apply(irreps, r, k, batch, out);
            assertTrue(GradientCheck.maxAbsDiff(outOfRotated, rotatedOut) < 1e-14, "k = " + k);
        }
    }

    @Test
    void rejectsBadOptionsAndSizes() {
        Irreps irreps = Irreps.parse("1x1o");
        IllegalArgumentException eps = assertThrows(IllegalArgumentException.class,
                () -> new NormActivation(irreps, ScalarFunction.TANH, false, 1e-3, false));
        assertTrue(eps.getMessage().startsWith("new NormActivation: epsilon must be null when normalize is false"),
                eps.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new NormActivation(irreps, ScalarFunction.TANH, true, 0.0, false));
        NormActivation act = new NormActivation(irreps, ScalarFunction.TANH, true, null, true);
        IllegalArgumentException biases = assertThrows(IllegalArgumentException.class,
                () -> act.forward(1, new double[3], new double[2], new double[3]));
        assertEquals("NormActivation.forward: biases must have length 1, got 2", biases.getMessage());
    }
}
