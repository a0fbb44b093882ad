package dev.e3j.processor.writer;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * The argument checks of one generated kernel, as private helpers of its class (generated code needs no library),
 * and the statements that call them. Every failure is an {@link IllegalArgumentException} of one shape, naming the
 * kernel, the method and the argument, then the expected and the actual:
 * <pre>
 * Kernels_FcImpl.forward: x1 must have length 128 (batch 4 x 32), got 127
 * Kernels_FcImpl.forward: batch must be &gt;= 0, got -1
 * Kernels_FcImpl.backward: gradX1 must not be the same array as gradOut (each output must be an array of its own)
 * </pre>
 *
 * <p>{@code null} stands for an empty array: it fits wherever the length must be 0. An output may not be the same array as an input or as another output: the kernels read their inputs while they
 * write their outputs, sample by sample and path by path, so an aliased output would corrupt what is still to be read.
 * The check compares references only; overlapping views cannot exist for Java arrays.
 */
final class KernelChecks {

    private static final TypeName INT_ARRAY = ArrayTypeName.of(TypeName.INT);

    private final String kernel;
    private final String countName;
    /** Whether a check of an array shared by the samples was written, so that its helper is needed. */
    private boolean sharedChecked;

    /**
     * @param implementation the generated class, named in every message
     * @param countName      the kernel's sample count parameter: {@code batch}, or {@code n} for points
     */
    KernelChecks(ClassName implementation, String countName) {
        this.kernel = implementation.simpleName();
        this.countName = countName;
    }

    /**
     * The helpers, {@code lengthOf} once per array type and {@code requireDistinct} once per floating-point one (an
     * {@code int} array is only read); the check of a shared array only if {@link #shared} wrote one, so call this
     * after the statements.
     */
    List<MethodSpec> methods(List<TypeName> arrayTypes) {
        List<MethodSpec> methods = new ArrayList<>();
        methods.add(MethodSpec.methodBuilder("requireNonNegative")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(String.class, "method")
                .addParameter(String.class, "argument")
                .addParameter(int.class, "size")
                .beginControlFlow("if (size < 0)")
                .addStatement("throw invalid(method, argument + $S + size)", " must be >= 0, got ")
                .endControlFlow()
                .build());
        if (sharedChecked) {
            methods.add(MethodSpec.methodBuilder("requireLength")
                    .addJavadoc("An array shared by the samples: exactly {@code length} numbers ({@code actual < 0}"
                            + " stands for null, which fits a length of 0).\n")
                    .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                    .addParameter(String.class, "method")
                    .addParameter(String.class, "argument")
                    .addParameter(int.class, "actual")
                    .addParameter(int.class, "length")
                    .beginControlFlow("if (actual != length && !(actual < 0 && length == 0))")
                    .addStatement("throw invalid(method, argument + $S + length + $S + found(actual))",
                            " must have length ", ", got ")
                    .endControlFlow()
                    .build());
        }
        methods.add(MethodSpec.methodBuilder("requireLength")
                .addJavadoc("An array of {@code count} samples of {@code dim} numbers ({@code actual < 0} stands for"
                        + " null, which fits a length of 0).\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(String.class, "method")
                .addParameter(String.class, "argument")
                .addParameter(int.class, "actual")
                .addParameter(int.class, "count")
                .addParameter(int.class, "dim")
                .addStatement("long expected = (long) count * dim")
                .beginControlFlow("if (actual != expected && !(actual < 0 && expected == 0))")
                .addStatement("throw invalid(method, argument + $S + expected + $S + count + $S + dim + $S"
                        + " + found(actual))", " must have length ", " (" + countName + " ", " x ", "), got ")
                .endControlFlow()
                .build());
        methods.add(MethodSpec.methodBuilder("found")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(String.class)
                .addParameter(int.class, "actual")
                .addStatement("return actual < 0 ? $S : String.valueOf(actual)", "null")
                .build());
        methods.add(MethodSpec.methodBuilder("invalid")
                .addJavadoc("The one shape of every argument error: {@code <kernel>.<method>: <message>}.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(IllegalArgumentException.class)
                .addParameter(String.class, "method")
                .addParameter(String.class, "message")
                .addStatement("return new IllegalArgumentException($S + method + $S + message)", kernel + ".", ": ")
                .build());
        for (TypeName arrayType : arrayTypes) {
            if (arrayType.equals(INT_ARRAY)) {
                // only read (the symmetric contraction's elements): never an output that must be distinct
                methods.add(lengthOf(arrayType));
                continue;
            }
            methods.add(MethodSpec.methodBuilder("requireDistinct")
                    .addJavadoc("An output, written while {@code other} is still read (or written), must be another"
                            + " array; an empty one holds nothing to corrupt.\n")
                    .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                    .addParameter(String.class, "method")
                    .addParameter(String.class, "output")
                    .addParameter(arrayType, "outputArray")
                    .addParameter(String.class, "other")
                    .addParameter(arrayType, "otherArray")
                    .beginControlFlow("if (outputArray != null && outputArray.length > 0 && outputArray == otherArray)")
                    .addStatement("throw invalid(method, output + $S + other + $S)", " must not be the same array as ",
                            " (each output must be an array of its own)")
                    .endControlFlow()
                    .build());
            methods.add(lengthOf(arrayType));
        }
        return methods;
    }

    private static MethodSpec lengthOf(TypeName arrayType) {
        return MethodSpec.methodBuilder("lengthOf")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(TypeName.INT)
                .addParameter(arrayType, "array")
                .addStatement("return array == null ? -1 : array.length")
                .build();
    }

    /** {@code requireNonNegative(method, countName, countName)}. */
    CodeBlock nonNegativeCount(String method) {
        return CodeBlock.builder().addStatement("requireNonNegative($S, $S, $L)", method, countName, countName).build();
    }

    /** {@code argument} holds one row of {@code dim} (an int expression) per sample. */
    CodeBlock perSample(String method, String argument, Object dim) {
        return CodeBlock.builder().addStatement("requireLength($S, $S, lengthOf($L), $L, $L)", method, argument,
                argument, countName, dim).build();
    }

    /** {@code argument} holds {@code length} (an int expression) numbers for all samples. */
    CodeBlock shared(String method, String argument, Object length) {
        sharedChecked = true;
        return CodeBlock.builder().addStatement("requireLength($S, $S, lengthOf($L), $L)", method, argument,
                argument, length).build();
    }

    /**
     * Every output differs from every input and from every other output; a {@code null} output (a gradient not
     * wanted) differs from everything.
     */
    CodeBlock distinct(String method, List<String> outputs, List<String> inputs) {
        CodeBlock.Builder code = CodeBlock.builder();
        for (int o = 0; o < outputs.size(); o++) {
            List<String> others = new ArrayList<>(inputs);
            others.addAll(outputs.subList(o + 1, outputs.size()));
            for (String other : others) {
                code.addStatement("requireDistinct($S, $S, $L, $S, $L)", method, outputs.get(o), outputs.get(o),
                        other, other);
            }
        }
        return code.build();
    }
}
