package dev.e3j.runtime.o3;

import static dev.e3j.runtime.MatrixAssertions.assertMatrixEquals;
import static dev.e3j.runtime.MatrixAssertions.assertOrthogonal;
import static dev.e3j.runtime.MatrixAssertions.identity;
import static dev.e3j.runtime.o3.Rotations.matmul;
import static dev.e3j.runtime.o3.Rotations.transpose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.MatrixAssertions;
import dev.e3j.testsupport.ReferenceData;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WignerDTest {

    private static final double TOLERANCE = 1e-12;

    @Test
    void matchesEveryE3nnReferenceCase() {
        Map<String, Object> reference = ReferenceData.object(ReferenceData.load("wigner_d.json"));
        List<Object> cases = ReferenceData.asList(reference.get("cases"));
        assertTrue(cases.size() >= 50, "reference cases: " + cases.size());
        for (Object c : cases) {
            Map<String, Object> testCase = ReferenceData.object(c);
            String irreps = (String) testCase.get("irreps");
            double alpha = (Double) testCase.get("alpha");
            double beta = (Double) testCase.get("beta");
            double gamma = (Double) testCase.get("gamma");
            int k = ((Double) testCase.get("k")).intValue();
            double[][] expected = ReferenceData.matrix(testCase.get("D"));
            double[][] actual = Irreps.parse(irreps).wignerD(alpha, beta, gamma, k);
            assertMatrixEquals(expected, actual, TOLERANCE,
                    irreps + " k=" + k + " at (" + alpha + ", " + beta + ", " + gamma + ")");
        }
    }

    @Test
    void degreeOneIsTheRotationMatrix() {
        SplittableRandom rng = new SplittableRandom(1);
        for (int trial = 0; trial < 100; trial++) {
            double[] a = Rotations.randomAngles(rng);
            assertMatrixEquals(Rotations.anglesToMatrix(a[0], a[1], a[2]),
                    Irreps.parse("1o").wignerD(a[0], a[1], a[2], 0), 1e-14, "D^1 of 1o");
            assertMatrixEquals(Rotations.anglesToMatrix(a[0], a[1], a[2]), WignerD.of(1, a[0], a[1], a[2]), 1e-14,
                    "WignerD.of(1)");
        }
    }

    /** e3nn's definition, built independently here: {@code exp(beta Lx)} and {@code exp(alpha Ly)}. */
    @Test
    void matchesTheExponentialOfE3nnsRealGenerators() {
        for (int l = 0; l <= 11; l++) {
            double[][][] generators = realGenerators(l);
            double[][] lx = generators[0];
            double[][] ly = generators[1];
            for (double angle : new double[] {0.37, -1.3, 2.9}) {
                assertMatrixEquals(exponential(lx, angle), WignerD.of(l, 0, angle, 0), TOLERANCE,
                        "exp(beta Lx), l=" + l + ", beta=" + angle);
                assertMatrixEquals(exponential(lx, angle), WignerD.aboutX(l, angle), TOLERANCE,
                        "aboutX, l=" + l);
                assertMatrixEquals(exponential(ly, angle), WignerD.of(l, angle, 0, 0), TOLERANCE,
                        "exp(alpha Ly), l=" + l + ", alpha=" + angle);
                assertMatrixEquals(exponential(ly, angle), WignerD.aboutY(l, angle), TOLERANCE,
                        "aboutY, l=" + l);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 5, 8, 11})
    void isAHomomorphism(int l) {
        SplittableRandom rng = new SplittableRandom(10 + l);
        for (int trial = 0; trial < 20; trial++) {
            double[][] r1 = Rotations.randomMatrix(rng);
            double[][] r2 = Rotations.randomMatrix(rng);
            assertMatrixEquals(WignerD.of(l, matmul(r1, r2)), matmul(WignerD.of(l, r1), WignerD.of(l, r2)),
                    TOLERANCE, "D(R1 R2) = D(R1) D(R2), l=" + l);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 8, 11, 20, WignerD.MAX_L})
    void isOrthogonalAndInvertedByReversedAngles(int l) {
        SplittableRandom rng = new SplittableRandom(100 + l);
        for (int trial = 0; trial < 10; trial++) {
            double[] a = Rotations.randomAngles(rng);
            double[][] d = WignerD.of(l, a[0], a[1], a[2]);
            assertOrthogonal(d, TOLERANCE, "l=" + l);
            assertMatrixEquals(transpose(d), WignerD.of(l, -a[2], -a[1], -a[0]), TOLERANCE, "D^-1, l=" + l);
        }
        assertMatrixEquals(identity(2 * l + 1), WignerD.of(l, 0, 0, 0), 1e-14, "identity rotation, l=" + l);
    }

    @Test
    void rotoinversionsCarryTheParity() {
        SplittableRandom rng = new SplittableRandom(7);
        Irreps irreps = Irreps.parse("2x0e + 0o + 1o + 1e + 2x2o + 3e");
        for (int trial = 0; trial < 10; trial++) {
            double[] a = Rotations.randomAngles(rng);
            double[][] rotation = Rotations.anglesToMatrix(a[0], a[1], a[2]);
            double[][] rotoinversion = matmul(rotation, new double[][] {{-1, 0, 0}, {0, -1, 0}, {0, 0, -1}});
            assertMatrixEquals(irreps.wignerD(a[0], a[1], a[2], 0), irreps.wignerD(rotation), TOLERANCE,
                    "rotation");
            assertMatrixEquals(irreps.wignerD(a[0], a[1], a[2], 1), irreps.wignerD(rotoinversion), TOLERANCE,
                    "rotoinversion");
            // A mirror is an inversion times a half turn, so it is a homomorphism image too.
            double[][] mirror = {{-1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
            assertMatrixEquals(irreps.wignerD(matmul(mirror, rotation)),
                    matmul(irreps.wignerD(mirror), irreps.wignerD(rotation)), TOLERANCE, "mirror then rotation");
        }
        double[][] inversion = Irreps.parse("0e + 0o + 1o + 1e").wignerD(0, 0, 0, 1);
        double[] diagonal = new double[inversion.length];
        for (int i = 0; i < diagonal.length; i++) {
            diagonal[i] = inversion[i][i];
        }
        MatrixAssertions.assertVectorEquals(new double[] {1, -1, -1, -1, -1, 1, 1, 1}, diagonal, 1e-14, "inversion");
    }

    @Test
    void blocksFollowTheMulIrLayout() {
        double[] a = {0.3, 1.2, -2.0};
        Irreps irreps = Irreps.parse("2x1o + 0x3e + 1x2e");
        double[][] d = irreps.wignerD(a[0], a[1], a[2], 0);
        assertEquals(11, d.length);
        double[][] d1 = WignerD.of(1, a[0], a[1], a[2]);
        double[][] d2 = WignerD.of(2, a[0], a[1], a[2]);
        for (int i = 0; i < 11; i++) {
            for (int j = 0; j < 11; j++) {
                double expected;
                if (i < 3 && j < 3) {
                    expected = d1[i][j];
                } else if (i >= 3 && i < 6 && j >= 3 && j < 6) {
                    expected = d1[i - 3][j - 3];
                } else if (i >= 6 && j >= 6) {
                    expected = d2[i - 6][j - 6];
                } else {
                    expected = 0;
                }
                assertEquals(expected, d[i][j], 0, "entry " + i + "," + j);
            }
        }
        assertEquals(0, Irreps.empty().wignerD(a[0], a[1], a[2], 0).length);
    }

    @Test
    void rejectsBadArguments() {
        IllegalArgumentException degree = assertThrows(IllegalArgumentException.class,
                () -> WignerD.of(WignerD.MAX_L + 1, 0, 0, 0));
        assertTrue(degree.getMessage().contains("l must be in [0, " + WignerD.MAX_L + "], got 31"),
                degree.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WignerD.aboutY(-1, 0));
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> Irreps.parse("1o").wignerD(new double[][] {{1, 0}, {0, 1}}));
        assertTrue(shape.getMessage().contains("rotationOrRotoinversion must have 3 rows, got 2"),
                shape.getMessage());
        IllegalArgumentException scaled = assertThrows(IllegalArgumentException.class,
                () -> Irreps.parse("1o").wignerD(new double[][] {{2, 0, 0}, {0, 1, 0}, {0, 0, 1}}));
        assertTrue(scaled.getMessage().contains("determinant 1 or -1, got determinant 2.0"), scaled.getMessage());
    }

    /**
     * e3nn's {@code so3_generators(l)}: {@code Re(Q^H X Q)} with {@code su2_generators} {@code X_0 = (R + L)/2},
     * {@code X_1 = diag(i m)} (raising {@code R[m+1][m] = -sqrt(l(l+1) - m(m+1))}, lowering
     * {@code L[m-1][m] = sqrt(l(l+1) - m(m-1))}) and {@code Q = change_basis_real_to_complex(l)}.
     */
    private static double[][][] realGenerators(int l) {
        int n = 2 * l + 1;
        double[][] x0 = new double[n][n];
        double[][] zero = new double[n][n];
        double[][] x1Imag = new double[n][n];
        for (int i = 0; i < n; i++) {
            int m = i - l;
            x1Imag[i][i] = m;
            if (i + 1 < n) {
                x0[i + 1][i] = -0.5 * Math.sqrt(l * (l + 1.0) - m * (m + 1.0));
                x0[i][i + 1] = 0.5 * Math.sqrt(l * (l + 1.0) - (m + 1.0) * m);
            }
        }
        double[][][] q = changeBasisRealToComplex(l);
        return new double[][][] {realPart(q, x0, zero), realPart(q, zero, x1Imag)};
    }

    /** e3nn's {@code change_basis_real_to_complex(l)} as {@code {re, im}}, with its {@code (-i)^l} factor. */
    private static double[][][] changeBasisRealToComplex(int l) {
        int n = 2 * l + 1;
        double[][] re = new double[n][n];
        double[][] im = new double[n][n];
        double h = 1 / Math.sqrt(2);
        for (int m = -l; m < 0; m++) {
            re[l + m][l - m] = h;
            im[l + m][l + m] = -h;
        }
        re[l][l] = 1;
        for (int m = 1; m <= l; m++) {
            double sign = m % 2 == 0 ? 1 : -1;
            re[l + m][l + m] = sign * h;
            im[l + m][l - m] = sign * h;
        }
        // times (-i)^l: multiplying by -i maps (re, im) to (im, -re).
        for (int power = 0; power < l % 4; power++) {
            double[][] swap = re;
            re = im;
            im = negate(swap);
        }
        return new double[][][] {re, im};
    }

    /** {@code Re(Q^H (Xr + i Xi) Q)} for {@code Q = Qr + i Qi}. */
    private static double[][] realPart(double[][][] q, double[][] xRe, double[][] xIm) {
        double[][] qr = q[0];
        double[][] qi = q[1];
        // (Qr^T - i Qi^T)(Xr + i Xi)(Qr + i Qi): real part = Qr^T Xr Qr - Qr^T Xi Qi + Qi^T Xi Qr + Qi^T Xr Qi.
        double[][] out = matmul(transpose(qr), matmul(xRe, qr));
        add(out, negate(matmul(transpose(qr), matmul(xIm, qi))));
        add(out, matmul(transpose(qi), matmul(xIm, qr)));
        add(out, matmul(transpose(qi), matmul(xRe, qi)));
        return out;
    }

    /** {@code exp(t G)} by scaling and squaring a Taylor series. */
    private static double[][] exponential(double[][] generator, double t) {
        int squarings = 8;
        double scale = t / (1 << squarings);
        int n = generator.length;
        double[][] result = identity(n);
        double[][] term = identity(n);
        for (int order = 1; order <= 25; order++) {
            term = matmul(term, generator);
            double factor = scale / order;
            for (double[] row : term) {
                for (int j = 0; j < n; j++) {
                    row[j] *= factor;
                }
            }
            add(result, term);
        }
        for (int i = 0; i < squarings; i++) {
            result = matmul(result, result);
        }
        return result;
    }

    private static double[][] negate(double[][] m) {
        double[][] out = new double[m.length][];
        for (int i = 0; i < m.length; i++) {
            out[i] = m[i].clone();
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] = -out[i][j];
            }
        }
        return out;
    }

    private static void add(double[][] target, double[][] m) {
        for (int i = 0; i < target.length; i++) {
            for (int j = 0; j < target[i].length; j++) {
                target[i][j] += m[i][j];
            }
        }
    }
}
