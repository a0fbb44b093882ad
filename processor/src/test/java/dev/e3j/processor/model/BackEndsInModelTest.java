package dev.e3j.processor.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.annotations.CgConvention;
import dev.e3j.annotations.Layout;
import dev.e3j.annotations.PathNormalization;
import dev.e3j.annotations.Precision;
import dev.e3j.annotations.ShNormalization;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The models carry what the writers need from the annotation ({@code precision}, {@code cuda}) and the harmonics'
 * derived exact data (components of recursion steps, lowered gradients), so no writer reads them elsewhere.
 */
class BackEndsInModelTest {

    @Test
    void harmonicsModelCarriesPrecisionAndCudaOfItsSpec() throws InvalidSpecException {
        SphericalHarmonicsModel model = SphericalHarmonicsModel.build(new SphericalHarmonicsSpec(2, List.of(), "",
                ShNormalization.NORM, true, Precision.FLOAT, true));
        assertEquals(Precision.FLOAT, model.precision());
        assertTrue(model.cuda());
        SphericalHarmonicsModel fromIrreps = SphericalHarmonicsModel.build(new SphericalHarmonicsSpec(-1, List.of(),
                "2x1o", ShNormalization.COMPONENT, true, Precision.DOUBLE, false));
        assertEquals(Precision.DOUBLE, fromIrreps.precision());
        assertFalse(fromIrreps.cuda());
        assertEquals("2x1o", fromIrreps.irrepsOut().toString());
    }

    @Test
    void linearModelCarriesPrecisionOfItsSpec() throws InvalidSpecException {
        LinearSpec spec = new LinearSpec("2x0e+1x1o", "3x0e", false, List.of(), List.of(), true, 1, 1,
                PathNormalization.ELEMENT, Layout.MUL_IR, Precision.FLOAT);
        assertEquals(Precision.FLOAT, LinearModel.build(spec).precision());
        assertEquals(Precision.DOUBLE, LinearModel.build(LinearSpec.of("1x0e", "1x0e")).precision());
        assertEquals(Precision.DOUBLE, SphericalHarmonicsModel.build(SphericalHarmonicsSpec.upTo(1)).precision());
    }

    @Test
    void symmetricContractionModelCarriesPrecisionOfItsSpec() throws InvalidSpecException {
        for (Precision precision : Precision.values()) {
            SymmetricContractionSpec spec = new SymmetricContractionSpec("2x0e+2x1o", "2x0e", 2, 1,
                    CgConvention.E3NN_0_5, Layout.MUL_IR, precision);
            assertEquals(precision, SymmetricContractionModel.build(spec).precision());
        }
    }

    /** A degree below the requested ones (a step of the recursion) has the components a model of it would have. */
    @Test
    void componentsOfARecursionStepAreThoseOfItsOwnModel() {
        SphericalHarmonicsModel model = SphericalHarmonicsModel.of(List.of(5), ShNormalization.INTEGRAL, true);
        assertEquals(SphericalHarmonicsModel.of(List.of(4), ShNormalization.COMPONENT, true).degrees().get(0)
                .components(), model.components(4));
        assertEquals(model.degrees().get(0).components(), model.components(5));
    }

    /** One lowered gradient per requested degree above 0, each through the degree below. */
    @Test
    void loweredGradientsServeEveryRequestedDegreeAboveZero() {
        SphericalHarmonicsModel model = SphericalHarmonicsModel.of(List.of(0, 3, 1, 3), ShNormalization.COMPONENT,
                true);
        assertEquals(List.of(1, 3), List.copyOf(model.loweredGradients().keySet()));
        assertEquals(LoweredGradient.of(model.components(3), model.components(2)), model.loweredGradients().get(3));
        assertEquals(LoweredGradient.of(model.components(1), model.components(0)), model.loweredGradients().get(1));
    }
}
