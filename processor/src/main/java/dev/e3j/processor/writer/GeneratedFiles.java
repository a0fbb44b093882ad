package dev.e3j.processor.writer;

import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.TypeSpec;
import java.util.HashSet;
import java.util.Set;
import javax.lang.model.element.Element;
import javax.lang.model.element.ModuleElement;
import javax.lang.model.element.PackageElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.util.ElementFilter;

/**
 * What every generated kernel carries beyond its class body: its name ({@code <Spec>Impl}), {@code @Generated}, the
 * spec as its one originating element (for incremental builds), the file layout, and the name of its audit resource.
 */
public final class GeneratedFiles {

    /** The value of {@code @Generated}. */
    public static final String GENERATOR = "dev.e3j.processor.E3jProcessor";

    private static final ClassName GENERATED = ClassName.get("javax.annotation.processing", "Generated");
    /** The module of {@link #GENERATED}. */
    private static final String GENERATED_MODULE = "java.compiler";

    private GeneratedFiles() {
    }

    /**
     * {@code type}, annotated {@code @Generated(value = E3jProcessor, comments = comments)}, as a source file. The
     * annotation is left out where the spec's named module could not compile it without a warning (it does not read
     * {@code java.compiler}, where the annotation is declared). When the spec or a type enclosing it is
     * {@code @Deprecated}, the class also suppresses the deprecation and removal warnings that its {@code implements}
     * clause would raise under {@code -Xlint:all}: the user deprecated the spec, not the generated code.
     */
    public static JavaFile javaFile(ClassName implementation, TypeSpec type, String comments,
                                    Element originatingElement) {
        TypeSpec.Builder annotated = type.toBuilder().addOriginatingElement(originatingElement);
        if (generatedAnnotationUsable(originatingElement)) {
            annotated.addAnnotation(AnnotationSpec.builder(GENERATED)
                    .addMember("value", "$S", GENERATOR)
                    .addMember("comments", "$S", comments)
                    .build());
        }
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

    /**
     * Whether the class generated for {@code spec} can carry {@code @Generated}, declared in {@code java.compiler},
     * without an error or a warning. The unnamed module (and source code without modules) reads every module. A named
     * module reads the modules it requires and, from each of them, every module required {@code transitive}ly (JLS
     * 7.7.1): {@code requires static java.compiler} or {@code requires java.se}. The kernel classes are public, so in
     * an exported package {@code -Xlint:exports} also asks that the module itself require {@code java.compiler}
     * transitively.
     */
    private static boolean generatedAnnotationUsable(Element spec) {
        Element element = spec;
        while (element != null && !(element instanceof ModuleElement)) {
            element = element.getEnclosingElement();
        }
        if (!(element instanceof ModuleElement module) || module.isUnnamed()) {
            return true;
        }
        Element specPackage = spec;
        while (!(specPackage instanceof PackageElement)) {
            specPackage = specPackage.getEnclosingElement();
        }
        Element kernelPackage = specPackage;
        boolean exported = ElementFilter.exportsIn(module.getDirectives()).stream()
                .anyMatch(exports -> exports.getPackage().equals(kernelPackage));
        Set<ModuleElement> visited = new HashSet<>();
        return ElementFilter.requiresIn(module.getDirectives()).stream()
                .filter(requires -> !exported || requires.isTransitive())
                .anyMatch(requires -> impliesGeneratedModule(requires.getDependency(), visited));
    }

    /**
     * Whether reading {@code module} means reading {@code java.compiler}: it is that module or requires it
     * transitively.
     */
    private static boolean impliesGeneratedModule(ModuleElement module, Set<ModuleElement> visited) {
        if (module.getQualifiedName().contentEquals(GENERATED_MODULE)) {
            return true;
        }
        return visited.add(module) && ElementFilter.requiresIn(module.getDirectives()).stream()
                .filter(ModuleElement.RequiresDirective::isTransitive)
                .anyMatch(requires -> impliesGeneratedModule(requires.getDependency(), visited));
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
