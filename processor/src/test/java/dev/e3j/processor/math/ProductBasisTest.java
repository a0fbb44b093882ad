package dev.e3j.processor.math;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.annotations.CgConvention;
import dev.e3j.testsupport.ReferenceData;
import dev.e3j.runtime.Irrep;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.Irreps.MulIrrep;
import dev.e3j.runtime.io.StateDict;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** MACE's {@code U_matrix_real}, exact, against the bases mace-torch 0.3.6 stored in a model's state_dict. */
class ProductBasisTest {

    private static final List<Irrep> COUPLING = Irreps.sphericalHarmonics(3).entries().stream()
            .map(MulIrrep::ir).toList();

    /**
     * Every {@code U_matrix_ν} buffer of the four MACE reference models (correlation 2 and 3, channels of
     * {@code 0e+1o+2e} and {@code 0e+1o+2e+3o}, outputs {@code 0e}, {@code 1o}, {@code 2e}). The buffer's shape gives
     * the basis: {@code [2L+1]} first unless {@code L = 0}, then {@code ν} axes of {@code D}, then {@code K}; MACE's
     * irreps here are the harmonics' {@code (l, (-1)^l)}.
     */
    @Test
    void equalsTheBasesOfTheMaceModels() throws IOException {
        int compared = 0;
        for (String model : List.of("mace-public", "mace-plain", "mace-l2-corr3", "mace-periodic")) {
            StateDict state = StateDict.read(ReferenceData.directory().getParent()
                    .resolve("models/" + model + "/state_dict.safetensors"));
            for (String name : state.names()) {
                if (!name.contains(".U_matrix_")) {
                    continue;
                }
                int degree = Integer.parseInt(name.substring(name.lastIndexOf('_') + 1));
                long[] shape = state.shape(name);
                int dim = (int) shape[shape.length - 2];
                int l = shape.length == degree + 1 ? 0 : ((int) shape[0] - 1) / 2;
                List<Irrep> coupling = Irreps.sphericalHarmonics(dim == 9 ? 2 : 3).entries().stream()
                        .map(MulIrrep::ir).toList();
                ProductBasis basis = ProductBasis.of(coupling, Irrep.of(l, Irrep.shParity(l)), degree,
                        CgConvention.E3NN_0_4);
                assertEquals(basis.columns(), shape[shape.length - 1], model + " " + name);
                assertArrayEquals(state.doubles(name), dense(basis), 1e-15, model + " " + name);
                compared++;
            }
        }
        assertEquals(6 + 7 + 21 + 6, compared);
    }

    /**
     * e3nn 0.4.4 and 0.5 differ in the sign of whole Wigner 3j tensors such as (1, 2, 2): the 1o basis of degree 3
     * couples {@code 2e x 2e -> 1e} on its way.
     */
    @Test
    void dependsOnTheCgConvention() {
        Irrep vector = Irrep.parse("1o");
        List<Irrep> coupling = COUPLING.subList(0, 3);
        double[] e3nn04 = dense(ProductBasis.of(coupling, vector, 3, CgConvention.E3NN_0_4));
        double[] e3nn05 = dense(ProductBasis.of(coupling, vector, 3, CgConvention.E3NN_0_5));
        int flipped = 0;
        for (int i = 0; i < e3nn04.length; i++) {
            assertEquals(Math.abs(e3nn04[i]), Math.abs(e3nn05[i]), 0.0);
            flipped += e3nn04[i] == -e3nn05[i] && e3nn04[i] != 0 ? 1 : 0;
        }
        assertTrue(flipped > 0);
    }

    @Test
    void polynomialsSumTheOrderingsOfEachMonomial() {
        ProductBasis basis = ProductBasis.of(COUPLING.subList(0, 2), Irrep.parse("1o"), 3, CgConvention.E3NN_0_5);
        double[] x = {0.3, -1.2, 0.7, 2.1};
        double[] fromEntries = new double[3 * basis.columns()];
        for (ProductBasis.Entry entry : basis.entries()) {
            double product = entry.value().doubleValue();
            for (int i : entry.indices()) {
                product *= x[i];
            }
            fromEntries[entry.m() * basis.columns() + entry.k()] += product;
        }
        double[] fromMonomials = new double[fromEntries.length];
        for (ProductBasis.Monomial monomial : basis.polynomials()) {
            double product = monomial.coefficient().doubleValue();
            for (int i : monomial.indices()) {
                product *= x[i];
            }
            fromMonomials[monomial.m() * basis.columns() + monomial.k()] += product;
        }
        assertArrayEquals(fromEntries, fromMonomials, 1e-13);
        assertTrue(basis.polynomials().size() < basis.entries().size());
    }

    /** The basis as MACE's dense row-major tensor {@code [2L+1][D]...[D][K]}. */
    static double[] dense(ProductBasis basis) {
        double[] values = new double[Math.toIntExact(basis.out().dim() * (long) Math.pow(basis.dim(), basis.degree())
                * basis.columns())];
        for (ProductBasis.Entry entry : basis.entries()) {
            values[Math.toIntExact(basis.flatIndex(entry))] = entry.value().doubleValue();
        }
        return values;
    }
}
