package dev.e3j.processor;

import java.util.Set;
import javax.lang.model.element.Element;

/** The work for one annotation: validates each annotated element, reports, and generates when clean. */
interface ProcessingStep {

    /** Canonical name of the annotation this step handles. */
    String annotation();

    /** Processes one annotated element; never throws (the processor still guards it). */
    void process(Element element);

    /** Processes every element of a round. */
    default void process(Set<? extends Element> elements) {
        elements.forEach(this::process);
    }
}
