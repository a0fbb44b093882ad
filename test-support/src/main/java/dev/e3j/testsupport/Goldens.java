package dev.e3j.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one rule for golden files: a test compares what it generated with the file, unless the environment variable
 * {@value #UPDATE} is {@code 1}, in which case it rewrites the file (review the diff: only intended changes).
 */
public final class Goldens {

    /** The environment variable that rewrites goldens when set to {@code 1}. */
    public static final String UPDATE = "E3J_UPDATE_GOLDENS";

    private Goldens() {
    }

    /** Whether this run rewrites goldens instead of comparing with them ({@code E3J_UPDATE_GOLDENS=1}). */
    public static boolean updating() {
        return "1".equals(System.getenv(UPDATE));
    }

    /** Asserts that {@code golden} holds {@code actual} (UTF-8), or rewrites it when {@link #updating()}. */
    public static void compare(Path golden, String actual) throws IOException {
        if (updating()) {
            Files.createDirectories(golden.toAbsolutePath().getParent());
            Files.writeString(golden, actual, StandardCharsets.UTF_8);
            return;
        }
        assertEquals(Files.readString(golden, StandardCharsets.UTF_8), actual,
                golden.getFileName() + " differs from its golden; rerun with " + UPDATE
                        + "=1 if the change is intended, and review the diff");
    }
}
