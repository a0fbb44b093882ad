package dev.e3j.runtime.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.e3j.runtime.nn.FullyConnectedNet;
import dev.e3j.runtime.nn.ScalarFunction;
import org.junit.jupiter.api.Test;

class Normalize2MomTest {

    /** Independent check: the trapezoid rule, spectrally accurate for smooth integrands decaying on the real line. */
    private static double trapezoidSecondMoment(ScalarFunction f) {
        double h = 1e-3;
        double sum = 0;
        for (int k = -30_000; k <= 30_000; k++) {
            double z = k * h;
            double v = f.value(z);
            sum += v * v * Math.exp(-0.5 * z * z);
        }
        return sum * h / Math.sqrt(2 * Math.PI);
    }

    @Test
    void gaussianMomentsAreExact() {
        assertEquals(1.0, NormalExpectation.of(z -> 1.0), 1e-15);
        assertEquals(1.0, NormalExpectation.of(z -> z * z), 1e-14);
        assertEquals(3.0, NormalExpectation.of(z -> z * z * z * z), 1e-13);
        assertEquals(15.0, NormalExpectation.of(z -> Math.pow(z, 6)), 1e-12);
        assertEquals(0.0, NormalExpectation.of(z -> z * z * z), 1e-15);
    }

    @Test
    void kinkedFunctionsHaveClosedForms() {
        // E[relu(z)^2] = 1/2 exactly, so c = sqrt(2); E[|z|^2] = 1, so abs is used unscaled.
        assertEquals(Math.sqrt(2), Normalize2Mom.of(ScalarFunction.RELU).constant(), 1e-14);
        assertEquals(1.0, Normalize2Mom.of(ScalarFunction.ABS).constant());
        assertEquals(1.0, Normalize2Mom.of(ScalarFunction.IDENTITY).constant());
        // E[|z|] = sqrt(2/pi): a kink at 0 that plain Gauss-Hermite would only get to a few digits.
        assertEquals(Math.sqrt(2 / Math.PI), NormalExpectation.of(Math::abs), 1e-15);
    }

    @Test
    void smoothActivationsMatchAnIndependentQuadrature() {
        for (ScalarFunction f : new ScalarFunction[] {ScalarFunction.SILU, ScalarFunction.TANH,
                ScalarFunction.SIGMOID, ScalarFunction.SOFTPLUS}) {
            assertEquals(trapezoidSecondMoment(f), Normalize2Mom.secondMoment(f), 1e-13, f.toString());
        }
    }

    @Test
    void constantsAreExactAndWithinE3nnMonteCarloError() {
        // Quadrature values (confirmed by the trapezoid check above to 1e-13).
        assertEquals(1.676532470331, Normalize2Mom.of(ScalarFunction.SILU).constant(), 1e-12);
        assertEquals(1.592537419723, Normalize2Mom.of(ScalarFunction.TANH).constant(), 1e-12);
        assertEquals(1.846228545339, Normalize2Mom.of(ScalarFunction.SIGMOID).constant(), 1e-12);
        // e3nn's Monte-Carlo estimate for silu (1e6 samples, seed 0) is about 1.679: off by ~1.5e-3 relative.
        assertEquals(1.679, Normalize2Mom.of(ScalarFunction.SILU).constant(), 3e-3);
    }

    @Test
    void normalizedFunctionHasUnitSecondMomentAndScaledDerivative() {
        Normalize2Mom silu = Normalize2Mom.of(ScalarFunction.SILU);
        assertEquals(1.0, Normalize2Mom.secondMoment(silu), 1e-14);
        assertEquals(silu.constant() * ScalarFunction.SILU.derivative(0.7), silu.derivative(0.7), 1e-16);
        assertSame(silu, Normalize2Mom.of(silu));
    }

    @Test
    void derivativesOfBuiltInsMatchFiniteDifferences() {
        for (ScalarFunction f : new ScalarFunction[] {ScalarFunction.SILU, ScalarFunction.TANH,
                ScalarFunction.SIGMOID, ScalarFunction.SOFTPLUS, ScalarFunction.RELU, ScalarFunction.ABS}) {
            for (double x : new double[] {-3.1, -0.4, 0.3, 2.2, 40}) {
                double h = 1e-6;
                double numeric = (f.value(x + h) - f.value(x - h)) / (2 * h);
                assertEquals(numeric, f.derivative(x), 1e-8 * Math.max(1, Math.abs(numeric)), f + " at " + x);
            }
        }
    }

    @Test
    void parityIsDetectedAsE3nnDoes() {
        assertEquals(-1, ScalarFunction.TANH.parity());
        assertEquals(1, ScalarFunction.ABS.parity());
        assertEquals(0, ScalarFunction.SILU.parity());
        assertEquals(0, ScalarFunction.SIGMOID.parity());
    }

    @Test
    void rejectsNull() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Normalize2Mom.of(null));
        assertEquals("Normalize2Mom.of: f must not be null", e.getMessage());
    }

    @Test
    void rejectsFunctionsWithoutAFiniteNonzeroSecondMoment() {
        // The constant 1 / sqrt(E[f^2]) was silently infinite or 0.
        ScalarFunction zero = ScalarFunction.of("zero", x -> 0, x -> 0);
        IllegalArgumentException vanishing = assertThrows(IllegalArgumentException.class,
                () -> Normalize2Mom.of(zero));
        assertEquals("Normalize2Mom.of: f must have a finite, nonzero second moment E[f(z)^2], z ~ N(0, 1), got 0.0 "
                + "for zero", vanishing.getMessage());
        ScalarFunction huge = ScalarFunction.of("1e200 x", x -> 1e200 * x, x -> 1e200);
        IllegalArgumentException infinite = assertThrows(IllegalArgumentException.class,
                () -> Normalize2Mom.of(huge));
        assertEquals("Normalize2Mom.of: f must have a finite, nonzero second moment E[f(z)^2], z ~ N(0, 1), got "
                + "Infinity for 1e200 x", infinite.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new FullyConnectedNet(new int[] {2, 3, 1}, zero));
    }
}
