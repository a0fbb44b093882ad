package dev.e3j.processor.model;

import dev.e3j.processor.math.SqrtRational;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * The exact constant {@code N} of one spherical-harmonic component: {@code algebraic = ±sqrt(p/q)}, divided by
 * {@code sqrt(4 pi)} under e3nn's {@code INTEGRAL} normalization. The one place that normalization is applied.
 *
 * @param algebraic      {@code ±sqrt(p/q)}: the whole constant, or its algebraic part when {@code overSqrtFourPi}
 * @param overSqrtFourPi whether the constant is {@code algebraic / sqrt(4 pi)}
 */
public record HarmonicConstant(SqrtRational algebraic, boolean overSqrtFourPi) {

    private static final MathContext DIGITS = new MathContext(50, RoundingMode.HALF_EVEN);
    private static final MathContext WIDE = new MathContext(60, RoundingMode.HALF_EVEN);
    /** pi to 60 digits. */
    private static final BigDecimal PI =
            new BigDecimal("3.14159265358979323846264338327950288419716939937510582097494");

    /**
     * {@code algebraic / sqrt(4 pi)} to 50 significant digits, so that rounding it to double or float happens once
     * (correctly, unless the exact value lies within 1e-50 relative of a midpoint). Only for {@code overSqrtFourPi};
     * otherwise {@link #algebraic()} is exact and is rounded directly.
     */
    public BigDecimal overSqrtFourPiValue() {
        return algebraic.toBigDecimal(WIDE).divide(PI.multiply(BigDecimal.valueOf(4)).sqrt(WIDE), DIGITS);
    }

    /** The value correctly rounded to double. */
    public double doubleValue() {
        return overSqrtFourPi ? overSqrtFourPiValue().doubleValue() : algebraic.doubleValue();
    }

    /** {@code sqrt(3/4)} or {@code sqrt(3/4)/sqrt(4*pi)}. */
    @Override
    public String toString() {
        return overSqrtFourPi ? algebraic + "/sqrt(4*pi)" : algebraic.toString();
    }
}
