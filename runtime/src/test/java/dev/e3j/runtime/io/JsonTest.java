package dev.e3j.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    @Test
    void parsesObjectsInOrderWithEveryValueKind() throws Exception {
        Object parsed = Json.parse(" {\"b\": [1, -2, 3.5, 1e3, -0.25E-1], \"a\": {\"t\": true, \"f\": false,"
                + " \"n\": null}, \"s\": \"x\\\"y\\\\z\\/\\n\\t\\u00e9\\ud83d\\ude00\"}\n ");
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("b", List.of(1L, -2L, 3.5, 1000.0, -0.025));
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("t", true);
        inner.put("f", false);
        inner.put("n", null);
        expected.put("a", inner);
        expected.put("s", "x\"y\\z/\n\té\uD83D\uDE00");
        assertEquals(expected, parsed);
        assertEquals(List.of("b", "a", "s"), List.copyOf(((Map<?, ?>) parsed).keySet()));
    }

    @Test
    void integersBeyondLongBecomeDoubles() throws Exception {
        assertEquals(Long.MAX_VALUE, Json.parse("9223372036854775807"));
        assertEquals(9.223372036854775808E18, Json.parse("9223372036854775808"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "{\"a\":1,}", "[1,]", "[1 2]", "{\"a\" 1}", "{a:1}", "\"abc", "01", "1.",
        "-", "1e", ".5", "+1", "tru", "nul", "\"\\x\"", "\"\\u12g4\"", "\"tab\there\"", "{} {}", "[1]]",
        "{\"a\":1,\"a\":2}", "NaN", "'a'"})
    void rejectsMalformedJson(String text) {
        Json.MalformedJsonException error = assertThrows(Json.MalformedJsonException.class, () -> Json.parse(text));
        assertTrue(error.getMessage().contains("at character"), error.getMessage());
    }

    @Test
    void namesDuplicateKeys() {
        Json.MalformedJsonException error = assertThrows(Json.MalformedJsonException.class,
                () -> Json.parse("{\"w\": 1, \"w\": 2}"));
        assertEquals("duplicate key \"w\" at character 9", error.getMessage());
    }

    @Test
    void limitsNestingInsteadOfOverflowingTheStack() throws Exception {
        char[] open = new char[Json.MAX_DEPTH];
        char[] close = new char[Json.MAX_DEPTH];
        Arrays.fill(open, '[');
        Arrays.fill(close, ']');
        Json.parse(new String(open) + new String(close));
        String deep = "[".repeat(100_000);
        Json.MalformedJsonException error = assertThrows(Json.MalformedJsonException.class, () -> Json.parse(deep));
        assertTrue(error.getMessage().startsWith("nesting deeper than 64"), error.getMessage());
    }
}
