package dev.e3j.runtime.nn;

import static dev.e3j.runtime.nn.GradientCheck.assertGradient;
import static dev.e3j.runtime.nn.GradientCheck.dot;
import static dev.e3j.runtime.nn.GradientCheck.gaussian;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.runtime.Irreps;
import dev.e3j.testsupport.ReferenceData;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NormTest {

    @Test
    void matchesE3nnsNormForwardAndBackward() {
        List<Object> cases = ReferenceData.asList(ReferenceData.object(ReferenceData.load("parity.json")).get("norm"));
        assertEquals(6, cases.size());
        for (Object c : cases) {
            Map<String, Object> testCase = ReferenceData.object(c);
            Norm norm = new Norm(Irreps.parse((String) testCase.get("irreps")), (Boolean) testCase.get("squared"));
            String what = norm.toString();
            int batch = ((Double) testCase.get("batch")).intValue();
            assertEquals(Irreps.parse((String) testCase.get("irreps_out")), norm.irrepsOut(), what);
            double[] x = ReferenceData.asDoubles(testCase.get("x"));
            double[] out = new double[batch * norm.irrepsOut().dim()];
            norm.forward(batch, x, out);
            assertArrayEquals(ReferenceData.asDoubles(testCase.get("out")), out, 1e-14, what);
            double[] gradX = new double[x.length];
            norm.backward(batch, x, ReferenceData.asDoubles(testCase.get("grad_out")), gradX);
            assertArrayEquals(ReferenceData.asDoubles(testCase.get("grad_x")), gradX, 1e-14, what);
        }
    }

    /** e3nn's test_vector_norm: the norms of {@code n x 1o} are the vectors' Euclidean norms. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void vectorNormsAreEuclidean(boolean squared) {
        Random random = new Random(1);
        int batch = 3;
        Norm norm = new Norm(Irreps.parse("10x1o"), squared);
        double[] x = gaussian(random, batch * 30);
        double[] out = new double[batch * 10];
        norm.forward(batch, x, out);
        for (int v = 0; v < batch * 10; v++) {
            double squaredNorm = x[3 * v] * x[3 * v] + x[3 * v + 1] * x[3 * v + 1] + x[3 * v + 2] * x[3 * v + 2];
            assertEquals(squared ? squaredNorm : Math.sqrt(squaredNorm), out[v], 1e-14);
        }
    }

    /** e3nn's test_grad: zero gradient at zero. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void zeroGradientAtZero(boolean squared) {
        Norm norm = new Norm(Irreps.parse("2x0e + 3x0o"), squared);
        double[] gradX = {1, 1, 1, 1, 1};
        norm.backward(1, new double[5], new double[] {1, 1, 1, 1, 1}, gradX);
        assertArrayEquals(new double[5], gradX, 0);
    }

    /** e3nn's test_norm: invariant outputs (equivariant to {@code numIrreps x 0e}), gradients by finite differences. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void invariantWithFiniteDifferenceGradients(boolean squared) {
        Irreps irreps = Irreps.parse("1e + 2e + 4x1e + 3x3o + 2x0o");
        Norm norm = new Norm(irreps, squared);
        Random random = new Random(2);
        int batch = 2;
        double[] x = gaussian(random, batch * irreps.dim());
        double[] out = new double[batch * irreps.numIrreps()];
        norm.forward(batch, x, out);
        for (int k = 0; k <= 1; k++) {
            double[][] d = irreps.wignerD(2 * Math.PI * random.nextDouble(), Math.PI * random.nextDouble(),
                    2 * Math.PI * random.nextDouble(), k);
            double[] rotated = new double[x.length];
            for (int n = 0; n < batch; n++) {
                for (int i = 0; i < irreps.dim(); i++) {
                    for (int j = 0; j < irreps.dim(); j++) {
                        rotated[n * irreps.dim() + i] += d[i][j] * x[n * irreps.dim() + j];
                    }
                }
            }
            double[] outOfRotated = new double[out.length];
            norm.forward(batch, rotated, outOfRotated);
            assertArrayEquals(out, outOfRotated, 1e-13);
        }
        double[] gradOut = gaussian(random, out.length);
        double[] gradX = new double[x.length];
        norm.backward(batch, x, gradOut, gradX);
        assertGradient("Norm squared=" + squared, p -> {
            double[] o = new double[out.length];
            norm.forward(batch, p, o);
            return dot(o, gradOut);
        }, x, gradX);
    }

    @Test
    void simplifiesItsInputAndHandlesTheEmptySum() {
        Norm norm = new Norm(Irreps.parse("1o + 1o + 0x2e"));
        assertEquals(Irreps.parse("2x1o"), norm.irrepsIn());
        assertEquals(Irreps.parse("2x0e"), norm.irrepsOut());
        Norm empty = new Norm(Irreps.parse(""));
        assertTrue(empty.irrepsOut().isEmpty());
        empty.forward(4, new double[0], new double[0]);
    }

    @Test
    void rejectsBadShapes() {
        Norm norm = new Norm(Irreps.parse("2x1o"), true);
        IllegalArgumentException out = assertThrows(IllegalArgumentException.class,
                () -> norm.forward(2, new double[12], new double[3]));
        assertEquals("Norm.forward: out must have length 4 (batch 2 × 2), got 3", out.getMessage());
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
                () -> norm.backward(2, new double[11], new double[4], new double[12]));
        assertEquals("Norm.backward: x must have length 12 (batch 2 × 6), got 11", x.getMessage());
    }
}
