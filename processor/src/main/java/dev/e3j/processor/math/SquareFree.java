package dev.e3j.processor.math;

import java.math.BigInteger;

/**
 * Splits a positive integer as {@code n = root^2 * squareFree}.
 *
 * <p>Trial division by every integer up to {@link #TRIAL_DIVISION_LIMIT}, then the cofactor {@code r} (no prime factor
 * below the limit) is a square or square-free whenever {@code r < limit^3}: it is 1, a prime, a product of two distinct
 * primes, or the square of a prime. Every radicand in this library is built from factorials and small integers, far
 * inside that bound; a larger cofactor is still split correctly when it is a perfect square.
 */
record SquareFree(BigInteger root, BigInteger squareFree) {

    static final int TRIAL_DIVISION_LIMIT = 1 << 16;

    static SquareFree of(BigInteger n) {
        if (n.signum() <= 0) {
            throw new IllegalArgumentException("n: expected a positive integer, got " + n);
        }
        BigInteger root = BigInteger.ONE;
        BigInteger squareFree = BigInteger.ONE;
        BigInteger rest = n;
        for (int d = 2; d <= TRIAL_DIVISION_LIMIT; d = d == 2 ? 3 : d + 2) {
            BigInteger divisor = BigInteger.valueOf(d);
            if (divisor.multiply(divisor).compareTo(rest) > 0) {
                break;
            }
            int exponent = 0;
            BigInteger[] qr = rest.divideAndRemainder(divisor);
            while (qr[1].signum() == 0) {
                rest = qr[0];
                exponent++;
                qr = rest.divideAndRemainder(divisor);
            }
            if (exponent > 0) {
                root = root.multiply(divisor.pow(exponent / 2));
                if (exponent % 2 == 1) {
                    squareFree = squareFree.multiply(divisor);
                }
            }
        }
        BigInteger[] sqrtAndRemainder = rest.sqrtAndRemainder();
        if (sqrtAndRemainder[1].signum() == 0) {
            root = root.multiply(sqrtAndRemainder[0]);
        } else {
            squareFree = squareFree.multiply(rest);
        }
        return new SquareFree(root, squareFree);
    }
}
