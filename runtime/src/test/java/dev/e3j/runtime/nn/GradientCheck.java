package dev.e3j.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.ToDoubleFunction;

/** Central finite differences against analytic gradients, and small helpers for random test data. */
public final class GradientCheck {

    private static final double STEP = 1e-5;

    private GradientCheck() {
    }

    /**
     * Asserts {@code max_i |numeric_i - analytic_i| / max_i |analytic_i| < tolerance}, {@code numeric_i =
     * (L(p + h e_i) - L(p - h e_i)) / 2h}; returns that relative error. {@code point} is restored afterwards.
     */
    public static double assertGradient(String what, ToDoubleFunction<double[]> loss, double[] point, double[] analytic,
                                 double tolerance) {
        double maxDiff = 0;
        double maxGrad = 0;
        for (int i = 0; i < point.length; i++) {
            double saved = point[i];
            point[i] = saved + STEP;
            double plus = loss.applyAsDouble(point);
            point[i] = saved - STEP;
            double minus = loss.applyAsDouble(point);
            point[i] = saved;
            double numeric = (plus - minus) / (2 * STEP);
            maxDiff = Math.max(maxDiff, Math.abs(numeric - analytic[i]));
            maxGrad = Math.max(maxGrad, Math.abs(analytic[i]));
        }
        assertTrue(maxGrad > 0, what + ": analytic gradient is identically zero, the check would prove nothing");
        double relative = maxDiff / maxGrad;
        assertTrue(relative < tolerance, what + ": finite-difference relative error " + relative + " >= " + tolerance);
        return relative;
    }

    public static double assertGradient(String what, ToDoubleFunction<double[]> loss, double[] point, double[] analytic) {
        return assertGradient(what, loss, point, analytic, 1e-6);
    }

    public static double[] gaussian(Random random, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = random.nextGaussian();
        }
        return x;
    }

    public static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    public static double maxAbsDiff(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
