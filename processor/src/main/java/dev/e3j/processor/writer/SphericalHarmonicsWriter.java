package dev.e3j.processor.writer;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import dev.e3j.annotations.Precision;
import dev.e3j.annotations.ShNormalization;
import dev.e3j.processor.math.SphericalHarmonicPolynomials;
import dev.e3j.processor.math.SqrtRational;
import dev.e3j.processor.math.Wigner3j;
import dev.e3j.processor.model.SphericalHarmonicsModel;
import dev.e3j.processor.model.SphericalHarmonicsModel.Component;
import dev.e3j.processor.model.SphericalHarmonicsModel.Degree;
import dev.e3j.processor.model.SphericalHarmonicsModel.Term;
import dev.e3j.runtime.BatchBlocks;
import dev.e3j.runtime.Irreps;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.lang.model.element.Modifier;
import org.apache.commons.numbers.fraction.BigFraction;

/**
 * Turns a {@link SphericalHarmonicsModel} into the source of a {@code SphericalHarmonicsKernel}.
 *
 * <p>Each component is written as {@code Y = N * P(x, y, z)}: {@code N} one constant rounded once, {@code P} an
 * integer combination of monomials that a part computes once and shares. Parts are static methods holding whole
 * degrees while they fit a bytecode budget (HotSpot's JIT refuses to compile methods over 8000 bytes), else slices of
 * one degree's components, else (a gradient component of a high degree) one derivative axis of one component; block
 * methods with more part calls than {@link #MAX_CALLS_PER_METHOD} call them through group methods. For larger lmax the values instead follow e3nn's own recursion over the degrees,
 * {@code P^{l+1}_k = sum_ij q_ijk P^l_i v_j} with exact constants {@code q}, in one method. The gradient
 * {@code sum_m g_m N_m grad P_m} uses the exact derivatives of {@code P}. The points are split into fixed blocks run in parallel ({@link BatchBlocks}); each point belongs to one block, so
 * results do not depend on the number of threads.
 */
public final class SphericalHarmonicsWriter {

    /** Estimated bytecode per method, well under HotSpot's 8000-byte limit for compiling a method. */
    private static final int BYTECODE_BUDGET = 5000;
    /**
     * Part calls per method, about 15 bytes each: a block method calls the parts directly up to this many (lmax 16
     * has about 120 gradient parts), else through helpers that each call this many.
     */
    static final int MAX_CALLS_PER_METHOD = 100;
    /**
     * From this lmax on, values come from the recursion over degrees rather than from shared monomials: fewer
     * operations and live values once the monomials of degree up to lmax outnumber the recursion's terms (measured
     * per point, one thread: lmax 3, monomials 15 ns, recursion 24 ns; lmax 6, monomials 79 ns, recursion 61 ns).
     */
    static final int RECURSION_FROM_LMAX = 6;
    /** Points per parallel block: tens of microseconds of work, far more than a fork/join task costs. */
    static final int BLOCK_SIZE = 4096;
    /** torch.nn.functional.normalize's floor on the norm. */
    private static final String NORM_FLOOR = "1e-12";

    private final SphericalHarmonicsModel model;
    private final Precision precision;
    private final int dim;
    private final List<List<List<Raise>>> raisings;
    /** Magnitudes of the recursion's constants {@code q}, keyed by their square, in order of first use. */
    private final Map<BigFraction, SqrtRational> raisingConstants = new LinkedHashMap<>();

    /**
     * A slice of one degree's components that one generated method evaluates; for the gradient, the derivatives
     * along {@code axes} only (a single component of a high degree may need one method per axis).
     */
    private record Slice(Degree degree, int from, int to, List<Integer> axes) {

        Slice(Degree degree, int from, int to) {
            this(degree, from, to, ALL_AXES);
        }
    }

    private static final List<Integer> ALL_AXES = List.of(0, 1, 2);
    private static final String[] AXIS_NAMES = {"X", "Y", "Z"};

    /** Slices evaluated by one generated method, and its name. */
    private record Part(String name, List<Slice> slices) {
    }

    /** A method that calls {@code parts} in order, so that a block method's calls stay within the budget. */
    private record Group(String name, List<Part> parts) {
    }

    private SphericalHarmonicsWriter(SphericalHarmonicsModel model, Precision precision) {
        this.model = model;
        this.precision = precision;
        this.dim = model.dim();
        this.raisings = raisings(model);
    }

    /** One term {@code q P^l_i v_j} of {@code P^{l+1}_k}. */
    private record Raise(int i, int j, SqrtRational q) {
    }

    /**
     * {@code P^{l+1}_k = sum q_ijk P^l_i v_j} ({@code v = (x, y, z)}) for {@code l = 1..lmax-1}, indexed
     * {@code [l - 1][k]}: e3nn's recursion {@code Y^{l+1}_k = f_l sum_ij w3j(l, 1, l+1)[i][j][k] Y^l_i v_j}
     * rewritten for the integer polynomials {@code P = Y / N}, so {@code q_ijk = f_l w3j_ijk N^l_i / N^{l+1}_k},
     * exact. Empty when the values are written from monomials instead (below {@link #RECURSION_FROM_LMAX}, or when
     * the recursion would not fit one method, see {@link #fitsRecurrence}).
     */
    private static List<List<List<Raise>>> raisings(SphericalHarmonicsModel model) {
        int lmax = model.degrees().get(model.degrees().size() - 1).l();
        List<List<List<Raise>>> raisings = new ArrayList<>();
        if (lmax < RECURSION_FROM_LMAX) {
            return raisings;
        }
        SphericalHarmonicsModel all = SphericalHarmonicsModel.of(IntStream.rangeClosed(0, lmax).boxed().toList(),
                ShNormalization.COMPONENT, model.normalize());
        int terms = 0;
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
                terms++;
            }
            raisings.add(byK);
        }
        return fitsRecurrence(terms, model) ? raisings : List.of();
    }

    /** Whether the recursion and the stores fit one method: about 12 bytes per term and 10 per output. */
    private static boolean fitsRecurrence(int terms, SphericalHarmonicsModel model) {
        return 12 * terms + 10 * model.dim() <= BYTECODE_BUDGET;
    }

    /** The class {@code impl} implementing the user's interface {@code spec}. */
    public static TypeSpec write(SphericalHarmonicsModel model, Precision precision, ClassName spec, ClassName impl) {
        return new SphericalHarmonicsWriter(model, precision).type(spec, impl);
    }

    private TypeSpec type(ClassName spec, ClassName impl) {
        List<Arithmetic> arithmetics = precision == Precision.FLOAT
                ? List.of(Arithmetic.DOUBLE, Arithmetic.FLOAT) : List.of(Arithmetic.DOUBLE);
        TypeSpec.Builder type = TypeSpec.classBuilder(impl)
                .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addSuperinterface(spec)
                .addJavadoc(javadoc(spec))
                .addField(FieldSpec.builder(Irreps.class, "IRREPS_OUT", Modifier.PRIVATE, Modifier.STATIC,
                                Modifier.FINAL)
                        .initializer("$T.parse($S)", Irreps.class, model.irrepsOut().toString())
                        .build())
                .addField(FieldSpec.builder(int.class, "BLOCK_SIZE", Modifier.PRIVATE, Modifier.STATIC,
                                Modifier.FINAL)
                        .addJavadoc("Points per parallel block ({@link $T}): enough to outweigh scheduling.\n",
                                BatchBlocks.class)
                        .initializer("$L", BLOCK_SIZE)
                        .build());
        for (Arithmetic arithmetic : arithmetics) {
            for (Degree degree : model.degrees()) {
                for (Component component : degree.components()) {
                    type.addField(constant(degree, component, arithmetic));
                }
            }
        }
        type.addMethod(MethodSpec.methodBuilder("irrepsOut")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .returns(Irreps.class)
                .addStatement("return IRREPS_OUT")
                .build());
        List<Part> valueParts = raisings.isEmpty() ? parts(false) : List.of(new Part("values", List.of()));
        List<Part> gradientParts = parts(true);
        List<Group> valueGroups = groups(valueParts, false);
        List<Group> gradientGroups = groups(gradientParts, true);
        for (Arithmetic arithmetic : arithmetics) {
            type.addMethod(forward(arithmetic)).addMethod(backward(arithmetic));
        }
        for (Arithmetic arithmetic : arithmetics) {
            type.addMethod(forwardBlock(arithmetic, callees(valueParts, valueGroups)))
                    .addMethod(backwardBlock(arithmetic, callees(gradientParts, gradientGroups)));
        }
        for (Arithmetic arithmetic : arithmetics) {
            valueParts.forEach(part -> type.addMethod(raisings.isEmpty() ? valuePart(part, arithmetic)
                    : valuesByRecursion(arithmetic)));
            gradientParts.forEach(part -> type.addMethod(gradientPart(part, arithmetic)));
            valueGroups.forEach(group -> type.addMethod(group(group, arithmetic, false)));
            gradientGroups.forEach(group -> type.addMethod(group(group, arithmetic, true)));
        }
        for (Arithmetic arithmetic : arithmetics) {
            type.addMethod(KernelChecks.requireLength(arithmetic));
        }
        for (Arithmetic arithmetic : arithmetics) {
            int index = 0;
            for (SqrtRational magnitude : raisingConstants.values()) {
                type.addField(FieldSpec.builder(arithmetic.type(), "R" + index++ + arithmetic.constantSuffix(),
                                Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                        .addJavadoc("$L\n", magnitude)
                        .initializer("$L", arithmetic.literal(magnitude))
                        .build());
            }
        }
        return type.addMethod(KernelChecks.requireNonNegative()).build();
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

    private FieldSpec constant(Degree degree, Component component, Arithmetic arithmetic) {
        int l = degree.l();
        SqrtRational scale = model.algebraicConstant(degree, component);
        String literal;
        String exact;
        if (model.normalization() == ShNormalization.INTEGRAL) {
            literal = arithmetic.literal(ExactValues.overSqrtFourPi(scale));
            exact = scale + "/sqrt(4*pi)";
        } else {
            literal = arithmetic.literal(scale);
            exact = scale.toString();
        }
        return FieldSpec.builder(arithmetic.type(), constantName(l, component.index(), arithmetic),
                        Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("{@code Y^$L_$L = $L}.\n", l, component.index() - l,
                        l == 0 ? exact : exact + " * (" + polynomialText(component.terms()) + ")")
                .initializer("$L", literal)
                .build();
    }

    private static String constantName(int l, int index, Arithmetic arithmetic) {
        return "Y" + l + "_" + index + arithmetic.constantSuffix();
    }

    /** Groups the components into methods under {@link #BYTECODE_BUDGET}, whole degrees together when possible. */
    private List<Part> parts(boolean gradient) {
        List<Part> parts = new ArrayList<>();
        List<Slice> current = new ArrayList<>();
        int currentSize = 0;
        for (Degree degree : model.degrees()) {
            if (gradient && degree.l() == 0) {
                continue;
            }
            int size = size(new Slice(degree, 0, degree.components().size()), gradient);
            if (size <= BYTECODE_BUDGET) {
                if (currentSize + size > BYTECODE_BUDGET && !current.isEmpty()) {
                    parts.add(wholeDegrees(current, gradient));
                    current = new ArrayList<>();
                    currentSize = 0;
                }
                current.add(new Slice(degree, 0, degree.components().size()));
                currentSize += size;
                continue;
            }
            if (!current.isEmpty()) {
                parts.add(wholeDegrees(current, gradient));
                current = new ArrayList<>();
                currentSize = 0;
            }
            int from = 0;
            int piece = 1;
            while (from < degree.components().size()) {
                int to = from + 1;
                while (to < degree.components().size()
                        && size(new Slice(degree, from, to + 1), gradient) <= BYTECODE_BUDGET) {
                    to++;
                }
                String name = prefix(gradient) + "Degree" + degree.l() + "Part" + piece++;
                if (gradient && to == from + 1 && size(new Slice(degree, from, to), true) > BYTECODE_BUDGET) {
                    // One component's gradient alone is over the budget (from l = 20 on): one method per axis.
                    for (int axis : ALL_AXES) {
                        if (!degree.components().get(from).derivative(axis).isEmpty()) {
                            parts.add(new Part(name + AXIS_NAMES[axis],
                                    List.of(new Slice(degree, from, to, List.of(axis)))));
                        }
                    }
                } else {
                    parts.add(new Part(name, List.of(new Slice(degree, from, to))));
                }
                from = to;
            }
        }
        if (!current.isEmpty()) {
            parts.add(wholeDegrees(current, gradient));
        }
        return parts;
    }

    /** No groups while the parts number at most {@link #MAX_CALLS_PER_METHOD}, else groups of that many. */
    private static List<Group> groups(List<Part> parts, boolean gradient) {
        if (parts.size() <= MAX_CALLS_PER_METHOD) {
            return List.of();
        }
        List<Group> groups = new ArrayList<>();
        for (int start = 0; start < parts.size(); start += MAX_CALLS_PER_METHOD) {
            groups.add(new Group(prefix(gradient) + "Group" + groups.size(),
                    List.copyOf(parts.subList(start, Math.min(start + MAX_CALLS_PER_METHOD, parts.size())))));
        }
        return groups;
    }

    /** The methods a block method calls per point: the groups if any, else the parts. */
    private static List<String> callees(List<Part> parts, List<Group> groups) {
        return (groups.isEmpty() ? parts.stream().map(Part::name) : groups.stream().map(Group::name)).toList();
    }

    private static MethodSpec group(Group group, Arithmetic t, boolean gradient) {
        MethodSpec.Builder method = MethodSpec.methodBuilder(group.name())
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("Parts $L to $L for one point.\n", group.parts().get(0).name(),
                        group.parts().get(group.parts().size() - 1).name())
                .addParameter(t.type(), "x")
                .addParameter(t.type(), "y")
                .addParameter(t.type(), "z");
        if (gradient) {
            method.addParameter(t.arrayType(), "gradOut")
                    .addParameter(int.class, "o")
                    .addParameter(t.arrayType(), "gradXyz")
                    .addParameter(int.class, "g");
            group.parts().forEach(part -> method.addStatement("$L(x, y, z, gradOut, o, gradXyz, g)", part.name()));
        } else {
            method.addParameter(t.arrayType(), "out").addParameter(int.class, "o");
            group.parts().forEach(part -> method.addStatement("$L(x, y, z, out, o)", part.name()));
        }
        return method.build();
    }

    private static Part wholeDegrees(List<Slice> slices, boolean gradient) {
        int first = slices.get(0).degree().l();
        int last = slices.get(slices.size() - 1).degree().l();
        String range = slices.size() == 1 ? "Degree" + first
                : slices.stream().map(s -> Integer.toString(s.degree().l())).collect(Collectors.joining("And",
                "Degrees", ""));
        if (slices.size() > 2 && last - first + 1 == slices.size()) {
            range = "Degrees" + first + "To" + last;
        }
        return new Part(prefix(gradient) + range, List.copyOf(slices));
    }

    private static String prefix(boolean gradient) {
        return gradient ? "gradient" : "values";
    }

    /**
     * Estimated bytecode: about 10 bytes per term (constant, load, multiply, add) and per shared monomial, 14 once
     * the locals outnumber the 256 that a one-byte load can name (every load then takes a {@code wide} prefix).
     */
    private static int size(Slice slice, boolean gradient) {
        int terms = 0;
        for (Component c : slice.degree().components().subList(slice.from(), slice.to())) {
            terms += gradient ? slice.axes().stream().mapToInt(axis -> c.derivative(axis).size()).sum()
                    : c.terms().size();
        }
        int monomials = monomials(List.of(slice), gradient).size();
        int perOperation = monomials > 200 ? 14 : 10;
        return perOperation * (terms + monomials) + 24 * (slice.to() - slice.from()) * slice.degree().offsets().size();
    }

    private MethodSpec forward(Arithmetic t) {
        return MethodSpec.methodBuilder("forward")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addParameter(int.class, "n")
                .addParameter(t.arrayType(), "xyz")
                .addParameter(t.arrayType(), "out")
                .addStatement("requireNonNegative($S, n)", "n")
                .addStatement("requireLength($S, xyz, n, 3)", "xyz")
                .addStatement("requireLength($S, out, n, $L)", "out", dim)
                .addStatement("$T.run(n, BLOCK_SIZE, (block, from, to) -> forwardBlock(from, to, xyz, out))",
                        BatchBlocks.class)
                .build();
    }

    /** The values of points {@code from..to-1}. */
    private MethodSpec forwardBlock(Arithmetic t, List<String> callees) {
        MethodSpec.Builder method = MethodSpec.methodBuilder("forwardBlock")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(int.class, "from")
                .addParameter(int.class, "to")
                .addParameter(t.arrayType(), "xyz")
                .addParameter(t.arrayType(), "out")
                .beginControlFlow("for (int p = from; p < to; p++)")
                .addCode(readPoint(t))
                .addStatement("int o = p * $L", dim);
        callees.forEach(callee -> method.addStatement("$L(x, y, z, out, o)", callee));
        return method.endControlFlow().build();
    }

    private MethodSpec backward(Arithmetic t) {
        return MethodSpec.methodBuilder("backward")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addParameter(int.class, "n")
                .addParameter(t.arrayType(), "xyz")
                .addParameter(t.arrayType(), "gradOut")
                .addParameter(t.arrayType(), "gradXyz")
                .addStatement("requireNonNegative($S, n)", "n")
                .addStatement("requireLength($S, xyz, n, 3)", "xyz")
                .addStatement("requireLength($S, gradOut, n, $L)", "gradOut", dim)
                .addStatement("requireLength($S, gradXyz, n, 3)", "gradXyz")
                .addStatement("$T.run(n, BLOCK_SIZE, (block, from, to) -> backwardBlock(from, to, xyz, gradOut,"
                        + " gradXyz))", BatchBlocks.class)
                .build();
    }

    /** The gradients of points {@code from..to-1}. */
    private MethodSpec backwardBlock(Arithmetic t, List<String> callees) {
        MethodSpec.Builder method = MethodSpec.methodBuilder("backwardBlock")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(int.class, "from")
                .addParameter(int.class, "to")
                .addParameter(t.arrayType(), "xyz")
                .addParameter(t.arrayType(), "gradOut")
                .addParameter(t.arrayType(), "gradXyz")
                .beginControlFlow("for (int p = from; p < to; p++)")
                .addCode(readPoint(t))
                .addStatement("int o = p * $L", dim)
                .addStatement("int g = 3 * p")
                .addStatement("gradXyz[g] = $L", t.literal(0))
                .addStatement("gradXyz[g + 1] = $L", t.literal(0))
                .addStatement("gradXyz[g + 2] = $L", t.literal(0));
        callees.forEach(callee -> method.addStatement("$L(x, y, z, gradOut, o, gradXyz, g)", callee));
        if (model.normalize()) {
            method.addComment("chain rule of u = x / max(|x|, eps): (g - (g . u) u) / |x| above eps, g / eps below")
                    .beginControlFlow("if (norm >= $L)", literal(t, NORM_FLOOR))
                    .addStatement("$T radial = gradXyz[g] * x + gradXyz[g + 1] * y + gradXyz[g + 2] * z", t.type())
                    .addStatement("gradXyz[g] -= radial * x")
                    .addStatement("gradXyz[g + 1] -= radial * y")
                    .addStatement("gradXyz[g + 2] -= radial * z")
                    .endControlFlow()
                    .addStatement("gradXyz[g] /= scale")
                    .addStatement("gradXyz[g + 1] /= scale")
                    .addStatement("gradXyz[g + 2] /= scale");
        }
        return method.endControlFlow().build();
    }

    private CodeBlock readPoint(Arithmetic t) {
        CodeBlock.Builder code = CodeBlock.builder();
        if (!model.normalize()) {
            return code.addStatement("$T x = xyz[3 * p]", t.type())
                    .addStatement("$T y = xyz[3 * p + 1]", t.type())
                    .addStatement("$T z = xyz[3 * p + 2]", t.type())
                    .build();
        }
        String sqrt = t == Arithmetic.DOUBLE ? "Math.sqrt(" : "(float) Math.sqrt(";
        return code.addStatement("$T norm = $Lxyz[3 * p] * xyz[3 * p] + xyz[3 * p + 1] * xyz[3 * p + 1] "
                        + "+ xyz[3 * p + 2] * xyz[3 * p + 2])", t.type(), sqrt)
                .addStatement("$T scale = Math.max(norm, $L)", t.type(), literal(t, NORM_FLOOR))
                .addStatement("$T x = xyz[3 * p] / scale", t.type())
                .addStatement("$T y = xyz[3 * p + 1] / scale", t.type())
                .addStatement("$T z = xyz[3 * p + 2] / scale", t.type())
                .build();
    }

    private static String literal(Arithmetic t, String decimal) {
        return t.literal(new BigDecimal(decimal));
    }

    private MethodSpec valuePart(Part part, Arithmetic t) {
        MethodSpec.Builder method = MethodSpec.methodBuilder(part.name())
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(t.type(), "x")
                .addParameter(t.type(), "y")
                .addParameter(t.type(), "z")
                .addParameter(t.arrayType(), "out")
                .addParameter(int.class, "o")
                .addCode(monomialLocals(monomials(part.slices(), false), t));
        for (Slice slice : part.slices()) {
            Degree degree = slice.degree();
            for (Component c : degree.components().subList(slice.from(), slice.to())) {
                String targets = degree.offsets().stream()
                        .map(offset -> "out[o + " + (offset + c.index()) + "] = ")
                        .collect(Collectors.joining());
                method.addStatement("$L$L", targets, times(constantName(degree.l(), c.index(), t), c.terms(), t));
            }
        }
        return method.build();
    }

    /**
     * All values of one point by e3nn's recursion over the degrees: {@code pL_I} is {@code P^l_i}, built from
     * degree {@code l - 1} with the exact constants {@code R}; each requested component is then {@code N * P}.
     */
    private MethodSpec valuesByRecursion(Arithmetic t) {
        MethodSpec.Builder method = MethodSpec.methodBuilder("values")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("$L", "{@code P^{l+1}_k = sum_ij q_ijk P^l_i v_j}, v = (x, y, z), from e3nn's recursion "
                        + "{@code Y^{l+1} ~ w3j(l, 1, l+1) Y^l v}; the outputs are {@code N P}.\n")
                .addParameter(t.type(), "x")
                .addParameter(t.type(), "y")
                .addParameter(t.type(), "z")
                .addParameter(t.arrayType(), "out")
                .addParameter(int.class, "o");
        String[] axes = {"x", "y", "z"};
        int lmax = raisings.size() + 1;
        for (int l = 0; l <= lmax; l++) {
            Degree requested = degree(l);
            if (l == 1) {
                List<Component> first = requested != null ? requested.components()
                        : SphericalHarmonicsModel.of(List.of(1), ShNormalization.COMPONENT, model.normalize())
                                .degrees().get(0).components();
                for (Component c : first) {
                    method.addStatement("$T p1_$L = $L", t.type(), c.index(), factorText(c.terms(), t));
                }
            } else if (l > 1) {
                List<List<Raise>> byK = raisings.get(l - 2);
                for (int k = 0; k < byK.size(); k++) {
                    method.addStatement("$T p$L_$L = $L", t.type(), l, k, raisedSum(byK.get(k), l - 1, axes, t));
                }
            }
            if (requested == null) {
                continue;
            }
            for (Component c : requested.components()) {
                String targets = requested.offsets().stream()
                        .map(offset -> "out[o + " + (offset + c.index()) + "] = ")
                        .collect(Collectors.joining());
                String constant = constantName(l, c.index(), t);
                method.addStatement("$L$L", targets, l == 0 ? times(constant, c.terms(), t)
                        : constant + " * p" + l + "_" + c.index());
            }
        }
        return method.build();
    }

    private Degree degree(int l) {
        return model.degrees().stream().filter(d -> d.l() == l).findFirst().orElse(null);
    }

    /** {@code R0 * (p2_1 * x - p2_3 * z) + p2_2 * y}: terms grouped by the magnitude of {@code q}. */
    private String raisedSum(List<Raise> terms, int l, String[] axes, Arithmetic t) {
        Map<BigFraction, List<Raise>> groups = new LinkedHashMap<>();
        for (Raise term : terms) {
            groups.computeIfAbsent(term.q().square(), key -> new ArrayList<>()).add(term);
        }
        StringBuilder sum = new StringBuilder();
        for (List<Raise> group : groups.values()) {
            boolean allNegative = group.stream().allMatch(term -> term.q().signum() < 0);
            StringBuilder inner = new StringBuilder();
            for (Raise term : group) {
                boolean negative = (term.q().signum() < 0) != allNegative;
                inner.append(inner.length() == 0 ? (negative ? "-" : "") : negative ? " - " : " + ")
                        .append("p").append(l).append('_').append(term.i()).append(" * ").append(axes[term.j()]);
            }
            SqrtRational magnitude = group.get(0).q().abs();
            boolean unit = magnitude.square().equals(BigFraction.ONE);
            String grouped = group.size() == 1 || unit && sum.length() == 0 && !allNegative ? inner.toString()
                    : "(" + inner + ")";
            String product = unit ? grouped
                    : raisingConstant(magnitude) + t.constantSuffix() + " * " + grouped;
            sum.append(sum.length() == 0 ? (allNegative ? "-" : "") : allNegative ? " - " : " + ").append(product);
        }
        return sum.toString();
    }

    private String raisingConstant(SqrtRational magnitude) {
        raisingConstants.putIfAbsent(magnitude.square(), magnitude);
        return "R" + new ArrayList<>(raisingConstants.keySet()).indexOf(magnitude.square());
    }

    private MethodSpec gradientPart(Part part, Arithmetic t) {
        MethodSpec.Builder method = MethodSpec.methodBuilder(part.name())
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(t.type(), "x")
                .addParameter(t.type(), "y")
                .addParameter(t.type(), "z")
                .addParameter(t.arrayType(), "gradOut")
                .addParameter(int.class, "o")
                .addParameter(t.arrayType(), "gradXyz")
                .addParameter(int.class, "g")
                .addCode(monomialLocals(monomials(part.slices(), true), t));
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
                for (int axis : slice.axes()) {
                    List<Term> derivative = c.derivative(axis);
                    if (!derivative.isEmpty()) {
                        method.addStatement("$L += $L", accumulators[axis], times(weight, derivative, t));
                    }
                }
            }
        }
        axes.forEach(axis -> method.addStatement("gradXyz[$L] += $L", axis == 0 ? "g" : "g + " + axis,
                accumulators[axis]));
        return method
                .build();
    }

    /** Monomials of degree >= 2 the slices use, closed under taking a parent, ordered by degree. */
    private static TreeSet<List<Integer>> monomials(List<Slice> slices, boolean gradient) {
        TreeSet<List<Integer>> out = new TreeSet<>(Comparator.<List<Integer>>comparingInt(
                m -> m.get(0) + m.get(1) + m.get(2)).thenComparing(Object::toString));
        for (Slice slice : slices) {
            for (Component c : slice.degree().components().subList(slice.from(), slice.to())) {
                List<List<Term>> polynomials = gradient
                        ? slice.axes().stream().map(c::derivative).toList() : List.of(c.terms());
                for (List<Term> polynomial : polynomials) {
                    for (Term term : polynomial) {
                        List<Integer> m = List.of(term.xPower(), term.yPower(), term.zPower());
                        while (m.get(0) + m.get(1) + m.get(2) >= 2 && out.add(m)) {
                            m = parent(m);
                        }
                    }
                }
            }
        }
        return out;
    }

    /** The monomial this one is computed from: one power of x (else y, else z) less. */
    private static List<Integer> parent(List<Integer> m) {
        int axis = m.get(0) > 0 ? 0 : m.get(1) > 0 ? 1 : 2;
        List<Integer> parent = new ArrayList<>(m);
        parent.set(axis, m.get(axis) - 1);
        return List.copyOf(parent);
    }

    private static CodeBlock monomialLocals(TreeSet<List<Integer>> monomials, Arithmetic t) {
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
    private static String times(String factor, List<Term> terms, Arithmetic t) {
        String polynomial = factorText(terms, t);
        return polynomial.equals(t.literal(1)) ? factor : factor + " * " + polynomial;
    }

    /** The polynomial as a Java factor: a bare monomial, or a parenthesized integer combination. */
    private static String factorText(List<Term> terms, Arithmetic t) {
        if (terms.size() == 1 && terms.get(0).coefficient().equals(BigInteger.ONE)) {
            Term term = terms.get(0);
            String monomial = name(term.xPower(), term.yPower(), term.zPower());
            return monomial.equals("1") ? t.literal(1) : monomial;
        }
        return "(" + combination(terms, t) + ")";
    }

    private static String combination(List<Term> terms, Arithmetic t) {
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
