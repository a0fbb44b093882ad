package dev.e3j.samples.tetris;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TetrisOptionsTest {

    @Test
    void defaultsAndEveryOption() throws TetrisOptions.UsageException {
        TetrisOptions defaults = TetrisOptions.parse();
        assertEquals(TetrisOptions.DEFAULT_STEPS, defaults.steps());
        assertEquals(TetrisOptions.DEFAULT_SEED, defaults.seed());
        assertEquals(Path.of(""), defaults.out());
        assertFalse(defaults.help());
        TetrisOptions options = TetrisOptions.parse("--steps", "50", "--seed", "-3", "--out", "plots/run 1");
        assertEquals(new TetrisOptions(50, -3, Path.of("plots/run 1"), false), options);
        assertTrue(TetrisOptions.parse("--steps", "oops", "--help").help(), "--help wins over a bad value");
        assertTrue(TetrisOptions.parse("-h").help());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--steps 0          | --steps must be an integer from 1 to 1000000, got '0'",
        "--steps 1000001    | --steps must be an integer from 1 to 1000000, got '1000001'",
        "--steps -5         | --steps must be an integer from 1 to 1000000, got '-5'",
        "--steps 1e3        | --steps must be an integer from 1 to 1000000, got '1e3'",
        "--steps 99999999999 | --steps must be an integer from 1 to 1000000, got '99999999999'",
        "--seed 1.5         | --seed must be an integer (a long), got '1.5'",
        "--seed             | --seed needs a value",
        "--stpes 10         | unknown argument '--stpes'",
        "50                 | unknown argument '50'",
    })
    void rejectsBadValuesInOneLine(String commandLine, String message) {
        TetrisOptions.UsageException e = assertThrows(TetrisOptions.UsageException.class,
                () -> TetrisOptions.parse(commandLine.split(" ")));
        assertEquals(message, e.getMessage());
    }

    @Test
    void rejectsAnEmptyDirectory() {
        TetrisOptions.UsageException e = assertThrows(TetrisOptions.UsageException.class,
                () -> TetrisOptions.parse("--out", " "));
        assertEquals("--out must be a directory, got an empty path", e.getMessage());
    }
}
