package dev.e3j.processor.writer.cuda;

import dev.e3j.processor.math.SqrtRational;
import dev.e3j.processor.writer.ConstantPool;
import dev.e3j.processor.writer.NumberType;
import java.math.MathContext;

/**
 * A kernel's {@link ConstantPool} as CUDA declares it: each magnitude a member {@code C<n>} of a struct template
 * specialized for float and double, so that each type gets its own correctly rounded value.
 */
final class CudaConstants {

    private final ConstantPool pool = new ConstantPool("C", type -> "");
    private final String struct;

    CudaConstants(String struct) {
        this.struct = struct;
    }

    /** The expression {@code Struct<T>::C<n>} for {@code |value|}. */
    String reference(SqrtRational value) {
        return struct + "<T>::" + pool.nameOf(value);
    }

    boolean isEmpty() {
        return pool.isEmpty();
    }

    /** {@code template <typename T> struct S;} and its float and double specializations. */
    void declare(CudaCode code) {
        code.line("template <typename T>").line("struct " + struct + ";");
        for (NumberType number : NumberType.CUDA_ORDER) {
            code.blank().line("template <>").open("struct " + struct + "<" + number.cType() + ">");
            pool.constants().forEach((name, value) -> code.line(member(number, name, number.hexLiteral(value),
                    value + " = " + value.toBigDecimal(MathContext.DECIMAL64))));
            code.close(";");
        }
    }

    /** {@code static constexpr T name = literal;  // exact}. */
    static String member(NumberType number, String name, String literal, String exact) {
        return "static constexpr " + number.cType() + " " + name + " = " + literal + ";  // " + exact;
    }
}
