package dev.e3j.processor.writer;

import dev.e3j.processor.math.SqrtRational;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Constants that are not of the form {@code ±sqrt(p/q)}, carried to 50 significant digits so that rounding them to
 * double or float happens once (correctly, unless the exact value lies within 1e-50 relative of a midpoint).
 */
public final class ExactValues {

    private static final MathContext DIGITS = new MathContext(50, RoundingMode.HALF_EVEN);
    /** pi to 60 digits. */
    private static final BigDecimal PI =
            new BigDecimal("3.14159265358979323846264338327950288419716939937510582097494");

    private ExactValues() {
    }

    /** {@code value / sqrt(4 pi)}: e3nn's integral normalization of a component-normalized coefficient. */
    public static BigDecimal overSqrtFourPi(SqrtRational value) {
        MathContext wide = new MathContext(60, RoundingMode.HALF_EVEN);
        return value.toBigDecimal(wide).divide(PI.multiply(BigDecimal.valueOf(4)).sqrt(wide), DIGITS);
    }
}
