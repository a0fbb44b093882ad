package dev.e3j.benchmarks;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.e3j.annotations.CgConvention;
import dev.e3j.annotations.Layout;
import dev.e3j.annotations.Precision;
import dev.e3j.processor.model.InvalidSpecException;
import dev.e3j.processor.model.SymmetricContractionModel;
import dev.e3j.processor.model.SymmetricContractionSpec;
import dev.e3j.runtime.SymmetricContractionKernel;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigurationTest {

    private static SymmetricContractionModel contraction(String in, String out, int correlation)
            throws InvalidSpecException {
        return SymmetricContractionModel.build(new SymmetricContractionSpec(in, out, correlation, 1,
                CgConvention.E3NN_0_5, Precision.DOUBLE));
    }

    /**
     * Two scalars {@code a, b} to a scalar at correlation 2: the polynomials {@code a²}, {@code ab}, {@code ba} (the
     * same as {@code ab}: counted once, its weight folded in), {@code b²}, then {@code a}, {@code b}. Per channel,
     * forward: (3 + 2) + (3 + 2 + 2) + (3 + 2) + 2 x (2 + 2) = 25; gradients: a² 3 + 1 + 3 + 2 + 2 = 11, ab 2 x 3 + 1
     * + 3 + 2 + 4 = 16, b² 11, a and b 2 + 1 + 2 + 2 + 2 = 9 each: 56.
     */
    @Test
    void countsAContractionsDistinctPolynomialsPerChannel() throws InvalidSpecException {
        FlopCount flops = FlopCount.of(contraction("2x0e+2x0e", "2x0e", 2));

        assertEquals(new FlopCount(2 * 25, 2 * (25 + 56)), flops);
    }

    /**
     * A scalar and a vector to a scalar at correlation 2: {@code s²}, {@code |v|²} (three monomials, one row) and
     * {@code s}; the vector's {@code 1o x 1o -> 1e, 2e} paths do not reach {@code 0e}. Forward 5 + 11 + 4 = 20;
     * gradients 11 + (9 + 1 + 9 + 2 + 2) + 9 = 43.
     */
    @Test
    void countsEveryMonomialOfAPolynomial() throws InvalidSpecException {
        assertEquals(new FlopCount(20, 63), FlopCount.of(contraction("1x0e+1x1o", "1x0e", 2)));
    }

    @Test
    void contractionTrafficIsFeaturesAndOutputs() throws InvalidSpecException {
        assertEquals(new MemoryTraffic(4 + 2, 4 + 2 + 4 + 2 + 4),
                MemoryTraffic.of(contraction("2x0e+2x0e", "2x0e", 2)));
    }

    /** The hand-written paths of the annotations and of the configurations must be the same products. */
    @Test
    void everyProductKernelIsItsConfigurationsModelInEachLayout() {
        for (Configuration configuration : Configuration.values()) {
            if (configuration.isTensorProduct()) {
                for (Layout layout : configuration.layouts()) {
                    assertDoesNotThrow(() -> configuration.tensorProductKernel(layout),
                            configuration.token() + " " + layout);
                }
            }
        }
    }

    @Test
    void contractionRunsInBothLayoutsAndHarmonicsInOne() {
        assertEquals(List.of(Layout.MUL_IR, Layout.IR_MUL), Configuration.MACE_MEDIUM_PRODUCT.layouts());
        SymmetricContractionKernel irMul = Configuration.MACE_MEDIUM_PRODUCT.symmetricContractionKernel(Layout.IR_MUL);
        assertEquals(Configuration.MACE_MEDIUM_PRODUCT.symmetricContractionKernel(Layout.MUL_IR).weightNumel(),
                irMul.weightNumel());
        assertEquals(List.of(Layout.MUL_IR), Configuration.SH_LMAX3.layouts());
    }

    @Test
    void peerDefinitionsCarryInstructionsAndContractions() {
        @SuppressWarnings("unchecked")
        Map<String, Object> gatePoints = (Map<String, Object>) Json.parse(
                Configuration.GATE_POINTS_TP_UVU.peerDefinition());
        @SuppressWarnings("unchecked")
        Map<String, Object> product = (Map<String, Object>) Json.parse(
                Configuration.MACE_MEDIUM_PRODUCT.peerDefinition());

        assertEquals("uvu", gatePoints.get("kind"));
        assertEquals(List.of("MUL_IR", "IR_MUL"), gatePoints.get("layouts"));
        assertEquals(15, ((List<?>) gatePoints.get("instructions")).size());
        assertEquals(List.of(0.0, 2.0, 11.0), ((List<?>) gatePoints.get("instructions")).get(2));
        assertEquals(Map.of("name", "mace-medium-product", "batch", 256.0, "layouts", List.of("MUL_IR", "IR_MUL"),
                "kind", "symmetric_contraction", "irreps_in", "128x0e+128x1o+128x2e+128x3o",
                "irreps_out", "128x0e+128x1o", "correlation", 3.0, "elements", 10.0), product);
    }
}
