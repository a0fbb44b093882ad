package dev.e3j.processor.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PolynomialTest {

    private static Polynomial.Term term(int a, int b, int c, String coefficient) {
        return new Polynomial.Term(a, b, c, SqrtRational.parse(coefficient));
    }

    @Test
    void mergesLikeMonomialsSortsAndDropsZeros() {
        Polynomial p = Polynomial.of(List.of(term(0, 0, 2, "-sqrt(5)/2"), term(2, 0, 0, "-sqrt(5)/2"),
                term(0, 2, 0, "sqrt(5)/2"), term(0, 2, 0, "sqrt(5)/2"), term(1, 1, 0, "0")));
        assertEquals("-sqrt(5)/2*x^2 + sqrt(5)*y^2 - sqrt(5)/2*z^2", p.toString());
        assertEquals(3, p.terms().size());
        assertEquals(2, p.degree());
        assertEquals("0", Polynomial.of(List.of(term(1, 0, 0, "2"), term(1, 0, 0, "-2"))).toString());
        assertThrows(ArithmeticException.class,
                () -> Polynomial.of(List.of(term(1, 0, 0, "sqrt(2)"), term(1, 0, 0, "sqrt(3)"))));
    }

    @Test
    void derivativesAreExact() {
        Polynomial p = Polynomial.of(List.of(term(3, 1, 0, "sqrt(7)/4"), term(0, 0, 2, "-1/3")));
        assertEquals("3*sqrt(7)/4*x^2*y", p.derivative(0).toString());
        assertEquals("sqrt(7)/4*x^3", p.derivative(1).toString());
        assertEquals("-2/3*z", p.derivative(2).toString());
        assertEquals("3*sqrt(7)/2*x*y - 2/3", p.laplacian().toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.derivative(3));
        assertTrue(e.getMessage().startsWith("axis: "), e.getMessage());
    }

    @Test
    void evaluatesAndScales() {
        Polynomial p = Polynomial.of(List.of(term(1, 0, 1, "sqrt(15)"), term(0, 0, 0, "1/2")));
        assertEquals(Math.sqrt(15) * 0.3 * -0.7 + 0.5, p.evaluate(0.3, 0.1, -0.7), 1e-15);
        assertEquals("sqrt(5)*x*z + sqrt(3)/6", p.scale(SqrtRational.parse("sqrt(3)/3")).toString());
        assertEquals(p, Polynomial.of(List.of(term(0, 0, 0, "1/2"), term(1, 0, 1, "sqrt(15)"))));
        assertTrue(p.scale(SqrtRational.ZERO).isZero());
    }
}
