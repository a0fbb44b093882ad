package dev.e3j.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.e3j.runtime.o3.Rotations;

/** Entry-wise comparisons that report the worst entry. */
public final class MatrixAssertions {

    private MatrixAssertions() {
    }

    public static double maxAbsDifference(double[][] expected, double[][] actual) {
        assertEquals(expected.length, actual.length, "rows");
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i].length, actual[i].length, "columns of row " + i);
            for (int j = 0; j < expected[i].length; j++) {
                double diff = Math.abs(expected[i][j] - actual[i][j]);
                worst = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : Math.max(worst, diff);
            }
        }
        return worst;
    }

    public static void assertMatrixEquals(double[][] expected, double[][] actual, double tolerance, String what) {
        double worst = maxAbsDifference(expected, actual);
        if (!(worst <= tolerance)) {
            fail(what + ": max |difference| " + worst + " > " + tolerance);
        }
    }

    public static void assertVectorEquals(double[] expected, double[] actual, double tolerance, String what) {
        assertMatrixEquals(new double[][] {expected}, new double[][] {actual}, tolerance, what);
    }

    public static double[][] identity(int n) {
        double[][] id = new double[n][n];
        for (int i = 0; i < n; i++) {
            id[i][i] = 1;
        }
        return id;
    }

    public static void assertOrthogonal(double[][] m, double tolerance, String what) {
        assertMatrixEquals(identity(m.length), Rotations.matmul(m, Rotations.transpose(m)), tolerance,
                what + ": M M^T = I");
    }
}
