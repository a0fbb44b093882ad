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
     * Regrouped by component, each axis' weights give back {@code N_k dP_k/da} exactly: every derivative term once,
     * with its own integer coefficient times the component's constant (under each normalization, for degrees listed
     * twice too), and monomials ordered by degree.
     */
    @Test
    void regroupedWeightsAreTheScaledDerivatives() {
        for (ShNormalization normalization : ShNormalization.values()) {
            SphericalHarmonicsModel model = SphericalHarmonicsModel.of(List.of(3, 0, 1, 2, 1), normalization, true);
            PolynomialGradient gradient = PolynomialGradient.of(model);
            for (int axis = 0; axis < 3; axis++) {
                Map<List<Integer>, SqrtRational> collected = new HashMap<>();
                int previousDegree = 0;
                for (PolynomialGradient.Monomial m : gradient.axes().get(axis)) {
                    assertTrue(m.degree() >= previousDegree, "by degree");
                    previousDegree = m.degree();
                    for (PolynomialGradient.Weight w : m.weights()) {
                        HarmonicConstant n = model.constant(w.degree(), w.component());
                        assertEquals(n.overSqrtFourPi(), w.constant().overSqrtFourPi());
                        SqrtRational coefficient = w.constant().algebraic().divide(n.algebraic());
                        List<Integer> key = List.of(w.degree().l(), w.component().index(), m.xPower(), m.yPower(),
                                m.zPower());
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
        }
    }
}
