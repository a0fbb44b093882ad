package dev.e3j.processor.math;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.Objects;
import org.apache.commons.numbers.fraction.BigFraction;

/**
 * Exact real number {@code ±sqrt(p/q)}, {@code p, q >= 0} coprime BigIntegers (zero allowed). Immutable, equals/hashCode
 * by value.
 *
 * <p>Every real-basis Clebsch–Gordan entry and every spherical-harmonic coefficient has this form; products and
 * quotients stay in it, sums only when both terms share a radical ({@link #add}).
 */
public final class SqrtRational implements Comparable<SqrtRational> {

    public static final SqrtRational ZERO = new SqrtRational(0, BigInteger.ZERO, BigInteger.ONE);
    public static final SqrtRational ONE = new SqrtRational(1, BigInteger.ONE, BigInteger.ONE);

    /** Working precision of the first guess in {@link #doubleValue}; the guess is then verified exactly. */
    private static final MathContext GUESS_PRECISION = new MathContext(40);
    /** Half an ulp above Double.MAX_VALUE, {@code 2^1024 - 2^970}: the threshold of rounding to infinity. */
    private static final BigDecimal DOUBLE_OVERFLOW_THRESHOLD =
            new BigDecimal(BigInteger.TWO.pow(1024).subtract(BigInteger.TWO.pow(970)));
    /** Half an ulp above Float.MAX_VALUE, {@code 2^128 - 2^103}. */
    private static final BigDecimal FLOAT_OVERFLOW_THRESHOLD =
            new BigDecimal(BigInteger.TWO.pow(128).subtract(BigInteger.TWO.pow(103)));

    private final int sign;
    private final BigInteger numerator;
    private final BigInteger denominator;
    /** {@code |this| = coefficient * sqrt(radicand)}, radicand square-free; computed on first use. */
    private volatile Canonical canonical;

    private record Canonical(BigFraction coefficient, BigInteger radicand) {}

    private SqrtRational(int sign, BigInteger numerator, BigInteger denominator) {
        this.sign = sign;
        this.numerator = numerator;
        this.denominator = denominator;
    }

    /** The rational itself, sign kept. */
    public static SqrtRational of(BigFraction rational) {
        return signedSqrt(rational.signum(), rational.multiply(rational));
    }

    public static SqrtRational of(long num, long den) {
        if (den == 0) {
            throw new IllegalArgumentException("den: expected a non-zero denominator, got 0");
        }
        return of(BigFraction.of(num, den));
    }

    /** {@code +sqrt(r)}. */
    public static SqrtRational sqrtOf(BigFraction nonNegative) {
        if (nonNegative.signum() < 0) {
            throw new IllegalArgumentException("nonNegative: expected a rational >= 0, got " + nonNegative);
        }
        return signedSqrt(1, nonNegative);
    }

    /** {@code sign * sqrt(square)}; the sign of {@code sign} is used, zero when either is zero. */
    public static SqrtRational signedSqrt(int sign, BigFraction square) {
        if (square.signum() < 0) {
            throw new IllegalArgumentException("square: expected a rational >= 0, got " + square);
        }
        if (sign == 0 || square.signum() == 0) {
            return ZERO;
        }
        return new SqrtRational(Integer.signum(sign), square.getNumerator().abs(), square.getDenominator().abs());
    }

    /**
     * Parses what {@link #toString} prints and the forms people type: {@code "1/2"}, {@code "0.25"}, {@code
     * "sqrt(3)/2"}, {@code "-3*sqrt(2)/4"}, {@code "sqrt(3/4)"}.
     */
    public static SqrtRational parse(String s) {
        return new Parser(Objects.requireNonNull(s, "s")).parseAll();
    }

    public int signum() {
        return sign;
    }

    public boolean isZero() {
        return sign == 0;
    }

    /** {@code p/q}, the square of this number (non-negative). */
    public BigFraction square() {
        return BigFraction.of(numerator, denominator);
    }

    public SqrtRational multiply(SqrtRational o) {
        return signedSqrt(sign * o.sign, square().multiply(o.square()));
    }

    public SqrtRational divide(SqrtRational o) {
        if (o.isZero()) {
            throw new ArithmeticException("division by zero: " + this + " / 0");
        }
        return signedSqrt(sign * o.sign, square().divide(o.square()));
    }

    public SqrtRational negate() {
        return new SqrtRational(-sign, numerator, denominator);
    }

    public SqrtRational abs() {
        return sign < 0 ? negate() : this;
    }

    /**
     * {@code this + o} when both share a radical ({@code this/o} rational), the only sums that stay of the form
     * {@code ±sqrt(p/q)}: {@code a*sqrt(f) + b*sqrt(f) = (a + b)*sqrt(f)}.
     *
     * @throws ArithmeticException when the radicals differ, e.g. {@code sqrt(2) + sqrt(3)}
     */
    public SqrtRational add(SqrtRational o) {
        if (isZero()) {
            return o;
        }
        if (o.isZero()) {
            return this;
        }
        Canonical a = canonical();
        Canonical b = o.canonical();
        if (!a.radicand.equals(b.radicand)) {
            throw new ArithmeticException("not a single radical: " + this + " + " + o);
        }
        BigFraction sum = a.coefficient.multiply(sign).add(b.coefficient.multiply(o.sign));
        return signedSqrt(sum.signum(), sum.multiply(sum).multiply(a.radicand));
    }

    /** {@code this - o}, under the same condition as {@link #add}. */
    public SqrtRational subtract(SqrtRational o) {
        return add(o.negate());
    }

    /** Whether this number is rational: {@code p} and {@code q} are both perfect squares. */
    public boolean isRational() {
        return canonical().radicand.equals(BigInteger.ONE);
    }

    /** This number as a fraction; only when {@link #isRational()}. */
    public BigFraction toRational() {
        if (!isRational()) {
            throw new ArithmeticException("not rational: " + this);
        }
        return canonical().coefficient.multiply(sign);
    }

    /** The square-free integer {@code f} with {@code this = r * sqrt(f)}, {@code r} rational; 1 for zero. */
    public BigInteger radicand() {
        return canonical().radicand;
    }

    /** The rational {@code r} with {@code this = r * sqrt(radicand())}. */
    public BigFraction radicalCoefficient() {
        return canonical().coefficient.multiply(sign);
    }

    /** This number to {@code mc}'s precision (BigDecimal's square root: within one ulp of the precision). */
    public BigDecimal toBigDecimal(MathContext mc) {
        if (isZero()) {
            return BigDecimal.ZERO;
        }
        MathContext wider = new MathContext(mc.getPrecision() + 10);
        BigDecimal root = new BigDecimal(numerator).divide(new BigDecimal(denominator), wider).sqrt(wider);
        return (sign < 0 ? root.negate() : root).round(mc);
    }

    /**
     * The double nearest to this number, ties to even. A 40-digit guess is checked exactly: {@code sqrt(p/q)} lies
     * between the midpoints {@code m-} and {@code m+} to the neighbouring doubles iff {@code m-^2 q <= p <= m+^2 q}
     * (BigDecimal products of doubles are exact); otherwise the guess moves one ulp and is checked again.
     */
    public double doubleValue() {
        if (isZero()) {
            return 0.0;
        }
        double guess = toBigDecimal(GUESS_PRECISION).abs().doubleValue();
        double magnitude = Double.isInfinite(guess) ? Double.MAX_VALUE : guess;
        while (true) {
            if (magnitude > 0) {
                double below = Math.nextDown(magnitude);
                int cmp = compareMagnitudeWith(midpoint(below, magnitude));
                if (cmp < 0 || (cmp == 0 && isOdd(magnitude))) {
                    magnitude = below;
                    continue;
                }
            }
            BigDecimal upperMidpoint = magnitude == Double.MAX_VALUE
                    ? DOUBLE_OVERFLOW_THRESHOLD
                    : midpoint(magnitude, Math.nextUp(magnitude));
            int cmp = compareMagnitudeWith(upperMidpoint);
            if (cmp > 0 || (cmp == 0 && isOdd(magnitude))) {
                magnitude = Math.nextUp(magnitude);
                if (Double.isInfinite(magnitude)) {
                    break;
                }
                continue;
            }
            break;
        }
        return sign < 0 ? -magnitude : magnitude;
    }

    /** The float nearest to this number, ties to even, rounded once from the exact value (same proof as doubles). */
    public float floatValue() {
        if (isZero()) {
            return 0.0f;
        }
        float guess = toBigDecimal(GUESS_PRECISION).abs().floatValue();
        float magnitude = Float.isInfinite(guess) ? Float.MAX_VALUE : guess;
        while (true) {
            if (magnitude > 0) {
                float below = Math.nextDown(magnitude);
                int cmp = compareMagnitudeWith(midpoint(below, magnitude));
                if (cmp < 0 || (cmp == 0 && isOdd(magnitude))) {
                    magnitude = below;
                    continue;
                }
            }
            BigDecimal upperMidpoint = magnitude == Float.MAX_VALUE
                    ? FLOAT_OVERFLOW_THRESHOLD
                    : midpoint(magnitude, Math.nextUp(magnitude));
            int cmp = compareMagnitudeWith(upperMidpoint);
            if (cmp > 0 || (cmp == 0 && isOdd(magnitude))) {
                magnitude = Math.nextUp(magnitude);
                if (Float.isInfinite(magnitude)) {
                    break;
                }
                continue;
            }
            break;
        }
        return sign < 0 ? -magnitude : magnitude;
    }

    private static BigDecimal midpoint(double a, double b) {
        return new BigDecimal(a).add(new BigDecimal(b)).divide(BigDecimal.valueOf(2));
    }

    private static boolean isOdd(double d) {
        return (Double.doubleToRawLongBits(d) & 1L) != 0;
    }

    private static boolean isOdd(float f) {
        return (Float.floatToRawIntBits(f) & 1) != 0;
    }

    /** Sign of {@code sqrt(p/q) - m} for {@code m >= 0}, exactly: the sign of {@code p - m^2 q}. */
    private int compareMagnitudeWith(BigDecimal m) {
        BigDecimal mSquaredTimesQ = m.multiply(m).multiply(new BigDecimal(denominator));
        return new BigDecimal(numerator).compareTo(mSquaredTimesQ);
    }

    @Override
    public int compareTo(SqrtRational o) {
        if (sign != o.sign) {
            return Integer.compare(sign, o.sign);
        }
        return sign * square().compareTo(o.square());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SqrtRational other
                && sign == other.sign
                && numerator.equals(other.numerator)
                && denominator.equals(other.denominator);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sign, numerator, denominator);
    }

    /**
     * Canonical text: square factors pulled out of the radical and the denominator rationalized, {@code sqrt(p/q) =
     * sqrt(p*q)/q = (a/b)*sqrt(f)}: {@code "0"}, {@code "1"}, {@code "-1/2"}, {@code "sqrt(3)"}, {@code
     * "-sqrt(30)/30"}, {@code "3*sqrt(2)/4"}. Square factors are found by trial division (see {@link SquareFree}),
     * complete for every radicand whose prime factors above 65536 are at most two.
     */
    @Override
    public String toString() {
        if (isZero()) {
            return "0";
        }
        Canonical c = canonical();
        StringBuilder text = new StringBuilder();
        if (sign < 0) {
            text.append('-');
        }
        BigInteger a = c.coefficient.getNumerator();
        BigInteger b = c.coefficient.getDenominator();
        if (c.radicand.equals(BigInteger.ONE)) {
            text.append(a);
        } else {
            if (!a.equals(BigInteger.ONE)) {
                text.append(a).append('*');
            }
            text.append("sqrt(").append(c.radicand).append(')');
        }
        if (!b.equals(BigInteger.ONE)) {
            text.append('/').append(b);
        }
        return text.toString();
    }

    /** The same text as {@link #toString}: only integers, {@code '/'}, {@code '*'}, unary {@code '-'}, {@code sqrt(n)}. */
    public String toJson() {
        return toString();
    }

    private Canonical canonical() {
        Canonical c = canonical;
        if (c == null) {
            if (isZero()) {
                c = new Canonical(BigFraction.ZERO, BigInteger.ONE);
            } else {
                SquareFree split = SquareFree.of(numerator.multiply(denominator));
                c = new Canonical(BigFraction.of(split.root(), denominator), split.squareFree());
            }
            canonical = c;
        }
        return c;
    }

    /** Recursive descent: {@code expr := ['-'] product ['/' product]}, {@code product := atom ('*' atom)*}. */
    private static final class Parser {
        private final String text;
        private int pos;

        Parser(String text) {
            this.text = text.strip();
        }

        SqrtRational parseAll() {
            if (text.isEmpty()) {
                throw error("empty text");
            }
            boolean negative = accept('-');
            SqrtRational value = product();
            if (accept('/')) {
                SqrtRational divisor = product();
                if (divisor.isZero()) {
                    throw error("division by zero");
                }
                value = value.divide(divisor);
            }
            if (pos != text.length()) {
                throw error("unexpected '" + text.charAt(pos) + "' at " + pos);
            }
            return negative ? value.negate() : value;
        }

        private SqrtRational product() {
            SqrtRational value = atom();
            while (accept('*')) {
                value = value.multiply(atom());
            }
            return value;
        }

        private SqrtRational atom() {
            if (text.startsWith("sqrt(", pos)) {
                pos += "sqrt(".length();
                BigFraction radicand = number();
                if (accept('/')) {
                    BigFraction den = number();
                    if (den.isZero()) {
                        throw error("division by zero");
                    }
                    radicand = radicand.divide(den);
                }
                if (!accept(')')) {
                    throw error("expected ')' at " + pos);
                }
                return sqrtOf(radicand);
            }
            return of(number());
        }

        private BigFraction number() {
            int start = pos;
            while (pos < text.length() && (Character.isDigit(text.charAt(pos)) || text.charAt(pos) == '.')) {
                pos++;
            }
            if (start == pos) {
                throw error(pos < text.length() ? "expected a number at " + pos : "unexpected end");
            }
            try {
                BigDecimal decimal = new BigDecimal(text.substring(start, pos));
                return decimal.scale() <= 0
                        ? BigFraction.of(decimal.toBigIntegerExact())
                        : BigFraction.of(decimal.unscaledValue(), BigInteger.TEN.pow(decimal.scale()));
            } catch (NumberFormatException e) {
                throw error("bad number '" + text.substring(start, pos) + "'");
            }
        }

        private boolean accept(char c) {
            if (pos < text.length() && text.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }

        private IllegalArgumentException error(String why) {
            return new IllegalArgumentException("s: expected a number like -3*sqrt(2)/4, got \"" + text + "\": " + why);
        }
    }
}
