package dev.e3j.processor;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.JavaFile;
import dev.e3j.processor.diagnostics.Diagnostics;
import dev.e3j.processor.diagnostics.Message;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.TypeElement;
import javax.tools.Diagnostic;
import javax.tools.FileObject;
import javax.tools.StandardLocation;

/**
 * One element carrying an e3j annotation, as a {@link KernelStep} sees it: its annotation values with defaults,
 * diagnostics positioned on those values, the target check, and the Filer.
 */
final class AnnotatedSpec {

    private final ProcessingEnvironment env;
    private final Element element;
    private final String annotation;
    private final AnnotationValues values;
    private final Diagnostics diagnostics;

    private AnnotatedSpec(ProcessingEnvironment env, Element element, String annotation, AnnotationMirror mirror) {
        this.env = env;
        this.element = element;
        this.annotation = annotation;
        this.values = new AnnotationValues(env.getElementUtils(), mirror);
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

    /** The annotation's values, defaults included. */
    AnnotationValues values() {
        return values;
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

    /** Writes the kernel's source and its audit resource, both originating from the spec alone. */
    void write(ClassName implementation, JavaFile source, String auditResourceName, String auditJson) {
        try {
            source.writeTo(env.getFiler());
            createResource(auditResourceName, auditJson);
        } catch (IOException e) {
            writeFailed(implementation, e);
        }
    }

    /** Writes one more CLASS_OUTPUT resource originating from the spec alone, e.g. its CUDA source. */
    void writeResource(String resourceName, String content) {
        try {
            createResource(resourceName, content);
        } catch (IOException e) {
            writeFailed(resourceName, e);
        }
    }

    private void createResource(String resourceName, String content) throws IOException {
        FileObject file = env.getFiler().createResource(StandardLocation.CLASS_OUTPUT, "", resourceName, element);
        try (Writer out = new OutputStreamWriter(file.openOutputStream(), StandardCharsets.UTF_8)) {
            out.write(content);
        }
    }

    private void writeFailed(Object file, IOException e) {
        env.getMessager().printMessage(Diagnostic.Kind.ERROR, Message.WRITE_FAILED.format(file, e.getMessage()),
                element);
    }
}
