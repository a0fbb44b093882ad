package dev.e3j.processor.writer;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Prints an audit tree ({@link Map}s with string keys in order, {@link List}s, strings, numbers, booleans) as JSON:
 * objects and lists holding only scalars on one line, everything else one entry per line, two-space indent.
 * Exact values go in strings ({@code "sqrt(3/8)"}); their doubles as numbers beside them. The document itself
 * always takes one entry per line. Every kernel kind's audit file is printed here.
 */
final class AuditJson {

    /**
     * Scalar entries printed together on one line of their parent object, in place of the entry that holds them
     * (whose key is not printed): {@code "in1": 0, "in2": 0, "out": 0}. Their parent takes one entry per line.
     */
    record SameLine(Map<String, ?> entries) {
    }

    private final StringBuilder out = new StringBuilder();

    private AuditJson() {
    }

    static String print(Map<String, ?> document) {
        AuditJson json = new AuditJson();
        json.container(List.copyOf(document.entrySet()), 0, '{', '}', false);
        return json.out.append('\n').toString();
    }

    private void value(Object value, int depth) {
        if (value instanceof Map<?, ?> map) {
            container(map.entrySet().stream().map(e -> (Object) e).toList(), depth, '{', '}', isFlat(map.values()));
        } else if (value instanceof List<?> list) {
            container(List.copyOf(list), depth, '[', ']', isFlat(list));
        } else if (value instanceof String text) {
            out.append('"').append(text.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        } else {
            out.append(value);
        }
    }

    private void container(List<Object> items, int depth, char open, char close, boolean flat) {
        out.append(open);
        for (int i = 0; i < items.size(); i++) {
            out.append(i == 0 ? "" : ",");
            if (flat) {
                out.append(i == 0 ? "" : " ");
            } else {
                out.append('\n').append("  ".repeat(depth + 1));
            }
            Object item = items.get(i);
            if (item instanceof Map.Entry<?, ?> entry && entry.getValue() instanceof SameLine line) {
                sameLine(line, depth + 1);
                continue;
            }
            if (item instanceof Map.Entry<?, ?> entry) {
                value(entry.getKey(), depth + 1);
                out.append(": ");
                item = entry.getValue();
            }
            value(item, depth + 1);
        }
        if (!flat && !items.isEmpty()) {
            out.append('\n').append("  ".repeat(depth));
        }
        out.append(close);
    }

    private void sameLine(SameLine line, int depth) {
        String separator = "";
        for (Map.Entry<String, ?> entry : line.entries().entrySet()) {
            out.append(separator);
            value(entry.getKey(), depth);
            out.append(": ");
            value(entry.getValue(), depth);
            separator = ", ";
        }
    }

    private static boolean isFlat(Collection<?> values) {
        return values.stream().noneMatch(v -> v instanceof Map<?, ?> || v instanceof SameLine
                || v instanceof List<?> l && !isFlat(l));
    }
}
