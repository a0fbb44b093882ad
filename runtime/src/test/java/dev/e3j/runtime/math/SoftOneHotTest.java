package dev.e3j.runtime.math;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.runtime.math.SoftOneHot.Basis;
import dev.e3j.testsupport.ReferenceData;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SoftOneHotTest {

    private static double[] at(double x, double start, double end, int number, Basis basis, boolean cutoff) {
        return SoftOneHot.softOneHotLinspace(new double[] {x}, start, end, number, basis, cutoff);
    }

    @Test
    void softUnitStep() {
        assertEquals(Math.exp(-1), SoftOneHot.softUnitStep(1), 0);
        assertEquals(Math.exp(-2), SoftOneHot.softUnitStep(0.5), 0);
        assertEquals(0, SoftOneHot.softUnitStep(0), 0);
        assertEquals(0, SoftOneHot.softUnitStep(-1), 0);
        assertEquals(4 * Math.exp(-2), SoftOneHot.softUnitStepDerivative(0.5), 1e-16);
        assertEquals(0, SoftOneHot.softUnitStepDerivative(-0.5), 0);
    }

    /** e3nn's values and autograd's first and second derivatives of {@code soft_unit_step}. */
    @Test
    void softUnitStepAndTwoDerivativesMatchE3nn() {
        Map<String, Object> reference = ReferenceData.object(ReferenceData.object(ReferenceData.load("parity.json"))
                .get("soft_unit_step"));
        double[] x = ReferenceData.asDoubles(reference.get("x"));
        double[] y = ReferenceData.asDoubles(reference.get("y"));
        double[] dy = ReferenceData.asDoubles(reference.get("dy"));
        double[] d2y = ReferenceData.asDoubles(reference.get("d2y"));
        for (int i = 0; i < x.length; i++) {
            assertEquals(y[i], SoftOneHot.softUnitStep(x[i]), 1e-15 * Math.abs(y[i]), "u at " + x[i]);
            assertEquals(dy[i], SoftOneHot.softUnitStepDerivative(x[i]), 1e-14 * Math.abs(dy[i]), "u' at " + x[i]);
            // Autograd subtracts e^{-1/x}/x^4 and 2 e^{-1/x}/x^3, which cancel near x = 1/2; (1 - 2x) does not.
            double cancelled = y[i] / Math.pow(x[i], 4) * (1 + 2 * x[i]);
            assertEquals(d2y[i], SoftOneHot.softUnitStepSecondDerivative(x[i]), 1e-14 * cancelled, "u'' at " + x[i]);
        }
    }

    /** e3nn's test_grads asks for finite derivatives; here also that each is the previous one's slope. */
    @Test
    void secondDerivativeIsTheSlopeOfTheFirst() {
        double h = 1e-6;
        for (int i = 0; i <= 400; i++) {
            double x = -1 + i * 0.01;
            double second = SoftOneHot.softUnitStepSecondDerivative(x);
            double numeric = (SoftOneHot.softUnitStepDerivative(x + h) - SoftOneHot.softUnitStepDerivative(x - h))
                    / (2 * h);
            assertTrue(Double.isFinite(second), "u'' at " + x);
            assertEquals(numeric, second, 1e-7 * Math.max(1, Math.abs(second)), "u'' at " + x);
            double first = (SoftOneHot.softUnitStep(x + h) - SoftOneHot.softUnitStep(x - h)) / (2 * h);
            assertEquals(first, SoftOneHot.softUnitStepDerivative(x), 1e-8, "u' at " + x);
        }
        assertEquals(0, SoftOneHot.softUnitStepSecondDerivative(0.5), 0, "the slope peaks at x = 1/2");
    }

    @Test
    void derivativesVanishWhereTheStepUnderflows() {
        // x^2 underflowed to 0 there too, and u' was 0 / 0 = NaN.
        for (double x : new double[] {1e-200, Double.MIN_VALUE, 1e-3}) {
            assertEquals(0, SoftOneHot.softUnitStepDerivative(x), 0, "u' at " + x);
            assertEquals(0, SoftOneHot.softUnitStepSecondDerivative(x), 0, "u'' at " + x);
        }
    }

    @Test
    void gaussianWithoutCutoff() {
        // Centers 0, 0.5, 1; step 0.5; x = 0.25 gives d = 0.5, -0.5, -1.5.
        double[] y = at(0.25, 0, 1, 3, Basis.GAUSSIAN, false);
        assertArrayEquals(new double[] {Math.exp(-0.25) / 1.12, Math.exp(-0.25) / 1.12, Math.exp(-2.25) / 1.12}, y,
                1e-16);
    }

    @Test
    void cosineWithCutoff() {
        // linspace(0, 3, 4) drops its ends: centers 1, 2, step 1.
        double h = Math.sqrt(0.5);
        assertArrayEquals(new double[] {h, h}, at(1.5, 0, 3, 2, Basis.COSINE, true), 1e-15);
        assertArrayEquals(new double[] {0, h}, at(2.5, 0, 3, 2, Basis.COSINE, true), 1e-15);
    }

    @Test
    void smoothFinite() {
        // At a center: 1.14136 e^2 e^-1 e^-1 = 1.14136; half a step away: 1.14136 e^(2 - 2/3 - 2).
        double[] y = at(1.0, 0, 3, 2, Basis.SMOOTH_FINITE, true);
        assertEquals(1.14136, y[0], 1e-14);
        assertEquals(0, y[1], 0);
        assertEquals(1.14136 * Math.exp(-2.0 / 3), at(1.5, 0, 3, 2, Basis.SMOOTH_FINITE, true)[0], 1e-14);
    }

    @Test
    void fourier() {
        // t = x / 2 = 0.25; Z = sqrt(0.25 + 3/2).
        double z = Math.sqrt(1.75);
        assertArrayEquals(new double[] {1 / z, Math.sqrt(0.5) / z, 0}, at(0.5, 0, 2, 3, Basis.FOURIER, false), 1e-15);
        // With cutoff: sin(pi i t), i = 1..3, and zero outside (0, 1).
        assertArrayEquals(new double[] {Math.sqrt(0.5) / z, 1 / z, Math.sqrt(0.5) / z},
                at(0.5, 0, 2, 3, Basis.FOURIER, true), 1e-15);
        assertArrayEquals(new double[3], at(2.5, 0, 2, 3, Basis.FOURIER, true), 0);
    }

    @Test
    void bessel() {
        // c = 2: sqrt(2/c) sin(i pi x / c) / x at x = 1.
        assertArrayEquals(new double[] {1, 0}, at(1, 0, 2, 2, Basis.BESSEL, false), 1e-15);
        double beyond = Math.sin(Math.PI * 2.5 / 2) / 2.5;
        assertEquals(beyond, at(2.5, 0, 2, 2, Basis.BESSEL, false)[0], 1e-15);
        assertEquals(0, at(2.5, 0, 2, 2, Basis.BESSEL, true)[0], 0);
        assertTrue(Double.isNaN(at(0, 0, 2, 2, Basis.BESSEL, false)[0]), "0/0 at x = start, as in e3nn");
    }

    /**
     * Every basis, with and without cutoff: values and derivatives together are those of the two methods, bit for bit
     * but the Gaussians, which take two exponentials per point instead of one per center: within 4e-15 relative per
     * unit of the exponent {@code d^2} (whose own rounding both formulas carry) or 1e-15 absolute (derivatives cross
     * zero at the centers), also past the ends and far from the centers (and both vanish far outside the grid).
     */
    @Test
    void valuesWithDerivativesAreTheSeparateOnes() {
        double[] xs = {-40, -3.1, -0.3, 0.0, 0.17, 0.55, 0.9, 1.33, 1.71, 2.0, 2.4, 5.7, 1e6};
        for (int number : new int[] {2, 5, 17}) {
            for (Basis basis : Basis.values()) {
                for (boolean cutoff : new boolean[] {false, true}) {
                    double[] values = new double[xs.length * number];
                    double[] derivatives = new double[xs.length * number];
                    SoftOneHot.softOneHotLinspaceWithDerivative(xs, -0.5, 2.0, number, basis, cutoff, values,
                            derivatives);
                    String where = basis + " cutoff=" + cutoff + " N=" + number;
                    double[] expectedValues = SoftOneHot.softOneHotLinspace(xs, -0.5, 2.0, number, basis, cutoff);
                    double[] expectedDerivatives = SoftOneHot.softOneHotLinspaceDerivative(xs, -0.5, 2.0, number,
                            basis, cutoff);
                    if (basis == Basis.GAUSSIAN) {
                        assertRelativelyClose(expectedValues, values, 4e-15, where);
                        assertRelativelyClose(expectedDerivatives, derivatives, 4e-15, where);
                    } else {
                        assertArrayEquals(expectedValues, values, where);
                        assertArrayEquals(expectedDerivatives, derivatives, where);
                    }
                }
            }
        }
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> SoftOneHot.softOneHotLinspaceWithDerivative(xs, -0.5, 2.0, 5, Basis.GAUSSIAN, false,
                        new double[xs.length * 5], new double[xs.length * 4]));
        assertTrue(shape.getMessage().contains("derivatives"), shape.getMessage());
    }

    @Test
    void derivativesMatchFiniteDifferences() {
        double[] xs = {-0.3, 0.17, 0.55, 0.9, 1.33, 1.71, 2.4};
        for (Basis basis : Basis.values()) {
            for (boolean cutoff : new boolean[] {false, true}) {
                double[] derivative = SoftOneHot.softOneHotLinspaceDerivative(xs, -0.5, 2.0, 5, basis, cutoff);
                double h = 1e-6;
                double[] plus = xs.clone();
                double[] minus = xs.clone();
                for (int k = 0; k < xs.length; k++) {
                    plus[k] += h;
                    minus[k] -= h;
                }
                double[] yPlus = SoftOneHot.softOneHotLinspace(plus, -0.5, 2.0, 5, basis, cutoff);
                double[] yMinus = SoftOneHot.softOneHotLinspace(minus, -0.5, 2.0, 5, basis, cutoff);
                double maxDiff = 0;
                double maxDerivative = 0;
                for (int i = 0; i < derivative.length; i++) {
                    maxDiff = Math.max(maxDiff, Math.abs((yPlus[i] - yMinus[i]) / (2 * h) - derivative[i]));
                    maxDerivative = Math.max(maxDerivative, Math.abs(derivative[i]));
                }
                assertTrue(maxDerivative > 0.1, basis + " derivative vanishes");
                assertTrue(maxDiff / maxDerivative < 1e-6, basis + " cutoff=" + cutoff + ": " + maxDiff);
            }
        }
    }

    /** Every basis, with and without cutoff: the second derivatives are the slopes of the first. */
    @Test
    void secondDerivativesMatchFiniteDifferencesOfTheFirst() {
        double[] xs = {-0.3, 0.17, 0.55, 0.9, 1.33, 1.71, 2.4};
        for (Basis basis : Basis.values()) {
            for (boolean cutoff : new boolean[] {false, true}) {
                double[] second = SoftOneHot.softOneHotLinspaceSecondDerivative(xs, -0.5, 2.0, 5, basis, cutoff);
                double h = 1e-5;
                double[] plus = xs.clone();
                double[] minus = xs.clone();
                for (int k = 0; k < xs.length; k++) {
                    plus[k] += h;
                    minus[k] -= h;
                }
                double[] dPlus = SoftOneHot.softOneHotLinspaceDerivative(plus, -0.5, 2.0, 5, basis, cutoff);
                double[] dMinus = SoftOneHot.softOneHotLinspaceDerivative(minus, -0.5, 2.0, 5, basis, cutoff);
                double maxDiff = 0;
                double maxSecond = 0;
                for (int i = 0; i < second.length; i++) {
                    maxDiff = Math.max(maxDiff, Math.abs((dPlus[i] - dMinus[i]) / (2 * h) - second[i]));
                    maxSecond = Math.max(maxSecond, Math.abs(second[i]));
                }
                assertTrue(maxSecond > 0.1, basis + " second derivative vanishes");
                assertTrue(maxDiff / maxSecond < 1e-8, basis + " cutoff=" + cutoff + ": " + maxDiff / maxSecond);
            }
        }
    }

    /** gX and gGradOut are the gradients of ggX . backward's gradX, by central differences. */
    @Test
    void doubleBackwardDifferentiatesTheBackward() {
        double[] x = {0.3, 1.2, 0.71};
        double[] gradOut = {1, 2, 3, -1, 0.5, 4, 0.25, -2, 1.5};
        double[] ggX = {0.7, -1.3, 2.1};
        for (Basis basis : Basis.values()) {
            double[] gX = new double[3];
            double[] gGradOut = new double[9];
            SoftOneHot.softOneHotLinspaceDoubleBackward(x, 0, 2, 3, basis, true, gradOut, ggX, gX, gGradOut);
            double h = 1e-5;
            for (int k = 0; k < x.length; k++) {
                double[] plus = x.clone();
                double[] minus = x.clone();
                plus[k] += h;
                minus[k] -= h;
                double numeric = (contract(ggX, SoftOneHot.softOneHotLinspaceBackward(plus, 0, 2, 3, basis, true,
                        gradOut)) - contract(ggX, SoftOneHot.softOneHotLinspaceBackward(minus, 0, 2, 3, basis, true,
                        gradOut))) / (2 * h);
                assertEquals(numeric, gX[k], 1e-7 * (1 + Math.abs(numeric)), basis + " gX[" + k + "]");
            }
            double[] derivative = SoftOneHot.softOneHotLinspaceDerivative(x, 0, 2, 3, basis, true);
            for (int i = 0; i < 9; i++) {
                assertEquals(ggX[i / 3] * derivative[i], gGradOut[i], 0, basis + " gGradOut[" + i + "]");
            }
            SoftOneHot.softOneHotLinspaceDoubleBackward(x, 0, 2, 3, basis, true, gradOut, null, gX, gGradOut);
            assertArrayEquals(new double[3], gX, 0);
            assertArrayEquals(new double[9], gGradOut, 0);
        }
        assertThrows(IllegalArgumentException.class, () -> SoftOneHot.softOneHotLinspaceDoubleBackward(x, 0, 2, 3,
                Basis.GAUSSIAN, true, gradOut, new double[2], null, null));
    }

    private static double contract(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    @Test
    void backwardContractsWithGradOut() {
        double[] x = {0.3, 1.2};
        double[] gradOut = {1, 2, 3, -1, 0.5, 4};
        double[] gradX = SoftOneHot.softOneHotLinspaceBackward(x, 0, 2, 3, Basis.GAUSSIAN, true, gradOut);
        double[] d = SoftOneHot.softOneHotLinspaceDerivative(x, 0, 2, 3, Basis.GAUSSIAN, true);
        assertEquals(d[0] + 2 * d[1] + 3 * d[2], gradX[0], 1e-15);
        assertEquals(-d[3] + 0.5 * d[4] + 4 * d[5], gradX[1], 1e-15);
    }

    @Test
    void linspaceIsTorchs() {
        assertArrayEquals(new double[] {0, 0.25, 0.5, 0.75, 1}, SoftOneHot.linspace(0, 1, 5), 0);
        assertEquals(0.3, SoftOneHot.linspace(0.1, 0.3, 7)[6], 0);
    }

    @Test
    void rejectsBadArguments() {
        IllegalArgumentException number = assertThrows(IllegalArgumentException.class,
                () -> at(0, 0, 1, 1, Basis.GAUSSIAN, false));
        assertEquals("SoftOneHot.softOneHotLinspace: number must be >= 2 without cutoff, got 1", number.getMessage());
        assertThrows(IllegalArgumentException.class, () -> at(0, 1, 1, 3, Basis.GAUSSIAN, true));
        IllegalArgumentException grad = assertThrows(IllegalArgumentException.class,
                () -> SoftOneHot.softOneHotLinspaceBackward(new double[2], 0, 1, 3, Basis.COSINE, true,
                        new double[5]));
        assertEquals("SoftOneHot.softOneHotLinspaceBackward: gradOut must have length 6 (x.length 2 × 3), got 5",
                grad.getMessage());
    }

    @Test
    void rejectsSizesBeyondAnArrayAndIntervalsThatAreNotFinite() {
        double[] x = {0.5};
        // number + 2 overflowed with the cutoff.
        IllegalArgumentException grid = assertThrows(IllegalArgumentException.class,
                () -> SoftOneHot.softOneHotLinspace(x, 0, 1, Integer.MAX_VALUE, Basis.GAUSSIAN, true));
        assertEquals("SoftOneHot.softOneHotLinspace: number must be at most 2147483637 with cutoff (number + 2 grid "
                + "points in one array), got 2147483647", grid.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> SoftOneHot.softOneHotLinspace(x, 0, 1, Integer.MAX_VALUE, Basis.GAUSSIAN, false));
        // 65537 x 65536 overflowed to 65536.
        IllegalArgumentException values = assertThrows(IllegalArgumentException.class,
                () -> SoftOneHot.softOneHotLinspace(new double[65537], 0, 1, 65536, Basis.GAUSSIAN, false));
        assertEquals("SoftOneHot.softOneHotLinspace: x.length × number must be at most 2147483639 (the length of one "
                + "array), got 65537 × 65536 = 4295032832", values.getMessage());
        // An infinite end gave NaN.
        IllegalArgumentException end = assertThrows(IllegalArgumentException.class,
                () -> SoftOneHot.softOneHotLinspace(x, 0, Double.POSITIVE_INFINITY, 4, Basis.GAUSSIAN, false));
        assertEquals("SoftOneHot.softOneHotLinspace: end must be finite, got Infinity", end.getMessage());
        IllegalArgumentException start = assertThrows(IllegalArgumentException.class,
                () -> SoftOneHot.softOneHotLinspaceDerivative(x, Double.NEGATIVE_INFINITY, 1, 4, Basis.COSINE, true));
        assertEquals("SoftOneHot.softOneHotLinspaceDerivative: start must be finite, got -Infinity",
                start.getMessage());
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> SoftOneHot.softOneHotLinspace(x, 0, Double.NaN, 4, Basis.BESSEL, true));
        assertEquals("SoftOneHot.softOneHotLinspace: end must be finite, got NaN", nan.getMessage());
        IllegalArgumentException width = assertThrows(IllegalArgumentException.class,
                () -> SoftOneHot.softOneHotLinspace(x, -1e308, 1e308, 4, Basis.GAUSSIAN, false));
        assertEquals("SoftOneHot.softOneHotLinspace: end - start must be finite, got 1.0E308 - -1.0E308 = Infinity",
                width.getMessage());
        IllegalArgumentException spacing = assertThrows(IllegalArgumentException.class,
                () -> SoftOneHot.softOneHotLinspace(x, 1, 1 + 1e-15, 1000, Basis.GAUSSIAN, false));
        assertTrue(spacing.getMessage().startsWith("SoftOneHot.softOneHotLinspace: number must leave the centers "
                + "apart"), spacing.getMessage());
        assertEquals(0, SoftOneHot.softOneHotLinspace(new double[0], 0, 1, 1 << 30, Basis.GAUSSIAN, false).length);
    }

    /**
     * {@code |actual - expected| <= tolerance max(1, -log|expected|) |expected| + 1e-15} entry by entry (a Gaussian's
     * value {@code e^{-d^2}} carries the rounding of {@code d^2}), or both the same (zeros).
     */
    private static void assertRelativelyClose(double[] expected, double[] actual, double tolerance, String where) {
        assertEquals(expected.length, actual.length, where);
        for (int i = 0; i < expected.length; i++) {
            double magnitude = Math.abs(expected[i]);
            double bound = tolerance * Math.max(1, -Math.log(magnitude)) * magnitude + 1e-15;
            assertTrue(Math.abs(actual[i] - expected[i]) <= bound || Double.compare(expected[i], actual[i]) == 0,
                    where + " [" + i + "]: expected " + expected[i] + ", got " + actual[i]);
        }
    }
}
