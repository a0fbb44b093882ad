package dev.e3j.processor.writer;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.e3j.processor.math.SqrtRational;
import dev.e3j.processor.model.CgTerm;
import dev.e3j.processor.model.ConnectionMode;
import dev.e3j.processor.model.PathModel;
import dev.e3j.processor.plan.PathLayout;
import dev.e3j.processor.plan.PathPlan;
import dev.e3j.processor.plan.TensorProductPlan;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;
import javax.lang.model.element.Modifier;
import org.apache.commons.numbers.fraction.BigFraction;

/**
 * Writes the methods of one path. The multiplicity loops stay loops; inside, the sparse Clebsch–Gordan pattern is
 * unrolled once per {@code (u, v)} pair and only then combined with the weights:
 * {@code t_k = sum_ij C_ijk x1[u]_i x2[v]_j}, {@code out[w]_k += W[uv w] t_k}. Backward contracts the weights with
 * {@code gradOut} first, {@code g_k = sum_w W[uv w] gradOut[w]_k}, then {@code gradX1[u]_i += sum_jk C_ijk x2[v]_j g_k};
 * when every gradient is wanted one fused method computes all three from the same loads and contractions, and the
 * double backward likewise computes its four results in one pass per pair ({@link #doubleBackwardBody}). When many
 * channels meet one x2 channel, {@code M_ik = sum_j C_ijk x2_j} is formed once per sample (see
 * {@link PathPlan#sharesX2()}); such a {@code uvu} path also has channel-last methods
 * ({@link PathPlan#channelLast()}): one loop over the channels per output component, on {@code ir_mul} scratch
 * copies, which HotSpot's superword vectorizes; a {@code mul_ir} kernel with a path of few channels keeps the plain
 * forward ({@link TensorProductPlan#forwardChannelLast()}; the plan decides these strategies). A {@code uvw} path
 * with one x2 channel may instead contract the weights with x1 first, into register sums ({@link #weightsFirstBlock}).
 * Sums of products within a statement are {@code Math.fma} chains ({@link #fmaSum}): one instruction and one rounding
 * per product. A sum carried from one iteration to the next of a loop that superword vectorizes (arrays indexed by a
 * constant plus the loop variable: the channel-last loops) is a plain addition instead, {@code s += a * g}
 * ({@link #channelLastBackwardBody}, {@link #channelLastDoubleBackwardBody}): JDK 17's C2 vectorizes an addition
 * reduction, not a {@code Math.fma} chain, which kept the whole loop scalar. The channel loops on the {@code mul_ir}
 * arrays keep their {@code Math.fma} running sums ({@link #fusedBackwardBody}, {@link #doubleBackwardOutputs}): their
 * arrays sit at different per-sample offsets, so C2 vectorizes them in neither form, and plain additions there
 * measured no faster.
 * A pattern whose unrolled uses of CG terms exceed {@link #MAX_TERM_USES_PER_METHOD} is split over several methods,
 * each owning a range of output components, so that every method stays far below HotSpot's 8000-byte JIT limit.
 */
final class PathWriter {

    /** {@link PathPlan#MAX_TERM_USES_PER_METHOD}: a pattern above it is split over several methods. */
    static final int MAX_TERM_USES_PER_METHOD = PathPlan.MAX_TERM_USES_PER_METHOD;

    /** Uses of a CG term in the fused backward ({@link #usesPerTerm}): the forward value, x1's and x2's gradients. */
    static final int FUSED_BACKWARD_USES_PER_TERM = 3;

    /** Sums a register-blocked loop keeps in local variables: x86-64 has 16 (32 with AVX-512) FP registers. */
    static final int MAX_ACCUMULATORS = 12;

    /**
     * Weights of the largest path whose register-blocked forward takes several passes, each reading every weight
     * row strided: cheap while they span a few kB; from memory, such passes over {@code 48 x 48} weights were twice
     * as slow as one sequential pass (diffdock).
     */
    static final int MAX_BLOCKED_WEIGHTS = 512;

    /**
     * Components meeting in one loop of the channel-last double backward from which that loop is split into loops of
     * one sum each ({@link #channelLastDoubleBackwardBody}): with two, JDK 17's superword vectorizes the fused loop;
     * with three, it vectorized nothing of it.
     */
    static final int MIN_PRODUCTS_TO_SPLIT = 3;

    /** The deepest nesting of {@code Math.fma} calls in one generated expression ({@link #fmaSum}). */
    static final int MAX_FMA_DEPTH = 32;

    private final PathPlan plan;
    private final PathModel path;
    private final ConstantPool constants;
    private final PathLayout layout;
    private final ConnectionMode mode;
    private final DoubleBackwardScratch scratch;
    /**
     * Whether the operands {@code x1}, {@code x2}, {@code out} and their gradients are indexed channel-last
     * ({@code ir_mul}, {@link TensorProductPlan#irMulInPlace()}): component {@code c} of channel {@code u} at
     * {@code offset + c * mul + u} rather than {@code offset + u * dim + c}. The methods of the {@code mul_ir}
     * operations then read and write an {@code ir_mul} kernel's arrays in place.
     */
    private final boolean channelLastOperands;
    private final Map<List<Object>, List<MethodSpec>> written = new HashMap<>();
    /**
     * The loops {@link #openLoop} opened in the method being written, innermost first: {@code ""} for a written loop,
     * else the variable of a left-out one, which reads as 0 ({@link #at}).
     */
    private final Deque<String> loops = new ArrayDeque<>();
    /**
     * The channel {@code u} that the code being written stands at where its loop over the channels is unrolled
     * ({@link #sharedX2ForwardBody}, {@link #sharedWeightedBackwardBody}), read by {@link #at}; {@code -1} inside a
     * loop or outside any.
     */
    private int unrolledChannel = -1;
    /** What this path's methods over the samples assign rather than add to. */
    private final TensorProductPlan.Assignments assignments;
    /**
     * Whether the code being written is a method over the samples ({@link Operation#overSamples()}) or a per-sample
     * fused backward ({@link Operation#BACKWARD}), which assign the arrays of {@link #assignments} where they write
     * them first.
     */
    private boolean assigns;

    /**
     * @param scratch             where the kernel's channel-last double backward keeps a sample
     *                            ({@link #channelLastDoubleBackwardBody})
     * @param channelLastOperands whether the operands are indexed {@code ir_mul} in place ({@link #channelLastOperands})
     * @param assignments         what this path's methods over the samples assign rather than add to
     */
    PathWriter(PathPlan plan, ConstantPool constants, DoubleBackwardScratch scratch, boolean channelLastOperands,
               TensorProductPlan.Assignments assignments) {
        this.plan = plan;
        this.assignments = assignments;
        this.scratch = scratch;
        this.channelLastOperands = channelLastOperands;
        this.path = plan.path();
        this.constants = constants;
        this.layout = plan.layout();
        this.mode = path.mode();
    }

    /** One product {@code left * right} with an exact factor; {@code right == null} for {@code left} alone. */
    private record Product(SqrtRational constant, String left, String right) {
    }

    /** A contiguous range of output components (k, i or j) whose sums one method computes. */
    private record Chunk(List<Integer> outputs) {
    }

    /** The plan this path is written from. */
    PathPlan plan() {
        return plan;
    }

    boolean weighted() {
        return path.weighted();
    }

    /**
     * The parameters of this path's methods for {@code operation}: without the weights where the path has none, or
     * where the channel-last double backward finds them in its scratch.
     */
    List<String> parameters(Operation operation) {
        return operation.parameters(path.weighted()
                && !(operation == Operation.DOUBLE_BACKWARD_CHANNEL_LAST && scratch.holdsWeights()));
    }

    /** The methods for {@code operation}, in call order; written once, as the callers and the class both ask. */
    List<MethodSpec> methods(Operation operation, NumberType type) {
        return written.computeIfAbsent(List.of(operation, type), key -> write(operation, type));
    }

    private List<MethodSpec> write(Operation operation, NumberType type) {
        ToIntFunction<CgTerm> output = switch (operation) {
            case FORWARD, FORWARD_SAMPLES, GRAD_WEIGHTS, BACKWARD, BACKWARD_SAMPLES, BACKWARD_INPUTS,
                    FORWARD_CHANNEL_LAST, BACKWARD_CHANNEL_LAST, FORWARD_WEIGHT_ROWS, BACKWARD_WEIGHT_ROWS,
                    BACKWARD_BY_PAIRS, DOUBLE_BACKWARD, DOUBLE_BACKWARD_WEIGHT_ROWS, DOUBLE_BACKWARD_CHANNEL_LAST ->
                    CgTerm::k;
            case GRAD_X1 -> CgTerm::i;
            case GRAD_X2 -> CgTerm::j;
        };
        List<Chunk> chunks = chunks(output, usesPerTerm(operation), usesPerOutput(operation));
        List<MethodSpec> methods = new ArrayList<>();
        for (int c = 0; c < chunks.size(); c++) {
            String name = path.name() + operation.suffix() + (chunks.size() == 1 ? "" : "_part" + c);
            MethodSpec.Builder method = MethodSpec.methodBuilder(name)
                    .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                    .addJavadoc("{@code $L}: $L$L.\n", path.describe(), describe(operation),
                            chunks.size() == 1 ? "" : ", components " + chunks.get(c).outputs());
            for (String parameter : parameters(operation)) {
                method.addParameter(Operation.parameterType(parameter, type), parameter);
            }
            loops.clear();
            method.addCode(body(operation, type, chunks.get(c)));
            methods.add(method.build());
        }
        return List.copyOf(methods);
    }

    /**
     * Uses of each CG term in the unrolled code of {@code operation}, in units of a plain use: the fused backward uses
     * a term up to three times; the channel-last forward addresses its operands as array elements (about twice the
     * bytecode of a local).
     */
    private int usesPerTerm(Operation operation) {
        return switch (operation) {
            case FORWARD -> plan.pairsChannels() ? 2 : 1;
            case FORWARD_SAMPLES -> usesPerTerm(Operation.FORWARD);
            case GRAD_X1, GRAD_X2, GRAD_WEIGHTS -> 1;
            case FORWARD_CHANNEL_LAST, FORWARD_WEIGHT_ROWS -> 2;
            case BACKWARD, BACKWARD_SAMPLES, BACKWARD_INPUTS, BACKWARD_WEIGHT_ROWS -> FUSED_BACKWARD_USES_PER_TERM;
            case BACKWARD_BY_PAIRS -> 3 * plan.weightRowCount();
            case BACKWARD_CHANNEL_LAST -> 8;
            case DOUBLE_BACKWARD, DOUBLE_BACKWARD_WEIGHT_ROWS -> 7;
            case DOUBLE_BACKWARD_CHANNEL_LAST -> 12;
        };
    }

    /**
     * Whether the methods looping over the samples ({@link Operation#overSamples()}) write this path's channels one
     * after the other rather than in a loop, for the per-sample operation {@code perSample}: where the path shares
     * {@code M} over them ({@link PathPlan#sharesX2()}; weighted, for the backward) and its unrolled pattern still
     * fits one method. Those methods are split like the per-sample ones (the same uses per term), so that both
     * compute the same sums.
     */
    private boolean unrollsChannels(Operation perSample) {
        return plan.sharesX2() && (perSample == Operation.FORWARD || path.weighted())
                && (long) layout.mul1() * usesPerTerm(perSample) * path.terms().size() <= MAX_TERM_USES_PER_METHOD;
    }

    /**
     * Uses per output component beyond its terms' (weight-row operations write loop statements per component: the
     * backward about 60 bytes of bytecode, so that paths with many components and few terms per component, such as
     * {@code l x 0 -> l}, still split below the limit).
     */
    private int usesPerOutput(Operation operation) {
        return switch (operation) {
            case BACKWARD_BY_PAIRS -> 8 * plan.weightRowCount();
            case FORWARD_WEIGHT_ROWS -> 4;
            case BACKWARD_WEIGHT_ROWS, BACKWARD_CHANNEL_LAST, DOUBLE_BACKWARD, DOUBLE_BACKWARD_CHANNEL_LAST -> 8;
            case DOUBLE_BACKWARD_WEIGHT_ROWS -> 16;
            default -> 0;
        };
    }

    private static String describe(Operation operation) {
        return switch (operation) {
            case FORWARD -> "out += W x1 (x) x2";
            case FORWARD_SAMPLES -> "out += W x1 (x) x2, over the samples {@code from} to {@code to - 1}";
            case GRAD_X1 -> "gradient with respect to x1";
            case GRAD_X2 -> "gradient with respect to x2";
            case GRAD_WEIGHTS -> "gradient with respect to the weights";
            case BACKWARD -> "gradients with respect to x1, x2 and the weights, in one pass";
            case BACKWARD_SAMPLES -> "gradients with respect to x1, x2 and the weights, in one pass, over the samples"
                    + " {@code from} to {@code to - 1}";
            case BACKWARD_INPUTS -> "gradients with respect to x1 and x2 (not the weights), in one pass";
            case FORWARD_CHANNEL_LAST -> "outT += W x1T (x) x2, channel-last";
            case BACKWARD_CHANNEL_LAST -> "gradients with respect to x1, x2 and the weights, in one pass, channel-last";
            case FORWARD_WEIGHT_ROWS -> "outT += W x1 (x) x2, by weight rows into channel-last outT";
            case BACKWARD_BY_PAIRS -> "gradients with respect to x1, x2 and the weights, in one pass, the channel"
                    + " pairs unrolled on channel-last gradOutT";
            case BACKWARD_WEIGHT_ROWS -> "gradients with respect to x1, x2 and the weights, in one pass, by weight"
                    + " columns and gradient rows";
            case DOUBLE_BACKWARD -> "second derivatives: the gradients of the backward's outputs contracted with"
                    + " ggX1, ggX2 and ggWeights, with respect to x1, x2, the weights and gradOut, in one pass";
            case DOUBLE_BACKWARD_WEIGHT_ROWS -> "second derivatives, in one pass, by the weight columns and rows of"
                    + " the weights and ggWeights and gradient rows";
            case DOUBLE_BACKWARD_CHANNEL_LAST -> "second derivatives with respect to x1, x2, the weights and gradOut,"
                    + " in one pass, channel-last";
        };
    }

    /** The plan's methods of this path for one operation: {@link PathPlan#methodComponents}. */
    private List<Chunk> chunks(ToIntFunction<CgTerm> output, int usesPerTerm, int usesPerOutput) {
        return plan.methodComponents(output, usesPerTerm, usesPerOutput).stream().map(Chunk::new).toList();
    }

    private CodeBlock body(Operation operation, NumberType type, Chunk chunk) {
        String t = type.type().toString();
        List<CgTerm> terms = path.terms().stream().filter(term -> chunk.outputs().contains(switch (operation) {
            case FORWARD, FORWARD_SAMPLES, GRAD_WEIGHTS, BACKWARD, BACKWARD_SAMPLES, BACKWARD_INPUTS,
                    FORWARD_CHANNEL_LAST, BACKWARD_CHANNEL_LAST, FORWARD_WEIGHT_ROWS, BACKWARD_WEIGHT_ROWS,
                    BACKWARD_BY_PAIRS, DOUBLE_BACKWARD, DOUBLE_BACKWARD_WEIGHT_ROWS, DOUBLE_BACKWARD_CHANNEL_LAST ->
                    term.k();
            case GRAD_X1 -> term.i();
            case GRAD_X2 -> term.j();
        })).toList();
        if (operation == Operation.FORWARD_CHANNEL_LAST) {
            return channelLastForwardBody(type, terms);
        }
        if (operation == Operation.BACKWARD_CHANNEL_LAST) {
            return channelLastBackwardBody(type, terms);
        }
        if (operation == Operation.DOUBLE_BACKWARD_CHANNEL_LAST) {
            return channelLastDoubleBackwardBody(type, terms);
        }
        if (operation == Operation.FORWARD_WEIGHT_ROWS) {
            return weightRowsForwardBody(type, terms);
        }
        if (operation == Operation.BACKWARD_WEIGHT_ROWS) {
            return weightRowsBackwardBody(type, terms);
        }
        if (operation == Operation.BACKWARD_BY_PAIRS) {
            return backwardByPairsBody(type, terms);
        }
        if (operation == Operation.DOUBLE_BACKWARD) {
            return doubleBackwardBody(type, terms);
        }
        if (operation == Operation.DOUBLE_BACKWARD_WEIGHT_ROWS) {
            return weightRowsDoubleBackwardBody(type, terms);
        }
        if (operation == Operation.BACKWARD) {
            boolean outer = assigns;
            assigns = true;
            CodeBlock code = fusedBackwardBody(type, terms, true);
            assigns = outer;
            return code;
        }
        if (operation == Operation.BACKWARD_INPUTS) {
            return fusedBackwardBody(type, terms, false);
        }
        if (operation == Operation.FORWARD_SAMPLES || operation == Operation.BACKWARD_SAMPLES) {
            // the loop over the channels unrolled where that fits, so that the loop over the samples is the only one
            boolean forward = operation == Operation.FORWARD_SAMPLES;
            Operation sample = forward ? Operation.FORWARD : Operation.BACKWARD;
            assigns = true;
            CodeBlock perSample = !unrollsChannels(sample) ? body(sample, type, chunk)
                    : forward ? sharedX2ForwardBody(type, terms, true)
                    : sharedWeightedBackwardBody(type, terms, true, true);
            assigns = false;
            return overSamples(perSample, forward);
        }
        if (operation == Operation.FORWARD && plan.sharesX2()) {
            return sharedX2ForwardBody(type, terms, false);
        }
        int weightsFirstBlock = operation == Operation.FORWARD ? weightsFirstBlock(terms) : 0;
        if (weightsFirstBlock > 0) {
            return weightsFirstForwardBody(type, terms, weightsFirstBlock);
        }
        if (operation == Operation.FORWARD && plan.pairsChannels()) {
            return pairedForwardBody(type, terms);
        }
        boolean needsA = operation != Operation.GRAD_X1;
        boolean needsB = operation != Operation.GRAD_X2;
        CodeBlock.Builder code = CodeBlock.builder();
        // The gradient of x2 visits v in the outer loop, so that (like every other operation) its target stays
        // fixed during the inner loop and sums there in local variables instead of through memory.
        boolean vOuter = operation == Operation.GRAD_X2 && !mode.diagonal();
        if (vOuter) {
            openLoop(code, "v", "0", layout.mul2());
            code.addStatement("int in2Index = $L", x2Index("v"));
            accumulatorsFor(code, type, terms, CgTerm::j);
            openLoop(code, "u", "0", mode.strictlyUpper() ? "v" : layout.mul1());
            code.addStatement("int in1Index = $L", x1Index("u"));
        } else {
            openLoop(code, "u", "0", layout.mul1());
            code.addStatement("int in1Index = $L", x1Index("u"));
        }
        if (needsA) {
            terms.stream().map(CgTerm::i).distinct().sorted()
                    .forEach(i -> code.addStatement("$L a$L = x1[$L]", t, i, in1(i)));
        }
        boolean innerLoop = !vOuter && !mode.diagonal();
        if (operation == Operation.GRAD_X1 && innerLoop) {
            accumulatorsFor(code, type, terms, CgTerm::i);
        }
        if (mode.diagonal()) {
            code.addStatement("int in2Index = $L", x2Index("u"));
        } else if (innerLoop) {
            openLoop(code, "v", mode.strictlyUpper() ? "u + 1" : "0", layout.mul2());
            code.addStatement("int in2Index = $L", x2Index("v"));
        }
        if (needsB) {
            terms.stream().map(CgTerm::j).distinct().sorted()
                    .forEach(j -> code.addStatement("$L b$L = x2[$L]", t, j, in2(j)));
        }
        boolean local = vOuter || operation == Operation.GRAD_X1 && innerLoop;
        switch (operation) {
            case FORWARD -> forwardBody(code, type, terms);
            case GRAD_X1 -> gradInputBody(code, type, terms, CgTerm::i, term -> "b" + term.j(),
                    local ? null : "gradX1", "in1Index");
            case GRAD_X2 -> gradInputBody(code, type, terms, CgTerm::j, term -> "a" + term.i(),
                    local ? null : "gradX2", "in2Index");
            case GRAD_WEIGHTS -> gradWeightsBody(code, type, terms);
            case FORWARD_SAMPLES, BACKWARD, BACKWARD_SAMPLES, BACKWARD_INPUTS, FORWARD_CHANNEL_LAST,
                    FORWARD_WEIGHT_ROWS, BACKWARD_WEIGHT_ROWS, BACKWARD_BY_PAIRS, DOUBLE_BACKWARD,
                    DOUBLE_BACKWARD_WEIGHT_ROWS, DOUBLE_BACKWARD_CHANNEL_LAST ->
                    throw new IllegalStateException(operation + " has its own body");
        }
        if (innerLoop || vOuter) {
            closeLoop(code);
        }
        if (local) {
            String target = operation == Operation.GRAD_X1 ? "gradX1" : "gradX2";
            String targetIndex = operation == Operation.GRAD_X1 ? "in1Index" : "in2Index";
            ToIntFunction<CgTerm> output = operation == Operation.GRAD_X1 ? CgTerm::i : CgTerm::j;
            terms.stream().mapToInt(output).distinct().sorted().forEach(o ->
                    code.addStatement("$L[$L] += sum$L", target, component(targetIndex, o), o));
        }
        closeLoop(code);
        return code.build();
    }

    /**
     * {@code perSample} (the code of one sample, at the offsets {@code x1Offset}, ...) in a loop over the samples
     * {@code from..to-1}, each sample's offsets its index times the kernel's dimensions; {@code outOffset} for the
     * {@code forward}, else {@code gradOutOffset}.
     */
    private CodeBlock overSamples(CodeBlock perSample, boolean forward) {
        CodeBlock.Builder code = CodeBlock.builder().beginControlFlow("for (int b = from; b < to; b++)");
        code.addStatement("int x1Offset = b * DIM_IN1");
        code.addStatement("int x2Offset = b * DIM_IN2");
        if (path.weighted()) {
            code.addStatement("int weightOffset = b * WEIGHT_NUMEL");
        }
        code.addStatement("int $L = b * DIM_OUT", forward ? "outOffset" : "gradOutOffset");
        return code.add(perSample).endControlFlow().build();
    }

    /** {@code offset + component * mul + u}, the index of channel {@code u} of a component in ir_mul scratch. */
    private static String channelLastIndex(int offset, int component, int mul) {
        int base = offset + component * mul;
        return base == 0 ? "u" : base + " + u";
    }

    /**
     * Forward on the channel-last scratch, one loop per output component {@code k} with one store stream:
     * {@code outT[k][u] += W[u] * sum_i M_ik x1T[i][u]}, the products of {@link #sharedX2ForwardBody} summed in
     * {@code Math.fma} chains ({@link #fmaSum}).
     */
    private CodeBlock channelLastForwardBody(NumberType type, List<CgTerm> terms) {
        CodeBlock.Builder code = CodeBlock.builder();
        List<int[]> pairs = declareSharedX2(code, type, terms);
        IntFunction<String> x1T = i -> "x1T[" + channelLastIndex(layout.offset1(), i, layout.mul1()) + "]";
        throughM(pairs, x1T).forEach((k, products) -> {
            openLoop(code, "u", "0", layout.mul1());
            String target = "outT[" + channelLastIndex(layout.offsetOut(), k, layout.mulOut()) + "]";
            String contraction = fmaSum(products, type);
            if (path.weighted()) {
                code.addStatement("$L = Math.fma($L, $L, $L)", target, channelLastWeight(), contraction, target);
            } else {
                code.addStatement("$L += $L", target, contraction);
            }
            closeLoop(code);
        });
        return code.build();
    }

    /**
     * The fused backward on channel-last scratch, through the same {@code M_ik = sum_j C_ijk x2_j} as
     * {@link #channelLastForwardBody}, with {@code g_k[u] = W[u] gradOutT[k][u]}: one loop over the channels per
     * {@code x1} component {@code i}, {@code gradX1T[i][u] += sum_k M_ik g_k[u]}, which also sums
     * {@code s_ik = sum_u x1T[i][u] g_k[u]} from the same loads, whence {@code gradX2_j += sum_ik C_ijk s_ik}; and
     * one loop for the weights, {@code gradWeightsT[u] += sum_k gradOutT[k][u] sum_i M_ik x1T[i][u]}. Every loop
     * indexes its arrays by a constant plus {@code u}, as the forward's, so that superword vectorizes it.
     * <p>
     * Where an {@code x1} component feeds {@link #MIN_PRODUCTS_TO_SPLIT} or more outputs, JDK 17 left such a loop
     * scalar in float (MACE's {@code 128x1o x 1x3o -> 128x2e}: no packed instruction), as in
     * {@link #channelLastDoubleBackwardBody}; then every {@code x1} component of the path gets the loops of
     * {@link #splitChannelLastBackwardX1Loops} instead, which also take the weight gradient.
     */
    private CodeBlock channelLastBackwardBody(NumberType type, List<CgTerm> terms) {
        CodeBlock.Builder code = CodeBlock.builder();
        String t = type.type().toString();
        List<int[]> pairs = declareSharedX2(code, type, terms);
        IntFunction<String> x1T = i -> "x1T[" + channelLastIndex(layout.offset1(), i, layout.mul1()) + "]";
        IntFunction<String> gradOutT = k -> "gradOutT[" + channelLastIndex(layout.offsetOut(), k, layout.mulOut())
                + "]";
        Map<Integer, List<Integer>> ksByI = new TreeMap<>();
        for (int[] pair : pairs) {
            ksByI.computeIfAbsent(pair[0], i -> new ArrayList<>()).add(pair[1]);
        }
        boolean split = ksByI.values().stream().anyMatch(ks -> ks.size() >= MIN_PRODUCTS_TO_SPLIT);
        ksByI.forEach((i, ks) -> {
            ks.forEach(k -> code.addStatement("$L s$L_$L = $L", t, i, k, type.zero()));
            if (split) {
                splitChannelLastBackwardX1Loops(code, type, i, ks);
                return;
            }
            openLoop(code, "u", "0", layout.mul1());
            code.addStatement("$L a = $L", t, x1T.apply(i));
            List<Product> products = new ArrayList<>();
            for (int k : ks) {
                code.addStatement("$L g$L = $L", t, k, path.weighted()
                        ? channelLastWeight() + " * " + gradOutT.apply(k) : gradOutT.apply(k));
                code.addStatement("s$L_$L += a * g$L", i, k, k);
                products.add(new Product(SqrtRational.ONE, "m" + i + "_" + k, "g" + k));
            }
            String target = "gradX1T[" + channelLastIndex(layout.offset1(), i, layout.mul1()) + "]";
            code.addStatement("$L += $L", target, fmaSum(products, type));
            closeLoop(code);
        });
        if (path.weighted() && !split) {
            openLoop(code, "u", "0", layout.mul1());
            List<Product> products = new ArrayList<>();
            throughM(pairs, x1T).forEach((k, contraction) -> {
                code.addStatement("$L t$L = $L", t, k, fmaSum(contraction, type));
                products.add(new Product(SqrtRational.ONE, gradOutT.apply(k), "t" + k));
            });
            String target = "gradWeightsT[" + channelLastIndex(path.weightOffset(), 0, 0) + "]";
            code.addStatement("$L += $L", target, fmaSum(products, type));
            closeLoop(code);
        }
        Map<Integer, List<Product>> byJ = new TreeMap<>();
        for (CgTerm term : terms) {
            byJ.computeIfAbsent(term.j(), j -> new ArrayList<>())
                    .add(new Product(term.constant(), "s" + term.i() + "_" + term.k(), null));
        }
        byJ.forEach((j, products) -> code.addStatement("gradX2[$L] += $L", in2(j), sum(products, type)));
        return code.build();
    }

    /** {@code k -> [M_ik operand(i)]}: the products of {@code sum_i M_ik operand(i)}, by output component. */
    private static Map<Integer, List<Product>> throughM(List<int[]> pairs, IntFunction<String> operand) {
        return throughMatrix(pairs, "m", operand);
    }

    /** {@link #throughM} through the matrix whose entries are named {@code <matrix>I_K}. */
    private static Map<Integer, List<Product>> throughMatrix(List<int[]> pairs, String matrix,
                                                             IntFunction<String> operand) {
        Map<Integer, List<Product>> byK = new TreeMap<>();
        for (int[] pair : pairs) {
            byK.computeIfAbsent(pair[1], k -> new ArrayList<>())
                    .add(new Product(SqrtRational.ONE, matrix + pair[0] + "_" + pair[1], operand.apply(pair[0])));
        }
        return byK;
    }

    /**
     * The second derivatives on channel-last scratch ({@link Operation#DOUBLE_BACKWARD_CHANNEL_LAST}), through
     * {@code M_ik = sum_j C_ijk x2_j} and {@code ggM_ik = sum_j C_ijk ggX2_j}; per channel {@code u}, with
     * {@code a = x1T[.][u]}, {@code ggA = ggX1T[.][u]}, {@code go = gradOutT[.][u]}, the weight {@code w} and its
     * cotangent {@code ggW}, the terms of {@link #doubleBackwardBody} regrouped:
     * <ul>
     * <li>one loop per output component {@code k}: {@code t_k = sum_i M_ik a_i},
     * {@code s_k = sum_i (M_ik ggA_i + ggM_ik a_i)}, {@code gGradOutT[k][u] += w s_k + ggW t_k} and
     * {@code gWeightsT[u] += go_k s_k};</li>
     * <li>one loop per {@code x1} component {@code i}: {@code gX1T[i][u] += w sum_k ggM_ik go_k + ggW sum_k M_ik go_k},
     * and the sums {@code P_ik = sum_u c_i go_k} with {@code c_i = w ggA_i + ggW a_i}, whence after the loops
     * {@code gX2_j += sum_ik C_ijk P_ik}.</li>
     * </ul>
     * Unweighted, {@code w = 1} and {@code ggW = 0}. The operands are segments of one scratch array
     * ({@link DoubleBackwardScratch}; shared weights in their own arrays). Every loop indexes it by a constant plus
     * {@code u}, as {@link #channelLastBackwardBody}, so that superword vectorizes it; the sums {@code P_ik} are plain additions
     * ({@code p += c * go}), which C2 vectorizes as reductions, not {@code Math.fma} chains, which it does not: with
     * them the whole {@code x1} loop stayed scalar.
     * <p>
     * Where {@link #MIN_PRODUCTS_TO_SPLIT} or more components meet in one of these loops (an output component
     * {@code k} fed by that many {@code x1} components, or an {@code x1} component feeding that many outputs), JDK
     * 17's superword vectorizes none of it when each loaded channel feeds two sums ({@code s_k} and {@code t_k};
     * {@code go_k} into {@code gX1T} through {@code ggM} and {@code M} and into {@code P_ik}): MACE's
     * {@code 128x1o x 1x3o -> 128x2e} compiled to scalar code only, in both precisions. Such a loop is split into
     * loops in which each load feeds one sum: {@code gGradOutT[k] += w s_k} with {@code gWeightsT}, then
     * {@code gGradOutT[k] += ggW t_k}; {@code gX1T[i] += w sum_k ggM_ik go_k}, then {@code += ggW sum_k M_ik go_k},
     * then the sums {@code P_ik}. The loads repeat, but each loop vectorizes (that path: 3.9 -> 1.8 us in float).
     */
    private CodeBlock channelLastDoubleBackwardBody(NumberType type, List<CgTerm> terms) {
        CodeBlock.Builder code = CodeBlock.builder();
        String t = type.type().toString();
        boolean weighted = path.weighted();
        List<int[]> pairs = declareSharedX2(code, type, terms);
        declareThroughX2(code, type, terms, "ggX2", "ggB", "ggM");
        IntFunction<String> x1T = i -> scratchX1(DoubleBackwardScratch.X1, i);
        IntFunction<String> ggX1T = i -> scratchX1(DoubleBackwardScratch.GG_X1, i);
        IntFunction<String> gradOutT = k -> scratchOut(DoubleBackwardScratch.GRAD_OUT, k);
        String weight = scratchWeight("sampleWeights", DoubleBackwardScratch.WEIGHTS);
        String ggWeight = scratchWeight("ggWeightsT", DoubleBackwardScratch.GG_WEIGHTS);
        String gWeight = scratchWeight("gWeightsT", DoubleBackwardScratch.G_WEIGHTS);
        Map<Integer, List<Product>> forward = throughM(pairs, x1T);
        Map<Integer, List<Product>> alongCotangents = throughM(pairs, ggX1T);
        throughMatrix(pairs, "ggM", x1T).forEach((k, products) -> alongCotangents.get(k).addAll(products));
        alongCotangents.forEach((k, products) -> {
            openLoop(code, "u", "0", layout.mul1());
            String target = scratchOut(DoubleBackwardScratch.G_GRAD_OUT, k);
            code.addStatement("$L s = $L", t, fmaSum(products, type));
            if (!weighted) {
                code.addStatement("$L += s", target);
            } else if (forward.get(k).size() >= MIN_PRODUCTS_TO_SPLIT) {
                code.addStatement("$L = Math.fma($L, s, $L)", target, weight, target);
                code.addStatement("$L = Math.fma($L, s, $L)", gWeight, gradOutT.apply(k), gWeight);
                closeLoop(code);
                openLoop(code, "u", "0", layout.mul1());
                code.addStatement("$L = Math.fma($L, $L, $L)", target, ggWeight, fmaSum(forward.get(k), type), target);
            } else {
                code.addStatement("$L t = $L", t, fmaSum(forward.get(k), type));
                code.addStatement("$L = Math.fma($L, s, Math.fma($L, t, $L))", target, weight, ggWeight, target);
                code.addStatement("$L = Math.fma($L, s, $L)", gWeight, gradOutT.apply(k), gWeight);
            }
            closeLoop(code);
        });
        Map<Integer, List<Integer>> ksByI = new TreeMap<>();
        for (int[] pair : pairs) {
            ksByI.computeIfAbsent(pair[0], i -> new ArrayList<>()).add(pair[1]);
        }
        ksByI.forEach((i, ks) -> {
            ks.forEach(k -> code.addStatement("$L p$L_$L = $L", t, i, k, type.zero()));
            if (ks.size() >= MIN_PRODUCTS_TO_SPLIT) {
                splitChannelLastX1Loops(code, type, i, ks);
                return;
            }
            openLoop(code, "u", "0", layout.mul1());
            ks.forEach(k -> code.addStatement("$L go$L = $L", t, k, gradOutT.apply(k)));
            String target = scratchX1(DoubleBackwardScratch.G_X1, i);
            List<Product> throughGgM = ks.stream()
                    .map(k -> new Product(SqrtRational.ONE, "ggM" + i + "_" + k, "go" + k)).toList();
            if (weighted) {
                code.addStatement("$L weight = $L", t, weight);
                code.addStatement("$L ggWeight = $L", t, ggWeight);
                code.addStatement("$L c = Math.fma(weight, $L, ggWeight * $L)", t, ggX1T.apply(i), x1T.apply(i));
                ks.forEach(k -> code.addStatement("p$L_$L += c * go$L", i, k, k));
                List<Product> throughM = ks.stream()
                        .map(k -> new Product(SqrtRational.ONE, "m" + i + "_" + k, "go" + k)).toList();
                code.addStatement("$L = Math.fma(weight, $L, Math.fma(ggWeight, $L, $L))", target,
                        fmaSum(throughGgM, type), fmaSum(throughM, type), target);
            } else {
                code.addStatement("$L ggA = $L", t, ggX1T.apply(i));
                ks.forEach(k -> code.addStatement("p$L_$L += ggA * go$L", i, k, k));
                code.addStatement("$L += $L", target, fmaSum(throughGgM, type));
            }
            closeLoop(code);
        });
        Map<Integer, List<Product>> byJ = new TreeMap<>();
        for (CgTerm term : terms) {
            byJ.computeIfAbsent(term.j(), j -> new ArrayList<>())
                    .add(new Product(term.constant(), "p" + term.i() + "_" + term.k(), null));
        }
        byJ.forEach((j, products) -> code.addStatement("gX2[$L] += $L", in2(j), sum(products, type)));
        return code.build();
    }

    /**
     * The loops of {@link #channelLastDoubleBackwardBody} for an {@code x1} component {@code i} that feeds
     * {@link #MIN_PRODUCTS_TO_SPLIT} or more output components {@code ks}, one sum per loop:
     * {@code gX1T[i] += w sum_k ggM_ik go_k}, {@code gX1T[i] += ggW sum_k M_ik go_k} (weighted), then the sums
     * {@code P_ik += c go_k} (declared by the caller).
     */
    private void splitChannelLastX1Loops(CodeBlock.Builder code, NumberType type, int i, List<Integer> ks) {
        String t = type.type().toString();
        String target = scratchX1(DoubleBackwardScratch.G_X1, i);
        IntFunction<String> gradOutT = k -> scratchOut(DoubleBackwardScratch.GRAD_OUT, k);
        String x1T = scratchX1(DoubleBackwardScratch.X1, i);
        String ggX1T = scratchX1(DoubleBackwardScratch.GG_X1, i);
        String weight = scratchWeight("sampleWeights", DoubleBackwardScratch.WEIGHTS);
        List<Product> throughGgM = ks.stream()
                .map(k -> new Product(SqrtRational.ONE, "ggM" + i + "_" + k, gradOutT.apply(k))).toList();
        openLoop(code, "u", "0", layout.mul1());
        if (path.weighted()) {
            String ggWeight = scratchWeight("ggWeightsT", DoubleBackwardScratch.GG_WEIGHTS);
            List<Product> throughM = ks.stream()
                    .map(k -> new Product(SqrtRational.ONE, "m" + i + "_" + k, gradOutT.apply(k))).toList();
            code.addStatement("$L = Math.fma($L, $L, $L)", target, weight, fmaSum(throughGgM, type), target);
            closeLoop(code);
            openLoop(code, "u", "0", layout.mul1());
            code.addStatement("$L = Math.fma($L, $L, $L)", target, ggWeight, fmaSum(throughM, type), target);
            closeLoop(code);
            openLoop(code, "u", "0", layout.mul1());
            code.addStatement("$L c = Math.fma($L, $L, $L * $L)", t, weight, ggX1T, ggWeight, x1T);
        } else {
            code.addStatement("$L += $L", target, fmaSum(throughGgM, type));
            closeLoop(code);
            openLoop(code, "u", "0", layout.mul1());
            code.addStatement("$L c = $L", t, ggX1T);
        }
        ks.forEach(k -> code.addStatement("p$L_$L += c * $L", i, k, gradOutT.apply(k)));
        closeLoop(code);
    }

    /** Channel {@code u} of component {@code i} of the {@code x1} operand whose scratch segment is {@code segment}. */
    private String scratchX1(String segment, int i) {
        return scratchEntry(segment, layout.offset1() + i * layout.mul1());
    }

    /**
     * Channel {@code u} of output component {@code k} of the output operand whose scratch segment is
     * {@code segment}.
     */
    private String scratchOut(String segment, int k) {
        return scratchEntry(segment, layout.offsetOut() + k * layout.mulOut());
    }

    /**
     * This path's weight of channel {@code u} in the scratch segment {@code segment}, or, where the weights are shared,
     * in the array {@code shared}.
     */
    private String scratchWeight(String shared, String segment) {
        return scratch.holdsWeights() ? scratchEntry(segment, path.weightOffset())
                : shared + "[" + channelLastIndex(path.weightOffset(), 0, 0) + "]";
    }

    /**
     * {@code scratch[segment + offset + u]}, the segment a constant of the kernel ({@link DoubleBackwardScratch}); the
     * segment at the scratch's start ({@code x1T}) goes without its name, so that the bytecode adds no zero.
     */
    private String scratchEntry(String segment, int offset) {
        String start = scratch.fields().get(segment) == 0 ? "" : segment + " + ";
        return "scratch[" + start + (offset == 0 ? "" : offset + " + ") + "u]";
    }

    /**
     * The loops of {@link #channelLastBackwardBody} for an {@code x1} component {@code i} with output components
     * {@code ks}, in a path where one component feeds {@link #MIN_PRODUCTS_TO_SPLIT} or more outputs: each load
     * feeds one sum per loop, as in {@link #splitChannelLastX1Loops}. First {@code h = sum_k M_ik gradOutT[k][u]},
     * {@code gradX1T[i][u] += w h} and {@code gradWeightsT[u] += x1T[i][u] h} (so the path needs no weight loop:
     * {@code sum_k gradOutT[k] sum_i M_ik x1T[i] = sum_i x1T[i] h_i}); then the sums {@code s_ik += c gradOutT[k][u]}
     * with {@code c = w x1T[i][u]} (declared by the caller). Unweighted, {@code w = 1} and no weight gradient.
     */
    private void splitChannelLastBackwardX1Loops(CodeBlock.Builder code, NumberType type, int i, List<Integer> ks) {
        String t = type.type().toString();
        String target = "gradX1T[" + channelLastIndex(layout.offset1(), i, layout.mul1()) + "]";
        String x1T = "x1T[" + channelLastIndex(layout.offset1(), i, layout.mul1()) + "]";
        List<Product> throughM = ks.stream().map(k -> new Product(SqrtRational.ONE, "m" + i + "_" + k,
                channelLastGradOut(k))).toList();
        openLoop(code, "u", "0", layout.mul1());
        if (path.weighted()) {
            String gradWeight = "gradWeightsT[" + channelLastIndex(path.weightOffset(), 0, 0) + "]";
            code.addStatement("$L h = $L", t, fmaSum(throughM, type));
            code.addStatement("$L = Math.fma($L, h, $L)", target, channelLastWeight(), target);
            code.addStatement("$L = Math.fma($L, h, $L)", gradWeight, x1T, gradWeight);
            closeLoop(code);
            openLoop(code, "u", "0", layout.mul1());
            code.addStatement("$L c = $L * $L", t, channelLastWeight(), x1T);
        } else {
            code.addStatement("$L += $L", target, fmaSum(throughM, type));
            closeLoop(code);
            openLoop(code, "u", "0", layout.mul1());
            code.addStatement("$L c = $L", t, x1T);
        }
        sumsAgainstGradOut(code, "s", i, ks);
    }

    /**
     * The end of an open loop over the channels that sums {@code <sum>I_K += c gradOutT[k][u]} for each output
     * component {@code k} of {@code ks}, {@code c} declared in it; closes the loop.
     */
    private void sumsAgainstGradOut(CodeBlock.Builder code, String sum, int i, List<Integer> ks) {
        ks.forEach(k -> code.addStatement("$L$L_$L += c * $L", sum, i, k, channelLastGradOut(k)));
        closeLoop(code);
    }

    /** Channel {@code u} of output component {@code k} of the channel-last output cotangent. */
    private String channelLastGradOut(int k) {
        return "gradOutT[" + channelLastIndex(layout.offsetOut(), k, layout.mulOut()) + "]";
    }

    /** The weight of channel {@code u}; the per-sample weights are copied to offset 0 (shared ones are there). */
    private String channelLastWeight() {
        return "sampleWeights[" + channelLastIndex(path.weightOffset(), 0, 0) + "]";
    }

    /** {@code bJ = x2[j]} and {@code mI_K = sum_j C_ijk bJ} for the (i, k) pairs of {@code terms}. */
    private List<int[]> declareSharedX2(CodeBlock.Builder code, NumberType type, List<CgTerm> terms) {
        code.addStatement("int in2Index = $L", plus("x2Offset", layout.offset2()));
        return declareThroughX2(code, type, terms, "x2", "b", "m");
    }

    /**
     * {@code <value>J = <array>[in2Index + j]} and {@code <matrix>I_K = sum_j C_ijk <value>J} for the (i, k) pairs of
     * {@code terms}, in ascending order: {@link #declareSharedX2} for {@code x2} or its cotangent.
     */
    private List<int[]> declareThroughX2(CodeBlock.Builder code, NumberType type, List<CgTerm> terms, String array,
                                         String value, String matrix) {
        String t = type.type().toString();
        terms.stream().map(CgTerm::j).distinct().sorted()
                .forEach(j -> code.addStatement("$L $L$L = $L[$L]", t, value, j, array, in2(j)));
        Map<List<Integer>, List<Product>> byPair = new TreeMap<>(
                Comparator.<List<Integer>>comparingInt(pair -> pair.get(0)).thenComparingInt(pair -> pair.get(1)));
        for (CgTerm term : terms) {
            byPair.computeIfAbsent(List.of(term.i(), term.k()), pair -> new ArrayList<>())
                    .add(new Product(term.constant(), value + term.j(), null));
        }
        List<int[]> pairs = new ArrayList<>();
        byPair.forEach((pair, products) -> {
            code.addStatement("$L $L$L_$L = $L", t, matrix, pair.get(0), pair.get(1), sum(products, type));
            pairs.add(new int[] {pair.get(0), pair.get(1)});
        });
        return pairs;
    }

    /** {@code tK = sum_i mI_K aI}: the CG contraction of one channel through the precomputed {@code M}. */
    private List<Integer> declareContractionsThroughM(CodeBlock.Builder code, NumberType type, List<int[]> pairs) {
        Map<Integer, List<Product>> byK = throughM(pairs, i -> "a" + i);
        byK.forEach((k, products) -> code.addStatement("$L t$L = $L", type.type(), k, fmaSum(products, type)));
        return new ArrayList<>(byK.keySet());
    }

    private void loadX1(CodeBlock.Builder code, NumberType type, List<CgTerm> terms) {
        code.addStatement("int in1Index = $L", x1Index("u"));
        terms.stream().map(CgTerm::i).distinct().sorted()
                .forEach(i -> code.addStatement("$L a$L = x1[$L]", type.type(), i, in1(i)));
    }

    /**
     * Output channels per pass of a {@code uvw} forward that contracts the weights with {@code x1} first, or 0 where
     * it does not. With one {@code x2} channel, {@code out[w]_k = sum_i M_ik s[w]_i}, where
     * {@code s[w]_i = sum_u W[u w] x1[u]_i} and {@code M_ik = sum_j C_ijk x2_j}. A pass keeps its sums
     * {@code s[w]_i} in local variables ({@link #MAX_ACCUMULATORS}), so each weight costs {@code dim1} multiply-adds
     * into registers instead of {@code dimOut} additions into {@code out} through memory. Used when
     * <ul>
     * <li>{@code dim1 <= dimOut}, so it never costs more arithmetic ({@code 48x0e x 1o -> 10x1o}: a third);</li>
     * <li>there are several channels {@code u} (with one, each {@code out} entry is written once anyway);</li>
     * <li>several passes, which each read every weight row strided, hold at least two channels each and the path
     * has few weights ({@link #MAX_BLOCKED_WEIGHTS});</li>
     * <li>the unrolled code fits half of {@link #MAX_TERM_USES_PER_METHOD}.</li>
     * </ul>
     */
    private int weightsFirstBlock(List<CgTerm> terms) {
        int is = (int) terms.stream().mapToInt(CgTerm::i).distinct().count();
        int ks = (int) terms.stream().mapToInt(CgTerm::k).distinct().count();
        if (mode != ConnectionMode.UVW || layout.mul1() < 2 || layout.mul2() != 1 || !path.weighted() || is > ks) {
            return 0;
        }
        int block = Math.min(layout.mulOut(), MAX_ACCUMULATORS / is);
        boolean onePass = block == layout.mulOut();
        if (block == 0 || !onePass && (block == 1 || layout.mul1() * layout.mulOut() > MAX_BLOCKED_WEIGHTS)) {
            return 0;
        }
        // Unrolled: per output channel `is` multiply-adds in the loop and |M| products after it, per pass `is` loads.
        // Half the usual budget: with many locals, loads and stores of doubles take wide (4-byte) instructions.
        long products = terms.stream().map(term -> List.of(term.i(), term.k())).distinct().count();
        int passes = (layout.mulOut() + block - 1) / block;
        long uses = layout.mulOut() * (products + is) + (long) passes * is;
        return uses <= MAX_TERM_USES_PER_METHOD / 2 ? block : 0;
    }

    /** The forward of {@link #weightsFirstBlock}: per pass the sums {@code s[w]_i} in locals, then {@code out += M^T s}. */
    private CodeBlock weightsFirstForwardBody(NumberType type, List<CgTerm> terms, int block) {
        CodeBlock.Builder code = CodeBlock.builder();
        List<int[]> pairs = declareSharedX2(code, type, terms);
        for (int first = 0; first < layout.mulOut(); first += block) {
            weightsFirstPass(code, type, terms, pairs, first, Math.min(block, layout.mulOut() - first));
        }
        return code.build();
    }

    private void weightsFirstPass(CodeBlock.Builder code, NumberType type, List<CgTerm> terms, List<int[]> pairs,
                                  int first, int size) {
        String t = type.type().toString();
        boolean scoped = size < layout.mulOut();
        if (scoped) {
            code.add("{ // output $L\n$>", size == 1 ? "channel " + first
                    : "channels " + first + " to " + (first + size - 1));
        }
        List<Integer> is = terms.stream().map(CgTerm::i).distinct().sorted().toList();
        for (int w = first; w < first + size; w++) {
            for (int i : is) {
                code.addStatement("$L s$L_$L = $L", t, w, i, type.zero());
            }
        }
        openLoop(code, "u", "0", layout.mul1());
        loadX1(code, type, terms);
        code.addStatement("int weightIndex = $L", plus(weightBase(), first));
        for (int w = first; w < first + size; w++) {
            code.addStatement("$L weight$L = weights[$L]", t, w, plus("weightIndex", w - first));
            for (int i : is) {
                code.addStatement("s$L_$L += weight$L * a$L", w, i, w, i);
            }
        }
        closeLoop(code);
        code.addStatement("int outIndex = $L", plus("outOffset", layout.offsetOut()));
        for (int w = first; w < first + size; w++) {
            int channel = w;
            throughM(pairs, i -> "s" + channel + "_" + i).forEach((k, products) -> code.addStatement(
                    "out[$L] += $L", outAt("outIndex", k, channel), fmaSum(products, type)));
        }
        if (scoped) {
            code.add("$<}\n");
        }
    }

    /**
     * Forward with {@link PathPlan#sharesX2()}: {@code M} once, then per channel {@code t = M^T a} and the weights;
     * {@code unrolled}: the channels one after the other, each in a block of its own, instead of a loop.
     */
    private CodeBlock sharedX2ForwardBody(NumberType type, List<CgTerm> terms, boolean unrolled) {
        CodeBlock.Builder code = CodeBlock.builder();
        List<int[]> pairs = declareSharedX2(code, type, terms);
        if (!unrolled) {
            openLoop(code, "u", "0", layout.mul1());
            sharedX2ForwardChannel(code, type, terms, pairs);
            closeLoop(code);
        }
        for (int u = 0; unrolled && u < layout.mul1(); u++) {
            code.add("{ // channel $L\n$>", u);
            unrolledChannel = u;
            sharedX2ForwardChannel(code, type, terms, pairs);
            unrolledChannel = -1;
            code.add("$<}\n");
        }
        return code.build();
    }

    /** One channel of {@link #sharedX2ForwardBody}. */
    private void sharedX2ForwardChannel(CodeBlock.Builder code, NumberType type, List<CgTerm> terms,
                                        List<int[]> pairs) {
        loadX1(code, type, terms);
        List<Integer> ks = declareContractionsThroughM(code, type, pairs);
        writeOutputs(code, type, ks);
    }

    /**
     * The three gradients in one pass over the channel pairs. Per pair: {@code t_k = sum_ij C_ijk a_i b_j} (the
     * forward value without its weight), {@code gradW += sum_k gradOut_k t_k}, {@code g_k = sum_w W gradOut[w]_k},
     * {@code gradX1_i += sum_jk C_ijk b_j g_k}, {@code gradX2_j += sum_ik C_ijk a_i g_k}. With
     * {@link PathPlan#sharesX2()} the x1 side goes through {@code M} and the x2 side sums
     * {@code P_ik = sum_u a_i g_k} over the channels first, then contracts {@code gradX2_j += sum_ik C_ijk P_ik} once.
     */
    private CodeBlock fusedBackwardBody(NumberType type, List<CgTerm> terms, boolean weightGradient) {
        String t = type.type().toString();
        CodeBlock.Builder code = CodeBlock.builder();
        boolean shared = plan.sharesX2();
        if (shared && path.weighted()) {
            return sharedWeightedBackwardBody(type, terms, weightGradient, false);
        }
        List<int[]> pairs = shared ? declareSharedX2(code, type, terms) : List.of();
        if (shared) {
            pairs.forEach(pair -> code.addStatement("$L p$L_$L = $L", t, pair[0], pair[1], type.zero()));
        }
        openLoop(code, "u", "0", layout.mul1());
        loadX1(code, type, terms);
        boolean innerLoop = !shared && !mode.diagonal();
        if (!shared) {
            accumulatorsFor(code, type, terms, CgTerm::i);
        }
        if (mode.diagonal()) {
            code.addStatement("int in2Index = $L", x2Index("u"));
        } else if (innerLoop) {
            openLoop(code, "v", mode.strictlyUpper() ? "u + 1" : "0", layout.mul2());
            code.addStatement("int in2Index = $L", x2Index("v"));
        }
        if (!shared) {
            terms.stream().map(CgTerm::j).distinct().sorted()
                    .forEach(j -> code.addStatement("$L b$L = x2[$L]", t, j, in2(j)));
        }
        // The forward value t is needed only for the weight gradient.
        boolean withWeightGradient = weightGradient && path.weighted();
        List<Integer> ks = !withWeightGradient ? terms.stream().map(CgTerm::k).distinct().sorted().toList()
                : shared ? declareContractionsThroughM(code, type, pairs) : declareContractions(code, type, terms);
        weightGradientAndG(code, type, ks, withWeightGradient);
        if (shared) {
            Map<Integer, List<Product>> byI = new TreeMap<>();
            for (int[] pair : pairs) {
                byI.computeIfAbsent(pair[0], i -> new ArrayList<>())
                        .add(new Product(SqrtRational.ONE, "m" + pair[0] + "_" + pair[1], "g" + pair[1]));
            }
            byI.forEach((i, products) ->
                    code.addStatement("gradX1[$L] += $L", in1(i), fmaSum(products, type)));
            pairs.forEach(pair -> code.addStatement("p$L_$L = Math.fma(a$L, g$L, p$L_$L)", pair[0], pair[1], pair[0],
                    pair[1], pair[0], pair[1]));
        } else {
            inputGradientsFromG(code, type, terms);
        }
        if (innerLoop) {
            closeLoop(code);
        }
        if (!shared) {
            terms.stream().mapToInt(CgTerm::i).distinct().sorted()
                    .forEach(i -> code.addStatement("gradX1[$L] += sum$L", in1(i), i));
        }
        closeLoop(code);
        if (shared) {
            gradX2ThroughP(code, type, terms);
        }
        return code.build();
    }

    /**
     * The fused backward with the channel pairs unrolled ({@link Operation#BACKWARD_BY_PAIRS}; shared weights;
     * {@code gradOut} from a channel-last copy, the other arrays channel-last or of one channel per irrep): per pair
     * the terms of {@link #fusedBackwardBody} in the same order, whose loop over the output channels {@code w} then
     * indexes {@code weights}, {@code gradWeights} (the block's partial sum) and
     * {@code gradOutT} (the sample's {@code gradOut}) by a constant plus {@code w}: first
     * {@code gradWeights[uv w] += sum_k gradOutT[k][w] t_k}, a loop of one store stream that superword vectorizes,
     * then the sums {@code g_k += W[uv w] gradOutT[k][w]}, kept apart so that they do not keep the first loop scalar.
     */
    private CodeBlock backwardByPairsBody(NumberType type, List<CgTerm> terms) {
        String t = type.type().toString();
        CodeBlock.Builder code = CodeBlock.builder();
        List<Integer> ks = terms.stream().map(CgTerm::k).distinct().sorted().toList();
        for (int u = 0; u < layout.mul1(); u++) {
            code.add("{ // channel $L\n$>", u);
            code.addStatement("int in1Index = $L", plus("x1Offset", layout.offset1() + u));
            terms.stream().map(CgTerm::i).distinct().sorted()
                    .forEach(i -> code.addStatement("$L a$L = x1[$L]", t, i, in1(i)));
            accumulatorsFor(code, type, terms, CgTerm::i);
            for (int v = 0; v < layout.mul2(); v++) {
                code.add("{ // channel pair $L, $L\n$>", u, v);
                code.addStatement("int in2Index = $L", plus("x2Offset", layout.offset2() + v));
                terms.stream().map(CgTerm::j).distinct().sorted()
                        .forEach(j -> code.addStatement("$L b$L = x2[$L]", t, j, in2(j)));
                declareContractions(code, type, terms);
                int weightIndex = path.weightOffset() + (u * layout.mul2() + v) * layout.mulOut();
                IntFunction<String> gradOutT = k -> "gradOutT[" + channelLastRowIndex(k) + "]";
                String weight = weightIndex == 0 ? "w" : weightIndex + " + w";
                code.beginControlFlow("for (int w = 0; w < $L; w++)", layout.mulOut());
                code.addStatement("gradWeights[$L] += $L", weight, fmaSum(ks.stream()
                        .map(k -> new Product(SqrtRational.ONE, gradOutT.apply(k), "t" + k)).toList(), type));
                code.endControlFlow();
                ks.forEach(k -> code.addStatement("$L g$L = $L", t, k, type.zero()));
                code.beginControlFlow("for (int w = 0; w < $L; w++)", layout.mulOut());
                code.addStatement("$L weight = weights[$L]", t, weight);
                ks.forEach(k -> code.addStatement("g$L += weight * $L", k, gradOutT.apply(k)));
                code.endControlFlow();
                inputGradientsFromG(code, type, terms);
                code.add("$<}\n");
            }
            terms.stream().mapToInt(CgTerm::i).distinct().sorted()
                    .forEach(i -> code.addStatement("gradX1[$L] += sum$L", in1(i), i));
            code.add("$<}\n");
        }
        return code.build();
    }

    /**
     * The second derivatives in one pass over the channel pairs ({@link Operation#DOUBLE_BACKWARD}). The product is
     * bilinear in the inputs and linear in the weights, so per pair, with {@code a, b} the inputs, {@code ggA, ggB}
     * their cotangents and {@code t_k = sum_ij C_ijk a_i b_j}: {@code s_k = sum_ij C_ijk (ggA_i b_j + a_i ggB_j)} (the
     * forward along the input cotangents), per output channel {@code gGradOut_k += W s_k + ggW t_k} and
     * {@code gWeights += sum_k gradOut_k s_k}, the weighted output gradients {@code g_k = sum_w W gradOut[w]_k} and
     * {@code h_k = sum_w ggW gradOut[w]_k}, then {@code gX1_i += sum_jk C_ijk (ggB_j g_k + b_j h_k)} and
     * {@code gX2_j += sum_ik C_ijk (ggA_i g_k + a_i h_k)}. Unweighted, {@code W = 1} and there is no {@code ggW}.
     */
    private CodeBlock doubleBackwardBody(NumberType type, List<CgTerm> terms) {
        String t = type.type().toString();
        CodeBlock.Builder code = CodeBlock.builder();
        openLoop(code, "u", "0", layout.mul1());
        code.addStatement("int in1Index = $L", x1Index("u"));
        terms.stream().map(CgTerm::i).distinct().sorted().forEach(i -> {
            code.addStatement("$L a$L = x1[$L]", t, i, in1(i));
            code.addStatement("$L ggA$L = ggX1[$L]", t, i, in1(i));
        });
        accumulatorsFor(code, type, terms, CgTerm::i);
        boolean innerLoop = !mode.diagonal();
        if (innerLoop) {
            openLoop(code, "v", mode.strictlyUpper() ? "u + 1" : "0", layout.mul2());
            code.addStatement("int in2Index = $L", x2Index("v"));
        } else {
            code.addStatement("int in2Index = $L", x2Index("u"));
        }
        terms.stream().map(CgTerm::j).distinct().sorted().forEach(j -> {
            code.addStatement("$L b$L = x2[$L]", t, j, in2(j));
            code.addStatement("$L ggB$L = ggX2[$L]", t, j, in2(j));
        });
        List<Integer> ks = path.weighted() ? declareContractions(code, type, terms)
                : terms.stream().map(CgTerm::k).distinct().sorted().toList();
        Map<Integer, List<Product>> byK = new TreeMap<>();
        for (CgTerm term : terms) {
            List<Product> products = byK.computeIfAbsent(term.k(), k -> new ArrayList<>());
            products.add(new Product(term.constant(), "ggA" + term.i(), "b" + term.j()));
            products.add(new Product(term.constant(), "a" + term.i(), "ggB" + term.j()));
        }
        byK.forEach((k, products) -> code.addStatement("$L s$L = $L", t, k, fmaSum(products, type)));
        doubleBackwardOutputs(code, type, ks);
        Map<Integer, List<Product>> byI = new TreeMap<>();
        Map<Integer, List<Product>> byJ = new TreeMap<>();
        for (CgTerm term : terms) {
            List<Product> toI = byI.computeIfAbsent(term.i(), i -> new ArrayList<>());
            List<Product> toJ = byJ.computeIfAbsent(term.j(), j -> new ArrayList<>());
            toI.add(new Product(term.constant(), "ggB" + term.j(), "g" + term.k()));
            toJ.add(new Product(term.constant(), "ggA" + term.i(), "g" + term.k()));
            if (path.weighted()) {
                toI.add(new Product(term.constant(), "b" + term.j(), "h" + term.k()));
                toJ.add(new Product(term.constant(), "a" + term.i(), "h" + term.k()));
            }
        }
        byI.forEach((i, products) -> code.addStatement("sum$L += $L", i, fmaSum(products, type)));
        byJ.forEach((j, products) -> code.addStatement("gX2[$L] += $L", in2(j), fmaSum(products, type)));
        if (innerLoop) {
            closeLoop(code);
        }
        terms.stream().mapToInt(CgTerm::i).distinct().sorted()
                .forEach(i -> code.addStatement("gX1[$L] += sum$L", in1(i), i));
        closeLoop(code);
        return code.build();
    }

    /**
     * The output side of one pair of {@link #doubleBackwardBody}: {@code gGradOut += W s + ggW t} and
     * {@code gWeights += gradOut . s} per output channel, and the weighted output gradients {@code gK} and (weighted)
     * {@code hK} the input gradients contract with.
     */
    private void doubleBackwardOutputs(CodeBlock.Builder code, NumberType type, List<Integer> ks) {
        String t = type.type().toString();
        boolean weighted = path.weighted();
        if (mode.mixesChannels()) {
            ks.forEach(k -> code.addStatement("$L g$L = $L", t, k, type.zero()));
            if (weighted) {
                ks.forEach(k -> code.addStatement("$L h$L = $L", t, k, type.zero()));
                code.addStatement("int weightIndex = $L", weightBase());
            }
            code.addStatement("int gradOutIndex = $L", plus("gradOutOffset", layout.offsetOut()));
            openLoop(code, "w", "0", layout.mulOut());
        } else {
            code.addStatement("int gradOutIndex = $L",
                    outChannelIndex("gradOutOffset"));
            if (weighted) {
                code.addStatement("int weightIndex = $L", weightBase());
            }
        }
        String weightIndex = mode.mixesChannels() ? plusAt("weightIndex", "w") : "weightIndex";
        // unweighted and not mixing, the output gradient is gK itself
        String gradOut = weighted || mode.mixesChannels() ? "go" : "g";
        ks.forEach(k -> code.addStatement("$L $L$L = gradOut[$L]", t, gradOut, k, outAt("gradOutIndex", k)));
        if (weighted) {
            code.addStatement("$L weight = weights[$L]", t, weightIndex);
            code.addStatement("$L ggWeight = ggWeights[$L]", t, weightIndex);
            code.addStatement("gWeights[$L] += $L", weightIndex, fmaSum(ks.stream()
                    .map(k -> new Product(SqrtRational.ONE, "go" + k, "s" + k)).toList(), type));
            ks.forEach(k -> code.addStatement("gGradOut[$L] += Math.fma(weight, s$L, ggWeight * t$L)",
                    outAt("gradOutIndex", k), k, k));
        } else {
            ks.forEach(k -> code.addStatement("gGradOut[$L] += s$L", outAt("gradOutIndex", k), k));
        }
        if (mode.mixesChannels()) {
            if (weighted) {
                ks.forEach(k -> code.addStatement("g$L = Math.fma(weight, go$L, g$L)", k, k, k));
                ks.forEach(k -> code.addStatement("h$L = Math.fma(ggWeight, go$L, h$L)", k, k, k));
            } else {
                ks.forEach(k -> code.addStatement("g$L += go$L", k, k));
            }
            advance(code, "w", "gradOutIndex", channelStride(layout.dimOut()));
            closeLoop(code);
        } else if (weighted) {
            ks.forEach(k -> code.addStatement("$L g$L = weight * go$L", t, k, k));
            ks.forEach(k -> code.addStatement("$L h$L = ggWeight * go$L", t, k, k));
        }
    }

    /**
     * The input gradients of one channel pair from its weighted output gradient {@code gK}:
     * {@code sumI += sum_jk C_ijk bJ gK} (added to {@code gradX1} after the pair loop) and
     * {@code gradX2[j] += sum_ik C_ijk aI gK}.
     */
    private void inputGradientsFromG(CodeBlock.Builder code, NumberType type, List<CgTerm> terms) {
        Map<Integer, List<Product>> byI = new TreeMap<>();
        Map<Integer, List<Product>> byJ = new TreeMap<>();
        for (CgTerm term : terms) {
            byI.computeIfAbsent(term.i(), i -> new ArrayList<>())
                    .add(new Product(term.constant(), "b" + term.j(), "g" + term.k()));
            byJ.computeIfAbsent(term.j(), j -> new ArrayList<>())
                    .add(new Product(term.constant(), "a" + term.i(), "g" + term.k()));
        }
        byI.forEach((i, products) -> code.addStatement("sum$L += $L", i, fmaSum(products, type)));
        byJ.forEach((j, products) ->
                code.addStatement("gradX2[$L] += $L", in2(j), fmaSum(products, type)));
    }

    /**
     * The fused backward of a weighted path whose channels meet one {@code x2} channel
     * ({@link PathPlan#sharesX2()}), through {@code h_i = sum_k M_ik gradOut_k}: {@code gradX1_i += w h_i}, {@code gradWeights += sum_i a_i h_i} and
     * {@code P_ik += (w a_i) gradOut_k}, contracted into {@code gradX2} after the channel loop. Per channel that is
     * {@code 2|M| + 3 dim1} multiply-adds, against {@code 3|M| + 2 dimOut} through {@code t_k} and
     * {@code g_k = w gradOut_k} (mace-medium's {@code 1o x 3o -> 2e}: 39 against 55). {@code unrolled}: the channels
     * written one after the other, each in a block of its own and indexed from constants, instead of a loop.
     */
    private CodeBlock sharedWeightedBackwardBody(NumberType type, List<CgTerm> terms, boolean weightGradient,
                                                 boolean unrolled) {
        String t = type.type().toString();
        CodeBlock.Builder code = CodeBlock.builder();
        List<int[]> pairs = declareSharedX2(code, type, terms);
        pairs.forEach(pair -> code.addStatement("$L p$L_$L = $L", t, pair[0], pair[1], type.zero()));
        if (!unrolled) {
            openLoop(code, "u", "0", layout.mul1());
            sharedWeightedBackwardChannel(code, type, pairs, terms, weightGradient);
            closeLoop(code);
        }
        for (int u = 0; unrolled && u < layout.mul1(); u++) {
            code.add("{ // channel $L\n$>", u);
            unrolledChannel = u;
            sharedWeightedBackwardChannel(code, type, pairs, terms, weightGradient);
            unrolledChannel = -1;
            code.add("$<}\n");
        }
        gradX2ThroughP(code, type, terms);
        return code.build();
    }

    /** One channel of {@link #sharedWeightedBackwardBody}: its gradients and its terms of {@code P}. */
    private void sharedWeightedBackwardChannel(CodeBlock.Builder code, NumberType type, List<int[]> pairs,
                                               List<CgTerm> terms, boolean weightGradient) {
        String t = type.type().toString();
        loadX1(code, type, terms);
        code.addStatement("int gradOutIndex = $L",
                outChannelIndex("gradOutOffset"));
        pairs.stream().map(pair -> pair[1]).distinct().sorted()
                .forEach(k -> code.addStatement("$L go$L = gradOut[$L]", t, k, outAt("gradOutIndex", k)));
        Map<Integer, List<Product>> byI = new TreeMap<>();
        for (int[] pair : pairs) {
            byI.computeIfAbsent(pair[0], i -> new ArrayList<>())
                    .add(new Product(SqrtRational.ONE, "m" + pair[0] + "_" + pair[1], "go" + pair[1]));
        }
        byI.forEach((i, products) -> code.addStatement("$L h$L = $L", t, i, fmaSum(products, type)));
        code.addStatement("int weightIndex = $L", weightBase());
        if (weightGradient && assigns && assignments.gradWeights() && unrolledChannel >= 0) {
            // Over the samples: fmaSum's chain (a0 * h0 innermost, dim1 < MAX_FMA_DEPTH products) started from +0.0
            // instead of adding +0.0 after it, one addition less: the same value, and -0.0 for +0.0 only where the
            // sum is zero and a product underflowed to zero from below
            String gradient = type.zero();
            for (int i : byI.keySet()) {
                gradient = "Math.fma(a" + i + ", h" + i + ", " + gradient + ")";
            }
            code.addStatement("gradWeights[weightIndex] = $L", gradient);
        } else if (weightGradient) {
            String gradient = fmaSum(byI.keySet().stream()
                    .map(i -> new Product(SqrtRational.ONE, "a" + i, "h" + i)).toList(), type);
            if (assigns && assignments.gradWeights()) {
                code.addStatement("gradWeights[weightIndex] = $L + $L", gradient, type.zero());
            } else {
                code.addStatement("gradWeights[weightIndex] += $L", gradient);
            }
        }
        code.addStatement("$L weight = weights[weightIndex]", t);
        boolean assignX1 = assigns && assignments.gradX1();
        byI.keySet().forEach(i -> code.addStatement("gradX1[$L] = Math.fma(weight, h$L, $L)", in1(i), i,
                assignX1 ? type.zero() : "gradX1[" + in1(i) + "]"));
        byI.keySet().forEach(i -> code.addStatement("$L wa$L = weight * a$L", t, i, i));
        pairs.forEach(pair -> code.addStatement("p$L_$L = Math.fma(wa$L, go$L, p$L_$L)", pair[0], pair[1], pair[0],
                pair[1], pair[0], pair[1]));
    }

    /** {@code gradX2_j += sum_ik C_ijk P_ik}, once per sample after the channel loop. */
    private void gradX2ThroughP(CodeBlock.Builder code, NumberType type, List<CgTerm> terms) {
        Map<Integer, List<Product>> byJ = new TreeMap<>();
        for (CgTerm term : terms) {
            byJ.computeIfAbsent(term.j(), j -> new ArrayList<>())
                    .add(new Product(term.constant(), "p" + term.i() + "_" + term.k(), null));
        }
        if (assigns && assignments.gradX2()) {
            byJ.forEach((j, products) -> code.addStatement("gradX2[$L] = $L + $L", in2(j), sum(products, type),
                    type.zero()));
        } else {
            byJ.forEach((j, products) -> code.addStatement("gradX2[$L] += $L", in2(j), sum(products, type)));
        }
    }

    /**
     * {@code gradWeights += gradOut . t} for the current pair's weights and {@code gK}, the weighted
     * {@code gradOut} that both input gradients contract with; unweighted, {@code gK} is {@code gradOut} itself.
     * Without {@code weightGradient}, {@code gK} alone.
     */
    private void weightGradientAndG(CodeBlock.Builder code, NumberType type, List<Integer> ks,
                                    boolean weightGradient) {
        String t = type.type().toString();
        if (!path.weighted()) {
            if (mode.mixesChannels()) {
                ks.forEach(k -> code.addStatement("$L g$L = $L", t, k, type.zero()));
                code.addStatement("int gradOutIndex = $L", plus("gradOutOffset", layout.offsetOut()));
                openLoop(code, "w", "0", layout.mulOut());
                ks.forEach(k -> code.addStatement("g$L += gradOut[$L]", k, outAt("gradOutIndex", k)));
                advance(code, "w", "gradOutIndex", channelStride(layout.dimOut()));
                closeLoop(code);
            } else {
                code.addStatement("int gradOutIndex = $L", outChannelIndex("gradOutOffset"));
                ks.forEach(k -> code.addStatement("$L g$L = gradOut[$L]", t, k, outAt("gradOutIndex", k)));
            }
            return;
        }
        String gradient = weightGradient ? fmaSum(ks.stream()
                .map(k -> new Product(SqrtRational.ONE, "go" + k, "t" + k)).toList(), type) : null;
        if (mode.mixesChannels()) {
            ks.forEach(k -> code.addStatement("$L g$L = $L", t, k, type.zero()));
            code.addStatement("int weightIndex = $L", weightBase());
            code.addStatement("int gradOutIndex = $L", plus("gradOutOffset", layout.offsetOut()));
            openLoop(code, "w", "0", layout.mulOut());
            ks.forEach(k -> code.addStatement("$L go$L = gradOut[$L]", t, k, outAt("gradOutIndex", k)));
            if (weightGradient) {
                code.addStatement("gradWeights[$L] += $L", plusAt("weightIndex", "w"), gradient);
            }
            code.addStatement("$L weight = weights[$L]", t, plusAt("weightIndex", "w"));
            ks.forEach(k -> code.addStatement("g$L += weight * go$L", k, k));
            advance(code, "w", "gradOutIndex", channelStride(layout.dimOut()));
            closeLoop(code);
            return;
        }
        code.addStatement("int gradOutIndex = $L", outChannelIndex("gradOutOffset"));
        ks.forEach(k -> code.addStatement("$L go$L = gradOut[$L]", t, k, outAt("gradOutIndex", k)));
        code.addStatement("int weightIndex = $L", weightBase());
        if (weightGradient) {
            code.addStatement("gradWeights[weightIndex] += $L", gradient);
        }
        code.addStatement("$L weight = weights[weightIndex]", t);
        ks.forEach(k -> code.addStatement("$L g$L = weight * go$L", t, k, k));
    }

    /** {@code sumO = 0} for every component {@code o} the terms write, summed over the inner channel loop. */
    private static void accumulatorsFor(CodeBlock.Builder code, NumberType type, List<CgTerm> terms,
                                        ToIntFunction<CgTerm> output) {
        terms.stream().mapToInt(output).distinct().sorted()
                .forEach(o -> code.addStatement("$L sum$L = $L", type.type(), o, type.zero()));
    }

    /**
     * The forward by weight rows: for the channel pairs {@code (u, v)} two rows at a time (consecutive {@code u}),
     * {@code t_k} and {@code s_k} as in {@link #pairedForwardBody}, then one loop over the output channels
     * {@code outT[k][w] += W[u v][w] t_k + W[u+1 v][w] s_k} for every component {@code k}, which HotSpot's superword
     * vectorizes because every array is indexed by a constant plus {@code w}. With shared weights of 64 x 64 this ran
     * at about three times the speed of the scalar {@code mul_ir} loop (39 against 13 GFLOP/s on one core, in cache).
     */
    private CodeBlock weightRowsForwardBody(NumberType type, List<CgTerm> terms) {
        CodeBlock.Builder code = CodeBlock.builder();
        int paired = layout.mul1() / 2 * 2;
        if (paired > 0) {
            boolean scoped = paired == 2 && paired < layout.mul1();
            if (paired == 2) {
                // one pair: no loop, in a block of its own when the last channel follows with the same names
                loops.push("u");
                if (scoped) {
                    code.add("{ // channels 0 and 1\n$>");
                }
            } else {
                openRawLoop(code, "for (int u = 0; u < $L; u += 2)", paired);
            }
            weightRowsChannels(code, type, terms, true);
            closeLoop(code);
            if (scoped) {
                code.add("$<}\n");
            }
        }
        if (paired < layout.mul1()) {
            if (paired == 0) {
                loops.push("u");
                weightRowsChannels(code, type, terms, false);
                closeLoop(code);
            } else {
                code.add("{ // the last channel\n$>");
                code.addStatement("int u = $L", paired);
                weightRowsChannels(code, type, terms, false);
                code.add("$<}\n");
            }
        }
        return code.build();
    }

    /**
     * The fused backward by weight columns and gradient rows ({@link Operation#BACKWARD_WEIGHT_ROWS}). First
     * {@code g_k[u v] = sum_w W[u v][w] gradOut[w]_k} for every channel pair at once: loops over the pairs, two output
     * channels at a time, {@code gT[k][u v] += W[.][w][u v] gradOutT[k][w] + W[.][w+1][u v] gradOutT[k][w+1]}, which
     * HotSpot vectorizes (a sum over {@code w} per pair would be a reduction, which it does not). Then per pair, as
     * {@link #fusedBackwardBody}: the input gradients from {@code g}, and {@code t_k} for the weight gradient row
     * {@code gradRows[u v][w] += sum_k t_k gradOutT[k][w]}, vectorized over {@code w}.
     */
    private CodeBlock weightRowsBackwardBody(NumberType type, List<CgTerm> terms) {
        String t = type.type().toString();
        String arrayType = type.arrayType().toString();
        CodeBlock.Builder code = CodeBlock.builder();
        List<Integer> ks = terms.stream().map(CgTerm::k).distinct().sorted().toList();
        int pairs = plan.weightRowCount();
        code.addStatement("$T.fill(gT, 0, $L, $L)", ClassName.get("java.util", "Arrays"), ks.size() * pairs,
                type.zero());
        int pairedW = layout.mulOut() / 2 * 2;
        code.beginControlFlow("for (int w = 0; w < $L; w += 2)", pairedW);
        weightColumnsStep(code, type, ks, true, false);
        code.endControlFlow();
        if (pairedW < layout.mulOut()) {
            code.add("{ // the last output channel\n$>");
            code.addStatement("int w = $L", pairedW);
            weightColumnsStep(code, type, ks, false, false);
            code.add("$<}\n");
        }
        openLoop(code, "u", "0", layout.mul1());
        loadX1(code, type, terms);
        accumulatorsFor(code, type, terms, CgTerm::i);
        openLoop(code, "v", "0", layout.mul2());
        code.addStatement("int in2Index = $L", x2Index("v"));
        terms.stream().map(CgTerm::j).distinct().sorted()
                .forEach(j -> code.addStatement("$L b$L = x2[$L]", t, j, in2(j)));
        String pair = weightRowPair();
        if (!pair.isEmpty()) {
            code.addStatement("int pair = $L", pair);
        }
        for (int n = 0; n < ks.size(); n++) {
            int base = n * pairs;
            String index = pair.isEmpty() ? Integer.toString(base) : base == 0 ? "pair" : base + " + pair";
            code.addStatement("$L g$L = gT[$L]", t, ks.get(n), index);
        }
        inputGradientsFromG(code, type, terms);
        declareContractions(code, type, terms);
        gradientRowLoop(code, arrayType, ks, "t", rowIndex(plan.firstWeightRow(), pair.isEmpty() ? "" : "pair"));
        closeLoop(code);
        terms.stream().mapToInt(CgTerm::i).distinct().sorted()
                .forEach(i -> code.addStatement("gradX1[$L] += sum$L", in1(i), i));
        closeLoop(code);
        return code.build();
    }

    /**
     * The double backward by weight columns and rows ({@link Operation#DOUBLE_BACKWARD_WEIGHT_ROWS}), the strategy of
     * {@link #weightRowsBackwardBody} applied to the terms of {@link #doubleBackwardBody}. First the weighted output
     * gradients of every channel pair, {@code g_k[u v] = sum_w W[u v][w] gradOut[w]_k} into {@code gT} and
     * {@code h_k[u v] = sum_w ggW[u v][w] gradOut[w]_k} into {@code hT}, in vectorized loops over the pairs. Then per
     * pair: {@code gX1_i += sum_jk C_ijk (ggB_j g_k + b_j h_k)}, {@code gX2_j += sum_ik C_ijk (ggA_i g_k + a_i h_k)},
     * {@code t_k} and {@code s_k = sum_ij C_ijk (ggA_i b_j + a_i ggB_j)}, and two loops over the output channels
     * {@code w}, vectorized: {@code gGradOutT[k][w] += W[u v][w] s_k + ggW[u v][w] t_k} and
     * {@code gradRows[u v][w] += sum_k s_k gradOutT[k][w]}.
     */
    private CodeBlock weightRowsDoubleBackwardBody(NumberType type, List<CgTerm> terms) {
        String t = type.type().toString();
        String arrayType = type.arrayType().toString();
        CodeBlock.Builder code = CodeBlock.builder();
        List<Integer> ks = terms.stream().map(CgTerm::k).distinct().sorted().toList();
        int pairs = plan.weightRowCount();
        for (String scratch : List.of("gT", "hT")) {
            code.addStatement("$T.fill($L, 0, $L, $L)", ClassName.get("java.util", "Arrays"), scratch,
                    ks.size() * pairs, type.zero());
        }
        int pairedW = layout.mulOut() / 2 * 2;
        code.beginControlFlow("for (int w = 0; w < $L; w += 2)", pairedW);
        weightColumnsStep(code, type, ks, true, true);
        code.endControlFlow();
        if (pairedW < layout.mulOut()) {
            code.add("{ // the last output channel\n$>");
            code.addStatement("int w = $L", pairedW);
            weightColumnsStep(code, type, ks, false, true);
            code.add("$<}\n");
        }
        openLoop(code, "u", "0", layout.mul1());
        code.addStatement("int in1Index = $L", x1Index("u"));
        terms.stream().map(CgTerm::i).distinct().sorted().forEach(i -> {
            code.addStatement("$L a$L = x1[$L]", t, i, in1(i));
            code.addStatement("$L ggA$L = ggX1[$L]", t, i, in1(i));
        });
        accumulatorsFor(code, type, terms, CgTerm::i);
        openLoop(code, "v", "0", layout.mul2());
        code.addStatement("int in2Index = $L", x2Index("v"));
        terms.stream().map(CgTerm::j).distinct().sorted().forEach(j -> {
            code.addStatement("$L b$L = x2[$L]", t, j, in2(j));
            code.addStatement("$L ggB$L = ggX2[$L]", t, j, in2(j));
        });
        String pair = weightRowPair();
        if (!pair.isEmpty()) {
            code.addStatement("int pair = $L", pair);
        }
        for (int n = 0; n < ks.size(); n++) {
            int base = n * pairs;
            String index = pair.isEmpty() ? Integer.toString(base) : base == 0 ? "pair" : base + " + pair";
            code.addStatement("$L g$L = gT[$L]", t, ks.get(n), index);
            code.addStatement("$L h$L = hT[$L]", t, ks.get(n), index);
        }
        Map<Integer, List<Product>> byI = new TreeMap<>();
        Map<Integer, List<Product>> byJ = new TreeMap<>();
        Map<Integer, List<Product>> byK = new TreeMap<>();
        for (CgTerm term : terms) {
            List<Product> toI = byI.computeIfAbsent(term.i(), i -> new ArrayList<>());
            toI.add(new Product(term.constant(), "ggB" + term.j(), "g" + term.k()));
            toI.add(new Product(term.constant(), "b" + term.j(), "h" + term.k()));
            List<Product> toJ = byJ.computeIfAbsent(term.j(), j -> new ArrayList<>());
            toJ.add(new Product(term.constant(), "ggA" + term.i(), "g" + term.k()));
            toJ.add(new Product(term.constant(), "a" + term.i(), "h" + term.k()));
            List<Product> toK = byK.computeIfAbsent(term.k(), k -> new ArrayList<>());
            toK.add(new Product(term.constant(), "ggA" + term.i(), "b" + term.j()));
            toK.add(new Product(term.constant(), "a" + term.i(), "ggB" + term.j()));
        }
        byI.forEach((i, products) -> code.addStatement("sum$L += $L", i, fmaSum(products, type)));
        byJ.forEach((j, products) -> code.addStatement("gX2[$L] += $L", in2(j), fmaSum(products, type)));
        declareContractions(code, type, terms);
        byK.forEach((k, products) -> code.addStatement("$L s$L = $L", t, k, fmaSum(products, type)));
        String row = rowIndex(plan.firstWeightRow(), pair.isEmpty() ? "" : "pair");
        code.addStatement("$L row = weightRows[$L]", arrayType, row);
        code.addStatement("$L ggRow = ggWeightRows[$L]", arrayType, row);
        code.beginControlFlow("for (int w = 0; w < $L; w++)", layout.mulOut());
        code.addStatement("$L weight = row[w]", t);
        code.addStatement("$L ggWeight = ggRow[w]", t);
        for (int k : ks) {
            String target = "gGradOutT[" + channelLastRowIndex(k) + "]";
            code.addStatement("$L = Math.fma(ggWeight, t$L, Math.fma(weight, s$L, $L))", target, k, k, target);
        }
        code.endControlFlow();
        gradientRowLoop(code, arrayType, ks, "s", row);
        closeLoop(code);
        terms.stream().mapToInt(CgTerm::i).distinct().sorted()
                .forEach(i -> code.addStatement("gX1[$L] += sum$L", in1(i), i));
        closeLoop(code);
        return code.build();
    }

    /**
     * {@code gradRow = gradRows[row]} and {@code gradRow[w] += sum_k <factor>_k gradOutT[k][w]} in a loop over
     * {@code w}, in statements of at most 16 nested calls (javac attributes nested calls recursively, see
     * {@link #fmaSum}).
     */
    private void gradientRowLoop(CodeBlock.Builder code, String arrayType, List<Integer> ks, String factor,
                                 String row) {
        code.addStatement("$L gradRow = gradRows[$L]", arrayType, row);
        code.beginControlFlow("for (int w = 0; w < $L; w++)", layout.mulOut());
        for (int first = 0; first < ks.size(); first += 16) {
            String sum = "gradRow[w]";
            for (int k : ks.subList(first, Math.min(ks.size(), first + 16))) {
                sum = "Math.fma(" + factor + k + ", gradOutT[" + channelLastRowIndex(k) + "], " + sum + ")";
            }
            code.addStatement("gradRow[w] = $L", sum);
        }
        code.endControlFlow();
    }

    /** The index of output channel {@code w} of component {@code k} in channel-last output scratch. */
    private String channelLastRowIndex(int k) {
        int base = layout.offsetOut() + k * layout.mulOut();
        return base == 0 ? "w" : base + " + w";
    }

    /** The current pair's index among this path's weight rows ({@link #pairIndex}), empty for the only pair. */
    private String weightRowPair() {
        String pair = pairIndex();
        return pair.equals("0") ? "" : pair;
    }

    /**
     * One step of the {@code g} loop: columns {@code w} and {@code w + 1} (or {@code w} alone) into {@code gT}; with
     * {@code cotangent}, the same columns of {@code ggW} into {@code hT}.
     */
    private void weightColumnsStep(CodeBlock.Builder code, NumberType type, List<Integer> ks, boolean pair,
                                   boolean cotangent) {
        String t = type.type().toString();
        String arrayType = type.arrayType().toString();
        code.addStatement("$L column = weightColumns[$L]", arrayType, rowIndex(plan.firstWeightColumn(), "w"));
        if (pair) {
            code.addStatement("$L nextColumn = weightColumns[$L]", arrayType,
                    rowIndex(plan.firstWeightColumn() + 1, "w"));
        }
        if (cotangent) {
            code.addStatement("$L ggColumn = ggWeightColumns[$L]", arrayType,
                    rowIndex(plan.firstWeightColumn(), "w"));
            if (pair) {
                code.addStatement("$L ggNextColumn = ggWeightColumns[$L]", arrayType,
                        rowIndex(plan.firstWeightColumn() + 1, "w"));
            }
        }
        for (int k : ks) {
            int base = layout.offsetOut() + k * layout.mulOut();
            code.addStatement("$L go$L = gradOutT[$L]", t, k, base == 0 ? "w" : base + " + w");
            if (pair) {
                code.addStatement("$L ho$L = gradOutT[$L]", t, k, (base + 1) + " + w");
            }
        }
        int pairs = plan.weightRowCount();
        code.beginControlFlow("for (int pair = 0; pair < $L; pair++)", pairs);
        code.addStatement("$L weight = column[pair]", t);
        if (pair) {
            code.addStatement("$L next = nextColumn[pair]", t);
        }
        if (cotangent) {
            code.addStatement("$L ggWeight = ggColumn[pair]", t);
            if (pair) {
                code.addStatement("$L ggNext = ggNextColumn[pair]", t);
            }
        }
        for (int n = 0; n < ks.size(); n++) {
            int base = n * pairs;
            String index = base == 0 ? "pair" : base + " + pair";
            int k = ks.get(n);
            columnSum(code, "gT[" + index + "]", "weight", "next", k, pair);
            if (cotangent) {
                columnSum(code, "hT[" + index + "]", "ggWeight", "ggNext", k, pair);
            }
        }
        code.endControlFlow();
    }

    /** {@code target += weight go_k (+ next ho_k)}: column {@code w} (and {@code w + 1}) of one pair. */
    private static void columnSum(CodeBlock.Builder code, String target, String weight, String next, int k,
                                  boolean pair) {
        if (pair) {
            code.addStatement("$L = Math.fma($L, ho$L, Math.fma($L, go$L, $L))", target, next, k, weight, k, target);
        } else {
            code.addStatement("$L = Math.fma($L, go$L, $L)", target, weight, k, target);
        }
    }

    /** {@code first + variablePart}, written as a person would: no {@code 0 +}, a number alone when constant. */
    private static String rowIndex(int first, String variablePart) {
        if (variablePart.isEmpty()) {
            return Integer.toString(first);
        }
        return first == 0 ? variablePart : first + " + " + variablePart;
    }

    /** One channel {@code u}, or the pair {@code u, u + 1}: every {@code v}, then the row loop over {@code w}. */
    private void weightRowsChannels(CodeBlock.Builder code, NumberType type, List<CgTerm> terms, boolean pair) {
        String t = type.type().toString();
        String arrayType = type.arrayType().toString();
        loadChannelPair(code, type, terms, pair);
        List<Integer> ks = declareContractions(code, type, terms, "a", "t");
        if (pair) {
            declareContractions(code, type, terms, "c", "s");
        }
        String row = at("u").equals("0") ? "" : layout.mul2() == 1 ? "u" : "u * " + layout.mul2();
        if (!at("v").equals("0")) {
            row = row.isEmpty() ? "v" : row + " + v";
        }
        code.addStatement("$L row = weightRows[$L]", arrayType, rowIndex(plan.firstWeightRow(), row));
        if (pair) {
            // the next channel's row for the same v: mul2 rows further
            code.addStatement("$L nextRow = weightRows[$L]", arrayType,
                    rowIndex(plan.firstWeightRow() + layout.mul2(), row));
        }
        code.beginControlFlow("for (int w = 0; w < $L; w++)", layout.mulOut());
        code.addStatement("$L weight = row[w]", t);
        if (pair) {
            code.addStatement("$L next = nextRow[w]", t);
        }
        for (int k : ks) {
            int base = layout.offsetOut() + k * layout.mulOut();
            String target = "outT[" + (base == 0 ? "w" : base + " + w") + "]";
            if (pair) {
                code.addStatement("$L = Math.fma(next, s$L, Math.fma(weight, t$L, $L))", target, k, k, target);
            } else {
                code.addStatement("$L = Math.fma(weight, t$L, $L)", target, k, target);
            }
        }
        code.endControlFlow();
        closeLoop(code);
    }

    /**
     * {@code out[w] += W[u w] t_u + W[u+1 w] t_{u+1}} for pairs of input channels, then the last channel alone when
     * there is an odd one; see {@link PathPlan#pairsChannels()}.
     */
    private CodeBlock pairedForwardBody(NumberType type, List<CgTerm> terms) {
        CodeBlock.Builder code = CodeBlock.builder();
        int paired = layout.mul1() / 2 * 2;
        openRawLoop(code, "for (int u = 0; u < $L; u += 2)", paired);
        channelsForward(code, type, terms, true);
        if (paired < layout.mul1()) {
            openLoop(code, "u", paired, layout.mul1());
            channelsForward(code, type, terms, false);
        }
        return code.build();
    }

    /** The body of a {@link #pairedForwardBody} loop, for channels {@code u} and {@code u + 1} or {@code u} alone. */
    private void channelsForward(CodeBlock.Builder code, NumberType type, List<CgTerm> terms, boolean pair) {
        String t = type.type().toString();
        loadChannelPair(code, type, terms, pair);
        if (!pair) {
            forwardBody(code, type, terms);
        } else {
            List<Integer> ks = declareContractions(code, type, terms, "a", "t");
            declareContractions(code, type, terms, "c", "s");
            code.addStatement("int weightIndex = $L", weightBase());
            code.addStatement("int outIndex = $L", plus("outOffset", layout.offsetOut()));
            openLoop(code, "w", "0", layout.mulOut());
            code.addStatement("$L weight = weights[$L]", t, plusAt("weightIndex", "w"));
            // the next channel's weights for the same v: one row of mul2 * mulOut further
            code.addStatement("$L next = weights[$L]", t,
                    plusAt(plus("weightIndex", layout.mul2() * layout.mulOut()), "w"));
            ks.forEach(k -> code.addStatement("out[$L] += Math.fma(next, s$L, weight * t$L)",
                    outAt("outIndex", k), k, k));
            advance(code, "w", "outIndex", channelStride(layout.dimOut()));
            closeLoop(code);
        }
        closeLoop(code);
        closeLoop(code);
    }

    /**
     * The x1 components of channel {@code u} ({@code aI}) and, for a pair, of {@code u + 1} ({@code cI}); then opens
     * the loop over {@code v} and loads the x2 components ({@code bJ}). The caller closes that loop.
     */
    private void loadChannelPair(CodeBlock.Builder code, NumberType type, List<CgTerm> terms, boolean pair) {
        String t = type.type().toString();
        code.addStatement("int in1Index = $L", x1Index("u"));
        List<Integer> is = terms.stream().map(CgTerm::i).distinct().sorted().toList();
        is.forEach(i -> code.addStatement("$L a$L = x1[$L]", t, i, in1(i)));
        if (pair) {
            is.forEach(i -> code.addStatement("$L c$L = x1[$L]", t, i, nextIn1(i)));
        }
        openLoop(code, "v", "0", layout.mul2());
        code.addStatement("int in2Index = $L", x2Index("v"));
        terms.stream().map(CgTerm::j).distinct().sorted()
                .forEach(j -> code.addStatement("$L b$L = x2[$L]", t, j, in2(j)));
    }

    private void forwardBody(CodeBlock.Builder code, NumberType type, List<CgTerm> terms) {
        writeOutputs(code, type, declareContractions(code, type, terms));
    }

    /** {@code out += W t}: over the output channels {@code w} when mixing, else into the pair's own channel. */
    private void writeOutputs(CodeBlock.Builder code, NumberType type, List<Integer> ks) {
        String weight = path.weighted() ? "weight * " : "";
        if (mode.mixesChannels()) {
            if (path.weighted()) {
                code.addStatement("int weightIndex = $L", weightBase());
            }
            code.addStatement("int outIndex = $L", plus("outOffset", layout.offsetOut()));
            openLoop(code, "w", "0", layout.mulOut());
            if (path.weighted()) {
                code.addStatement("$L weight = weights[$L]", type.type(), plusAt("weightIndex", "w"));
            }
            ks.forEach(k -> code.addStatement("out[$L] += $Lt$L", outAt("outIndex", k), weight, k));
            advance(code, "w", "outIndex", channelStride(layout.dimOut()));
            closeLoop(code);
        } else {
            if (path.weighted()) {
                code.addStatement("$L weight = weights[$L]", type.type(), weightBase());
            }
            code.addStatement("int outIndex = $L", outChannelIndex("outOffset"));
            if (assigns && assignments.out() && path.weighted() && unrolledChannel >= 0) {
                // Over the samples: w t rounded once as by w * t, and + 0.0 in the same instruction; -0.0 for +0.0
                // only where w t underflows to zero from below (|w t| under half the smallest subnormal)
                ks.forEach(k -> code.addStatement("out[$L] = Math.fma(weight, t$L, $L)", outAt("outIndex", k), k,
                        type.zero()));
            } else if (assigns && assignments.out()) {
                ks.forEach(k -> code.addStatement("out[$L] = $Lt$L + $L", outAt("outIndex", k), weight, k,
                        type.zero()));
            } else {
                ks.forEach(k -> code.addStatement("out[$L] += $Lt$L", outAt("outIndex", k), weight, k));
            }
        }
    }

    private void gradWeightsBody(CodeBlock.Builder code, NumberType type, List<CgTerm> terms) {
        List<Integer> ks = declareContractions(code, type, terms);
        List<String> products = ks.stream().map(k -> "gradOut[" + outAt("gradOutIndex", k) + "] * t" + k).toList();
        String sum = String.join(" + ", products);
        if (mode.mixesChannels()) {
            code.addStatement("int weightIndex = $L", weightBase());
            code.addStatement("int gradOutIndex = $L", plus("gradOutOffset", layout.offsetOut()));
            openLoop(code, "w", "0", layout.mulOut());
            code.addStatement("gradWeights[$L] += $L", plusAt("weightIndex", "w"), sum);
            advance(code, "w", "gradOutIndex", channelStride(layout.dimOut()));
            closeLoop(code);
        } else {
            code.addStatement("int gradOutIndex = $L", outChannelIndex("gradOutOffset"));
            code.addStatement("gradWeights[$L] += $L", weightBase(), sum);
        }
    }

    /** {@code t_k = sum_ij C_ijk a_i b_j} for the components {@code k} of {@code terms}; returns those k. */
    private List<Integer> declareContractions(CodeBlock.Builder code, NumberType type, List<CgTerm> terms) {
        return declareContractions(code, type, terms, "a", "t");
    }

    /** The same, on the x1 components named {@code x1Name + i}, into {@code name + k}. */
    private List<Integer> declareContractions(CodeBlock.Builder code, NumberType type, List<CgTerm> terms,
                                              String x1Name, String name) {
        Map<Integer, List<Product>> byK = new TreeMap<>();
        for (CgTerm term : terms) {
            byK.computeIfAbsent(term.k(), k -> new ArrayList<>())
                    .add(new Product(term.constant(), x1Name + term.i(), "b" + term.j()));
        }
        byK.forEach((k, products) -> code.addStatement("$L $L$L = $L", type.type(), name, k,
                fmaSum(products, type)));
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
            code.addStatement("int gradOutIndex = $L", plus("gradOutOffset", layout.offsetOut()));
            openLoop(code, "w", "0", layout.mulOut());
            if (path.weighted()) {
                code.addStatement("$L weight = weights[$L]", t, plusAt("weightIndex", "w"));
            }
            String weight = path.weighted() ? "weight * " : "";
            ks.forEach(k -> code.addStatement("g$L += $LgradOut[$L]", k, weight, outAt("gradOutIndex", k)));
            advance(code, "w", "gradOutIndex", channelStride(layout.dimOut()));
            closeLoop(code);
        } else {
            if (path.weighted()) {
                code.addStatement("$L weight = weights[$L]", t, weightBase());
            }
            code.addStatement("int gradOutIndex = $L", outChannelIndex("gradOutOffset"));
            String weight = path.weighted() ? "weight * " : "";
            ks.forEach(k -> code.addStatement("$L g$L = $LgradOut[$L]", t, k, weight, outAt("gradOutIndex", k)));
        }
        Map<Integer, List<Product>> byOutput = new TreeMap<>();
        for (CgTerm term : terms) {
            byOutput.computeIfAbsent(output.applyAsInt(term), o -> new ArrayList<>())
                    .add(new Product(term.constant(), other.apply(term), "g" + term.k()));
        }
        if (target == null) {
            byOutput.forEach((o, products) -> code.addStatement("sum$L += $L", o, fmaSum(products, type)));
        } else {
            byOutput.forEach((o, products) ->
                    code.addStatement("$L[$L] += $L", target, component(targetIndex, o), fmaSum(products, type)));
        }
    }

    /**
     * {@code C0 * (a0 * b1 - a1 * b0) + C1 * a2 * b2}: products grouped by the magnitude of their constant, so that
     * each distinct constant multiplies once; a magnitude of exactly 1 is left out.
     */
    private String sum(List<Product> products, NumberType type) {
        Map<BigFraction, List<Product>> groups = byMagnitude(products);
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
                inner.append(product.left());
                if (product.right() != null) {
                    inner.append(" * ").append(product.right());
                }
            }
            String term;
            SqrtRational magnitude = group.get(0).constant();
            if (ConstantPool.isOne(magnitude)) {
                term = group.size() == 1 || expression.length() == 0 && !allNegative ? inner.toString()
                        : "(" + inner + ")";
            } else {
                String name = constants.fieldName(magnitude, type);
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

    /**
     * {@link #sum} as a chain of {@code Math.fma}: the products of each constant's group fused into one rounding each
     * (the first one multiplied), then {@code Math.fma(C, group, rest)} over the groups. HotSpot vectorizes
     * {@code Math.fma} into FMA instructions, which multiply and add in one; {@code a * b + c} stays two (Java does
     * not contract it). Products without a right operand are left to {@link #sum}. Calls nest at most
     * {@link #MAX_FMA_DEPTH} deep; longer chains (high l) are summed with {@code +}, as javac attributes nested
     * method calls recursively (about 200 levels overflowed its stack at l = 100).
     */
    private String fmaSum(List<Product> products, NumberType type) {
        if (products.stream().anyMatch(product -> product.right() == null)) {
            return sum(products, type);
        }
        Map<BigFraction, List<Product>> groups = byMagnitude(products);
        List<String> chains = new ArrayList<>();
        String expression = null;
        int depth = 0;
        for (List<Product> group : groups.values()) {
            boolean allNegative = group.stream().allMatch(p -> p.constant().signum() < 0);
            List<String> innerChains = new ArrayList<>();
            String inner = null;
            int innerDepth = 0;
            for (Product product : group) {
                boolean negative = (product.constant().signum() < 0) != allNegative;
                String left = negative ? "-" + product.left() : product.left();
                if (inner != null && innerDepth == MAX_FMA_DEPTH) {
                    innerChains.add(inner);
                    inner = null;
                }
                inner = inner == null ? left + " * " + product.right()
                        : "Math.fma(" + left + ", " + product.right() + ", " + inner + ")";
                innerDepth = inner.startsWith("Math.fma(") ? innerDepth + 1 : 0;
            }
            if (!innerChains.isEmpty()) {
                innerChains.add(inner);
                inner = "(" + String.join(" + ", innerChains) + ")";
                innerDepth = MAX_FMA_DEPTH;
            }
            SqrtRational magnitude = group.get(0).constant();
            String factor = ConstantPool.isOne(magnitude) ? null : constants.fieldName(magnitude, type);
            if (allNegative) {
                if (factor == null) {
                    inner = "-(" + inner + ")";
                } else {
                    factor = "-" + factor;
                }
            }
            if (expression != null && Math.max(depth, innerDepth) + 1 > MAX_FMA_DEPTH) {
                chains.add(expression);
                expression = null;
            }
            if (expression == null) {
                expression = factor == null ? inner
                        : factor + " * " + (inner.startsWith("-") ? "(" + inner + ")" : inner);
                depth = innerDepth;
            } else if (factor == null) {
                expression = inner + " + " + expression;
                depth = Math.max(depth, innerDepth);
            } else {
                expression = "Math.fma(" + factor + ", " + inner + ", " + expression + ")";
                depth = Math.max(depth, innerDepth) + 1;
            }
        }
        chains.add(expression);
        return String.join(" + ", chains);
    }

    /** The products grouped by the magnitude of their constant, in order of first appearance. */
    private static Map<BigFraction, List<Product>> byMagnitude(List<Product> products) {
        Map<BigFraction, List<Product>> groups = new LinkedHashMap<>();
        for (Product product : products) {
            groups.computeIfAbsent(product.constant().square(), s -> new ArrayList<>()).add(product);
        }
        return groups;
    }

    /** The flat index of the path's first weight for the current pair (times {@code mulOut} when mixing). */
    private String weightBase() {
        String pair = pairIndex();
        String base = plus("weightOffset", path.weightOffset());
        if (pair.equals("0")) {
            return base;
        }
        if (unrolledChannel >= 0 && !mode.mixesChannels()) {
            return plus("weightOffset", path.weightOffset() + Integer.parseInt(pair));
        }
        if (mode.mixesChannels() && layout.mulOut() > 1) {
            return base + " + " + grouped(pair) + " * " + layout.mulOut();
        }
        return base + " + " + pair;
    }

    /** Index of {@code (u, v)} among the pairs the mode visits, where the loops stand ({@link #at}). */
    private String pairIndex() {
        return plan.pairIndex(at("u"), at("v"));
    }

    /** Output channel of a non-mixing mode. */
    private String channel() {
        return switch (mode) {
            case UVU, UUU -> at("u");
            case UVV -> at("v");
            case UVUV, UVU_LT_V -> grouped(pairIndex());
            case UVW, UUW, U_LT_VW -> throw new IllegalStateException(mode + " mixes channels");
        };
    }

    /** The step from one channel to the next in an operand of irrep dimension {@code dim}: 1 channel-last. */
    private int channelStride(int dim) {
        return channelLastOperands ? 1 : dim;
    }

    /**
     * The distance of component {@code component} from its channel's first component in an operand of
     * multiplicity {@code mul}: the component itself, or {@code component * mul} channel-last.
     */
    private int componentOffset(int component, int mul) {
        return channelLastOperands ? component * mul : component;
    }

    /** Component {@code i} of the current {@code x1} channel (or of its gradient), from {@code in1Index}. */
    private String in1(int i) {
        return plus("in1Index", componentOffset(i, layout.mul1()));
    }

    /** Component {@code i} of the {@code x1} channel after the current one. */
    private String nextIn1(int i) {
        return plus("in1Index", channelStride(layout.dim1()) + componentOffset(i, layout.mul1()));
    }

    /** Component {@code j} of the current {@code x2} channel (or of its gradient), from {@code in2Index}. */
    private String in2(int j) {
        return plus("in2Index", componentOffset(j, layout.mul2()));
    }

    /** Component {@code k} of the output channel at {@code index} ({@code outIndex} or {@code gradOutIndex}). */
    private String outAt(String index, int k) {
        return plus(index, componentOffset(k, layout.mulOut()));
    }

    /** Component {@code k} of output channel {@code channel} counted from the one at {@code index}. */
    private String outAt(String index, int k, int channel) {
        return plus(index, channel * channelStride(layout.dimOut()) + componentOffset(k, layout.mulOut()));
    }

    /** The index of {@code x1} channel {@code channel} (a loop variable) of this path in the sample. */
    private String x1Index(String channel) {
        return index("x1Offset", layout.offset1(), channel, channelStride(layout.dim1()));
    }

    /** The index of {@code x2} channel {@code channel} (a loop variable) of this path in the sample. */
    private String x2Index(String channel) {
        return index("x2Offset", layout.offset2(), channel, channelStride(layout.dim2()));
    }

    /** The index of the output channel of a non-mixing mode ({@link #channel}) in the sample at {@code base}. */
    private String outChannelIndex(String base) {
        return index(base, layout.offsetOut(), channel(), channelStride(layout.dimOut()));
    }

    /** Component {@code o} from {@code index}: {@link #in1} for {@code in1Index}, else {@link #in2}. */
    private String component(String index, int o) {
        return index.equals("in1Index") ? in1(o) : in2(o);
    }

    /**
     * {@code base + offset + variable * stride}, folded into {@code base + offset'} where the variable stands at a
     * constant ({@link #at}).
     */
    private String index(String base, int offset, String variable, int stride) {
        String value = at(variable);
        if (value.matches("\\d+")) {
            // a left-out loop's 0 or an unrolled channel
            return plus(base, offset + Integer.parseInt(value) * stride);
        }
        return plus(base, offset) + " + " + (stride == 1 ? value : value + " * " + stride);
    }

    /**
     * Opens {@code for (int variable = from; variable < bound; variable++)}. A loop that would run exactly once from
     * 0 (a multiplicity of 1) is left out, and its variable reads as 0 in the indices inside ({@link #at}), as a
     * person would write it. {@link #closeLoop} closes either.
     */
    private void openLoop(CodeBlock.Builder code, String variable, Object from, Object bound) {
        // Strictly upper modes (u < v) index their pairs through both variables; with one channel they have none.
        if (!mode.strictlyUpper() && "0".equals(String.valueOf(from)) && "1".equals(String.valueOf(bound))
                && !loops.contains(variable)) {
            loops.push(variable);
            return;
        }
        code.beginControlFlow("for (int $L = $L; $L < $L; $L++)", variable, from, variable, bound, variable);
        loops.push("");
    }

    /** A loop with its own header, always written. */
    private void openRawLoop(CodeBlock.Builder code, String header, Object... arguments) {
        code.beginControlFlow(header, arguments);
        loops.push("");
    }

    private void closeLoop(CodeBlock.Builder code) {
        if (loops.pop().isEmpty()) {
            code.endControlFlow();
        }
    }

    /** {@code expression} in parentheses unless it is a single name or number. */
    private static String grouped(String expression) {
        return expression.matches("\\w+") ? expression : "(" + expression + ")";
    }

    /**
     * {@code variable}, or {@code "0"} inside its left-out loop ({@link #openLoop}), or the channel where the loop
     * over {@code u} is unrolled ({@link #unrolledChannel}).
     */
    private String at(String variable) {
        if (variable.equals("u") && unrolledChannel >= 0) {
            return String.valueOf(unrolledChannel);
        }
        return loops.contains(variable) ? "0" : variable;
    }

    /** {@code base + variable}, or {@code base} where the variable is 0. */
    private String plusAt(String base, String variable) {
        return at(variable).equals("0") ? base : base + " + " + variable;
    }

    /** {@code index += step} at the end of a loop over {@code variable}; nothing where that loop was left out. */
    private void advance(CodeBlock.Builder code, String variable, String index, int step) {
        if (!at(variable).equals("0")) {
            code.addStatement("$L += $L", index, step);
        }
    }

    private static String plus(String base, int offset) {
        return offset == 0 ? base : base + " + " + offset;
    }
}
