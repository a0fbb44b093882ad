package dev.e3j.processor.writer;

import static dev.e3j.processor.plan.SphericalHarmonicsPlan.monomials;
import static dev.e3j.processor.plan.SphericalHarmonicsPlan.parent;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.e3j.processor.math.SqrtRational;
import dev.e3j.processor.model.FactoredHarmonics;
import dev.e3j.processor.model.HarmonicConstant;
import dev.e3j.processor.model.LoweredGradient;
import dev.e3j.processor.model.PolynomialGradient;
import dev.e3j.processor.model.SphericalHarmonicsModel;
import dev.e3j.processor.model.SphericalHarmonicsModel.Component;
import dev.e3j.processor.model.SphericalHarmonicsModel.Degree;
import dev.e3j.processor.model.SphericalHarmonicsModel.Raise;
import dev.e3j.processor.model.SphericalHarmonicsModel.Term;
import dev.e3j.processor.plan.SphericalHarmonicsPlan;
import dev.e3j.processor.plan.SphericalHarmonicsPlan.Gradient;
import dev.e3j.processor.plan.SphericalHarmonicsPlan.Group;
import dev.e3j.processor.plan.SphericalHarmonicsPlan.Part;
import dev.e3j.processor.plan.SphericalHarmonicsPlan.Slice;
import dev.e3j.runtime.BatchBlocks;
import dev.e3j.runtime.Irreps;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;
import org.apache.commons.numbers.fraction.BigFraction;

/**
 * Turns a {@link SphericalHarmonicsModel} and its {@link SphericalHarmonicsPlan} into the source of a
 * {@code SphericalHarmonicsKernel}; the plan decides the recursion, the scratch rows, the gradient and the gradient's
 * methods, this class prints them.
 *
 * <p>Each component is written as {@code Y = N * P(x, y, z)}: {@code N} one constant rounded once, {@code P} an
 * integer combination of monomials or, from {@link SphericalHarmonicsPlan#RECURSION_FROM_LMAX} on, e3nn's own
 * recursion over the degrees {@code P^{l+1}_k = sum_ij q_ijk P^l_i v_j} with exact constants {@code q}. The gradient
 * {@code sum_m g_m N_m grad P_m} uses the exact derivatives of {@code P}: up to
 * {@link SphericalHarmonicsPlan#POLYNOMIAL_GRADIENT_MAX_LMAX} as polynomials, above it through the values of the
 * degree below, {@code dP^l_k/da = sum_i c P^{l-1}_i} with exact rationals {@code c} ({@link LoweredGradient};
 * {@code 2l - 1} values serve all three axes, where the derivatives are {@code 3 (2l + 1)} polynomials).
 *
 * <p>The values are laid out for HotSpot's superword vectorizer, which vectorizes a loop over unit-stride arrays at
 * constant offsets with one store stream, and nothing else. A block's points go through in chunks of {@link #CHUNK}
 * held points-last in scratch rows ({@code rows[r * STRIDE + u]} is row {@code r} of the chunk's point {@code u}): the
 * coordinates are copied in (scalar: {@code xyz} is interleaved) and normalized, each row of {@code P} is computed by
 * short loops over the chunk's points, and a scalar transposing copy writes e3nn's layout {@code out[point * dim +
 * component]}, multiplying by {@code N} on the way. Up to {@link SphericalHarmonicsPlan#FUSED_VALUE_STORE_MAX_LMAX}
 * there are no value rows: the loop that stores a point's values computes them from its normalized coordinates,
 * since the strided stores, not the few multiplications per component, set the pace there; above it, up to
 * {@link SphericalHarmonicsPlan#FACTORED_VALUE_STORE_MAX_LMAX}, the same loop computes them in sphericart's factored
 * form ({@link FactoredHarmonics}), a few operations per component. Up to
 * {@link SphericalHarmonicsPlan#POLYNOMIAL_GRADIENT_MAX_LMAX} the gradient is that of one polynomial with the
 * cotangent contracted into its coefficients first ({@link PolynomialGradient}: at lmax 3 19 coefficients shared by
 * the 30 terms of the three axes), point by point between the points-last normalization and a vectorized division by
 * the norm, in both precisions (per point about 80 arithmetic operations and no stores but the gradient's, where the
 * points-last derivative loops it replaced needed a transposing copy of the weights). Up to
 * {@link SphericalHarmonicsPlan#LOWERED_POINTS_LAST_MAX_LMAX} the gradient through the degree below is points-last:
 * the value loops, the weights, then loops of terms {@code d_a += c P^{l-1}_i w_k}. Above it the gradient is
 * scalar, one point at a time. Methods are split by a bytecode budget (HotSpot's JIT refuses to compile methods over
 * 8000 bytes): value loops packed a few per method ({@link SphericalHarmonicsPlan#LOOPS}), the scalar gradient's
 * parts and groups as the plan has them. The points are split into fixed blocks run in parallel
 * ({@link BatchBlocks}) and each block into fixed chunks, so results do not depend on the number of threads.
 */
public final class SphericalHarmonicsWriter {

    /** Points per parallel block: tens of microseconds of work, far more than a fork/join task costs. */
    static final int BLOCK_SIZE = 4096;
    /**
     * Points per chunk ({@link #chunkPoints}: float chunks may hold twice as many): long enough that the
     * vectorized loops' scalar pre- and post-loops (alignment, remainder of the unrolled vector body) are a small
     * part, short enough that a loop's rows stay near the L1 cache.
     */
    static final int CHUNK = 256;
    /**
     * Distance between double scratch rows ({@link #CHUNK} and 16; float rows take their own chunk and 16), a
     * multiple of 16: every row then has the same alignment to a 64-byte vector in float and double (JDK 17's
     * superword leaves scalar any access aligned differently from the one it aligns: with {@code CHUNK + 8}, float
     * loops ran 4 to 6 times slower); the 16 more than the chunk keep rows off the same L1 sets.
     */
    static final int STRIDE = CHUNK + 16;
    /**
     * Terms plus monomials per loop. C2 unrolls, and so lets superword vectorize, only loops of about 60 ideal nodes
     * ({@code LoopUnrollLimit}); each distinct row offset costs several. Measured on {@code P^3_k} of lmax 6: a loop
     * reading three rows and three coordinates ran scalar (1.1-1.6 ns per point), two and two vectorized (0.17).
     * Longer sums are split over loops that accumulate into the target left to right, the same order as one loop.
     */
    static final int LOOP_OPERATIONS = 8;
    /** Terms per loop of the points-last gradient through the degree below: two measured faster than one (lmax 6). */
    static final int LOWERED_TERMS_PER_LOOP = 2;
    /** Recursion terms {@code q P^l_i v_j} per loop: two rows and two coordinates, see {@link #LOOP_OPERATIONS}. */
    static final int RAISES_PER_LOOP = 2;
    /** Scalar store statements per transposing loop (about 18 bytes each). */
    static final int COPIES_PER_LOOP = 200;
    /**
     * Weight rows per loop of the float cotangent's transposing copy ({@code loadWeights}, lmax 4 on). Its scalar
     * stores, one a row and point, bound the backward: L1-resident, one thread, the 48 rows of lmax 6 took 9.7-10.5
     * ns per point in loops of 8 against 12.3-13.8 in one loop (512 points; 11.9 in loops of 6, 12.1 of 12, 14.1 of
     * 4): C2 unrolls the small loop, so its loads and stores overlap over several points. Forward + backward of
     * 100000 points in blocks of 1000 then took 65.4-87.1 ns per point against 71.7-76.8 (medians 70.0 against 75.0,
     * six alternated JVMs each, under load). The double copy split the same way ran 102.9-109.7 against 95.2-102.7
     * there (the cotangent streamed from memory), though faster in cache: see {@link #DOUBLE_WEIGHTS_PER_LOOP}.
     */
    static final int FLOAT_WEIGHTS_PER_LOOP = 8;
    /**
     * Weight rows per loop of the double cotangent's transposing copy ({@code loadWeights}, lmax 4 on): the 48 rows
     * of lmax 6 in two loops. lmax 6, forward + backward of 100000 points in blocks of 4096, one thread, thread CPU
     * time under load, the median of 40 paired calls' ratios: 0.934 of the time of one loop over chunks of 256
     * points, and over chunks of {@link #LOWERED_CHUNK} 0.90-0.92 of one loop; 16 rows per loop 0.996 of 24, 12 rows
     * 1.07, 8 rows 1.29.
     */
    static final int DOUBLE_WEIGHTS_PER_LOOP = 24;
    /**
     * Points per chunk of the kernels whose backward runs points-last through the degree below
     * ({@link Gradient#LOWERED_POINTS_LAST}, lmax 4 to 6), in both precisions. Over 512 points each of the backward's
     * loops spends a smaller share in its scalar pre- and post-loops than over 256, and the scratch (83 rows at lmax
     * 6: 350 KB in double) stays in a core's L2 cache. lmax 6 in double, forward + backward of 100000 points in blocks
     * of 4096, one thread: 0.950-0.956 of the time over 256 points (median of 40 paired calls' ratios, thread CPU time,
     * under load); in blocks of 1000 0.984; 384 points 0.970, 768 0.966, 1024 0.983. In float 1024 points ran
     * several times slower than 512, which stays.
     */
    static final int LOWERED_CHUNK = 512;
    /**
     * Points per chunk in {@code t}: {@link #LOWERED_CHUNK} where the backward goes points-last through the degree
     * below; else {@link #CHUNK}, or, where the kernel runs points-last loops over value rows
     * (lmax 4 on), as many floats as {@link #CHUNK} doubles take bytes. A loop over a chunk then takes as many vector
     * iterations in both precisions (16 floats or 8 doubles a 64-byte vector), and float loops do not spend twice the
     * share of their time in the scalar pre- and post-loops: the 24 loop methods of the lmax-6 float backward took
     * 8.7 ns per point over 512 points against 11.0 over 256 (L1-resident, one thread), and forward + backward of
     * 100000 points in blocks of 1000 68.4 against 75.7 ns per point, the best of seven alternated JVM runs each
     * (thread CPU time under load; float forward 18.2 against 20.4). Up to lmax 3 the chunk only feeds per-point
     * loops and stays at {@link #CHUNK} (512 measured no faster there).
     */
    private int chunkPoints(NumberType t) {
        if (plan.gradient() == Gradient.LOWERED_POINTS_LAST) {
            return LOWERED_CHUNK;
        }
        return plan.valueRowCount() > 0 ? CHUNK * Double.BYTES / t.bytes() : CHUNK;
    }

    /** torch.nn.functional.normalize's floor on the norm. */
    private static final String NORM_FLOOR = "1e-12";
    private static final String[] AXES = {"x", "y", "z"};

    /** Arguments of the methods of one pass, also their parameter names; {@code start} and {@code count} are ints. */
    private static final String VALUES = "points, rows, count";
    private static final String STORE_VALUES = "points, rows, start, count, out";
    private static final String FUSED_VALUES = "points, start, count, out";
    private static final String LOAD_WEIGHTS = "gradOut, rows, start, count";
    private static final String GRADIENT = "points, rows, count";
    private static final String STORE_GRADIENTS = "points, rows, start, count, gradXyz";

    private final SphericalHarmonicsModel model;
    private final SphericalHarmonicsPlan plan;
    private final KernelChecks checks;
    private final int dim;
    /** Magnitudes of the recursion's constants {@code q}, keyed by their square, in order of first use. */
    private final ConstantPool raisingConstants = new ConstantPool("R", NumberType::fieldSuffix);

    private static final List<Integer> ALL_AXES = List.of(0, 1, 2);

    /** One loop of a pass and its estimated bytecode. */
    private record Piece(CodeBlock code, int size) {
    }

    /** The methods of one pass and the statements that call them in order. */
    private record Pass(List<MethodSpec> methods, CodeBlock calls) {
    }

    private SphericalHarmonicsWriter(SphericalHarmonicsModel model, ClassName impl) {
        this.model = model;
        this.plan = SphericalHarmonicsPlan.of(model);
        this.checks = new KernelChecks(impl, "n");
        this.dim = model.dim();
    }

    /** The class {@code impl} implementing the user's interface {@code spec}. */
    public static TypeSpec write(SphericalHarmonicsModel model, ClassName spec, ClassName impl) {
        return new SphericalHarmonicsWriter(model, impl).type(spec, impl);
    }

    private TypeSpec type(ClassName spec, ClassName impl) {
        List<NumberType> arithmetics = NumberType.of(model.precision());
        TypeSpec.Builder type = TypeSpec.classBuilder(impl)
                .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addSuperinterface(spec)
                .addJavadoc(javadoc(spec))
                .addField(KernelSurface.irrepsField("IRREPS_OUT", model.irrepsOut()))
                .addField(FieldSpec.builder(int.class, "BLOCK_SIZE", Modifier.PRIVATE, Modifier.STATIC,
                                Modifier.FINAL)
                        .addJavadoc("Points per parallel block ({@link $T}): enough to outweigh scheduling.\n",
                                BatchBlocks.class)
                        .initializer("$L", BLOCK_SIZE)
                        .build());
        for (NumberType arithmetic : arithmetics) {
            type.addField(FieldSpec.builder(int.class, chunk(arithmetic), Modifier.PRIVATE, Modifier.STATIC,
                                    Modifier.FINAL)
                            .addJavadoc("Points held points-last in the $L scratch rows at a time.\n",
                                    arithmetic.type())
                            .initializer("$L", chunkPoints(arithmetic))
                            .build())
                    .addField(FieldSpec.builder(int.class, stride(arithmetic), Modifier.PRIVATE, Modifier.STATIC,
                                    Modifier.FINAL)
                            .addJavadoc("Distance between $L scratch rows: equally aligned for vectors, apart in "
                                    + "the L1 cache.\n", arithmetic.type())
                            .initializer("$L + $L", chunk(arithmetic), STRIDE - CHUNK)
                            .build());
        }
        for (NumberType arithmetic : arithmetics) {
            for (Degree degree : model.degrees()) {
                for (Component component : degree.components()) {
                    type.addField(constant(degree, component, arithmetic));
                }
            }
        }
        // Explicit, so that -Xlint:all does not warn about a default constructor in a module's exported package.
        type.addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC).build());
        type.addMethod(KernelSurface.getter("irrepsOut", Irreps.class, "IRREPS_OUT"));
        for (NumberType arithmetic : arithmetics) {
            type.addMethod(forward(arithmetic)).addMethod(backward(arithmetic));
        }
        for (NumberType t : arithmetics) {
            Pass noValues = new Pass(List.of(), CodeBlock.of(""));
            Pass values = forwardValueRows() || plan.gradient() == Gradient.LOWERED_POINTS_LAST
                    ? pass("values", VALUES, valueLoops(t), t) : noValues;
            Pass storeValues = plan.fusedValueStore() ? pass("storeValues", FUSED_VALUES, fusedValueLoops(t), t)
                    : plan.factored().isPresent()
                    ? pass("storeValues", FUSED_VALUES, List.of(factoredValueLoop(plan.factored().get(), t)), t)
                    : pass("storeValues", STORE_VALUES, storeValueLoops(t), t);
            type.addMethod(forwardBlock(t, forwardValueRows() ? values : noValues, storeValues));
            // the backward block, the shared methods, then the backward's own (the order of the sources)
            List<MethodSpec> backwardMethods = new ArrayList<>();
            switch (plan.gradient()) {
                case LOWERED_POINTS_LAST -> {
                    Pass loadWeights = pass("loadWeights", LOAD_WEIGHTS, loadWeightLoops(t), t);
                    Pass gradient = pass("gradient", GRADIENT, loweredGradientLoops(t), t);
                    Pass storeGradients = pass("storeGradients", STORE_GRADIENTS, List.of(storeGradientLoop(t)), t);
                    type.addMethod(pointsLastBackwardBlock(t, values, loadWeights, gradient, storeGradients));
                    backwardMethods.addAll(loadWeights.methods());
                    backwardMethods.addAll(gradient.methods());
                    backwardMethods.addAll(storeGradients.methods());
                }
                case POLYNOMIAL -> {
                    type.addMethod(polynomialBackwardBlock(t));
                    backwardMethods.add(polynomialGradient(t, PolynomialGradient.of(model)));
                }
                case SCALAR -> {
                    type.addMethod(backwardBlock(t, plan.gradientCallees()));
                    plan.gradientParts().forEach(part -> backwardMethods.add(gradientPart(part, t)));
                    plan.gradientGroups().forEach(group -> backwardMethods.add(group(group, t)));
                }
            }
            type.addMethod(loadPoints(t)).addMethods(values.methods()).addMethods(storeValues.methods())
                    .addMethods(backwardMethods);
        }
        SphericalHarmonicsDoubleBackward doubleBackward = new SphericalHarmonicsDoubleBackward(model, checks);
        arithmetics.forEach(arithmetic -> type.addMethods(doubleBackward.methods(arithmetic)));
        if (model.normalize()) {
            arithmetics.forEach(arithmetic -> type.addMethod(norm(arithmetic)));
        }
        for (NumberType arithmetic : arithmetics) {
            raisingConstants.fields(arithmetic).forEach(type::addField);
            plan.factored().ifPresent(factored -> factoredConstants(factored, arithmetic).forEach(type::addField));
        }
        return type.addMethods(checks.methods(arithmetics.stream().<TypeName>map(NumberType::arrayType).toList())).build();
    }

    private CodeBlock javadoc(ClassName spec) {
        return CodeBlock.builder()
                .add("e3nn's {@code o3.spherical_harmonics(ls = $L, x, normalize = $L, normalization = '$L')}, as "
                                + "declared by {@link $T}.\n", model.ls(), model.normalize() ? "True" : "False",
                        model.normalization().name().toLowerCase(java.util.Locale.ROOT), spec)
                .add("\n<p>Output {@code $L} per point. Each component is {@code Y^l_m = N * P(x, y, z)}: the "
                        + "constant {@code Yl_i} ({@code i = m + l}) is {@code N}, exact in its Javadoc and rounded once; "
                        + "{@code P} has integer coefficients. ", model.irrepsOut())
                .add(model.normalize()
                        ? "Points are first divided by {@code max(|x|, 1e-12)}, as {@code torch.nn.functional.normalize}.\n"
                        : "Points are used as given: {@code Y^l} is homogeneous of degree {@code l}.\n")
                .build();
    }

    private FieldSpec constant(Degree degree, Component component, NumberType arithmetic) {
        int l = degree.l();
        HarmonicConstant constant = model.constant(degree, component);
        String literal = arithmetic.literal(constant);
        String exact = constant.toString();
        return FieldSpec.builder(arithmetic.type(), constantName(l, component.index(), arithmetic),
                        Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("{@code Y^$L_$L = $L}.\n", l, component.index() - l,
                        l == 0 ? exact : exact + " * (" + polynomialText(component.terms()) + ")")
                .initializer("$L", literal)
                .build();
    }

    /** The constant field {@code N} of component {@code index} of degree {@code l}: {@code Y2_0}, {@code Y2_0_FLOAT}. */
    static String constantName(int l, int index, NumberType arithmetic) {
        return "Y" + l + "_" + index + arithmetic.fieldSuffix();
    }

    /**
     * Packs a pass's loops, in order, into methods {@code prefix0, prefix1, ...} (just {@code prefix} when one
     * suffices) by {@link SphericalHarmonicsPlan#LOOPS}, and calls them through group methods of
     * {@link SphericalHarmonicsPlan#CALLS} when there are more than {@link SphericalHarmonicsPlan#MAX_CALLS_PER_METHOD}.
     */
    private static Pass pass(String prefix, String arguments, List<Piece> pieces, NumberType t) {
        List<List<Piece>> packed = SphericalHarmonicsPlan.LOOPS.pack(pieces, Piece::size);
        List<MethodSpec> methods = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (List<Piece> loops : packed) {
            String name = packed.size() == 1 ? prefix : prefix + names.size();
            MethodSpec.Builder method = withParameters(MethodSpec.methodBuilder(name), arguments, t);
            loops.forEach(loop -> method.addCode(loop.code()));
            methods.add(method.build());
            names.add(name);
        }
        if (names.size() > SphericalHarmonicsPlan.MAX_CALLS_PER_METHOD) {
            List<String> groups = new ArrayList<>();
            for (List<String> members : SphericalHarmonicsPlan.CALLS.pack(names)) {
                String name = prefix + "Group" + groups.size();
                MethodSpec.Builder group = withParameters(MethodSpec.methodBuilder(name), arguments, t)
                        .addJavadoc("$L to $L in order.\n", members.get(0), members.get(members.size() - 1));
                members.forEach(member -> group.addStatement("$L($L)", member, arguments));
                methods.add(group.build());
                groups.add(name);
            }
            names = groups;
        }
        CodeBlock.Builder calls = CodeBlock.builder();
        names.forEach(name -> calls.addStatement("$L($L)", name, arguments));
        return new Pass(methods, calls.build());
    }

    /** A private static method with the parameters named by {@code arguments}: ints for start and count. */
    private static MethodSpec.Builder withParameters(MethodSpec.Builder method, String arguments, NumberType t) {
        method.addModifiers(Modifier.PRIVATE, Modifier.STATIC);
        for (String name : arguments.split(", ")) {
            if (name.equals("start") || name.equals("count")) {
                method.addParameter(int.class, name);
            } else {
                method.addParameter(t.arrayType(), name);
            }
        }
        return method;
    }

    /** The generated field of the points per chunk in {@code t}: {@code CHUNK}, {@code CHUNK_FLOAT}. */
    private static String chunk(NumberType t) {
        return "CHUNK" + t.fieldSuffix();
    }

    /** The generated field of the distance between scratch rows in {@code t}: {@code STRIDE}, {@code STRIDE_FLOAT}. */
    private static String stride(NumberType t) {
        return "STRIDE" + t.fieldSuffix();
    }

    /** {@code code} with its scratch-row distance {@code STRIDE} named for {@code t} ({@link #stride}). */
    private static String strided(String code, NumberType t) {
        return code.replace("STRIDE", stride(t));
    }

    /**
     * {@code array[u]} for row 0, else {@code array[row * STRIDE + u]} ({@link #stride}): a constant offset, as
     * superword needs.
     */
    private static String rowAt(String array, NumberType t, int row) {
        return array + (row == 0 ? "[u]" : row == 1 ? "[" + stride(t) + " + u]" : "[" + row + " * " + stride(t)
                + " + u]");
    }

    /** Starts a loop over the chunk's points, loading the normalized coordinates it uses. */
    private static CodeBlock.Builder pointLoop(boolean[] uses, NumberType t) {
        CodeBlock.Builder code = CodeBlock.builder().beginControlFlow("for (int u = 0; u < count; u++)");
        for (int axis = 0; axis < 3; axis++) {
            if (uses[axis]) {
                code.addStatement("$T $L = $L", t.type(), AXES[axis], rowAt("points", t, axis));
            }
        }
        return code;
    }

    /** Which of x, y, z the polynomials use. */
    private static boolean[] axesUsed(List<List<Term>> polynomials) {
        boolean[] uses = new boolean[3];
        for (List<Term> polynomial : polynomials) {
            for (Term term : polynomial) {
                uses[0] |= term.xPower() > 0;
                uses[1] |= term.yPower() > 0;
                uses[2] |= term.zPower() > 0;
            }
        }
        return uses;
    }

    /**
     * Estimated bytecode of a loop: about 10 bytes per term (constant, load, multiply, add), per shared monomial and
     * per row loaded, 14 once the monomials outnumber what one-byte local indices reach (a {@code wide} prefix).
     */
    private static int loopSize(int terms, int monomials, int rowLoads) {
        return 40 + (monomials > 100 ? 14 : 10) * (terms + monomials) + 10 * rowLoads;
    }

    /**
     * A term of a loop's sum: its Java text, the polynomial whose monomials it uses, the coordinates it reads, and,
     * for a product {@code factor * coordinate} (a recursion term), those two, which the loop fuses with
     * {@code Math.fma}; else both null.
     */
    private record Summand(String text, List<Term> polynomial, boolean[] axes, String factor, String coordinate) {

        Summand(String text, List<Term> polynomial) {
            this(text, polynomial, axesUsed(List.of(polynomial)), null, null);
        }
    }

    /**
     * Loops computing {@code target = s_1 + s_2 + ...} ({@code target += ...} if {@code accumulate}) left to right,
     * each loop taking summands while they fit {@code fits}: the later loops add to the target, so the order of the
     * additions, and the result, are those of one loop.
     */
    private static List<Piece> sumLoops(String target, boolean accumulate, List<Summand> summands,
                                        Predicate<List<Summand>> fits, NumberType t) {
        List<Piece> loops = new ArrayList<>();
        List<Summand> current = new ArrayList<>();
        for (Summand summand : summands) {
            List<Summand> grown = new ArrayList<>(current);
            grown.add(summand);
            if (!current.isEmpty() && !fits.test(grown)) {
                loops.add(sumLoop(target, accumulate || !loops.isEmpty(), current, t));
                current = new ArrayList<>();
            }
            current.add(summand);
        }
        if (!current.isEmpty()) {
            loops.add(sumLoop(target, accumulate || !loops.isEmpty(), current, t));
        }
        return loops;
    }

    private static Piece sumLoop(String target, boolean accumulate, List<Summand> summands, NumberType t) {
        List<List<Term>> polynomials = summands.stream().map(Summand::polynomial).toList();
        TreeSet<List<Integer>> monomials = monomials(polynomials);
        boolean[] axes = new boolean[3];
        StringBuilder sum = new StringBuilder(accumulate ? target : "");
        boolean fused = summands.stream().allMatch(summand -> summand.coordinate() != null);
        for (Summand summand : summands) {
            for (int axis = 0; axis < 3; axis++) {
                axes[axis] |= summand.axes()[axis];
            }
            String text = summand.text();
            if (sum.length() == 0) {
                sum.append(text);
            } else if (fused) {
                // one rounding per recursion term: Math.fma(factor, coordinate, sum so far)
                sum.insert(0, "Math.fma(" + summand.factor() + ", " + summand.coordinate() + ", ").append(')');
            } else {
                sum.append(text.startsWith("-") ? " - " + text.substring(1) : " + " + text);
            }
        }
        CodeBlock code = pointLoop(axes, t)
                .add(monomialLocals(monomials, t))
                .addStatement("$L = $L", target, sum)
                .endControlFlow()
                .build();
        int terms = polynomials.stream().mapToInt(List::size).sum() + summands.size();
        return new Piece(code, loopSize(terms, monomials.size(), summands.size()));
    }

    private static boolean fitsOperations(List<Summand> summands) {
        List<List<Term>> polynomials = summands.stream().map(Summand::polynomial).toList();
        return polynomials.stream().mapToInt(List::size).sum() + monomials(polynomials).size() <= LOOP_OPERATIONS;
    }

    /** {@code P^l_i} of the chunk's point {@code u}: its scratch row, or the coordinate it is. */
    private String valueAt(int l, int i, NumberType t) {
        return plan.valueRows().containsKey(l) ? rowAt("rows", t, plan.valueRows().get(l) + i)
                : rowAt("points", t, SphericalHarmonicsPlan.coordinate(model.components(l).get(i)));
    }

    /** The loops computing each component's row of {@code P}, degree by degree. */
    private List<Piece> valueLoops(NumberType t) {
        List<Piece> loops = new ArrayList<>();
        for (Map.Entry<Integer, Integer> rows : plan.valueRows().entrySet()) {
            int l = rows.getKey();
            if (plan.recursion() && l > 1) {
                List<List<Raise>> byK = plan.raisings().get(l - 2);
                for (int k = 0; k < byK.size(); k++) {
                    List<Summand> summands = new ArrayList<>();
                    for (Raise term : byK.get(k)) {
                        boolean[] axes = new boolean[3];
                        axes[term.j()] = true;
                        String product = valueAt(l - 1, term.i(), t) + " * " + AXES[term.j()];
                        boolean unit = term.q().square().equals(BigFraction.ONE);
                        String magnitude = unit ? "" : raisingConstants.fieldName(term.q(), t) + " * ";
                        String factor = (term.q().signum() < 0 ? "-" : "") + magnitude + valueAt(l - 1, term.i(), t);
                        summands.add(new Summand(factor + " * " + AXES[term.j()], List.of(), axes, factor,
                                AXES[term.j()]));
                    }
                    loops.addAll(sumLoops(rowAt("rows", t, rows.getValue() + k), false, summands,
                            group -> group.size() <= RAISES_PER_LOOP, t));
                }
                continue;
            }
            for (Component c : model.components(l)) {
                List<Summand> summands = c.terms().stream()
                        .map(term -> new Summand(combination(List.of(term), t), List.of(term)))
                        .toList();
                loops.addAll(sumLoops(rowAt("rows", t, rows.getValue() + c.index()), false, summands,
                        SphericalHarmonicsWriter::fitsOperations, t));
            }
        }
        return loops;
    }

    /**
     * The transposing copy {@code out[(start + u) * dim + c] = N_c P_c[u]}, in order of {@code c}, loops of at most
     * {@link #COPIES_PER_LOOP} components.
     */
    private List<Piece> storeValueLoops(NumberType t) {
        List<String> copies = new ArrayList<>(Collections.nCopies(dim, ""));
        for (Degree degree : model.degrees()) {
            for (int offset : degree.offsets()) {
                for (Component c : degree.components()) {
                    String constant = constantName(degree.l(), c.index(), t);
                    copies.set(offset + c.index(), "out[" + outputIndex(offset + c.index()) + "] = "
                            + (degree.l() == 0 ? times(constant, c.terms(), t)
                            : constant + " * " + valueAt(degree.l(), c.index(), t)));
                }
            }
        }
        return copyLoops(copies, COPIES_PER_LOOP);
    }

    /**
     * The values computed where they are stored ({@link SphericalHarmonicsPlan#fusedValueStore}): per point, the
     * normalized coordinates, the monomials, then {@code out[(start + u) * dim + c] = N_c * P_c} in order of
     * {@code c}, the same operations as the rows and their copy; loops of at most {@link #COPIES_PER_LOOP}
     * components.
     */
    private List<Piece> fusedValueLoops(NumberType t) {
        List<Component> byOutput = new ArrayList<>(Collections.nCopies(dim, null));
        List<Integer> degreeOf = new ArrayList<>(Collections.nCopies(dim, 0));
        for (Degree degree : model.degrees()) {
            for (int offset : degree.offsets()) {
                for (Component c : degree.components()) {
                    byOutput.set(offset + c.index(), c);
                    degreeOf.set(offset + c.index(), degree.l());
                }
            }
        }
        List<Piece> loops = new ArrayList<>();
        for (int from = 0; from < dim; from += COPIES_PER_LOOP) {
            int to = Math.min(from + COPIES_PER_LOOP, dim);
            List<List<Term>> polynomials = byOutput.subList(from, to).stream().map(Component::terms).toList();
            TreeSet<List<Integer>> monomials = monomials(polynomials);
            CodeBlock.Builder code = pointLoop(axesUsed(polynomials), t)
                    .add(monomialLocals(monomials, t))
                    .addStatement("int o = (start + u) * $L", dim);
            int terms = 0;
            for (int component = from; component < to; component++) {
                Component c = byOutput.get(component);
                String constant = constantName(degreeOf.get(component), c.index(), t);
                code.addStatement("out[$L] = $L", outputIndex(component), degreeOf.get(component) == 0
                        ? times(constant, c.terms(), t) : constant + " * " + factorText(c.terms(), t));
                terms += c.terms().size() + 1;
            }
            loops.add(new Piece(code.endControlFlow().build(), loopSize(terms, monomials.size(), 3)
                    + 18 * (to - from)));
        }
        return loops;
    }

    /**
     * The values computed where they are stored, in the factored form ({@link FactoredHarmonics}): per point, the
     * normalized coordinates and {@code r^2}, then for each order {@code m} its cosine and sine parts
     * {@code A_m = (u + i v) A_{m-1}}, the Legendre factors {@code Q^m_l = w Q^m_{l-1} - beta r^2 Q^m_{l-2}} up the
     * degrees, and {@code out[(start + u) * dim + offset + k] = F_k * Q^m_l * A_m} for the components of order
     * {@code m} ({@code F_k = N_k lambda_k}, rounded once); sums in {@code Math.fma}.
     */
    private Piece factoredValueLoop(FactoredHarmonics factored, NumberType t) {
        String w = AXES[factored.polarAxis()];
        String re = AXES[factored.realAxis()];
        String im = AXES[factored.imaginaryAxis()];
        int lmax = factored.lmax();
        boolean[] uses = {lmax > 0, lmax > 0, lmax > 0};
        CodeBlock.Builder code = pointLoop(uses, t).addStatement("int o = (start + u) * $L", dim);
        if (lmax >= 2) {
            code.addStatement("$T r2 = x * x + y * y + z * z", t.type());
        }
        Map<Integer, Degree> requested = new TreeMap<>();
        model.degrees().forEach(degree -> requested.put(degree.l(), degree));
        int operations = 0;
        int stores = 0;
        for (int m = 0; m <= lmax; m++) {
            // A_m: the cosine c<m> and sine s<m> parts of (u + i v)^m; A_0 = 1, A_1 = (u, v)
            if (m >= 2) {
                String c = m == 2 ? re : "c" + (m - 1);
                String s = m == 2 ? im : "s" + (m - 1);
                code.addStatement("$T c$L = Math.fma($L, $L, -($L * $L))", t.type(), m, c, re, s, im)
                        .addStatement("$T s$L = Math.fma($L, $L, $L * $L)", t.type(), m, s, re, c, im);
                operations += 4;
            }
            int order = m;
            for (int l = m; l <= lmax; l++) {
                if (l >= m + 2) {
                    String lower = l == m + 2 ? "r2" : "(r2 * " + legendre(l - 2, m, w) + ")";
                    code.addStatement("$T $L = Math.fma($L, $L, -$L * $L)", t.type(), legendre(l, m, w), w,
                            legendre(l - 1, m, w), betaName(l, m, t), lower);
                    operations += 3;
                }
                Degree degree = requested.get(l);
                if (degree == null) {
                    continue;
                }
                List<Component> ofOrder = degree.components().stream()
                        .filter(c -> factored.factors().get(degree.l()).get(c.index()).m() == order).toList();
                // (F Q) A: a sine and a cosine component with the same |F| share the product F Q (the same bits)
                String shared = null;
                if (l > m && ofOrder.size() == 2 && factoredConstant(factored, degree, ofOrder.get(0)).algebraic().abs()
                        .equals(factoredConstant(factored, degree, ofOrder.get(1)).algebraic().abs())) {
                    shared = "f" + l + "_" + m;
                    code.addStatement("$T $L = $L * $L", t.type(), shared,
                            factoredConstantName(l, ofOrder.get(0).index(), t), legendre(l, m, w));
                    operations++;
                }
                for (Component c : ofOrder) {
                    FactoredHarmonics.Factor factor = factored.factors().get(l).get(c.index());
                    List<String> factors = new ArrayList<>();
                    if (shared == null) {
                        factors.add(factoredConstantName(l, c.index(), t));
                        if (l > m) {
                            factors.add(legendre(l, m, w));
                        }
                    } else {
                        boolean opposite = factoredConstant(factored, degree, c).algebraic().signum()
                                != factoredConstant(factored, degree, ofOrder.get(0)).algebraic().signum();
                        factors.add(opposite ? "-" + shared : shared);
                    }
                    if (m == 1) {
                        factors.add(factor.sine() ? im : re);
                    } else if (m >= 2) {
                        factors.add((factor.sine() ? "s" : "c") + m);
                    }
                    String value = String.join(" * ", factors);
                    operations += factors.size() - 1;
                    if (degree.offsets().size() == 1) {
                        code.addStatement("out[$L] = $L", outputIndex(degree.offsets().get(0) + c.index()), value);
                    } else {
                        String local = "y" + l + "_" + c.index();
                        code.addStatement("$T $L = $L", t.type(), local, value);
                        degree.offsets().forEach(offset -> code.addStatement("out[$L] = $L",
                                outputIndex(offset + c.index()), local));
                    }
                    stores += degree.offsets().size();
                }
            }
        }
        return new Piece(code.endControlFlow().build(), 60 + 8 * operations + 12 * stores);
    }

    /** {@code Q^m_l} for {@code l > m}: the polar coordinate {@code w} for {@code l = m + 1}, else its local. */
    private static String legendre(int l, int m, String w) {
        return l == m + 1 ? w : "q" + l + "_" + m;
    }

    /** {@code F_k = N_k lambda_k} of component {@code index} of degree {@code l} in the factored form. */
    private HarmonicConstant factoredConstant(FactoredHarmonics factored, Degree degree, Component component) {
        HarmonicConstant constant = model.constant(degree, component);
        BigFraction lambda = factored.factors().get(degree.l()).get(component.index()).lambda();
        return new HarmonicConstant(constant.algebraic().multiply(SqrtRational.of(lambda)), constant.overSqrtFourPi());
    }

    /** The fields of the factored form: {@code F_k} of each requested component, {@code beta^m_l} of each step. */
    private List<FieldSpec> factoredConstants(FactoredHarmonics factored, NumberType t) {
        List<FieldSpec> fields = new ArrayList<>();
        for (Degree degree : model.degrees()) {
            for (Component c : degree.components()) {
                FactoredHarmonics.Factor factor = factored.factors().get(degree.l()).get(c.index());
                HarmonicConstant constant = factoredConstant(factored, degree, c);
                fields.add(FieldSpec.builder(t.type(), factoredConstantName(degree.l(), c.index(), t), Modifier.PRIVATE,
                                Modifier.STATIC, Modifier.FINAL)
                        .addJavadoc("{@code Y^$L_$L = $L * Q^$L_$L($L, r^2) * $L}.\n", degree.l(),
                                c.index() - degree.l(), constant, factor.m(), degree.l(), AXES[factored.polarAxis()],
                                factor.m() == 0 ? "1" : (factor.sine() ? "Im" : "Re") + " (" + AXES[factored.realAxis()]
                                        + " + i " + AXES[factored.imaginaryAxis()] + ")^" + factor.m())
                        .initializer("$L", t.literal(constant))
                        .build());
            }
        }
        for (int m = 0; m <= factored.lmax(); m++) {
            for (int l = m + 2; l <= factored.lmax(); l++) {
                BigFraction beta = FactoredHarmonics.beta(l, m);
                fields.add(FieldSpec.builder(t.type(), betaName(l, m, t), Modifier.PRIVATE, Modifier.STATIC,
                                Modifier.FINAL)
                        .addJavadoc("{@code beta^$L_$L = $L} of {@code Q^$L_$L = w Q^$L_$L - beta r^2 Q^$L_$L}.\n", m, l,
                                beta, m, l, m, l - 1, m, l - 2)
                        .initializer("$L", t.literal(SqrtRational.of(beta)))
                        .build());
            }
        }
        return fields;
    }

    private static String factoredConstantName(int l, int index, NumberType t) {
        return "F" + l + "_" + index + t.fieldSuffix();
    }

    private static String betaName(int l, int m, NumberType t) {
        return "BETA" + l + "_" + m + t.fieldSuffix();
    }

    private static String outputIndex(int component) {
        return component == 0 ? "o" : "o + " + component;
    }

    /** Scalar loops over the chunk's points, each making at most {@code perLoop} of the copies, in order. */
    private List<Piece> copyLoops(List<String> copies, int perLoop) {
        List<Piece> loops = new ArrayList<>();
        for (int from = 0; from < copies.size(); from += perLoop) {
            List<String> slice = copies.subList(from, Math.min(from + perLoop, copies.size()));
            CodeBlock.Builder code = CodeBlock.builder()
                    .beginControlFlow("for (int u = 0; u < count; u++)")
                    .addStatement("int o = (start + u) * $L", dim);
            slice.forEach(copy -> code.addStatement("$L", copy));
            loops.add(new Piece(code.endControlFlow().build(), 40 + 18 * slice.size()));
        }
        return loops;
    }

    private MethodSpec forward(NumberType t) {
        return MethodSpec.methodBuilder("forward")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addParameter(int.class, "n")
                .addParameter(t.arrayType(), "xyz")
                .addParameter(t.arrayType(), "out")
                .addCode(checks.nonNegativeCount("forward"))
                .addCode(checks.perSample("forward", "xyz", 3))
                .addCode(checks.perSample("forward", "out", dim))
                .addCode(checks.distinct("forward", List.of("out"), List.of("xyz")))
                .addStatement("$T.run(n, BLOCK_SIZE, (block, from, to) -> forwardBlock(from, to, xyz, out))",
                        BatchBlocks.class)
                .build();
    }

    /** Rows of {@code points}: x, y, z, and the norm when normalizing. */
    private int pointRows() {
        return model.normalize() ? 4 : 3;
    }

    /**
     * The values of points {@code from..to-1}, a chunk at a time: the coordinates points-last, then the values
     * through points-last rows, or computed as they are stored ({@link SphericalHarmonicsPlan#fusedValueStore}).
     */
    private MethodSpec forwardBlock(NumberType t, Pass values, Pass storeValues) {
        MethodSpec.Builder method = MethodSpec.methodBuilder("forwardBlock")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(int.class, "from")
                .addParameter(int.class, "to")
                .addParameter(t.arrayType(), "xyz")
                .addParameter(t.arrayType(), "out")
                .addStatement("$T points = new $T[$L * $L]", t.arrayType(), t.type(), pointRows(), stride(t));
        if (forwardValueRows()) {
            method.addStatement("$T rows = new $T[$L * $L]", t.arrayType(), t.type(), plan.valueRowCount(), stride(t));
        }
        return method.beginControlFlow("for (int start = from; start < to; start += $L)", chunk(t))
                .addStatement("int count = Math.min($L, to - start)", chunk(t))
                .addStatement("loadPoints(xyz, start, count, points)")
                .addCode(values.calls())
                .addCode(storeValues.calls())
                .endControlFlow()
                .build();
    }

    /** Whether the forward computes value rows and copies them out, rather than computing values as it stores. */
    private boolean forwardValueRows() {
        return !plan.fusedValueStore() && plan.factored().isEmpty();
    }

    /**
     * Copies the chunk's coordinates into the rows x, y, z of {@code points} (scalar: {@code xyz} is interleaved)
     * and, when normalizing, divides them by {@code max(|v|, 1e-12)} in loops that vectorize (the norm in row 3).
     */
    private MethodSpec loadPoints(NumberType t) {
        MethodSpec.Builder method = MethodSpec.methodBuilder("loadPoints")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(t.arrayType(), "xyz")
                .addParameter(int.class, "start")
                .addParameter(int.class, "count")
                .addParameter(t.arrayType(), "points")
                .beginControlFlow("for (int u = 0; u < count; u++)")
                .addStatement("int p = 3 * (start + u)")
                .addStatement("points[u] = xyz[p]")
                .addStatement(strided("points[STRIDE + u] = xyz[p + 1]", t))
                .addStatement(strided("points[2 * STRIDE + u] = xyz[p + 2]", t))
                .endControlFlow();
        if (!model.normalize()) {
            return method.build();
        }
        String sqrt = t == NumberType.DOUBLE ? "Math.sqrt(" : "(float) Math.sqrt(";
        method.addComment("torch.nn.functional.normalize: v / max(|v|, eps)")
                .beginControlFlow("for (int u = 0; u < count; u++)")
                .addStatement("$T x = points[u]", t.type())
                .addStatement(strided("$T y = points[STRIDE + u]", t), t.type())
                .addStatement(strided("$T z = points[2 * STRIDE + u]", t), t.type())
                .addStatement(strided("points[3 * STRIDE + u] = $Lx * x + y * y + z * z)", t), sqrt)
                .endControlFlow()
                .addComment("|v|^2 overflows for huge v (from about 1.3e154, in float 1.8e19), and so does the sum of")
                .addComment("four such norms: only then are they recomputed, scaled first (NaN included, to stay")
                .addComment("exact); the rows are longer than a chunk, so reading past count is safe")
                .beginControlFlow("for (int u = 0; u < count; u += 4)")
                .beginControlFlow(strided("if (!(points[3 * STRIDE + u] + points[3 * STRIDE + u + 1]"
                        + " + points[3 * STRIDE + u + 2] + points[3 * STRIDE + u + 3] <= $L))", t), maxValue(t))
                .beginControlFlow("for (int v = u; v < Math.min(u + 4, count); v++)")
                .addStatement(strided("points[3 * STRIDE + v] = norm(points[v], points[STRIDE + v],"
                        + " points[2 * STRIDE + v])", t))
                .endControlFlow()
                .endControlFlow()
                .endControlFlow();
        for (int axis = 0; axis < 3; axis++) {
            method.beginControlFlow("for (int u = 0; u < count; u++)")
                    .addStatement(strided("$L /= Math.max(points[3 * STRIDE + u], $L)", t), rowAt("points", t, axis),
                            literal(t, NORM_FLOOR))
                    .endControlFlow();
        }
        return method.build();
    }

    /** {@code Double.MAX_VALUE} or {@code Float.MAX_VALUE}. */
    private static String maxValue(NumberType t) {
        return t == NumberType.DOUBLE ? "Double.MAX_VALUE" : "Float.MAX_VALUE";
    }

    /**
     * {@code norm(x, y, z)}: {@code |v|} as {@code sqrt(x x + y y + z z)}, the same bits as that formula wherever the
     * squares do not overflow; where they do (from about 1.3e154, in float 1.8e19), the components are divided by the
     * largest first (in float, the sum is taken in double, where it cannot overflow). Tiny vectors need no care: the
     * squares underflow only far below the floor {@code 1e-12} that replaces such norms.
     */
    private static MethodSpec norm(NumberType t) {
        MethodSpec.Builder method = MethodSpec.methodBuilder("norm")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(t.type())
                .addParameter(t.type(), "x")
                .addParameter(t.type(), "y")
                .addParameter(t.type(), "z")
                .addStatement("$T squared = x * x + y * y + z * z", t.type())
                .beginControlFlow("if (!(squared > $L))", maxValue(t));
        if (t == NumberType.FLOAT) {
            return method.addStatement("return (float) Math.sqrt(squared)")
                    .endControlFlow()
                    .addStatement("return (float) Math.sqrt((double) x * x + (double) y * y + (double) z * z)")
                    .build();
        }
        return method.addStatement("return Math.sqrt(squared)")
                .endControlFlow()
                .addStatement("double largest = Math.max(Math.abs(x), Math.max(Math.abs(y), Math.abs(z)))")
                .addStatement("double u = x / largest")
                .addStatement("double v = y / largest")
                .addStatement("double w = z / largest")
                .addStatement("return largest * Math.sqrt(u * u + v * v + w * w)")
                .build();
    }

    /** The scratch row of the gradient along {@code axis}, after the weights. */
    private String gradientAt(int axis, NumberType t) {
        return rowAt("rows", t, plan.weightRowBase() + plan.weightRows().size() + axis);
    }

    /**
     * The transposing copy {@code w_c[u] = N_c (gradOut[(start + u) * dim + offset + c] + ...)} over the offsets of
     * the component's degree: the weights of {@code grad = sum_c w_c grad P_c}, computed as the scalar gradient did.
     */
    private List<Piece> loadWeightLoops(NumberType t) {
        List<String> copies = new ArrayList<>();
        for (Degree degree : model.degrees()) {
            if (degree.l() == 0) {
                continue;
            }
            for (Component c : degree.components()) {
                String gradients = degree.offsets().stream()
                        .map(offset -> "gradOut[" + outputIndex(offset + c.index()) + "]")
                        .collect(Collectors.joining(" + "));
                copies.add(rowAt("rows", t, plan.weightRow(degree.l(), c.index())) + " = "
                        + constantName(degree.l(), c.index(), t) + " * "
                        + (degree.offsets().size() == 1 ? gradients : "(" + gradients + ")"));
            }
        }
        return copyLoops(copies, t == NumberType.FLOAT ? FLOAT_WEIGHTS_PER_LOOP : DOUBLE_WEIGHTS_PER_LOOP);
    }

    /**
     * The loops {@code d_a = sum_lik c[a][k][i] P^{l-1}_i w_k} per axis {@code a} ({@link LoweredGradient}),
     * {@link #LOWERED_TERMS_PER_LOOP} terms a loop, degrees and values in order. {@code P^0} is a constant and joins
     * {@code c}.
     */
    private List<Piece> loweredGradientLoops(NumberType t) {
        List<Piece> loops = new ArrayList<>();
        for (int axis : ALL_AXES) {
            List<Summand> summands = new ArrayList<>();
            for (Degree degree : model.degrees()) {
                int l = degree.l();
                if (l == 0) {
                    continue;
                }
                for (LoweredTerm term : loweredTerms(l, axis)) {
                    String weight = rowAt("rows", t, plan.weightRow(l, term.k()));
                    BigFraction c = term.coefficient();
                    String factor = weight;
                    if (l == 1) {
                        // P^0 is a constant: it joins the coefficient
                        c = c.multiply(BigFraction.of(model.components(0).get(0).terms().get(0).coefficient()));
                    } else {
                        factor = valueAt(l - 1, term.value(), t) + " * " + weight;
                    }
                    summands.add(new Summand((c.signum() < 0 ? "-" : "") + scaled(c.abs(), factor, t), List.of()));
                }
            }
            if (summands.isEmpty()) {
                summands.add(new Summand(t.literal(0), List.of()));
            }
            loops.addAll(sumLoops(gradientAt(axis, t), false, summands, group -> group.size() <= LOWERED_TERMS_PER_LOOP,
                    t));
        }
        return loops;
    }

    /**
     * The scalar transposing store of the gradient into {@code gradXyz[(start + u) * 3 + a]}, through the chain rule
     * of {@code u = x / max(|x|, eps)} when normalizing: {@code (g - (g . u) u) / |x|} above eps, {@code g / eps}
     * below.
     */
    private Piece storeGradientLoop(NumberType t) {
        CodeBlock.Builder code = CodeBlock.builder()
                .beginControlFlow("for (int u = 0; u < count; u++)")
                .addStatement("int g = 3 * (start + u)");
        String[] accumulators = {"gx", "gy", "gz"};
        for (int axis : ALL_AXES) {
            code.addStatement("$T $L = $L", t.type(), accumulators[axis], gradientAt(axis, t));
        }
        if (model.normalize()) {
            for (int axis : ALL_AXES) {
                code.addStatement("$T $L = $L", t.type(), AXES[axis], rowAt("points", t, axis));
            }
            code.addStatement(strided("$T norm = points[3 * STRIDE + u]", t), t.type())
                    .add("// chain rule of u = x / max(|x|, eps): (g - (g . u) u) / |x| above eps, g / eps below\n")
                    .beginControlFlow("if (norm >= $L)", literal(t, NORM_FLOOR))
                    .addStatement("$T radial = gx * x + gy * y + gz * z", t.type())
                    .addStatement("gx -= radial * x")
                    .addStatement("gy -= radial * y")
                    .addStatement("gz -= radial * z")
                    .endControlFlow()
                    .addStatement("$T scale = Math.max(norm, $L)", t.type(), literal(t, NORM_FLOOR))
                    .addStatement("gradXyz[g] = gx / scale")
                    .addStatement("gradXyz[g + 1] = gy / scale")
                    .addStatement("gradXyz[g + 2] = gz / scale");
        } else {
            code.addStatement("gradXyz[g] = gx")
                    .addStatement("gradXyz[g + 1] = gy")
                    .addStatement("gradXyz[g + 2] = gz");
        }
        return new Piece(code.endControlFlow().build(), 200);
    }

    /**
     * The tangential part of the chain rule through {@code u = x / max(|x|, eps)}: above the floor, the gradient
     * {@code (gx, gy, gz)} (variables or array elements) loses its component along the unit point {@code (x, y, z)};
     * the division by the norm is the caller's.
     */
    private static MethodSpec.Builder projectOutRadial(MethodSpec.Builder method, NumberType t, String norm, String gx,
                                                       String gy, String gz) {
        return method.addComment("chain rule of u = x / max(|x|, eps): (g - (g . u) u) / |x| above eps, g / eps below")
                .beginControlFlow("if ($L >= $L)", norm, literal(t, NORM_FLOOR))
                .addStatement("$T radial = $L * x + $L * y + $L * z", t.type(), gx, gy, gz)
                .addStatement("$L -= radial * x", gx)
                .addStatement("$L -= radial * y", gy)
                .addStatement("$L -= radial * z", gz)
                .endControlFlow();
    }

    /** {@code private static void backwardBlock(int from, int to, T[] xyz, T[] gradOut, T[] gradXyz)}, no body. */
    private static MethodSpec.Builder backwardBlockHead(NumberType t) {
        return MethodSpec.methodBuilder("backwardBlock")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(int.class, "from")
                .addParameter(int.class, "to")
                .addParameter(t.arrayType(), "xyz")
                .addParameter(t.arrayType(), "gradOut")
                .addParameter(t.arrayType(), "gradXyz");
    }

    /**
     * {@link #backwardBlockHead} with the points-last scratch ({@code points}, and {@code rows} of {@code rowCount}
     * rows) and the open loop over chunks whose points are loaded; the caller adds the chunk's body and closes it.
     */
    private MethodSpec.Builder chunkedBackwardBlock(NumberType t, CodeBlock rowCount) {
        return backwardBlockHead(t)
                .addStatement("$T points = new $T[$L * $L]", t.arrayType(), t.type(), pointRows(), stride(t))
                .addStatement("$T rows = new $T[$L * $L]", t.arrayType(), t.type(), rowCount, stride(t))
                .beginControlFlow("for (int start = from; start < to; start += $L)", chunk(t))
                .addStatement("int count = Math.min($L, to - start)", chunk(t))
                .addStatement("loadPoints(xyz, start, count, points)");
    }

    /**
     * The gradients of points {@code from..to-1} through the degree below, a chunk at a time through the points-last
     * scratch: the value rows, the weights, the gradient loops, and the store through the chain rule.
     */
    private MethodSpec pointsLastBackwardBlock(NumberType t, Pass values, Pass loadWeights, Pass gradient,
                                               Pass storeGradients) {
        return chunkedBackwardBlock(t, CodeBlock.of("$L", plan.backwardRowCount()))
                .addCode(values.calls())
                .addCode(loadWeights.calls())
                .addCode(gradient.calls())
                .addCode(storeGradients.calls())
                .endControlFlow()
                .build();
    }

    private MethodSpec backward(NumberType t) {
        return MethodSpec.methodBuilder("backward")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addParameter(int.class, "n")
                .addParameter(t.arrayType(), "xyz")
                .addParameter(t.arrayType(), "gradOut")
                .addParameter(t.arrayType(), "gradXyz")
                .addCode(checks.nonNegativeCount("backward"))
                .addCode(checks.perSample("backward", "xyz", 3))
                .addCode(checks.perSample("backward", "gradOut", dim))
                .addCode(checks.perSample("backward", "gradXyz", 3))
                .addCode(checks.distinct("backward", List.of("gradXyz"), List.of("xyz", "gradOut")))
                .addStatement("$T.run(n, BLOCK_SIZE, (block, from, to) -> backwardBlock(from, to, xyz, gradOut,"
                        + " gradXyz))", BatchBlocks.class)
                .build();
    }

    private static MethodSpec group(Group group, NumberType t) {
        MethodSpec.Builder method = MethodSpec.methodBuilder(group.name())
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("Parts $L to $L for one point.\n", group.parts().get(0).name(),
                        group.parts().get(group.parts().size() - 1).name())
                .addParameter(t.type(), "x")
                .addParameter(t.type(), "y")
                .addParameter(t.type(), "z")
                .addParameter(t.arrayType(), "gradOut")
                .addParameter(int.class, "o")
                .addParameter(t.arrayType(), "gradXyz")
                .addParameter(int.class, "g");
        group.parts().forEach(part -> method.addStatement("$L(x, y, z, gradOut, o, gradXyz, g)", part.name()));
        return method.build();
    }

    /** The gradients of points {@code from..to-1}. */
    private MethodSpec backwardBlock(NumberType t, List<String> callees) {
        MethodSpec.Builder method = backwardBlockHead(t)
                .beginControlFlow("for (int p = from; p < to; p++)")
                .addCode(readPoint(t))
                .addStatement("int o = p * $L", dim)
                .addStatement("int g = 3 * p")
                .addStatement("gradXyz[g] = $L", t.literal(0))
                .addStatement("gradXyz[g + 1] = $L", t.literal(0))
                .addStatement("gradXyz[g + 2] = $L", t.literal(0));
        callees.forEach(callee -> method.addStatement("$L(x, y, z, gradOut, o, gradXyz, g)", callee));
        if (model.normalize()) {
            projectOutRadial(method, t, "norm", "gradXyz[g]", "gradXyz[g + 1]", "gradXyz[g + 2]")
                    .addStatement("gradXyz[g] /= scale")
                    .addStatement("gradXyz[g + 1] /= scale")
                    .addStatement("gradXyz[g + 2] /= scale");
        }
        return method.endControlFlow().build();
    }

    /**
     * The gradients of points {@code from..to-1} ({@link PolynomialGradient}), a chunk at a time: the points-last
     * normalization ({@link #loadPoints}), the gradients point by point into three rows, their division by the norm
     * in loops that vectorize, and a scalar store into {@code gradXyz}.
     */
    private MethodSpec polynomialBackwardBlock(NumberType t) {
        MethodSpec.Builder method = chunkedBackwardBlock(t, CodeBlock.of("3"))
                .addStatement("polynomialGradient(points, gradOut, rows, start, count)");
        if (model.normalize()) {
            for (int axis : ALL_AXES) {
                method.beginControlFlow("for (int u = 0; u < count; u++)")
                        .addStatement(strided("$L /= Math.max(points[3 * STRIDE + u], $L)", t), rowAt("rows", t, axis),
                                literal(t, NORM_FLOOR))
                        .endControlFlow();
            }
        }
        return method.beginControlFlow("for (int u = 0; u < count; u++)")
                .addStatement("int g = 3 * (start + u)")
                .addStatement("gradXyz[g] = rows[u]")
                .addStatement(strided("gradXyz[g + 1] = rows[STRIDE + u]", t))
                .addStatement(strided("gradXyz[g + 2] = rows[2 * STRIDE + u]", t))
                .endControlFlow()
                .endControlFlow()
                .build();
    }

    /**
     * One chunk's gradients before the division by the norm: per point its cotangents {@code g_k}, the coefficients
     * {@code q_mu = sum_k (N_k c f) g_k} of their polynomial {@code Q} ({@link PolynomialGradient}), the monomials of
     * the derivatives (doubled where a term's factor is 2: exact), per axis {@code sum factor * q_mu * dmu} (each
     * monomial degree its own chain of {@code Math.fma}, the chains added in order of degree), and the tangential
     * projection of the chain rule. At lmax 3 the same bits as one coefficient per axis and term: a coefficient and
     * its term's factor 2 give the product of the per-term coefficient exactly, and {@code fma} rounds once.
     */
    private MethodSpec polynomialGradient(NumberType t, PolynomialGradient gradient) {
        MethodSpec.Builder method = MethodSpec.methodBuilder("polynomialGradient")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(t.arrayType(), "points")
                .addParameter(t.arrayType(), "gradOut")
                .addParameter(t.arrayType(), "rows")
                .addParameter(int.class, "start")
                .addParameter(int.class, "count")
                .beginControlFlow("for (int u = 0; u < count; u++)");
        for (int axis : ALL_AXES) {
            method.addStatement("$T $L = $L", t.type(), AXES[axis], rowAt("points", t, axis));
        }
        method.addStatement("int o = (start + u) * $L", dim);
        for (Degree degree : model.degrees()) {
            if (degree.l() == 0) {
                continue;
            }
            for (Component c : degree.components()) {
                method.addStatement("$T $L = $L", t.type(), cotangent(degree, c), degree.offsets().stream()
                        .map(offset -> "gradOut[" + outputIndex(offset + c.index()) + "]")
                        .collect(Collectors.joining(" + ")));
            }
        }
        List<String> coefficients = new ArrayList<>();
        for (PolynomialGradient.Coefficient q : gradient.coefficients()) {
            String coefficient = null;
            for (PolynomialGradient.Weight w : q.weights()) {
                String g = cotangent(w.degree(), w.component());
                coefficient = coefficient == null ? t.literal(w.constant()) + " * " + g
                        : "Math.fma(" + t.literal(w.constant()) + ", " + g + ", " + coefficient + ")";
            }
            String local = "q" + name(q.xPower(), q.yPower(), q.zPower());
            method.addStatement("$T $L = $L", t.type(), local, coefficient);
            coefficients.add(local);
        }
        List<List<Term>> used = new ArrayList<>();
        gradient.axes().forEach(axis -> axis.forEach(d -> used.add(List.of(
                new Term(d.xPower(), d.yPower(), d.zPower(), BigInteger.ONE)))));
        method.addCode(monomialLocals(monomials(used), t));
        // monomials times a term's factor: 2 up to lmax 3, where this gradient is used, an exact doubling
        Map<String, String> scaledMonomials = new TreeMap<>();
        gradient.axes().forEach(axis -> axis.stream().filter(d -> d.factor() != 1).forEach(d -> {
            String monomial = name(d.xPower(), d.yPower(), d.zPower());
            scaledMonomials.put(monomial + "Times" + d.factor(), d.factor() == 2 ? monomial + " + " + monomial
                    : d.factor() + " * " + monomial);
        }));
        scaledMonomials.forEach((local, value) -> method.addStatement("$T $L = $L", t.type(), local, value));
        String[] accumulators = {"gx", "gy", "gz"};
        for (int axis : ALL_AXES) {
            Map<Integer, String> byDegree = new TreeMap<>();
            for (PolynomialGradient.Derivative d : gradient.axes().get(axis)) {
                String coefficient = coefficients.get(d.coefficient());
                String monomial = name(d.xPower(), d.yPower(), d.zPower());
                String scaled = d.factor() == 1 ? monomial : monomial + "Times" + d.factor();
                String previous = byDegree.get(d.degree());
                byDegree.put(d.degree(), d.degree() == 0 ? (previous == null ? coefficient
                        : previous + " + " + coefficient) : previous == null ? coefficient + " * " + scaled
                        : "Math.fma(" + coefficient + ", " + scaled + ", " + previous + ")");
            }
            method.addStatement("$T $L = $L", t.type(), accumulators[axis],
                    byDegree.isEmpty() ? t.literal(0) : String.join(" + ", byDegree.values()));
        }
        if (model.normalize()) {
            projectOutRadial(method, t, strided("points[3 * STRIDE + u]", t), "gx", "gy", "gz");
        }
        for (int axis : ALL_AXES) {
            method.addStatement("$L = $L", rowAt("rows", t, axis), accumulators[axis]);
        }
        return method.endControlFlow().build();
    }

    /** The local holding the summed cotangent of a component: {@code g3_2}. */
    private static String cotangent(Degree degree, Component c) {
        return "g" + degree.l() + "_" + c.index();
    }

    private CodeBlock readPoint(NumberType t) {
        CodeBlock.Builder code = CodeBlock.builder();
        if (!model.normalize()) {
            return code.addStatement("$T x = xyz[3 * p]", t.type())
                    .addStatement("$T y = xyz[3 * p + 1]", t.type())
                    .addStatement("$T z = xyz[3 * p + 2]", t.type())
                    .build();
        }
        return code.addStatement("$T norm = norm(xyz[3 * p], xyz[3 * p + 1], xyz[3 * p + 2])", t.type())
                .addStatement("$T scale = Math.max(norm, $L)", t.type(), literal(t, NORM_FLOOR))
                .addStatement("$T x = xyz[3 * p] / scale", t.type())
                .addStatement("$T y = xyz[3 * p + 1] / scale", t.type())
                .addStatement("$T z = xyz[3 * p + 2] / scale", t.type())
                .build();
    }

    private MethodSpec gradientPart(Part part, NumberType t) {
        MethodSpec.Builder method = MethodSpec.methodBuilder(part.name())
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(t.type(), "x")
                .addParameter(t.type(), "y")
                .addParameter(t.type(), "z")
                .addParameter(t.arrayType(), "gradOut")
                .addParameter(int.class, "o")
                .addParameter(t.arrayType(), "gradXyz")
                .addParameter(int.class, "g")
                .addCode(monomialLocals(monomials(plan.derivatives(part.slices())), t));
        String[] accumulators = {"gx", "gy", "gz"};
        List<Integer> axes = part.slices().stream().flatMap(slice -> slice.axes().stream()).distinct().sorted()
                .toList();
        axes.forEach(axis -> method.addStatement("$T $L = $L", t.type(), accumulators[axis], t.literal(0)));
        for (Slice slice : part.slices()) {
            Degree degree = slice.degree();
            for (Component c : degree.components().subList(slice.from(), slice.to())) {
                String weight = "g" + degree.l() + "_" + c.index();
                String gradients = degree.offsets().stream()
                        .map(offset -> "gradOut[o + " + (offset + c.index()) + "]")
                        .collect(Collectors.joining(" + "));
                method.addStatement("$T $L = $L * $L", t.type(), weight, constantName(degree.l(), c.index(), t),
                        degree.offsets().size() == 1 ? gradients : "(" + gradients + ")");
                if (slice.lowered()) {
                    continue;
                }
                for (int axis : slice.axes()) {
                    List<Term> derivative = c.derivative(axis);
                    if (!derivative.isEmpty()) {
                        method.addStatement("$L += $L", accumulators[axis], times(weight, derivative, t));
                    }
                }
            }
        }
        part.slices().stream().filter(Slice::lowered).forEach(slice -> addLowered(method, slice.degree(), t));
        axes.forEach(axis -> method.addStatement("gradXyz[$L] += $L", axis == 0 ? "g" : "g + " + axis,
                accumulators[axis]));
        return method
                .build();
    }

    /**
     * {@code g_a += sum_i P^{l-1}_i sum_k c[a][k][i] g_k}: the gradient of degree {@code l} through the values of
     * the degree below ({@link LoweredGradient}), after the weights {@code g_k = N_k gradOut_k} are declared.
     */
    private void addLowered(MethodSpec.Builder method, Degree degree, NumberType t) {
        int l = degree.l();
        method.addComment("degree $L: d P^$L_k / d axis = sum_i c[axis][k][i] P^$L_i, exact rationals c", l, l, l - 1);
        for (Component c : model.components(l - 1)) {
            method.addStatement("$T p$L_$L = $L", t.type(), l - 1, c.index(), combination(c.terms(), t));
        }
        String[] accumulators = {"gx", "gy", "gz"};
        for (int axis : ALL_AXES) {
            // per value: +- p * |c| * g for one term, + p * (c1 * g1 +- |c2| * g2 ...) for several
            Map<Integer, List<LoweredTerm>> byValue = new TreeMap<>();
            loweredTerms(l, axis).forEach(term -> byValue.computeIfAbsent(term.value(), i -> new ArrayList<>())
                    .add(term));
            StringBuilder sum = new StringBuilder();
            byValue.forEach((value, terms) -> {
                boolean negative = terms.size() == 1 && terms.get(0).coefficient().signum() < 0;
                StringBuilder weighted = new StringBuilder();
                for (LoweredTerm term : terms) {
                    BigFraction coefficient = term.coefficient();
                    if (weighted.length() > 0) {
                        weighted.append(coefficient.signum() < 0 ? " - " : " + ");
                    } else if (coefficient.signum() < 0 && !negative) {
                        weighted.append('-');
                    }
                    weighted.append(scaled(coefficient.abs(), "g" + l + "_" + term.k(), t));
                }
                if (sum.length() > 0) {
                    sum.append(negative ? " - " : " + ");
                } else if (negative) {
                    sum.append('-');
                }
                sum.append("p").append(l - 1).append('_').append(value).append(" * ")
                        .append(terms.size() == 1 ? weighted : "(" + weighted + ")");
            });
            if (sum.length() > 0) {
                method.addStatement("$L += $L", accumulators[axis], sum);
            }
        }
    }

    /** One term {@code c P^{l-1}_value w_k} of a gradient axis through the degree below. */
    private record LoweredTerm(int value, int k, BigFraction coefficient) {
    }

    /** The terms of {@code d_a} of degree {@code l} ({@link LoweredGradient}), by lower value, then by {@code k}. */
    private List<LoweredTerm> loweredTerms(int l, int axis) {
        List<Map<Integer, BigFraction>> byK = plan.loweredGradients().get(l).get(axis);
        List<LoweredTerm> terms = new ArrayList<>();
        for (Component value : model.components(l - 1)) {
            for (int k = 0; k < byK.size(); k++) {
                BigFraction c = byK.get(k).get(value.index());
                if (c != null) {
                    terms.add(new LoweredTerm(value.index(), k, c));
                }
            }
        }
        return terms;
    }

    /** {@code magnitude * variable} with the exact rational rounded once; a magnitude of 1 is left out. */
    private static String scaled(BigFraction magnitude, String variable, NumberType t) {
        return magnitude.equals(BigFraction.ONE) ? variable
                : t.literal(SqrtRational.of(magnitude)) + " * " + variable;
    }

    private static String literal(NumberType t, String decimal) {
        return t.literal(new BigDecimal(decimal));
    }

    private static CodeBlock monomialLocals(TreeSet<List<Integer>> monomials, NumberType t) {
        CodeBlock.Builder code = CodeBlock.builder();
        for (List<Integer> m : monomials) {
            List<Integer> parent = parent(m);
            String variable = m.get(0) > 0 ? "x" : m.get(1) > 0 ? "y" : "z";
            code.addStatement("$T $L = $L * $L", t.type(), name(m.get(0), m.get(1), m.get(2)),
                    name(parent.get(0), parent.get(1), parent.get(2)), variable);
        }
        return code.build();
    }

    /** {@code x2yz3} for {@code x^2 y z^3}; {@code 1} for the constant monomial. */
    private static String name(int a, int b, int c) {
        String s = power("x", a) + power("y", b) + power("z", c);
        return s.isEmpty() ? "1" : s;
    }

    private static String power(String variable, int exponent) {
        return exponent == 0 ? "" : exponent == 1 ? variable : variable + exponent;
    }

    /** {@code factor * P}, or just {@code factor} when {@code P} is the constant 1. */
    private static String times(String factor, List<Term> terms, NumberType t) {
        String polynomial = factorText(terms, t);
        return polynomial.equals(t.literal(1)) ? factor : factor + " * " + polynomial;
    }

    /** The polynomial as a Java factor: a bare monomial, or a parenthesized integer combination. */
    private static String factorText(List<Term> terms, NumberType t) {
        if (terms.size() == 1 && terms.get(0).coefficient().equals(BigInteger.ONE)) {
            Term term = terms.get(0);
            String monomial = name(term.xPower(), term.yPower(), term.zPower());
            return monomial.equals("1") ? t.literal(1) : monomial;
        }
        return "(" + combination(terms, t) + ")";
    }

    private static String combination(List<Term> terms, NumberType t) {
        StringBuilder s = new StringBuilder();
        for (Term term : terms) {
            BigInteger c = term.coefficient();
            String monomial = name(term.xPower(), term.yPower(), term.zPower());
            if (s.length() > 0) {
                s.append(c.signum() < 0 ? " - " : " + ");
            } else if (c.signum() < 0) {
                s.append("-");
            }
            BigInteger magnitude = c.abs();
            if (monomial.equals("1")) {
                s.append(t.literal(magnitude.longValueExact()));
            } else if (magnitude.equals(BigInteger.ONE)) {
                s.append(monomial);
            } else {
                s.append(magnitude.bitLength() < 31 ? magnitude.toString() : magnitude + "L").append(" * ")
                        .append(monomial);
            }
        }
        return s.toString();
    }

    /** The polynomial for Javadoc: {@code 2 y^2 - x^2 - z^2}. */
    private static String polynomialText(List<Term> terms) {
        StringBuilder s = new StringBuilder();
        for (Term term : terms) {
            BigInteger c = term.coefficient();
            if (s.length() > 0) {
                s.append(c.signum() < 0 ? " - " : " + ");
            } else if (c.signum() < 0) {
                s.append("-");
            }
            String monomial = (textPower("x", term.xPower()) + " " + textPower("y", term.yPower()) + " "
                    + textPower("z", term.zPower())).trim().replaceAll(" +", " ");
            BigInteger magnitude = c.abs();
            if (monomial.isEmpty()) {
                s.append(magnitude);
            } else {
                s.append(magnitude.equals(BigInteger.ONE) ? "" : magnitude + " ").append(monomial);
            }
        }
        return s.toString();
    }

    private static String textPower(String variable, int exponent) {
        return exponent == 0 ? "" : exponent == 1 ? variable : variable + "^" + exponent;
    }
}
