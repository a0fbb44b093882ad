package dev.e3j.processor.model;

import dev.e3j.processor.model.SphericalHarmonicsModel.Component;
import dev.e3j.processor.model.SphericalHarmonicsModel.Term;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.numbers.fraction.BigFraction;

/**
 * The spherical-harmonic polynomials in sphericart's factored form: {@code P^l_k = lambda Q^m_l(w, r^2) A_m(u, v)},
 * with {@code w} the polar coordinate, {@code (u, v)} the other two, {@code r^2 = x^2 + y^2 + z^2},
 * {@code A_m = Re (u + i v)^m} ({@code cosine}) or {@code Im (u + i v)^m}, and the associated Legendre polynomials
 * in their solid form, scaled so that the recursion over {@code l} has one coefficient:
 * <pre>
 *   Q^m_m = 1,   Q^m_{m+1} = w,   Q^m_l = w Q^m_{l-1} - beta^m_l r^2 Q^m_{l-2},
 *   beta^m_l = (l + m - 1)(l - m - 1) / ((2l - 1)(2l - 3)),
 *   A_0 = 1 (cosine),   A_{m+1} = (u + i v) A_m.
 * </pre>
 * A point's {@code (lmax + 1)^2} values then take about 3 operations per {@code Q}, 4 per {@code m} and 2 per
 * component, against the hundreds of the recursion over the degrees ({@code P^{l+1} = sum q P^l v}). The rational
 * {@code lambda} of each component is found and checked exactly: expanded into monomials, {@code lambda Q A} equals
 * {@code P} term for term, else there is no factored form ({@link #of} is empty).
 *
 * @param polarAxis     the axis of {@code w} ({@code 0 = x, 1 = y, 2 = z}; e3nn's {@code y})
 * @param realAxis      the axis of {@code u}
 * @param imaginaryAxis the axis of {@code v}
 * @param factors       {@code factors.get(l).get(k)}: how component {@code k} of degree {@code l} is factored, for
 *                      {@code l = 0..lmax}
 */
public record FactoredHarmonics(int polarAxis, int realAxis, int imaginaryAxis, List<List<Factor>> factors) {

    /**
     * Component {@code P^l_k = lambda Q^m_l A_m}, {@code A_m} the cosine or the sine part of {@code (u + i v)^m}.
     *
     * @param m      the order {@code m >= 0}
     * @param sine   whether {@code A_m = Im (u + i v)^m}, else its real part
     * @param lambda the exact rational factor
     */
    public record Factor(int m, boolean sine, BigFraction lambda) {
    }

    public FactoredHarmonics {
        factors = factors.stream().map(List::copyOf).toList();
    }

    /** The largest degree factored. */
    public int lmax() {
        return factors.size() - 1;
    }

    /** {@code beta^m_l} of the recursion {@code Q^m_l = w Q^m_{l-1} - beta^m_l r^2 Q^m_{l-2}}, {@code l >= m + 2}. */
    public static BigFraction beta(int l, int m) {
        return BigFraction.of((long) (l + m - 1) * (l - m - 1), (long) (2 * l - 1) * (2 * l - 3));
    }

    /**
     * The factored form of {@code degrees.get(l)} ({@code l = 0..lmax}, each degree's {@code 2l + 1} integer
     * polynomials in e3nn's order), with the first polar axis for which every component factors; empty if none does.
     */
    public static Optional<FactoredHarmonics> of(List<List<Component>> degrees) {
        for (int polar = 0; polar < 3; polar++) {
            int real = (polar + 1) % 3;
            int imaginary = (polar + 2) % 3;
            for (int[] plane : new int[][] {{real, imaginary}, {imaginary, real}}) {
                Optional<FactoredHarmonics> factored = factor(degrees, polar, plane[0], plane[1]);
                if (factored.isPresent()) {
                    return factored;
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<FactoredHarmonics> factor(List<List<Component>> degrees, int polar, int u, int v) {
        int lmax = degrees.size() - 1;
        Map<List<Integer>, BigFraction> r2 = new HashMap<>();
        for (int axis = 0; axis < 3; axis++) {
            r2.put(monomial(axis, 2), BigFraction.ONE);
        }
        Map<List<Integer>, BigFraction> w = Map.of(monomial(polar, 1), BigFraction.ONE);
        Map<List<Integer>, BigFraction> one = Map.of(List.of(0, 0, 0), BigFraction.ONE);
        // cosines.get(m), sines.get(m): Re and Im of (u + i v)^m
        List<Map<List<Integer>, BigFraction>> cosines = new ArrayList<>(List.of(one));
        List<Map<List<Integer>, BigFraction>> sines = new ArrayList<>(List.of(Map.of()));
        for (int m = 1; m <= lmax; m++) {
            Map<List<Integer>, BigFraction> c = cosines.get(m - 1);
            Map<List<Integer>, BigFraction> s = sines.get(m - 1);
            Map<List<Integer>, BigFraction> uTerm = Map.of(monomial(u, 1), BigFraction.ONE);
            Map<List<Integer>, BigFraction> vTerm = Map.of(monomial(v, 1), BigFraction.ONE);
            cosines.add(add(times(c, uTerm), times(s, vTerm), BigFraction.ONE.negate()));
            sines.add(add(times(s, uTerm), times(c, vTerm), BigFraction.ONE));
        }
        // legendre.get(m).get(l - m) = Q^m_l
        List<List<Map<List<Integer>, BigFraction>>> legendre = new ArrayList<>();
        for (int m = 0; m <= lmax; m++) {
            List<Map<List<Integer>, BigFraction>> column = new ArrayList<>(List.of(one));
            if (m + 1 <= lmax) {
                column.add(w);
            }
            for (int l = m + 2; l <= lmax; l++) {
                column.add(add(times(w, column.get(l - m - 1)), times(r2, column.get(l - m - 2)), beta(l, m).negate()));
            }
            legendre.add(column);
        }
        List<List<Factor>> factors = new ArrayList<>();
        for (int l = 0; l <= lmax; l++) {
            List<Factor> degree = new ArrayList<>();
            for (Component component : degrees.get(l)) {
                Optional<Factor> factor = Optional.empty();
                for (int m = 0; m <= l && factor.isEmpty(); m++) {
                    Map<List<Integer>, BigFraction> q = legendre.get(m).get(l - m);
                    int order = m;
                    factor = proportional(component, times(q, cosines.get(m)))
                            .map(lambda -> new Factor(order, false, lambda))
                            .or(() -> proportional(component, times(q, sines.get(order)))
                                    .map(lambda -> new Factor(order, true, lambda)));
                }
                if (factor.isEmpty()) {
                    return Optional.empty();
                }
                degree.add(factor.get());
            }
            factors.add(degree);
        }
        return Optional.of(new FactoredHarmonics(polar, u, v, factors));
    }

    /** {@code lambda} with {@code P = lambda * candidate} exactly, if there is one. */
    private static Optional<BigFraction> proportional(Component component, Map<List<Integer>, BigFraction> candidate) {
        if (candidate.isEmpty() || component.terms().size() != candidate.size()) {
            return Optional.empty();
        }
        Term first = component.terms().get(0);
        BigFraction denominator = candidate.get(List.of(first.xPower(), first.yPower(), first.zPower()));
        if (denominator == null) {
            return Optional.empty();
        }
        BigFraction lambda = BigFraction.of(first.coefficient()).divide(denominator);
        for (Term term : component.terms()) {
            BigFraction c = candidate.get(List.of(term.xPower(), term.yPower(), term.zPower()));
            if (c == null || !c.multiply(lambda).equals(BigFraction.of(term.coefficient()))) {
                return Optional.empty();
            }
        }
        return Optional.of(lambda);
    }

    private static List<Integer> monomial(int axis, int power) {
        Integer[] powers = {0, 0, 0};
        powers[axis] = power;
        return List.of(powers);
    }

    /** {@code a + scale * b}, zero terms dropped. */
    private static Map<List<Integer>, BigFraction> add(Map<List<Integer>, BigFraction> a,
                                                      Map<List<Integer>, BigFraction> b, BigFraction scale) {
        Map<List<Integer>, BigFraction> sum = new HashMap<>(a);
        b.forEach((m, c) -> sum.merge(m, c.multiply(scale), BigFraction::add));
        sum.values().removeIf(c -> c.signum() == 0);
        return sum;
    }

    private static Map<List<Integer>, BigFraction> times(Map<List<Integer>, BigFraction> a,
                                                        Map<List<Integer>, BigFraction> b) {
        Map<List<Integer>, BigFraction> product = new HashMap<>();
        a.forEach((ma, ca) -> b.forEach((mb, cb) -> product.merge(
                List.of(ma.get(0) + mb.get(0), ma.get(1) + mb.get(1), ma.get(2) + mb.get(2)), ca.multiply(cb),
                BigFraction::add)));
        product.values().removeIf(c -> c.signum() == 0);
        return product;
    }
}
