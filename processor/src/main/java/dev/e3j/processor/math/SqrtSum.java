package dev.e3j.processor.math;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.commons.numbers.fraction.BigFraction;

/**
 * Exact real number {@code Σ_f r_f sqrt(f)}: rational {@code r_f}, distinct square-free {@code f > 0}. Immutable,
 * equals/hashCode by value. Square roots of distinct square-free integers are linearly independent over the
 * rationals, so the representation is unique: the number is zero exactly when it has no term.
 *
 * <p>Sums of products of Wigner 3j entries (each {@code ±sqrt(p/q)}, see {@link SqrtRational}) have this form, such as
 * the entries of MACE's product bases ({@link ProductBasis}).
 */
public final class SqrtSum implements Comparable<SqrtSum> {

    public static final SqrtSum ZERO = new SqrtSum(new TreeMap<>());

    /** Significant digits of the value that signs and roundings are decided on. */
    private static final int DIGITS = 80;
    private static final MathContext WIDE = new MathContext(DIGITS, RoundingMode.HALF_EVEN);

    /** Square-free radicand to its non-zero rational coefficient. */
    private final TreeMap<BigInteger, BigFraction> terms;
    /** The sign, or 2 until first asked. */
    private volatile int signum = 2;

    private SqrtSum(TreeMap<BigInteger, BigFraction> terms) {
        this.terms = terms;
    }

    /** {@code value} as a one-term sum. */
    public static SqrtSum of(SqrtRational value) {
        TreeMap<BigInteger, BigFraction> terms = new TreeMap<>();
        if (!value.isZero()) {
            terms.put(value.radicand(), value.radicalCoefficient());
        }
        return new SqrtSum(terms);
    }

    /** The rational {@code value}. */
    public static SqrtSum of(BigFraction value) {
        return of(SqrtRational.of(value));
    }

    public boolean isZero() {
        return terms.isEmpty();
    }

    /** The terms, radicand to coefficient, by increasing radicand. */
    public Map<BigInteger, BigFraction> terms() {
        return Collections.unmodifiableMap(terms);
    }

    /** The sum as one {@code ±sqrt(p/q)}, when it has at most one term. */
    public Optional<SqrtRational> asSqrtRational() {
        if (terms.size() > 1) {
            return Optional.empty();
        }
        if (isZero()) {
            return Optional.of(SqrtRational.ZERO);
        }
        BigFraction coefficient = terms.firstEntry().getValue();
        return Optional.of(SqrtRational.signedSqrt(coefficient.signum(),
                coefficient.multiply(coefficient).multiply(BigFraction.of(terms.firstKey()))));
    }

    public SqrtSum add(SqrtSum other) {
        if (other.isZero()) {
            return this;
        }
        if (isZero()) {
            return other;
        }
        TreeMap<BigInteger, BigFraction> sum = new TreeMap<>(terms);
        other.terms.forEach((radicand, coefficient) -> accumulate(sum, radicand, coefficient));
        return new SqrtSum(sum);
    }

    /**
     * {@code this * factor}: for square-free {@code f, g} with {@code d = gcd(f, g)},
     * {@code sqrt(f) sqrt(g) = d sqrt((f/d)(g/d))}, and the last radicand is square-free again.
     */
    public SqrtSum multiply(SqrtRational factor) {
        if (factor.isZero() || isZero()) {
            return ZERO;
        }
        BigInteger g = factor.radicand();
        BigFraction c = factor.radicalCoefficient();
        TreeMap<BigInteger, BigFraction> product = new TreeMap<>();
        terms.forEach((f, r) -> {
            BigInteger d = f.gcd(g);
            accumulate(product, f.divide(d).multiply(g.divide(d)), r.multiply(c).multiply(d));
        });
        return new SqrtSum(product);
    }

    /** {@code this * factor}. */
    public SqrtSum multiply(BigFraction factor) {
        return multiply(SqrtRational.of(factor));
    }

    public SqrtSum negate() {
        return multiply(SqrtRational.ONE.negate());
    }

    public SqrtSum abs() {
        return signum() < 0 ? negate() : this;
    }

    /**
     * The sign: a one-term sum's coefficient's, else the sign of a double estimate when it clears that estimate's
     * error bound by far, else decided on {@value #DIGITS} digits (a non-zero sum of a few radicals with small
     * radicands lies far above 1e-80).
     */
    public int signum() {
        int known = signum;
        if (known == 2) {
            known = computeSignum();
            signum = known;
        }
        return known;
    }

    private int computeSignum() {
        if (terms.size() <= 1) {
            return isZero() ? 0 : terms.firstEntry().getValue().signum();
        }
        double estimate = 0;
        double magnitude = 0;
        for (Map.Entry<BigInteger, BigFraction> term : terms.entrySet()) {
            double value = term.getValue().doubleValue() * Math.sqrt(term.getKey().doubleValue());
            estimate += value;
            magnitude += Math.abs(value);
        }
        if (Math.abs(estimate) > 1e-9 * magnitude) {
            return estimate > 0 ? 1 : -1;
        }
        return toBigDecimal(WIDE).signum();
    }

    /** The value to {@code context}'s precision, each term computed to 20 more digits than asked. */
    public BigDecimal toBigDecimal(MathContext context) {
        MathContext wide = new MathContext(context.getPrecision() + 20, RoundingMode.HALF_EVEN);
        BigDecimal sum = BigDecimal.ZERO;
        for (Map.Entry<BigInteger, BigFraction> term : terms.entrySet()) {
            BigFraction r = term.getValue();
            SqrtRational value = SqrtRational.signedSqrt(r.signum(), r.multiply(r).multiply(term.getKey()));
            sum = sum.add(value.toBigDecimal(wide));
        }
        return sum.round(context);
    }

    /** The nearest double: a single radical's exactly, a longer sum's rounded once from {@value #DIGITS} digits. */
    public double doubleValue() {
        if (terms.size() <= 1) {
            return singleRadical().doubleValue();
        }
        return Double.parseDouble(toBigDecimal(WIDE).toString());
    }

    /** The nearest float: a single radical's exactly, a longer sum's rounded once from {@value #DIGITS} digits. */
    public float floatValue() {
        if (terms.size() <= 1) {
            return singleRadical().floatValue();
        }
        return Float.parseFloat(toBigDecimal(WIDE).toString());
    }

    /** This sum of at most one term as {@code ±sqrt(p/q)}. */
    private SqrtRational singleRadical() {
        if (isZero()) {
            return SqrtRational.ZERO;
        }
        Map.Entry<BigInteger, BigFraction> term = terms.firstEntry();
        BigFraction r = term.getValue();
        return SqrtRational.signedSqrt(r.signum(), r.multiply(r).multiply(term.getKey()));
    }

    private static void accumulate(TreeMap<BigInteger, BigFraction> sum, BigInteger radicand, BigFraction coefficient) {
        if (coefficient.isZero()) {
            return;
        }
        BigFraction total = sum.getOrDefault(radicand, BigFraction.ZERO).add(coefficient);
        if (total.isZero()) {
            sum.remove(radicand);
        } else {
            sum.put(radicand, total);
        }
    }

    /** By value (exactly zero differences compare equal). */
    @Override
    public int compareTo(SqrtSum o) {
        return add(o.negate()).signum();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SqrtSum other && terms.equals(other.terms);
    }

    @Override
    public int hashCode() {
        return terms.hashCode();
    }

    /** E.g. {@code sqrt(2)/3 - 5*sqrt(6)/12}: each term as {@link SqrtRational#toString()}, or {@code 0}. */
    @Override
    public String toString() {
        if (isZero()) {
            return "0";
        }
        StringBuilder text = new StringBuilder();
        for (Map.Entry<BigInteger, BigFraction> term : terms.entrySet()) {
            BigFraction r = term.getValue();
            SqrtRational value = SqrtRational.signedSqrt(r.signum(), r.multiply(r).multiply(term.getKey()));
            String written = value.abs().toString();
            if (text.length() == 0) {
                text.append(value.signum() < 0 ? "-" : "").append(written);
            } else {
                text.append(value.signum() < 0 ? " - " : " + ").append(written);
            }
        }
        return text.toString();
    }
}
