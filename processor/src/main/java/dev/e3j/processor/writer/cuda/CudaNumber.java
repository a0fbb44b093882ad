package dev.e3j.processor.writer.cuda;

import dev.e3j.processor.math.SqrtRational;
import java.math.BigDecimal;

/**
 * The two element types every CUDA kernel is emitted for, with their exact literals: a value is rounded once
 * (correctly) to the type and written in hexadecimal, so that no compiler parses it again.
 */
enum CudaNumber {
    FLOAT("float", "f32"),
    DOUBLE("double", "f64");

    private final String type;
    private final String suffix;

    CudaNumber(String type, String suffix) {
        this.type = type;
        this.suffix = suffix;
    }

    /** The C type, {@code float} or {@code double}. */
    String type() {
        return type;
    }

    /** The suffix of the exported C functions, {@code f32} or {@code f64}. */
    String suffix() {
        return suffix;
    }

    /** {@code value} correctly rounded to this type as an exact hexadecimal literal, e.g. {@code 0x1.6a09e6p-1f}. */
    String literal(SqrtRational value) {
        return this == DOUBLE ? Double.toHexString(value.doubleValue()) : Float.toHexString(value.floatValue()) + "f";
    }

    /** {@code value} correctly rounded to this type, as {@link #literal(SqrtRational)}. */
    String literal(BigDecimal value) {
        return this == DOUBLE ? Double.toHexString(value.doubleValue()) : Float.toHexString(value.floatValue()) + "f";
    }
}
