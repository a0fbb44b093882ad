package dev.e3j.benchmarks;

import dev.e3j.processor.model.SphericalHarmonicsModel;
import dev.e3j.processor.model.SymmetricContractionModel;
import dev.e3j.processor.model.TensorProductModel;
import dev.e3j.processor.writer.NumberType;

/**
 * The compulsory memory traffic of a pass, in array elements per sample: every array the pass reads or writes,
 * once. Caches cannot avoid it when the batch is larger than the last-level cache (every standard configuration
 * is), so {@code flops / (elements * bytes)} is the pass's arithmetic intensity and, times the measured memory
 * bandwidth, an upper bound of the GFLOP/s any kernel can reach (the roofline). Write-allocate traffic and the
 * reloads of a two-call backward are not counted, which makes the bound generous.
 *
 * <ul>
 *   <li>tensor product forward: {@code x1}, {@code x2}, per-sample weights (shared weights stay in cache) and
 *       {@code out};</li>
 *   <li>backward (forward, then all gradients): the forward's traffic plus {@code x1}, {@code x2}, the weights and
 *       {@code gradOut} read and {@code gradX1}, {@code gradX2} and {@code gradWeights} written;</li>
 *   <li>symmetric contraction: the features and the output; backward adds the features, {@code gradOut} and the
 *       features' gradient. The per-element weights and their gradient stay in cache as shared weights do, and the
 *       element index (one {@code int} per node, against hundreds of features) is left out;</li>
 *   <li>spherical harmonics: the vectors and the values; backward adds the vectors, {@code gradOut} and the
 *       vectors' gradient.</li>
 * </ul>
 */
record MemoryTraffic(long forward, long backward) {

    static MemoryTraffic of(TensorProductModel model) {
        long in1 = model.irrepsIn1().dim();
        long in2 = model.irrepsIn2().dim();
        long out = model.irrepsOut().dim();
        long weights = model.sharedWeights() ? 0 : model.weightNumel();
        long forward = in1 + in2 + weights + out;
        long gradients = (in1 + in2 + weights + out) + (in1 + in2 + weights);
        return new MemoryTraffic(forward, forward + gradients);
    }

    static MemoryTraffic of(SymmetricContractionModel model) {
        long in = model.irrepsIn().dim();
        long out = model.irrepsOut().dim();
        long forward = in + out;
        return new MemoryTraffic(forward, forward + in + out + in);
    }

    static MemoryTraffic of(SphericalHarmonicsModel model) {
        long forward = 3 + model.dim();
        return new MemoryTraffic(forward, forward + 3 + model.dim() + 3);
    }

    long bytesPerSample(Pass pass, NumberType precision) {
        return (pass == Pass.FORWARD ? forward : backward) * precision.bytes();
    }
}
