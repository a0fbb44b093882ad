package dev.e3j.processor.math;

import java.math.BigInteger;
import java.util.Arrays;
import org.apache.commons.numbers.fraction.BigFraction;

/**
 * e3nn's SU(2) Clebsch–Gordan coefficient {@code <j1 m1; j2 m2 | j3 m3>} by the Racah formula (integer j), exact, in
 * the Condon–Shortley phase convention:
 *
 * <pre>
 * C = δ(m3, m1+m2) sqrt[(2j3+1) (j3+j1-j2)! (j3-j1+j2)! (j1+j2-j3)! / (j1+j2+j3+1)!]
 *       sqrt[(j3+m3)! (j3-m3)! (j1-m1)! (j1+m1)! (j2-m2)! (j2+m2)!]
 *       Σ_k (-1)^k / [k! (j1+j2-j3-k)! (j1-m1-k)! (j2+m2-k)! (j3-j2+m1+k)! (j3-j1-m2+k)!]
 * </pre>
 */
public final class ClebschGordan {

    private ClebschGordan() {}

    /**
     * The coefficient; zero when {@code m3 != m1 + m2} or {@code (j1, j2, j3)} violates the triangle rule.
     *
     * @throws IllegalArgumentException for a negative {@code j} or {@code |m| > j}
     */
    public static SqrtRational coefficient(int j1, int m1, int j2, int m2, int j3, int m3) {
        RadicalForm form = radicalForm(j1, m1, j2, m2, j3, m3);
        BigFraction r = form.rational();
        return SqrtRational.signedSqrt(r.signum(), r.multiply(r).multiply(form.squareFree()));
    }

    /** {@code rational * sqrt(squareFree)}: the coefficient split for exact sums (see {@link Wigner3j}). */
    record RadicalForm(BigFraction rational, BigInteger squareFree) {}

    static RadicalForm radicalForm(int j1, int m1, int j2, int m2, int j3, int m3) {
        checkMomentum("j1", "m1", j1, m1);
        checkMomentum("j2", "m2", j2, m2);
        checkMomentum("j3", "m3", j3, m3);
        if (m3 != m1 + m2 || j3 > j1 + j2 || j3 < Math.abs(j1 - j2)) {
            return new RadicalForm(BigFraction.ZERO, BigInteger.ONE);
        }
        BigInteger radicandNumerator = BigInteger.valueOf(2L * j3 + 1)
                .multiply(factorial(j3 + j1 - j2))
                .multiply(factorial(j3 - j1 + j2))
                .multiply(factorial(j1 + j2 - j3))
                .multiply(factorial(j3 + m3))
                .multiply(factorial(j3 - m3))
                .multiply(factorial(j1 - m1))
                .multiply(factorial(j1 + m1))
                .multiply(factorial(j2 - m2))
                .multiply(factorial(j2 + m2));
        BigInteger radicandDenominator = factorial(j1 + j2 + j3 + 1);
        int kMin = Math.max(0, Math.max(j2 - j3 - m1, j1 - j3 + m2));
        int kMax = Math.min(j1 + j2 - j3, Math.min(j1 - m1, j2 + m2));
        BigFraction sum = BigFraction.ZERO;
        for (int k = kMin; k <= kMax; k++) {
            BigInteger term = factorial(k)
                    .multiply(factorial(j1 + j2 - j3 - k))
                    .multiply(factorial(j1 - m1 - k))
                    .multiply(factorial(j2 + m2 - k))
                    .multiply(factorial(j3 - j2 + m1 + k))
                    .multiply(factorial(j3 - j1 - m2 + k));
            sum = sum.add(BigFraction.of(k % 2 == 0 ? BigInteger.ONE : BigInteger.ONE.negate(), term));
        }
        // sqrt(N/D) = sqrt(N*D)/D = root*sqrt(squareFree)/D; N*D is a product of factorials, so trial division ends fast.
        SquareFree split = SquareFree.of(radicandNumerator.multiply(radicandDenominator));
        BigFraction rational = sum.multiply(BigFraction.of(split.root(), radicandDenominator));
        return new RadicalForm(rational, rational.isZero() ? BigInteger.ONE : split.squareFree());
    }

    private static void checkMomentum(String jName, String mName, int j, int m) {
        if (j < 0) {
            throw new IllegalArgumentException(jName + ": expected j >= 0, got " + j);
        }
        if (Math.abs(m) > j) {
            throw new IllegalArgumentException(
                    mName + ": expected -" + jName + " <= " + mName + " <= " + jName + " = " + j + ", got " + m);
        }
    }

    /** {@code 0!, 1!, ...} as far as needed so far; a coefficient takes about twenty factorials. */
    private static volatile BigInteger[] factorials = {BigInteger.ONE};

    private static BigInteger factorial(int n) {
        BigInteger[] table = factorials;
        if (n >= table.length) {
            synchronized (ClebschGordan.class) {
                table = factorials;
                if (n >= table.length) {
                    BigInteger[] grown = Arrays.copyOf(table, Math.max(n + 1, 2 * table.length));
                    for (int i = table.length; i < grown.length; i++) {
                        grown[i] = grown[i - 1].multiply(BigInteger.valueOf(i));
                    }
                    factorials = grown;
                    table = grown;
                }
            }
        }
        return table[n];
    }
}
