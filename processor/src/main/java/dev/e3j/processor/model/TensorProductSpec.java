package dev.e3j.processor.model;

import dev.e3j.annotations.CgConvention;
import dev.e3j.annotations.IrrepNormalization;
import dev.e3j.annotations.Layout;
import dev.e3j.annotations.PathNormalization;
import dev.e3j.annotations.Precision;
import dev.e3j.annotations.TensorProduct;
import java.util.List;

/**
 * The values of one {@code @TensorProduct}, as written, free of javac types, so that the model can be built and
 * tested from plain Java.
 *
 * @param cuda   whether CUDA sources are written beside the Java kernel
 * @param layout how each sample of the inputs, the output and their gradients is laid out
 */
public record TensorProductSpec(
        String in1,
        String in2,
        String out,
        TensorProduct.Kind kind,
        List<PathSpec> paths,
        IrrepNormalization irrepNormalization,
        PathNormalization pathNormalization,
        boolean sharedWeights,
        Precision precision,
        CgConvention cgConvention,
        boolean cuda,
        Layout layout) {

    public TensorProductSpec {
        paths = List.copyOf(paths);
    }

    /** A spec in e3nn's {@link Layout#MUL_IR} layout. */
    public TensorProductSpec(String in1, String in2, String out, TensorProduct.Kind kind, List<PathSpec> paths,
                             IrrepNormalization irrepNormalization, PathNormalization pathNormalization,
                             boolean sharedWeights, Precision precision, CgConvention cgConvention, boolean cuda) {
        this(in1, in2, out, kind, paths, irrepNormalization, pathNormalization, sharedWeights, precision, cgConvention,
                cuda, Layout.MUL_IR);
    }

    /** A spec for the Java back end only ({@code cuda = false}). */
    public TensorProductSpec(String in1, String in2, String out, TensorProduct.Kind kind, List<PathSpec> paths,
                             IrrepNormalization irrepNormalization, PathNormalization pathNormalization,
                             boolean sharedWeights, Precision precision, CgConvention cgConvention) {
        this(in1, in2, out, kind, paths, irrepNormalization, pathNormalization, sharedWeights, precision, cgConvention,
                false);
    }

    /** A spec with the annotation's defaults for everything but irreps and kind. */
    public static TensorProductSpec of(String in1, String in2, String out, TensorProduct.Kind kind) {
        return new TensorProductSpec(in1, in2, out, kind, List.of(), IrrepNormalization.COMPONENT,
                PathNormalization.ELEMENT, true, Precision.DOUBLE, CgConvention.E3NN_0_5);
    }

    /** This spec with the Wigner 3j signs of {@code convention}. */
    public TensorProductSpec withCgConvention(CgConvention convention) {
        return new TensorProductSpec(in1, in2, out, kind, paths, irrepNormalization, pathNormalization, sharedWeights,
                precision, convention, cuda, layout);
    }

    /** This spec with its features in {@code layout}. */
    public TensorProductSpec withLayout(Layout layout) {
        return new TensorProductSpec(in1, in2, out, kind, paths, irrepNormalization, pathNormalization, sharedWeights,
                precision, cgConvention, cuda, layout);
    }
}
