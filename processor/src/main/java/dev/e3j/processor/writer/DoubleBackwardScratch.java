package dev.e3j.processor.writer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where the channel-last double backward ({@link Operation#DOUBLE_BACKWARD_CHANNEL_LAST}) keeps one sample: a
 * single scratch array holding, one after another, {@code x1T}, {@code ggX1T} and {@code gX1T} ({@code dimIn1}
 * entries each), {@code gradOutT} and {@code gGradOutT} ({@code dimOut} each) and, where the weights are per sample,
 * {@code sampleWeights}, {@code ggWeightsT} and {@code gWeightsT} ({@code weightNumel} each). Shared weights and their
 * gradient stay in their own arrays ({@link #holdsWeights()} false, the weight segments at 0).
 * <p>
 * One array instead of eight: every loop of a path method then indexes one base by a constant plus the channel,
 * so C2 keeps one array pointer for all of them; with eight (a path method took 12 parameters) it reloaded spilled
 * pointers in the scalar pre- and post-loops, which cover 8 of every 32 channels (benchmarks/RESULTS.md, h/dbl32).
 * <p>
 * The last entry ({@code touch}) takes the sum of the entries by which each sample reads the next one's cache lines
 * ({@code TensorProductWriter}'s {@code touchLines}): a store the compiler must keep, so that the loads stay.
 *
 * @param x1 start of {@code x1T}
 * @param ggX1 start of {@code ggX1T}
 * @param gX1 start of {@code gX1T}
 * @param gradOut start of {@code gradOutT}
 * @param gGradOut start of {@code gGradOutT}
 * @param weights start of {@code sampleWeights} (0 where the weights are shared)
 * @param ggWeights start of {@code ggWeightsT} (0 where the weights are shared)
 * @param gWeights start of {@code gWeightsT} (0 where the weights are shared)
 * @param touch the entry that takes the sum of the next sample's touched entries
 * @param length the scratch array's length
 * @param holdsWeights whether the weights, their cotangent and gradient are in the scratch
 */
record DoubleBackwardScratch(int x1, int ggX1, int gX1, int gradOut, int gGradOut, int weights, int ggWeights,
                             int gWeights, int touch, int length, boolean holdsWeights) {

    /** The generated kernel's names of the segments' starts ({@link #fields()}) and of the array's length. */
    static final String X1 = "SCRATCH_X1";
    static final String GG_X1 = "SCRATCH_GG_X1";
    static final String G_X1 = "SCRATCH_G_X1";
    static final String GRAD_OUT = "SCRATCH_GRAD_OUT";
    static final String G_GRAD_OUT = "SCRATCH_G_GRAD_OUT";
    static final String WEIGHTS = "SCRATCH_WEIGHTS";
    static final String GG_WEIGHTS = "SCRATCH_GG_WEIGHTS";
    static final String G_WEIGHTS = "SCRATCH_G_WEIGHTS";
    static final String TOUCH = "SCRATCH_TOUCH";
    static final String LENGTH = "SCRATCH_LENGTH";

    /** The layout for a kernel of these dimensions; {@code perSampleWeights} puts the weights in the scratch. */
    static DoubleBackwardScratch of(int dimIn1, int dimOut, int weightNumel, boolean perSampleWeights) {
        int gradOut = 3 * dimIn1;
        int weights = gradOut + 2 * dimOut;
        int touch = perSampleWeights ? weights + 3 * weightNumel : weights;
        return perSampleWeights
                ? new DoubleBackwardScratch(0, dimIn1, 2 * dimIn1, gradOut, gradOut + dimOut, weights,
                        weights + weightNumel, weights + 2 * weightNumel, touch, touch + 1, true)
                : new DoubleBackwardScratch(0, dimIn1, 2 * dimIn1, gradOut, gradOut + dimOut, 0, 0, 0, touch,
                        touch + 1, false);
    }

    /**
     * The kernel's constants for this layout, in order: each segment's start by its name ({@link #X1}, ...; the weight
     * segments only where {@link #holdsWeights()}), {@link #TOUCH}, then {@link #LENGTH}. The generated code indexes the scratch by
     * these names plus constant offsets, which javac folds into the same constants as literal indices.
     */
    Map<String, Integer> fields() {
        Map<String, Integer> fields = new LinkedHashMap<>();
        fields.put(X1, x1);
        fields.put(GG_X1, ggX1);
        fields.put(G_X1, gX1);
        fields.put(GRAD_OUT, gradOut);
        fields.put(G_GRAD_OUT, gGradOut);
        if (holdsWeights) {
            fields.put(WEIGHTS, weights);
            fields.put(GG_WEIGHTS, ggWeights);
            fields.put(G_WEIGHTS, gWeights);
        }
        fields.put(TOUCH, touch);
        fields.put(LENGTH, length);
        return fields;
    }
}
