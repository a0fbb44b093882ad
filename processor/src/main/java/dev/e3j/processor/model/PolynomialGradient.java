package dev.e3j.processor.model;

import dev.e3j.processor.math.SqrtRational;
import dev.e3j.processor.model.SphericalHarmonicsModel.Component;
import dev.e3j.processor.model.SphericalHarmonicsModel.Degree;
import dev.e3j.processor.model.SphericalHarmonicsModel.Term;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.numbers.fraction.BigFraction;

/**
 * The backward of the harmonics as the gradient of one polynomial: with {@code g_k} the cotangent of component
 * {@code k} ({@code Y_k = N_k P_k}), the gradient of {@code Q = sum_k g_k Y_k} is taken after contracting the
 * cotangent into {@code Q}'s own coefficients, {@code Q = sum_mu q_mu mu} over the monomials {@code mu} of the
 * components, {@code q_mu = sum_k (N_k c_k,mu) g_k} with {@code c_k,mu} the integer coefficient of {@code mu} in
 * {@code P_k}. The gradient along axis {@code a} is then {@code sum_mu e_a(mu) q_mu dmu}, {@code e_a(mu)} the power of
 * {@code a} in {@code mu} and {@code dmu = mu / a}: each coefficient {@code q_mu} serves every axis whose power in
 * {@code mu} is not zero (at lmax 3, 19 coefficients for the 30 terms of the three axes, where contracting the
 * cotangent with each axis' derivative separately takes one coefficient per term).
 *
 * <p>The powers' common factor is folded into the coefficient: {@code q_mu} carries {@code f = gcd} of the non-zero
 * powers of {@code mu} ({@code 3} for {@code x^3}, {@code 1} for {@code x^2 y}), each {@code N_k c_k,mu f} exact and
 * rounded once, and a term keeps the factor {@code e_a(mu) / f} ({@code 2} for {@code x^2 y} along {@code x}, an
 * exact doubling of the monomial).
 *
 * @param coefficients the coefficients {@code q_mu} of {@code Q}, by degree then by powers
 * @param axes         per axis ({@code 0 = x, 1 = y, 2 = z}) its terms, by the degree of {@code dmu} then by its
 *                     powers
 */
public record PolynomialGradient(List<Coefficient> coefficients, List<List<Derivative>> axes) {

    public PolynomialGradient {
        coefficients = List.copyOf(coefficients);
        axes = axes.stream().map(List::copyOf).toList();
    }

    /** One weight {@code constant * g} of a coefficient {@code q_mu}, {@code g} the cotangent of the component. */
    public record Weight(Degree degree, Component component, HarmonicConstant constant) {
    }

    /**
     * The coefficient {@code q_mu} of the monomial {@code x^xPower y^yPower z^zPower} of {@code Q}, its weights (in
     * order of the components) scaled by the folded factor {@code factor}.
     */
    public record Coefficient(int xPower, int yPower, int zPower, int factor, List<Weight> weights) {

        public Coefficient {
            weights = List.copyOf(weights);
        }

        /** The monomial's degree. */
        public int degree() {
            return xPower + yPower + zPower;
        }
    }

    /**
     * A term {@code factor * q * dmu} of one axis' gradient: {@code q} is {@link #coefficients()}{@code
     * .get(coefficient)}, {@code dmu} the monomial {@code x^xPower y^yPower z^zPower}.
     */
    public record Derivative(int coefficient, int xPower, int yPower, int zPower, int factor) {

        /** The degree of {@code dmu}. */
        public int degree() {
            return xPower + yPower + zPower;
        }
    }

    /** The gradient polynomial of {@code model}'s requested degrees above 0. */
    public static PolynomialGradient of(SphericalHarmonicsModel model) {
        Comparator<List<Integer>> order = Comparator.<List<Integer>>comparingInt(m -> m.get(0) + m.get(1) + m.get(2))
                .thenComparing(m -> -m.get(0)).thenComparing(m -> -m.get(1));
        Map<List<Integer>, List<Weight>> byMonomial = new TreeMap<>(order);
        for (Degree degree : model.degrees()) {
            if (degree.l() == 0) {
                continue;
            }
            for (Component c : degree.components()) {
                HarmonicConstant n = model.constant(degree, c);
                for (Term t : c.terms()) {
                    List<Integer> powers = List.of(t.xPower(), t.yPower(), t.zPower());
                    SqrtRational scaled = n.algebraic().multiply(SqrtRational.of(BigFraction.of(
                            t.coefficient().multiply(BigInteger.valueOf(commonFactor(powers))))));
                    byMonomial.computeIfAbsent(powers, m -> new ArrayList<>())
                            .add(new Weight(degree, c, new HarmonicConstant(scaled, n.overSqrtFourPi())));
                }
            }
        }
        List<Coefficient> coefficients = new ArrayList<>();
        List<Map<List<Integer>, Derivative>> axes = List.of(new TreeMap<>(order), new TreeMap<>(order),
                new TreeMap<>(order));
        byMonomial.forEach((powers, weights) -> {
            int factor = commonFactor(powers);
            for (int axis = 0; axis < 3; axis++) {
                int power = powers.get(axis);
                if (power > 0) {
                    List<Integer> derivative = new ArrayList<>(powers);
                    derivative.set(axis, power - 1);
                    // each monomial mu of Q has its own derivative mu / a along a: no two terms of an axis meet
                    axes.get(axis).put(derivative, new Derivative(coefficients.size(), derivative.get(0),
                            derivative.get(1), derivative.get(2), power / factor));
                }
            }
            coefficients.add(new Coefficient(powers.get(0), powers.get(1), powers.get(2), factor, weights));
        });
        return new PolynomialGradient(coefficients, axes.stream().map(m -> List.copyOf(m.values())).toList());
    }

    /** The greatest common divisor of the non-zero powers (1 for the constant monomial). */
    private static int commonFactor(List<Integer> powers) {
        int factor = 0;
        for (int power : powers) {
            factor = BigInteger.valueOf(factor).gcd(BigInteger.valueOf(power)).intValueExact();
        }
        return Math.max(factor, 1);
    }
}
