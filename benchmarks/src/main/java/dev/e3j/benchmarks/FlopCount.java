package dev.e3j.benchmarks;

import dev.e3j.annotations.ShNormalization;
import dev.e3j.processor.math.ProductBasis;
import dev.e3j.processor.math.ProductBasis.Monomial;
import dev.e3j.processor.model.CgTerm;
import dev.e3j.processor.model.PathModel;
import dev.e3j.processor.model.SphericalHarmonicsModel;
import dev.e3j.processor.model.SphericalHarmonicsModel.Component;
import dev.e3j.processor.model.SphericalHarmonicsModel.Degree;
import dev.e3j.processor.model.SphericalHarmonicsModel.Term;
import dev.e3j.processor.model.SymmetricContractionModel;
import dev.e3j.processor.model.SymmetricContractionModel.Basis;
import dev.e3j.processor.model.SymmetricContractionModel.Contraction;
import dev.e3j.processor.model.TensorProductModel;
import java.util.ArrayList;
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
 *
 * <p>Symmetric contraction per node, counted per channel and times the channels: for each output irrep and degree
 * {@code ν}, the polynomials {@code P_νk[m](f) = Σ U_ν[m][i1]...[iν][k] f[i1]...f[iν]} of the basis' columns
 * {@code k}, written in monomials (the non-zero entries of {@code U_ν} summed over the orderings of each multiset of
 * indices, exactly). Not the dense contraction MACE's einsums compute ({@code (2L+1) D^ν K} multiply-adds per channel,
 * most of them with zeros): the sparse work any implementation must do. A column whose polynomial is an exact
 * multiple of an earlier one's ({@code P_νk = ρ P_νj}, MACE's paths through the same irreps in another order) is
 * counted once, with its weight folded into the first's, as e3j evaluates it. Per group of proportional columns
 * ({@code G} columns, {@code R} rows {@code m} with monomials):
 * <ul>
 *   <li>forward: {@code ν + 1} per monomial ({@code ν} multiplies: the coefficient and the factors; one add),
 *       {@code 2 (G - 1)} for the combined weight {@code v = w_j + Σ ρ_k w_k} and {@code 2 R} for
 *       {@code out[m] += v P[m]};</li>
 *   <li>gradients: w.r.t. the features, {@code ν + 1} per monomial and distinct index {@code a} in it (the
 *       derivative's coefficient and {@code ν - 1} factors, times {@code v g[m]}, added into {@code gradF[a]}) and
 *       {@code R} for {@code v g[m]}; w.r.t. the weights, the monomials again ({@code ν + 1} each), {@code 2 R} for
 *       {@code t = Σ_m g[m] P[m]} and {@code 2 G} for {@code gradW_k += ρ_k t}.</li>
 * </ul>
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

    static FlopCount of(SymmetricContractionModel model) {
        long forward = 0;
        long gradients = 0;
        for (Contraction contraction : model.contractions()) {
            for (Basis basis : contraction.bases()) {
                long degree = basis.degree();
                for (List<List<Monomial>> group : proportionalColumns(basis.basis().polynomials())) {
                    List<Monomial> polynomial = group.get(0);
                    long monomials = polynomial.size();
                    long rows = polynomial.stream().mapToInt(Monomial::m).distinct().count();
                    long derivatives = polynomial.stream()
                            .mapToLong(monomial -> monomial.indices().stream().distinct().count()).sum();
                    long members = group.size();
                    forward += (degree + 1) * monomials + 2 * (members - 1) + 2 * rows;
                    gradients += (degree + 1) * derivatives + rows + (degree + 1) * monomials + 2 * rows
                            + 2 * members;
                }
            }
        }
        return new FlopCount(forward * model.channels(), (forward + gradients) * model.channels());
    }

    /**
     * The columns of one basis (its monomials by column, as {@code ProductBasis.polynomials()} orders them), grouped
     * so that each column's polynomial is an exact multiple of its group's first, as the generated kernel groups them.
     */
    private static List<List<List<Monomial>>> proportionalColumns(List<Monomial> monomials) {
        List<List<List<Monomial>>> groups = new ArrayList<>();
        for (List<Monomial> column : ProductBasis.byColumn(monomials)) {
            groups.stream().filter(group -> ProductBasis.proportion(column, group.get(0)).isPresent()).findFirst()
                    .ifPresentOrElse(group -> group.add(column),
                            () -> groups.add(new ArrayList<>(List.of(column))));
        }
        return groups;
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
