package dev.e3j.processor.writer;

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
 *
 * @param x1 start of {@code x1T}
 * @param ggX1 start of {@code ggX1T}
 * @param gX1 start of {@code gX1T}
 * @param gradOut start of {@code gradOutT}
 * @param gGradOut start of {@code gGradOutT}
 * @param weights start of {@code sampleWeights} (0 where the weights are shared)
 * @param ggWeights start of {@code ggWeightsT} (0 where the weights are shared)
 * @param gWeights start of {@code gWeightsT} (0 where the weights are shared)
 * @param length the scratch array's length
 * @param holdsWeights whether the weights, their cotangent and gradient are in the scratch
 */
record DoubleBackwardScratch(int x1, int ggX1, int gX1, int gradOut, int gGradOut, int weights, int ggWeights,
                             int gWeights, int length, boolean holdsWeights) {

    /** The layout for a kernel of these dimensions; {@code perSampleWeights} puts the weights in the scratch. */
    static DoubleBackwardScratch of(int dimIn1, int dimOut, int weightNumel, boolean perSampleWeights) {
        int gradOut = 3 * dimIn1;
        int weights = gradOut + 2 * dimOut;
        return perSampleWeights
                ? new DoubleBackwardScratch(0, dimIn1, 2 * dimIn1, gradOut, gradOut + dimOut, weights,
                        weights + weightNumel, weights + 2 * weightNumel, weights + 3 * weightNumel, true)
                : new DoubleBackwardScratch(0, dimIn1, 2 * dimIn1, gradOut, gradOut + dimOut, 0, 0, 0, weights, false);
    }
}
