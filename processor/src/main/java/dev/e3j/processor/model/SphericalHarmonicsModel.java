package dev.e3j.processor.model;

import dev.e3j.annotations.Precision;
import dev.e3j.annotations.ShNormalization;
import dev.e3j.processor.diagnostics.Location;
import dev.e3j.processor.diagnostics.Message;
import dev.e3j.processor.diagnostics.Problem;
import dev.e3j.processor.math.Polynomial;
import dev.e3j.processor.math.SphericalHarmonicPolynomials;
import dev.e3j.processor.math.SqrtRational;
import dev.e3j.processor.math.Wigner3j;
import dev.e3j.runtime.Irrep;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.Irreps.MulIrrep;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.apache.commons.numbers.fraction.BigFraction;

/**
 * The exact plan of e3nn's {@code o3.spherical_harmonics(ls, x, normalize, normalization)}.
 *
 * <p>Each component is {@code Y^l_m(x, y, z) = scale * P(x, y, z)}, {@code P} a homogeneous polynomial of degree
 * {@code l} with coprime integer coefficients and {@code scale = ±sqrt(p/q)} its component-normalized prefactor
 * ({@code ||Y^l||^2 = 2l + 1} on the unit sphere). {@code NORM} divides it by {@code sqrt(2l + 1)},
 * {@code INTEGRAL} by {@code sqrt(4 pi)}. Factoring the one radical out keeps the polynomial exact in floating
 * point and rounds each component's constant once.
 *
 * @param ls      the requested degrees, in order, repeats kept (the output layout)
 * @param degrees the distinct degrees, ascending, with where each occurs in the output
 * @param irrepsOut the output irreps: {@code 1x0e+1x1o+...} in the order of {@code ls}, parity {@code (-1)^l}, or
 *     e3nn's {@code irreps_out} as written
 * @param precision the floating-point types the kernel is written for
 * @param cuda      whether CUDA sources are written beside the Java kernel
 */
public record SphericalHarmonicsModel(List<Integer> ls, ShNormalization normalization, boolean normalize,
                                      List<Degree> degrees, Irreps irrepsOut, Precision precision, boolean cuda) {

    /** A monomial {@code coefficient * x^xPower y^yPower z^zPower}. */
    public record Term(int xPower, int yPower, int zPower, BigInteger coefficient) {
    }

    /**
     * One component {@code m} (index {@code m + l} in e3nn's real basis) with its component-normalized scale
     * {@code sign * sqrt(scaleSquare)}.
     */
    public record Component(int index, int scaleSign, BigFraction scaleSquare, List<Term> terms) {
        public Component {
            terms = List.copyOf(terms);
        }

        /** The component-normalized scale {@code N}. */
        public SqrtRational scale() {
            return SqrtRational.signedSqrt(scaleSign, scaleSquare);
        }

        /** {@code d P / d axis} ({@code 0 = x, 1 = y, 2 = z}), integer coefficients, same scale. */
        public List<Term> derivative(int axis) {
            List<Term> out = new ArrayList<>();
            for (Term t : terms) {
                int power = axis == 0 ? t.xPower() : axis == 1 ? t.yPower() : t.zPower();
                if (power > 0) {
                    out.add(new Term(t.xPower() - (axis == 0 ? 1 : 0), t.yPower() - (axis == 1 ? 1 : 0),
                            t.zPower() - (axis == 2 ? 1 : 0), t.coefficient().multiply(BigInteger.valueOf(power))));
                }
            }
            return out;
        }
    }

    /** Degree {@code l}: its {@code 2l + 1} components and the output offsets of its occurrences in {@code ls}. */
    public record Degree(int l, List<Component> components, List<Integer> offsets) {
        public Degree {
            components = List.copyOf(components);
            offsets = List.copyOf(offsets);
        }
    }

    /** A coefficient {@code sign * sqrt(square)} of an exact polynomial, before factoring. */
    public record ExactTerm(int xPower, int yPower, int zPower, int sign, BigFraction square) {
    }

    public SphericalHarmonicsModel {
        ls = List.copyOf(ls);
        degrees = List.copyOf(degrees);
    }

    /**
     * The largest degree e3j generates. e3nn 0.5.4's closed forms stop at 11; the exact polynomials go further and
     * stay accurate (integer coefficients of at most 38 bits, exact in a double; equivariance error about 1e-13 at
     * {@code l = 20}), but the kernel grows as {@code l^3} (1620 monomials at {@code l = 20}), so beyond 20 the
     * generated class and its compilation grow out of proportion to any use.
     */
    public static final int MAX_DEGREE = 20;

    /**
     * Validates {@code spec} (exactly one of {@code lmax} and {@code ls}, degrees in {@code 0..MAX_DEGREE}) and
     * plans its degrees.
     *
     * @throws InvalidSpecException listing every problem found
     */
    public static SphericalHarmonicsModel build(SphericalHarmonicsSpec spec) throws InvalidSpecException {
        if (!spec.irreps().isBlank()) {
            return fromIrreps(spec);
        }
        List<Problem> problems = new ArrayList<>();
        if (spec.ls().isEmpty()) {
            if (spec.lmax() < 0) {
                problems.add(Problem.at(Location.attribute("lmax"), Message.DEGREES_MISSING, spec.lmax()));
            } else if (spec.lmax() > MAX_DEGREE) {
                problems.add(Problem.at(Location.attribute("lmax"), Message.LMAX_TOO_LARGE, spec.lmax(), MAX_DEGREE));
            }
        } else if (spec.lmax() != -1) {
            problems.add(Problem.at(Location.attribute("ls"), Message.LMAX_AND_LS, spec.lmax(), spec.ls()));
        }
        for (int i = 0; i < spec.ls().size(); i++) {
            int l = spec.ls().get(i);
            if (l < 0) {
                problems.add(Problem.at(new Location("ls", i, null), Message.NEGATIVE_DEGREE, i, l));
            } else if (l > MAX_DEGREE) {
                problems.add(Problem.at(new Location("ls", i, null), Message.DEGREE_TOO_LARGE, i, l, MAX_DEGREE));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(problems);
        }
        List<Integer> ls = spec.ls().isEmpty()
                ? IntStream.rangeClosed(0, spec.lmax()).boxed().toList() : spec.ls();
        SphericalHarmonicsModel model = of(ls, spec.normalization(), spec.normalize());
        return written(model, model.irrepsOut(), spec);
    }

    /**
     * e3nn's {@code SphericalHarmonics(irreps_out, ...)}: {@code mul} copies of each entry's degree, the parities
     * checked as e3nn checks them ({@link Irreps#sphericalHarmonicsInput}), and the irreps kept as written.
     */
    private static SphericalHarmonicsModel fromIrreps(SphericalHarmonicsSpec spec) throws InvalidSpecException {
        List<Problem> problems = new ArrayList<>();
        if (spec.lmax() != -1 || !spec.ls().isEmpty()) {
            problems.add(Problem.at(Location.attribute("irreps"), Message.DEGREES_TWICE, "lmax = " + spec.lmax()
                    + ", ls = " + spec.ls() + ", irreps = \"" + spec.irreps() + "\""));
        }
        Irreps irreps = IrrepsAttribute.parse(spec.irreps(), "irreps", problems);
        List<Integer> ls = new ArrayList<>();
        if (problems.isEmpty()) {
            try {
                irreps.sphericalHarmonicsInput();
            } catch (IllegalArgumentException e) {
                problems.add(Problem.at(Location.attribute("irreps"), Message.SH_IRREPS, spec.irreps(),
                        e.getMessage()));
            }
            for (MulIrrep entry : irreps) {
                if (entry.ir().l() > MAX_DEGREE) {
                    problems.add(Problem.at(Location.attribute("irreps"), Message.SH_IRREPS, spec.irreps(),
                            entry + " exceeds degree " + MAX_DEGREE + ", the largest e3j generates"));
                }
                for (int u = 0; u < entry.mul(); u++) {
                    ls.add(entry.ir().l());
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(problems);
        }
        return written(of(ls, spec.normalization(), spec.normalize()), irreps, spec);
    }

    /** {@code model} with the output irreps {@code irrepsOut} and the back ends of {@code spec}. */
    private static SphericalHarmonicsModel written(SphericalHarmonicsModel model, Irreps irrepsOut,
                                                   SphericalHarmonicsSpec spec) {
        return new SphericalHarmonicsModel(model.ls(), model.normalization(), model.normalize(), model.degrees(),
                irrepsOut, spec.precision(), spec.cuda());
    }

    /**
     * Plans {@code ls} from the exact component-normalized polynomials of {@link SphericalHarmonicPolynomials}, for
     * the Java back end in double precision.
     */
    public static SphericalHarmonicsModel of(List<Integer> ls, ShNormalization normalization, boolean normalize) {
        int lmax = ls.stream().mapToInt(Integer::intValue).max().orElse(0);
        List<List<List<ExactTerm>>> polynomials = new ArrayList<>();
        for (int l = 0; l <= lmax; l++) {
            List<List<ExactTerm>> components = new ArrayList<>();
            for (Polynomial component : SphericalHarmonicPolynomials.component(l)) {
                components.add(component.terms().stream()
                        .map(t -> new ExactTerm(t.xPower(), t.yPower(), t.zPower(), t.coefficient().signum(),
                                t.coefficient().square()))
                        .toList());
            }
            polynomials.add(components);
        }
        return of(ls, normalization, normalize, polynomials);
    }

    /**
     * Plans {@code ls}, for the Java back end in double precision; {@code polynomials.get(l).get(m + l)} is the exact
     * component-normalized {@code Y^l_m} as its terms.
     */
    public static SphericalHarmonicsModel of(List<Integer> ls, ShNormalization normalization, boolean normalize,
                                             List<List<List<ExactTerm>>> polynomials) {
        TreeMap<Integer, List<Integer>> offsets = new TreeMap<>();
        int offset = 0;
        for (int l : ls) {
            offsets.computeIfAbsent(l, k -> new ArrayList<>()).add(offset);
            offset += 2 * l + 1;
        }
        List<Degree> degrees = new ArrayList<>();
        offsets.forEach((l, at) -> {
            List<Component> components = new ArrayList<>();
            List<List<ExactTerm>> byComponent = polynomials.get(l);
            for (int i = 0; i < 2 * l + 1; i++) {
                components.add(factor(i, byComponent.get(i)));
            }
            degrees.add(new Degree(l, components, at));
        });
        List<MulIrrep> entries = new ArrayList<>();
        for (int l : ls) {
            entries.add(MulIrrep.of(1, Irrep.of(l, Irrep.shParity(l))));
        }
        return new SphericalHarmonicsModel(ls, normalization, normalize, degrees, Irreps.of(entries), Precision.DOUBLE,
                false);
    }

    /**
     * The exact constant of a component under this normalization, from its component-normalized scale {@code N}:
     * {@code N} ({@code COMPONENT}), {@code N / sqrt(2l + 1)} ({@code NORM}), {@code N / sqrt(4 pi)}
     * ({@code INTEGRAL}).
     */
    public HarmonicConstant constant(Degree degree, Component component) {
        SqrtRational scale = component.scale();
        return new HarmonicConstant(normalization == ShNormalization.NORM
                ? scale.divide(SqrtRational.sqrtOf(BigFraction.of(2 * degree.l() + 1))) : scale,
                normalization == ShNormalization.INTEGRAL);
    }

    /**
     * Degree {@code l}'s components, whether requested or only a step of the recursion: the same integer
     * polynomials and component-normalized scales whatever this model's normalization.
     */
    public List<Component> components(int l) {
        for (Degree degree : degrees) {
            if (degree.l() == l) {
                return degree.components();
            }
        }
        return of(List.of(l), ShNormalization.COMPONENT, normalize).degrees().get(0).components();
    }

    /**
     * The {@link LoweredGradient} of each requested degree {@code l > 0}, by degree: {@code get(l).get(axis).get(k)}
     * holds the coefficients {@code i -> c} of {@code d P^l_k / d axis = sum_i c P^{l-1}_i}.
     */
    public Map<Integer, List<List<Map<Integer, BigFraction>>>> loweredGradients() {
        Map<Integer, List<List<Map<Integer, BigFraction>>>> gradients = new TreeMap<>();
        for (Degree degree : degrees) {
            if (degree.l() > 0) {
                gradients.put(degree.l(), LoweredGradient.of(degree.components(), components(degree.l() - 1)));
            }
        }
        return Collections.unmodifiableMap(gradients);
    }

    /**
     * The {@link LoweredGradient} of degree {@code l >= 1}, requested or not: {@code get(axis).get(k)} holds the
     * coefficients {@code i -> c} of {@code d P^l_k / d axis = sum_i c P^{l-1}_i}. Applied twice it gives the exact
     * second derivatives {@code d^2 P^l_k / da db = sum_ij c^l[a][k][i] c^{l-1}[b][i][j] P^{l-2}_j}.
     */
    public List<List<Map<Integer, BigFraction>>> loweredGradient(int l) {
        return LoweredGradient.of(components(l), components(l - 1));
    }

    /** One exact term {@code q P^l_i v_j} of {@code P^{l+1}_k} ({@code v = (x, y, z)}, {@code j} its axis). */
    public record Raise(int i, int j, SqrtRational q) {
    }

    /**
     * {@code P^{l+1}_k = sum q_ijk P^l_i v_j} for {@code l = 1..lmax-1}, indexed {@code [l - 1][k]}: e3nn's recursion
     * {@code Y^{l+1}_k = f_l sum_ij w3j(l, 1, l+1)[i][j][k] Y^l_i v_j} rewritten for the integer polynomials
     * {@code P = Y / N}, so {@code q_ijk = f_l w3j_ijk N^l_i / N^{l+1}_k}, exact (the component-normalized
     * {@code N}: the recursion runs on the polynomials, whatever this model's normalization).
     */
    public List<List<List<Raise>>> raisings() {
        int lmax = degrees.get(degrees.size() - 1).l();
        SphericalHarmonicsModel all = of(IntStream.rangeClosed(0, lmax).boxed().toList(), ShNormalization.COMPONENT,
                normalize);
        List<List<List<Raise>>> raisings = new ArrayList<>();
        for (int l = 1; l < lmax; l++) {
            List<Component> lower = all.degrees().get(l).components();
            List<Component> upper = all.degrees().get(l + 1).components();
            SqrtRational factor = SphericalHarmonicPolynomials.raisingFactor(l);
            List<List<Raise>> byK = new ArrayList<>();
            upper.forEach(component -> byK.add(new ArrayList<>()));
            for (Wigner3j.Entry entry : Wigner3j.of(l, 1, l + 1).nonzero()) {
                SqrtRational q = factor.multiply(entry.value()).multiply(lower.get(entry.i()).scale())
                        .divide(upper.get(entry.k()).scale());
                byK.get(entry.k()).add(new Raise(entry.i(), entry.j(), q));
            }
            raisings.add(byK.stream().map(List::copyOf).toList());
        }
        return List.copyOf(raisings);
    }

    public int dim() {
        return ls.stream().mapToInt(l -> 2 * l + 1).sum();
    }

    /**
     * Writes {@code sum_i s_i sqrt(q_i) m_i} as {@code scale * sum_i n_i m_i} with coprime integers {@code n_i}:
     * all {@code q_i / q_0} are squares of rationals (one radical per component), so
     * {@code scale = s_0 sqrt(q_0) / r_0} with {@code r_i = s_i s_0 sqrt(q_i / q_0)} brought to coprime integers.
     */
    static Component factor(int index, List<ExactTerm> exact) {
        List<ExactTerm> nonZero = exact.stream().filter(t -> t.sign() != 0 && t.square().signum() != 0).toList();
        if (nonZero.isEmpty()) {
            return new Component(index, 0, BigFraction.ZERO, List.of());
        }
        ExactTerm first = nonZero.get(0);
        List<BigFraction> ratios = new ArrayList<>();
        BigInteger denominators = BigInteger.ONE;
        for (ExactTerm t : nonZero) {
            BigFraction ratio = rationalSqrt(t.square().divide(first.square()));
            ratio = t.sign() == first.sign() ? ratio : ratio.negate();
            ratios.add(ratio);
            BigInteger d = ratio.getDenominator();
            denominators = denominators.divide(denominators.gcd(d)).multiply(d);
        }
        BigInteger numerators = BigInteger.ZERO;
        List<BigInteger> integers = new ArrayList<>();
        for (BigFraction ratio : ratios) {
            BigInteger n = ratio.multiply(BigFraction.of(denominators)).getNumerator();
            integers.add(n);
            numerators = numerators.gcd(n);
        }
        List<Term> terms = new ArrayList<>();
        for (int i = 0; i < nonZero.size(); i++) {
            ExactTerm t = nonZero.get(i);
            terms.add(new Term(t.xPower(), t.yPower(), t.zPower(), integers.get(i).divide(numerators)));
        }
        // first = s_0 sqrt(q_0) = scale * n_0 with n_0 = denominators / numerators (its ratio is 1).
        BigFraction n0 = BigFraction.of(denominators).divide(BigFraction.of(numerators));
        return new Component(index, first.sign(), first.square().divide(n0.multiply(n0)), terms);
    }

    private static BigFraction rationalSqrt(BigFraction square) {
        BigInteger p = square.getNumerator().sqrt();
        BigInteger q = square.getDenominator().sqrt();
        if (!p.multiply(p).equals(square.getNumerator()) || !q.multiply(q).equals(square.getDenominator())) {
            throw new IllegalStateException("coefficients of one component carry different radicals: " + square);
        }
        return BigFraction.of(p, q);
    }
}
