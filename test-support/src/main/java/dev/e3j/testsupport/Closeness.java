package dev.e3j.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

/** Comparisons of whole arrays against the scale of the expected one. */
public final class Closeness {

    private Closeness() {
    }

    /**
     * Asserts that {@code actual} equals {@code expected} entry by entry to {@code relative} times the largest
     * magnitude in {@code expected}, which must not be all zero (a comparison of zeros would prove nothing).
     */
    public static void assertCloseToScale(String what, double[] expected, double[] actual, double relative) {
        assertEquals(expected.length, actual.length, what + " length");
        double scale = Arrays.stream(expected).map(Math::abs).max().orElse(0);
        assertTrue(scale > 0, what + ": all zero");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], relative * scale, what + "[" + i + "]");
        }
    }
}
