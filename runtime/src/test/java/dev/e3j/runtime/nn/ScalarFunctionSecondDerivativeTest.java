package dev.e3j.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.runtime.math.Normalize2Mom;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Second derivatives of the scalar functions: the slope of the first, in bulk the same bits as one at a time. */
class ScalarFunctionSecondDerivativeTest {

    private static final List<ScalarFunction> FUNCTIONS = List.of(ScalarFunction.SILU, ScalarFunction.TANH,
            ScalarFunction.SIGMOID, ScalarFunction.SOFTPLUS, ScalarFunction.ABS, ScalarFunction.RELU,
            ScalarFunction.IDENTITY, Normalize2Mom.of(ScalarFunction.SILU),
            Normalize2Mom.withConstant(ScalarFunction.TANH, 1.5927116424926977));

    @Test
    void secondDerivativeIsTheSlopeOfTheFirst() {
        double h = 1e-5;
        for (ScalarFunction f : FUNCTIONS) {
            for (int i = -60; i <= 60; i++) {
                double x = i * 0.1 + 0.05;
                double numeric = (f.derivative(x + h) - f.derivative(x - h)) / (2 * h);
                assertEquals(numeric, f.secondDerivative(x), 1e-9, f + "'' at " + x);
            }
        }
    }

    @Test
    void closedFormsAtChosenPoints() {
        double s = 1 / (1 + Math.exp(-0.7));
        assertEquals(s * (1 - s) * (2 + 0.7 * (1 - 2 * s)), ScalarFunction.SILU.secondDerivative(0.7), 1e-16);
        assertEquals(0.5, ScalarFunction.SILU.secondDerivative(0.0), 0);
        assertEquals(0.0, ScalarFunction.TANH.secondDerivative(0.0), 0);
        assertEquals(0.0, ScalarFunction.SIGMOID.secondDerivative(0.0), 0);
        assertEquals(0.25, ScalarFunction.SOFTPLUS.secondDerivative(0.0), 0);
        // Far out the formulas stay finite (no e^750 overflow).
        for (ScalarFunction f : FUNCTIONS) {
            assertTrue(Double.isFinite(f.secondDerivative(750)) && Double.isFinite(f.secondDerivative(-750)),
                    f.toString());
        }
    }

    @Test
    void bulkEqualsScalar() {
        Random random = new Random(5);
        double[] x = GradientCheck.gaussian(random, 30);
        for (int i = 0; i < x.length; i++) {
            x[i] *= 6;
        }
        for (ScalarFunction f : FUNCTIONS) {
            double[] out = new double[x.length];
            f.secondDerivatives(x, out, 2, x.length - 1);
            for (int i = 0; i < x.length; i++) {
                boolean inside = i >= 2 && i < x.length - 1;
                assertEquals(inside ? f.secondDerivative(x[i]) : 0.0, out[i], f + "'' at " + x[i]);
            }
        }
    }

    @Test
    void aFunctionGivenWithoutItsSecondDerivativeSaysSo() {
        ScalarFunction cube = ScalarFunction.of("cube", x -> x * x * x, x -> 3 * x * x);
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> cube.secondDerivative(1));
        assertTrue(e.getMessage().contains("cube"), e.getMessage());
        ScalarFunction withIt = ScalarFunction.of("cube", x -> x * x * x, x -> 3 * x * x, x -> 6 * x);
        assertEquals(12.0, withIt.secondDerivative(2), 0);
        assertEquals(24.0, Normalize2Mom.withConstant(withIt, 2).secondDerivative(2), 0);
        assertThrows(IllegalArgumentException.class, () -> ScalarFunction.of("cube", x -> x, x -> 1, null));
    }
}
