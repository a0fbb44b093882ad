package dev.e3j.processor.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.annotations.ShNormalization;
import dev.e3j.processor.math.SqrtRational;
import dev.e3j.processor.model.SphericalHarmonicsModel.Component;
import dev.e3j.processor.model.SphericalHarmonicsModel.Degree;
import dev.e3j.processor.model.SphericalHarmonicsModel.Term;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.numbers.fraction.BigFraction;
import org.junit.jupiter.api.Test;

class PolynomialGradientTest {

    /**
     * Expanded by component, each axis' terms give back {@code N_k dP_k/da} exactly: every derivative term once, as
     * its folded coefficient's weight times the term's factor (under each normalization, for degrees listed twice
     * too); each coefficient serves every axis its monomial has a power of, terms are ordered by degree, and every
     * weight of a coefficient is its component's constant times an integer.
     */
    @Test
    void expandedTermsAreTheScaledDerivatives() {
        for (ShNormalization normalization : ShNormalization.values()) {
            SphericalHarmonicsModel model = SphericalHarmonicsModel.of(List.of(3, 0, 1, 2, 1), normalization, true);
            PolynomialGradient gradient = PolynomialGradient.of(model);
            int[] uses = new int[gradient.coefficients().size()];
            for (int axis = 0; axis < 3; axis++) {
                Map<List<Integer>, SqrtRational> collected = new HashMap<>();
                int previousDegree = 0;
                for (PolynomialGradient.Derivative d : gradient.axes().get(axis)) {
                    assertTrue(d.degree() >= previousDegree, "by degree");
                    previousDegree = d.degree();
                    uses[d.coefficient()]++;
                    PolynomialGradient.Coefficient q = gradient.coefficients().get(d.coefficient());
                    int[] powers = {d.xPower(), d.yPower(), d.zPower()};
                    powers[axis]++;
                    assertEquals(List.of(q.xPower(), q.yPower(), q.zPower()), List.of(powers[0], powers[1], powers[2]));
                    assertEquals(powers[axis], d.factor() * q.factor(), "the power, split into factors");
                    for (PolynomialGradient.Weight w : q.weights()) {
                        HarmonicConstant n = model.constant(w.degree(), w.component());
                        assertEquals(n.overSqrtFourPi(), w.constant().overSqrtFourPi());
                        SqrtRational coefficient = w.constant().algebraic().divide(n.algebraic())
                                .multiply(SqrtRational.of(BigFraction.of(d.factor())));
                        List<Integer> key = List.of(w.degree().l(), w.component().index(), d.xPower(), d.yPower(),
                                d.zPower());
                        assertEquals(null, collected.put(key, coefficient), "each term once: " + key);
                    }
                }
                int terms = 0;
                for (Degree degree : model.degrees()) {
                    for (Component c : degree.components()) {
                        for (Term t : c.derivative(axis)) {
                            assertEquals(SqrtRational.of(BigFraction.of(t.coefficient())), collected.get(List.of(
                                    degree.l(), c.index(), t.xPower(), t.yPower(), t.zPower())), normalization
                                    + " axis " + axis + " l " + degree.l() + " k " + c.index());
                            terms++;
                        }
                    }
                }
                assertEquals(terms, collected.size(), "no other terms");
            }
            for (int i = 0; i < uses.length; i++) {
                PolynomialGradient.Coefficient q = gradient.coefficients().get(i);
                int axes = (q.xPower() > 0 ? 1 : 0) + (q.yPower() > 0 ? 1 : 0) + (q.zPower() > 0 ? 1 : 0);
                assertEquals(axes, uses[i], "coefficient " + i + " serves each axis of its monomial once");
            }
        }
    }

    /** At lmax 3 the cotangent is contracted into Q's 19 coefficients, which the three axes' 30 terms share. */
    @Test
    void lmaxThreeSharesNineteenCoefficients() {
        PolynomialGradient gradient = PolynomialGradient.of(SphericalHarmonicsModel.of(List.of(0, 1, 2, 3),
                ShNormalization.COMPONENT, true));
        assertEquals(19, gradient.coefficients().size());
        assertEquals(30, gradient.axes().stream().mapToInt(List::size).sum());
    }
}
