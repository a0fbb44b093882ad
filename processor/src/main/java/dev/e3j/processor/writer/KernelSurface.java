package dev.e3j.processor.writer;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import dev.e3j.runtime.Irreps;
import javax.lang.model.element.Modifier;

/**
 * What every generated kernel class shows the same way, whatever its kind: its private constants (irreps, sizes)
 * and the getters that implement its runtime interface. Its argument checks, in one message style, are
 * {@link KernelChecks}.
 */
final class KernelSurface {

    private static final ClassName IRREPS = ClassName.get(Irreps.class);

    private KernelSurface() {
    }

    /** {@code private static final Irreps name = Irreps.parse("irreps");}. */
    static FieldSpec irrepsField(String name, Irreps irreps) {
        return FieldSpec.builder(IRREPS, name, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .initializer("$T.parse($S)", IRREPS, irreps.toString())
                .build();
    }

    /** {@code private static final int name = value;}. */
    static FieldSpec intField(String name, int value) {
        return FieldSpec.builder(TypeName.INT, name, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .initializer("$L", value)
                .build();
    }

    /** {@code @Override public type name() { return value; }}: a getter of the kernel's runtime interface. */
    static MethodSpec getter(String name, TypeName type, String value) {
        return MethodSpec.methodBuilder(name)
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .returns(type)
                .addStatement("return $L", value)
                .build();
    }

    /** {@link #getter(String, TypeName, String)} for a type named by its class. */
    static MethodSpec getter(String name, Class<?> type, String value) {
        return getter(name, TypeName.get(type), value);
    }
}
