package dev.e3j.processor;

import com.google.auto.service.AutoService;
import com.palantir.javapoet.ClassName;
import dev.e3j.processor.diagnostics.Message;
import dev.e3j.processor.writer.GeneratedFiles;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.ProcessingEnvironment;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.TypeElement;
import javax.tools.Diagnostic;

/**
 * The e3j annotation processor: dispatches each e3j annotation to its {@link ProcessingStep}. No exception reaches
 * javac: anything unexpected becomes an {@code [e3j.internal]} error on the element being processed.
 *
 * <p>It claims its own annotations and the {@code @Generated} marker of its output: no other processor has a use for
 * them, and an unclaimed annotation makes {@code javac -Xlint:all} warn "No processor claimed any of these
 * annotations" in every user build.
 */
@AutoService(Processor.class)
public final class E3jProcessor extends AbstractProcessor {

    /** Carried by every generated class; claimed so that {@code -Xlint:all} has no unclaimed annotation to report. */
    private static final String GENERATED = "javax.annotation.processing.Generated";

    private final Map<String, ProcessingStep> steps = new LinkedHashMap<>();
    /** Specs whose annotation values did not resolve yet: (qualified name, annotation), retried next round. */
    private final Set<Map.Entry<String, String>> deferred = new LinkedHashSet<>();
    /**
     * Each generated class's qualified name and the spec it was claimed by, over all rounds: {@code Outer_Mid.Spec}
     * and {@code Outer.Mid_Spec} both map to {@code Outer_Mid_SpecImpl}.
     */
    private final Map<String, String> claimedNames = new HashMap<>();

    @Override
    public synchronized void init(ProcessingEnvironment processingEnv) {
        super.init(processingEnv);
        for (ProcessingStep step : List.<ProcessingStep>of(new TensorProductStep(processingEnv),
                new SphericalHarmonicsStep(processingEnv), new LinearStep(processingEnv),
                new GatePointsStep(processingEnv), new MaceStep(processingEnv),
                new ReducedTensorProductsStep(processingEnv, false),
                new ReducedTensorProductsStep(processingEnv, true), new SymmetricContractionStep(processingEnv))) {
            steps.put(step.annotation(), step);
        }
    }

    @Override
    public Set<String> getSupportedAnnotationTypes() {
        Set<String> supported = new LinkedHashSet<>();
        for (KernelAnnotation kernel : KernelAnnotation.values()) {
            supported.add(kernel.qualifiedName());
        }
        supported.add(GENERATED);
        return supported;
    }

    @Override
    public SourceVersion getSupportedSourceVersion() {
        return SourceVersion.latestSupported();
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
        // Specs deferred by an earlier round come first, looked up again: elements do not outlive their round.
        List<Map.Entry<String, String>> retry = List.copyOf(deferred);
        deferred.clear();
        for (Map.Entry<String, String> spec : retry) {
            TypeElement element = processingEnv.getElementUtils().getTypeElement(spec.getKey());
            if (element != null) {
                process(element, spec.getValue(), round);
            }
        }
        for (TypeElement annotation : annotations) {
            String name = annotation.getQualifiedName().toString();
            if (steps.containsKey(name)) {
                round.getElementsAnnotatedWith(annotation).forEach(element -> process(element, name, round));
            }
        }
        return true;
    }

    /**
     * One spec. When a value of its annotation has not resolved (a constant that another processor generates in this
     * round), the spec waits for the next round; in the last round it is reported instead.
     */
    private void process(Element element, String annotation, RoundEnvironment round) {
        AnnotationMirror mirror = element.getAnnotationMirrors().stream()
                .filter(m -> ((TypeElement) m.getAnnotationType().asElement()).getQualifiedName()
                        .contentEquals(annotation))
                .findFirst().orElse(null);
        if (mirror != null && AnnotationValues.unresolved(mirror)) {
            if (round.processingOver()) {
                processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR,
                        Message.UNRESOLVED.format(simpleName(annotation), element), element, mirror);
            } else if (element instanceof TypeElement type) {
                deferred.add(Map.entry(type.getQualifiedName().toString(), annotation));
            }
            return;
        }
        try {
            if (claimsItsName(element, mirror)) {
                steps.get(annotation).process(element);
            }
        } catch (RuntimeException | Error e) {
            // We don't let exceptions of any kind reach the compiler: report on the element and go on.
            StackTraceElement[] frames = e.getStackTrace();
            String where = frames.length == 0 ? "" : " at " + frames[0];
            processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR,
                    Message.INTERNAL.format(e.getClass().getSimpleName(), simpleName(annotation), element,
                            e.getMessage() + where),
                    element);
        }
    }

    /**
     * Whether the class {@code element} generates is still free; reports {@code [e3j.target]} naming both specs when
     * another spec claimed it. Elements other than interfaces generate nothing, so claim nothing.
     */
    private boolean claimsItsName(Element element, AnnotationMirror mirror) {
        if (element.getKind() != ElementKind.INTERFACE) {
            return true;
        }
        TypeElement spec = (TypeElement) element;
        String specName = spec.getQualifiedName().toString();
        String generated = GeneratedFiles.implementationName(ClassName.get(spec)).canonicalName();
        String owner = claimedNames.putIfAbsent(generated, specName);
        if (owner == null || owner.equals(specName)) {
            return true;
        }
        List<String> both = owner.compareTo(specName) < 0 ? List.of(owner, specName) : List.of(specName, owner);
        processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR,
                Message.NAME_COLLISION.format(both.get(0), both.get(1), generated), element, mirror);
        return false;
    }

    private static String simpleName(String annotation) {
        return annotation.substring(annotation.lastIndexOf('.') + 1);
    }
}
