package dev.e3j.processor.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.MathContext;
import org.apache.commons.numbers.fraction.BigFraction;
import org.junit.jupiter.api.Test;

/** Exact sums of radicals: their canonical form, products, signs and rounding. */
class SqrtSumTest {

    private static SqrtSum of(String value) {
        return SqrtSum.of(SqrtRational.parse(value));
    }

    @Test
    void sumsKeepDistinctRadicalsAndCancelEqualOnes() {
        SqrtSum sum = of("sqrt(2)").add(of("sqrt(3)/2")).add(of("-sqrt(8)"));
        assertEquals("-sqrt(2) + sqrt(3)/2", sum.toString());
        assertTrue(sum.add(of("sqrt(2)")).add(of("-sqrt(3)/2")).isZero());
        assertEquals(SqrtSum.ZERO, of("sqrt(5)").add(of("-sqrt(5)")));
    }

    @Test
    void productsReduceTheRadicand() {
        SqrtSum product = of("sqrt(2)").add(of("1")).multiply(SqrtRational.parse("sqrt(6)"));
        assertEquals("2*sqrt(3) + sqrt(6)", product.toString());
        assertEquals(of("3").add(of("-sqrt(2)")), of("-1").add(of("sqrt(2)/3")).multiply(BigFraction.of(-3)));
    }

    @Test
    void signAndRoundingOfNearlyCancellingSums() {
        // 665857/470832 - sqrt(2) = 1.5948618246068546804e-12: twelve digits cancel.
        SqrtSum close = of("665857/470832").add(of("-sqrt(2)"));
        assertEquals(1, close.signum());
        assertEquals(1, close.compareTo(SqrtSum.ZERO));
        assertEquals(-1, close.negate().signum());
        assertEquals(Double.parseDouble("1.5948618246068546804e-12"), close.doubleValue(), 0.0);
        assertEquals(0, new BigDecimal("1.594861824606854680E-12").compareTo(close.toBigDecimal(new MathContext(19))));
        assertEquals((float) close.doubleValue(), close.floatValue(), 0.0f);
        assertEquals(SqrtRational.parse("sqrt(3)/3").doubleValue(), of("sqrt(3)/3").doubleValue(), 0.0);
    }
}
