package dev.e3j.processor.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.e3j.annotations.CgConvention;
import dev.e3j.annotations.TensorProduct;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A tensor product's coefficients under each {@link CgConvention}: the same magnitudes, signs per path. */
class CgConventionTest {

    private static TensorProductModel build(String in1, String in2, String out, CgConvention convention)
            throws InvalidSpecException {
        return TensorProductModels.build(TensorProductSpec.of(in1, in2, out, TensorProduct.Kind.FULLY_CONNECTED)
                .withCgConvention(convention));
    }

    /** e3nn 0.4.4's {@code 1o x 2e -> 2o}, the triple (1, 2, 2), is minus e3nn 0.5's, term by term. */
    @Test
    void flippedTripleNegatesEveryConstant() throws InvalidSpecException {
        PathModel e3nn05 = build("1x1o", "1x2e", "1x2o", CgConvention.E3NN_0_5).paths().get(0);
        PathModel e3nn044 = build("1x1o", "1x2e", "1x2o", CgConvention.E3NN_0_4).paths().get(0);
        assertEquals(e3nn05.coefficient(), e3nn044.coefficient());
        assertEquals(e3nn05.terms().size(), e3nn044.terms().size());
        for (int t = 0; t < e3nn05.terms().size(); t++) {
            CgTerm term05 = e3nn05.terms().get(t);
            CgTerm term044 = e3nn044.terms().get(t);
            assertEquals(List.of(term05.i(), term05.j(), term05.k()), List.of(term044.i(), term044.j(), term044.k()));
            assertEquals(term05.cg().negate(), term044.cg());
            assertEquals(term05.constant().negate(), term044.constant());
        }
    }

    /** Paths whose triple the versions sign alike, such as (1, 1, 2) and (0, 2, 2), keep every constant. */
    @Test
    void unflippedTriplesAgree() throws InvalidSpecException {
        TensorProductModel e3nn05 = build("1x0e+1x1o", "1x1o+1x2e", "1x2e+1x1o", CgConvention.E3NN_0_5);
        TensorProductModel e3nn044 = build("1x0e+1x1o", "1x1o+1x2e", "1x2e+1x1o", CgConvention.E3NN_0_4);
        assertEquals(e3nn05.paths(), e3nn044.paths());
        assertEquals(CgConvention.E3NN_0_4, e3nn044.cgConvention());
    }
}
