package dev.e3j.processor.model;

import dev.e3j.processor.diagnostics.Location;
import dev.e3j.processor.diagnostics.Message;
import dev.e3j.processor.diagnostics.Problem;
import dev.e3j.runtime.Irrep;
import dev.e3j.runtime.Irreps;
import java.util.List;

/** An irreps string written in an annotation attribute, parsed with its error positioned on that attribute. */
final class IrrepsAttribute {

    /**
     * The largest degree an irreps attribute of {@code @TensorProduct} or {@code @Linear} may name, as the CLI's
     * {@code w3j}: its exact Wigner 3j symbols take seconds to tens of seconds (about 45 s for {@code (100, 100, 100)}).
     * What a product of such degrees costs is bounded further by {@link TensorProductModels#MAX_COUPLED_PAIRS}.
     */
    static final int MAX_DEGREE = 100;

    private IrrepsAttribute() {
    }

    /**
     * {@code text} parsed, or the empty irreps after adding a problem on {@code attribute}, so that the caller goes on
     * to collect the spec's other problems: {@code [e3j.size]} when an entry's degree exceeds {@link #MAX_DEGREE}
     * (checked first, entry by entry, so that such a degree is named even where its dimension would overflow), else
     * {@code [e3j.irreps]} when it does not parse.
     */
    static Irreps parse(String text, String attribute, List<Problem> problems) {
        String[] entries = text == null ? new String[0] : text.split("\\+", -1);
        for (int e = 0; e < entries.length; e++) {
            if (degree(entries[e]) > MAX_DEGREE) {
                problems.add(Problem.at(Location.attribute(attribute), Message.DEGREE_LIMIT, attribute, e,
                        entries[e].strip(), MAX_DEGREE));
                return Irreps.empty();
            }
        }
        try {
            return Irreps.parse(text);
        } catch (IllegalArgumentException e) {
            problems.add(Problem.at(Location.attribute(attribute), Message.MALFORMED_IRREPS, attribute, e.getMessage()));
            return Irreps.empty();
        }
    }

    /**
     * The degree of one entry {@code [mul x] l parity} read from its digits alone (saturating at
     * {@link Long#MAX_VALUE}), so that degrees beyond what {@link Irrep} accepts are named too; {@code -1} when the
     * entry has no degree digits (reported by {@link Irreps#parse}).
     */
    private static long degree(String entry) {
        String irrep = entry.substring(entry.indexOf('x') + 1).strip();
        int end = 0;
        while (end < irrep.length() && irrep.charAt(end) >= '0' && irrep.charAt(end) <= '9') {
            end++;
        }
        if (end == 0) {
            return -1;
        }
        return end > 18 ? Long.MAX_VALUE : Long.parseLong(irrep.substring(0, end));
    }
}
