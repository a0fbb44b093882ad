package dev.e3j.processor.plan;

import dev.e3j.annotations.Layout;
import dev.e3j.processor.model.CgTerm;
import dev.e3j.processor.model.ConnectionMode;
import dev.e3j.processor.model.PathModel;
import dev.e3j.processor.model.TensorProductModel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.IntUnaryOperator;
import java.util.function.ToIntFunction;
import java.util.stream.IntStream;
import org.apache.commons.numbers.fraction.BigFraction;

/**
 * How a tensor-product kernel is computed, decided once from its exact model and then only read: the live paths
 * (e3nn's output mask drops the vacuous ones) each with its {@link PathPlan}, whether the forward runs channel-last,
 * and whether shared {@code uvw} weights are read by rows, with each such path's rows and columns assigned in order.
 *
 * @param model             the exact model
 * @param paths             the paths that contribute, in instruction order
 * @param channelLast       whether the kernel runs channel-last, on per-block ({@code ir_mul}) scratch copies of each
 *                          sample: when every path is channel-last ({@link PathPlan#channelLast()}); in the
 *                          {@link Layout#IR_MUL} layout the copies are plain. The forward does where
 *                          {@link #forwardChannelLast()}, the fused backward where
 *                          {@link #backwardChannelLast(boolean)}. The double backward runs channel-last in both
 *                          layouts (transposed copies in {@link Layout#MUL_IR})
 * @param weightRows        whether the forward reads shared {@code uvw} weights by rows ({@link PathPlan#weightRows()})
 * @param weightRowCount    rows the weight-row paths read, over all of them
 * @param weightColumnCount columns {@code W[.][w]} the fused backward of the weight-row paths reads, over all of them
 * @param gScratch          the size of the fused backward's scratch {@code gT} (and of the double backward's
 *                          {@code gT} and {@code hT}): the largest {@code dimOut x pairs} of the paths whose backward
 *                          goes by columns
 */
public record TensorProductPlan(TensorProductModel model, List<PathPlan> paths, boolean channelLast,
                                boolean weightRows, int weightRowCount, int weightColumnCount, int gScratch) {

    /**
     * Estimated constant-pool entries the path methods of one class may use. A class file holds at most 65535; the
     * square of {@code 1x19e} in float and double needs about 60,000 in one class (javac: "too many constants"), so
     * kernels above this budget put their path methods into nested classes, each with its own pool.
     */
    public static final int MAX_POOL_ENTRIES_PER_CLASS = 30_000;
    /**
     * About 15 to 20 bytes per call (one load per argument): 100 calls stay near 2 kB. The budget holds for a whole
     * method, so a block method with several batch loops shares it among them (backward: up to four loops).
     */
    public static final int MAX_CALLS_PER_METHOD = 100;
    /** Calls packed into helper methods: {@link #MAX_CALLS_PER_METHOD}. */
    public static final MethodPacker CALLS = MethodPacker.ofCount(MAX_CALLS_PER_METHOD);
    /**
     * Statements of a transposing copy per method (an entry counts one per component and one for its loop): about 22
     * bytecode bytes each (a component is read into a local, then stored), below the 8000-byte limit.
     */
    public static final int MAX_COPIES_PER_METHOD = 300;
    /** A transposing copy's entries packed into methods by their statements: {@link #MAX_COPIES_PER_METHOD}. */
    public static final MethodPacker COPIES = MethodPacker.ofSize(MAX_COPIES_PER_METHOD);
    /**
     * The fewest channels {@code mul1} every path of a {@link Layout#MUL_IR} kernel needs for its forward to run
     * channel-last ({@link #forwardChannelLast()}). With fewer, the loops over the channels are a few iterations
     * long, too short for superword to pay for the transposes of {@code x1} and {@code out} that each sample then
     * needs; the plain {@code mul_ir} forward (with {@code M} shared over the channels, {@link PathPlan#sharesX2()})
     * is faster. Gate points' edge product ({@code 8x0e+4x1o+2x2e x 0e+1o+2e}, 15 paths of 8, 4 and 2 channels,
     * per-sample weights; one thread's CPU time, the two builds alternated call by call in one JVM, 600 pairs of
     * 1,000 samples under load): plain over channel-last, median of the paired ratios 0.71 (p25-p75 0.59-0.89) in
     * float and 0.84 in double; minima 63 against 91 and 92 against 97 ns per sample. Nequip (32 channels) and MACE
     * (128) keep their measured channel-last forward; 9 to 15 channels were not measured. {@link Layout#IR_MUL}
     * kernels keep the channel-last forward at any count: their copies are plain, and the plain forward would
     * convert every block (the same kernel there: 125-155 against 77-90 ns per sample). The double backward stays
     * channel-last ({@link #channelLast()}): plain {@code mul_ir}, the same kernel's measured 3-9% slower.
     * Points-last blocks (each path looping over a block's points, on transposed rows) were slower than the plain
     * code for these kernels too, forward and backward: their transposes of {@code out} and {@code gradOut} cost about
     * what the plain kernel does (benchmarks/RESULTS.md, "Points-last kernels for few channels").
     */
    public static final int MIN_MUL_IR_FORWARD_CHANNELS = 16;
    /**
     * The fewest channels {@code mul1} every path of a {@link Layout#MUL_IR} kernel needs for its fused float backward
     * to run channel-last ({@link #backwardChannelLast(boolean)}), on copies of {@code x1} and {@code gradOut}
     * transposed per sample and a transposed {@code gradX1}. The channel-last loops save time per channel and path,
     * the transposes cost it per number; a float vector holds twice the channels of a double one. One thread's CPU
     * time for forward + backward, the two builds alternated, several JVMs, under load (benchmarks/RESULTS.md,
     * h/mulir32): in float, mace-medium (128 channels, 8 paths into 3 output blocks) 13% faster, revmd17 (64) 2-7%,
     * nequip (32) 5-8% slower, mace-medium's {@code conv_tp} (128 channels, but each of its 10 paths into an output
     * block of its own, {@code gradOut} 5120 numbers a sample) 18% slower; in double, mace-medium 5-15% slower,
     * nequip 9% faster. So double keeps the {@code mul_ir} backward, and float goes channel-last from 64 channels
     * where the paths share their output blocks ({@link #MIN_PATHS_PER_OUTPUT_BLOCK}).
     */
    public static final int MIN_MUL_IR_BACKWARD_CHANNELS = 64;
    /**
     * The fewest paths per output block, on average, for a {@link Layout#MUL_IR} kernel's fused float backward to
     * run channel-last: each block of {@code gradOut} is transposed once per sample and read by the paths into it,
     * so the transposes pay only where several paths share them ({@link #MIN_MUL_IR_BACKWARD_CHANNELS}).
     */
    public static final int MIN_PATHS_PER_OUTPUT_BLOCK = 2;
    /**
     * The most channels {@code mul1} a path of a {@link Layout#MUL_IR} kernel with per-sample weights may have for
     * its forward and fused backward to loop over the samples inside each path method ({@link #pathsOverSamples()}).
     * Called per path and sample, such a path method passes eleven arguments and runs a loop of 2-8 iterations whose
     * every array access is range-checked; called once per path and block, it loops over the samples with its
     * channels unrolled (where {@code M} is shared over them and the unrolled pattern fits one method), so that
     * HotSpot hoists the range checks out of the one loop left. Gate points' edge products ({@code uvu}, paths of 8,
     * 4 and 2 channels, per-edge weights; one thread's CPU time, 3 JVMs each, under load; benchmarks/RESULTS.md,
     * h/edgetp): {@code Layer1EdgeProduct} backward 0.52x (float) and 0.79x (double) at 630 edges, forward
     * 0.86-0.89x; {@code Layer2EdgeProduct} 0.85-0.94x; the same bits. The points-last alternative (transposed
     * blocks, loops over the points that superword vectorizes) loses to its transposes here
     * ({@link #MIN_MUL_IR_FORWARD_CHANNELS}). Kernels of 16 or more channels (nequip, revmd17, MACE) were not
     * measured this way and keep their code.
     */
    public static final int MAX_SAMPLE_LOOP_CHANNELS = MIN_MUL_IR_FORWARD_CHANNELS - 1;
    /** Weight views added by one method at most (each about 40 bytes of bytecode). */
    public static final int VIEWS_PER_METHOD = 64;
    /** Weight views packed into helper methods: {@link #VIEWS_PER_METHOD}. */
    public static final MethodPacker VIEWS = MethodPacker.ofCount(VIEWS_PER_METHOD);

    public TensorProductPlan {
        paths = List.copyOf(paths);
    }

    /** Plans {@code model}. */
    public static TensorProductPlan of(TensorProductModel model) {
        List<PathPlan> live = new ArrayList<>();
        for (PathModel path : model.paths()) {
            // A path with a zero coefficient or an empty multiplicity contributes nothing (e3nn's output mask).
            if (!path.isVacuous()) {
                live.add(PathPlan.of(path, layout(model, path)));
            }
        }
        boolean channelLast = !model.square() && !live.isEmpty() && live.stream().allMatch(PathPlan::channelLast);
        // The weight rows write channel-last scratch that the mul_ir paths then add to (on mul_ir block copies in an
        // ir_mul kernel).
        boolean weightRows = !channelLast && !model.square() && model.sharedWeights()
                && live.stream().anyMatch(PathPlan::weightRows);
        if (!weightRows) {
            return new TensorProductPlan(model, live, channelLast, false, 0, 0, 0);
        }
        List<PathPlan> planned = new ArrayList<>();
        int rows = 0;
        int columns = 0;
        int scratch = 0;
        for (PathPlan path : live) {
            if (!path.weightRows()) {
                planned.add(path);
                continue;
            }
            int firstColumn = -1;
            if (path.weightRowCount() >= PathPlan.MIN_WEIGHT_ROW) {
                firstColumn = columns;
                columns += path.weightRowLength();
                scratch = Math.max(scratch, path.weightRowCount() * path.layout().dimOut());
            }
            planned.add(new PathPlan(path.path(), path.layout(), rows, firstColumn));
            rows += path.weightRowCount();
        }
        return new TensorProductPlan(model, planned, false, true, rows, columns, scratch);
    }

    /** Where {@code path}'s operands sit in {@code model}'s feature vectors. */
    public static PathLayout layout(TensorProductModel model, PathModel path) {
        return PathLayout.of(path, model.irrepsIn1(), model.irrepsIn2(), model.irrepsOut());
    }

    /**
     * The paths grouped into the classes that hold their methods: consecutive paths, as many per class as keep the
     * estimated constant-pool entries of their methods within {@code poolEntriesPerClass}; one group (the
     * implementation class itself) for all usual kernels, then each group a nested class with its own pool.
     * Per distinct constant: its value (two entries for a double, one for a float) and its field name; per method
     * its name and the reference the caller needs, about four; the methods per path are estimated from its terms
     * as they are split by {@link PathPlan#MAX_TERM_USES_PER_METHOD}.
     *
     * @param numberTypes       the floating-point types the methods are written for
     * @param operationsPerPath the per-sample operations a path may be written for
     */
    public List<List<PathPlan>> pathClasses(int numberTypes, int operationsPerPath, int poolEntriesPerClass) {
        List<List<PathPlan>> classes = new ArrayList<>();
        List<PathPlan> current = new ArrayList<>();
        Set<BigFraction> seen = new HashSet<>();
        long entries = 0;
        for (PathPlan path : paths) {
            List<CgTerm> terms = path.path().terms();
            Set<BigFraction> own = new HashSet<>();
            for (CgTerm term : terms) {
                // |constant| = 1 needs no pool constant
                if (!term.constant().square().equals(BigFraction.ONE)) {
                    own.add(term.constant().square());
                }
            }
            long methods = operationsPerPath * (1 + 3L * terms.size() / PathPlan.MAX_TERM_USES_PER_METHOD);
            long cost = poolEntries(numberTypes, own.stream().filter(key -> !seen.contains(key)).count(), methods);
            if (!current.isEmpty() && entries + cost > poolEntriesPerClass) {
                classes.add(List.copyOf(current));
                current = new ArrayList<>();
                seen.clear();
                entries = 0;
                cost = poolEntries(numberTypes, own.size(), methods);
            }
            current.add(path);
            seen.addAll(own);
            entries += cost;
        }
        if (!current.isEmpty() || classes.isEmpty()) {
            classes.add(List.copyOf(current));
        }
        return List.copyOf(classes);
    }

    /**
     * Per-sample path calls grouped into helper methods: runs of consecutive calls into one class ({@code classOf}:
     * the implementation or a nested class of {@link #pathClasses}), at most {@link #MAX_CALLS_PER_METHOD} each, so
     * that each helper sits in the class whose methods it calls.
     */
    public static <T> List<List<T>> helperCalls(List<T> calls, Function<? super T, ?> classOf) {
        List<List<T>> helpers = new ArrayList<>();
        int start = 0;
        while (start < calls.size()) {
            Object owner = classOf.apply(calls.get(start));
            int end = start + 1;
            while (end < calls.size() && Objects.equals(classOf.apply(calls.get(end)), owner)) {
                end++;
            }
            helpers.addAll(CALLS.pack(calls.subList(start, end)));
            start = end;
        }
        return List.copyOf(helpers);
    }

    /** Three entries per constant (its value and field name), four per method (name and call reference), per type. */
    private static long poolEntries(int numberTypes, long constants, long methods) {
        return numberTypes * (constants * 3 + methods * 4);
    }

    /**
     * Whether the forward runs on channel-last scratch copies: where {@link #channelLast()}, in a {@link Layout#MUL_IR}
     * kernel only when every path has at least {@link #MIN_MUL_IR_FORWARD_CHANNELS} channels.
     */
    public boolean forwardChannelLast() {
        return channelLast && (model.layout() == Layout.IR_MUL
                || paths.stream().allMatch(path -> path.layout().mul1() >= MIN_MUL_IR_FORWARD_CHANNELS));
    }

    /**
     * Whether the path methods read and write a {@link Layout#IR_MUL} kernel's arrays in place, channel-last: when
     * every path is {@code uvw} (not a square). Their loops over the output channels {@code w} then step through
     * contiguous entries of {@code out} and {@code gradOut}, and no pass converts whole blocks to {@code mul_ir} and
     * back (nor slices per-sample weights); the weight-row scratch ({@link #weightRows()}) is copied plainly. Other
     * {@link Layout#IR_MUL} kernels run channel-last ({@link #channelLast()}) or convert blocks.
     */
    public boolean irMulInPlace() {
        return model.layout() == Layout.IR_MUL && !model.square() && !paths.isEmpty()
                && paths.stream().allMatch(path -> path.mode() == ConnectionMode.UVW);
    }

    /**
     * Whether the fused backward of {@code path} unrolls its channel pairs ({@code Operation.BACKWARD_BY_PAIRS}): a
     * weighted path with shared weights, whose backward does not go by weight columns and which has fewer than
     * {@link PathPlan#MIN_WEIGHT_ROW} pairs (tetris: one), in a kernel that {@link #irMulInPlace()} or in a
     * {@link Layout#MUL_IR} kernel of {@link #singlePairWeightRows()}. Each pair's loop over the output channels then
     * indexes the weights, their gradient and the channel-last copy of the sample's {@code gradOut} from constants,
     * so that superword vectorizes the weights' gradient over the output channels. That copy is plain in
     * {@link Layout#IR_MUL} and transposed per sample in {@link Layout#MUL_IR}, where the inputs, of one channel per
     * irrep, are read in place.
     */
    public boolean backwardByPairs(PathPlan path) {
        return (irMulInPlace() || model.layout() == Layout.MUL_IR && singlePairWeightRows()) && model.sharedWeights()
                && path.path().weighted() && !path.backwardByColumns()
                && path.weightRowCount() < PathPlan.MIN_WEIGHT_ROW;
    }

    /**
     * Whether the kernel (not a square) has only {@code uvw} paths of one channel pair that read their weights by
     * rows ({@link PathPlan#weightRows()}, at least {@link PathPlan#MIN_WEIGHT_ROW} output channels): its inputs are
     * then the same in both layouts, and in {@link Layout#MUL_IR} its fused backward goes by pairs
     * ({@link #backwardByPairs}) on a transposed copy of each sample's {@code gradOut} rather than loop over the
     * output channels with stride-{@code 2l+1} loads that stay scalar; the same bits, since each path sums in the same
     * order. Tetris (16 to 64 output channels, 368 numbers of {@code gradOut} a sample), forward + backward, one
     * thread's CPU time, the two builds alternated in one JVM, under load (benchmarks/RESULTS.md, h/tpb): float
     * 0.81-0.90x (8 JVMs), double 0.91-1.04x (6 JVMs; neutral within the noise, kept so that both types share one
     * rule).
     */
    private boolean singlePairWeightRows() {
        return !model.square() && !paths.isEmpty() && paths.stream().allMatch(path -> path.mode() == ConnectionMode.UVW
                && path.weightRowCount() == 1 && path.weightRows());
    }

    /**
     * Whether the fused backward (every gradient wanted) runs channel-last, in float ({@code inFloat}) or double:
     * where {@link #channelLast()}, on plain copies in a {@link Layout#IR_MUL} kernel; in a {@link Layout#MUL_IR}
     * kernel, on transposed copies, in float only, when every path has at least
     * {@link #MIN_MUL_IR_BACKWARD_CHANNELS} channels and there are {@link #MIN_PATHS_PER_OUTPUT_BLOCK} paths per
     * output block they write.
     */
    public boolean backwardChannelLast(boolean inFloat) {
        if (!channelLast || model.layout() == Layout.IR_MUL) {
            return channelLast;
        }
        long outputBlocks = paths.stream().mapToInt(path -> path.path().out()).distinct().count();
        return inFloat && paths.size() >= MIN_PATHS_PER_OUTPUT_BLOCK * outputBlocks
                && paths.stream().allMatch(path -> path.layout().mul1() >= MIN_MUL_IR_BACKWARD_CHANNELS);
    }

    /**
     * Whether the forward and the fused backward (every gradient wanted) call each path once per block, its method
     * looping over the block's samples ({@code Operation.FORWARD_SAMPLES}, {@code BACKWARD_SAMPLES}): in a
     * {@link Layout#MUL_IR} kernel (not a square) with per-sample weights whose paths are all weighted {@code uvu}
     * paths of at most {@link #MAX_SAMPLE_LOOP_CHANNELS} channels. Such a kernel's forward and fused backward are
     * otherwise the plain per-sample ones: not channel-last, not by weight rows, columns or pairs.
     */
    public boolean pathsOverSamples() {
        return model.layout() == Layout.MUL_IR && !model.square() && !model.sharedWeights() && !paths.isEmpty()
                && paths.stream().allMatch(path -> path.mode() == ConnectionMode.UVU && path.path().weighted()
                        && path.layout().mul1() <= MAX_SAMPLE_LOOP_CHANNELS);
    }

    /**
     * What a path's forward over the samples ({@link #pathsOverSamples()}) and its fused backward assign rather than
     * add to, so that the block drops the zero fill of that array: the first term written as
     * {@code x = term + 0.0}, the bits of {@code 0.0 + term} for every value, -0.0 and NaN included (and
     * {@code Math.fma(a, b, 0.0)} for a fused multiply-add), so that every output keeps its bits.
     *
     * @param out         the forward's {@code out}: every non-empty output block is written whole by exactly one path
     *                    ({@link #assignsOutputs()})
     * @param gradX1      the fused backward's {@code gradX1}: this path is the first into its {@code x1} block
     *                    ({@link #assignsGradients(int)})
     * @param gradX2      the same for {@code gradX2} and its {@code x2} block
     * @param gradWeights the fused backward's {@code gradWeights}: this path's own weights, written once per sample
     */
    public record Assignments(boolean out, boolean gradX1, boolean gradX2, boolean gradWeights) {
    }

    /**
     * What {@code path}'s methods over the samples assign ({@link Assignments}); {@code backwardUsesPerTerm} as for
     * {@link #assignsGradients(int)}.
     */
    public Assignments assignments(PathPlan path, int backwardUsesPerTerm) {
        boolean gradients = assignsGradients(backwardUsesPerTerm);
        return new Assignments(assignsOutputs(),
                gradients && firstInto(path, PathModel::in1), gradients && firstInto(path, PathModel::in2),
                gradients);
    }

    /**
     * Whether the forward over the samples assigns {@code out} instead of zero-filling it and adding: with
     * {@link #pathsOverSamples()}, every path shares its {@code x2} channel ({@link PathPlan#sharesX2()}, so that it
     * writes each of its output entries once per sample) and every non-empty output block is written whole (every
     * component) by exactly one path. Gate points' edge products at 630 edges (one thread's CPU time, 3 JVMs each,
     * under load; benchmarks/RESULTS.md, h/gpfwd): Layer1 forward 0.88x (double), 0.92x (float); Layer2 0.88x,
     * 0.92x; the same bits.
     */
    public boolean assignsOutputs() {
        if (!pathsOverSamples() || !paths.stream().allMatch(PathPlan::sharesX2)) {
            return false;
        }
        return IntStream.range(0, model.irrepsOut().size())
                .filter(o -> model.irrepsOut().get(o).dim() > 0)
                .allMatch(o -> {
                    List<PathPlan> into = paths.stream().filter(path -> path.path().out() == o).toList();
                    return into.size() == 1 && writesWhole(into.get(0), CgTerm::k, into.get(0).layout().dimOut());
                });
    }

    /**
     * Whether the fused backward of the paths (per sample, or {@link #pathsOverSamples()} over the block's samples)
     * assigns its gradients instead of zero-filling them and adding: in a {@link Layout#MUL_IR} kernel (not a square)
     * with per-sample weights, every path is a weighted {@code uvu} path that shares its {@code x2} channel and writes
     * its fused backward in one method ({@link PathPlan#methodComponents} of {@code backwardUsesPerTerm} uses per
     * term), so that it writes each of its gradient entries once per sample; and the first path (in path order, the
     * order of the calls) into each non-empty block of {@code x1} and of {@code x2} writes that block whole. That path
     * assigns the block's gradient and the later ones add to it; every path assigns its own weights' gradient. Where
     * the fused backward runs channel-last instead ({@link #backwardChannelLast(boolean)}) the writer ignores this.
     * Gate points' edge products at 630 edges (as {@link #assignsOutputs()}): Layer1 backward 0.95-0.97x, Layer2
     * 0.85x (double), 0.93x (float). Per sample (one thread's CPU time, under load; benchmarks/RESULTS.md, h/macek):
     * forward + backward of mace-medium 0.84-0.97x (double), nequip 0.78-0.93x (double), 0.84-0.88x (float); the
     * same bits.
     */
    public boolean assignsGradients(int backwardUsesPerTerm) {
        return model.layout() == Layout.MUL_IR && !model.square() && !model.sharedWeights() && !paths.isEmpty()
                && paths.stream().allMatch(path -> path.mode() == ConnectionMode.UVU && path.path().weighted()
                        && path.sharesX2() && path.methodComponents(CgTerm::k, backwardUsesPerTerm, 0).size() == 1)
                && firstWritesWhole(model.irrepsIn1().size(), b -> model.irrepsIn1().get(b).dim(), PathModel::in1,
                        CgTerm::i, path -> path.layout().dim1())
                && firstWritesWhole(model.irrepsIn2().size(), b -> model.irrepsIn2().get(b).dim(), PathModel::in2,
                        CgTerm::j, path -> path.layout().dim2());
    }

    /** Whether the first path into each non-empty block of an input writes every component of it. */
    private boolean firstWritesWhole(int blocks, IntUnaryOperator blockDim, ToIntFunction<PathModel> block,
                                     ToIntFunction<CgTerm> component, ToIntFunction<PathPlan> componentCount) {
        return IntStream.range(0, blocks).filter(b -> blockDim.applyAsInt(b) > 0).allMatch(b -> paths.stream()
                .filter(path -> block.applyAsInt(path.path()) == b).findFirst()
                .filter(first -> writesWhole(first, component, componentCount.applyAsInt(first))).isPresent());
    }

    /** Whether {@code path}'s terms reach all {@code count} components (k, i or j) of a block. */
    private static boolean writesWhole(PathPlan path, ToIntFunction<CgTerm> component, int count) {
        return path.path().terms().stream().mapToInt(component).distinct().count() == count;
    }

    /** Whether {@code path} is the first of the paths into its block of an input ({@code block}). */
    private boolean firstInto(PathPlan path, ToIntFunction<PathModel> block) {
        return paths.stream().filter(other -> block.applyAsInt(other.path()) == block.applyAsInt(path.path()))
                .findFirst().orElseThrow().equals(path);
    }

    /** Whether some weight-row path has its fused backward by weight columns. */
    public boolean backwardByColumns() {
        return weightColumnCount > 0;
    }
}
