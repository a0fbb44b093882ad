package dev.e3j.processor.writer.cuda;

import dev.e3j.processor.math.SqrtRational;
import dev.e3j.processor.writer.NumberType;
import java.math.MathContext;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.numbers.fraction.BigFraction;

/**
 * The distinct magnitudes {@code |coefficient x CG|} of a kernel, each a member {@code C<n>} of a struct template
 * specialized for float and double, so that each type gets its own correctly rounded value; signs go into the
 * expressions.
 */
final class CudaConstants {

    /** Keyed by the square of the magnitude, which identifies {@code |c|} exactly. */
    private final Map<BigFraction, SqrtRational> magnitudes = new LinkedHashMap<>();
    private final Map<BigFraction, String> names = new LinkedHashMap<>();
    private final String struct;

    CudaConstants(String struct) {
        this.struct = struct;
    }

    static boolean isOne(SqrtRational value) {
        return value.square().equals(BigFraction.ONE);
    }

    /** The expression {@code Struct<T>::C<n>} for {@code |value|}. */
    String reference(SqrtRational value) {
        BigFraction key = value.square();
        String name = names.computeIfAbsent(key, k -> {
            magnitudes.put(k, value.abs());
            return "C" + names.size();
        });
        return struct + "<T>::" + name;
    }

    boolean isEmpty() {
        return names.isEmpty();
    }

    /** {@code template <typename T> struct S;} and its float and double specializations. */
    void declare(CudaCode code) {
        code.line("template <typename T>").line("struct " + struct + ";");
        for (NumberType number : NumberType.CUDA_ORDER) {
            code.blank().line("template <>").open("struct " + struct + "<" + number.cType() + ">");
            for (Map.Entry<BigFraction, String> entry : names.entrySet()) {
                SqrtRational value = magnitudes.get(entry.getKey());
                code.line(member(number, entry.getValue(), number.hexLiteral(value),
                        value + " = " + value.toBigDecimal(MathContext.DECIMAL64)));
            }
            code.close(";");
        }
    }

    /** {@code static constexpr T name = literal;  // exact}. */
    static String member(NumberType number, String name, String literal, String exact) {
        return "static constexpr " + number.cType() + " " + name + " = " + literal + ";  // " + exact;
    }
}
