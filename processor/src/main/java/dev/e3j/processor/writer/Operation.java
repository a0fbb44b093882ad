package dev.e3j.processor.writer;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.TypeName;
import java.util.List;

/**
 * The per-sample computations of a tensor product, with the parameters their path methods take. Each pair
 * {@code (array, offset)} addresses one sample; the last pair is the array the operation accumulates into. The
 * channel-last forward reads and writes per-block scratch copies of one sample in {@code ir_mul} layout
 * ({@code [component][channel]}, names ending in {@code T}) or at offset 0 ({@code sampleWeights}), so that its
 * channel loops index every array by a constant plus the channel and HotSpot's superword vectorizes them. The
 * weight-row forward reads shared weights as one array per row ({@code weightRows}) for the same reason.
 */
enum Operation {
    /** {@code out += tp(x1, x2, weights)}. */
    FORWARD("", List.of("x1", "x1Offset", "x2", "x2Offset", "weights", "weightOffset", "out", "outOffset")),
    /**
     * {@link #FORWARD} of the samples {@code from..to-1} of a block in one call: the path method loops over them
     * around its per-sample code, with each sample's offsets from the kernel's dimensions
     * ({@link dev.e3j.processor.plan.TensorProductPlan#pathsOverSamples}).
     */
    FORWARD_SAMPLES("_samples", List.of("from", "to", "x1", "x2", "weights", "out")),
    /** {@code gradX1 += d<gradOut, out>/dx1}. */
    GRAD_X1("_gradX1", List.of("x2", "x2Offset", "weights", "weightOffset", "gradOut", "gradOutOffset", "gradX1",
            "x1Offset")),
    /** {@code gradX2 += d<gradOut, out>/dx2}. */
    GRAD_X2("_gradX2", List.of("x1", "x1Offset", "weights", "weightOffset", "gradOut", "gradOutOffset", "gradX2",
            "x2Offset")),
    /** {@code gradWeights += d<gradOut, out>/dweights}. */
    GRAD_WEIGHTS("_gradWeights", List.of("x1", "x1Offset", "x2", "x2Offset", "gradOut", "gradOutOffset",
            "gradWeights", "weightOffset")),
    /**
     * All three gradients in one pass, sharing the loads, the CG contraction and the weight contraction; used when
     * every gradient is wanted. {@code gradX1}, {@code gradX2} and {@code gradWeights} share the offsets of
     * {@code x1}, {@code x2} and {@code weights}.
     */
    BACKWARD("_backward", List.of("x1", "x1Offset", "x2", "x2Offset", "weights", "weightOffset", "gradOut",
            "gradOutOffset", "gradX1", "gradX2", "gradWeights")),
    /**
     * {@link #BACKWARD} of the samples {@code from..to-1} of a block in one call: the path method loops over them
     * around its per-sample code, with each sample's offsets from the kernel's dimensions
     * ({@link dev.e3j.processor.plan.TensorProductPlan#pathsOverSamples}).
     */
    BACKWARD_SAMPLES("_backwardSamples", List.of("from", "to", "x1", "x2", "weights", "gradOut", "gradX1", "gradX2",
            "gradWeights")),
    /**
     * The gradients of both inputs in one pass, without the weight gradient (forces: the derivatives with respect to
     * the positions, not the parameters); only for weighted paths, as an unweighted path's {@link #BACKWARD} computes
     * exactly this.
     */
    BACKWARD_INPUTS("_backwardInputs", List.of("x1", "x1Offset", "x2", "x2Offset", "weights", "weightOffset",
            "gradOut", "gradOutOffset", "gradX1", "gradX2")),
    /** {@link #FORWARD} on the channel-last scratch: {@code outT += tp(x1T, x2, sampleWeights)}. */
    FORWARD_CHANNEL_LAST("_channelLast", List.of("x1T", "x2", "x2Offset", "sampleWeights", "outT")),
    /**
     * {@link #BACKWARD} on channel-last scratch copies of an {@code ir_mul} kernel's sample: {@code x1T},
     * {@code gradOutT} and the sample's weights read, {@code gradX1T} and {@code gradWeightsT} (or the shared
     * weights' gradient) accumulated into, {@code gradX2} at the sample's offset.
     */
    BACKWARD_CHANNEL_LAST("_backwardChannelLast", List.of("x1T", "x2", "x2Offset", "sampleWeights", "gradOutT",
            "gradX1T", "gradX2", "gradWeightsT")),
    /**
     * {@link #FORWARD} of a {@code uvw} path with shared weights into the channel-last output scratch, reading each
     * weight row {@code W[u v][0..mulOut)} as its own array: {@code outT[k][w] += W[u v][w] t_k}.
     */
    FORWARD_WEIGHT_ROWS("_weightRows", List.of("x1", "x1Offset", "x2", "x2Offset", "weightRows", "outT")),
    /**
     * {@link #BACKWARD} of a path whose forward reads weight rows: {@code g_k[u v] = sum_w W[u v][w] gradOut[w]_k}
     * over the weight columns {@code W[.][w]} (each its own array) into scratch {@code gT}, the input gradients from
     * {@code g}, and the weight gradient into per-block gradient rows {@code gradRows[u v][w] += sum_k t_k
     * gradOutT[k][w]}, reading the sample's {@code gradOut} from channel-last scratch.
     */
    BACKWARD_WEIGHT_ROWS("_backwardRows", List.of("x1", "x1Offset", "x2", "x2Offset", "weightColumns", "gradOutT",
            "gT", "gradX1", "gradX2", "gradRows")),
    /**
     * {@link #BACKWARD} of a weighted {@code uvw} path with shared weights and few channel pairs
     * ({@link dev.e3j.processor.plan.TensorProductPlan#backwardByPairs}) in an {@code ir_mul} kernel that indexes
     * its arrays in place: the pairs unrolled, so that the loops over the output channels read the weights and the
     * sample's {@code gradOut} copied into channel-last scratch {@code gradOutT}, and write the block's weight
     * gradient, each from a constant.
     */
    BACKWARD_BY_PAIRS("_backwardByPairs", List.of("x1", "x1Offset", "x2", "x2Offset", "weights", "gradOutT", "gradX1",
            "gradX2", "gradWeights")),
    /**
     * The second derivatives in one pass: given cotangents {@code ggX1}, {@code ggX2}, {@code ggWeights} of the
     * backward's outputs, {@code gGradOut += tp(ggX1, x2, W) + tp(x1, ggX2, W) + tp(x1, x2, ggW)} and the gradients
     * of {@code <gradOut, tp(ggX1, x2, W) + tp(x1, ggX2, W) + tp(x1, x2, ggW)>} with respect to {@code x1},
     * {@code x2} and {@code W} into {@code gX1}, {@code gX2}, {@code gWeights}. Each cotangent and gradient shares the
     * offset of its primal ({@code ggX1} and {@code gX1} that of {@code x1}, {@code gGradOut} that of
     * {@code gradOut}).
     */
    DOUBLE_BACKWARD("_doubleBackward", List.of("x1", "x1Offset", "x2", "x2Offset", "weights", "weightOffset",
            "gradOut", "gradOutOffset", "ggX1", "ggX2", "ggWeights", "gX1", "gX2", "gWeights", "gGradOut")),
    /**
     * {@link #DOUBLE_BACKWARD} of a path whose backward goes by weight columns, with the same strategy: the weighted
     * output gradients {@code g_k[u v] = sum_w W[u v][w] gradOut[w]_k} and {@code h_k[u v] = sum_w ggW[u v][w]
     * gradOut[w]_k} over the columns of {@code W} and {@code ggW} into scratch {@code gT} and {@code hT}, the input
     * gradients from them per pair, and per pair the rows {@code gGradOutT[k][w] += W[u v][w] s_k + ggW[u v][w] t_k}
     * and {@code gradRows[u v][w] += sum_k s_k gradOutT[k][w]}, the sample's {@code gradOut} and {@code gGradOut}
     * in channel-last scratch.
     */
    DOUBLE_BACKWARD_WEIGHT_ROWS("_doubleBackwardRows", List.of("x1", "x1Offset", "x2", "x2Offset", "weightRows",
            "weightColumns", "ggWeightRows", "ggWeightColumns", "gradOutT", "gT", "hT", "ggX1", "ggX2", "gX1", "gX2",
            "gradRows", "gGradOutT")),
    /**
     * {@link #DOUBLE_BACKWARD} on channel-last scratch copies of a sample, as {@link #BACKWARD_CHANNEL_LAST}, all in
     * one array ({@link DoubleBackwardScratch}): {@code x1T}, {@code ggX1T}, {@code gradOutT} and the sample's weights
     * and their cotangent read; {@code gX1T}, {@code gGradOutT} and the weights' gradient accumulated into; shared
     * weights, their cotangent and gradient ({@code sampleWeights}, {@code ggWeightsT}, {@code gWeightsT}) in their
     * own arrays (a path method of per-sample weights has no such parameters); {@code x2}, {@code ggX2} and
     * {@code gX2} at the sample's offset.
     */
    DOUBLE_BACKWARD_CHANNEL_LAST("_doubleBackwardChannelLast", List.of("scratch", "x2", "x2Offset", "sampleWeights",
            "ggX2", "ggWeightsT", "gX2", "gWeightsT"));

    private static final List<String> WEIGHT_PARAMETERS = List.of("weights", "weightOffset", "gradWeights",
            "sampleWeights", "gradWeightsT", "weightRows", "weightColumns", "gradRows", "ggWeights", "gWeights", "ggWeightRows",
            "ggWeightColumns", "ggWeightsT", "gWeightsT");

    /** Parameters that are arrays of rows or columns, each its own array. */
    private static final List<String> ROW_ARRAYS = List.of("weightRows", "weightColumns", "gradRows", "ggWeightRows",
            "ggWeightColumns");

    private final String suffix;
    private final List<String> parameters;

    Operation(String suffix, List<String> parameters) {
        this.suffix = suffix;
        this.parameters = parameters;
    }

    String suffix() {
        return suffix;
    }

    /**
     * The type of a path method's parameter: an offset or a sample ({@code from}, {@code to}), the weight rows (an
     * array of arrays), or an array.
     */
    static TypeName parameterType(String parameter, NumberType number) {
        if (parameter.endsWith("Offset") || parameter.equals("from") || parameter.equals("to")) {
            return TypeName.INT;
        }
        return ROW_ARRAYS.contains(parameter) ? ArrayTypeName.of(number.arrayType()) : number.arrayType();
    }

    /** Whether the path methods loop over a range of samples ({@code from}, {@code to}) rather than take one. */
    boolean overSamples() {
        return parameters.contains("from");
    }

    /**
     * Parameter names in order; each input array followed by its {@code int} offset (or, {@link #overSamples()},
     * the range of samples first).
     */
    List<String> parameters(boolean weighted) {
        return weighted || this == GRAD_WEIGHTS ? parameters
                : parameters.stream().filter(p -> !WEIGHT_PARAMETERS.contains(p)).toList();
    }
}
