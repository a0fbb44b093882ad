package dev.e3j.processor.model;

import dev.e3j.processor.diagnostics.Location;
import dev.e3j.processor.diagnostics.Message;
import dev.e3j.processor.diagnostics.Problem;
import dev.e3j.runtime.Irreps;
import java.util.List;

/** An irreps string written in an annotation attribute, parsed with its error positioned on that attribute. */
final class IrrepsAttribute {

    private IrrepsAttribute() {
    }

    /**
     * {@code text} parsed, or the empty irreps after adding an {@code [e3j.irreps]} problem on {@code attribute}, so
     * that the caller goes on to collect the spec's other problems.
     */
    static Irreps parse(String text, String attribute, List<Problem> problems) {
        try {
            return Irreps.parse(text);
        } catch (IllegalArgumentException e) {
            problems.add(Problem.at(Location.attribute(attribute), Message.MALFORMED_IRREPS, attribute, e.getMessage()));
            return Irreps.empty();
        }
    }
}
