package dev.e3j.processor.writer;

import com.palantir.javapoet.MethodSpec;
import javax.lang.model.element.Modifier;

/** The argument checks every generated kernel carries as private helpers, so generated code needs no library. */
final class KernelChecks {

    private KernelChecks() {
    }

    /**
     * {@code requireLength(name, array, rows, rowLength)}: the array must hold exactly {@code rows * rowLength}
     * numbers; {@code null} stands for an empty array.
     */
    static MethodSpec requireLength(Arithmetic arithmetic) {
        return MethodSpec.methodBuilder("requireLength")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(String.class, "name")
                .addParameter(arithmetic.arrayType(), "array")
                .addParameter(int.class, "rows")
                .addParameter(int.class, "rowLength")
                .addStatement("long expected = (long) rows * rowLength")
                .addStatement("long actual = array == null ? 0 : array.length")
                .beginControlFlow("if (actual != expected)")
                .addStatement("throw new $T(name + $S + expected + $S + rows + $S + rowLength + $S"
                        + " + (array == null ? $S : String.valueOf(actual)))",
                        IllegalArgumentException.class, ": expected length ", " (", " x ", "), got ", "null")
                .endControlFlow()
                .build();
    }

    /** {@code requireNonNegative(name, size)}: a batch or point count is never negative. */
    static MethodSpec requireNonNegative() {
        return MethodSpec.methodBuilder("requireNonNegative")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(String.class, "name")
                .addParameter(int.class, "size")
                .beginControlFlow("if (size < 0)")
                .addStatement("throw new $T(name + $S + size)", IllegalArgumentException.class,
                        ": expected a size >= 0, got ")
                .endControlFlow()
                .build();
    }
}
