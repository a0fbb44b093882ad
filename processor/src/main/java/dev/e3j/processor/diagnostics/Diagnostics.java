package dev.e3j.processor.diagnostics;

import java.util.List;
import java.util.Map;
import javax.annotation.processing.Messager;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.tools.Diagnostic;

/**
 * Prints {@link Message}s for one annotated element, positioned on the annotation value they concern, so that
 * javac underlines {@code in1 = "2x1q"} rather than the whole interface.
 */
public final class Diagnostics {

    private final Messager messager;
    private final Element element;
    private final AnnotationMirror annotation;
    private int errorCount;

    public Diagnostics(Messager messager, Element element, AnnotationMirror annotation) {
        this.messager = messager;
        this.element = element;
        this.annotation = annotation;
    }

    public void error(Message message, Object... args) {
        errorCount++;
        messager.printMessage(Diagnostic.Kind.ERROR, message.format(args), element, annotation);
    }

    public void report(Problem problem) {
        errorCount++;
        print(Diagnostic.Kind.ERROR, problem);
    }

    /**
     * Prints {@code problem} as a warning: the kernel is generated, but probably not as meant. javac's
     * {@code -Werror} turns it into an error, as it does every warning, unless the spec or a type enclosing it says
     * {@code @SuppressWarnings("<tag>")}, e.g. {@code @SuppressWarnings("e3j.unreachable")}.
     */
    public void warn(Problem problem) {
        if (!suppressed(problem.message().tag())) {
            print(Diagnostic.Kind.WARNING, problem);
        }
    }

    private boolean suppressed(String tag) {
        for (Element at = element; at != null; at = at.getEnclosingElement()) {
            SuppressWarnings suppress = at.getAnnotation(SuppressWarnings.class);
            if (suppress != null && List.of(suppress.value()).contains(tag)) {
                return true;
            }
        }
        return false;
    }

    private void print(Diagnostic.Kind kind, Problem problem) {
        AnnotationValue value = find(problem.location());
        if (value == null) {
            messager.printMessage(kind, problem.text(), element, annotation);
        } else {
            messager.printMessage(kind, problem.text(), element, annotation, value);
        }
    }

    public void reportAll(List<Problem> problems) {
        problems.forEach(this::report);
    }

    public int errorCount() {
        return errorCount;
    }

    /**
     * The most precise explicitly written value for {@code location}: the nested member if the user wrote it, else
     * the array element, else the attribute; {@code null} when only defaults apply (then the annotation is used).
     */
    private AnnotationValue find(Location location) {
        if (location.attribute() == null) {
            return null;
        }
        AnnotationValue attribute = explicitValue(annotation, location.attribute());
        if (attribute == null || location.index() < 0) {
            return attribute;
        }
        if (!(attribute.getValue() instanceof List<?> elements) || location.index() >= elements.size()) {
            return attribute;
        }
        AnnotationValue element = (AnnotationValue) elements.get(location.index());
        if (location.member() != null && element.getValue() instanceof AnnotationMirror nested) {
            AnnotationValue member = explicitValue(nested, location.member());
            if (member != null) {
                return member;
            }
        }
        return element;
    }

    private static AnnotationValue explicitValue(AnnotationMirror mirror, String name) {
        for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> entry
                : mirror.getElementValues().entrySet()) {
            if (entry.getKey().getSimpleName().contentEquals(name)) {
                return entry.getValue();
            }
        }
        return null;
    }
}
