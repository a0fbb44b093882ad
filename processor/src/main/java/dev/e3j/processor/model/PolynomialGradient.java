package dev.e3j.processor.model;

import dev.e3j.processor.math.SqrtRational;
import dev.e3j.processor.model.SphericalHarmonicsModel.Component;
import dev.e3j.processor.model.SphericalHarmonicsModel.Degree;
import dev.e3j.processor.model.SphericalHarmonicsModel.Term;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.numbers.fraction.BigFraction;

/**
 * The backward of the harmonics as one polynomial per axis: with {@code g_k} the cotangent of component {@code k}
 * ({@code Y_k = N_k P_k}), the gradient along axis {@code a} of {@code sum_k g_k Y_k} is
 * {@code sum_mu mu * A_mu}, {@code mu} running over the monomials of the derivatives and
 * {@code A_mu = sum_k (N_k c_k,mu) g_k} with {@code c_k,mu} the integer coefficient of {@code mu} in
 * {@code dP_k/da}. Each {@code N_k c} is exact and is rounded once. Where the derivatives take {@code 3 (2l + 1)}
 * polynomials weighted one by one, this takes one coefficient per monomial and axis: the cotangent is contracted
 * before the monomials, not after.
 *
 * @param axes per axis ({@code 0 = x, 1 = y, 2 = z}) its monomials, by degree then by powers
 */
public record PolynomialGradient(List<List<Monomial>> axes) {

    public PolynomialGradient {
        axes = axes.stream().map(List::copyOf).toList();
    }

    /** One weight {@code constant * g} of a coefficient {@code A_mu}, {@code g} the cotangent of the component. */
    public record Weight(Degree degree, Component component, HarmonicConstant constant) {
    }

    /** The monomial {@code x^xPower y^yPower z^zPower} of one axis and its weights, in order of the components. */
    public record Monomial(int xPower, int yPower, int zPower, List<Weight> weights) {

        public Monomial {
            weights = List.copyOf(weights);
        }

        /** The monomial's degree. */
        public int degree() {
            return xPower + yPower + zPower;
        }
    }

    /** The gradient polynomials of {@code model}'s requested degrees above 0. */
    public static PolynomialGradient of(SphericalHarmonicsModel model) {
        List<List<Monomial>> axes = new ArrayList<>();
        Comparator<List<Integer>> order = Comparator.<List<Integer>>comparingInt(m -> m.get(0) + m.get(1) + m.get(2))
                .thenComparing(m -> -m.get(0)).thenComparing(m -> -m.get(1));
        for (int axis = 0; axis < 3; axis++) {
            Map<List<Integer>, List<Weight>> byMonomial = new TreeMap<>(order);
            for (Degree degree : model.degrees()) {
                for (Component c : degree.components()) {
                    HarmonicConstant n = model.constant(degree, c);
                    for (Term t : c.derivative(axis)) {
                        SqrtRational scaled = n.algebraic().multiply(SqrtRational.of(BigFraction.of(t.coefficient())));
                        byMonomial.computeIfAbsent(List.of(t.xPower(), t.yPower(), t.zPower()), m -> new ArrayList<>())
                                .add(new Weight(degree, c, new HarmonicConstant(scaled, n.overSqrtFourPi())));
                    }
                }
            }
            List<Monomial> monomials = new ArrayList<>();
            byMonomial.forEach((m, weights) -> monomials.add(new Monomial(m.get(0), m.get(1), m.get(2), weights)));
            axes.add(monomials);
        }
        return new PolynomialGradient(axes);
    }
}
