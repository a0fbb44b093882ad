package dev.e3j.processor.model;

import dev.e3j.annotations.CgConvention;
import dev.e3j.annotations.Layout;
import dev.e3j.annotations.Precision;

/** The values of one {@code @SymmetricContraction}, as written, free of javac types. */
public record SymmetricContractionSpec(String in, String out, int correlation, int elements,
                                       CgConvention cgConvention, Layout layout,
                                       Precision precision) {
}
