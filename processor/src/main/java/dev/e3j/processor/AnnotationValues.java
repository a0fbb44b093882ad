package dev.e3j.processor;

import java.util.List;
import java.util.Map;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.util.Elements;

/** The values of one annotation mirror, defaults included, as plain Java values. */
final class AnnotationValues {

    private final Elements elements;
    private final AnnotationMirror mirror;
    private final Map<? extends ExecutableElement, ? extends AnnotationValue> values;

    AnnotationValues(Elements elements, AnnotationMirror mirror) {
        this.elements = elements;
        this.mirror = mirror;
        this.values = elements.getElementValuesWithDefaults(mirror);
    }

    /**
     * Whether any value written in {@code mirror} (nested annotations and arrays included) did not resolve, such as a
     * constant that another processor has yet to generate: javac then hands the processor {@code "<error>"} in place
     * of the value, whatever the member's type.
     */
    static boolean unresolved(AnnotationMirror mirror) {
        return mirror.getElementValues().values().stream().anyMatch(AnnotationValues::unresolved);
    }

    private static boolean unresolved(AnnotationValue value) {
        Object content = value.getValue();
        if (content instanceof AnnotationMirror nested) {
            return unresolved(nested);
        }
        if (content instanceof List<?> list) {
            return list.stream().anyMatch(element -> element instanceof AnnotationValue item && unresolved(item));
        }
        return "<error>".equals(content);
    }

    String string(String name) {
        return (String) value(name);
    }

    int integer(String name) {
        return (Integer) value(name);
    }

    double real(String name) {
        return (Double) value(name);
    }

    boolean bool(String name) {
        return (Boolean) value(name);
    }

    List<Integer> integers(String name) {
        return array(name).stream().map(element -> (Integer) element.getValue()).toList();
    }

    List<String> strings(String name) {
        return array(name).stream().map(element -> (String) element.getValue()).toList();
    }

    List<Boolean> booleans(String name) {
        return array(name).stream().map(element -> (Boolean) element.getValue()).toList();
    }

    <E extends Enum<E>> E enumConstant(String name, Class<E> type) {
        return Enum.valueOf(type, ((VariableElement) value(name)).getSimpleName().toString());
    }

    /** The nested annotations of array attribute {@code name}, such as {@code @TensorProduct.paths}. */
    List<AnnotationValues> annotations(String name) {
        return array(name).stream()
                .map(element -> new AnnotationValues(elements, (AnnotationMirror) element.getValue()))
                .toList();
    }

    private List<AnnotationValue> array(String name) {
        return ((List<?>) value(name)).stream().map(AnnotationValue.class::cast).toList();
    }

    private Object value(String name) {
        for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> entry : values.entrySet()) {
            if (entry.getKey().getSimpleName().contentEquals(name)) {
                return entry.getValue().getValue();
            }
        }
        throw new IllegalStateException("@" + mirror.getAnnotationType() + " has no member " + name);
    }
}
