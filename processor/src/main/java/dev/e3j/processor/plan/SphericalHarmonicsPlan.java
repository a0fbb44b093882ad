package dev.e3j.processor.plan;

import dev.e3j.processor.model.FactoredHarmonics;
import dev.e3j.processor.model.LoweredGradient;
import dev.e3j.processor.model.PolynomialGradient;
import dev.e3j.processor.model.SphericalHarmonicsModel;
import dev.e3j.processor.model.SphericalHarmonicsModel.Component;
import dev.e3j.processor.model.SphericalHarmonicsModel.Degree;
import dev.e3j.processor.model.SphericalHarmonicsModel.Raise;
import dev.e3j.processor.model.SphericalHarmonicsModel.Term;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.commons.numbers.fraction.BigFraction;

/**
 * How a spherical-harmonics kernel is computed, decided once from its exact model and then only read: whether the
 * values come from monomials or from e3nn's recursion over the degrees, whether they are computed point by point as
 * they are stored or in points-last rows first, the points-last scratch rows of the values and of the gradient
 * weights, which gradient the backward takes, and, for the scalar gradient, its methods (parts of whole degrees,
 * slices of one degree's components, or one derivative axis) and the group methods that call them.
 *
 * @param model            the exact model
 * @param raisings         the recursion {@code P^{l+1}_k = sum_ij q_ijk P^l_i v_j} ({@link
 *                         SphericalHarmonicsModel#raisings()}) from {@link #RECURSION_FROM_LMAX} on; empty below,
 *                         where the values are written from monomials
 * @param fusedValueStore  whether the forward computes each point's values in the loop that stores them (up to
 *                         {@link #FUSED_VALUE_STORE_MAX_LMAX}), after the points-last normalization, rather than in
 *                         points-last rows copied out afterwards
 * @param factored         the factored form ({@link FactoredHarmonics}) in which the forward computes each point's
 *                         values where it stores them, above {@link #FUSED_VALUE_STORE_MAX_LMAX} and up to
 *                         {@link #FACTORED_VALUE_STORE_MAX_LMAX}; else empty
 * @param valueRows        first scratch row of each degree the values compute: none for {@code P^0 = 1}, none for
 *                         {@code P^1} when its components are the coordinates themselves ({@link #coordinate}); none
 *                         at all with {@code fusedValueStore}; with {@code factored}, only those the backward
 *                         reads (the degrees below lmax)
 * @param weightRows       scratch row of {@code w = N * sum_offsets gradOut} of each component {@code (l, index)} of
 *                         each degree {@code l > 0}, in order, for the points-last gradient (after
 *                         {@code weightRowBase}); the gradient's rows {@code d/dx, d/dy, d/dz} follow them; empty for
 *                         the other gradients
 * @param gradient         which gradient the backward takes, in both precisions
 * @param weightRowBase    first scratch row of the gradient weights: after the value rows when the backward computes
 *                         values too ({@link Gradient#LOWERED_POINTS_LAST})
 * @param loweredGradients {@link LoweredGradient} of each requested degree above
 *                         {@link #POLYNOMIAL_GRADIENT_MAX_LMAX}, where a gradient goes through the degree below;
 *                         empty otherwise
 * @param gradientParts    the scalar gradient's methods in call order ({@link Gradient#SCALAR}; else empty)
 * @param gradientGroups   methods calling {@link #MAX_CALLS_PER_METHOD} parts each, where the parts are more; else
 *                         empty
 */
public record SphericalHarmonicsPlan(SphericalHarmonicsModel model, List<List<List<Raise>>> raisings,
                                     boolean fusedValueStore, Optional<FactoredHarmonics> factored,
                                     Map<Integer, Integer> valueRows,
                                     Map<List<Integer>, Integer> weightRows, Gradient gradient, int weightRowBase,
                                     Map<Integer, List<List<Map<Integer, BigFraction>>>> loweredGradients,
                                     List<Part> gradientParts, List<Group> gradientGroups) {

    /** Estimated bytecode per method, well under HotSpot's 8000-byte limit for compiling a method. */
    public static final int BYTECODE_BUDGET = 5000;
    /**
     * Method calls per method, about 15 bytes each: a block method calls the loop methods directly up to this many,
     * else through group methods that each call this many.
     */
    public static final int MAX_CALLS_PER_METHOD = 100;
    /**
     * Loops per method. C2 compiles each vectorized loop into a pre-loop, an unrolled vector body and a post-loop;
     * a method of some forty such loops (lmax 6) was never compiled at tier 4 within seconds, and ran 10 times slower.
     */
    public static final int LOOPS_PER_METHOD = 6;
    /** The points-last loops packed into methods: {@link #BYTECODE_BUDGET}, {@link #LOOPS_PER_METHOD}. */
    public static final MethodPacker LOOPS = new MethodPacker(BYTECODE_BUDGET, LOOPS_PER_METHOD);
    /** Calls packed into group methods: {@link #MAX_CALLS_PER_METHOD}. */
    public static final MethodPacker CALLS = MethodPacker.ofCount(MAX_CALLS_PER_METHOD);
    /**
     * From this lmax on, values come from the recursion over degrees rather than from monomials: fewer operations
     * once the monomials of degree up to lmax outnumber the recursion's terms.
     */
    public static final int RECURSION_FROM_LMAX = 6;
    /**
     * Up to this lmax the forward computes a point's values where it stores them, straight-line code per point over
     * the normalized coordinates (their division and square root stay vectorized): the strided stores into
     * {@code out[point * dim + component]} dominate, and the few multiplications per component take no longer
     * than reloading a points-last row. One thread, 100000 points, lmax 3: f64 20-23 against 12-12.5 ns per point,
     * f32 11-12.5 against 9-9.5. At lmax 6 (the recursion) the same per point was slower: f64 95-124 against 68-71,
     * f32 85 against 45-47.
     */
    public static final int FUSED_VALUE_STORE_MAX_LMAX = 3;
    /**
     * Above {@link #FUSED_VALUE_STORE_MAX_LMAX} and up to this lmax the forward computes each point's values where
     * it stores them in the factored form ({@link FactoredHarmonics}: about 3 operations per Legendre factor and 2
     * per component), after the points-last normalization, instead of value rows and their transposing copy. One
     * thread, 100000 points, lmax 6, by thread CPU time under load: f64 38-54 against 73-150 ns per point, f32
     * 31-37 against 44-98 (sphericart 36 and 31). Not measured above lmax 6, where the rows stay.
     */
    public static final int FACTORED_VALUE_STORE_MAX_LMAX = 6;
    /**
     * Up to this lmax the gradient is that of one polynomial per point with the cotangent contracted into its
     * coefficients first ({@link Gradient#POLYNOMIAL}), in both precisions. Measured at lmax 3, forward + backward of 100000 points in
     * blocks of 1000, one thread, by thread CPU time: float32 31.6-32.1 ns per point where the points-last loops over
     * the derivatives took 32.4-42.0 (under load, {@code h/shp}); float64 23.6-26.5 against 30.3-33.4 by the best of
     * each of six JVM runs, alternated (under load, {@code h/shbw}). Above lmax 3 the gradient goes through the
     * degree below.
     */
    public static final int POLYNOMIAL_GRADIENT_MAX_LMAX = 3;
    /**
     * Above {@link #POLYNOMIAL_GRADIENT_MAX_LMAX} and up to this lmax the gradient goes points-last through the
     * values of the degree below ({@link LoweredGradient}): the value loops, then loops of a few terms
     * {@code d_a += c P^{l-1}_i w_k}. Against the scalar gradient through the degree below, f32 backward of 100000
     * points, 2 threads: lmax 4 1.36 against 1.74-1.84 ms, lmax 5 2.43-2.56 against 2.53-2.90, lmax 6 6.0-6.3
     * against 7.6-7.9 (f64 about equal); lmax 8 23-47 against 8.4-9.6 (hundreds of loops), so the scalar gradient
     * stays above.
     */
    public static final int LOWERED_POINTS_LAST_MAX_LMAX = 6;

    private static final List<Integer> ALL_AXES = List.of(0, 1, 2);
    private static final String[] AXIS_NAMES = {"X", "Y", "Z"};

    /** The gradient a kernel's backward computes. */
    public enum Gradient {
        /**
         * One point at a time, the gradient of one polynomial with the cotangent contracted into its coefficients
         * first ({@link PolynomialGradient}), between the points-last normalization and the division by the norm (up to
         * {@link #POLYNOMIAL_GRADIENT_MAX_LMAX}).
         */
        POLYNOMIAL,
        /** Points-last through the values of the degree below ({@link LoweredGradient}; lmax 4 to 6). */
        LOWERED_POINTS_LAST,
        /** One point at a time, through {@link #gradientParts()} (and {@link #gradientGroups()}). */
        SCALAR
    }

    /**
     * A slice of one degree's components that one generated method evaluates; for the gradient, the derivatives
     * along {@code axes} only (a single component of a high degree may need one method per axis), or, when
     * {@code lowered}, the whole degree's gradient through the values of the degree below ({@link LoweredGradient}).
     */
    public record Slice(Degree degree, int from, int to, List<Integer> axes, boolean lowered) {

        public Slice {
            axes = List.copyOf(axes);
        }

        /** The derivatives along every axis of components {@code from..to-1}. */
        public Slice(Degree degree, int from, int to) {
            this(degree, from, to, ALL_AXES, false);
        }

        /** The whole degree's gradient through the values of the degree below ({@link LoweredGradient}). */
        public static Slice lowered(Degree degree) {
            return new Slice(degree, 0, degree.components().size(), ALL_AXES, true);
        }
    }

    /** Slices evaluated by one generated method, and its name. */
    public record Part(String name, List<Slice> slices) {

        public Part {
            slices = List.copyOf(slices);
        }
    }

    /** A method that calls {@code parts} in order, so that a block method's calls stay within the budget. */
    public record Group(String name, List<Part> parts) {

        public Group {
            parts = List.copyOf(parts);
        }
    }

    public SphericalHarmonicsPlan {
        raisings = List.copyOf(raisings);
        valueRows = Collections.unmodifiableMap(new TreeMap<>(valueRows));
        weightRows = Collections.unmodifiableMap(new LinkedHashMap<>(weightRows));
        loweredGradients = Collections.unmodifiableMap(new TreeMap<>(loweredGradients));
        gradientParts = List.copyOf(gradientParts);
        gradientGroups = List.copyOf(gradientGroups);
    }

    /** Plans {@code model}. */
    public static SphericalHarmonicsPlan of(SphericalHarmonicsModel model) {
        int lmax = lmax(model);
        List<List<List<Raise>>> raisings = lmax >= RECURSION_FROM_LMAX ? model.raisings() : List.of();
        List<Integer> computed = raisings.isEmpty()
                ? model.degrees().stream().map(Degree::l).filter(l -> l > 0).toList()
                : IntStream.rangeClosed(1, lmax).boxed().toList();
        boolean fusedValueStore = lmax <= FUSED_VALUE_STORE_MAX_LMAX;
        Optional<FactoredHarmonics> factored = fusedValueStore || lmax > FACTORED_VALUE_STORE_MAX_LMAX
                ? Optional.empty()
                : FactoredHarmonics.of(IntStream.rangeClosed(0, lmax).mapToObj(model::components).toList());
        Map<Integer, Integer> valueRows = new TreeMap<>();
        int row = 0;
        for (int l : fusedValueStore ? List.<Integer>of() : computed) {
            // with the factored forward, only the backward reads rows: the degrees below lmax, through the degree below
            if (l == 1 && model.components(1).stream().allMatch(c -> coordinate(c) >= 0)
                    || factored.isPresent() && l == lmax) {
                continue;
            }
            valueRows.put(l, row);
            row += 2 * l + 1;
        }
        boolean loweredPointsLast = lmax > POLYNOMIAL_GRADIENT_MAX_LMAX && lmax <= LOWERED_POINTS_LAST_MAX_LMAX
                && model.degrees().stream().map(Degree::l).allMatch(l -> l <= 2 || valueRows.containsKey(l - 1));
        Map<List<Integer>, Integer> weightRows = new LinkedHashMap<>();
        for (Degree degree : loweredPointsLast ? model.degrees() : List.<Degree>of()) {
            if (degree.l() > 0) {
                degree.components().forEach(c -> weightRows.put(List.of(degree.l(), c.index()), weightRows.size()));
            }
        }
        Gradient gradient = lmax <= POLYNOMIAL_GRADIENT_MAX_LMAX ? Gradient.POLYNOMIAL
                : loweredPointsLast ? Gradient.LOWERED_POINTS_LAST : Gradient.SCALAR;
        Map<Integer, List<List<Map<Integer, BigFraction>>>> lowered = lmax > POLYNOMIAL_GRADIENT_MAX_LMAX
                ? model.loweredGradients() : Map.of();
        List<Part> parts = gradient == Gradient.SCALAR ? parts(model, lowered) : List.of();
        return new SphericalHarmonicsPlan(model, raisings, fusedValueStore, factored, valueRows, weightRows, gradient,
                loweredPointsLast ? rowCount(valueRows) : 0, lowered, parts, groups(parts));
    }

    /** The largest requested degree. */
    public int lmax() {
        return lmax(model);
    }

    private static int lmax(SphericalHarmonicsModel model) {
        return model.degrees().get(model.degrees().size() - 1).l();
    }

    /** Whether the values come from the recursion over degrees ({@link #raisings()}), not from monomials. */
    public boolean recursion() {
        return !raisings.isEmpty();
    }

    /** Scratch rows the values use: the last computed degree's first row and {@code 2l + 1}. */
    public int valueRowCount() {
        return rowCount(valueRows);
    }

    /**
     * Scratch rows the points-last backward ({@link Gradient#LOWERED_POINTS_LAST}) uses: the weights after
     * {@link #weightRowBase()}, then three gradients.
     */
    public int backwardRowCount() {
        return weightRowBase + weightRows.size() + 3;
    }

    /** The scratch row of the gradient weight of component {@code index} of degree {@code l > 0}. */
    public int weightRow(int l, int index) {
        return weightRowBase + weightRows.get(List.of(l, index));
    }

    /** The methods a scalar backward block calls per point: the groups if any, else the parts. */
    public List<String> gradientCallees() {
        return (gradientGroups.isEmpty() ? gradientParts.stream().map(Part::name)
                : gradientGroups.stream().map(Group::name)).toList();
    }

    /** Rows a layout uses: its last degree's first row and {@code 2l + 1}. */
    private static int rowCount(Map<Integer, Integer> rows) {
        return rows.entrySet().stream().mapToInt(e -> e.getValue() + 2 * e.getKey() + 1).max().orElse(0);
    }

    /** The axis of a component that is a bare coordinate ({@code P = x}, {@code y} or {@code z}), else -1. */
    public static int coordinate(Component c) {
        if (c.terms().size() != 1 || !c.terms().get(0).coefficient().equals(BigInteger.ONE)) {
            return -1;
        }
        Term term = c.terms().get(0);
        List<Integer> powers = List.of(term.xPower(), term.yPower(), term.zPower());
        return powers.stream().mapToInt(Integer::intValue).sum() == 1 ? powers.indexOf(1) : -1;
    }

    /**
     * The scalar gradient's methods, under {@link #BYTECODE_BUDGET}: consecutive whole degrees together while they
     * fit (through the degree below where that fits, else by their derivatives), else slices of one degree's
     * components, else (a gradient component of a high degree) one derivative axis of one component.
     */
    private static List<Part> parts(SphericalHarmonicsModel model,
                                    Map<Integer, List<List<Map<Integer, BigFraction>>>> lowered) {
        MethodPacker wholeDegrees = MethodPacker.ofSize(BYTECODE_BUDGET);
        List<Part> parts = new ArrayList<>();
        List<Slice> fitting = new ArrayList<>();
        for (Degree degree : model.degrees()) {
            if (degree.l() == 0) {
                continue;
            }
            Slice whole = Slice.lowered(degree);
            if (size(model, lowered, whole) > BYTECODE_BUDGET) {
                whole = new Slice(degree, 0, degree.components().size());
            }
            if (size(model, lowered, whole) <= BYTECODE_BUDGET) {
                fitting.add(whole);
                continue;
            }
            wholeDegrees.pack(fitting, slice -> size(model, lowered, slice)).forEach(run -> parts.add(wholeDegrees(run)));
            fitting.clear();
            int from = 0;
            int piece = 1;
            while (from < degree.components().size()) {
                int to = from + 1;
                while (to < degree.components().size()
                        && size(model, lowered, new Slice(degree, from, to + 1)) <= BYTECODE_BUDGET) {
                    to++;
                }
                String name = "gradientDegree" + degree.l() + "Part" + piece++;
                if (to == from + 1 && size(model, lowered, new Slice(degree, from, to)) > BYTECODE_BUDGET) {
                    // One component's gradient alone is over the budget (from l = 20 on): one method per axis.
                    for (int axis : ALL_AXES) {
                        if (!degree.components().get(from).derivative(axis).isEmpty()) {
                            parts.add(new Part(name + AXIS_NAMES[axis],
                                    List.of(new Slice(degree, from, to, List.of(axis), false))));
                        }
                    }
                } else {
                    parts.add(new Part(name, List.of(new Slice(degree, from, to))));
                }
                from = to;
            }
        }
        wholeDegrees.pack(fitting, slice -> size(model, lowered, slice)).forEach(run -> parts.add(wholeDegrees(run)));
        return parts;
    }

    /** No groups while the parts number at most {@link #MAX_CALLS_PER_METHOD}, else groups of that many. */
    private static List<Group> groups(List<Part> parts) {
        if (parts.size() <= MAX_CALLS_PER_METHOD) {
            return List.of();
        }
        List<Group> groups = new ArrayList<>();
        CALLS.pack(parts).forEach(members -> groups.add(new Group("gradientGroup" + groups.size(), members)));
        return groups;
    }

    /** A part of whole degrees: {@code gradientDegree3}, {@code gradientDegrees1And2}, {@code gradientDegrees1To4}. */
    private static Part wholeDegrees(List<Slice> slices) {
        int first = slices.get(0).degree().l();
        int last = slices.get(slices.size() - 1).degree().l();
        String range = slices.size() == 1 ? "Degree" + first
                : slices.stream().map(s -> Integer.toString(s.degree().l())).collect(Collectors.joining("And",
                "Degrees", ""));
        if (slices.size() > 2 && last - first + 1 == slices.size()) {
            range = "Degrees" + first + "To" + last;
        }
        return new Part("gradient" + range, slices);
    }

    /**
     * The polynomials the slices evaluate: the derivatives along their axes of the slices' components, or for a
     * lowered slice the components of the degree below.
     */
    public List<List<Term>> derivatives(List<Slice> slices) {
        return derivatives(model, slices);
    }

    private static List<List<Term>> derivatives(SphericalHarmonicsModel model, List<Slice> slices) {
        List<List<Term>> out = new ArrayList<>();
        for (Slice slice : slices) {
            if (slice.lowered()) {
                model.components(slice.degree().l() - 1).forEach(c -> out.add(c.terms()));
                continue;
            }
            for (Component c : slice.degree().components().subList(slice.from(), slice.to())) {
                slice.axes().forEach(axis -> out.add(c.derivative(axis)));
            }
        }
        return out;
    }

    /**
     * Estimated bytecode of a slice's method: about 10 bytes per term (constant, load, multiply, add) and per shared
     * monomial, 14 once the locals outnumber the 256 that a one-byte load can name (every load then takes a
     * {@code wide} prefix), and the weights read per component and occurrence.
     */
    static int size(SphericalHarmonicsModel model, Map<Integer, List<List<Map<Integer, BigFraction>>>> lowered,
                    Slice slice) {
        int terms = 0;
        if (slice.lowered()) {
            terms += model.components(slice.degree().l() - 1).stream().mapToInt(c -> c.terms().size()).sum();
            terms += lowered.get(slice.degree().l()).stream().flatMap(List::stream).mapToInt(Map::size).sum();
        } else {
            for (Component c : slice.degree().components().subList(slice.from(), slice.to())) {
                terms += slice.axes().stream().mapToInt(axis -> c.derivative(axis).size()).sum();
            }
        }
        int monomials = monomials(derivatives(model, List.of(slice))).size();
        int perOperation = monomials > 200 ? 14 : 10;
        return perOperation * (terms + monomials) + 24 * (slice.to() - slice.from()) * slice.degree().offsets().size();
    }

    /**
     * Monomials {@code [a, b, c]} ({@code x^a y^b z^c}) of degree at least 2 that {@code polynomials} use, closed under
     * taking a {@link #parent}, ordered by degree: the locals a method computes, one multiplication each.
     */
    public static TreeSet<List<Integer>> monomials(List<List<Term>> polynomials) {
        TreeSet<List<Integer>> out = new TreeSet<>(Comparator.<List<Integer>>comparingInt(
                m -> m.get(0) + m.get(1) + m.get(2)).thenComparing(Object::toString));
        for (List<Term> polynomial : polynomials) {
            for (Term term : polynomial) {
                List<Integer> m = List.of(term.xPower(), term.yPower(), term.zPower());
                while (m.get(0) + m.get(1) + m.get(2) >= 2 && out.add(m)) {
                    m = parent(m);
                }
            }
        }
        return out;
    }

    /** The monomial {@code m} is computed from: one power of x (else y, else z) less. */
    public static List<Integer> parent(List<Integer> m) {
        int axis = m.get(0) > 0 ? 0 : m.get(1) > 0 ? 1 : 2;
        List<Integer> parent = new ArrayList<>(m);
        parent.set(axis, m.get(axis) - 1);
        return List.copyOf(parent);
    }
}
