package dev.e3j.benchmarks;

import dev.e3j.annotations.ShNormalization;
import dev.e3j.processor.model.CgTerm;
import dev.e3j.processor.model.PathModel;
import dev.e3j.processor.model.SphericalHarmonicsModel;
import dev.e3j.processor.model.SphericalHarmonicsModel.Component;
import dev.e3j.processor.model.SphericalHarmonicsModel.Degree;
import dev.e3j.processor.model.SphericalHarmonicsModel.Term;
import dev.e3j.processor.model.TensorProductModel;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Useful floating-point operations per sample, counted from the exact model (a multiply, an add or a square root
 * is one operation; an FMA is two). Work a kernel may do besides (index arithmetic, zeroing) is not counted, so
 * GFLOP/s computed from these counts is a lower bound of what the hardware executed.
 *
 * <p>Tensor product, per path and per visited channel pair {@code (u, v)} (P pairs, T nonzero CG terms, K distinct
 * output components, W output channels of a mixing mode):
 * <ul>
 *   <li>forward: {@code t_k = sum C x1_i x2_j} costs 3 per term; applying the weights costs {@code 2 K W}
 *       ({@code uvw}), {@code 2 K} (weighted, e.g. {@code uvu}) or {@code K} (unweighted);</li>
 *   <li>gradient w.r.t. x1 (and likewise x2): {@code g_k = sum_w W gradOut_k} as the weight step, then
 *       {@code gradX1_i += C x2_j g_k}, 3 per term;</li>
 *   <li>gradient w.r.t. the weights: {@code t_k} again (3 per term), then {@code 2 K} per weight.</li>
 * </ul>
 * Backward is "forward plus all gradients", as the benchmarks run it.
 *
 * <p>Spherical harmonics per point: normalizing {@code r / |r|} (3 multiplies, 2 adds, a square root, 3 divides);
 * each distinct monomial once (one multiply); two per polynomial term; one scale per component. The gradient adds
 * the three derivative polynomials of every component (two per term, one scale, one multiply-add into each
 * output) and the projection through the normalization ({@code (g - (g . r) r) / |r|}: 3 + 2 + 3 + 3).
 */
record FlopCount(long forward, long backward) {

    static FlopCount of(TensorProductModel model) {
        long forward = 0;
        long gradients = 0;
        for (PathModel path : model.paths()) {
            if (path.isVacuous()) {
                continue;
            }
            int mul1 = path.entry1().mul();
            int mul2 = path.entry2().mul();
            long pairs = path.mode().pairs(mul1, mul2);
            long terms = path.terms().size();
            long components = path.terms().stream().mapToInt(CgTerm::k).distinct().count();
            long channels = path.mode().mixesChannels() ? path.entryOut().mul() : 1;
            long weightStep = !path.weighted() ? components
                    : path.mode().mixesChannels() ? 2 * components * channels : 2 * components;
            long contraction = 3 * terms;
            forward += pairs * (contraction + weightStep);
            long gradInputs = 2 * pairs * (weightStep + contraction);
            long gradWeights = path.weighted() ? pairs * (contraction + weightStep) : 0;
            gradients += gradInputs + gradWeights;
        }
        return new FlopCount(forward, forward + gradients);
    }

    static FlopCount of(SphericalHarmonicsModel model) {
        long normalization = model.normalize() ? 9 : 0;
        long forward = normalization;
        long gradients = model.normalize() ? 11 : 0;
        Set<List<Integer>> monomials = new HashSet<>();
        for (Degree degree : model.degrees()) {
            for (Component component : degree.components()) {
                for (Term term : component.terms()) {
                    monomials.add(List.of(term.xPower(), term.yPower(), term.zPower()));
                }
                forward += 2L * component.terms().size() + 1;
                long derivativeTerms = IntStream.range(0, 3).mapToLong(axis -> component.derivative(axis).size())
                        .sum();
                gradients += 2 * derivativeTerms + 3 + 3 * 2;
            }
        }
        forward += monomials.size();
        if (model.normalization() != ShNormalization.COMPONENT) {
            forward += model.dim();
        }
        return new FlopCount(forward, forward + gradients);
    }

    long perSample(Pass pass) {
        return pass == Pass.FORWARD ? forward : backward;
    }
}
