package dev.e3j.processor.writer;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import dev.e3j.annotations.Precision;
import dev.e3j.annotations.ShNormalization;
import dev.e3j.processor.math.SqrtRational;
import dev.e3j.processor.model.SphericalHarmonicsModel;
import dev.e3j.processor.model.SphericalHarmonicsModel.Component;
import dev.e3j.processor.model.SphericalHarmonicsModel.Degree;
import dev.e3j.processor.model.SphericalHarmonicsModel.Term;
import dev.e3j.runtime.Irreps;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;

/**
 * Turns a {@link SphericalHarmonicsModel} into the source of a {@code SphericalHarmonicsKernel}.
 *
 * <p>Each component is written as {@code Y = N * P(x, y, z)}: {@code N} one constant rounded once, {@code P} an
 * integer combination of monomials that a part computes once and shares. Parts are static methods holding whole
 * degrees while they fit a bytecode budget (javac's JIT refuses to compile methods over 8000 bytes), else slices of
 * one degree's components. The gradient {@code sum_m g_m N_m grad P_m} uses the exact derivatives of {@code P}.
 */
public final class SphericalHarmonicsWriter {

    /** Estimated bytecode per method, well under HotSpot's 8000-byte limit for compiling a method. */
    private static final int BYTECODE_BUDGET = 5000;
    /** torch.nn.functional.normalize's floor on the norm. */
    private static final String NORM_FLOOR = "1e-12";

    private final SphericalHarmonicsModel model;
    private final Precision precision;
    private final int dim;

    /** A slice of one degree's components that one generated method evaluates. */
    private record Slice(Degree degree, int from, int to) {
    }

    /** Slices evaluated by one generated method, and its name. */
    private record Part(String name, List<Slice> slices) {
    }

    private SphericalHarmonicsWriter(SphericalHarmonicsModel model, Precision precision) {
        this.model = model;
        this.precision = precision;
        this.dim = model.dim();
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
        List<Part> valueParts = parts(false);
        List<Part> gradientParts = parts(true);
        for (Arithmetic arithmetic : arithmetics) {
            type.addMethod(forward(arithmetic, valueParts)).addMethod(backward(arithmetic, gradientParts));
        }
        for (Arithmetic arithmetic : arithmetics) {
            valueParts.forEach(part -> type.addMethod(valuePart(part, arithmetic)));
            gradientParts.forEach(part -> type.addMethod(gradientPart(part, arithmetic)));
        }
        for (Arithmetic arithmetic : arithmetics) {
            type.addMethod(KernelChecks.requireLength(arithmetic));
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
            int size = size(degree, 0, degree.components().size(), gradient);
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
                while (to < degree.components().size() && size(degree, from, to + 1, gradient) <= BYTECODE_BUDGET) {
                    to++;
                }
                parts.add(new Part(prefix(gradient) + "Degree" + degree.l() + "Part" + piece++,
                        List.of(new Slice(degree, from, to))));
                from = to;
            }
        }
        if (!current.isEmpty()) {
            parts.add(wholeDegrees(current, gradient));
        }
        return parts;
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

    /** Estimated bytecode: about 10 bytes per term (constant, load, multiply, add) and per shared monomial. */
    private static int size(Degree degree, int from, int to, boolean gradient) {
        List<Slice> slices = List.of(new Slice(degree, from, to));
        int terms = 0;
        for (Component c : degree.components().subList(from, to)) {
            terms += gradient ? c.derivative(0).size() + c.derivative(1).size() + c.derivative(2).size()
                    : c.terms().size();
        }
        return 10 * terms + 10 * monomials(slices, gradient).size() + 24 * (to - from) * degree.offsets().size();
    }

    private MethodSpec forward(Arithmetic t, List<Part> parts) {
        MethodSpec.Builder method = MethodSpec.methodBuilder("forward")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addParameter(int.class, "n")
                .addParameter(t.arrayType(), "xyz")
                .addParameter(t.arrayType(), "out")
                .addStatement("requireNonNegative($S, n)", "n")
                .addStatement("requireLength($S, xyz, n, 3)", "xyz")
                .addStatement("requireLength($S, out, n, $L)", "out", dim)
                .beginControlFlow("for (int p = 0; p < n; p++)")
                .addCode(readPoint(t))
                .addStatement("int o = p * $L", dim);
        for (Part part : parts) {
            method.addStatement("$L(x, y, z, out, o)", part.name());
        }
        return method.endControlFlow().build();
    }

    private MethodSpec backward(Arithmetic t, List<Part> parts) {
        MethodSpec.Builder method = MethodSpec.methodBuilder("backward")
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
                .beginControlFlow("for (int p = 0; p < n; p++)")
                .addCode(readPoint(t))
                .addStatement("int o = p * $L", dim)
                .addStatement("int g = 3 * p")
                .addStatement("gradXyz[g] = $L", t.literal(0))
                .addStatement("gradXyz[g + 1] = $L", t.literal(0))
                .addStatement("gradXyz[g + 2] = $L", t.literal(0));
        for (Part part : parts) {
            method.addStatement("$L(x, y, z, gradOut, o, gradXyz, g)", part.name());
        }
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
                .addCode(monomialLocals(monomials(part.slices(), true), t))
                .addStatement("$T gx = $L", t.type(), t.literal(0))
                .addStatement("$T gy = $L", t.type(), t.literal(0))
                .addStatement("$T gz = $L", t.type(), t.literal(0));
        for (Slice slice : part.slices()) {
            Degree degree = slice.degree();
            for (Component c : degree.components().subList(slice.from(), slice.to())) {
                String weight = "g" + degree.l() + "_" + c.index();
                String gradients = degree.offsets().stream()
                        .map(offset -> "gradOut[o + " + (offset + c.index()) + "]")
                        .collect(Collectors.joining(" + "));
                method.addStatement("$T $L = $L * $L", t.type(), weight, constantName(degree.l(), c.index(), t),
                        degree.offsets().size() == 1 ? gradients : "(" + gradients + ")");
                String[] accumulators = {"gx", "gy", "gz"};
                for (int axis = 0; axis < 3; axis++) {
                    List<Term> derivative = c.derivative(axis);
                    if (!derivative.isEmpty()) {
                        method.addStatement("$L += $L", accumulators[axis], times(weight, derivative, t));
                    }
                }
            }
        }
        return method.addStatement("gradXyz[g] += gx")
                .addStatement("gradXyz[g + 1] += gy")
                .addStatement("gradXyz[g + 2] += gz")
                .build();
    }

    /** Monomials of degree >= 2 the slices use, closed under taking a parent, ordered by degree. */
    private static TreeSet<List<Integer>> monomials(List<Slice> slices, boolean gradient) {
        TreeSet<List<Integer>> out = new TreeSet<>(Comparator.<List<Integer>>comparingInt(
                m -> m.get(0) + m.get(1) + m.get(2)).thenComparing(Object::toString));
        for (Slice slice : slices) {
            for (Component c : slice.degree().components().subList(slice.from(), slice.to())) {
                List<List<Term>> polynomials = gradient
                        ? List.of(c.derivative(0), c.derivative(1), c.derivative(2)) : List.of(c.terms());
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
