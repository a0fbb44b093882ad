package dev.e3j.processor.writer;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.e3j.annotations.Layout;
import dev.e3j.processor.math.ProductBasis;
import dev.e3j.processor.math.ProductBasis.Monomial;
import dev.e3j.processor.math.SqrtRational;
import dev.e3j.processor.math.SqrtSum;
import dev.e3j.processor.model.SymmetricContractionModel;
import dev.e3j.processor.model.SymmetricContractionModel.Basis;
import dev.e3j.processor.model.SymmetricContractionModel.Contraction;
import dev.e3j.processor.plan.MethodPacker;
import dev.e3j.runtime.BatchBlocks;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.Irreps.MulIrrep;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.IntStream;
import javax.lang.model.element.Modifier;
import org.apache.commons.numbers.fraction.BigFraction;

/**
 * Turns a {@link SymmetricContractionModel} into the source of a {@code SymmetricContractionKernel}.
 *
 * <p>Per node and channel the kernel gathers the channel's {@code D} features {@code f} (MACE's
 * {@code reshape_irreps}), then evaluates {@code r[L][m] = Σ_ν Σ_k w_ν[element][k][channel] P_νk[m](f)} in
 * straight-line code: each polynomial {@code P_νk[m]} as the sum of its non-zero monomials (the basis summed over the
 * orderings of each multiset of indices, exact, rounded once: terms that cancel between orderings, such as
 * antisymmetric couplings, are gone). Columns whose polynomials are proportional, {@code P_νk = ρ_k P_νj} exactly
 * (MACE's paths through the same irreps in another order often are), form one {@link Group}: its polynomials are
 * written once, multiplied by the combined weight {@code Σ_k ρ_k w_ν[element][k][channel]}, which about halves the
 * code of MACE's bases. The backward pass reads the same monomials: {@code dL/dw_k = ρ_k Σ_m g[m] P_νj[m]} and
 * {@code dL/df[a] = Σ w g[m] ∂P[m]/∂f[a]}, the derivatives exact too. The double backward reads them again with the
 * exact second derivatives {@code ∂²P/∂f[a]∂f[b]} ({@code doubleBackward}).
 *
 * <p>In {@link Layout#IR_MUL} a node's features are one {@code [D][channels]} matrix (and its output one
 * {@code [resultDim][channels]}): the chunks read and write the rows in place, their statements inside one loop over
 * the channels of a block, every access {@code row[base + i C + channel]} contiguous in the channel: no gathers or
 * scatters, and the loop a vectorizer needs (HotSpot's C2 does not pack bodies this large; benchmarks/RESULTS.md,
 * {@code h/maceir}, measures the layouts). The statements, their order and the order of every sum are those of
 * {@link Layout#MUL_IR}: the two layouts' results are bitwise the same, up to the transposition.
 *
 * <p>The channels run in parallel blocks ({@link BatchBlocks}, at most {@value #CHANNEL_BLOCKS}; channel-last at least
 * {@value #VECTOR_CHANNELS} channels each, which its loops run over): every output, input
 * gradient and weight gradient belongs to one channel, so no block writes where another does, and each weight
 * gradient sums over the nodes in node order whatever the blocks: the results are bitwise reproducible.
 *
 * <p>The straight-line code is cut into static methods of at most {@value #BYTES_PER_METHOD} estimated bytes of
 * bytecode each, below HotSpot's 8000-byte JIT limit (the same cuts in both layouts, whose row accesses and channel
 * loop the estimate's margin holds); expressions hold at most {@value #TERMS_PER_STATEMENT} terms.
 */
public final class SymmetricContractionWriter {

    /** The Javadoc of the generated methods over a range of channels ({@link #channelsMethod}). */
    private static final String FORWARD_CHANNELS_DOC =
            "The outputs of channels {@code from} to {@code to} (exclusive) of every node.\n";
    private static final String FORWARD_CHANNELS_IN_PLACE_DOC =
            "The outputs of channels {@code from} to {@code to} (exclusive) of every node, in place.\n";
    private static final String BACKWARD_CHANNELS_DOC =
            "The gradients of channels {@code from} to {@code to} (exclusive) of every node: their entries of"
            + " {@code gradX} (when not null) and of {@code gradW}, which no other channel touches.\n";
    private static final String DOUBLE_BACKWARD_CHANNELS_DOC =
            "The second derivatives of channels {@code from} to {@code to} (exclusive) of every node: their entries"
            + " of {@code gX} and {@code gGradOut} (when not null) and of {@code gW}, which no other channel"
            + " touches.\n";

    /** Estimated bytecode per generated chunk method. */
    static final int BYTES_PER_METHOD = 5500;
    /** The channels are split into at most this many parallel blocks. */
    static final int CHANNEL_BLOCKS = 16;
    /**
     * The fewest channels of a {@link Layout#IR_MUL} block (all of them when fewer): its chunks loop over the block's
     * channels, so a block of one channel would pay a call and a loop per statement list and node for nothing.
     */
    static final int VECTOR_CHANNELS = 16;
    /** Terms per generated expression, which keeps javac's recursion over a sum shallow. */
    static final int TERMS_PER_STATEMENT = 24;

    private static final SqrtSum ONE = SqrtSum.of(BigFraction.ONE);

    private final SymmetricContractionModel model;
    private final KernelChecks checks;
    /** Whether the rows are {@link Layout#IR_MUL}: the chunks loop over the channels of their rows in place. */
    private final boolean channelLast;
    private final int dim;
    /** The per-channel result: the contractions' {@code 2L+1} components, in order. */
    private final int resultDim;
    /** The bases in writing order, each with the index of its weight base variable {@code b<index>}. */
    private final List<Basis> bases = new ArrayList<>();
    private final List<Group> groups = new ArrayList<>();
    private final List<Piece> pieces = new ArrayList<>();
    private final List<List<Piece>> forwardChunks;
    private final List<List<Piece>> backwardChunks;
    /** Each piece's monomials, parallel to {@link #pieces}: the second derivatives are taken from them. */
    private final List<List<Monomial>> pieceMonomials = new ArrayList<>();
    /**
     * Each piece's second derivatives {@code ∂²/∂f[a]∂f[b]}, by {@code a} then {@code b}, parallel to {@link #pieces};
     * computed after the forward and backward plans, so that their constants follow those.
     */
    private final List<TreeMap<Integer, TreeMap<Integer, List<Term>>>> secondDerivatives;
    /** Indices into {@link #pieces}, one list per double-backward method. */
    private final List<List<Integer>> doubleBackwardChunks;

    /** Exact magnitudes to constant names, in order of first use. */
    private final Map<SqrtSum, String> constants = new LinkedHashMap<>();

    /**
     * The columns of one basis whose polynomials are multiples of the first's: {@code P_νk = ρ_k P_νj}.
     *
     * @param basis   index into {@link #bases}
     * @param members the columns, the first with {@code ρ = 1}
     */
    private record Group(int basis, List<Member> members) {}

    /**
     * One column of a {@link Group}.
     *
     * @param weight {@code k * channels}, its weight's offset from the basis variable
     * @param ratio  {@code ρ_k}, a term without factors
     */
    private record Member(int weight, Term ratio) {}

    /**
     * Some terms of one group's polynomial {@code P_νj[m]}: added to {@code r[result]} with the group's combined
     * weight {@code v<group>}.
     *
     * @param group       index into {@link #groups}
     * @param result      the index of {@code P_νj[m]}'s output in the channel's result
     * @param terms       the monomials
     * @param derivatives per variable, the derivative of {@code terms}' sum
     */
    private record Piece(int group, int result, List<Term> terms, TreeMap<Integer, List<Term>> derivatives) {}

    /**
     * One monomial as written: its sign, the name of the constant holding its coefficient's magnitude ({@code null}
     * for 1) and its factors {@code x<i>}.
     */
    private record Term(boolean negative, String constant, List<Integer> factors) {}

    private SymmetricContractionWriter(SymmetricContractionModel model, ClassName impl) {
        this.model = model;
        this.checks = new KernelChecks(impl, "nodes");
        this.dim = model.channelDim();
        this.channelLast = model.layout() == Layout.IR_MUL;
        int offset = 0;
        for (Contraction contraction : model.contractions()) {
            for (Basis basis : contraction.bases()) {
                int index = bases.size();
                bases.add(basis);
                plan(index, basis, offset);
            }
            offset += contraction.irrep().dim();
        }
        this.resultDim = offset;
        this.forwardChunks = chunks(false);
        this.backwardChunks = chunks(true);
        this.secondDerivatives = pieceMonomials.stream().map(this::secondDerivatives).toList();
        this.doubleBackwardChunks = doubleBackwardChunks();
    }

    /** The class {@code impl} implementing the user's interface {@code spec}. */
    public static TypeSpec write(SymmetricContractionModel model, ClassName spec, ClassName impl) {
        return new SymmetricContractionWriter(model, impl).type(spec, impl);
    }

    /** Groups the basis' columns by proportional polynomials and cuts each group's polynomial into pieces. */
    private void plan(int index, Basis basis, int resultOffset) {
        List<List<Monomial>> firsts = new ArrayList<>();
        List<List<Member>> members = new ArrayList<>();
        for (List<Monomial> column : ProductBasis.byColumn(basis.basis().polynomials())) {
            int group = firsts.size();
            SqrtRational ratio = SqrtRational.ONE;
            for (int g = 0; g < firsts.size(); g++) {
                Optional<SqrtRational> found = ProductBasis.proportion(column, firsts.get(g));
                if (found.isPresent()) {
                    group = g;
                    ratio = found.get();
                    break;
                }
            }
            if (group == firsts.size()) {
                firsts.add(column);
                members.add(new ArrayList<>());
            }
            members.get(group).add(new Member(column.get(0).k() * model.channels(),
                    term(SqrtSum.of(ratio), List.of())));
        }
        for (int g = 0; g < firsts.size(); g++) {
            int group = groups.size();
            groups.add(new Group(index, List.copyOf(members.get(g))));
            List<Monomial> monomials = firsts.get(g);
            int start = 0;
            while (start < monomials.size()) {
                Monomial first = monomials.get(start);
                int end = start;
                while (end < monomials.size() && end - start < TERMS_PER_STATEMENT
                        && monomials.get(end).m() == first.m()) {
                    end++;
                }
                List<Monomial> terms = monomials.subList(start, end);
                pieces.add(new Piece(group, resultOffset + first.m(),
                        terms.stream().map(t -> term(t.coefficient(), t.indices())).toList(), derivatives(terms)));
                pieceMonomials.add(List.copyOf(terms));
                start = end;
            }
        }
    }

    /** {@code ∂/∂f[a]} of each term: the coefficient times the exponent of {@code a}, one factor {@code a} less. */
    private TreeMap<Integer, List<Term>> derivatives(List<Monomial> terms) {
        TreeMap<Integer, List<Term>> derivatives = new TreeMap<>();
        for (Monomial term : terms) {
            for (int a : new TreeSet<>(term.indices())) {
                long exponent = term.indices().stream().filter(i -> i == a).count();
                List<Integer> rest = new ArrayList<>(term.indices());
                rest.remove(Integer.valueOf(a));
                derivatives.computeIfAbsent(a, i -> new ArrayList<>())
                        .add(term(term.coefficient().multiply(BigFraction.of(exponent)), rest));
            }
        }
        return derivatives;
    }

    /** {@code coefficient * x[factors...]}, its magnitude pooled unless it is 1. */
    private Term term(SqrtSum coefficient, List<Integer> factors) {
        SqrtSum magnitude = coefficient.abs();
        String constant = magnitude.equals(ONE) ? null
                : constants.computeIfAbsent(magnitude, v -> "U" + constants.size());
        return new Term(coefficient.signum() < 0, constant, List.copyOf(factors));
    }

    /** Estimated bytecode of a sum of {@code terms}: a constant, the factors, the operations. */
    private static int termBytes(List<Term> terms) {
        return terms.stream().mapToInt(t -> 4 + 3 * t.factors().size()).sum();
    }

    private int pieceBytes(Piece piece, boolean backward) {
        int bytes = 16 + termBytes(piece.terms());
        if (backward) {
            bytes += 16 + termBytes(piece.terms());
            for (List<Term> derivative : piece.derivatives().values()) {
                bytes += 10 + termBytes(derivative);
            }
        }
        return bytes;
    }

    /**
     * Estimated bytecode of a group's combined weight (a product and a sum per member) and, backward, its gradient
     * sum and one weight gradient update per member.
     */
    private int groupBytes(int group, boolean backward) {
        int members = groups.get(group).members().size();
        return 8 + 12 * members + (backward ? 8 + 16 * members : 0);
    }

    /**
     * The pieces cut into methods, each with its loads of features, weight bases, group weights and gradient sums
     * counted: a piece costs its own bytes, and its group's combined weight where it starts the group in its method.
     */
    private List<List<Piece>> chunks(boolean backward) {
        int perVariable = (backward ? 16 : 6) + (dim > 60 ? 4 : 0);
        int overhead = 12 * bases.size() + perVariable * dim;
        MethodPacker packer = MethodPacker.ofSize(Math.max(1, BYTES_PER_METHOD - overhead));
        return packer.pack(pieces, (previous, piece) -> pieceBytes(piece, backward)
                + (previous == null || previous.group() != piece.group() ? groupBytes(piece.group(), backward) : 0));
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
        List<NumberType> arithmetics = NumberType.of(model.precision());
        for (NumberType t : arithmetics) {
            for (Map.Entry<SqrtSum, String> constant : constants.entrySet()) {
                type.addField(FieldSpec.builder(t.type(), constant.getValue() + t.fieldSuffix(), Modifier.PRIVATE,
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
        type.addField(FieldSpec.builder(int.class, "CHANNEL_BLOCK", Modifier.PRIVATE, Modifier.STATIC,
                        Modifier.FINAL)
                .addJavadoc("Channels per parallel block: each block owns its channels' outputs and weight"
                        + " gradients, so the results do not depend on how the blocks run.\n")
                .initializer("$L", channelBlock())
                .build());
        for (NumberType t : arithmetics) {
            type.addMethod(forward(t)).addMethod(backward(t));
        }
        for (NumberType t : arithmetics) {
            type.addMethod(channelLast ? forwardChannelsLast(t) : forwardChannels(t))
                    .addMethod(channelLast ? backwardChannelsLast(t) : backwardChannels(t));
        }
        for (NumberType t : arithmetics) {
            type.addMethod(doubleBackward(t))
                    .addMethod(channelLast ? doubleBackwardChannelsLast(t) : doubleBackwardChannels(t));
            for (int c = 0; c < doubleBackwardChunks.size(); c++) {
                type.addMethod(doubleBackwardChunk(c, t));
            }
        }
        for (NumberType t : arithmetics) {
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

    /**
     * Channels per parallel block: at most {@value #CHANNEL_BLOCKS} blocks, and channel-last at least
     * {@value #VECTOR_CHANNELS} channels each.
     */
    private int channelBlock() {
        int block = (model.channels() + CHANNEL_BLOCKS - 1) / CHANNEL_BLOCKS;
        return channelLast ? Math.max(block, Math.min(model.channels(), VECTOR_CHANNELS)) : block;
    }

    private CodeBlock javadoc(ClassName spec) {
        CodeBlock.Builder doc = CodeBlock.builder()
                .add("mace-torch 0.3.6's {@code SymmetricContraction($S, $S, correlation=$L, num_elements=$L)},"
                                + " Wigner 3j signs of {@code $L}, as declared by {@link $T}.\n\n<p>One channel:"
                                + " {@code D = $L} features of {@code $L}; weights {@code [elements][K][channels]}:"
                                + "\n<ul>\n",
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
        doc.add("</ul>\n");
        if (channelLast) {
            doc.add("Features channel-last ({@code ir_mul}): a node's input is {@code [$L][channels]}, its output"
                    + " {@code [$L][channels]}. ", dim, resultDim);
        }
        return doc.add("Every basis entry is listed exactly in the audit file.\n").build();
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

    private static String literal(SqrtSum value, NumberType t) {
        return t == NumberType.DOUBLE ? Double.toString(value.doubleValue()) : value.floatValue() + "f";
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

    /** Throws unless {@code elements[node]} is an element index. */
    private MethodSpec elementCheck() {
        return MethodSpec.methodBuilder("requireElement")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(String.class, "method")
                .addParameter(int[].class, "elements")
                .addParameter(int.class, "node")
                .beginControlFlow("if (elements[node] < 0 || elements[node] >= $L)", model.elements())
                .addStatement("throw invalid(method, $S + node + $S + elements[node])", "elements[",
                        "] must be in [0, " + model.elements() + "), got ")
                .endControlFlow()
                .build();
    }

    /** Copies one channel's features from the {@code mul_ir} row at {@code base} into {@code features}, or back. */
    private CodeBlock gather(String row, String base, String features, Irreps irreps, boolean toRow) {
        CodeBlock.Builder code = CodeBlock.builder();
        int offset = 0;
        for (int e = 0; e < irreps.size(); e++) {
            MulIrrep entry = irreps.get(e);
            int d = entry.ir().dim();
            String rowIndex = base + (irreps.offset(e) == 0 ? "" : " + " + irreps.offset(e))
                    + (d == 1 ? " + channel" : " + channel * " + d);
            if (toRow) {
                code.addStatement("$T.arraycopy($L, $L, $L, $L, $L)", System.class, features, offset, row, rowIndex, d);
            } else {
                code.addStatement("$T.arraycopy($L, $L, $L, $L, $L)", System.class, row, rowIndex, features, offset, d);
            }
            offset += d;
        }
        return code.build();
    }

    private MethodSpec forward(NumberType t) {
        String method = "forward";
        TypeName array = t.arrayType();
        return MethodSpec.methodBuilder(method)
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
                .addCode(elementChecks(method))
                .addStatement("$T.run($L, CHANNEL_BLOCK, (block, from, to) -> forwardChannels$L(from, to, nodes, x,"
                        + " elements, weights, out))", BatchBlocks.class, model.channels(), t.fieldSuffix())
                .build();
    }

    private MethodSpec forwardChannels(NumberType t) {
        MethodSpec.Builder code = channelsMethod("forwardChannels", FORWARD_CHANNELS_DOC, t, "weights", "out")
                .addStatement("$T[] features = new $T[$L]", t.type(), t.type(), dim)
                .addStatement("$T[] result = new $T[$L]", t.type(), t.type(), resultDim)
                .beginControlFlow("for (int n = 0; n < nodes; n++)")
                .addCode(nodeBases())
                .beginControlFlow("for (int channel = from; channel < to; channel++)")
                .addCode(gather("x", "xBase", "features", model.irrepsIn(), false))
                .addStatement("$T.fill(result, $L)", Arrays.class, t == NumberType.DOUBLE ? "0.0" : "0.0f");
        for (int c = 0; c < forwardChunks.size(); c++) {
            code.addStatement("$L(features, weights, element, channel, result)", chunkName("forward", c, t));
        }
        return code.addCode(gather("out", "outBase", "result", model.irrepsOut(), true))
                .endControlFlow()
                .endControlFlow()
                .build();
    }

    /**
     * {@link Layout#IR_MUL}'s {@link #forwardChannels}: the chunks write the channels' outputs in place, each in a
     * loop over the channels.
     */
    private MethodSpec forwardChannelsLast(NumberType t) {
        MethodSpec.Builder code = channelsMethod("forwardChannels", FORWARD_CHANNELS_IN_PLACE_DOC, t,
                "weights", "out")
                .beginControlFlow("for (int n = 0; n < nodes; n++)")
                .addCode(nodeBases())
                .addCode(clearChannels("out", "outBase", resultDim, t));
        for (int c = 0; c < forwardChunks.size(); c++) {
            code.addStatement("$L(x, xBase, weights, element, from, to, out, outBase)", chunkName("forward", c, t));
        }
        return code.endControlFlow().build();
    }

    /** {@link Layout#IR_MUL}'s {@link #backwardChannels}: the chunks accumulate the input gradients in place. */
    private MethodSpec backwardChannelsLast(NumberType t) {
        MethodSpec.Builder code = channelsMethod("backwardChannels", BACKWARD_CHANNELS_DOC, t,
                "weights", "gradOut", "gradX", "gradW")
                .addComment("Without gradX the input gradients go to one node's scratch row.")
                .addStatement("$T[] gf = gradX != null ? gradX : new $T[$L]", t.type(), t.type(),
                        model.irrepsIn().dim())
                .beginControlFlow("for (int n = 0; n < nodes; n++)")
                .addCode(nodeBases())
                .addStatement("int gfBase = gradX != null ? xBase : 0")
                .addCode(clearChannels("gf", "gfBase", dim, t));
        for (int c = 0; c < backwardChunks.size(); c++) {
            code.addStatement("$L(x, xBase, weights, element, from, to, gradOut, outBase, gf, gfBase, gradW)",
                    chunkName("backward", c, t));
        }
        return code.endControlFlow().build();
    }

    /**
     * {@link Layout#IR_MUL}'s {@link #doubleBackwardChannels}: the chunks read the cotangents and accumulate the
     * results in place; a missing {@code ggX} reads a row of zeros, a missing result goes to a scratch row.
     */
    private MethodSpec doubleBackwardChannelsLast(NumberType t) {
        MethodSpec.Builder code = channelsMethod("doubleBackwardChannels", DOUBLE_BACKWARD_CHANNELS_DOC, t,
                "weights", "gradOut", "ggX", "ggW", "gX", "gW", "gGradOut");
        int in = model.irrepsIn().dim();
        code.addStatement("$T[] gg = ggX != null ? ggX : new $T[$L]", t.type(), t.type(), in)
                .addStatement("$T[] gf = gX != null ? gX : new $T[$L]", t.type(), t.type(), in)
                .addStatement("$T[] r = gGradOut != null ? gGradOut : new $T[$L]", t.type(), t.type(),
                        model.irrepsOut().dim())
                .beginControlFlow("for (int n = 0; n < nodes; n++)")
                .addCode(nodeBases())
                .addStatement("int ggBase = ggX != null ? xBase : 0")
                .addStatement("int gfBase = gX != null ? xBase : 0")
                .addStatement("int rBase = gGradOut != null ? outBase : 0")
                .addCode(clearChannels("gf", "gfBase", dim, t))
                .addCode(clearChannels("r", "rBase", resultDim, t));
        for (int c = 0; c < doubleBackwardChunks.size(); c++) {
            code.addStatement("$L(x, xBase, gg, ggBase, weights, ggW, element, from, to, gradOut, outBase, gf,"
                    + " gfBase, gW, r, rBase)", chunkName("doubleBackward", c, t));
        }
        return code.endControlFlow().build();
    }

    /**
     * The head of a generated method over channels {@code from} to {@code to} (exclusive) of every node, the same in
     * both layouts: {@code (from, to, nodes, x, elements, arrays...)}, the arrays in precision {@code t}.
     */
    private static MethodSpec.Builder channelsMethod(String name, String javadoc, NumberType t, String... arrays) {
        MethodSpec.Builder method = MethodSpec.methodBuilder(name + t.fieldSuffix())
                .addJavadoc(javadoc)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(int.class, "from")
                .addParameter(int.class, "to")
                .addParameter(int.class, "nodes")
                .addParameter(t.arrayType(), "x")
                .addParameter(int[].class, "elements");
        for (String array : arrays) {
            method.addParameter(t.arrayType(), array);
        }
        return method;
    }

    /** Node {@code n}'s element and where its input and output rows start. */
    private CodeBlock nodeBases() {
        return CodeBlock.builder()
                .addStatement("int element = elements[n]")
                .addStatement("int xBase = n * $L", model.irrepsIn().dim())
                .addStatement("int outBase = n * $L", model.irrepsOut().dim())
                .build();
    }

    /** Zeroes channels {@code from} to {@code to} of each of the {@code components} rows of a channel-last node row. */
    private CodeBlock clearChannels(String row, String base, int components, NumberType t) {
        int channels = model.channels();
        return CodeBlock.builder()
                .beginControlFlow("for (int i = 0; i < $L; i++)", components)
                .addStatement("$T.fill($L, $L + i * $L + from, $L + i * $L + to, $L)", Arrays.class, row, base,
                        channels, base, channels, t.zero())
                .endControlFlow()
                .build();
    }

    /** Every node's element checked before any block runs, so that a bad one throws in the caller's thread. */
    private static CodeBlock elementChecks(String method) {
        return CodeBlock.builder()
                .beginControlFlow("for (int n = 0; n < nodes; n++)")
                .addStatement("requireElement($S, elements, n)", method)
                .endControlFlow()
                .build();
    }

    private MethodSpec backward(NumberType t) {
        String method = "backward";
        TypeName array = t.arrayType();
        return MethodSpec.methodBuilder(method)
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
                .addCode(elementChecks(method))
                .addComment("Without gradWeights the weight gradients go to scratch: the chunks stay branch-free.")
                .addStatement("$T[] gradW = gradWeights != null ? gradWeights : new $T[$L]", t.type(), t.type(),
                        model.weightNumel())
                .addStatement("$T.fill(gradW, $L)", Arrays.class, t == NumberType.DOUBLE ? "0.0" : "0.0f")
                .addStatement("$T.run($L, CHANNEL_BLOCK, (block, from, to) -> backwardChannels$L(from, to, nodes, x,"
                        + " elements, weights, gradOut, gradX, gradW))", BatchBlocks.class, model.channels(),
                        t.fieldSuffix())
                .build();
    }

    private MethodSpec backwardChannels(NumberType t) {
        MethodSpec.Builder code = channelsMethod("backwardChannels", BACKWARD_CHANNELS_DOC, t,
                "weights", "gradOut", "gradX", "gradW")
                .addStatement("$T[] features = new $T[$L]", t.type(), t.type(), dim)
                .addStatement("$T[] gradFeatures = new $T[$L]", t.type(), t.type(), dim)
                .addStatement("$T[] gradResult = new $T[$L]", t.type(), t.type(), resultDim)
                .beginControlFlow("for (int n = 0; n < nodes; n++)")
                .addCode(nodeBases())
                .beginControlFlow("for (int channel = from; channel < to; channel++)")
                .addCode(gather("x", "xBase", "features", model.irrepsIn(), false))
                .addCode(gather("gradOut", "outBase", "gradResult", model.irrepsOut(), false))
                .addStatement("$T.fill(gradFeatures, $L)", Arrays.class, t == NumberType.DOUBLE ? "0.0" : "0.0f");
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

    private static String chunkName(String pass, int chunk, NumberType t) {
        return pass + "Chunk" + chunk + t.fieldSuffix();
    }

    /** {@code int b<i> = offset + element * (K C) + channel} for each basis the chunk reads. */
    private CodeBlock basisVariables(List<Piece> chunk) {
        CodeBlock.Builder code = CodeBlock.builder();
        chunk.stream().mapToInt(piece -> groups.get(piece.group()).basis()).distinct().forEach(b -> {
            Basis basis = bases.get(b);
            code.addStatement("int b$L = $Lelement * $L + channel", b,
                    basis.weightOffset() == 0 ? "" : basis.weightOffset() + " + ", basis.columns() * model.channels());
        });
        return code.build();
    }

    /** {@code T x<i> = f[i]} for each feature the chunk reads. */
    private CodeBlock featureVariables(List<Piece> chunk, NumberType t) {
        TreeSet<Integer> used = new TreeSet<>();
        for (Piece piece : chunk) {
            piece.terms().forEach(term -> used.addAll(term.factors()));
        }
        CodeBlock.Builder code = CodeBlock.builder();
        for (int i : used) {
            code.addStatement("$T x$L = $L", t.type(), i, at("f", i));
        }
        return code.build();
    }

    /** The groups the chunk reads, in order. */
    private static List<Integer> chunkGroups(List<Piece> chunk) {
        return chunk.stream().map(Piece::group).distinct().toList();
    }

    /** {@code T v<g> = w[b + k C] + ρ w[b + k' C] ...}: each group's combined weight. */
    private CodeBlock groupWeights(List<Integer> chunkGroups, NumberType t) {
        CodeBlock.Builder code = CodeBlock.builder();
        for (int g : chunkGroups) {
            Group group = groups.get(g);
            StringBuilder sum = new StringBuilder();
            for (Member member : group.members()) {
                String weight = weight(group.basis(), member.weight());
                sum.append(sum.length() == 0 ? (member.ratio().negative() ? "-" : "")
                        : member.ratio().negative() ? " - " : " + ");
                sum.append(member.ratio().constant() == null ? weight
                        : member.ratio().constant() + t.fieldSuffix() + " * " + weight);
            }
            code.addStatement("$T v$L = $L", t.type(), g, sum);
        }
        return code.build();
    }

    private MethodSpec forwardChunk(int index, NumberType t) {
        List<Piece> chunk = forwardChunks.get(index);
        MethodSpec.Builder method = MethodSpec.methodBuilder(chunkName("forward", index, t))
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC);
        rowParameter(method, t, "f");
        method.addParameter(t.arrayType(), "w").addParameter(int.class, "element");
        channelParameters(method);
        rowParameter(method, t, "r");
        openChannelLoop(method, List.of("f", "r"));
        method.addCode(featureVariables(chunk, t))
                .addCode(basisVariables(chunk))
                .addCode(groupWeights(chunkGroups(chunk), t));
        for (Piece piece : chunk) {
            method.addStatement("$L += $L", at("r", piece.result()), product("v" + piece.group(), piece.terms(), t));
        }
        closeChannelLoop(method);
        return method.build();
    }

    private MethodSpec backwardChunk(int index, NumberType t) {
        List<Piece> chunk = backwardChunks.get(index);
        TreeSet<Integer> gradients = new TreeSet<>();
        chunk.forEach(piece -> gradients.addAll(piece.derivatives().keySet()));
        MethodSpec.Builder method = MethodSpec.methodBuilder(chunkName("backward", index, t))
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC);
        rowParameter(method, t, "f");
        method.addParameter(t.arrayType(), "w").addParameter(int.class, "element");
        channelParameters(method);
        rowParameter(method, t, "g");
        rowParameter(method, t, "gf");
        method.addParameter(t.arrayType(), "gw");
        openChannelLoop(method, List.of("f", "g", "gf"));
        method.addCode(featureVariables(chunk, t))
                .addCode(basisVariables(chunk));
        List<Integer> chunkGroups = chunkGroups(chunk);
        method.addCode(groupWeights(chunkGroups, t));
        String zero = t == NumberType.DOUBLE ? "0.0" : "0.0f";
        for (int g : chunkGroups) {
            method.addStatement("$T s$L = $L", t.type(), g, zero);
        }
        for (int a : gradients) {
            method.addStatement("$T d$L = $L", t.type(), a, zero);
        }
        method.addStatement("$T q", t.type());
        for (Piece piece : chunk) {
            method.addStatement("s$L += $L", piece.group(), product(at("g", piece.result()), piece.terms(), t))
                    .addStatement("q = v$L * $L", piece.group(), at("g", piece.result()));
            for (Map.Entry<Integer, List<Term>> derivative : piece.derivatives().entrySet()) {
                method.addStatement("d$L += $L", derivative.getKey(), product("q", derivative.getValue(), t));
            }
        }
        for (int g : chunkGroups) {
            Group group = groups.get(g);
            for (Member member : group.members()) {
                Term ratio = member.ratio();
                method.addStatement("g$L $L= s$L$L", weight(group.basis(), member.weight()),
                        ratio.negative() ? "-" : "+", g, ratio.constant() == null ? "" : " * " + ratio.constant()
                                + t.fieldSuffix());
            }
        }
        for (int a : gradients) {
            method.addStatement("$L += d$L", at("gf", a), a);
        }
        closeChannelLoop(method);
        return method.build();
    }

    /**
     * One channel's entry {@code index} of a row: {@code row[index]} of the channel's gathered copy in
     * {@link Layout#MUL_IR}, {@code row[rowc + index C]} of the node's row in place in {@link Layout#IR_MUL}.
     */
    private String at(String row, int index) {
        if (!channelLast) {
            return row + "[" + index + "]";
        }
        int offset = index * model.channels();
        return row + "[" + row + "c" + (offset == 0 ? "" : " + " + offset) + "]";
    }

    /** A chunk's row parameter: the array, and in {@link Layout#IR_MUL} where the node's row starts in it. */
    private void rowParameter(MethodSpec.Builder method, NumberType t, String row) {
        method.addParameter(t.arrayType(), row);
        if (channelLast) {
            method.addParameter(int.class, row + "Base");
        }
    }

    /** A chunk's channel: one, or in {@link Layout#IR_MUL} the block {@code from} to {@code to} it loops over. */
    private void channelParameters(MethodSpec.Builder method) {
        if (channelLast) {
            method.addParameter(int.class, "from").addParameter(int.class, "to");
        } else {
            method.addParameter(int.class, "channel");
        }
    }

    /** In {@link Layout#IR_MUL}, opens the chunk's loop over its channels, each row's index {@code <row>c} in it. */
    private void openChannelLoop(MethodSpec.Builder method, List<String> rows) {
        if (channelLast) {
            method.beginControlFlow("for (int channel = from; channel < to; channel++)");
            for (String row : rows) {
                method.addStatement("int $Lc = $LBase + channel", row, row);
            }
        }
    }

    private void closeChannelLoop(MethodSpec.Builder method) {
        if (channelLast) {
            method.endControlFlow();
        }
    }

    /** {@code w[b<basis> + k C]}: the weight of the column {@code k C = weight} of the basis. */
    private static String weight(int basis, int weight) {
        return "w[b" + basis + (weight == 0 ? "" : " + " + weight) + "]";
    }

    /** {@code factor * (sum)}, or {@code factor * term} for one positive term, or {@code factor} for the term 1. */
    private static String product(String factor, List<Term> terms, NumberType t) {
        if (terms.size() == 1 && !terms.get(0).negative()) {
            Term term = terms.get(0);
            return term.constant() == null && term.factors().isEmpty() ? factor : factor + " * " + sum(terms, t);
        }
        return factor + " * (" + sum(terms, t) + ")";
    }

    /**
     * {@code ±U3 * x0 * x5 ± ...}: each term its constant (left out when 1) and its factors; neighbouring terms with the
     * same first factor share it, {@code x0 * (U3 * x5 - x6)}, recursively, which saves javac and the CPU about a
     * third of the products.
     */
    private static String sum(List<Term> terms, NumberType t) {
        StringBuilder text = new StringBuilder();
        int start = 0;
        while (start < terms.size()) {
            Term term = terms.get(start);
            int end = start + 1;
            while (!term.factors().isEmpty() && end < terms.size() && !terms.get(end).factors().isEmpty()
                    && terms.get(end).factors().get(0).equals(term.factors().get(0))) {
                end++;
            }
            if (end - start > 1) {
                List<Term> rest = terms.subList(start, end).stream()
                        .map(shared -> new Term(shared.negative(), shared.constant(),
                                shared.factors().subList(1, shared.factors().size())))
                        .toList();
                text.append(text.length() == 0 ? "" : " + ").append("x").append(term.factors().get(0))
                        .append(" * (").append(sum(rest, t)).append(")");
            } else {
                text.append(text.length() == 0 ? (term.negative() ? "-" : "") : term.negative() ? " - " : " + ");
                List<String> factors = new ArrayList<>();
                if (term.constant() != null) {
                    factors.add(term.constant() + t.fieldSuffix());
                }
                term.factors().forEach(i -> factors.add("x" + i));
                text.append(factors.isEmpty() ? (t == NumberType.DOUBLE ? "1.0" : "1.0f")
                        : String.join(" * ", factors));
            }
            start = end;
        }
        return text.toString();
    }

    /**
     * {@code ∂²/∂f[a]∂f[b]} of each term, by {@code a} then {@code b}: the coefficient times the exponent of {@code a}
     * times that of {@code b} once {@code a} is taken, two factors less.
     */
    private TreeMap<Integer, TreeMap<Integer, List<Term>>> secondDerivatives(List<Monomial> terms) {
        TreeMap<Integer, TreeMap<Integer, List<Term>>> derivatives = new TreeMap<>();
        for (Monomial term : terms) {
            for (int a : new TreeSet<>(term.indices())) {
                List<Integer> once = new ArrayList<>(term.indices());
                long exponentA = once.stream().filter(i -> i == a).count();
                once.remove(Integer.valueOf(a));
                for (int b : new TreeSet<>(once)) {
                    long exponentB = once.stream().filter(i -> i == b).count();
                    List<Integer> twice = new ArrayList<>(once);
                    twice.remove(Integer.valueOf(b));
                    derivatives.computeIfAbsent(a, i -> new TreeMap<>()).computeIfAbsent(b, i -> new ArrayList<>())
                            .add(term(term.coefficient().multiply(BigFraction.of(exponentA * exponentB)), twice));
                }
            }
        }
        return derivatives;
    }

    /**
     * Estimated bytecode of one piece's second-order statements: its polynomial, its derivatives (each kept in a local
     * for the directional derivative and the input gradient) and its second derivatives.
     */
    private int doubleBackwardPieceBytes(int index) {
        Piece piece = pieces.get(index);
        int bytes = 48 + termBytes(piece.terms());
        for (List<Term> derivative : piece.derivatives().values()) {
            bytes += 24 + termBytes(derivative);
        }
        for (TreeMap<Integer, List<Term>> row : secondDerivatives.get(index).values()) {
            for (List<Term> second : row.values()) {
                bytes += 8 + termBytes(second);
            }
        }
        return bytes;
    }

    /** The pieces' indices cut into double-backward methods, as {@link #chunks} cuts them for the other passes. */
    private List<List<Integer>> doubleBackwardChunks() {
        int overhead = 12 * bases.size() + (28 + (dim > 60 ? 8 : 0)) * dim;
        MethodPacker packer = MethodPacker.ofSize(Math.max(1, BYTES_PER_METHOD - overhead));
        return packer.pack(IntStream.range(0, pieces.size()).boxed().toList(), (previous, index) -> {
            int group = pieces.get(index).group();
            boolean newGroup = previous == null || pieces.get(previous).group() != group;
            return doubleBackwardPieceBytes(index)
                    + (newGroup ? groupBytes(group, true) + 12 * groups.get(group).members().size() : 0);
        });
    }

    /**
     * Second derivatives. The output {@code r = Σ v P(f)} is a polynomial in the features and linear in the combined
     * weights {@code v}; with the cotangents {@code gg} of the features and {@code u} of the weights (combined like
     * {@code v} from {@code ggWeights}): {@code gGradOut = Σ v ∇P·gg + u P}, {@code gX[a] = Σ_m g[m] (v Σ_b ∂²P/∂a∂b
     * gg[b] + u ∂P/∂a)}, {@code gWeights_k = ρ_k Σ_m g[m] ∇P·gg}, per node and channel.
     */
    private MethodSpec doubleBackward(NumberType t) {
        String method = "doubleBackward";
        TypeName array = t.arrayType();
        MethodSpec.Builder code = MethodSpec.methodBuilder(method)
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addParameter(int.class, "nodes")
                .addParameter(array, "x")
                .addParameter(int[].class, "elements");
        for (String name : List.of("weights", "gradOut", "ggX", "ggWeights", "gX", "gWeights", "gGradOut")) {
            code.addParameter(array, name);
        }
        code.addCode(checks.nonNegativeCount(method))
                .addCode(checks.perSample(method, "x", model.irrepsIn().dim()))
                .addCode(checks.perSample(method, "elements", 1))
                .addCode(checks.shared(method, "weights", model.weightNumel()))
                .addCode(checks.perSample(method, "gradOut", model.irrepsOut().dim()));
        List<List<String>> optional = List.of(List.of("ggX", "in"), List.of("ggWeights", ""), List.of("gX", "in"),
                List.of("gWeights", ""), List.of("gGradOut", "out"));
        for (List<String> argument : optional) {
            String name = argument.get(0);
            code.beginControlFlow("if ($L != null)", name)
                    .addCode(argument.get(1).isEmpty() ? checks.shared(method, name, model.weightNumel())
                            : checks.perSample(method, name, (argument.get(1).equals("in") ? model.irrepsIn()
                            : model.irrepsOut()).dim()))
                    .endControlFlow();
        }
        return code.addCode(checks.distinct(method, List.of("gX", "gWeights", "gGradOut"),
                        List.of("x", "weights", "gradOut", "ggX", "ggWeights")))
                .addCode(elementChecks(method))
                .addStatement("$T[] ggW = ggWeights != null ? ggWeights : new $T[$L]", t.type(), t.type(),
                        model.weightNumel())
                .addComment("Without gWeights the weight gradients go to scratch: the chunks stay branch-free.")
                .addStatement("$T[] gW = gWeights != null ? gWeights : new $T[$L]", t.type(), t.type(),
                        model.weightNumel())
                .addStatement("$T.fill(gW, $L)", Arrays.class, t.zero())
                .addStatement("$T.run($L, CHANNEL_BLOCK, (block, from, to) -> doubleBackwardChannels$L(from, to,"
                        + " nodes, x, elements, weights, gradOut, ggX, ggW, gX, gW, gGradOut))", BatchBlocks.class,
                        model.channels(), t.fieldSuffix())
                .build();
    }

    private MethodSpec doubleBackwardChannels(NumberType t) {
        MethodSpec.Builder code = channelsMethod("doubleBackwardChannels", DOUBLE_BACKWARD_CHANNELS_DOC, t,
                "weights", "gradOut", "ggX", "ggW", "gX", "gW", "gGradOut");
        code.addStatement("$T[] features = new $T[$L]", t.type(), t.type(), dim)
                .addStatement("$T[] ggFeatures = new $T[$L]", t.type(), t.type(), dim)
                .addStatement("$T[] gradFeatures = new $T[$L]", t.type(), t.type(), dim)
                .addStatement("$T[] gradResult = new $T[$L]", t.type(), t.type(), resultDim)
                .addStatement("$T[] tangent = new $T[$L]", t.type(), t.type(), resultDim)
                .beginControlFlow("for (int n = 0; n < nodes; n++)")
                .addCode(nodeBases())
                .beginControlFlow("for (int channel = from; channel < to; channel++)")
                .addCode(gather("x", "xBase", "features", model.irrepsIn(), false))
                .beginControlFlow("if (ggX != null)")
                .addCode(gather("ggX", "xBase", "ggFeatures", model.irrepsIn(), false))
                .endControlFlow()
                .addCode(gather("gradOut", "outBase", "gradResult", model.irrepsOut(), false))
                .addStatement("$T.fill(gradFeatures, $L)", Arrays.class, t.zero())
                .addStatement("$T.fill(tangent, $L)", Arrays.class, t.zero());
        for (int c = 0; c < doubleBackwardChunks.size(); c++) {
            code.addStatement("$L(features, ggFeatures, weights, ggW, element, channel, gradResult, gradFeatures, gW,"
                    + " tangent)", chunkName("doubleBackward", c, t));
        }
        return code.beginControlFlow("if (gX != null)")
                .addCode(gather("gX", "xBase", "gradFeatures", model.irrepsIn(), true))
                .endControlFlow()
                .beginControlFlow("if (gGradOut != null)")
                .addCode(gather("gGradOut", "outBase", "tangent", model.irrepsOut(), true))
                .endControlFlow()
                .endControlFlow()
                .endControlFlow()
                .build();
    }

    /** {@code T <prefix><g> = a[b + k C] + ρ a[b + k' C] ...}: each group's weight combined from {@code array}. */
    private CodeBlock combinedWeights(List<Integer> chunkGroups, String array, String prefix, NumberType t) {
        CodeBlock.Builder code = CodeBlock.builder();
        for (int g : chunkGroups) {
            Group group = groups.get(g);
            StringBuilder sum = new StringBuilder();
            for (Member member : group.members()) {
                String weight = array + weight(group.basis(), member.weight()).substring(1);
                sum.append(sum.length() == 0 ? (member.ratio().negative() ? "-" : "")
                        : member.ratio().negative() ? " - " : " + ");
                sum.append(member.ratio().constant() == null ? weight
                        : member.ratio().constant() + t.fieldSuffix() + " * " + weight);
            }
            code.addStatement("$T $L$L = $L", t.type(), prefix, g, sum);
        }
        return code.build();
    }

    private MethodSpec doubleBackwardChunk(int index, NumberType t) {
        List<Integer> chunk = doubleBackwardChunks.get(index);
        List<Piece> chunkPieces = chunk.stream().map(pieces::get).toList();
        TreeSet<Integer> gradients = new TreeSet<>();
        chunkPieces.forEach(piece -> gradients.addAll(piece.derivatives().keySet()));
        MethodSpec.Builder method = MethodSpec.methodBuilder(chunkName("doubleBackward", index, t))
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC);
        rowParameter(method, t, "f");
        rowParameter(method, t, "gg");
        method.addParameter(t.arrayType(), "w").addParameter(t.arrayType(), "ww").addParameter(int.class, "element");
        channelParameters(method);
        rowParameter(method, t, "g");
        rowParameter(method, t, "gf");
        method.addParameter(t.arrayType(), "gw");
        rowParameter(method, t, "r");
        openChannelLoop(method, List.of("f", "gg", "g", "gf", "r"));
        method.addCode(featureVariables(chunkPieces, t));
        for (int a : gradients) {
            method.addStatement("$T y$L = $L", t.type(), a, at("gg", a));
        }
        List<Integer> chunkGroups = chunkGroups(chunkPieces);
        method.addCode(basisVariables(chunkPieces))
                .addCode(combinedWeights(chunkGroups, "w", "v", t))
                .addCode(combinedWeights(chunkGroups, "ww", "u", t));
        for (int g : chunkGroups) {
            method.addStatement("$T s$L = $L", t.type(), g, t.zero());
        }
        for (int a : gradients) {
            method.addStatement("$T d$L = $L", t.type(), a, t.zero());
        }
        method.addStatement("$T e", t.type()).addStatement("$T q", t.type()).addStatement("$T qq", t.type());
        for (int a : gradients) {
            method.addStatement("$T t$L", t.type(), a);
        }
        for (int i : chunk) {
            Piece piece = pieces.get(i);
            int g = piece.group();
            // t_a = ∂P/∂f[a], once for the directional derivative e and the input gradient
            List<String> directional = new ArrayList<>();
            piece.derivatives().forEach((a, derivative) -> {
                method.addStatement("t$L = $L", a, sum(derivative, t));
                directional.add("y" + a + " * t" + a);
            });
            String gradient = at("g", piece.result());
            method.addStatement("e = $L", String.join(" + ", directional))
                    .addStatement("$L += v$L * e + $L", at("r", piece.result()), g, product("u" + g, piece.terms(), t))
                    .addStatement("s$L += $L * e", g, gradient)
                    .addStatement("q = v$L * $L", g, gradient)
                    .addStatement("qq = u$L * $L", g, gradient);
            TreeMap<Integer, TreeMap<Integer, List<Term>>> second = secondDerivatives.get(i);
            for (Map.Entry<Integer, List<Term>> derivative : piece.derivatives().entrySet()) {
                int a = derivative.getKey();
                StringBuilder update = new StringBuilder("qq * t" + a);
                if (second.containsKey(a)) {
                    List<String> hessian = new ArrayList<>();
                    second.get(a).forEach((b, terms) -> hessian.add(product("y" + b, terms, t)));
                    update.append(" + q * (").append(String.join(" + ", hessian)).append(')');
                }
                method.addStatement("d$L += $L", a, update);
            }
        }
        for (int g : chunkGroups) {
            Group group = groups.get(g);
            for (Member member : group.members()) {
                Term ratio = member.ratio();
                method.addStatement("g$L $L= s$L$L", weight(group.basis(), member.weight()),
                        ratio.negative() ? "-" : "+", g, ratio.constant() == null ? "" : " * " + ratio.constant()
                                + t.fieldSuffix());
            }
        }
        for (int a : gradients) {
            method.addStatement("$L += d$L", at("gf", a), a);
        }
        closeChannelLoop(method);
        return method.build();
    }
}
