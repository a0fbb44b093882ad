package dev.e3j.processor.writer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A small JSON reader for the e3nn reference files: objects become maps, arrays lists, numbers doubles. */
final class ReferenceJson {

    private final String text;
    private int pos;

    private ReferenceJson(String text) {
        this.text = text;
    }

    /** Parses {@code name} from the reference directory ({@code e3j.reference.dir}, else found above user.dir). */
    static Map<String, Object> load(String name) throws IOException {
        return cast(new ReferenceJson(Files.readString(directory().resolve(name))).value());
    }

    static Path directory() {
        String property = System.getProperty("e3j.reference.dir");
        if (property != null && Files.isDirectory(Path.of(property))) {
            return Path.of(property);
        }
        for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("reference/e3nn-0.5.4");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("reference/e3nn-0.5.4 not found above " + System.getProperty("user.dir"));
    }

    @SuppressWarnings("unchecked")
    static <T> T cast(Object value) {
        return (T) value;
    }

    /** A nested list of numbers flattened row-major. */
    static double[] flat(Object value) {
        List<Double> out = new ArrayList<>();
        flatten(value, out);
        double[] array = new double[out.size()];
        for (int i = 0; i < array.length; i++) {
            array[i] = out.get(i);
        }
        return array;
    }

    private static void flatten(Object value, List<Double> out) {
        if (value instanceof List<?> list) {
            list.forEach(v -> flatten(v, out));
        } else {
            out.add((Double) value);
        }
    }

    private Object value() {
        skipSpace();
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                return object();
            case '[':
                return array();
            case '"':
                return string();
            case 't':
                pos += 4;
                return Boolean.TRUE;
            case 'f':
                pos += 5;
                return Boolean.FALSE;
            case 'n':
                pos += 4;
                return null;
            default:
                return number();
        }
    }

    private Map<String, Object> object() {
        Map<String, Object> map = new LinkedHashMap<>();
        pos++;
        skipSpace();
        if (text.charAt(pos) == '}') {
            pos++;
            return map;
        }
        while (true) {
            skipSpace();
            String key = string();
            skipSpace();
            pos++;
            map.put(key, value());
            skipSpace();
            if (text.charAt(pos++) == '}') {
                return map;
            }
        }
    }

    private List<Object> array() {
        List<Object> list = new ArrayList<>();
        pos++;
        skipSpace();
        if (text.charAt(pos) == ']') {
            pos++;
            return list;
        }
        while (true) {
            list.add(value());
            skipSpace();
            if (text.charAt(pos++) == ']') {
                return list;
            }
        }
    }

    private String string() {
        int end = text.indexOf('"', pos + 1);
        String s = text.substring(pos + 1, end);
        pos = end + 1;
        return s;
    }

    private Double number() {
        int start = pos;
        while (pos < text.length() && "+-0123456789.eEInfinityNa".indexOf(text.charAt(pos)) >= 0) {
            pos++;
        }
        return Double.parseDouble(text.substring(start, pos));
    }

    private void skipSpace() {
        while (Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }
}
