package dev.e3j.processor.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.testsupport.ReferenceData;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.commons.numbers.fraction.BigFraction;
import org.junit.jupiter.api.Test;

class SphericalHarmonicPolynomialsTest {

    private static final int MAX_L = 12;

    @Test
    void lowDegreesHaveE3nnClosedForms() {
        assertEquals("1", SphericalHarmonicPolynomials.component(0).get(0).toString());
        assertEquals(List.of("sqrt(3)*x", "sqrt(3)*y", "sqrt(3)*z"),
                SphericalHarmonicPolynomials.component(1).stream().map(Polynomial::toString).toList());
        assertEquals(List.of("sqrt(15)*x*z", "sqrt(15)*x*y", "-sqrt(5)/2*x^2 + sqrt(5)*y^2 - sqrt(5)/2*z^2",
                        "sqrt(15)*y*z", "-sqrt(15)/2*x^2 + sqrt(15)/2*z^2"),
                SphericalHarmonicPolynomials.component(2).stream().map(Polynomial::toString).toList());
        assertEquals("x", SphericalHarmonicPolynomials.norm(1).get(0).toString());
        assertEquals("sqrt(3)*x*z", SphericalHarmonicPolynomials.norm(2).get(0).toString());
    }

    @Test
    void matchesE3nnComponentNormalizedValuesOnUnitVectors() throws Exception {
        int compared = 0;
        for (Map<String, Object> c : ReferenceData.cases(ReferenceData.load("spherical_harmonics.json"))) {
            if (!"component".equals(c.get("normalization")) || !Boolean.TRUE.equals(c.get("normalize"))) {
                continue;
            }
            List<Object> ls = ReferenceData.asList(c.get("ls"));
            List<Object> vectors = ReferenceData.asList(c.get("vectors"));
            List<Object> values = ReferenceData.asList(c.get("values"));
            for (int v = 0; v < vectors.size(); v++) {
                double[] vector = ReferenceData.asDoubles(vectors.get(v));
                double r = Math.sqrt(vector[0] * vector[0] + vector[1] * vector[1] + vector[2] * vector[2]);
                double[] expected = ReferenceData.asDoubles(values.get(v));
                int offset = 0;
                for (Object lValue : ls) {
                    int l = ReferenceData.asInt(lValue);
                    List<Polynomial> y = SphericalHarmonicPolynomials.component(l);
                    for (int m = 0; m < 2 * l + 1; m++) {
                        double actual = y.get(m).evaluate(vector[0] / r, vector[1] / r, vector[2] / r);
                        assertEquals(expected[offset + m], actual, 1e-12, "l=" + l + " index " + m + " vector " + v);
                        compared++;
                    }
                    offset += 2 * l + 1;
                }
            }
        }
        assertTrue(compared >= 7 * 81, "compared " + compared);
    }

    @Test
    void additionTheoremHoldsAtRandomUnitVectors() {
        SplittableRandom random = new SplittableRandom(7);
        for (int trial = 0; trial < 50; trial++) {
            double x = random.nextGaussian();
            double y = random.nextGaussian();
            double z = random.nextGaussian();
            double r = Math.sqrt(x * x + y * y + z * z);
            for (int l = 0; l <= MAX_L; l++) {
                double sum = 0;
                for (Polynomial p : SphericalHarmonicPolynomials.component(l)) {
                    double value = p.evaluate(x / r, y / r, z / r);
                    sum += value * value;
                }
                assertEquals(2 * l + 1, sum, 1e-11 * (2 * l + 1), "l=" + l);
                double normSum = 0;
                for (Polynomial p : SphericalHarmonicPolynomials.norm(l)) {
                    double value = p.evaluate(x / r, y / r, z / r);
                    normSum += value * value;
                }
                assertEquals(1, normSum, 1e-11, "norm l=" + l);
            }
        }
    }

    @Test
    void everyComponentIsHarmonicHomogeneousAndUnitMeanSquareExactly() {
        for (int l = 0; l <= MAX_L; l++) {
            List<Polynomial> y = SphericalHarmonicPolynomials.component(l);
            assertEquals(2 * l + 1, y.size());
            for (int m = 0; m < y.size(); m++) {
                Polynomial p = y.get(m);
                assertTrue(p.laplacian().isZero(), "laplacian of Y(" + l + "," + (m - l) + ")");
                int degree = l;
                assertTrue(p.terms().stream().allMatch(t -> t.degree() == degree), "homogeneous Y(" + l + ")");
                assertEquals(BigFraction.ONE, SphericalHarmonicPolynomials.meanSquare(p), "<Y^2> l=" + l);
            }
        }
    }

    @Test
    void sphereAverageOfMonomials() {
        assertEquals(BigFraction.ONE, SphericalHarmonicPolynomials.sphereAverage(0, 0, 0));
        assertEquals(BigFraction.of(1, 3), SphericalHarmonicPolynomials.sphereAverage(2, 0, 0));
        assertEquals(BigFraction.of(1, 5), SphericalHarmonicPolynomials.sphereAverage(0, 4, 0));
        assertEquals(BigFraction.of(1, 15), SphericalHarmonicPolynomials.sphereAverage(2, 2, 0));
        assertEquals(BigFraction.ZERO, SphericalHarmonicPolynomials.sphereAverage(1, 1, 0));
    }

    @Test
    void integralNormalizationDividesBySqrtFourPi() {
        assertEquals(0.28209479177387814, SphericalHarmonicPolynomials.integralCoefficient(SqrtRational.ONE));
        assertEquals(0.4886025119029199,
                SphericalHarmonicPolynomials.integralCoefficient(SqrtRational.parse("sqrt(3)")));
        assertEquals(-1.0925484305920792,
                SphericalHarmonicPolynomials.integralCoefficient(SqrtRational.parse("-sqrt(15)")));
    }

    @Test
    void rejectsNegativeDegree() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SphericalHarmonicPolynomials.component(-1));
        assertTrue(e.getMessage().startsWith("l: "), e.getMessage());
    }
}
