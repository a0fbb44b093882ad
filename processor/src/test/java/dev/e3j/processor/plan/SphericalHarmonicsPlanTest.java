package dev.e3j.processor.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.annotations.ShNormalization;
import dev.e3j.processor.model.SphericalHarmonicsModel;
import dev.e3j.processor.plan.SphericalHarmonicsPlan.Gradient;
import dev.e3j.processor.plan.SphericalHarmonicsPlan.Group;
import dev.e3j.processor.plan.SphericalHarmonicsPlan.Part;
import dev.e3j.processor.plan.SphericalHarmonicsPlan.Slice;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The spherical-harmonics plan on its own: the recursion, the scratch rows, the gradient and its methods. */
class SphericalHarmonicsPlanTest {

    private static SphericalHarmonicsPlan plan(List<Integer> ls) {
        return SphericalHarmonicsPlan.of(SphericalHarmonicsModel.of(ls, ShNormalization.COMPONENT, true));
    }

    private static List<Integer> upTo(int lmax) {
        return IntStream.rangeClosed(0, lmax).boxed().toList();
    }

    @Test
    void lowDegreesComeFromMonomialsWithAPolynomialGradient() {
        SphericalHarmonicsPlan plan = plan(upTo(2));
        assertFalse(plan.recursion());
        assertEquals(Gradient.POLYNOMIAL, plan.gradient(), "one polynomial per axis and point, both precisions");
        // computed where they are stored: no value rows, and no weight rows for the polynomial gradient
        assertTrue(plan.fusedValueStore());
        assertEquals(Map.of(), plan.valueRows());
        assertEquals(0, plan.valueRowCount());
        assertEquals(Map.of(), plan.weightRows());
        assertEquals(0, plan.weightRowBase());
        assertTrue(plan.gradientParts().isEmpty() && plan.gradientGroups().isEmpty());
    }

    @Test
    void midDegreesTakeTheGradientThroughTheDegreeBelowAfterTheValueRows() {
        SphericalHarmonicsPlan plan = plan(upTo(5));
        assertFalse(plan.fusedValueStore());
        assertEquals(Gradient.LOWERED_POINTS_LAST, plan.gradient());
        assertTrue(plan.factored().isPresent(), "the forward computes values where it stores them");
        assertEquals(List.of(2, 3, 4), List.copyOf(plan.valueRows().keySet()), "the rows the gradient reads");
        assertEquals(5 + 7 + 9, plan.valueRowCount());
        assertEquals(plan.valueRowCount(), plan.weightRowBase());
        assertEquals(plan.valueRowCount(), plan.weightRow(1, 0));
        assertEquals(List.of(1, 2, 3, 4, 5), List.copyOf(plan.loweredGradients().keySet()));
    }

    @Test
    void aDegreeWithoutTheDegreeBelowInRowsTakesTheScalarGradient() {
        SphericalHarmonicsPlan plan = plan(List.of(5));
        assertEquals(Gradient.SCALAR, plan.gradient());
        assertEquals(Map.of(), plan.valueRows(), "the forward computes values where it stores them");
        assertEquals(List.of("gradientDegree5"), plan.gradientCallees());
        Slice slice = plan.gradientParts().get(0).slices().get(0);
        assertTrue(slice.lowered(), "l = 5 fits one method through the values of l = 4");
    }

    @Test
    void fromLmaxSixTheValueRowsComeFromTheRecursion() {
        SphericalHarmonicsPlan plan = plan(List.of(0, 6));
        assertTrue(plan.recursion());
        assertEquals(5, plan.raisings().size(), "P^2 .. P^6 raised from the degree below");
        assertEquals(List.of(2, 3, 4, 5), List.copyOf(plan.valueRows().keySet()), "the degrees below 6 in rows");
        assertEquals(0, plan.valueRows().get(2));
        assertEquals(5 + 7 + 9, plan.valueRows().get(5));
    }

    @Test
    void highDegreesSplitTheScalarGradientUnderTheBudgetAndGroupTheCalls() {
        SphericalHarmonicsPlan plan = plan(List.of(1, 2, 20));
        assertEquals(Gradient.SCALAR, plan.gradient());
        List<Part> parts = plan.gradientParts();
        assertEquals("gradientDegrees1And2", parts.get(0).name(), "low degrees share a method");
        assertTrue(parts.stream().anyMatch(part -> part.name().matches("gradientDegree20Part\\d+[XYZ]")),
                "a component of l = 20 alone is over the budget: one method per axis");
        for (Part part : parts) {
            int size = part.slices().stream()
                    .mapToInt(slice -> SphericalHarmonicsPlan.size(plan.model(), plan.loweredGradients(), slice))
                    .sum();
            boolean oneAxis = part.slices().size() == 1 && part.slices().get(0).axes().size() == 1;
            assertTrue(oneAxis || size <= SphericalHarmonicsPlan.BYTECODE_BUDGET, part.name() + ": " + size);
        }
        if (parts.size() <= SphericalHarmonicsPlan.MAX_CALLS_PER_METHOD) {
            assertTrue(plan.gradientGroups().isEmpty());
            assertEquals(parts.stream().map(Part::name).toList(), plan.gradientCallees());
        } else {
            List<Part> called = new ArrayList<>();
            for (Group group : plan.gradientGroups()) {
                assertTrue(group.parts().size() <= SphericalHarmonicsPlan.MAX_CALLS_PER_METHOD);
                called.addAll(group.parts());
            }
            assertEquals(parts, called, "the groups call every part once, in order");
        }
    }
}
