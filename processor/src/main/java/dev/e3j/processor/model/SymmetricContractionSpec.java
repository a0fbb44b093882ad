package dev.e3j.processor.model;

import dev.e3j.annotations.CgConvention;
import dev.e3j.annotations.Layout;
import dev.e3j.annotations.Precision;

/** The values of one {@code @SymmetricContraction}, as written, free of javac types. */
public record SymmetricContractionSpec(String in, String out, int correlation, int elements,
                                       CgConvention cgConvention, Layout layout,
                                       Precision precision) {

    /** A spec in e3nn's {@link Layout#MUL_IR} layout, the annotation's default. */
    public SymmetricContractionSpec(String in, String out, int correlation, int elements, CgConvention cgConvention,
                                    Precision precision) {
        this(in, out, correlation, elements, cgConvention, Layout.MUL_IR, precision);
    }
}
