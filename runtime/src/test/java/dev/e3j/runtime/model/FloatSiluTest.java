package dev.e3j.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.runtime.math.Normalize2Mom;
import dev.e3j.runtime.nn.ScalarFunction;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The float SiLU of the radial MLP's float32 path is within a few float ulps of SiLU in double rounded to float, on
 * every binade that matters, at the edges of its range and on signed zeros; it scales by normalize2mom's constant
 * and recognizes only SiLU.
 */
class FloatSiluTest {

    @Test
    void valuesAndDerivativesAreWithinFewUlpsOfDoubleSilu() {
        Random random = new Random(3);
        int n = 20000;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) ((random.nextBoolean() ? 1 : -1) * Math.pow(2, random.nextDouble() * 14 - 7));
        }
        float[] edges = {0f, -0f, 1e-40f, -1e-40f, 17f, -17f, 30f, -30f, 87f, -87f, 87.5f, -87.5f, 200f, -200f};
        System.arraycopy(edges, 0, x, 0, edges.length);
        float[] values = new float[n];
        float[] derivatives = new float[n];
        FloatSilu.valuesAndDerivatives(1f, x, values, derivatives, n);
        for (int i = 0; i < n; i++) {
            double s = 1 / (1 + Math.exp(-(double) x[i]));
            double clamped = Math.abs(x[i]) * 0x1p-125;
            assertClose((float) (x[i] * s), values[i], clamped, "silu(" + x[i] + ")");
            assertClose((float) (s * (1 + x[i] * (1 - s))), derivatives[i], clamped + 4 * Math.ulp(1f) * s,
                    "silu'(" + x[i] + ")");
        }
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(values[1]), "silu(-0) is -0");
        assertEquals(0.5f, derivatives[1]);
    }

    /**
     * Within 4 ulps of the expected value plus {@code slack}: the derivative {@code s (1 + x (1 - s))} crosses zero
     * near x = -1.28, where its ulp vanishes but the rounding of {@code 1 + x (1 - s)} does not (slack 4 ulps of 1
     * times s); below x = -87.3 the exponential is clamped at 2^-126 (slack |x| 2^-125).
     */
    private static void assertClose(float expected, float actual, double slack, String what) {
        assertEquals(expected, actual, 4 * Math.ulp(expected) + slack, what);
    }

    @Test
    void scalesByNormalize2MomsConstantAndRecognizesOnlySilu() {
        Normalize2Mom normalized = Normalize2Mom.of(ScalarFunction.SILU);
        assertEquals(1.0, FloatSilu.scaleOf(ScalarFunction.SILU));
        assertEquals(normalized.constant(), FloatSilu.scaleOf(normalized));
        assertTrue(Double.isNaN(FloatSilu.scaleOf(ScalarFunction.TANH)));
        assertTrue(Double.isNaN(FloatSilu.scaleOf(Normalize2Mom.of(ScalarFunction.TANH))));
        float[] x = {-3f, -0.5f, 0.25f, 2f};
        float[] values = new float[4];
        float[] derivatives = new float[4];
        FloatSilu.valuesAndDerivatives((float) normalized.constant(), x, values, derivatives, 4);
        for (int i = 0; i < 4; i++) {
            assertEquals(normalized.value(x[i]), values[i], 4 * Math.ulp(values[i]), "value at " + x[i]);
            assertEquals(normalized.derivative(x[i]), derivatives[i], 4 * Math.ulp(1f), "derivative at " + x[i]);
        }
    }
}
