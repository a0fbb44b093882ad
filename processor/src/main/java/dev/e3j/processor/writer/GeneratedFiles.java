package dev.e3j.processor.writer;

import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.TypeSpec;
import javax.lang.model.element.Element;

/**
 * What every generated kernel carries beyond its class body: its name ({@code <Spec>Impl}), {@code @Generated}, the
 * spec as its one originating element (for incremental builds), the file layout, and the name of its audit resource.
 */
public final class GeneratedFiles {

    /** The value of {@code @Generated}. */
    public static final String GENERATOR = "dev.e3j.processor.E3jProcessor";

    private static final ClassName GENERATED = ClassName.get("javax.annotation.processing", "Generated");

    private GeneratedFiles() {
    }

    /** {@code type}, annotated {@code @Generated(value = E3jProcessor, comments = comments)}, as a source file. */
    public static JavaFile javaFile(ClassName implementation, TypeSpec type, String comments,
                                    Element originatingElement) {
        TypeSpec annotated = type.toBuilder()
                .addAnnotation(AnnotationSpec.builder(GENERATED)
                        .addMember("value", "$S", GENERATOR)
                        .addMember("comments", "$S", comments)
                        .build())
                .addOriginatingElement(originatingElement)
                .build();
        return JavaFile.builder(implementation.packageName(), annotated)
                .skipJavaLangImports(true)
                .indent("    ")
                .build();
    }

    /** {@code Outer.Spec} becomes {@code Outer_SpecImpl} in the same package. */
    public static ClassName implementationName(ClassName spec) {
        return ClassName.get(spec.packageName(), String.join("_", spec.simpleNames()) + "Impl");
    }

    /** {@code META-INF/e3j/<binary name>.json}, the audit file of {@code implementation}. */
    public static String auditResourceName(ClassName implementation) {
        return "META-INF/e3j/" + implementation.reflectionName() + ".json";
    }
}
