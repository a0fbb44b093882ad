package dev.e3j.processor.model;

import dev.e3j.processor.model.SphericalHarmonicsModel.Term;
import java.util.List;
import org.apache.commons.numbers.fraction.BigFraction;

/** A rational point {@code (x, y, z)} at which the model tests evaluate exact harmonic polynomials. */
final class RationalPoint {

    /** {@code (1/2, -2/3, 3/5)}: no coordinate zero or one, so no term vanishes or hides its power. */
    static final BigFraction[] POINT = {BigFraction.of(1, 2), BigFraction.of(-2, 3), BigFraction.of(3, 5)};

    private RationalPoint() {
    }

    /** The polynomial {@code terms} at {@link #POINT}, exactly. */
    static BigFraction evaluate(List<Term> terms) {
        BigFraction sum = BigFraction.ZERO;
        for (Term t : terms) {
            sum = sum.add(BigFraction.of(t.coefficient()).multiply(POINT[0].pow(t.xPower()))
                    .multiply(POINT[1].pow(t.yPower())).multiply(POINT[2].pow(t.zPower())));
        }
        return sum;
    }
}
