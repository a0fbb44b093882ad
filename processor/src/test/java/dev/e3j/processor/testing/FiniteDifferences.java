package dev.e3j.processor.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.function.DoubleSupplier;

/** Gradient checks of generated kernels against central finite differences. */
public final class FiniteDifferences {

    private FiniteDifferences() {
    }

    /**
     * Asserts {@code analytic[i] = (f(arg + h e_i) - f(arg - h e_i)) / 2h} for every {@code i}, within
     * {@code relative * max(1, |difference|)}. {@code objective} reads {@code arg}, which is perturbed in place and
     * restored, so an argument passed twice (a tensor square's two inputs) moves in both places.
     */
    public static void assertGradient(String name, double[] arg, double[] analytic, double h, double relative,
                                      DoubleSupplier objective) {
        assertEquals(arg.length, analytic.length, name + " length");
        for (int i = 0; i < arg.length; i++) {
            double saved = arg[i];
            arg[i] = saved + h;
            double plus = objective.getAsDouble();
            arg[i] = saved - h;
            double minus = objective.getAsDouble();
            arg[i] = saved;
            double difference = (plus - minus) / (2 * h);
            assertEquals(difference, analytic[i], relative * Math.max(1, Math.abs(difference)),
                    name + "[" + i + "]");
        }
    }

    /** {@code <out, gradOut>}: the objective whose gradient a backward pass with {@code gradOut} computes. */
    public static double dot(double[] out, double[] gradOut) {
        double sum = 0;
        for (int i = 0; i < out.length; i++) {
            sum += out[i] * gradOut[i];
        }
        return sum;
    }

    /** {@code n} standard normal samples. */
    public static double[] gaussian(Random random, int n) {
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = random.nextGaussian();
        }
        return values;
    }
}
