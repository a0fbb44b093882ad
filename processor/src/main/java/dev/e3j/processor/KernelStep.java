package dev.e3j.processor;

import dev.e3j.processor.diagnostics.Problem;
import dev.e3j.processor.model.InvalidSpecException;
import java.util.List;
import java.util.Optional;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.Element;
import javax.lang.model.element.TypeElement;

/**
 * The one pipeline every e3j annotation goes through: find the annotation, check its target interface, read the
 * values into a spec, build the exact model (which collects every problem with its position), print the problems on
 * the annotation values, and only when no error was reported print the warnings and write {@code <Spec>Impl}, its audit file and any other
 * output, all with the spec as the only originating element.
 *
 * @param <S> the annotation's values, free of javac types
 * @param <M> the exact model the writers take
 */
abstract class KernelStep<S, M> implements ProcessingStep {

    private final ProcessingEnvironment env;
    private final KernelAnnotation annotation;

    /** @param annotation the annotation this step handles, and the runtime interface its targets extend */
    KernelStep(ProcessingEnvironment env, KernelAnnotation annotation) {
        this.env = env;
        this.annotation = annotation;
    }

    @Override
    public final String annotation() {
        return annotation.qualifiedName();
    }

    @Override
    public final void process(Element element) {
        Optional<AnnotatedSpec> found = AnnotatedSpec.of(env, element, annotation.qualifiedName());
        if (found.isEmpty()) {
            return;
        }
        AnnotatedSpec annotated = found.get();
        Optional<TypeElement> target = annotated.target(annotation.kernel());
        if (target.isEmpty()) {
            return;
        }
        S spec = read(annotated.values());
        M model;
        try {
            model = build(spec);
        } catch (InvalidSpecException e) {
            annotated.diagnostics().reportAll(e.problems());
            return;
        }
        if (annotated.diagnostics().errorCount() > 0) {
            return;
        }
        warnings(model).forEach(annotated.diagnostics()::warn);
        write(annotated, target.get(), spec, model);
    }

    /** The annotation's values, with defaults for those not written. */
    abstract S read(AnnotationValues values);

    /** Validates {@code spec} into the exact model, throwing with every problem found. */
    abstract M build(S spec) throws InvalidSpecException;

    /** What is valid in {@code model} but probably not meant, printed as warnings; the kernel is still written. */
    List<Problem> warnings(M model) {
        return List.of();
    }

    /** Writes every output of a valid {@code target} interface through {@code annotated}'s Filer. */
    abstract void write(AnnotatedSpec annotated, TypeElement target, S spec, M model);
}
