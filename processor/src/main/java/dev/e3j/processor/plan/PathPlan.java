package dev.e3j.processor.plan;

import dev.e3j.processor.model.CgTerm;
import dev.e3j.processor.model.ConnectionMode;
import dev.e3j.processor.model.PathModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToIntFunction;

/**
 * How one path of a tensor-product kernel is computed, decided once from the exact model: where its operands sit
 * ({@link PathLayout}), which strategies its methods take, and which of the kernel's shared weight rows and columns
 * it reads. The Java and the CUDA writers print from it; neither decides.
 *
 * @param path              the exact path
 * @param layout            offsets, dimensions and multiplicities of its operands
 * @param firstWeightRow    its first row in the kernel's weight rows ({@link #readsWeightRows()}), or {@code -1}
 * @param firstWeightColumn its first column {@code W[.][w]} in the kernel's weight columns
 *                          ({@link #backwardByColumns()}), or {@code -1}
 */
public record PathPlan(PathModel path, PathLayout layout, int firstWeightRow, int firstWeightColumn) {

    /** The shortest weight row read as its own array ({@link #weightRows()}): one AVX-512 vector of doubles. */
    public static final int MIN_WEIGHT_ROW = 8;

    /**
     * Unrolled uses of CG terms one generated path method holds at most, more split over several methods by output
     * components. About 8 bytes of bytecode per use: 400 uses stay near 3.5 kB including the loops. Forward and the
     * single gradients use each term once; the fused backward up to three times ({@code t}, the x1 and the x2
     * gradient: l 5 x 5 -> 10 in one method measured 9673 bytes).
     */
    public static final int MAX_TERM_USES_PER_METHOD = 400;
    /** A path's output components packed into methods: {@link #MAX_TERM_USES_PER_METHOD}. */
    private static final MethodPacker USES = MethodPacker.ofSize(MAX_TERM_USES_PER_METHOD);

    /** A path that reads no weight rows or columns (per-sample weights, or a kernel without weight rows). */
    public static PathPlan of(PathModel path, PathLayout layout) {
        return new PathPlan(path, layout, -1, -1);
    }

    public ConnectionMode mode() {
        return path.mode();
    }

    /**
     * Whether several channels {@code u} meet the same single {@code x2} channel ({@code mul2 = 1}) in a mode whose
     * indices do not mention {@code v}: then {@code M_ik = sum_j C_ijk x2_j} is computed once per sample and the
     * channel loop is a small dense product with {@code M}, which has at most as many entries as the CG pattern.
     * With one channel there is nothing to share and the plain contraction is cheaper (measured on tetris-poly-1);
     * in {@code uvw} the weight loop over {@code w} dominates and {@code M} showed no gain (diffdock), so it is left
     * to the channel-wise modes, where it halves the work of mace-like paths.
     */
    public boolean sharesX2() {
        return layout.mul2() == 1 && layout.mul1() > 1
                && (mode() == ConnectionMode.UVU || mode() == ConnectionMode.UVUV);
    }

    /**
     * Whether this path has channel-last methods: a {@code uvu} path of several channels with one {@code x2}
     * channel ({@link #sharesX2()}), whose per-channel work is a few dense loops over {@code u} through {@code M}.
     * The kernel decides which of its passes use them: a {@code mul_ir} forward only from
     * {@link TensorProductPlan#MIN_MUL_IR_FORWARD_CHANNELS} channels ({@link TensorProductPlan#forwardChannelLast()}).
     */
    public boolean channelLast() {
        return mode() == ConnectionMode.UVU && sharesX2();
    }

    /**
     * Whether the {@code uvw} forward takes the input channels {@code u} two at a time (where it does not contract
     * the weights first): each pass over the output row then adds two weight rows, so every {@code out} entry is
     * loaded and stored half as often. Diffdock's forward (48 x 48 weight blocks, f64), with the data in cache:
     * 0.33-0.36 against 0.25-0.27 ms; from memory, faster in five of six alternated pairs (8.0-10.6 against
     * 9.0-11.3 ms). Four channels at a time ran faster in cache but slower from memory (12.5-13.6 against
     * 8.8-11.3 ms): four concurrent weight streams per thread.
     */
    public boolean pairsChannels() {
        return mode() == ConnectionMode.UVW && layout.mul1() >= 2;
    }

    /**
     * Whether this path can read its weights by rows: a weighted {@code uvw} path whose rows {@code W[u v][0..mulOut)}
     * hold at least {@link #MIN_WEIGHT_ROW} weights. The kernel uses it when its weights are shared, so that the rows
     * are copied once per call.
     */
    public boolean weightRows() {
        return mode() == ConnectionMode.UVW && path.weighted() && layout.mulOut() >= MIN_WEIGHT_ROW;
    }

    /** Weight rows this path has, {@code mul1 * mul2}: one per channel pair {@code (u, v)}. */
    public int weightRowCount() {
        return layout.mul1() * layout.mul2();
    }

    /** The length of one weight row: the output multiplicity. */
    public int weightRowLength() {
        return layout.mulOut();
    }

    /** Whether the forward (and the fused backward's weight gradient) reads the kernel's weight rows. */
    public boolean readsWeightRows() {
        return firstWeightRow >= 0;
    }

    /**
     * Whether the fused backward of this weight-row path goes by weight columns: when it has at least
     * {@link #MIN_WEIGHT_ROW} channel pairs, the length of the vectorized loops over the columns. With one pair
     * (tetris-poly-1) those loops ran once per output channel, and the backward was 7-15% slower than the plain fused
     * one. The double backward of such a path goes by the same columns and rows.
     */
    public boolean backwardByColumns() {
        return firstWeightColumn >= 0;
    }

    /**
     * The output components ({@code k}, {@code i} or {@code j}, as {@code output} reads a term) of this path's
     * methods for one operation, ascending, each method holding consecutive components while its estimated uses stay
     * within {@link #MAX_TERM_USES_PER_METHOD}: {@code usesPerTerm} per CG term of the component (a term used once,
     * or up to three times by a fused backward) and {@code usesPerOutput} per component (statements written per
     * component, whatever its terms).
     */
    public List<List<Integer>> methodComponents(ToIntFunction<CgTerm> output, int usesPerTerm, int usesPerOutput) {
        TreeMap<Integer, Integer> terms = new TreeMap<>();
        for (CgTerm term : path.terms()) {
            terms.merge(output.applyAsInt(term), 1, Integer::sum);
        }
        List<List<Integer>> methods = new ArrayList<>();
        for (List<Map.Entry<Integer, Integer>> run : USES.pack(List.copyOf(terms.entrySet()),
                component -> (long) usesPerTerm * component.getValue() + usesPerOutput)) {
            methods.add(run.stream().map(Map.Entry::getKey).toList());
        }
        return List.copyOf(methods);
    }

    /**
     * The index of {@code (u, v)} among the pairs the mode visits, row-major, {@code u < v} pairs counted in order;
     * {@code u} and {@code v} are the channel expressions ({@code "0"} where a loop of one was left out).
     */
    public String pairIndex(String u, String v) {
        if (mode().diagonal()) {
            return u;
        }
        if (mode().strictlyUpper()) {
            // pairs (r, s) with r < u number sum_{r<u} (mul - 1 - r) = u (2 mul - 1 - u) / 2
            return "u * (" + (2 * layout.mul1() - 1) + " - u) / 2 + v - u - 1";
        }
        if (layout.mul2() == 1) {
            return u;
        }
        return u.equals("0") ? v : "u * " + layout.mul2() + " + " + v;
    }
}
