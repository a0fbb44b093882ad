package dev.e3j.processor.plan;

import dev.e3j.annotations.Layout;
import dev.e3j.processor.model.LinearModel;
import dev.e3j.processor.model.LinearModel.Path;
import dev.e3j.runtime.Irreps;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a {@code @Linear} kernel is computed, decided once from its exact model and then only read: the samples per
 * parallel block, the weighted paths and how their per-path statements split into methods, and the distinct path
 * shapes, each written once as methods that its paths share.
 *
 * <p>Every pass computes through per-sample channel-last rows ({@code [component][channel]}, each row its own array):
 * in e3nn's layout the features are transposed into and out of them, in the channel-last layout
 * ({@link #channelLast()}) each row is a run of the feature array and is copied whole.
 *
 * @param model         the exact model
 * @param blockSize     samples per parallel block: their inputs and outputs fill about {@link #BLOCK_DOUBLES}
 * @param weightedPaths the indices of the paths with weights, in path order (the others contribute nothing)
 * @param pathMethods   the weighted paths' per-path statements by method: one run (inline in the caller) for at
 *                      most {@link #MAX_PATHS_PER_METHOD} paths, else runs of that many, each a helper method
 * @param shapes        each distinct {@link Shape} of weighted path, in order of first use, with its paths
 */
public record LinearPlan(LinearModel model, int blockSize, List<Integer> weightedPaths,
                         List<List<Integer>> pathMethods, Map<Shape, List<Integer>> shapes) {

    /** Doubles a block's inputs and outputs may fill (256 KiB), as for tensor products. */
    public static final int BLOCK_DOUBLES = 32 * 1024;
    /**
     * Per-path statements in one method at most: beyond it they go into helper methods, so that maps with thousands of
     * paths (unsimplified irreps such as 60 entries of {@code 1x0e}) stay below HotSpot's 8000-byte JIT limit and the
     * 64 KiB method limit.
     */
    public static final int MAX_PATHS_PER_METHOD = 64;
    /**
     * Samples whose weight gradients one pass over a path's sums adds, channel-last with shared weights: the sums
     * {@code [mul_in][mul_out]} (128 KiB for 128 x 128 channels in double) are then loaded and stored once per four
     * samples, and a scalar path's loop over {@code w} sums four products instead of one.
     */
    public static final int WEIGHT_GRADIENT_SAMPLES = 4;
    /**
     * Sample-component products one grouped weight-gradient method sums per input channel at most: above it (degrees
     * above 7) the paths add one sample at a time, so that the method stays small.
     */
    public static final int MAX_WEIGHT_GRADIENT_PRODUCTS = 64;
    /** The per-path statements packed into methods: {@link #MAX_PATHS_PER_METHOD}. */
    public static final MethodPacker PATHS = MethodPacker.ofCount(MAX_PATHS_PER_METHOD);

    /**
     * What a path's methods depend on: the dimension of its irrep and its multiplicities.
     *
     * @param dim    the irrep's dimension {@code 2l + 1}
     * @param mulIn  input channels
     * @param mulOut output channels
     */
    public record Shape(int dim, int mulIn, int mulOut) {

        /** The shape of {@code path}. */
        public static Shape of(Path path) {
            return new Shape(path.dim(), path.mulIn(), path.mulOut());
        }

        /** {@code L1From4To2}: l = 1, 4 input channels, 2 output channels; the suffix of its methods' names. */
        public String suffix() {
            return "L" + (dim - 1) / 2 + "From" + mulIn + "To" + mulOut;
        }
    }

    public LinearPlan {
        weightedPaths = List.copyOf(weightedPaths);
        pathMethods = List.copyOf(pathMethods);
        Map<Shape, List<Integer>> copy = new LinkedHashMap<>();
        shapes.forEach((shape, paths) -> copy.put(shape, List.copyOf(paths)));
        shapes = Collections.unmodifiableMap(copy);
    }

    /** Plans {@code model}. */
    public static LinearPlan of(LinearModel model) {
        List<Integer> weighted = new ArrayList<>();
        Map<Shape, List<Integer>> shapes = new LinkedHashMap<>();
        for (int p = 0; p < model.paths().size(); p++) {
            Path path = model.paths().get(p);
            if (path.weightNumel() > 0) {
                weighted.add(p);
                shapes.computeIfAbsent(Shape.of(path), shape -> new ArrayList<>()).add(p);
            }
        }
        int blockSize = Math.max(1, BLOCK_DOUBLES / Math.max(1, model.irrepsIn().dim() + model.irrepsOut().dim()));
        return new LinearPlan(model, blockSize, weighted, PATHS.pack(weighted), shapes);
    }

    /**
     * Whether the features are channel-last ({@link Layout#IR_MUL}): each row of an entry is then the run
     * {@code [offset + i * mul, offset + (i + 1) * mul)} of the feature array, copied with {@code System.arraycopy};
     * in e3nn's layout the rows are gathered from and scattered to stride {@code 2l + 1}.
     */
    public boolean channelLast() {
        return model.layout() == Layout.IR_MUL;
    }

    /**
     * Whether the shared weights' gradient adds {@link #WEIGHT_GRADIENT_SAMPLES} samples per pass over the sums:
     * channel-last features with shared weights (per-sample weights keep one gradient per sample).
     */
    public boolean weightGradientBySampleGroups() {
        return channelLast() && model.sharedWeights();
    }

    /**
     * Whether paths of {@code shape} add a group of samples in one method ({@link #weightGradientBySampleGroups()}),
     * or one sample per call: at most {@link #MAX_WEIGHT_GRADIENT_PRODUCTS} sample-component products per channel.
     */
    public boolean groupsSamples(Shape shape) {
        return weightGradientBySampleGroups() && shape.dim() * WEIGHT_GRADIENT_SAMPLES <= MAX_WEIGHT_GRADIENT_PRODUCTS;
    }

    /** Whether the per-path statements stay in their caller: at most one method's worth of weighted paths. */
    public boolean pathsInline() {
        return pathMethods.size() <= 1;
    }

    /**
     * The row of component 0 of each entry of {@code irreps} in channel-last scratch ({@code [component][channel]}):
     * the dimensions of the entries before it; one more element, the rows of all entries.
     */
    public static int[] firstRows(Irreps irreps) {
        int[] rows = new int[irreps.size() + 1];
        for (int e = 0; e < irreps.size(); e++) {
            rows[e + 1] = rows[e] + irreps.get(e).ir().dim();
        }
        return rows;
    }
}
