package dev.e3j.processor.diagnostics;

/**
 * Where in an annotation a problem lies, independent of javac: an attribute ({@code in1}), or a member of one
 * element of an annotation array ({@code paths[2].mode}). {@link #WHOLE} means the annotation itself.
 *
 * @param attribute the annotation attribute, or {@code null} for the whole annotation
 * @param index     index into the attribute's array, or {@code -1}
 * @param member    member of the nested annotation at {@code index}, or {@code null} for the whole element
 */
public record Location(String attribute, int index, String member) {

    public static final Location WHOLE = new Location(null, -1, null);

    public static Location attribute(String attribute) {
        return new Location(attribute, -1, null);
    }

    public static Location member(String attribute, int index, String member) {
        return new Location(attribute, index, member);
    }

    @Override
    public String toString() {
        if (attribute == null) {
            return "annotation";
        }
        if (index < 0) {
            return attribute;
        }
        return attribute + "[" + index + "]" + (member == null ? "" : "." + member);
    }
}
