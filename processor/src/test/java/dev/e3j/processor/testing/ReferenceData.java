package dev.e3j.processor.testing;

import dev.e3j.annotations.CgConvention;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the e3nn reference files for every processor test: a minimal JSON reader (objects become maps, arrays
 * lists, numbers doubles, plus strings and literals) and accessors for what the files hold.
 */
public final class ReferenceData {

    private ReferenceData() {}

    /** The {@code cases} of {@code reference/e3nn-0.5.4/<name>}. */
    public static List<Map<String, Object>> cases(String name) throws IOException {
        return cases(load(name));
    }

    /** {@code reference/e3nn-0.5.4/<name>}, located by {@code e3j.reference.dir} or by walking up from user.dir. */
    public static Object load(String name) throws IOException {
        return new Reader(Files.readString(directory().resolve(name))).document();
    }

    /** The {@code cases} of {@code <name>} in the reference folder of {@code convention} (see {@link #directory}). */
    public static List<Map<String, Object>> cases(CgConvention convention, String name) throws IOException {
        return cases(load(convention, name));
    }

    /** {@code <name>} in the reference folder of {@code convention} (see {@link #directory(CgConvention)}). */
    public static Object load(CgConvention convention, String name) throws IOException {
        return new Reader(Files.readString(directory(convention).resolve(name))).document();
    }

    /**
     * The folder of the e3nn version whose Wigner 3j signs {@code convention} follows: {@code reference/e3nn-0.5.4}
     * ({@link #directory()}) or its sibling {@code reference/e3nn-0.4.4}.
     */
    public static Path directory(CgConvention convention) {
        return switch (convention) {
            case E3NN_0_5 -> directory();
            case E3NN_0_4 -> directory().resolveSibling("e3nn-0.4.4");
        };
    }

    /** A JSON document: maps, lists, doubles, strings, booleans and nulls. */
    public static Object parse(String json) {
        return new Reader(json).document();
    }

    public static Path directory() {
        String configured = System.getProperty("e3j.reference.dir");
        if (configured != null && Files.isDirectory(Paths.get(configured))) {
            return Paths.get(configured);
        }
        for (Path dir = Paths.get(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("reference").resolve("e3nn-0.5.4");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("reference/e3nn-0.5.4 not found from " + System.getProperty("user.dir"));
    }

    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> cases(Object document) {
        return (List<Map<String, Object>>) ((Map<String, Object>) document).get("cases");
    }

    public static int asInt(Object number) {
        return (int) (double) (Double) number;
    }

    /** A number or a nested list of numbers, flattened row-major. */
    public static double[] asDoubles(Object array) {
        List<Double> values = new ArrayList<>();
        flatten(array, values);
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static void flatten(Object value, List<Double> values) {
        if (value instanceof List<?> list) {
            list.forEach(item -> flatten(item, values));
        } else {
            values.add((Double) value);
        }
    }

    /** A list of numbers as ints ({@code ls = [0, 1, 2]}). */
    public static List<Integer> asInts(Object array) {
        return asList(array).stream().map(ReferenceData::asInt).toList();
    }

    @SuppressWarnings("unchecked")
    public static List<Object> asList(Object array) {
        return (List<Object>) array;
    }

    private static final class Reader {
        private final String text;
        private int pos;

        Reader(String text) {
            this.text = text;
        }

        Object document() {
            Object value = value();
            skipSpace();
            if (pos != text.length()) {
                throw new IllegalStateException("trailing text at " + pos);
            }
            return value;
        }

        private Object value() {
            skipSpace();
            char c = text.charAt(pos);
            if (c == '{') {
                pos++;
                Map<String, Object> object = new LinkedHashMap<>();
                skipSpace();
                if (text.charAt(pos) == '}') {
                    pos++;
                    return object;
                }
                do {
                    skipSpace();
                    String key = string();
                    skipSpace();
                    expect(':');
                    object.put(key, value());
                    skipSpace();
                } while (text.charAt(pos++) == ',');
                return object;
            }
            if (c == '[') {
                pos++;
                List<Object> array = new ArrayList<>();
                skipSpace();
                if (text.charAt(pos) == ']') {
                    pos++;
                    return array;
                }
                do {
                    array.add(value());
                    skipSpace();
                } while (text.charAt(pos++) == ',');
                return array;
            }
            if (c == '"') {
                return string();
            }
            for (String literal : List.of("true", "false", "null")) {
                if (text.startsWith(literal, pos)) {
                    pos += literal.length();
                    return literal.equals("null") ? null : Boolean.valueOf(literal);
                }
            }
            int start = pos;
            while (pos < text.length() && "+-0123456789.eE".indexOf(text.charAt(pos)) >= 0) {
                pos++;
            }
            if (start == pos) {
                throw new IllegalStateException("unexpected '" + c + "' at " + pos);
            }
            return Double.parseDouble(text.substring(start, pos));
        }

        private String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (text.charAt(pos) != '"') {
                char c = text.charAt(pos++);
                if (c == '\\') {
                    char escaped = text.charAt(pos++);
                    switch (escaped) {
                        case 'n' -> out.append('\n');
                        case 't' -> out.append('\t');
                        case 'u' -> {
                            out.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                            pos += 4;
                        }
                        default -> out.append(escaped);
                    }
                } else {
                    out.append(c);
                }
            }
            pos++;
            return out.toString();
        }

        private void expect(char c) {
            if (text.charAt(pos) != c) {
                throw new IllegalStateException("expected '" + c + "' at " + pos);
            }
            pos++;
        }

        private void skipSpace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }
    }
}
