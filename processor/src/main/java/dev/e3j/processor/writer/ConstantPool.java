package dev.e3j.processor.writer;

import com.palantir.javapoet.FieldSpec;
import dev.e3j.processor.math.SqrtRational;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.Modifier;
import org.apache.commons.numbers.fraction.BigFraction;

/**
 * The distinct magnitudes {@code |coefficient x CG|} of a kernel, each a named {@code static final} field
 * ({@code C0}, {@code C1}, ...) documented with its exact value; signs go into the expressions.
 */
final class ConstantPool {

    /** Keyed by the square of the magnitude, which identifies {@code |c|} exactly. */
    private final Map<BigFraction, SqrtRational> magnitudes = new LinkedHashMap<>();
    private final Map<BigFraction, String> names = new LinkedHashMap<>();

    static boolean isOne(SqrtRational value) {
        return value.square().equals(BigFraction.ONE);
    }

    /** The field name holding {@code |value|}, without the precision suffix. */
    String nameOf(SqrtRational value) {
        BigFraction key = value.square();
        return names.computeIfAbsent(key, k -> {
            magnitudes.put(k, value.abs());
            return "C" + names.size();
        });
    }

    List<FieldSpec> fields(NumberType type) {
        List<FieldSpec> fields = new ArrayList<>();
        for (Map.Entry<BigFraction, String> entry : names.entrySet()) {
            SqrtRational value = magnitudes.get(entry.getKey());
            fields.add(FieldSpec.builder(type.type(), entry.getValue() + type.poolSuffix(),
                            Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                    .addJavadoc("$L\n", value)
                    .initializer("$L", type.literal(value))
                    .build());
        }
        return fields;
    }
}
