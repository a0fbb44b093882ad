package dev.e3j.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.runtime.math.Normalize2Mom;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The bulk evaluations equal the scalar ones, bit for bit, for every built-in function and its normalized form; the
 * float evaluations agree with them to float accuracy.
 */
class ScalarFunctionBulkTest {

    @Test
    void bulkEqualsScalar() {
        Random random = new Random(3);
        double[] x = new double[40];
        for (int i = 0; i < x.length; i++) {
            x[i] = 8 * random.nextGaussian();
        }
        x[0] = 0.0;
        x[1] = -750;
        x[2] = 750;
        for (ScalarFunction f : List.of(ScalarFunction.SILU, ScalarFunction.TANH, ScalarFunction.SIGMOID,
                ScalarFunction.SOFTPLUS, Normalize2Mom.of(ScalarFunction.SILU),
                Normalize2Mom.withConstant(ScalarFunction.SIGMOID, 1.8467055342154763))) {
            double[] values = new double[x.length];
            double[] derivatives = new double[x.length];
            double[] both = new double[x.length];
            double[] bothDerivatives = new double[x.length];
            f.values(x, values, 3, x.length - 2);
            f.derivatives(x, derivatives, 3, x.length - 2);
            f.valuesAndDerivatives(x, both, bothDerivatives, 3, x.length - 2);
            for (int i = 0; i < x.length; i++) {
                boolean inside = i >= 3 && i < x.length - 2;
                assertEquals(inside ? f.value(x[i]) : 0.0, values[i], f + " value at " + x[i]);
                assertEquals(inside ? f.derivative(x[i]) : 0.0, derivatives[i], f + " derivative at " + x[i]);
                assertEquals(values[i], both[i], f + " value (with derivative) at " + x[i]);
                assertEquals(derivatives[i], bothDerivatives[i], f + " derivative (with value) at " + x[i]);
            }
        }
    }

    @Test
    void floatBulkAgreesWithDoubleToFloatAccuracy() {
        Random random = new Random(5);
        float[] x = new float[2000];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (6 * random.nextGaussian());
        }
        float[] edges = {0.0f, -0.0f, 1e-30f, -1e-30f, -30f, 30f, -87f, 87f, -104f, -200f, 200f, -Float.MAX_VALUE,
            Float.MAX_VALUE};
        System.arraycopy(edges, 0, x, 0, edges.length);
        for (ScalarFunction f : List.of(ScalarFunction.SILU, ScalarFunction.TANH, ScalarFunction.SIGMOID,
                Normalize2Mom.of(ScalarFunction.SILU), Normalize2Mom.withConstant(ScalarFunction.SIGMOID, 1.8))) {
            float[] values = new float[x.length];
            float[] derivatives = new float[x.length];
            f.valuesAndDerivatives(x, values, derivatives, 1, x.length);
            assertEquals(0.0f, values[0], f + " outside the range");
            for (int i = 1; i < x.length; i++) {
                assertFloatClose(f.value(x[i]), values[i], 1e-37, f + " value at " + x[i]);
                assertFloatClose(f.derivative(x[i]), derivatives[i], 4 * Math.ulp(1f),
                        f + " derivative at " + x[i]);
            }
        }
    }

    /**
     * Within four float ulps of the double value (SiLU computes its exponential in float) or {@code absolute}: 1e-37 for values (near zero), 4 ulps of 1 for
     * derivatives (SiLU's, {@code s (1 + x (1 - s))}, crosses zero near x = -1.28, where its ulp vanishes but the
     * float rounding of {@code 1 + x (1 - s)} does not).
     */
    private static void assertFloatClose(double expected, float actual, double absolute, String what) {
        double tolerance = Math.max(4 * Math.ulp((float) expected), absolute);
        assertTrue(Math.abs(expected - actual) <= tolerance, what + ": expected " + expected + ", got " + actual);
    }
}
