package dev.e3j.processor.model;

import static dev.e3j.processor.model.RationalPoint.evaluate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.annotations.ShNormalization;
import dev.e3j.processor.model.SphericalHarmonicsModel.Component;
import java.util.List;
import java.util.Map;
import org.apache.commons.numbers.fraction.BigFraction;
import org.junit.jupiter.api.Test;

class LoweredGradientTest {

    private static List<Component> components(int l) {
        return SphericalHarmonicsModel.of(List.of(l), ShNormalization.COMPONENT, true).degrees().get(0).components();
    }

    /** Every derivative of degree l equals its combination of degree l - 1, exactly, at a rational point. */
    @Test
    void derivativesAreExactCombinationsOfTheDegreeBelow() {
        for (int l = 1; l <= 20; l++) {
            List<Component> upper = components(l);
            List<Component> lower = components(l - 1);
            List<List<Map<Integer, BigFraction>>> gradient = LoweredGradient.of(upper, lower);
            for (int axis = 0; axis < 3; axis++) {
                for (int k = 0; k < upper.size(); k++) {
                    BigFraction combination = BigFraction.ZERO;
                    for (Map.Entry<Integer, BigFraction> e : gradient.get(axis).get(k).entrySet()) {
                        combination = combination.add(e.getValue().multiply(evaluate(lower.get(e.getKey()).terms())));
                    }
                    assertEquals(evaluate(upper.get(k).derivative(axis)), combination,
                            "l " + l + ", axis " + axis + ", k " + k);
                    // the gradient is an equivariant map l -> (l - 1) x 1: each derivative needs at most 3 lower terms
                    assertTrue(gradient.get(axis).get(k).size() <= 3, "l " + l + " sparse");
                }
            }
        }
    }

    /** d/dx of Y^1 = (x, y, z) (up to scale) is a multiple of the constant, and nothing else. */
    @Test
    void degreeOneIsTheIdentityUpToScale() {
        List<List<Map<Integer, BigFraction>>> gradient = LoweredGradient.of(components(1), components(0));
        for (int axis = 0; axis < 3; axis++) {
            for (int k = 0; k < 3; k++) {
                assertEquals(axis == k, !gradient.get(axis).get(k).isEmpty(), "axis " + axis + ", k " + k);
            }
        }
    }

    /** A degree whose derivatives are not in the span given is rejected, not silently approximated. */
    @Test
    void rejectsALowerBasisThatDoesNotSpanTheDerivatives() {
        assertThrows(IllegalArgumentException.class, () -> LoweredGradient.of(components(3), components(1)));
        assertFalse(LoweredGradient.of(components(2), components(1)).isEmpty());
    }
}
