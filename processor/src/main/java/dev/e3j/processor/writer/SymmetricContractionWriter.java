package dev.e3j.processor.writer;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.e3j.annotations.Precision;
import dev.e3j.processor.math.ProductBasis.Monomial;
import dev.e3j.processor.math.SqrtSum;
import dev.e3j.processor.model.SymmetricContractionModel;
import dev.e3j.processor.model.SymmetricContractionModel.Basis;
import dev.e3j.processor.model.SymmetricContractionModel.Contraction;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.Irreps.MulIrrep;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.lang.model.element.Modifier;
import org.apache.commons.numbers.fraction.BigFraction;

/**
 * Turns a {@link SymmetricContractionModel} into the source of a {@code SymmetricContractionKernel}.
 *
 * <p>Per node and channel the kernel gathers the channel's {@code D} features {@code f} (MACE's
 * {@code reshape_irreps}), then evaluates {@code r[L][m] = Σ_ν Σ_k w_ν[element][k][channel] P_νk[m](f)} in straight-line
 * code: each polynomial {@code P_νk[m]} as the sum of its non-zero monomials (the basis summed over the orderings of
 * each multiset of indices, exact, rounded once: terms that cancel between orderings, such as antisymmetric couplings,
 * are gone). This touches every non-zero coefficient once, which is less work than MACE's per-element contraction of
 * the dense {@code U} with the weights. The backward pass reads the same monomials: {@code dL/dw = Σ_m g[m] P[m]} and
 * {@code dL/df[a] = Σ w g[m] ∂P[m]/∂f[a]}, the derivatives exact too.
 *
 * <p>The straight-line code is cut into static methods of at most {@value #BYTES_PER_METHOD} estimated bytes of
 * bytecode each, below HotSpot's 8000-byte JIT limit; expressions hold at most {@value #TERMS_PER_STATEMENT} terms.
 */
public final class SymmetricContractionWriter {

    /** Estimated bytecode per generated chunk method. */
    static final int BYTES_PER_METHOD = 5500;
    /** Terms per generated expression, which keeps javac's recursion over a sum shallow. */
    static final int TERMS_PER_STATEMENT = 24;

    private final SymmetricContractionModel model;
    private final Precision precision;
    private final KernelChecks checks;
    private final int dim;
    /** The per-channel result: the contractions' {@code 2L+1} components, in order. */
    private final int resultDim;
    private final int[] resultOffsets;
    /** The bases in writing order, each with the index of its weight base variable {@code b<index>}. */
    private final List<Basis> bases = new ArrayList<>();
    private final List<Piece> pieces = new ArrayList<>();
    private final List<List<Piece>> forwardChunks;
    private final List<List<Piece>> backwardChunks;
    /** Exact magnitudes to constant names, in order of first use. */
    private final Map<SqrtSum, String> constants = new LinkedHashMap<>();

    /**
     * Some terms of one polynomial {@code P_νk[m]}: added to {@code r[result]} with the weight {@code w[b + k C]}.
     *
     * @param basis       index into {@link #bases}
     * @param weight      {@code k * channels}, the weight's offset from the basis variable
     * @param terms       the monomials
     * @param derivatives per variable, the derivative of {@code terms}' sum
     */
    private record Piece(int basis, int weight, int result, List<Monomial> terms,
                         TreeMap<Integer, List<Monomial>> derivatives) {}

    private SymmetricContractionWriter(SymmetricContractionModel model, Precision precision, ClassName impl) {
        this.model = model;
        this.precision = precision;
        this.checks = new KernelChecks(impl, "nodes");
        this.dim = model.channelDim();
        this.resultOffsets = new int[model.contractions().size()];
        int offset = 0;
        for (Contraction contraction : model.contractions()) {
            resultOffsets[contraction.index()] = offset;
            offset += contraction.irrep().dim();
            for (Basis basis : contraction.bases()) {
                int index = bases.size();
                bases.add(basis);
                plan(index, basis, resultOffsets[contraction.index()]);
            }
        }
        this.resultDim = offset;
        this.forwardChunks = chunks(false);
        this.backwardChunks = chunks(true);
    }

    /** The class {@code impl} implementing the user's interface {@code spec}. */
    public static TypeSpec write(SymmetricContractionModel model, Precision precision, ClassName spec,
                                 ClassName impl) {
        return new SymmetricContractionWriter(model, precision, impl).type(spec, impl);
    }

    private void plan(int index, Basis basis, int resultOffset) {
        List<Monomial> monomials = basis.basis().polynomials();
        int start = 0;
        while (start < monomials.size()) {
            Monomial first = monomials.get(start);
            int end = start;
            while (end < monomials.size() && end - start < TERMS_PER_STATEMENT
                    && monomials.get(end).k() == first.k() && monomials.get(end).m() == first.m()) {
                end++;
            }
            List<Monomial> terms = monomials.subList(start, end);
            pieces.add(new Piece(index, first.k() * model.channels(), resultOffset + first.m(), List.copyOf(terms),
                    derivatives(terms)));
            terms.forEach(term -> constantName(term.coefficient()));
            start = end;
        }
    }

    /** {@code ∂/∂f[a]} of each term: the coefficient times the exponent of {@code a}, one factor {@code a} less. */
    private TreeMap<Integer, List<Monomial>> derivatives(List<Monomial> terms) {
        TreeMap<Integer, List<Monomial>> derivatives = new TreeMap<>();
        for (Monomial term : terms) {
            for (int a : new TreeSet<>(term.indices())) {
                long exponent = term.indices().stream().filter(i -> i == a).count();
                List<Integer> rest = new ArrayList<>(term.indices());
                rest.remove(Integer.valueOf(a));
                SqrtSum coefficient = term.coefficient().multiply(BigFraction.of(exponent));
                constantName(coefficient);
                derivatives.computeIfAbsent(a, i -> new ArrayList<>())
                        .add(new Monomial(term.m(), term.k(), List.copyOf(rest), coefficient));
            }
        }
        return derivatives;
    }

    private String constantName(SqrtSum value) {
        return constants.computeIfAbsent(value.abs(), v -> "U" + constants.size());
    }

    /** Estimated bytecode of a sum of {@code terms}: a constant, the factors, the operations. */
    private static int termBytes(List<Monomial> terms) {
        return terms.stream().mapToInt(t -> 4 + 3 * t.indices().size()).sum();
    }

    private int pieceBytes(Piece piece, boolean backward) {
        int bytes = 16 + termBytes(piece.terms());
        if (backward) {
            bytes += 16 + termBytes(piece.terms());
            for (List<Monomial> derivative : piece.derivatives().values()) {
                bytes += 10 + termBytes(derivative);
            }
        }
        return bytes;
    }

    /** The pieces cut into methods, each with its loads of features, weight bases and gradient sums counted. */
    private List<List<Piece>> chunks(boolean backward) {
        List<List<Piece>> chunks = new ArrayList<>();
        List<Piece> chunk = new ArrayList<>();
        int bytes = 0;
        int perVariable = (backward ? 16 : 6) + (dim > 60 ? 4 : 0);
        int overhead = 12 * bases.size() + perVariable * dim;
        for (Piece piece : pieces) {
            int cost = pieceBytes(piece, backward);
            if (!chunk.isEmpty() && bytes + cost + overhead > BYTES_PER_METHOD) {
                chunks.add(chunk);
                chunk = new ArrayList<>();
                bytes = 0;
            }
            chunk.add(piece);
            bytes += cost;
        }
        if (!chunk.isEmpty()) {
            chunks.add(chunk);
        }
        return chunks;
    }

    private TypeSpec type(ClassName spec, ClassName impl) {
        ClassName tensor = ClassName.get("dev.e3j.runtime", "SymmetricContractionKernel", "Tensor");
        TypeSpec.Builder type = TypeSpec.classBuilder(impl)
                .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addSuperinterface(spec)
                .addJavadoc(javadoc(spec))
                .addField(constant(Irreps.class, "IRREPS_IN",
                        CodeBlock.of("$T.parse($S)", Irreps.class, model.irrepsIn().toString())))
                .addField(constant(Irreps.class, "IRREPS_OUT",
                        CodeBlock.of("$T.parse($S)", Irreps.class, model.irrepsOut().toString())))
                .addField(FieldSpec.builder(ParameterizedTypeName.get(ClassName.get(List.class), tensor),
                                "WEIGHT_VIEWS", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                        .initializer(weightViews(tensor))
                        .build());
        List<Arithmetic> arithmetics = precision == Precision.FLOAT
                ? List.of(Arithmetic.DOUBLE, Arithmetic.FLOAT) : List.of(Arithmetic.DOUBLE);
        for (Arithmetic t : arithmetics) {
            for (Map.Entry<SqrtSum, String> constant : constants.entrySet()) {
                type.addField(FieldSpec.builder(t.type(), constant.getValue() + t.constantSuffix(), Modifier.PRIVATE,
                                Modifier.STATIC, Modifier.FINAL)
                        .addJavadoc("$L\n", constant.getKey())
                        .initializer("$L", literal(constant.getKey(), t))
                        .build());
            }
        }
        // Explicit, so that -Xlint:all does not warn about a default constructor in a module's exported package.
        type.addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC).build())
                .addMethod(getter("irrepsIn", TypeName.get(Irreps.class), "IRREPS_IN"))
                .addMethod(getter("irrepsOut", TypeName.get(Irreps.class), "IRREPS_OUT"))
                .addMethod(getter("correlation", TypeName.INT, Integer.toString(model.correlation())))
                .addMethod(getter("elements", TypeName.INT, Integer.toString(model.elements())))
                .addMethod(getter("weightNumel", TypeName.INT, Integer.toString(model.weightNumel())))
                .addMethod(getter("weightViews", ParameterizedTypeName.get(ClassName.get(List.class), tensor),
                        "WEIGHT_VIEWS"));
        for (Arithmetic t : arithmetics) {
            type.addMethod(forward(t)).addMethod(backward(t));
        }
        for (Arithmetic t : arithmetics) {
            for (int c = 0; c < forwardChunks.size(); c++) {
                type.addMethod(forwardChunk(c, t));
            }
            for (int c = 0; c < backwardChunks.size(); c++) {
                type.addMethod(backwardChunk(c, t));
            }
        }
        type.addMethod(elementCheck());
        List<TypeName> arrays = new ArrayList<>();
        arithmetics.forEach(t -> arrays.add(t.arrayType()));
        arrays.add(ArrayTypeName.of(TypeName.INT));
        return type.addMethods(checks.methods(arrays)).build();
    }

    private CodeBlock javadoc(ClassName spec) {
        CodeBlock.Builder doc = CodeBlock.builder()
                .add("mace-torch 0.3.6's {@code SymmetricContraction($S, $S, correlation=$L, num_elements=$L)}, Wigner"
                                + " 3j signs of {@code $L}, as declared by {@link $T}.\n\n<p>One channel: {@code D = $L}"
                                + " features of {@code $L}; weights {@code [elements][K][channels]}:\n<ul>\n",
                        model.irrepsIn().toString(), model.irrepsOut().toString(), model.correlation(),
                        model.elements(), model.convention(), spec, dim, model.coupling().stream()
                                .map(Object::toString).reduce((a, b) -> a + "+" + b).orElseThrow());
        for (Contraction contraction : model.contractions()) {
            for (Basis basis : contraction.bases()) {
                doc.add("<li>{@code $L}: out[$L] {@code $L}, degree $L, K = $L, weights from $L</li>\n", basis.name(),
                        contraction.index(), contraction.irrep(), basis.degree(), basis.columns(),
                        basis.weightOffset());
            }
        }
        return doc.add("</ul>\nEvery basis entry is listed exactly in the audit file.\n").build();
    }

    private CodeBlock weightViews(ClassName tensor) {
        CodeBlock.Builder views = CodeBlock.builder().add("$T.of(", List.class);
        boolean first = true;
        for (Contraction contraction : model.contractions()) {
            for (Basis basis : contraction.bases()) {
                views.add(first ? "\n" : ",\n").add("new $T($S, $L, $T.of($L, $L, $L))", tensor, basis.name(),
                        basis.weightOffset(), List.class, model.elements(), basis.columns(), model.channels());
                first = false;
            }
        }
        return views.add(")").build();
    }

    private static String literal(SqrtSum value, Arithmetic t) {
        return t == Arithmetic.DOUBLE ? Double.toString(value.doubleValue()) : value.floatValue() + "f";
    }

    private static FieldSpec constant(Class<?> type, String name, CodeBlock value) {
        return FieldSpec.builder(type, name, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .initializer(value)
                .build();
    }

    private static MethodSpec getter(String name, TypeName type, String value) {
        return MethodSpec.methodBuilder(name)
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .returns(type)
                .addStatement("return $L", value)
                .build();
    }

    /** {@code elements[n]}, checked to be an element index. */
    private MethodSpec elementCheck() {
        return MethodSpec.methodBuilder("element")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(TypeName.INT)
                .addParameter(String.class, "method")
                .addParameter(int[].class, "elements")
                .addParameter(int.class, "node")
                .addStatement("int element = elements[node]")
                .beginControlFlow("if (element < 0 || element >= $L)", model.elements())
                .addStatement("throw invalid(method, $S + node + $S + element)", "elements[",
                        "] must be in [0, " + model.elements() + "), got ")
                .endControlFlow()
                .addStatement("return element")
                .build();
    }

    /** Copies one channel's features from the {@code mul_ir} row at {@code base} into {@code features}, or back. */
    private CodeBlock gather(String row, String base, String features, Irreps irreps, boolean toRow) {
        CodeBlock.Builder code = CodeBlock.builder();
        int offset = 0;
        for (int e = 0; e < irreps.size(); e++) {
            MulIrrep entry = irreps.get(e);
            int d = entry.ir().dim();
            String rowIndex = base + " + " + irreps.offset(e) + " + channel * " + d;
            if (toRow) {
                code.addStatement("$T.arraycopy($L, $L, $L, $L, $L)", System.class, features, offset, row, rowIndex, d);
            } else {
                code.addStatement("$T.arraycopy($L, $L, $L, $L, $L)", System.class, row, rowIndex, features, offset, d);
            }
            offset += d;
        }
        return code.build();
    }

    private MethodSpec forward(Arithmetic t) {
        String method = "forward";
        TypeName array = t.arrayType();
        MethodSpec.Builder code = MethodSpec.methodBuilder(method)
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addParameter(int.class, "nodes")
                .addParameter(array, "x")
                .addParameter(int[].class, "elements")
                .addParameter(array, "weights")
                .addParameter(array, "out")
                .addCode(checks.nonNegativeCount(method))
                .addCode(checks.perSample(method, "x", model.irrepsIn().dim()))
                .addCode(checks.perSample(method, "elements", 1))
                .addCode(checks.shared(method, "weights", model.weightNumel()))
                .addCode(checks.perSample(method, "out", model.irrepsOut().dim()))
                .addCode(checks.distinct(method, List.of("out"), List.of("x", "weights")))
                .addStatement("$T[] features = new $T[$L]", t.type(), t.type(), dim)
                .addStatement("$T[] result = new $T[$L]", t.type(), t.type(), resultDim)
                .beginControlFlow("for (int n = 0; n < nodes; n++)")
                .addStatement("int element = element($S, elements, n)", method)
                .addStatement("int xBase = n * $L", model.irrepsIn().dim())
                .addStatement("int outBase = n * $L", model.irrepsOut().dim())
                .beginControlFlow("for (int channel = 0; channel < $L; channel++)", model.channels())
                .addCode(gather("x", "xBase", "features", model.irrepsIn(), false))
                .addStatement("$T.fill(result, $L)", Arrays.class, t == Arithmetic.DOUBLE ? "0.0" : "0.0f");
        for (int c = 0; c < forwardChunks.size(); c++) {
            code.addStatement("$L(features, weights, element, channel, result)", chunkName("forward", c, t));
        }
        return code.addCode(gather("out", "outBase", "result", model.irrepsOut(), true))
                .endControlFlow()
                .endControlFlow()
                .build();
    }

    private MethodSpec backward(Arithmetic t) {
        String method = "backward";
        TypeName array = t.arrayType();
        String zero = t == Arithmetic.DOUBLE ? "0.0" : "0.0f";
        MethodSpec.Builder code = MethodSpec.methodBuilder(method)
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addParameter(int.class, "nodes")
                .addParameter(array, "x")
                .addParameter(int[].class, "elements")
                .addParameter(array, "weights")
                .addParameter(array, "gradOut")
                .addParameter(array, "gradX")
                .addParameter(array, "gradWeights")
                .addCode(checks.nonNegativeCount(method))
                .addCode(checks.perSample(method, "x", model.irrepsIn().dim()))
                .addCode(checks.perSample(method, "elements", 1))
                .addCode(checks.shared(method, "weights", model.weightNumel()))
                .addCode(checks.perSample(method, "gradOut", model.irrepsOut().dim()))
                .beginControlFlow("if (gradX != null)")
                .addCode(checks.perSample(method, "gradX", model.irrepsIn().dim()))
                .endControlFlow()
                .beginControlFlow("if (gradWeights != null)")
                .addCode(checks.shared(method, "gradWeights", model.weightNumel()))
                .endControlFlow()
                .addCode(checks.distinct(method, List.of("gradX", "gradWeights"), List.of("x", "weights", "gradOut")))
                .addStatement("$T[] features = new $T[$L]", t.type(), t.type(), dim)
                .addStatement("$T[] gradFeatures = new $T[$L]", t.type(), t.type(), dim)
                .addStatement("$T[] gradResult = new $T[$L]", t.type(), t.type(), resultDim)
                .addComment("Without gradWeights the weight gradients go to scratch: the chunks stay branch-free.")
                .addStatement("$T[] gradW = gradWeights != null ? gradWeights : new $T[$L]", t.type(), t.type(),
                        model.weightNumel())
                .addStatement("$T.fill(gradW, $L)", Arrays.class, zero)
                .beginControlFlow("for (int n = 0; n < nodes; n++)")
                .addStatement("int element = element($S, elements, n)", method)
                .addStatement("int xBase = n * $L", model.irrepsIn().dim())
                .addStatement("int outBase = n * $L", model.irrepsOut().dim())
                .beginControlFlow("for (int channel = 0; channel < $L; channel++)", model.channels())
                .addCode(gather("x", "xBase", "features", model.irrepsIn(), false))
                .addCode(gather("gradOut", "outBase", "gradResult", model.irrepsOut(), false))
                .addStatement("$T.fill(gradFeatures, $L)", Arrays.class, zero);
        for (int c = 0; c < backwardChunks.size(); c++) {
            code.addStatement("$L(features, weights, element, channel, gradResult, gradFeatures, gradW)",
                    chunkName("backward", c, t));
        }
        return code.beginControlFlow("if (gradX != null)")
                .addCode(gather("gradX", "xBase", "gradFeatures", model.irrepsIn(), true))
                .endControlFlow()
                .endControlFlow()
                .endControlFlow()
                .build();
    }

    private static String chunkName(String pass, int chunk, Arithmetic t) {
        return pass + "Chunk" + chunk + t.constantSuffix();
    }

    /** {@code int b<i> = offset + element * (K C) + channel} for each basis the chunk reads. */
    private CodeBlock basisVariables(List<Piece> chunk) {
        CodeBlock.Builder code = CodeBlock.builder();
        chunk.stream().mapToInt(Piece::basis).distinct().forEach(b -> {
            Basis basis = bases.get(b);
            code.addStatement("int b$L = $L + element * $L + channel", b, basis.weightOffset(),
                    basis.columns() * model.channels());
        });
        return code.build();
    }

    /** {@code T x<i> = f[i]} for each feature the chunk reads. */
    private CodeBlock featureVariables(List<Piece> chunk, Arithmetic t) {
        TreeSet<Integer> used = new TreeSet<>();
        for (Piece piece : chunk) {
            piece.terms().forEach(term -> used.addAll(term.indices()));
        }
        CodeBlock.Builder code = CodeBlock.builder();
        for (int i : used) {
            code.addStatement("$T x$L = f[$L]", t.type(), i, i);
        }
        return code.build();
    }

    private MethodSpec forwardChunk(int index, Arithmetic t) {
        List<Piece> chunk = forwardChunks.get(index);
        MethodSpec.Builder method = MethodSpec.methodBuilder(chunkName("forward", index, t))
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(t.arrayType(), "f")
                .addParameter(t.arrayType(), "w")
                .addParameter(int.class, "element")
                .addParameter(int.class, "channel")
                .addParameter(t.arrayType(), "r")
                .addCode(featureVariables(chunk, t))
                .addCode(basisVariables(chunk));
        for (Piece piece : chunk) {
            method.addStatement("r[$L] += w[b$L + $L] * ($L)", piece.result(), piece.basis(), piece.weight(),
                    sum(piece.terms(), t));
        }
        return method.build();
    }

    private MethodSpec backwardChunk(int index, Arithmetic t) {
        List<Piece> chunk = backwardChunks.get(index);
        TreeSet<Integer> gradients = new TreeSet<>();
        chunk.forEach(piece -> gradients.addAll(piece.derivatives().keySet()));
        MethodSpec.Builder method = MethodSpec.methodBuilder(chunkName("backward", index, t))
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(t.arrayType(), "f")
                .addParameter(t.arrayType(), "w")
                .addParameter(int.class, "element")
                .addParameter(int.class, "channel")
                .addParameter(t.arrayType(), "g")
                .addParameter(t.arrayType(), "gf")
                .addParameter(t.arrayType(), "gw")
                .addCode(featureVariables(chunk, t))
                .addCode(basisVariables(chunk));
        String zero = t == Arithmetic.DOUBLE ? "0.0" : "0.0f";
        for (int a : gradients) {
            method.addStatement("$T d$L = $L", t.type(), a, zero);
        }
        method.addStatement("$T q", t.type());
        for (Piece piece : chunk) {
            method.addStatement("gw[b$L + $L] += g[$L] * ($L)", piece.basis(), piece.weight(), piece.result(),
                            sum(piece.terms(), t))
                    .addStatement("q = w[b$L + $L] * g[$L]", piece.basis(), piece.weight(), piece.result());
            for (Map.Entry<Integer, List<Monomial>> derivative : piece.derivatives().entrySet()) {
                method.addStatement("d$L += q * ($L)", derivative.getKey(), sum(derivative.getValue(), t));
            }
        }
        for (int a : gradients) {
            method.addStatement("gf[$L] += d$L", a, a);
        }
        return method.build();
    }

    /** {@code ±U3 * x0 * x5 ± ...}: each term its constant (left out when 1) and its factors. */
    private String sum(List<Monomial> terms, Arithmetic t) {
        StringBuilder text = new StringBuilder();
        for (Monomial term : terms) {
            boolean negative = term.coefficient().signum() < 0;
            if (text.length() == 0) {
                text.append(negative ? "-" : "");
            } else {
                text.append(negative ? " - " : " + ");
            }
            List<String> factors = new ArrayList<>();
            SqrtSum magnitude = term.coefficient().abs();
            if (!magnitude.equals(SqrtSum.of(BigFraction.ONE)) || term.indices().isEmpty()) {
                factors.add(constants.get(magnitude) + t.constantSuffix());
            }
            term.indices().forEach(i -> factors.add("x" + i));
            text.append(String.join(" * ", factors));
        }
        return text.toString();
    }
}
