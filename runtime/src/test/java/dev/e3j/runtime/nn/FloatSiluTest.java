package dev.e3j.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.e3j.runtime.math.Normalize2Mom;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * SiLU's float bulk method is within a few float ulps of SiLU in double rounded to float, on every binade that
 * matters, at the edges of its range and on signed zeros; its power of two is exact; in place, over ranges and chunks
 * it gives the same bits; normalize2mom scales it.
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
        ScalarFunction.SILU.valuesAndDerivatives(x, values, derivatives, 0, n);
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
    void powerOfTwoIsExactForEveryExponent() {
        for (int m = 0; m <= 126; m++) {
            assertEquals(Math.scalb(1f, -m), FloatSilu.powerOfTwo(m), "2^-" + m);
        }
    }

    @Test
    void inPlaceAndOverRangesGivesTheSameBits() {
        Random random = new Random(5);
        int n = 2 * 1024 + 37;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (random.nextGaussian() * 5);
        }
        float[] values = new float[n];
        float[] derivatives = new float[n];
        ScalarFunction.SILU.valuesAndDerivatives(x, values, derivatives, 0, n);
        float[] inPlace = x.clone();
        float[] inPlaceDerivatives = new float[n];
        ScalarFunction.SILU.valuesAndDerivatives(inPlace, inPlace, inPlaceDerivatives, 0, n);
        float[] ranged = new float[n];
        float[] rangedDerivatives = new float[n];
        ScalarFunction.SILU.valuesAndDerivatives(x, ranged, rangedDerivatives, 0, 7);
        ScalarFunction.SILU.valuesAndDerivatives(x, ranged, rangedDerivatives, 7, n);
        for (int i = 0; i < n; i++) {
            assertEquals(Float.floatToRawIntBits(values[i]), Float.floatToRawIntBits(inPlace[i]), "in place at " + i);
            assertEquals(Float.floatToRawIntBits(values[i]), Float.floatToRawIntBits(ranged[i]), "ranged at " + i);
            assertEquals(derivatives[i], inPlaceDerivatives[i], "derivative in place at " + i);
            assertEquals(derivatives[i], rangedDerivatives[i], "derivative ranged at " + i);
        }
    }

    @Test
    void normalize2MomScalesIt() {
        Normalize2Mom normalized = Normalize2Mom.of(ScalarFunction.SILU);
        float[] x = {-3f, -0.5f, 0.25f, 2f};
        float[] values = new float[4];
        float[] derivatives = new float[4];
        normalized.valuesAndDerivatives(x, values, derivatives, 0, 4);
        for (int i = 0; i < 4; i++) {
            assertEquals(normalized.value(x[i]), values[i], 4 * Math.ulp(values[i]), "value at " + x[i]);
            assertEquals(normalized.derivative(x[i]), derivatives[i], 4 * Math.ulp(1f), "derivative at " + x[i]);
        }
    }
}
