package dev.e3j.processor.writer;

import java.math.BigDecimal;
import java.math.MathContext;
import org.apache.commons.numbers.fraction.BigFraction;

/** Exact constants carried to 50 significant digits, so that rounding them to double or float happens once. */
final class ExactValues {

    static final MathContext DIGITS = new MathContext(50);

    private ExactValues() {
    }

    /** {@code sqrt(value)} for a non-negative rational. */
    static BigDecimal sqrt(BigFraction value) {
        BigDecimal numerator = new BigDecimal(value.getNumerator());
        BigDecimal denominator = new BigDecimal(value.getDenominator());
        return numerator.divide(denominator, DIGITS).sqrt(DIGITS);
    }
}
