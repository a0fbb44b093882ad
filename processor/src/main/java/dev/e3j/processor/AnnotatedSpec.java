package dev.e3j.processor;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.JavaFile;
import dev.e3j.processor.diagnostics.Diagnostics;
import dev.e3j.processor.diagnostics.Message;
import dev.e3j.processor.writer.GeneratedFiles;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;
import javax.tools.Diagnostic;
import javax.tools.FileObject;
import javax.tools.StandardLocation;

/**
 * One element carrying an e3j annotation, as a {@link KernelStep} sees it: its annotation values with defaults,
 * diagnostics positioned on those values, the target check, and the Filer.
 */
final class AnnotatedSpec {

    /** {@code java.lang} types the generated classes name by their simple names, as people write them. */
    private static final List<String> JAVA_LANG_NAMES = List.of("Math", "String", "System", "Override",
            "SuppressWarnings", "IllegalArgumentException");
    /** Types the generated classes import and name by their simple names. */
    private static final List<String> IMPORTED_NAMES = List.of("Arrays", "Irreps", "BatchBlocks", "Generated", "List",
            "ArrayList", "WeightView", "SymmetricContractionKernel");

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
     * supertype is, so that all its problems show at once. An interface the generated class could not implement
     * (generic, sealed, private, carrying a second kernel annotation, or with abstract methods of its own) is
     * reported too, with {@code [e3j.target]}.
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
        } else if (requireOneKernel(type)) {
            requireNothingBeyond(type, kernelType);
        }
        requireImplementable(type);
        return Optional.of(type);
    }

    /**
     * The generated class is a top-level {@code public final class <Spec>Impl implements <Spec>} in the spec's
     * package: anything that keeps such a class from compiling (or from compiling warning-free) is reported here,
     * on the annotation, rather than as an error in generated code.
     */
    private void requireImplementable(TypeElement type) {
        ClassName implementation = GeneratedFiles.implementationName(ClassName.get(type));
        if (!type.getTypeParameters().isEmpty()) {
            diagnostics.error(Message.GENERIC_TARGET, type.getQualifiedName(), type.getTypeParameters());
        }
        if (type.getModifiers().contains(Modifier.SEALED)) {
            diagnostics.error(Message.SEALED_TARGET, type.getQualifiedName(), implementation.simpleName());
        }
        for (Element enclosing = type; enclosing instanceof TypeElement; enclosing = enclosing.getEnclosingElement()) {
            if (enclosing.getModifiers().contains(Modifier.PRIVATE)) {
                diagnostics.error(Message.PRIVATE_TARGET, enclosing.getSimpleName(),
                        enclosing == type ? "" : " (it encloses " + type.getQualifiedName() + ")",
                        implementation.simpleName());
                break;
            }
        }
        requireUnshadowedNames(type, implementation);
    }

    /**
     * Reports a type that would shadow a simple name the generated class uses: a member type of the spec or of one of
     * its supertypes (inherited by the generated class, it shadows imports and {@code java.lang} alike), or a type of
     * the spec's package named as a {@code java.lang} type (imports shadow such types; {@code java.lang} does not).
     */
    private void requireUnshadowedNames(TypeElement type, ClassName implementation) {
        Elements elements = env.getElementUtils();
        List<String> memberTypes = ElementFilter.typesIn(elements.getAllMembers(type)).stream()
                .map(member -> member.getSimpleName().toString()).toList();
        String packageName = elements.getPackageOf(type).getQualifiedName().toString();
        List<String> names = new ArrayList<>(JAVA_LANG_NAMES);
        names.addAll(IMPORTED_NAMES);
        for (String name : names) {
            TypeElement sibling = JAVA_LANG_NAMES.contains(name)
                    ? elements.getTypeElement(packageName.isEmpty() ? name : packageName + "." + name) : null;
            if (memberTypes.contains(name)) {
                diagnostics.error(Message.SHADOWED_NAME, "the member type " + name + " of " + type.getQualifiedName()
                        + " (or of a supertype)", name, implementation.simpleName());
            } else if (sibling != null) {
                diagnostics.error(Message.SHADOWED_NAME, sibling.getQualifiedName(), name,
                        implementation.simpleName());
            }
        }
    }

    /**
     * Whether {@code type} carries no other kernel annotation than this one; reports it otherwise (each
     * annotation, on itself), since both would generate the same class.
     */
    private boolean requireOneKernel(TypeElement type) {
        List<String> kernels = new ArrayList<>();
        for (AnnotationMirror mirror : type.getAnnotationMirrors()) {
            String name = ((TypeElement) mirror.getAnnotationType().asElement()).getQualifiedName().toString();
            for (KernelAnnotation kernel : KernelAnnotation.values()) {
                if (kernel.qualifiedName().equals(name)) {
                    kernels.add("@" + kernel.simpleName());
                }
            }
        }
        if (kernels.size() > 1) {
            diagnostics.error(Message.SEVERAL_KERNELS, type.getQualifiedName(), String.join(" and ", kernels),
                    GeneratedFiles.implementationName(ClassName.get(type)).simpleName());
            return false;
        }
        return true;
    }

    /**
     * Reports every abstract method of {@code type} that the generated class does not implement: one that neither
     * {@code kernelType} (whose methods it implements) nor {@code Object} declares with the same name and erased
     * parameter types, and that no default method of {@code type} overrides.
     */
    private void requireNothingBeyond(TypeElement type, TypeElement kernelType) {
        Elements elements = env.getElementUtils();
        List<ExecutableElement> implemented = new ArrayList<>(
                ElementFilter.methodsIn(elements.getAllMembers(kernelType)));
        implemented.addAll(ElementFilter.methodsIn(elements.getTypeElement("java.lang.Object").getEnclosedElements()));
        List<ExecutableElement> members = ElementFilter.methodsIn(elements.getAllMembers(type));
        for (ExecutableElement method : members) {
            if (method.getModifiers().contains(Modifier.ABSTRACT)
                    && implemented.stream().noneMatch(other -> sameSignature(method, other))
                    && members.stream().noneMatch(other -> !other.getModifiers().contains(Modifier.ABSTRACT)
                            && elements.overrides(other, method, type))) {
                diagnostics.error(Message.EXTRA_ABSTRACT_METHOD, type.getQualifiedName(), method,
                        GeneratedFiles.implementationName(ClassName.get(type)).simpleName());
            }
        }
    }

    private boolean sameSignature(ExecutableElement a, ExecutableElement b) {
        Types types = env.getTypeUtils();
        if (!a.getSimpleName().contentEquals(b.getSimpleName())
                || a.getParameters().size() != b.getParameters().size()) {
            return false;
        }
        for (int i = 0; i < a.getParameters().size(); i++) {
            if (!types.isSameType(types.erasure(a.getParameters().get(i).asType()),
                    types.erasure(b.getParameters().get(i).asType()))) {
                return false;
            }
        }
        return true;
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
