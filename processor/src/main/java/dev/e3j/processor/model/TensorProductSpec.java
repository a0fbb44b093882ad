package dev.e3j.processor.model;

import dev.e3j.annotations.Normalization;
import dev.e3j.annotations.PathNormalization;
import dev.e3j.annotations.Precision;
import dev.e3j.annotations.TensorProduct;
import java.util.List;

/**
 * The values of one {@code @TensorProduct}, as written, free of javac types, so that the model can be built and
 * tested from plain Java.
 */
public record TensorProductSpec(
        String in1,
        String in2,
        String out,
        TensorProduct.Kind kind,
        List<PathSpec> paths,
        Normalization irrepNormalization,
        PathNormalization pathNormalization,
        boolean sharedWeights,
        Precision precision) {

    public TensorProductSpec {
        paths = List.copyOf(paths);
    }

    /** A spec with the annotation's defaults for everything but irreps and kind. */
    public static TensorProductSpec of(String in1, String in2, String out, TensorProduct.Kind kind) {
        return new TensorProductSpec(in1, in2, out, kind, List.of(), Normalization.COMPONENT,
                PathNormalization.ELEMENT, true, Precision.DOUBLE);
    }

    public TensorProductSpec withPaths(List<PathSpec> newPaths) {
        return new TensorProductSpec(in1, in2, out, kind, newPaths, irrepNormalization, pathNormalization,
                sharedWeights, precision);
    }

    public TensorProductSpec withNormalization(Normalization irrep, PathNormalization path) {
        return new TensorProductSpec(in1, in2, out, kind, paths, irrep, path, sharedWeights, precision);
    }

    public TensorProductSpec withSharedWeights(boolean shared) {
        return new TensorProductSpec(in1, in2, out, kind, paths, irrepNormalization, pathNormalization, shared,
                precision);
    }

    public TensorProductSpec withPrecision(Precision newPrecision) {
        return new TensorProductSpec(in1, in2, out, kind, paths, irrepNormalization, pathNormalization,
                sharedWeights, newPrecision);
    }
}
