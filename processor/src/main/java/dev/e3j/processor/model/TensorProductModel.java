package dev.e3j.processor.model;

import dev.e3j.annotations.CgConvention;
import dev.e3j.annotations.IrrepNormalization;
import dev.e3j.annotations.Layout;
import dev.e3j.annotations.PathNormalization;
import dev.e3j.annotations.Precision;
import dev.e3j.annotations.TensorProduct;
import dev.e3j.runtime.Irreps;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A tensor product with e3nn's final irreps and instructions, every coefficient exact. Built by
 * {@link TensorProductModels#build}; the writers only read it.
 *
 * @param square       whether the second input is the first (e3nn's {@code TensorSquare})
 * @param cgConvention the e3nn version whose Wigner 3j signs every path's CG terms carry
 * @param cuda         whether CUDA sources are written beside the Java kernel
 * @param layout       how each sample of the inputs, the output and their gradients is laid out
 */
public record TensorProductModel(
        TensorProduct.Kind kind,
        Irreps irrepsIn1,
        Irreps irrepsIn2,
        Irreps irrepsOut,
        List<PathModel> paths,
        IrrepNormalization irrepNormalization,
        PathNormalization pathNormalization,
        boolean sharedWeights,
        Precision precision,
        boolean square,
        CgConvention cgConvention,
        boolean cuda,
        Layout layout) {

    public TensorProductModel {
        paths = List.copyOf(paths);
    }

    /** Weights per sample (or in total, when shared): the sum of the weighted paths' shapes. */
    public int weightNumel() {
        return paths.stream().mapToInt(PathModel::weightCount).sum();
    }

    /**
     * Indices of the non-empty output entries that no path contributes to (none targets them, or only vacuous ones
     * do): the kernel writes zeros there, which is rarely what a spec means.
     */
    public List<Integer> unreachableOutputs() {
        return IntStream.range(0, irrepsOut.size())
                .filter(o -> irrepsOut.get(o).dim() > 0)
                .filter(o -> paths.stream().noneMatch(path -> path.out() == o && !path.isVacuous()))
                .boxed()
                .toList();
    }
}
