package dev.e3j.processor.model;

import static dev.e3j.processor.model.RationalPoint.POINT;
import static dev.e3j.processor.model.RationalPoint.evaluate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.annotations.ShNormalization;
import dev.e3j.processor.model.FactoredHarmonics.Factor;
import dev.e3j.processor.model.SphericalHarmonicsModel.Component;
import dev.e3j.processor.model.SphericalHarmonicsModel.Term;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.commons.numbers.fraction.BigFraction;
import org.junit.jupiter.api.Test;

class FactoredHarmonicsTest {

    private static final int LMAX = 20;

    private static List<List<Component>> degrees(int lmax) {
        return IntStream.rangeClosed(0, lmax)
                .mapToObj(l -> SphericalHarmonicsModel.of(List.of(l), ShNormalization.COMPONENT, true).degrees().get(0)
                        .components())
                .toList();
    }

    /**
     * e3nn's harmonics factor around the polar axis y, in the plane (z, x), with component {@code k} of degree
     * {@code l} of order {@code |k - l|} (sine below {@code k = l}); and the recursion as the kernels evaluate it
     * (on {@code Q} and {@code A}, not on the expanded polynomials) gives every polynomial exactly at a point.
     */
    @Test
    void e3nnHarmonicsFactorAndTheRecursionGivesThemExactly() {
        FactoredHarmonics factored = FactoredHarmonics.of(degrees(LMAX)).orElseThrow();
        assertEquals(1, factored.polarAxis());
        assertEquals(2, factored.realAxis());
        assertEquals(0, factored.imaginaryAxis());
        BigFraction w = POINT[1];
        BigFraction u = POINT[2];
        BigFraction v = POINT[0];
        BigFraction r2 = POINT[0].pow(2).add(POINT[1].pow(2)).add(POINT[2].pow(2));
        List<BigFraction> cosines = new ArrayList<>(List.of(BigFraction.ONE));
        List<BigFraction> sines = new ArrayList<>(List.of(BigFraction.ZERO));
        for (int m = 1; m <= LMAX; m++) {
            BigFraction c = cosines.get(m - 1);
            BigFraction s = sines.get(m - 1);
            cosines.add(c.multiply(u).subtract(s.multiply(v)));
            sines.add(s.multiply(u).add(c.multiply(v)));
        }
        List<List<Component>> degrees = degrees(LMAX);
        for (int m = 0; m <= LMAX; m++) {
            List<BigFraction> legendre = new ArrayList<>(List.of(BigFraction.ONE, w));
            for (int l = m + 2; l <= LMAX; l++) {
                legendre.add(w.multiply(legendre.get(l - m - 1))
                        .subtract(FactoredHarmonics.beta(l, m).multiply(r2).multiply(legendre.get(l - m - 2))));
            }
            for (int l = m; l <= LMAX; l++) {
                for (int k : m == 0 ? List.of(l) : List.of(l - m, l + m)) {
                    Factor factor = factored.factors().get(l).get(k);
                    assertEquals(m, factor.m(), "order of component " + k + " of degree " + l);
                    assertEquals(k < l, factor.sine(), "sine part for component " + k + " of degree " + l);
                    BigFraction angular = factor.sine() ? sines.get(m) : cosines.get(m);
                    assertEquals(evaluate(degrees.get(l).get(k).terms()),
                            factor.lambda().multiply(legendre.get(l - m)).multiply(angular),
                            "component " + k + " of degree " + l);
                }
            }
        }
    }

    /** A polynomial that is no harmonic (here x^2 in place of a degree-2 component) has no factored form. */
    @Test
    void aPolynomialThatIsNoHarmonicHasNoFactoredForm() {
        List<List<Component>> degrees = new ArrayList<>(degrees(2));
        List<Component> two = new ArrayList<>(degrees.get(2));
        two.set(2, new Component(2, 1, BigFraction.ONE, List.of(new Term(2, 0, 0, BigInteger.ONE))));
        degrees.set(2, two);
        assertTrue(FactoredHarmonics.of(degrees).isEmpty());
    }
}
