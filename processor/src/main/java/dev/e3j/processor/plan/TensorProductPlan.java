package dev.e3j.processor.plan;

import dev.e3j.processor.model.PathModel;
import dev.e3j.processor.model.TensorProductModel;
import java.util.ArrayList;
import java.util.List;

/**
 * How a tensor-product kernel is computed, decided once from its exact model and then only read: the live paths
 * (e3nn's output mask drops the vacuous ones) each with its {@link PathPlan}, whether the forward runs channel-last,
 * and whether shared {@code uvw} weights are read by rows, with each such path's rows and columns assigned in order.
 *
 * @param model             the exact model
 * @param paths             the paths that contribute, in instruction order
 * @param channelLast       whether the forward runs on per-block channel-last ({@code ir_mul}) scratch copies of each
 *                          sample: when every path is channel-last ({@link PathPlan#channelLast()}). The fused
 *                          backward stays on {@code mul_ir}: channel-last, its reductions over the channels (the x2
 *                          gradient) and the extra loops measured slower (mace fwd+bwd 21.3 against 17.9 ms)
 * @param weightRows        whether the forward reads shared {@code uvw} weights by rows ({@link PathPlan#weightRows()})
 * @param weightRowCount    rows the weight-row paths read, over all of them
 * @param weightColumnCount columns {@code W[.][w]} the fused backward of the weight-row paths reads, over all of them
 * @param gScratch          the size of the fused backward's scratch {@code gT}: the largest {@code dimOut x pairs} of
 *                          the paths whose backward goes by columns
 */
public record TensorProductPlan(TensorProductModel model, List<PathPlan> paths, boolean channelLast,
                                boolean weightRows, int weightRowCount, int weightColumnCount, int gScratch) {

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

    /** Whether some weight-row path has its fused backward by weight columns. */
    public boolean backwardByColumns() {
        return weightColumnCount > 0;
    }
}
