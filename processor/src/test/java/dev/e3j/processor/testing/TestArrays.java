package dev.e3j.processor.testing;

import java.util.Random;

/** Arrays the kernel tests draw and convert: Gaussian samples, and double/float copies for the float overloads. */
public final class TestArrays {

    private TestArrays() {
    }

    /** {@code n} standard normal values from {@code random}. */
    public static double[] gaussian(int n, Random random) {
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = random.nextGaussian();
        }
        return values;
    }

    /** {@code values} rounded to float; {@code null} stays {@code null} (a kernel's optional argument). */
    public static float[] toFloat(double[] values) {
        if (values == null) {
            return null;
        }
        float[] result = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = (float) values[i];
        }
        return result;
    }

    /** {@code values} widened to double; {@code null} stays {@code null}. */
    public static double[] toDouble(float[] values) {
        if (values == null) {
            return null;
        }
        double[] result = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = values[i];
        }
        return result;
    }
}
