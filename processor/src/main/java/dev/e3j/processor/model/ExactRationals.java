package dev.e3j.processor.model;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Optional;
import org.apache.commons.numbers.fraction.BigFraction;

/** Parses user-written exact numbers: {@code "3"}, {@code "1/2"}, {@code "0.25"}, {@code "2.5e-1"}. */
public final class ExactRationals {

    private ExactRationals() {
    }

    /** The exact value of {@code text}, or empty when it is not an integer ratio or a decimal. */
    public static Optional<BigFraction> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String s = text.strip();
        int slash = s.indexOf('/');
        try {
            if (slash >= 0) {
                BigInteger numerator = new BigInteger(s.substring(0, slash).strip());
                BigInteger denominator = new BigInteger(s.substring(slash + 1).strip());
                if (denominator.signum() == 0) {
                    return Optional.empty();
                }
                return Optional.of(BigFraction.of(numerator, denominator));
            }
            BigDecimal decimal = new BigDecimal(s);
            return Optional.of(decimal.scale() >= 0
                    ? BigFraction.of(decimal.unscaledValue(), BigInteger.TEN.pow(decimal.scale()))
                    : BigFraction.of(decimal.toBigIntegerExact()));
        } catch (NumberFormatException | ArithmeticException e) {
            return Optional.empty();
        }
    }
}
