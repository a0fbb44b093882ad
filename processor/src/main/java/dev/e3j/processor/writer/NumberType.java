package dev.e3j.processor.writer;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.TypeName;
import dev.e3j.processor.math.SqrtRational;

/** The floating-point type one set of generated methods works in; constants are rounded once to it. */
enum NumberType {
    DOUBLE(TypeName.DOUBLE, "0.0", ""),
    FLOAT(TypeName.FLOAT, "0.0f", "_F");

    private final TypeName type;
    private final String zero;
    private final String constantSuffix;

    NumberType(TypeName type, String zero, String constantSuffix) {
        this.type = type;
        this.zero = zero;
        this.constantSuffix = constantSuffix;
    }

    TypeName type() {
        return type;
    }

    ArrayTypeName arrayType() {
        return ArrayTypeName.of(type);
    }

    String zero() {
        return zero;
    }

    String constantSuffix() {
        return constantSuffix;
    }

    /** The correctly rounded literal of {@code value}, e.g. {@code 0.5773502691896258} or {@code 0.57735026f}. */
    String literal(SqrtRational value) {
        return this == DOUBLE ? Double.toString(value.doubleValue()) : Float.toString(value.floatValue()) + "f";
    }
}
