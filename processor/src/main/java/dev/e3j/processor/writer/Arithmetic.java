package dev.e3j.processor.writer;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.TypeName;
import dev.e3j.processor.math.SqrtRational;
import java.math.BigDecimal;

/** The floating-point type a generated method computes in, and how its constants are spelled. */
enum Arithmetic {
    DOUBLE(TypeName.DOUBLE, ""),
    FLOAT(TypeName.FLOAT, "f");

    private final TypeName type;
    private final String suffix;

    Arithmetic(TypeName type, String suffix) {
        this.type = type;
        this.suffix = suffix;
    }

    TypeName type() {
        return type;
    }

    TypeName arrayType() {
        return ArrayTypeName.of(type);
    }

    /** {@code value} rounded once to this type, as a Java literal ({@code 0.5}, {@code 0.5f}). */
    String literal(BigDecimal value) {
        return this == DOUBLE ? Double.toString(value.doubleValue()) : value.floatValue() + suffix;
    }

    /** An exact {@code ±sqrt(p/q)} rounded once (correctly) to this type, as a Java literal. */
    String literal(SqrtRational value) {
        return this == DOUBLE ? Double.toString(value.doubleValue()) : value.floatValue() + suffix;
    }

    /** An integer as a literal of this type ({@code 3.0}, {@code 3.0f}); exact below 2^24 in float. */
    String literal(long value) {
        return this == DOUBLE ? Double.toString(value) : (float) value + suffix;
    }

    /** Suffix distinguishing the float twin of a constant or helper ({@code ""} or {@code "_FLOAT"}). */
    String constantSuffix() {
        return this == DOUBLE ? "" : "_FLOAT";
    }
}
