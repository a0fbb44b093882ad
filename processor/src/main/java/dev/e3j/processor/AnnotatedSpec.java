package dev.e3j.processor;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.JavaFile;
import dev.e3j.processor.diagnostics.Diagnostics;
import dev.e3j.processor.diagnostics.Message;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.tools.Diagnostic;
import javax.tools.FileObject;
import javax.tools.StandardLocation;

/**
 * One element carrying an e3j annotation, as the steps for {@code @SphericalHarmonics} and {@code @Linear} see it:
 * its annotation values with defaults, diagnostics positioned on those values, the target check, and the Filer.
 */
final class AnnotatedSpec {

    private final ProcessingEnvironment env;
    private final Element element;
    private final String annotation;
    private final Map<? extends ExecutableElement, ? extends AnnotationValue> values;
    private final Diagnostics diagnostics;

    private AnnotatedSpec(ProcessingEnvironment env, Element element, String annotation, AnnotationMirror mirror) {
        this.env = env;
        this.element = element;
        this.annotation = annotation;
        this.values = env.getElementUtils().getElementValuesWithDefaults(mirror);
        this.diagnostics = new Diagnostics(env.getMessager(), element, mirror);
    }

    /** {@code element}'s annotation {@code annotation} (a canonical name), if it carries it. */
    static Optional<AnnotatedSpec> of(ProcessingEnvironment env, Element element, String annotation) {
        for (AnnotationMirror mirror : element.getAnnotationMirrors()) {
            TypeElement type = (TypeElement) mirror.getAnnotationType().asElement();
            if (type.getQualifiedName().contentEquals(annotation)) {
                return Optional.of(new AnnotatedSpec(env, element, annotation, mirror));
            }
        }
        return Optional.empty();
    }

    Diagnostics diagnostics() {
        return diagnostics;
    }

    /**
     * The annotated interface if it extends {@code kernel} (a canonical name); otherwise reports
     * {@code [e3j.target]} and returns empty. A class is not checked further; an interface with the wrong
     * supertype is, so that all its problems show at once.
     */
    Optional<TypeElement> target(String kernel) {
        String simpleName = annotation.substring(annotation.lastIndexOf('.') + 1);
        if (element.getKind() != ElementKind.INTERFACE) {
            diagnostics.error(Message.NOT_AN_INTERFACE, simpleName, kernel, element.getSimpleName(),
                    element.getKind().toString().toLowerCase().replace('_', ' '));
            return Optional.empty();
        }
        TypeElement type = (TypeElement) element;
        TypeElement kernelType = env.getElementUtils().getTypeElement(kernel);
        if (kernelType == null || !env.getTypeUtils().isAssignable(type.asType(),
                env.getTypeUtils().getDeclaredType(kernelType))) {
            diagnostics.error(Message.NOT_A_KERNEL, type.getQualifiedName(), kernel, simpleName);
        }
        return Optional.of(type);
    }

    String string(String name) {
        return (String) value(name);
    }

    int integer(String name) {
        return (Integer) value(name);
    }

    boolean bool(String name) {
        return (Boolean) value(name);
    }

    List<Integer> integers(String name) {
        return ((List<?>) value(name)).stream().map(v -> (Integer) ((AnnotationValue) v).getValue()).toList();
    }

    <E extends Enum<E>> E enumConstant(String name, Class<E> type) {
        return Enum.valueOf(type, ((VariableElement) value(name)).getSimpleName().toString());
    }

    private Object value(String name) {
        for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> entry : values.entrySet()) {
            if (entry.getKey().getSimpleName().contentEquals(name)) {
                return entry.getValue().getValue();
            }
        }
        throw new IllegalStateException("@" + annotation + " has no member " + name);
    }

    /** Writes the kernel's source and its audit resource, both originating from the spec alone. */
    void write(ClassName implementation, JavaFile source, String auditResourceName, String auditJson) {
        try {
            source.writeTo(env.getFiler());
            FileObject audit = env.getFiler().createResource(StandardLocation.CLASS_OUTPUT, "", auditResourceName,
                    element);
            try (Writer out = new OutputStreamWriter(audit.openOutputStream(), StandardCharsets.UTF_8)) {
                out.write(auditJson);
            }
        } catch (IOException e) {
            env.getMessager().printMessage(Diagnostic.Kind.ERROR,
                    Message.WRITE_FAILED.format(implementation, e.getMessage()), element);
        }
    }

    /** Writes one more CLASS_OUTPUT resource originating from the spec alone, e.g. its CUDA source. */
    void writeResource(String resourceName, String content) {
        try {
            FileObject file = env.getFiler().createResource(StandardLocation.CLASS_OUTPUT, "", resourceName, element);
            try (Writer out = new OutputStreamWriter(file.openOutputStream(), StandardCharsets.UTF_8)) {
                out.write(content);
            }
        } catch (IOException e) {
            env.getMessager().printMessage(Diagnostic.Kind.ERROR,
                    Message.WRITE_FAILED.format(resourceName, e.getMessage()), element);
        }
    }
}
