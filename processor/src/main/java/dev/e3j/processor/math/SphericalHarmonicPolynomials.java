package dev.e3j.processor.math;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.commons.numbers.fraction.BigFraction;

/**
 * Exact real spherical harmonics in e3nn's convention: {@code Y^l} is {@code 2l+1} homogeneous harmonic polynomials of
 * degree l in {@code (x, y, z)}, index {@code m + l}, y the polar axis, {@code Y^1 = sqrt(3) (x, y, z)}.
 *
 * <p>Built as e3nn generated its closed forms: {@code Y^{l+1}_k = c Σ_ij w3j(l, 1, l+1)[i][j][k] Y^l_i Y^1_j} with the
 * positive factor {@code c} fixing the component normalization {@code Σ_m Y^l_m(u)^2 = 2l+1} on the unit sphere,
 * i.e. each component has sphere average {@code <Y_k^2> = 1}. Averages are exact: {@code <x^a y^b z^c> =
 * (a-1)!!(b-1)!!(c-1)!!/(n+1)!!} for even a, b, c ({@code n = a+b+c}), else 0. Cached (thread-safe).
 */
public final class SphericalHarmonicPolynomials {

    /** π to 60 digits; {@link #integralCoefficient} rounds from a 50-digit quotient built on it. */
    private static final BigDecimal PI = new BigDecimal(
            "3.14159265358979323846264338327950288419716939937510582097494");
    private static final MathContext FIFTY_DIGITS = new MathContext(50, RoundingMode.HALF_EVEN);

    private static final List<List<Polynomial>> COMPONENT = new ArrayList<>();
    private static final Map<Integer, List<Polynomial>> NORM = new ConcurrentHashMap<>();
    /** Index l: the factor of the recursion from l to l + 1, guarded by {@code COMPONENT}. */
    private static final List<SqrtRational> RAISING = new ArrayList<>();

    /** {@code Y^{l+1}} and the exact factor of the recursion that produced it. */
    private record Raised(List<Polynomial> polynomials, SqrtRational factor) {
    }

    private SphericalHarmonicPolynomials() {}

    /** {@code Y^l_m}, component normalization ({@code ||Y^l(u)||^2 = 2l+1}), index {@code m + l}. */
    public static List<Polynomial> component(int l) {
        if (l < 0) {
            throw new IllegalArgumentException("l: expected l >= 0, got " + l);
        }
        synchronized (COMPONENT) {
            if (COMPONENT.isEmpty()) {
                COMPONENT.add(List.of(constant(SqrtRational.ONE)));
            }
            while (COMPONENT.size() <= l) {
                Raised raised = next(COMPONENT.get(COMPONENT.size() - 1), COMPONENT.size() - 1);
                COMPONENT.add(raised.polynomials());
                RAISING.add(raised.factor());
            }
            return COMPONENT.get(l);
        }
    }

    /**
     * The exact factor {@code f} of {@code Y^{l+1}_k = f Σ_ij w3j(l, 1, l+1)[i][j][k] Y^l_i v_j} with
     * {@code v = (x, y, z)} (component normalization): {@code sqrt(3)} times the normalizing factor of the recursion.
     */
    public static SqrtRational raisingFactor(int l) {
        synchronized (COMPONENT) {
            component(l + 1);
            return RAISING.get(l);
        }
    }

    /** Norm normalization ({@code ||Y^l(u)|| = 1}): {@code component(l)} divided by {@code sqrt(2l+1)}, exact. */
    public static List<Polynomial> norm(int l) {
        List<Polynomial> component = component(l);
        return NORM.computeIfAbsent(l, key -> {
            SqrtRational factor = SqrtRational.sqrtOf(BigFraction.of(1, 2 * l + 1));
            return component.stream().map(p -> p.scale(factor)).toList();
        });
    }

    /**
     * A coefficient of the integral normalization (orthonormal on the sphere): {@code componentCoefficient /
     * sqrt(4π)}. Not algebraic, so not exact: the quotient is computed with BigDecimal to 50 significant digits from a
     * 60-digit π and then rounded once to the nearest double, which is the correctly rounded value unless the exact
     * quotient lies within {@code 1e-50} relative of a midpoint between doubles.
     */
    public static double integralCoefficient(SqrtRational componentCoefficient) {
        MathContext wide = new MathContext(60, RoundingMode.HALF_EVEN);
        BigDecimal sqrtFourPi = PI.multiply(BigDecimal.valueOf(4)).sqrt(wide);
        return componentCoefficient.toBigDecimal(wide).divide(sqrtFourPi, FIFTY_DIGITS).doubleValue();
    }

    /** {@code <x^a y^b z^c>} over the unit sphere, exact. */
    static BigFraction sphereAverage(int a, int b, int c) {
        if (a % 2 != 0 || b % 2 != 0 || c % 2 != 0) {
            return BigFraction.ZERO;
        }
        BigInteger numerator = doubleFactorial(a - 1).multiply(doubleFactorial(b - 1)).multiply(doubleFactorial(c - 1));
        return BigFraction.of(numerator, doubleFactorial(a + b + c + 1));
    }

    private static BigInteger doubleFactorial(int n) {
        BigInteger result = BigInteger.ONE;
        for (int k = n; k > 1; k -= 2) {
            result = result.multiply(BigInteger.valueOf(k));
        }
        return result;
    }

    private static Polynomial constant(SqrtRational value) {
        return Polynomial.of(List.of(new Polynomial.Term(0, 0, 0, value)));
    }

    /** {@code Y^{l+1}} from {@code Y^l} by the Clebsch–Gordan recursion, normalized, checked exact and consistent. */
    private static Raised next(List<Polynomial> current, int l) {
        Wigner3j coupling = Wigner3j.of(l, 1, l + 1);
        SqrtRational sqrt3 = SqrtRational.sqrtOf(BigFraction.of(3));
        List<Map<List<Integer>, RadicalSum>> sums = new ArrayList<>();
        for (int k = 0; k < 2 * l + 3; k++) {
            sums.add(new HashMap<>());
        }
        for (Wigner3j.Entry entry : coupling.nonzero()) {
            // Y^1_j = sqrt(3) x_j, so the product raises the exponent of axis j.
            SqrtRational factor = entry.value().multiply(sqrt3);
            for (Polynomial.Term term : current.get(entry.i()).terms()) {
                List<Integer> monomial = List.of(
                        term.xPower() + (entry.j() == 0 ? 1 : 0),
                        term.yPower() + (entry.j() == 1 ? 1 : 0),
                        term.zPower() + (entry.j() == 2 ? 1 : 0));
                sums.get(entry.k()).computeIfAbsent(monomial, key -> new RadicalSum())
                        .addProduct(term.coefficient(), factor);
            }
        }
        List<Polynomial> unnormalized = new ArrayList<>();
        for (int k = 0; k < 2 * l + 3; k++) {
            List<Polynomial.Term> terms = new ArrayList<>();
            for (Map.Entry<List<Integer>, RadicalSum> monomial : sums.get(k).entrySet()) {
                List<Integer> powers = monomial.getKey();
                SqrtRational coefficient = monomial.getValue().toSingleRadical("Y(" + (l + 1) + ") coefficient");
                terms.add(new Polynomial.Term(powers.get(0), powers.get(1), powers.get(2), coefficient));
            }
            unnormalized.add(Polynomial.of(terms));
        }
        BigFraction meanSquare = null;
        for (int k = 0; k < unnormalized.size(); k++) {
            BigFraction componentMeanSquare = meanSquare(unnormalized.get(k));
            if (meanSquare == null) {
                meanSquare = componentMeanSquare;
            } else if (!meanSquare.equals(componentMeanSquare)) {
                throw new ArithmeticException("Y(" + (l + 1) + ") components have unequal sphere averages "
                        + meanSquare + " and " + componentMeanSquare + " (k = " + k + ")");
            }
        }
        SqrtRational normalization = SqrtRational.sqrtOf(meanSquare.reciprocal());
        return new Raised(unnormalized.stream().map(p -> p.scale(normalization)).toList(),
                normalization.multiply(sqrt3));
    }

    /**
     * {@code <p^2>} over the unit sphere, exact. The coefficients share one radical, {@code p = sqrt(f) Σ_t (n_t/D)
     * x^a_t y^b_t z^c_t} with integers {@code n_t}, so {@code <p^2> = f/D^2 Σ_{s,t} n_s n_t <monomial_s monomial_t>}
     * is summed in integers per total degree (the averages of one degree share the denominator {@code (n+1)!!}).
     */
    static BigFraction meanSquare(Polynomial p) {
        List<Polynomial.Term> terms = p.terms();
        if (terms.isEmpty()) {
            return BigFraction.ZERO;
        }
        BigInteger radicand = terms.get(0).coefficient().radicand();
        BigInteger commonDenominator = BigInteger.ONE;
        for (Polynomial.Term term : terms) {
            if (!term.coefficient().radicand().equals(radicand)) {
                throw new ArithmeticException("coefficients of " + p + " do not share one radical");
            }
            BigInteger d = term.coefficient().radicalCoefficient().getDenominator();
            commonDenominator = commonDenominator.divide(commonDenominator.gcd(d)).multiply(d);
        }
        BigInteger[] numerators = new BigInteger[terms.size()];
        for (int t = 0; t < numerators.length; t++) {
            BigFraction r = terms.get(t).coefficient().radicalCoefficient();
            numerators[t] = r.getNumerator().multiply(commonDenominator.divide(r.getDenominator()));
        }
        Map<Integer, BigInteger> sumByDegree = new HashMap<>();
        for (int s = 0; s < numerators.length; s++) {
            Polynomial.Term a = terms.get(s);
            for (int t = 0; t < numerators.length; t++) {
                Polynomial.Term b = terms.get(t);
                int x = a.xPower() + b.xPower();
                int y = a.yPower() + b.yPower();
                int z = a.zPower() + b.zPower();
                if (x % 2 == 0 && y % 2 == 0 && z % 2 == 0) {
                    BigInteger weight = doubleFactorial(x - 1).multiply(doubleFactorial(y - 1))
                            .multiply(doubleFactorial(z - 1));
                    sumByDegree.merge(x + y + z, numerators[s].multiply(numerators[t]).multiply(weight),
                            BigInteger::add);
                }
            }
        }
        BigFraction total = BigFraction.ZERO;
        for (Map.Entry<Integer, BigInteger> degree : sumByDegree.entrySet()) {
            total = total.add(BigFraction.of(degree.getValue(), doubleFactorial(degree.getKey() + 1)));
        }
        return total.multiply(radicand).divide(commonDenominator.pow(2));
    }
}
