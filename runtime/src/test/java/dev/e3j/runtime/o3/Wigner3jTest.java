package dev.e3j.runtime.o3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.testsupport.ReferenceData;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Wigner3jTest {

    @Test
    void matchesEveryE3nnReferenceCase() {
        List<Object> cases = ReferenceData.asList(ReferenceData.object(ReferenceData.load("wigner_3j.json"))
                .get("cases"));
        assertTrue(cases.size() >= 60, "reference cases: " + cases.size());
        double worst = 0;
        for (Object c : cases) {
            Map<String, Object> testCase = ReferenceData.object(c);
            int l1 = ((Double) testCase.get("l1")).intValue();
            int l2 = ((Double) testCase.get("l2")).intValue();
            int l3 = ((Double) testCase.get("l3")).intValue();
            double[] expected = ReferenceData.asDoubles(testCase.get("values"));
            double[] actual = Wigner3j.of(l1, l2, l3);
            assertEquals(expected.length, actual.length, "length of (" + l1 + ", " + l2 + ", " + l3 + ")");
            for (int i = 0; i < expected.length; i++) {
                worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
            }
        }
        assertTrue(worst < 1e-14, "largest difference from e3nn: " + worst);
    }

    /** {@code C} is invariant: {@code sum C[i][j][k] D1[i][a] D2[j][b] D3[k][c] = C[a][b][c]}, with unit norm. */
    @ParameterizedTest
    @CsvSource({"5, 5, 0", "6, 3, 5", "7, 7, 7", "10, 6, 9", "12, 12, 2", "15, 14, 13"})
    void isInvariantWithUnitNormAtLargerDegrees(int l1, int l2, int l3) {
        SplittableRandom rng = new SplittableRandom(l1 * 100 + l2 * 10 + l3);
        double[] angles = Rotations.randomAngles(rng);
        double[][] d1 = WignerD.of(l1, angles[0], angles[1], angles[2]);
        double[][] d2 = WignerD.of(l2, angles[0], angles[1], angles[2]);
        double[][] d3 = WignerD.of(l3, angles[0], angles[1], angles[2]);
        double[] c = Wigner3j.of(l1, l2, l3);
        int n1 = 2 * l1 + 1;
        int n2 = 2 * l2 + 1;
        int n3 = 2 * l3 + 1;
        double norm = 0;
        for (double v : c) {
            norm += v * v;
        }
        assertEquals(1, norm, 1e-14);
        double[] rotated = transform(transform(transform(c, n1, n2, n3, d1, 0), n1, n2, n3, d2, 1), n1, n2, n3, d3, 2);
        for (int i = 0; i < c.length; i++) {
            assertEquals(c[i], rotated[i], 1e-12, "entry " + i);
        }
    }

    /** Contracts one axis of the row-major {@code [n1][n2][n3]} tensor: {@code t'[..a..] = sum_i D[i][a] t[..i..]}. */
    private static double[] transform(double[] t, int n1, int n2, int n3, double[][] d, int axis) {
        int[] shape = {n1, n2, n3};
        int[] strides = {n2 * n3, n3, 1};
        double[] out = new double[t.length];
        for (int index = 0; index < t.length; index++) {
            int along = index / strides[axis] % shape[axis];
            int base = index - along * strides[axis];
            double sum = 0;
            for (int i = 0; i < shape[axis]; i++) {
                sum += d[i][along] * t[base + i * strides[axis]];
            }
            out[index] = sum;
        }
        return out;
    }

    @Test
    void swappingTheFirstTwoDegreesTransposesUpToE3nnsSign() {
        // e3nn: C(l2, l1, l3)[j][i][k] = (-1)^(l1 + l2 + l3) C(l1, l2, l3)[i][j][k].
        int l1 = 3;
        int l2 = 4;
        int l3 = 2;
        double[] c = Wigner3j.of(l1, l2, l3);
        double[] swapped = Wigner3j.of(l2, l1, l3);
        int n1 = 2 * l1 + 1;
        int n2 = 2 * l2 + 1;
        int n3 = 2 * l3 + 1;
        double sign = (l1 + l2 + l3) % 2 == 0 ? 1 : -1;
        for (int i = 0; i < n1; i++) {
            for (int j = 0; j < n2; j++) {
                for (int k = 0; k < n3; k++) {
                    assertEquals(sign * c[(i * n2 + j) * n3 + k], swapped[(j * n1 + i) * n3 + k], 1e-15);
                }
            }
        }
    }

    @Test
    void rejectsDegreesBreakingTheTriangleRule() {
        IllegalArgumentException triangle = assertThrows(IllegalArgumentException.class, () -> Wigner3j.of(1, 1, 3));
        assertEquals("Wigner3j.of: l1, l2, l3 must satisfy the triangle rule |l2 - l3| <= l1 <= l2 + l3, got (1, 1, 3)",
                triangle.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> Wigner3j.of(0, -1, 1));
        assertEquals("Wigner3j.of: l1, l2, l3 must be >= 0, got (0, -1, 1)", negative.getMessage());
    }
}
