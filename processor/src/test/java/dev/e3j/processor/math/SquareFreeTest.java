package dev.e3j.processor.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SquareFreeTest {

    private static final int[] SMALL_PRIMES = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61,
        67, 71, 73, 79, 83, 89, 97, 101, 65521};
    /** Primes beyond the trial-division limit: the cofactor logic. */
    private static final long[] LARGE_PRIMES = {65537, 1_000_003, 2_147_483_647L};

    @Test
    void smallCases() {
        assertSplit(1, 1, 1);
        assertSplit(2, 1, 2);
        assertSplit(8, 2, 2);
        assertSplit(72, 6, 2);
        assertSplit(45, 3, 5);
        assertSplit(65521L * 65521L * 3, 65521, 3);
        assertSplit(65537L * 65537L, 65537, 1);
        assertSplit(65537L * 1_000_003L, 1, 65537L * 1_000_003L);
    }

    /** Random products of prime powers (radicands of factorial products and beyond) against the definition. */
    @Test
    void randomProductsSplitAsDefined() {
        Random random = new Random(11);
        for (int trial = 0; trial < 900; trial++) {
            BigInteger n = BigInteger.ONE;
            int factors = random.nextInt(trial < 300 ? 4 : 40);
            for (int f = 0; f < factors; f++) {
                BigInteger p = BigInteger.valueOf(SMALL_PRIMES[random.nextInt(SMALL_PRIMES.length)]);
                n = n.multiply(p.pow(1 + random.nextInt(trial % 3 == 0 ? 60 : 5)));
            }
            int large = random.nextInt(6);
            if (large == 1) {
                n = n.multiply(BigInteger.valueOf(LARGE_PRIMES[random.nextInt(LARGE_PRIMES.length)]));
            } else if (large == 2) {
                n = n.multiply(BigInteger.valueOf(LARGE_PRIMES[random.nextInt(LARGE_PRIMES.length)]).pow(2));
            }
            SquareFree expected = definition(n);
            SquareFree actual = SquareFree.of(n);
            assertEquals(expected, actual, "n = " + n);
            assertEquals(n, actual.root().pow(2).multiply(actual.squareFree()));
        }
    }

    @Test
    void rejectsNonPositive() {
        assertThrows(IllegalArgumentException.class, () -> SquareFree.of(BigInteger.ZERO));
        assertThrows(IllegalArgumentException.class, () -> SquareFree.of(BigInteger.valueOf(-4)));
    }

    private static void assertSplit(long n, long root, long squareFree) {
        assertEquals(new SquareFree(BigInteger.valueOf(root), BigInteger.valueOf(squareFree)),
                SquareFree.of(BigInteger.valueOf(n)));
    }

    /** Trial division by every integer up to the limit, then the cofactor whole: the documented definition. */
    private static SquareFree definition(BigInteger n) {
        BigInteger root = BigInteger.ONE;
        BigInteger squareFree = BigInteger.ONE;
        BigInteger rest = n;
        for (int d = 2; d <= SquareFree.TRIAL_DIVISION_LIMIT; d++) {
            BigInteger divisor = BigInteger.valueOf(d);
            if (divisor.multiply(divisor).compareTo(rest) > 0) {
                break;
            }
            int exponent = 0;
            while (rest.mod(divisor).signum() == 0) {
                rest = rest.divide(divisor);
                exponent++;
            }
            root = root.multiply(divisor.pow(exponent / 2));
            if (exponent % 2 == 1) {
                squareFree = squareFree.multiply(divisor);
            }
        }
        BigInteger[] sqrt = rest.sqrtAndRemainder();
        return sqrt[1].signum() == 0 ? new SquareFree(root.multiply(sqrt[0]), squareFree)
                : new SquareFree(root, squareFree.multiply(rest));
    }
}
