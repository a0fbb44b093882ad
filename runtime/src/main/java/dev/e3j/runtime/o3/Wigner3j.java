package dev.e3j.runtime.o3;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;

/**
 * e3nn's {@code o3.wigner_3j(l1, l2, l3)}: the real-basis Clebsch–Gordan tensor {@code C[m1][m2][m3]} of shape
 * {@code [2l1+1][2l2+1][2l3+1]} (index {@code m + l}, e3nn's real basis and signs), invariant under
 * {@code D^l1 ⊗ D^l2 ⊗ D^l3} and of unit Frobenius norm; nonzero only for {@code |l2 - l3| <= l1 <= l2 + l3}.
 *
 * <p>Method, as e3nn: the SU(2) coefficients {@code <l1 m1; l2 m2 | l3 m3>} by Racah's formula, then the change to
 * the real basis {@code C = sum Q1[i][j] Q2[k][l] conj(Q3[n][m]) CG[i][k][n]} with e3nn's
 * {@code Q = change_basis_real_to_complex(l)} (including its {@code (-i)^l} factor). Racah's alternating sum is
 * evaluated exactly in integers, so the only rounding is that of one square root per coefficient and of the basis
 * change ({@code 1/sqrt 2} factors): entries agree with the exact values to a few units in the last place for any
 * degree. Dividing by {@code sqrt(2 l3 + 1)}, which e3nn's Frobenius normalization amounts to, is folded into the
 * coefficients exactly.
 */
public final class Wigner3j {

    private static final double SQRT_HALF = Math.sqrt(0.5);

    private Wigner3j() {
    }

    /**
     * {@code C[m1][m2][m3]}, row-major in a new array of length {@code (2l1+1)(2l2+1)(2l3+1)}; computed on every call
     * (milliseconds: about 10 ms for {@code (10, 10, 10)}), so keep the result where it is used repeatedly.
     *
     * @throws IllegalArgumentException if a degree is negative, the degrees break the triangle rule
     *     {@code |l2 - l3| <= l1 <= l2 + l3} (where e3nn fails an assertion), or the tensor would not fit an array
     */
    public static double[] of(int l1, int l2, int l3) {
        String where = "Wigner3j.of";
        if (l1 < 0 || l2 < 0 || l3 < 0) {
            throw new IllegalArgumentException(where + ": l1, l2, l3 must be >= 0, got (" + l1 + ", " + l2 + ", " + l3
                    + ")");
        }
        if (l1 < Math.abs(l2 - l3) || l1 > (long) l2 + l3) {
            throw new IllegalArgumentException(where + ": l1, l2, l3 must satisfy the triangle rule |l2 - l3| <= l1 "
                    + "<= l2 + l3, got (" + l1 + ", " + l2 + ", " + l3 + ")");
        }
        long length = (2L * l1 + 1) * (2L * l2 + 1) * (2L * l3 + 1);
        if (length > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(where + ": (2l1+1)(2l2+1)(2l3+1) must be at most "
                    + (Integer.MAX_VALUE - 8) + " (the length of one array), got " + length + " for (" + l1 + ", "
                    + l2 + ", " + l3 + ")");
        }
        double[][][] su2 = su2ClebschGordan(l1, l2, l3);
        double[][] q1Re = new double[2 * l1 + 1][2 * l1 + 1];
        double[][] q1Im = new double[2 * l1 + 1][2 * l1 + 1];
        double[][] q2Re = new double[2 * l2 + 1][2 * l2 + 1];
        double[][] q2Im = new double[2 * l2 + 1][2 * l2 + 1];
        double[][] q3Re = new double[2 * l3 + 1][2 * l3 + 1];
        double[][] q3Im = new double[2 * l3 + 1][2 * l3 + 1];
        realToComplex(l1, q1Re, q1Im);
        realToComplex(l2, q2Re, q2Im);
        realToComplex(l3, q3Re, q3Im);
        int n1 = 2 * l1 + 1;
        int n2 = 2 * l2 + 1;
        int n3 = 2 * l3 + 1;
        double[] out = new double[(int) length];
        // Column l + mu of Q is nonzero only in rows l + mu and l - mu.
        for (int j = 0; j < n1; j++) {
            int[] rows1 = column(l1, j);
            for (int l = 0; l < n2; l++) {
                int[] rows2 = column(l2, l);
                for (int m = 0; m < n3; m++) {
                    int[] rows3 = column(l3, m);
                    double sum = 0;
                    for (int i : rows1) {
                        for (int k : rows2) {
                            for (int n : rows3) {
                                double cg = su2[i][k][n];
                                if (cg == 0) {
                                    continue;
                                }
                                // Re(Q1[i][j] Q2[k][l] conj(Q3[n][m])).
                                double abRe = q1Re[i][j] * q2Re[k][l] - q1Im[i][j] * q2Im[k][l];
                                double abIm = q1Re[i][j] * q2Im[k][l] + q1Im[i][j] * q2Re[k][l];
                                sum += cg * (abRe * q3Re[n][m] + abIm * q3Im[n][m]);
                            }
                        }
                    }
                    out[(j * n2 + l) * n3 + m] = sum;
                }
            }
        }
        return out;
    }

    /** The rows where column {@code c} of {@code Q(l)} may be nonzero: {@code l + mu} and {@code l - mu}. */
    private static int[] column(int l, int c) {
        return c == l ? new int[] {l} : new int[] {c, 2 * l - c};
    }

    /**
     * e3nn's {@code change_basis_real_to_complex(l)}: row {@code l + m} holds {@code 1/sqrt 2} and {@code -i/sqrt 2}
     * at columns {@code l + |m|}, {@code l - |m|} for {@code m < 0}, {@code 1} at the centre, {@code (-1)^m/sqrt 2}
     * and {@code i (-1)^m/sqrt 2} for {@code m > 0}; all times {@code (-i)^l}.
     */
    private static void realToComplex(int l, double[][] re, double[][] im) {
        for (int m = -l; m < 0; m++) {
            re[l + m][l - m] = SQRT_HALF;
            im[l + m][l + m] = -SQRT_HALF;
        }
        re[l][l] = 1;
        for (int m = 1; m <= l; m++) {
            double sign = m % 2 == 0 ? 1 : -1;
            re[l + m][l + m] = sign * SQRT_HALF;
            im[l + m][l - m] = sign * SQRT_HALF;
        }
        // (-i)^l: 1, -i, -1, i.
        int quarterTurns = l % 4;
        for (int r = 0; r < re.length; r++) {
            for (int c = 0; c < re.length; c++) {
                double a = re[r][c];
                double b = im[r][c];
                switch (quarterTurns) {
                    case 1 -> {
                        re[r][c] = b;
                        im[r][c] = -a;
                    }
                    case 2 -> {
                        re[r][c] = -a;
                        im[r][c] = -b;
                    }
                    case 3 -> {
                        re[r][c] = -b;
                        im[r][c] = a;
                    }
                    default -> {
                    }
                }
            }
        }
    }

    /**
     * {@code <l1 m1; l2 m2 | l3 m3> / sqrt(2 l3 + 1)} at {@code [l1 + m1][l2 + m2][l3 + m3]}, by Racah's formula (as
     * e3nn's {@code _su2_clebsch_gordan_coeff}): the square of each coefficient is an exact rational, rounded once.
     */
    private static double[][][] su2ClebschGordan(int j1, int j2, int j3) {
        BigInteger[] f = factorials(j1 + j2 + j3 + 1);
        double[][][] out = new double[2 * j1 + 1][2 * j2 + 1][2 * j3 + 1];
        for (int m1 = -j1; m1 <= j1; m1++) {
            for (int m2 = -j2; m2 <= j2; m2++) {
                int m3 = m1 + m2;
                if (Math.abs(m3) > j3) {
                    continue;
                }
                BigInteger prefactorNum = f[j3 + j1 - j2].multiply(f[j3 - j1 + j2]).multiply(f[j1 + j2 - j3])
                        .multiply(f[j3 + m3]).multiply(f[j3 - m3]);
                BigInteger prefactorDen = f[j1 + j2 + j3 + 1].multiply(f[j1 - m1]).multiply(f[j1 + m1])
                        .multiply(f[j2 - m2]).multiply(f[j2 + m2]);
                int vmin = Math.max(Math.max(-j1 + j2 + m3, -j1 + m1), 0);
                int vmax = Math.min(Math.min(j2 + j3 + m1, j3 - j1 + j2), j3 + m3);
                BigInteger sumNum = BigInteger.ZERO;
                BigInteger sumDen = BigInteger.ONE;
                for (int v = vmin; v <= vmax; v++) {
                    BigInteger num = f[j2 + j3 + m1 - v].multiply(f[j1 - m1 + v]);
                    BigInteger den = f[v].multiply(f[j3 - j1 + j2 - v]).multiply(f[j3 + m3 - v])
                            .multiply(f[v + j1 - j2 - m3]);
                    if (Math.floorMod(v + j2 + m2, 2) == 1) {
                        num = num.negate();
                    }
                    sumNum = sumNum.multiply(den).add(num.multiply(sumDen));
                    sumDen = sumDen.multiply(den);
                    BigInteger gcd = sumNum.gcd(sumDen);
                    if (gcd.signum() != 0 && !gcd.equals(BigInteger.ONE)) {
                        sumNum = sumNum.divide(gcd);
                        sumDen = sumDen.divide(gcd);
                    }
                }
                if (sumNum.signum() == 0) {
                    continue;
                }
                BigDecimal squared = new BigDecimal(prefactorNum.multiply(sumNum.pow(2)))
                        .divide(new BigDecimal(prefactorDen.multiply(sumDen.pow(2))), MathContext.DECIMAL128);
                double magnitude = squared.sqrt(MathContext.DECIMAL128).doubleValue();
                out[j1 + m1][j2 + m2][j3 + m3] = sumNum.signum() * magnitude;
            }
        }
        return out;
    }

    private static BigInteger[] factorials(int n) {
        BigInteger[] f = new BigInteger[n + 1];
        f[0] = BigInteger.ONE;
        for (int k = 1; k <= n; k++) {
            f[k] = f[k - 1].multiply(BigInteger.valueOf(k));
        }
        return f;
    }
}
