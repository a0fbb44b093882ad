package dev.e3j.processor.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.SplittableRandom;
import org.apache.commons.numbers.fraction.BigFraction;
import org.junit.jupiter.api.Test;

class SqrtRationalTest {

    private static final MathContext HUNDRED_DIGITS = new MathContext(100, RoundingMode.HALF_EVEN);

    @Test
    void printsCanonicalFormWithSquareFactorsExtractedAndDenominatorRationalized() {
        assertEquals("0", SqrtRational.ZERO.toString());
        assertEquals("1", SqrtRational.ONE.toString());
        assertEquals("-1/2", SqrtRational.of(-1, 2).toString());
        assertEquals("sqrt(3)", SqrtRational.sqrtOf(BigFraction.of(3)).toString());
        assertEquals("-sqrt(30)/30", SqrtRational.signedSqrt(-1, BigFraction.of(1, 30)).toString());
        assertEquals("3*sqrt(2)/4", SqrtRational.sqrtOf(BigFraction.of(9, 8)).toString());
        assertEquals("2*sqrt(3)", SqrtRational.sqrtOf(BigFraction.of(12)).toString());
        assertEquals("sqrt(6)/3", SqrtRational.sqrtOf(BigFraction.of(2, 3)).toString());
        assertEquals("-5/7", SqrtRational.signedSqrt(-3, BigFraction.of(25, 49)).toString());
        assertEquals("sqrt(3)/2", SqrtRational.sqrtOf(BigFraction.of(3, 4)).toJson());
    }

    @Test
    void parsesItsOwnOutputAndCommonForms() {
        for (String text : new String[] {"0", "1", "-1/2", "sqrt(3)", "-sqrt(30)/30", "3*sqrt(2)/4", "12345678901234567"}) {
            assertEquals(text, SqrtRational.parse(text).toString());
        }
        assertEquals(SqrtRational.of(1, 4), SqrtRational.parse("0.25"));
        assertEquals(SqrtRational.sqrtOf(BigFraction.of(3, 4)), SqrtRational.parse("sqrt(3)/2"));
        assertEquals(SqrtRational.sqrtOf(BigFraction.of(3, 4)), SqrtRational.parse("sqrt(3/4)"));
        assertEquals(SqrtRational.signedSqrt(-1, BigFraction.of(9, 8)), SqrtRational.parse(" -3*sqrt(2)/4 "));
        assertEquals(SqrtRational.of(-5, 1), SqrtRational.parse("-sqrt(25)"));
        for (String bad : new String[] {"", "-", "abc", "sqrt(3", "1/0", "1//2", "sqrt(-3)", "2x", "1.2.3"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SqrtRational.parse(bad),
                    bad);
            assertTrue(e.getMessage().startsWith("s: "), e.getMessage());
        }
    }

    @Test
    void arithmeticIsExact() {
        SqrtRational a = SqrtRational.sqrtOf(BigFraction.of(2, 3));
        SqrtRational b = SqrtRational.signedSqrt(-1, BigFraction.of(3, 8));
        assertEquals(SqrtRational.of(-1, 2), a.multiply(b));
        assertEquals(SqrtRational.signedSqrt(-1, BigFraction.of(16, 9)), a.divide(b));
        assertEquals(SqrtRational.sqrtOf(BigFraction.of(3, 8)), b.negate());
        assertEquals(b.negate(), b.abs());
        assertEquals(BigFraction.of(3, 8), b.square());
        assertEquals(-1, b.signum());
        assertThrows(ArithmeticException.class, () -> a.divide(SqrtRational.ZERO));
        assertThrows(IllegalArgumentException.class, () -> SqrtRational.sqrtOf(BigFraction.of(-1)));
        assertThrows(IllegalArgumentException.class, () -> SqrtRational.of(1, 0));
        // sqrt(8) - sqrt(2)/2 = 3*sqrt(2)/2; sqrt(2) + sqrt(3) is not a single radical
        assertEquals(SqrtRational.parse("3*sqrt(2)/2"),
                SqrtRational.parse("sqrt(8)").subtract(SqrtRational.parse("sqrt(2)/2")));
        assertEquals(SqrtRational.ZERO, a.subtract(a));
        assertThrows(ArithmeticException.class, () -> SqrtRational.parse("sqrt(2)").add(SqrtRational.parse("sqrt(3)")));
    }

    @Test
    void rationalityAndOrdering() {
        assertTrue(SqrtRational.sqrtOf(BigFraction.of(4, 9)).isRational());
        assertEquals(BigFraction.of(2, 3), SqrtRational.sqrtOf(BigFraction.of(4, 9)).toRational());
        assertFalse(SqrtRational.sqrtOf(BigFraction.of(2, 9)).isRational());
        assertThrows(ArithmeticException.class, () -> SqrtRational.sqrtOf(BigFraction.of(2)).toRational());
        assertTrue(SqrtRational.parse("-sqrt(2)").compareTo(SqrtRational.parse("-1")) < 0);
        assertTrue(SqrtRational.parse("sqrt(2)").compareTo(SqrtRational.parse("1")) > 0);
        assertTrue(SqrtRational.ZERO.compareTo(SqrtRational.parse("-1/1000")) > 0);
        assertEquals(0, SqrtRational.parse("sqrt(4)").compareTo(SqrtRational.parse("2")));
        assertEquals(SqrtRational.of(2, 4), SqrtRational.of(1, 2));
        assertEquals(SqrtRational.of(2, 4).hashCode(), SqrtRational.of(1, 2).hashCode());
        assertNotEquals(SqrtRational.of(1, 2), SqrtRational.of(-1, 2));
    }

    @Test
    void doubleAndFloatValuesAreCorrectlyRoundedForRandomRadicands() {
        SplittableRandom random = new SplittableRandom(20240611);
        for (int trial = 0; trial < 5_000; trial++) {
            BigInteger p = BigInteger.valueOf(random.nextLong(1, 1L << (1 + random.nextInt(62))));
            BigInteger q = BigInteger.valueOf(random.nextLong(1, 1L << (1 + random.nextInt(62))));
            int sign = random.nextBoolean() ? 1 : -1;
            SqrtRational value = SqrtRational.signedSqrt(sign, BigFraction.of(p, q));
            BigDecimal exact = new BigDecimal(p).divide(new BigDecimal(q), HUNDRED_DIGITS).sqrt(HUNDRED_DIGITS);
            if (sign < 0) {
                exact = exact.negate();
            }
            // With 100 digits the value is never within 1e-90 relative of a midpoint unless it is one exactly.
            assertEquals(exact.doubleValue(), value.doubleValue(), "sqrt(" + p + "/" + q + ")");
            assertEquals(exact.floatValue(), value.floatValue(), "sqrt(" + p + "/" + q + ") as float");
        }
    }

    @Test
    void exactMidpointsRoundHalfToEven() {
        // (1 + 2^-53)^2 is exactly the midpoint between 1 and nextUp(1): ties to the even 1.0.
        BigFraction half = BigFraction.ONE.add(BigFraction.of(BigInteger.ONE, BigInteger.TWO.pow(53)));
        assertEquals(1.0, SqrtRational.sqrtOf(half.multiply(half)).doubleValue());
        // (1 + 3*2^-53)^2: midpoint between 1 + 2^-52 (odd) and 1 + 2^-51 (even).
        BigFraction threeHalves = BigFraction.ONE.add(BigFraction.of(BigInteger.valueOf(3), BigInteger.TWO.pow(53)));
        assertEquals(1.0 + 0x1p-51, SqrtRational.sqrtOf(threeHalves.multiply(threeHalves)).doubleValue());
        BigFraction floatTie = BigFraction.ONE.add(BigFraction.of(BigInteger.ONE, BigInteger.TWO.pow(24)));
        assertEquals(1.0f, SqrtRational.sqrtOf(floatTie.multiply(floatTie)).floatValue());
        // A hair above the tie must round up: the decision is exact, not from a 40-digit guess.
        BigFraction above = half.multiply(half).add(BigFraction.of(BigInteger.ONE, BigInteger.TEN.pow(200)));
        assertEquals(Math.nextUp(1.0), SqrtRational.sqrtOf(above).doubleValue());
    }

    @Test
    void extremeMagnitudesRoundToSubnormalsAndInfinity() {
        BigFraction tiny = BigFraction.of(BigInteger.ONE, BigInteger.TWO.pow(2148));
        assertEquals(Double.MIN_VALUE, SqrtRational.sqrtOf(tiny).doubleValue());
        assertEquals(0.0, SqrtRational.sqrtOf(BigFraction.of(BigInteger.ONE, BigInteger.TWO.pow(2160))).doubleValue());
        assertEquals(Double.POSITIVE_INFINITY, SqrtRational.sqrtOf(BigFraction.of(BigInteger.TWO.pow(2050))).doubleValue());
        assertEquals(Float.NEGATIVE_INFINITY,
                SqrtRational.signedSqrt(-1, BigFraction.of(BigInteger.TWO.pow(260))).floatValue());
        assertEquals(Float.MAX_VALUE, SqrtRational.of(BigFraction.from(Float.MAX_VALUE)).floatValue());
    }
}
