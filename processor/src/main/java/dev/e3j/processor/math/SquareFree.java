package dev.e3j.processor.math;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a positive integer as {@code n = root^2 * squareFree}.
 *
 * <p>Trial division by every prime up to {@link #TRIAL_DIVISION_LIMIT}, then the cofactor {@code r} (no prime factor
 * below the limit) is a square or square-free whenever {@code r < limit^3}: it is 1, a prime, a product of two distinct
 * primes, or the square of a prime. Every radicand in this library is built from factorials and small integers, far
 * inside that bound; a larger cofactor is still split correctly when it is a perfect square.
 *
 * <p>The radicands of high-degree Clebsch–Gordan coefficients run to hundreds of digits, and a kernel needs tens of
 * thousands of them: factors of two are shifted out, the remainder by a group of primes whose product fits a
 * {@code long} costs one big division for the whole group, and once the cofactor fits a {@code long} the rest is
 * machine arithmetic.
 */
record SquareFree(BigInteger root, BigInteger squareFree) {

    static final int TRIAL_DIVISION_LIMIT = 1 << 16;

    /** The odd primes up to {@link #TRIAL_DIVISION_LIMIT}, in order. */
    private static final int[] ODD_PRIMES = oddPrimes(TRIAL_DIVISION_LIMIT);
    /** {@code GROUP_STARTS[g]..GROUP_STARTS[g+1]-1}: consecutive odd primes whose product fits a {@code long}. */
    private static final int[] GROUP_STARTS;
    private static final long[] GROUP_PRODUCTS;

    static {
        List<Integer> starts = new ArrayList<>();
        List<Long> products = new ArrayList<>();
        int i = 0;
        while (i < ODD_PRIMES.length) {
            starts.add(i);
            long product = 1;
            while (i < ODD_PRIMES.length && product <= Long.MAX_VALUE / ODD_PRIMES[i]) {
                product *= ODD_PRIMES[i++];
            }
            products.add(product);
        }
        starts.add(ODD_PRIMES.length);
        GROUP_STARTS = starts.stream().mapToInt(Integer::intValue).toArray();
        GROUP_PRODUCTS = products.stream().mapToLong(Long::longValue).toArray();
    }

    static SquareFree of(BigInteger n) {
        if (n.signum() <= 0) {
            throw new IllegalArgumentException("n: expected a positive integer, got " + n);
        }
        int twos = n.getLowestSetBit();
        BigInteger root = BigInteger.ONE.shiftLeft(twos / 2);
        BigInteger squareFree = twos % 2 == 1 ? BigInteger.TWO : BigInteger.ONE;
        BigInteger rest = n.shiftRight(twos);
        int next = 0;
        // Hundreds of digits: one big division per group of primes.
        for (int g = 0; g + 1 < GROUP_STARTS.length && rest.bitLength() >= Long.SIZE - 1; g++) {
            long first = ODD_PRIMES[GROUP_STARTS[g]];
            if (BigInteger.valueOf(first * first).compareTo(rest) > 0) {
                break;
            }
            long remainder = rest.mod(BigInteger.valueOf(GROUP_PRODUCTS[g])).longValueExact();
            for (int i = GROUP_STARTS[g]; i < GROUP_STARTS[g + 1]; i++) {
                int p = ODD_PRIMES[i];
                if (remainder % p != 0) {
                    continue;
                }
                // Whole powers p^m (the largest that fits a long) first; the rest of the exponent, below m, is
                // that of the remainder by p^m.
                long power = p;
                int m = 1;
                while (power <= Long.MAX_VALUE / p) {
                    power *= p;
                    m++;
                }
                BigInteger chunk = BigInteger.valueOf(power);
                int exponent = 0;
                BigInteger[] qr = rest.divideAndRemainder(chunk);
                while (qr[1].signum() == 0) {
                    rest = qr[0];
                    exponent += m;
                    qr = rest.divideAndRemainder(chunk);
                }
                long low = qr[1].longValueExact();
                int extra = 0;
                while (low % p == 0) {
                    low /= p;
                    extra++;
                }
                BigInteger prime = BigInteger.valueOf(p);
                if (extra > 0) {
                    rest = rest.divide(prime.pow(extra));
                    exponent += extra;
                }
                root = root.multiply(prime.pow(exponent / 2));
                if (exponent % 2 == 1) {
                    squareFree = squareFree.multiply(prime);
                }
            }
            next = GROUP_STARTS[g + 1];
        }
        // A cofactor that fits a long: machine arithmetic from the first prime not yet tried.
        if (rest.bitLength() < Long.SIZE - 1) {
            long small = rest.longValueExact();
            for (int i = next; i < ODD_PRIMES.length && (long) ODD_PRIMES[i] * ODD_PRIMES[i] <= small; i++) {
                int p = ODD_PRIMES[i];
                int exponent = 0;
                while (small % p == 0) {
                    small /= p;
                    exponent++;
                }
                if (exponent > 0) {
                    root = root.multiply(BigInteger.valueOf(p).pow(exponent / 2));
                    if (exponent % 2 == 1) {
                        squareFree = squareFree.multiply(BigInteger.valueOf(p));
                    }
                }
            }
            rest = BigInteger.valueOf(small);
        }
        // The cofactor: a square, or square-free (see the class comment).
        BigInteger[] sqrtAndRemainder = rest.sqrtAndRemainder();
        if (sqrtAndRemainder[1].signum() == 0) {
            return new SquareFree(root.multiply(sqrtAndRemainder[0]), squareFree);
        }
        return new SquareFree(root, squareFree.multiply(rest));
    }

    private static int[] oddPrimes(int limit) {
        boolean[] composite = new boolean[limit + 1];
        List<Integer> primes = new ArrayList<>();
        for (int i = 3; i <= limit; i += 2) {
            if (!composite[i]) {
                primes.add(i);
                for (long j = (long) i * i; j <= limit; j += 2L * i) {
                    composite[(int) j] = true;
                }
            }
        }
        return primes.stream().mapToInt(Integer::intValue).toArray();
    }
}
