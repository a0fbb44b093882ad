package dev.e3j.processor.model;

import dev.e3j.annotations.PathNormalization;
import dev.e3j.annotations.Precision;

/** The values of one {@code @Linear}, as written, free of javac types. */
public record LinearSpec(String in, String out, boolean biases, PathNormalization pathNormalization,
                         Precision precision) {

    /** {@code in -> out} with the annotation's defaults otherwise. */
    public static LinearSpec of(String in, String out) {
        return new LinearSpec(in, out, false, PathNormalization.ELEMENT, Precision.DOUBLE);
    }
}
