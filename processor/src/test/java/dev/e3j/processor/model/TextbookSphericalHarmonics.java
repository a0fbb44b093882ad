package dev.e3j.processor.model;

import dev.e3j.processor.model.SphericalHarmonicsModel.ExactTerm;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.numbers.fraction.BigFraction;

/**
 * Component-normalized real spherical harmonics from the textbook closed form, as an independent source of exact
 * polynomials for tests: with {@code Z} polar,
 * {@code Y_lm = sqrt((2l+1)(2 - delta_m0)(l-|m|)!/(l+|m|)!) Pi_l^|m|(Z, r^2) {Re, Im}((X + iY)^|m|)},
 * {@code Pi_l^m = sum_k (-1)^k 2^-l C(l,k) C(2l-2k,l) (l-2k)!/(l-2k-m)! r^2k Z^(l-2k-m)}; e3nn's axes are
 * {@code (X, Y, Z) = (z, x, y)}.
 */
public final class TextbookSphericalHarmonics {

    private TextbookSphericalHarmonics() {
    }

    /** {@code result.get(l).get(m + l)} for {@code l <= lmax}. */
    public static List<List<List<ExactTerm>>> upTo(int lmax) {
        List<List<List<ExactTerm>>> out = new ArrayList<>();
        for (int l = 0; l <= lmax; l++) {
            List<List<ExactTerm>> components = new ArrayList<>();
            for (int m = -l; m <= l; m++) {
                components.add(component(l, m));
            }
            out.add(components);
        }
        return out;
    }

    private static List<ExactTerm> component(int l, int m) {
        int am = Math.abs(m);
        BigFraction radicand = BigFraction.of(factorial(l - am).multiply(BigInteger.valueOf((2L * l + 1)
                * (m == 0 ? 1 : 2)))).divide(BigFraction.of(factorial(l + am)));
        // polynomials over (X, Y, Z) as exponent triples
        Map<List<Integer>, BigFraction> pi = new LinkedHashMap<>();
        for (int k = 0; 2 * k <= l - am; k++) {
            BigFraction c = BigFraction.of(binomial(l, k).multiply(binomial(2 * l - 2 * k, l))
                    .multiply(factorial(l - 2 * k)).divide(factorial(l - 2 * k - am)))
                    .divide(BigFraction.of(BigInteger.TWO.pow(l)));
            if (k % 2 == 1) {
                c = c.negate();
            }
            // (X^2 + Y^2 + Z^2)^k Z^(l-2k-m)
            for (int a = 0; a <= k; a++) {
                for (int b = 0; a + b <= k; b++) {
                    int cc = k - a - b;
                    BigInteger multinomial = factorial(k).divide(factorial(a).multiply(factorial(b))
                            .multiply(factorial(cc)));
                    pi.merge(List.of(2 * a, 2 * b, 2 * cc + l - 2 * k - am), c.multiply(BigFraction.of(multinomial)),
                            BigFraction::add);
                }
            }
        }
        Map<List<Integer>, BigFraction> trig = new LinkedHashMap<>();
        for (int p = 0; p <= am; p++) {
            int q = am - p; // power of Y, carries i^q
            int phase = q % 4; // i^q = 1, i, -1, -i
            boolean real = phase % 2 == 0;
            if (real == (m >= 0)) {
                int sign = phase < 2 ? 1 : -1;
                trig.put(List.of(p, q, 0), BigFraction.of(binomial(am, p).multiply(BigInteger.valueOf(sign))));
            }
        }
        Map<List<Integer>, BigFraction> product = new LinkedHashMap<>();
        pi.forEach((e1, c1) -> trig.forEach((e2, c2) -> product.merge(
                List.of(e1.get(0) + e2.get(0), e1.get(1) + e2.get(1), e1.get(2) + e2.get(2)), c1.multiply(c2),
                BigFraction::add)));
        List<ExactTerm> terms = new ArrayList<>();
        product.forEach((e, c) -> {
            if (c.signum() != 0) {
                // e3nn: x = Y, y = Z, z = X
                terms.add(new ExactTerm(e.get(1), e.get(2), e.get(0), c.signum(), c.multiply(c).multiply(radicand)));
            }
        });
        return terms;
    }

    private static BigInteger factorial(int n) {
        BigInteger f = BigInteger.ONE;
        for (int i = 2; i <= n; i++) {
            f = f.multiply(BigInteger.valueOf(i));
        }
        return f;
    }

    private static BigInteger binomial(int n, int k) {
        return factorial(n).divide(factorial(k).multiply(factorial(n - k)));
    }
}
