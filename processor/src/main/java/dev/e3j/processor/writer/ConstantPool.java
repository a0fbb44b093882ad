package dev.e3j.processor.writer;

import com.palantir.javapoet.FieldSpec;
import dev.e3j.processor.math.SqrtRational;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.lang.model.element.Modifier;
import org.apache.commons.numbers.fraction.BigFraction;

/**
 * The distinct magnitudes {@code |c|} of a kernel's exact constants, each named once in order of first use
 * ({@code C0}, {@code C1}, ...); signs go into the expressions. The Java writers declare them as {@code static final}
 * fields documented with their exact values ({@link #fields}); the CUDA writers as members of a struct specialized
 * per type ({@code CudaConstants}). Either way each type gets its own correctly rounded value.
 */
public final class ConstantPool {

    private final String prefix;
    private final Function<NumberType, String> suffix;
    /** Keyed by the square of the magnitude, which identifies {@code |c|} exactly. */
    private final Map<BigFraction, SqrtRational> magnitudes = new LinkedHashMap<>();
    private final Map<BigFraction, String> names = new LinkedHashMap<>();

    /**
     * @param prefix the names' prefix ({@code C} for {@code C0})
     * @param suffix the suffix of a name's field in each type ({@link NumberType#poolSuffix()} or
     *               {@link NumberType#fieldSuffix()})
     */
    public ConstantPool(String prefix, Function<NumberType, String> suffix) {
        this.prefix = prefix;
        this.suffix = suffix;
    }

    /** A tensor product's pool: {@code C0}, with float twins {@code C0_F}. */
    static ConstantPool tensorProduct() {
        return new ConstantPool("C", NumberType::poolSuffix);
    }

    /** Whether {@code |value| = 1}, which needs no constant. */
    public static boolean isOne(SqrtRational value) {
        return value.square().equals(BigFraction.ONE);
    }

    /** The name of {@code |value|}, without the type's suffix; named on first use. */
    public String nameOf(SqrtRational value) {
        BigFraction key = value.square();
        return names.computeIfAbsent(key, k -> {
            magnitudes.put(k, value.abs());
            return prefix + names.size();
        });
    }

    /** The field name of {@code |value|} in {@code type}, e.g. {@code C3_F}. */
    String fieldName(SqrtRational value, NumberType type) {
        return nameOf(value) + suffix.apply(type);
    }

    public boolean isEmpty() {
        return names.isEmpty();
    }

    /** Every magnitude named so far, by name, in order of first use. */
    public Map<String, SqrtRational> constants() {
        Map<String, SqrtRational> constants = new LinkedHashMap<>();
        names.forEach((key, name) -> constants.put(name, magnitudes.get(key)));
        return Collections.unmodifiableMap(constants);
    }

    /** The {@code private static final} fields of {@code type}, each documented with its exact value. */
    List<FieldSpec> fields(NumberType type) {
        List<FieldSpec> fields = new ArrayList<>();
        constants().forEach((name, value) -> fields.add(
                FieldSpec.builder(type.type(), name + suffix.apply(type), Modifier.PRIVATE, Modifier.STATIC,
                                Modifier.FINAL)
                        .addJavadoc("$L\n", value)
                        .initializer("$L", type.literal(value))
                        .build()));
        return fields;
    }
}
