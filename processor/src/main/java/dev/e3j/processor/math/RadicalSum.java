package dev.e3j.processor.math;

import java.math.BigInteger;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.numbers.fraction.BigFraction;

/**
 * Mutable exact accumulator of {@code Σ_f r_f sqrt(f)}, rational {@code r_f}, distinct square-free {@code f}. Square
 * roots of distinct square-free integers are linearly independent over the rationals, so the sum is zero exactly when
 * every {@code r_f} is, and it is a single {@code ±sqrt(p/q)} exactly when at most one {@code r_f} is non-zero.
 */
final class RadicalSum {

    private final Map<BigInteger, BigFraction> coefficients = new TreeMap<>();

    /** Adds {@code rational * sqrt(squareFree)}. */
    void add(BigFraction rational, BigInteger squareFree) {
        if (rational.isZero()) {
            return;
        }
        BigFraction sum = coefficients.getOrDefault(squareFree, BigFraction.ZERO).add(rational);
        if (sum.isZero()) {
            coefficients.remove(squareFree);
        } else {
            coefficients.put(squareFree, sum);
        }
    }

    /** Adds {@code sign * sqrt(p/q)}. */
    void add(SqrtRational value) {
        add(value.radicalCoefficient(), value.radicand());
    }

    /**
     * Adds {@code a * b} without factoring: for square-free {@code f1, f2} with {@code g = gcd(f1, f2)}, {@code
     * sqrt(f1) sqrt(f2) = g sqrt((f1/g)(f2/g))} and the last radicand is square-free again.
     */
    void addProduct(SqrtRational a, SqrtRational b) {
        addProduct(a, b, BigFraction.ONE);
    }

    /** Adds {@code a * b * factor}. */
    void addProduct(SqrtRational a, SqrtRational b, BigFraction factor) {
        if (a.isZero() || b.isZero() || factor.isZero()) {
            return;
        }
        BigInteger f1 = a.radicand();
        BigInteger f2 = b.radicand();
        BigInteger g = f1.gcd(f2);
        BigFraction rational = a.radicalCoefficient().multiply(b.radicalCoefficient()).multiply(g).multiply(factor);
        add(rational, f1.divide(g).multiply(f2.divide(g)));
    }

    boolean isZero() {
        return coefficients.isEmpty();
    }

    /**
     * The sum as one {@code ±sqrt(p/q)}.
     *
     * @throws ArithmeticException if it has two or more independent radicals (a bug in the caller's algebra)
     */
    SqrtRational toSingleRadical(String what) {
        if (coefficients.size() > 1) {
            throw new ArithmeticException(what + " is not a single radical: " + this);
        }
        if (coefficients.isEmpty()) {
            return SqrtRational.ZERO;
        }
        Map.Entry<BigInteger, BigFraction> term = coefficients.entrySet().iterator().next();
        BigFraction r = term.getValue();
        return SqrtRational.signedSqrt(r.signum(), r.multiply(r).multiply(term.getKey()));
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        for (Map.Entry<BigInteger, BigFraction> term : coefficients.entrySet()) {
            if (text.length() > 0) {
                text.append(" + ");
            }
            text.append('(').append(term.getValue()).append(")*sqrt(").append(term.getKey()).append(')');
        }
        return text.length() == 0 ? "0" : text.toString();
    }
}
