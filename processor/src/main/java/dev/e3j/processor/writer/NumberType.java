package dev.e3j.processor.writer;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.TypeName;
import dev.e3j.annotations.Precision;
import dev.e3j.processor.math.SqrtRational;
import dev.e3j.processor.model.HarmonicConstant;
import java.math.BigDecimal;
import java.util.List;

/**
 * The floating-point type one set of generated methods computes in, with its spellings in both back ends: the Java
 * type and literals (decimal, correctly rounded) and the CUDA type, function suffix and literals (hexadecimal, exact).
 * Every constant is rounded once, here, from its exact value. The benchmarks name their precision by the same short
 * names ({@code f64}, {@code f32}).
 */
public enum NumberType {
    DOUBLE(TypeName.DOUBLE, "0.0", "double", "f64", Double.BYTES),
    FLOAT(TypeName.FLOAT, "0.0f", "float", "f32", Float.BYTES);

    /** The order the CUDA files declare their specializations and exported functions in: float first. */
    public static final List<NumberType> CUDA_ORDER = List.of(FLOAT, DOUBLE);

    private final TypeName type;
    private final String zero;
    private final String cType;
    private final String shortName;
    private final int bytes;

    NumberType(TypeName type, String zero, String cType, String shortName, int bytes) {
        this.type = type;
        this.zero = zero;
        this.cType = cType;
        this.shortName = shortName;
        this.bytes = bytes;
    }

    /**
     * The type of {@code shortName}, {@code f64} or {@code f32}.
     *
     * @throws IllegalArgumentException for any other name
     */
    public static NumberType ofShortName(String shortName) {
        for (NumberType type : values()) {
            if (type.shortName.equals(shortName)) {
                return type;
            }
        }
        throw new IllegalArgumentException("precision must be f64 or f32, got " + shortName);
    }

    /** The types a kernel of {@code precision} is written for: double, and float beside it for {@code FLOAT}. */
    public static List<NumberType> of(Precision precision) {
        return precision == Precision.FLOAT ? List.of(DOUBLE, FLOAT) : List.of(DOUBLE);
    }

    /** The Java type, {@code double} or {@code float}. */
    public TypeName type() {
        return type;
    }

    /** The Java array type, {@code double[]} or {@code float[]}. */
    public ArrayTypeName arrayType() {
        return ArrayTypeName.of(type);
    }

    /** The Java literal zero, {@code 0.0} or {@code 0.0f}. */
    public String zero() {
        return zero;
    }

    /** An exact {@code ±sqrt(p/q)} rounded once (correctly) to this type, as a Java literal ({@code 0.5f}). */
    public String literal(SqrtRational value) {
        return this == DOUBLE ? Double.toString(value.doubleValue()) : value.floatValue() + "f";
    }

    /** {@code value} rounded once to this type, as a Java literal ({@code 0.5}, {@code 0.5f}). */
    public String literal(BigDecimal value) {
        return this == DOUBLE ? Double.toString(value.doubleValue()) : value.floatValue() + "f";
    }

    /** A harmonic's constant rounded once (correctly) to this type, as a Java literal. */
    public String literal(HarmonicConstant value) {
        return value.overSqrtFourPi() ? literal(value.overSqrtFourPiValue()) : literal(value.algebraic());
    }

    /** An integer as a Java literal of this type ({@code 3.0}, {@code 3.0f}); exact below 2^24 in float. */
    public String literal(long value) {
        return this == DOUBLE ? Double.toString(value) : (float) value + "f";
    }

    /** Suffix of a tensor-product pool constant's float twin ({@code C3}, {@code C3_F}). */
    public String poolSuffix() {
        return this == DOUBLE ? "" : "_F";
    }

    /**
     * Suffix of the float twin of a harmonics or linear kernel's named constant or helper ({@code Y1_0},
     * {@code Y1_0_FLOAT}).
     */
    public String fieldSuffix() {
        return this == DOUBLE ? "" : "_FLOAT";
    }

    /** The CUDA C type, {@code double} or {@code float}. */
    public String cType() {
        return cType;
    }

    /** {@code f64} or {@code f32}: the suffix of the exported CUDA C functions, the benchmarks' precision. */
    public String shortName() {
        return shortName;
    }

    /** Bytes of one value: 8 or 4. */
    public int bytes() {
        return bytes;
    }

    /** An exact {@code ±sqrt(p/q)} correctly rounded to this type as an exact hexadecimal C literal. */
    public String hexLiteral(SqrtRational value) {
        return this == DOUBLE ? Double.toHexString(value.doubleValue()) : Float.toHexString(value.floatValue()) + "f";
    }

    /** A harmonic's constant correctly rounded to this type as an exact hexadecimal C literal. */
    public String hexLiteral(HarmonicConstant value) {
        return value.overSqrtFourPi() ? hexLiteral(value.overSqrtFourPiValue()) : hexLiteral(value.algebraic());
    }

    /** {@code value} correctly rounded to this type as an exact hexadecimal C literal, e.g. {@code 0x1.6a09e6p-1f}. */
    public String hexLiteral(BigDecimal value) {
        return this == DOUBLE ? Double.toHexString(value.doubleValue()) : Float.toHexString(value.floatValue()) + "f";
    }
}
