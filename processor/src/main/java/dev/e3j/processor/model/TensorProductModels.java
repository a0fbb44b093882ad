package dev.e3j.processor.model;

import dev.e3j.annotations.CgConvention;
import dev.e3j.annotations.IrrepNormalization;
import dev.e3j.annotations.PathNormalization;
import dev.e3j.annotations.TensorProduct;
import dev.e3j.processor.diagnostics.Location;
import dev.e3j.processor.diagnostics.Message;
import dev.e3j.processor.diagnostics.Problem;
import dev.e3j.processor.math.SqrtRational;
import dev.e3j.processor.math.Wigner3j;
import dev.e3j.runtime.Irrep;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.Irreps.MulIrrep;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.commons.numbers.fraction.BigFraction;

/**
 * Turns a {@link TensorProductSpec} into e3nn's instruction list and exact coefficients, exactly as e3nn 0.5.4's
 * {@code TensorProduct} and its subclasses do, with the Wigner 3j signs of the spec's {@link CgConvention} (e3nn
 * 0.4.4's products differ from 0.5.4's only there).
 *
 * <p>Each path's coefficient is {@code sqrt(alpha)} with {@code alpha = irrepAlpha / fanIn * pathWeight}:
 * {@code irrepAlpha} is {@code 2 l_out + 1} (component), {@code (2 l1 + 1)(2 l2 + 1)} (norm) or 1;
 * {@code fanIn} sums e3nn's {@code num_elements} over the paths into the same output (element), or is this path's
 * {@code num_elements} times the number of paths into that output (path), or 1, and is skipped when zero.
 */
public final class TensorProductModels {

    private static final BigFraction ONE = BigFraction.ONE;

    /**
     * The most component pairs {@code (2 l1 + 1)(2 l2 + 1)}, summed over the paths, that a product may couple: FULL of
     * {@code 1x20e} with itself (68,921, outputs up to degree 40) generates in about a minute and a half on two cores;
     * the CG terms, the generated code and the processor's time grow with this sum.
     */
    public static final int MAX_COUPLED_PAIRS = 70_000;

    /** An instruction before normalization: e3nn's {@code (i_in1, i_in2, i_out, mode, has_weight, path_weight)}. */
    private record Instruction(int in1, int in2, int out, ConnectionMode mode, boolean weighted,
                               BigFraction pathWeight) {
    }

    /** The final irreps and instructions of a kind, before normalization. */
    private record Layout(Irreps in1, Irreps in2, Irreps out, List<Instruction> instructions) {
    }

    private TensorProductModels() {
    }

    /**
     * Builds the exact model.
     *
     * @throws InvalidSpecException listing every problem found (all of them, not just the first)
     */
    public static TensorProductModel build(TensorProductSpec spec) throws InvalidSpecException {
        Layout layout = validatedLayout(spec);
        // e3nn's TensorSquare folds its own alphas into the path weights and normalizes irreps with 'none'.
        boolean square = spec.kind() == TensorProduct.Kind.SQUARE;
        return new TensorProductModel(spec.kind(), layout.in1(), layout.in2(), layout.out(),
                normalize(layout, square ? IrrepNormalization.NONE : spec.irrepNormalization(),
                        spec.pathNormalization(), spec.cgConvention()),
                spec.irrepNormalization(), spec.pathNormalization(), spec.sharedWeights(), spec.precision(), square,
                spec.cgConvention(), spec.cuda(), spec.layout());
    }

    /**
     * Every problem {@link #build} would report for {@code spec}, found without computing a coefficient: for specs
     * derived inside a whole model, checked where the model's own annotation can be blamed.
     *
     * @throws InvalidSpecException listing every problem found
     */
    public static void check(TensorProductSpec spec) throws InvalidSpecException {
        validatedLayout(spec);
    }

    /** The paths of {@code spec}, validated: its irreps, paths, sizes and coupled pairs. */
    private static Layout validatedLayout(TensorProductSpec spec) throws InvalidSpecException {
        List<Problem> problems = new ArrayList<>();
        Irreps in1 = IrrepsAttribute.parse(spec.in1(), "in1", problems);
        Irreps in2 = IrrepsAttribute.parse(spec.in2(), "in2", problems);
        Irreps out = IrrepsAttribute.parse(spec.out(), "out", problems);
        TensorProduct.Kind kind = spec.kind();
        if (kind != TensorProduct.Kind.CUSTOM && !spec.paths().isEmpty()) {
            problems.add(Problem.at(Location.attribute("paths"), Message.PATHS_NOT_CUSTOM, kind));
        }
        if (kind == TensorProduct.Kind.SQUARE && !spec.in2().isBlank()) {
            problems.add(Problem.at(Location.attribute("in2"), Message.IN2_FOR_SQUARE, spec.in2()));
        }
        boolean outRequired = kind == TensorProduct.Kind.FULLY_CONNECTED || kind == TensorProduct.Kind.CHANNELWISE
                || kind == TensorProduct.Kind.CUSTOM;
        if (outRequired && spec.out().isBlank()) {
            problems.add(Problem.at(Location.attribute("out"), Message.OUT_REQUIRED, kind));
        }
        if (spec.cuda() && spec.layout() != dev.e3j.annotations.Layout.MUL_IR) {
            problems.add(Problem.at(Location.attribute("layout"), Message.LAYOUT_CUDA, spec.layout()));
        }
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(problems);
        }
        Layout layout;
        try {
            layout = switch (kind) {
                case FULLY_CONNECTED -> fullyConnected(in1, in2, out);
                case CHANNELWISE -> channelwise(in1, in2, out);
                case ELEMENTWISE -> elementwise(in1, in2, out, problems);
                case FULL -> full(in1, in2, out);
                case SQUARE -> square(in1, out, spec);
                case CUSTOM -> custom(in1, in2, out, spec.paths(), problems);
            };
        } catch (IllegalArgumentException e) {
            // an output whose dimension would not fit an array (Irreps checks), e.g. FULL of two huge multiplicities
            throw new InvalidSpecException(List.of(Problem.at(Location.WHOLE, Message.TOO_LARGE, e.getMessage())));
        }
        if (problems.isEmpty()) {
            long weights = 0;
            for (Instruction ins : layout.instructions()) {
                if (ins.weighted()) {
                    weights += ins.mode().exactWeightCount(layout.in1().get(ins.in1()).mul(),
                            layout.in2().get(ins.in2()).mul(), layout.out().get(ins.out()).mul());
                }
            }
            if (weights > Integer.MAX_VALUE) {
                problems.add(Problem.at(Location.WHOLE, Message.TOO_LARGE, "the paths would have " + weights
                        + " weights, more than an array holds (" + Integer.MAX_VALUE + ")"));
            }
        }
        if (problems.isEmpty()) {
            checkCoupledPairs(layout, problems);
        }
        if (problems.isEmpty() && layout.instructions().isEmpty()) {
            problems.add(Problem.at(Location.WHOLE, Message.NO_PATHS,
                    kind + " of " + quote(spec.in1()) + (kind == TensorProduct.Kind.SQUARE ? "" : " x " + quote(spec.in2()))
                            + (spec.out().isBlank() ? "" : " -> " + quote(spec.out())),
                    kind == TensorProduct.Kind.CHANNELWISE ? multiplicityHint(in1, in2, out) : ""));
        }
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(problems);
        }
        return layout;
    }

    /**
     * Reports {@code [e3j.size]} when the paths couple more than {@link #MAX_COUPLED_PAIRS} component pairs: checked
     * before any Wigner 3j symbol is computed, since their cost and the generated code's size grow with it.
     */
    private static void checkCoupledPairs(Layout layout, List<Problem> problems) {
        long pairs = 0;
        Instruction largest = null;
        for (Instruction ins : layout.instructions()) {
            long own = coupledPairs(layout, ins);
            pairs += own;
            if (largest == null || own > coupledPairs(layout, largest)) {
                largest = ins;
            }
        }
        if (pairs > MAX_COUPLED_PAIRS) {
            problems.add(Problem.at(Location.WHOLE, Message.COUPLED_PAIRS, pairs, MAX_COUPLED_PAIRS,
                    layout.in1().get(largest.in1()).ir() + " x " + layout.in2().get(largest.in2()).ir() + " -> "
                            + layout.out().get(largest.out()).ir()));
        }
    }

    /** {@code (2 l1 + 1)(2 l2 + 1)}: the component pairs of one path, a bound on its Clebsch–Gordan terms. */
    private static long coupledPairs(Layout layout, Instruction ins) {
        return (long) layout.in1().get(ins.in1()).ir().dim() * layout.in2().get(ins.in2()).ir().dim();
    }

    /**
     * Why a channel-wise product found no path although irreps couple: its outputs keep the multiplicity of
     * {@code in1} ({@code mul_out = mul1}, e3nn's {@code uvu}), so name the first coupling pair that differs.
     */
    private static String multiplicityHint(Irreps in1, Irreps in2, Irreps out) {
        for (int i1 = 0; i1 < in1.size(); i1++) {
            for (int i2 = 0; i2 < in2.size(); i2++) {
                for (int o = 0; o < out.size(); o++) {
                    if (in1.get(i1).ir().couplesTo(in2.get(i2).ir(), out.get(o).ir())) {
                        return "; CHANNELWISE outputs keep in1's multiplicity (mul_out = mul1), but in1[" + i1 + "] = "
                                + in1.get(i1) + " couples to out[" + o + "] = " + out.get(o);
                    }
                }
            }
        }
        return "";
    }

    private static String quote(String text) {
        return "\"" + text + "\"";
    }

    private static Layout fullyConnected(Irreps in1, Irreps in2, Irreps out) {
        List<Instruction> instructions = new ArrayList<>();
        for (int i1 = 0; i1 < in1.size(); i1++) {
            for (int i2 = 0; i2 < in2.size(); i2++) {
                for (int o = 0; o < out.size(); o++) {
                    if (in1.get(i1).ir().couplesTo(in2.get(i2).ir(), out.get(o).ir())) {
                        instructions.add(new Instruction(i1, i2, o, ConnectionMode.UVW, true, ONE));
                    }
                }
            }
        }
        return new Layout(in1, in2, out, instructions);
    }

    private static Layout channelwise(Irreps in1, Irreps in2, Irreps out) {
        List<Instruction> instructions = new ArrayList<>();
        for (int i1 = 0; i1 < in1.size(); i1++) {
            for (int i2 = 0; i2 < in2.size(); i2++) {
                for (int o = 0; o < out.size(); o++) {
                    if (in1.get(i1).ir().couplesTo(in2.get(i2).ir(), out.get(o).ir())
                            && out.get(o).mul() == in1.get(i1).mul()) {
                        instructions.add(new Instruction(i1, i2, o, ConnectionMode.UVU, true, ONE));
                    }
                }
            }
        }
        return new Layout(in1, in2, out, instructions);
    }

    /** e3nn's {@code ElementwiseTensorProduct}: split entries until they align, then {@code uuu} per output irrep. */
    private static Layout elementwise(Irreps in1, Irreps in2, Irreps filter, List<Problem> problems) {
        Irreps simple1 = in1.simplify();
        Irreps simple2 = in2.simplify();
        if (simple1.numIrreps() != simple2.numIrreps()) {
            problems.add(Problem.at(Location.attribute("in2"), Message.ELEMENTWISE_MISMATCH,
                    simple1.numIrreps(), simple2.numIrreps()));
            return new Layout(in1, in2, Irreps.empty(), List.of());
        }
        List<MulIrrep> split1 = new ArrayList<>(simple1.entries());
        List<MulIrrep> split2 = new ArrayList<>(simple2.entries());
        for (int i = 0; i < split1.size(); i++) {
            MulIrrep a = split1.get(i);
            MulIrrep b = split2.get(i);
            if (a.mul() < b.mul()) {
                split2.set(i, MulIrrep.of(a.mul(), b.ir()));
                split2.add(i + 1, MulIrrep.of(b.mul() - a.mul(), b.ir()));
            } else if (b.mul() < a.mul()) {
                split1.set(i, MulIrrep.of(b.mul(), a.ir()));
                split1.add(i + 1, MulIrrep.of(a.mul() - b.mul(), a.ir()));
            }
        }
        List<MulIrrep> out = new ArrayList<>();
        List<Instruction> instructions = new ArrayList<>();
        for (int i = 0; i < split1.size(); i++) {
            for (Irrep ir : split1.get(i).ir().times(split2.get(i).ir())) {
                if (filter.isEmpty() || filter.contains(ir)) {
                    instructions.add(new Instruction(i, i, out.size(), ConnectionMode.UUU, false, ONE));
                    out.add(MulIrrep.of(split1.get(i).mul(), ir));
                }
            }
        }
        return new Layout(Irreps.of(split1), Irreps.of(split2), Irreps.of(out), instructions);
    }

    /** e3nn's {@code FullTensorProduct}: every {@code (mul1 mul2) x ir_out} as {@code uvuv}, outputs sorted. */
    private static Layout full(Irreps in1, Irreps in2, Irreps filter) {
        Irreps simple1 = in1.simplify();
        Irreps simple2 = in2.simplify();
        List<MulIrrep> out = new ArrayList<>();
        List<Instruction> instructions = new ArrayList<>();
        for (int i1 = 0; i1 < simple1.size(); i1++) {
            for (int i2 = 0; i2 < simple2.size(); i2++) {
                for (Irrep ir : simple1.get(i1).ir().times(simple2.get(i2).ir())) {
                    if (filter.isEmpty() || filter.contains(ir)) {
                        instructions.add(new Instruction(i1, i2, out.size(), ConnectionMode.UVUV, false, ONE));
                        long mul = (long) simple1.get(i1).mul() * simple2.get(i2).mul();
                        if (mul > Integer.MAX_VALUE) {
                            throw new IllegalArgumentException("the output " + mul + "x" + ir + " of "
                                    + simple1.get(i1) + " x " + simple2.get(i2) + " has more channels than an array"
                                    + " holds (" + Integer.MAX_VALUE + ")");
                        }
                        out.add(MulIrrep.of((int) mul, ir));
                    }
                }
            }
        }
        return sortOutputs(simple1, simple2, Irreps.of(out), instructions);
    }

    private static Layout sortOutputs(Irreps in1, Irreps in2, Irreps out, List<Instruction> instructions) {
        Irreps.Sorted sorted = out.sort();
        List<Instruction> remapped = new ArrayList<>();
        for (Instruction ins : instructions) {
            remapped.add(new Instruction(ins.in1(), ins.in2(), sorted.p()[ins.out()], ins.mode(), ins.weighted(),
                    ins.pathWeight()));
        }
        return new Layout(in1, in2, sorted.irreps(), remapped);
    }

    /**
     * e3nn's {@code TensorSquare}. Without {@code out}: {@code uvuv} for {@code i1 < i2}, and for {@code i1 = i2}
     * the antisymmetric-free {@code uvu<v} plus, for even {@code l_out}, the diagonal {@code uuu}, outputs sorted.
     * With {@code out}: the weighted {@code uvw}, {@code u<vw}, {@code uuw} analogues. The alphas become path weights.
     */
    private static Layout square(Irreps in, Irreps out, TensorProductSpec spec) {
        Irreps simple = in.simplify();
        boolean weighted = !out.isEmpty();
        Irreps targets = weighted ? out.simplify() : Irreps.empty();
        List<MulIrrep> fullOut = new ArrayList<>();
        List<Instruction> instructions = new ArrayList<>();
        for (int i1 = 0; i1 < simple.size(); i1++) {
            for (int i2 = i1; i2 < simple.size(); i2++) {
                MulIrrep a = simple.get(i1);
                MulIrrep b = simple.get(i2);
                List<int[]> outputs = new ArrayList<>();
                if (weighted) {
                    for (int o = 0; o < targets.size(); o++) {
                        if (a.ir().couplesTo(b.ir(), targets.get(o).ir())) {
                            outputs.add(new int[] {o, targets.get(o).ir().l(), targets.get(o).ir().p()});
                        }
                    }
                } else {
                    for (Irrep ir : a.ir().times(b.ir())) {
                        outputs.add(new int[] {-1, ir.l(), ir.p()});
                    }
                }
                for (int[] target : outputs) {
                    Irrep irOut = Irrep.of(target[1], target[2]);
                    BigFraction alpha = irrepAlpha(spec.irrepNormalization(), a.ir(), b.ir(), irOut);
                    if (i1 < i2) {
                        int o = weighted ? target[0] : append(fullOut, MulIrrep.of(a.mul() * b.mul(), irOut));
                        instructions.add(new Instruction(i1, i2, o, weighted ? ConnectionMode.UVW : ConnectionMode.UVUV,
                                weighted, alpha));
                        continue;
                    }
                    if (a.mul() > 1) {
                        int o = weighted ? target[0] : append(fullOut, MulIrrep.of(a.mul() * (a.mul() - 1) / 2, irOut));
                        instructions.add(new Instruction(i1, i1, o,
                                weighted ? ConnectionMode.U_LT_VW : ConnectionMode.UVU_LT_V, weighted, alpha));
                    }
                    if (irOut.l() % 2 == 0) {
                        int o = weighted ? target[0] : append(fullOut, MulIrrep.of(a.mul(), irOut));
                        instructions.add(new Instruction(i1, i1, o, weighted ? ConnectionMode.UUW : ConnectionMode.UUU,
                                weighted, diagonalSquareAlpha(spec.irrepNormalization(), a.ir(), irOut)));
                    }
                }
            }
        }
        if (weighted) {
            return new Layout(simple, simple, targets, instructions);
        }
        return sortOutputs(simple, simple, Irreps.of(fullOut), instructions);
    }

    private static int append(List<MulIrrep> list, MulIrrep entry) {
        list.add(entry);
        return list.size() - 1;
    }

    /**
     * e3nn's alpha for the symmetric diagonal {@code x_u (x) x_u} of a tensor square: component {@code
     * (2l+1)/(2 l1 + 3)} for {@code l_out = 0}, else {@code (2 l_out + 1)/2}; norm {@code (2 l_out + 1)(2 l1 + 1)} for
     * {@code l_out = 0}, else {@code (2 l1 + 1)(2 l1 + 3)/2}.
     */
    private static BigFraction diagonalSquareAlpha(IrrepNormalization normalization, Irrep in,
                                                   Irrep out) {
        return switch (normalization) {
            case COMPONENT -> out.l() == 0 ? BigFraction.of(out.dim(), in.dim() + 2) : BigFraction.of(out.dim(), 2);
            case NORM -> out.l() == 0 ? BigFraction.of(out.dim() * in.dim())
                    : BigFraction.of(in.dim() * (in.dim() + 2), 2);
            case NONE -> ONE;
        };
    }

    private static BigFraction irrepAlpha(IrrepNormalization normalization, Irrep ir1, Irrep ir2,
                                          Irrep out) {
        return switch (normalization) {
            case COMPONENT -> BigFraction.of(out.dim());
            case NORM -> BigFraction.of(ir1.dim() * ir2.dim());
            case NONE -> ONE;
        };
    }

    private static Layout custom(Irreps in1, Irreps in2, Irreps out, List<PathSpec> paths, List<Problem> problems) {
        List<Instruction> instructions = new ArrayList<>();
        for (int n = 0; n < paths.size(); n++) {
            PathSpec path = paths.get(n);
            int before = problems.size();
            checkIndex(n, "in1", path.in1(), in1, problems);
            checkIndex(n, "in2", path.in2(), in2, problems);
            checkIndex(n, "out", path.out(), out, problems);
            Optional<ConnectionMode> mode = ConnectionMode.fromToken(path.mode());
            if (mode.isEmpty()) {
                problems.add(Problem.at(Location.member("paths", n, "mode"), Message.UNKNOWN_MODE, n, path.mode(),
                        ConnectionMode.allTokens()));
            } else if (mode.get().requiresWeights() && !path.weighted()) {
                problems.add(Problem.at(Location.member("paths", n, "weighted"), Message.UNWEIGHTED_MODE, n,
                        path.mode()));
            }
            Optional<BigFraction> pathWeight = ExactRationals.parse(path.pathWeight());
            if (pathWeight.isEmpty() || pathWeight.get().signum() < 0) {
                problems.add(Problem.at(Location.member("paths", n, "pathWeight"), Message.PATH_WEIGHT, n,
                        path.pathWeight()));
            } else if (!inPathWeightRange(pathWeight.get())) {
                problems.add(Problem.at(Location.member("paths", n, "pathWeight"), Message.PATH_WEIGHT_RANGE, n,
                        path.pathWeight()));
            }
            if (problems.size() > before) {
                continue;
            }
            MulIrrep a = in1.get(path.in1());
            MulIrrep b = in2.get(path.in2());
            MulIrrep c = out.get(path.out());
            if (!a.ir().couplesTo(b.ir(), c.ir())) {
                problems.add(Problem.at(Location.member("paths", n, "out"), Message.SELECTION_RULE, n, a.ir(), b.ir(),
                        c.ir()));
                continue;
            }
            String violation = mode.get().multiplicityViolation(a.mul(), b.mul(), c.mul(), path.weighted());
            if (violation != null) {
                problems.add(Problem.at(Location.member("paths", n, "mode"), Message.MULTIPLICITY, n,
                        mode.get().token(), violation, a.mul(), b.mul(), c.mul()));
                continue;
            }
            instructions.add(new Instruction(path.in1(), path.in2(), path.out(), mode.get(), path.weighted(),
                    pathWeight.get()));
        }
        return new Layout(in1, in2, out, instructions);
    }

    private static void checkIndex(int n, String member, int index, Irreps irreps, List<Problem> problems) {
        if (index < 0 || index >= irreps.size()) {
            problems.add(Problem.at(Location.member("paths", n, member), Message.PATH_INDEX, n, member, index, member,
                    irreps.toString(), irreps.size()));
        }
    }

    private static List<PathModel> normalize(Layout layout, IrrepNormalization irrepNormalization,
                                             PathNormalization pathNormalization, CgConvention convention) {
        List<Instruction> instructions = layout.instructions();
        List<PathModel> paths = new ArrayList<>();
        int weightOffset = 0;
        for (int n = 0; n < instructions.size(); n++) {
            Instruction ins = instructions.get(n);
            MulIrrep a = layout.in1().get(ins.in1());
            MulIrrep b = layout.in2().get(ins.in2());
            MulIrrep c = layout.out().get(ins.out());
            BigFraction alpha = irrepAlpha(irrepNormalization, a.ir(), b.ir(), c.ir());
            long fanIn = switch (pathNormalization) {
                case ELEMENT -> instructions.stream().filter(other -> other.out() == ins.out())
                        .mapToLong(other -> fanIn(layout, other)).sum();
                case PATH -> fanIn(layout, ins) * instructions.stream().filter(other -> other.out() == ins.out()).count();
                case NONE -> 1;
            };
            if (fanIn > 0) {
                alpha = alpha.divide(BigFraction.of(fanIn));
            }
            alpha = alpha.multiply(ins.pathWeight());
            SqrtRational coefficient = SqrtRational.sqrtOf(alpha);
            List<CgTerm> terms = new ArrayList<>();
            for (Wigner3j.Entry entry : Wigner3j.of(a.ir().l(), b.ir().l(), c.ir().l(), convention).nonzero()) {
                terms.add(new CgTerm(entry.i(), entry.j(), entry.k(), entry.value(),
                        coefficient.multiply(entry.value())));
            }
            PathModel path = new PathModel(n, ins.in1(), ins.in2(), ins.out(), a, b, c, ins.mode(), ins.weighted(),
                    ins.pathWeight(), coefficient, ins.weighted() ? weightOffset : -1, terms);
            weightOffset += path.weightCount();
            paths.add(path);
        }
        return paths;
    }

    private static long fanIn(Layout layout, Instruction ins) {
        return ins.mode().fanIn(layout.in1().get(ins.in1()).mul(), layout.in2().get(ins.in2()).mul());
    }

    /** The largest and smallest non-zero path weights: 2^60 and 2^-60, so that every constant stays a normal float. */
    private static final BigFraction MAX_PATH_WEIGHT = BigFraction.of(BigInteger.ONE.shiftLeft(60));
    private static final BigFraction MIN_PATH_WEIGHT = MAX_PATH_WEIGHT.reciprocal();

    /**
     * Whether a path weight is 0 or within {@code [2^-60, 2^60]} (about 8.7e-19 to 1.2e18). The generated constants
     * are products of the coefficient {@code sqrt(alpha)} with CG entries and must round to finite, normal numbers in
     * float as well as double ({@code "1e700"} would be {@code Infinity}, {@code "1e-700"} zero).
     */
    static boolean inPathWeightRange(BigFraction weight) {
        return weight.signum() == 0
                || weight.compareTo(MIN_PATH_WEIGHT) >= 0 && weight.compareTo(MAX_PATH_WEIGHT) <= 0;
    }
}
