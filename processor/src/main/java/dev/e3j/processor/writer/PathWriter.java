package dev.e3j.processor.writer;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import dev.e3j.processor.math.SqrtRational;
import dev.e3j.processor.model.CgTerm;
import dev.e3j.processor.model.ConnectionMode;
import dev.e3j.processor.model.PathModel;
import dev.e3j.runtime.Irreps;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import javax.lang.model.element.Modifier;
import org.apache.commons.numbers.fraction.BigFraction;

/**
 * Writes the methods of one path. The multiplicity loops stay loops; inside, the sparse Clebsch–Gordan pattern is
 * unrolled once per {@code (u, v)} pair and only then combined with the weights:
 * {@code t_k = sum_ij C_ijk x1[u]_i x2[v]_j}, {@code out[w]_k += W[uv w] t_k}. Backward contracts the weights with
 * {@code gradOut} first, {@code g_k = sum_w W[uv w] gradOut[w]_k}, then {@code gradX1[u]_i += sum_jk C_ijk x2[v]_j g_k}.
 * A pattern longer than {@link #MAX_TERMS_PER_METHOD} terms is split over several methods, each owning a range of
 * output components, so that every method stays far below HotSpot's 8000-byte JIT limit.
 */
final class PathWriter {

    /** About 8 bytes of bytecode per unrolled term: 400 terms stay near 3.5 kB including the loops. */
    static final int MAX_TERMS_PER_METHOD = 400;

    private final PathModel path;
    private final ConstantPool constants;
    private final int offset1;
    private final int offset2;
    private final int offsetOut;
    private final int dim1;
    private final int dim2;
    private final int dimOut;
    private final int mul1;
    private final int mul2;
    private final int mulOut;
    private final ConnectionMode mode;

    PathWriter(PathModel path, Irreps in1, Irreps in2, Irreps out, ConstantPool constants) {
        this.path = path;
        this.constants = constants;
        this.offset1 = in1.offset(path.in1());
        this.offset2 = in2.offset(path.in2());
        this.offsetOut = out.offset(path.out());
        this.dim1 = path.entry1().ir().dim();
        this.dim2 = path.entry2().ir().dim();
        this.dimOut = path.entryOut().ir().dim();
        this.mul1 = path.entry1().mul();
        this.mul2 = path.entry2().mul();
        this.mulOut = path.entryOut().mul();
        this.mode = path.mode();
    }

    /** One product {@code left * right} with an exact factor. */
    private record Product(SqrtRational constant, String left, String right) {
    }

    /** A contiguous range of output components (k, i or j) whose sums one method computes. */
    private record Chunk(List<Integer> outputs) {
    }

    boolean weighted() {
        return path.weighted();
    }

    /** The methods for {@code operation}, in call order. */
    List<MethodSpec> methods(Operation operation, NumberType type) {
        ToIntFunction<CgTerm> output = switch (operation) {
            case FORWARD, GRAD_WEIGHTS -> CgTerm::k;
            case GRAD_X1 -> CgTerm::i;
            case GRAD_X2 -> CgTerm::j;
        };
        List<Chunk> chunks = chunks(output);
        List<MethodSpec> methods = new ArrayList<>();
        for (int c = 0; c < chunks.size(); c++) {
            String name = path.name() + operation.suffix() + (chunks.size() == 1 ? "" : "_part" + c);
            MethodSpec.Builder method = MethodSpec.methodBuilder(name)
                    .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                    .addJavadoc("{@code $L}: $L$L.\n", path.describe(), describe(operation),
                            chunks.size() == 1 ? "" : ", components " + chunks.get(c).outputs());
            for (String parameter : operation.parameters(path.weighted())) {
                method.addParameter(parameter.endsWith("Offset") ? TypeName.INT : type.arrayType(), parameter);
            }
            method.addCode(body(operation, type, chunks.get(c)));
            methods.add(method.build());
        }
        return methods;
    }

    private static String describe(Operation operation) {
        return switch (operation) {
            case FORWARD -> "out += W x1 (x) x2";
            case GRAD_X1 -> "gradient with respect to x1";
            case GRAD_X2 -> "gradient with respect to x2";
            case GRAD_WEIGHTS -> "gradient with respect to the weights";
        };
    }

    private List<Chunk> chunks(ToIntFunction<CgTerm> output) {
        TreeMap<Integer, Integer> counts = new TreeMap<>();
        for (CgTerm term : path.terms()) {
            counts.merge(output.applyAsInt(term), 1, Integer::sum);
        }
        List<Chunk> chunks = new ArrayList<>();
        List<Integer> current = new ArrayList<>();
        int terms = 0;
        for (Map.Entry<Integer, Integer> entry : counts.entrySet()) {
            if (!current.isEmpty() && terms + entry.getValue() > MAX_TERMS_PER_METHOD) {
                chunks.add(new Chunk(current));
                current = new ArrayList<>();
                terms = 0;
            }
            current.add(entry.getKey());
            terms += entry.getValue();
        }
        if (!current.isEmpty()) {
            chunks.add(new Chunk(current));
        }
        return chunks;
    }

    private CodeBlock body(Operation operation, NumberType type, Chunk chunk) {
        String t = type.type().toString();
        List<CgTerm> terms = path.terms().stream().filter(term -> chunk.outputs().contains(switch (operation) {
            case FORWARD, GRAD_WEIGHTS -> term.k();
            case GRAD_X1 -> term.i();
            case GRAD_X2 -> term.j();
        })).toList();
        boolean needsA = operation != Operation.GRAD_X1;
        boolean needsB = operation != Operation.GRAD_X2;
        CodeBlock.Builder code = CodeBlock.builder();
        // The gradient of x2 visits v in the outer loop, so that (like every other operation) its target stays
        // fixed during the inner loop and sums there in local variables instead of through memory.
        boolean vOuter = operation == Operation.GRAD_X2 && !mode.diagonal();
        if (vOuter) {
            code.beginControlFlow("for (int v = 0; v < $L; v++)", mul2);
            code.addStatement("int in2Index = $L", index("x2Offset", offset2, "v", dim2));
            accumulatorsFor(code, type, terms, CgTerm::j);
            code.beginControlFlow("for (int u = 0; u < $L; u++)", mode.strictlyUpper() ? "v" : mul1);
            code.addStatement("int in1Index = $L", index("x1Offset", offset1, "u", dim1));
        } else {
            code.beginControlFlow("for (int u = 0; u < $L; u++)", mul1);
            code.addStatement("int in1Index = $L", index("x1Offset", offset1, "u", dim1));
        }
        if (needsA) {
            terms.stream().map(CgTerm::i).distinct().sorted()
                    .forEach(i -> code.addStatement("$L a$L = x1[$L]", t, i, plus("in1Index", i)));
        }
        boolean innerLoop = !vOuter && !mode.diagonal();
        if (operation == Operation.GRAD_X1 && innerLoop) {
            accumulatorsFor(code, type, terms, CgTerm::i);
        }
        if (mode.diagonal()) {
            code.addStatement("int in2Index = $L", index("x2Offset", offset2, "u", dim2));
        } else if (innerLoop) {
            code.beginControlFlow("for (int v = $L; v < $L; v++)", mode.strictlyUpper() ? "u + 1" : "0", mul2);
            code.addStatement("int in2Index = $L", index("x2Offset", offset2, "v", dim2));
        }
        if (needsB) {
            terms.stream().map(CgTerm::j).distinct().sorted()
                    .forEach(j -> code.addStatement("$L b$L = x2[$L]", t, j, plus("in2Index", j)));
        }
        boolean local = vOuter || operation == Operation.GRAD_X1 && innerLoop;
        switch (operation) {
            case FORWARD -> forwardBody(code, type, terms);
            case GRAD_X1 -> gradInputBody(code, type, terms, CgTerm::i, term -> "b" + term.j(),
                    local ? null : "gradX1", "in1Index");
            case GRAD_X2 -> gradInputBody(code, type, terms, CgTerm::j, term -> "a" + term.i(),
                    local ? null : "gradX2", "in2Index");
            case GRAD_WEIGHTS -> gradWeightsBody(code, type, terms);
        }
        if (innerLoop || vOuter) {
            code.endControlFlow();
        }
        if (local) {
            String target = operation == Operation.GRAD_X1 ? "gradX1" : "gradX2";
            String targetIndex = operation == Operation.GRAD_X1 ? "in1Index" : "in2Index";
            ToIntFunction<CgTerm> output = operation == Operation.GRAD_X1 ? CgTerm::i : CgTerm::j;
            terms.stream().mapToInt(output).distinct().sorted().forEach(o ->
                    code.addStatement("$L[$L] += sum$L", target, plus(targetIndex, o), o));
        }
        code.endControlFlow();
        return code.build();
    }

    /** {@code sumO = 0} for every component {@code o} the terms write, summed over the inner channel loop. */
    private static void accumulatorsFor(CodeBlock.Builder code, NumberType type, List<CgTerm> terms,
                                        ToIntFunction<CgTerm> output) {
        terms.stream().mapToInt(output).distinct().sorted()
                .forEach(o -> code.addStatement("$L sum$L = $L", type.type(), o, type.zero()));
    }

    private void forwardBody(CodeBlock.Builder code, NumberType type, List<CgTerm> terms) {
        List<Integer> ks = declareContractions(code, type, terms);
        String weight = path.weighted() ? "weight * " : "";
        if (mode.mixesChannels()) {
            code.addStatement("int weightIndex = $L", weightBase());
            code.addStatement("int outIndex = $L", plus("outOffset", offsetOut));
            code.beginControlFlow("for (int w = 0; w < $L; w++)", mulOut);
            if (path.weighted()) {
                code.addStatement("$L weight = weights[weightIndex + w]", type.type());
            }
            ks.forEach(k -> code.addStatement("out[$L] += $Lt$L", plus("outIndex", k), weight, k));
            code.addStatement("outIndex += $L", dimOut);
            code.endControlFlow();
        } else {
            if (path.weighted()) {
                code.addStatement("$L weight = weights[$L]", type.type(), weightBase());
            }
            code.addStatement("int outIndex = $L", index("outOffset", offsetOut, channel(), dimOut));
            ks.forEach(k -> code.addStatement("out[$L] += $Lt$L", plus("outIndex", k), weight, k));
        }
    }

    private void gradWeightsBody(CodeBlock.Builder code, NumberType type, List<CgTerm> terms) {
        List<Integer> ks = declareContractions(code, type, terms);
        List<String> products = ks.stream().map(k -> "gradOut[" + plus("gradOutIndex", k) + "] * t" + k).toList();
        String sum = String.join(" + ", products);
        if (mode.mixesChannels()) {
            code.addStatement("int weightIndex = $L", weightBase());
            code.addStatement("int gradOutIndex = $L", plus("gradOutOffset", offsetOut));
            code.beginControlFlow("for (int w = 0; w < $L; w++)", mulOut);
            code.addStatement("gradWeights[weightIndex + w] += $L", sum);
            code.addStatement("gradOutIndex += $L", dimOut);
            code.endControlFlow();
        } else {
            code.addStatement("int gradOutIndex = $L", index("gradOutOffset", offsetOut, channel(), dimOut));
            code.addStatement("gradWeights[$L] += $L", weightBase(), sum);
        }
    }

    /** {@code t_k = sum_ij C_ijk a_i b_j} for the components {@code k} of {@code terms}; returns those k. */
    private List<Integer> declareContractions(CodeBlock.Builder code, NumberType type, List<CgTerm> terms) {
        Map<Integer, List<Product>> byK = new TreeMap<>();
        for (CgTerm term : terms) {
            byK.computeIfAbsent(term.k(), k -> new ArrayList<>())
                    .add(new Product(term.constant(), "a" + term.i(), "b" + term.j()));
        }
        byK.forEach((k, products) -> code.addStatement("$L t$L = $L", type.type(), k, sum(products, type)));
        return new ArrayList<>(byK.keySet());
    }

    /** The gradient of one input; {@code target == null} adds into the local accumulators {@code sumO}. */
    private void gradInputBody(CodeBlock.Builder code, NumberType type, List<CgTerm> terms,
                               ToIntFunction<CgTerm> output, Function<CgTerm, String> other,
                               String target, String targetIndex) {
        List<Integer> ks = terms.stream().map(CgTerm::k).distinct().sorted().toList();
        String t = type.type().toString();
        if (mode.mixesChannels()) {
            ks.forEach(k -> code.addStatement("$L g$L = $L", t, k, type.zero()));
            if (path.weighted()) {
                code.addStatement("int weightIndex = $L", weightBase());
            }
            code.addStatement("int gradOutIndex = $L", plus("gradOutOffset", offsetOut));
            code.beginControlFlow("for (int w = 0; w < $L; w++)", mulOut);
            if (path.weighted()) {
                code.addStatement("$L weight = weights[weightIndex + w]", t);
            }
            String weight = path.weighted() ? "weight * " : "";
            ks.forEach(k -> code.addStatement("g$L += $LgradOut[$L]", k, weight, plus("gradOutIndex", k)));
            code.addStatement("gradOutIndex += $L", dimOut);
            code.endControlFlow();
        } else {
            if (path.weighted()) {
                code.addStatement("$L weight = weights[$L]", t, weightBase());
            }
            code.addStatement("int gradOutIndex = $L", index("gradOutOffset", offsetOut, channel(), dimOut));
            String weight = path.weighted() ? "weight * " : "";
            ks.forEach(k -> code.addStatement("$L g$L = $LgradOut[$L]", t, k, weight, plus("gradOutIndex", k)));
        }
        Map<Integer, List<Product>> byOutput = new TreeMap<>();
        for (CgTerm term : terms) {
            byOutput.computeIfAbsent(output.applyAsInt(term), o -> new ArrayList<>())
                    .add(new Product(term.constant(), other.apply(term), "g" + term.k()));
        }
        if (target == null) {
            byOutput.forEach((o, products) -> code.addStatement("sum$L += $L", o, sum(products, type)));
        } else {
            byOutput.forEach((o, products) ->
                    code.addStatement("$L[$L] += $L", target, plus(targetIndex, o), sum(products, type)));
        }
    }

    /**
     * {@code C0 * (a0 * b1 - a1 * b0) + C1 * a2 * b2}: products grouped by the magnitude of their constant, so that
     * each distinct constant multiplies once; a magnitude of exactly 1 is left out.
     */
    private String sum(List<Product> products, NumberType type) {
        Map<BigFraction, List<Product>> groups = new LinkedHashMap<>();
        for (Product product : products) {
            groups.computeIfAbsent(product.constant().square(), s -> new ArrayList<>()).add(product);
        }
        StringBuilder expression = new StringBuilder();
        for (List<Product> group : groups.values()) {
            boolean allNegative = group.stream().allMatch(p -> p.constant().signum() < 0);
            StringBuilder inner = new StringBuilder();
            for (Product product : group) {
                boolean negative = (product.constant().signum() < 0) != allNegative;
                if (inner.length() > 0) {
                    inner.append(negative ? " - " : " + ");
                } else if (negative) {
                    inner.append('-');
                }
                inner.append(product.left()).append(" * ").append(product.right());
            }
            String term;
            SqrtRational magnitude = group.get(0).constant();
            if (ConstantPool.isOne(magnitude)) {
                term = group.size() == 1 || expression.length() == 0 && !allNegative ? inner.toString()
                        : "(" + inner + ")";
            } else {
                String name = constants.nameOf(magnitude) + type.constantSuffix();
                term = name + " * " + (group.size() == 1 ? inner : "(" + inner + ")");
            }
            if (expression.length() > 0) {
                expression.append(allNegative ? " - " : " + ");
            } else if (allNegative) {
                expression.append('-');
            }
            expression.append(term);
        }
        return expression.toString();
    }

    /** The flat index of the path's first weight for the current pair (times {@code mulOut} when mixing). */
    private String weightBase() {
        String pair = pairIndex();
        String base = plus("weightOffset", path.weightOffset());
        if (mode.mixesChannels()) {
            return mulOut == 1 ? base + " + " + pair : base + " + (" + pair + ") * " + mulOut;
        }
        return base + " + " + pair;
    }

    /** Index of {@code (u, v)} among the pairs the mode visits, row-major; {@code u<v} pairs counted in order. */
    private String pairIndex() {
        if (mode.diagonal()) {
            return "u";
        }
        if (mode.strictlyUpper()) {
            // pairs (r, s) with r < u number sum_{r<u} (mul - 1 - r) = u (2 mul - 1 - u) / 2
            return "u * (" + (2 * mul1 - 1) + " - u) / 2 + v - u - 1";
        }
        return mul2 == 1 ? "u" : "u * " + mul2 + " + v";
    }

    /** Output channel of a non-mixing mode. */
    private String channel() {
        return switch (mode) {
            case UVU, UUU -> "u";
            case UVV -> "v";
            case UVUV, UVU_LT_V -> "(" + pairIndex() + ")";
            case UVW, UUW, U_LT_VW -> throw new IllegalStateException(mode + " mixes channels");
        };
    }

    private static String index(String base, int offset, String variable, int stride) {
        return plus(base, offset) + " + " + (stride == 1 ? variable : variable + " * " + stride);
    }

    private static String plus(String base, int offset) {
        return offset == 0 ? base : base + " + " + offset;
    }
}
