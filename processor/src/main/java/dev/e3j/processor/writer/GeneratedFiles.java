package dev.e3j.processor.writer;

import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.TypeSpec;
import javax.lang.model.element.Element;

/**
 * What every generated kernel carries beyond its class body: {@code @Generated}, the spec as its one originating
 * element (for incremental builds), the file layout, and the name of its audit resource.
 */
public final class GeneratedFiles {

    private static final ClassName GENERATED = ClassName.get("javax.annotation.processing", "Generated");

    private GeneratedFiles() {
    }

    /** {@code type}, annotated {@code @Generated(value = E3jProcessor, comments = comments)}, as a source file. */
    public static JavaFile javaFile(ClassName implementation, TypeSpec type, String comments,
                                    Element originatingElement) {
        TypeSpec annotated = type.toBuilder()
                .addAnnotation(AnnotationSpec.builder(GENERATED)
                        .addMember("value", "$S", TensorProductWriter.GENERATOR)
                        .addMember("comments", "$S", comments)
                        .build())
                .addOriginatingElement(originatingElement)
                .build();
        return JavaFile.builder(implementation.packageName(), annotated)
                .skipJavaLangImports(true)
                .indent("    ")
                .build();
    }

    /** {@code META-INF/e3j/<binary name>.json}, the audit file of {@code implementation}. */
    public static String auditResourceName(ClassName implementation) {
        return "META-INF/e3j/" + implementation.reflectionName() + ".json";
    }
}
