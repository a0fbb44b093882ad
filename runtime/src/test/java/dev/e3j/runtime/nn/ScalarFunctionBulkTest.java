package dev.e3j.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.e3j.runtime.math.Normalize2Mom;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The bulk evaluations equal the scalar ones, bit for bit, for every built-in function and its normalized form. */
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
}
