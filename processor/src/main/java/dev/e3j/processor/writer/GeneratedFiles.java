package dev.e3j.processor.writer;

import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.TypeSpec;
import javax.lang.model.element.Element;
import javax.lang.model.element.TypeElement;

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

    /**
     * {@code type}, annotated {@code @Generated(value = E3jProcessor, comments = comments)}, as a source file. When
     * the spec or a type enclosing it is {@code @Deprecated}, the class also suppresses the deprecation and removal
     * warnings that its {@code implements} clause would raise under {@code -Xlint:all}: the user deprecated the spec,
     * not the generated code.
     */
    public static JavaFile javaFile(ClassName implementation, TypeSpec type, String comments,
                                    Element originatingElement) {
        TypeSpec.Builder annotated = type.toBuilder()
                .addAnnotation(AnnotationSpec.builder(GENERATED)
                        .addMember("value", "$S", GENERATOR)
                        .addMember("comments", "$S", comments)
                        .build())
                .addOriginatingElement(originatingElement);
        if (deprecated(originatingElement)) {
            annotated.addAnnotation(AnnotationSpec.builder(SuppressWarnings.class)
                    .addMember("value", "{$S, $S}", "deprecation", "removal")
                    .build());
        }
        return JavaFile.builder(implementation.packageName(), annotated.build())
                .skipJavaLangImports(true)
                .indent("    ")
                .build();
    }

    /** Whether {@code spec} or a type enclosing it carries {@code @Deprecated}. */
    private static boolean deprecated(Element spec) {
        for (Element element = spec; element instanceof TypeElement; element = element.getEnclosingElement()) {
            if (element.getAnnotation(Deprecated.class) != null) {
                return true;
            }
        }
        return false;
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
