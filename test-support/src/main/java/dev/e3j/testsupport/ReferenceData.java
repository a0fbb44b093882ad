package dev.e3j.testsupport;

import dev.e3j.annotations.CgConvention;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The e3nn 0.5.4 reference data ({@code reference/e3nn-0.5.4/}) for every module's tests, read with one small JSON
 * parser so that no module takes a JSON dependency: objects become {@code Map<String, Object>} (in file order),
 * arrays {@code List<Object>}, numbers {@code Double}, and {@code true/false/null} their Java values.
 */
public final class ReferenceData {

    private ReferenceData() {
    }

    /** The reference directory: system property {@code e3j.reference.dir}, else found walking up from user.dir. */
    public static Path directory() {
        String configured = System.getProperty("e3j.reference.dir");
        if (configured != null && Files.isDirectory(Paths.get(configured))) {
            return Paths.get(configured);
        }
        for (Path dir = Paths.get(System.getProperty("user.dir")).toAbsolutePath(); dir != null;
                dir = dir.getParent()) {
            Path candidate = dir.resolve("reference").resolve("e3nn-0.5.4");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("reference/e3nn-0.5.4 not found from " + System.getProperty("user.dir")
                + " (set -De3j.reference.dir)");
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

    /** Parses {@code name} (e.g. {@code "wigner_d.json"}) from {@link #directory()}. */
    public static Object load(String name) {
        return load(directory().resolve(name));
    }

    /** Parses {@code name} from the reference folder of {@code convention} ({@link #directory(CgConvention)}). */
    public static Object load(CgConvention convention, String name) {
        return load(directory(convention).resolve(name));
    }

    /** Parses a JSON file. */
    public static Object load(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A JSON document: maps, lists, doubles, strings, booleans and nulls. */
    public static Object parse(String json) {
        return new Parser(json).document();
    }

    /** The {@code cases} of {@code reference/e3nn-0.5.4/<name>}. */
    public static List<Map<String, Object>> cases(String name) {
        return cases(load(name));
    }

    /** The {@code cases} of {@code <name>} in the reference folder of {@code convention}. */
    public static List<Map<String, Object>> cases(CgConvention convention, String name) {
        return cases(load(convention, name));
    }

    /** The {@code cases} list of a loaded document. */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> cases(Object document) {
        return (List<Map<String, Object>>) object(document).get("cases");
    }

    /** A JSON object. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> object(Object value) {
        return (Map<String, Object>) value;
    }

    /** A JSON array. */
    @SuppressWarnings("unchecked")
    public static List<Object> asList(Object value) {
        return (List<Object>) value;
    }

    /** A JSON number as an int. */
    public static int asInt(Object number) {
        return (int) (double) (Double) number;
    }

    /** A list of numbers as ints ({@code ls = [0, 1, 2]}). */
    public static List<Integer> asInts(Object array) {
        return asList(array).stream().map(ReferenceData::asInt).toList();
    }

    /** A number or a nested list of numbers, flattened row-major. */
    public static double[] asDoubles(Object array) {
        List<Double> values = new ArrayList<>();
        flatten(array, values);
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** A list of lists of numbers, one row each. */
    public static double[][] matrix(Object value) {
        return asList(value).stream().map(ReferenceData::asDoubles).toArray(double[][]::new);
    }

    private static void flatten(Object value, List<Double> values) {
        if (value instanceof List<?> list) {
            list.forEach(item -> flatten(item, values));
        } else {
            values.add((Double) value);
        }
    }

    private static final class Parser {
        private final String text;
        private int pos;

        Parser(String text) {
            this.text = text;
        }

        Object document() {
            Object value = value();
            skipWhitespace();
            if (pos != text.length()) {
                throw error("trailing characters");
            }
            return value;
        }

        private Object value() {
            skipWhitespace();
            if (pos >= text.length()) {
                throw error("unexpected end");
            }
            switch (text.charAt(pos)) {
                case '{':
                    return object();
                case '[':
                    return array();
                case '"':
                    return string();
                default:
                    break;
            }
            for (String literal : List.of("true", "false", "null")) {
                if (text.startsWith(literal, pos)) {
                    pos += literal.length();
                    return literal.equals("null") ? null : Boolean.valueOf(literal);
                }
            }
            return number();
        }

        private Map<String, Object> object() {
            Map<String, Object> out = new LinkedHashMap<>();
            expect('{');
            skipWhitespace();
            if (peek() == '}') {
                pos++;
                return out;
            }
            while (true) {
                skipWhitespace();
                String key = string();
                skipWhitespace();
                expect(':');
                out.put(key, value());
                skipWhitespace();
                if (peek() != ',') {
                    expect('}');
                    return out;
                }
                pos++;
            }
        }

        private List<Object> array() {
            List<Object> out = new ArrayList<>();
            expect('[');
            skipWhitespace();
            if (peek() == ']') {
                pos++;
                return out;
            }
            while (true) {
                out.add(value());
                skipWhitespace();
                if (peek() != ',') {
                    expect(']');
                    return out;
                }
                pos++;
            }
        }

        private String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (true) {
                if (pos >= text.length()) {
                    throw error("unterminated string");
                }
                char c = text.charAt(pos++);
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                char escaped = text.charAt(pos++);
                switch (escaped) {
                    case 'n' -> out.append('\n');
                    case 't' -> out.append('\t');
                    case 'r' -> out.append('\r');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> {
                        out.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                        pos += 4;
                    }
                    default -> out.append(escaped);
                }
            }
        }

        private Double number() {
            int start = pos;
            while (pos < text.length() && "+-0123456789.eE".indexOf(text.charAt(pos)) >= 0) {
                pos++;
            }
            if (start == pos) {
                throw error("unexpected character '" + text.charAt(pos) + "'");
            }
            return Double.parseDouble(text.substring(start, pos));
        }

        private char peek() {
            return pos < text.length() ? text.charAt(pos) : '\0';
        }

        private void expect(char c) {
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        private void skipWhitespace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException("malformed JSON at position " + pos + ": " + what);
        }
    }
}
