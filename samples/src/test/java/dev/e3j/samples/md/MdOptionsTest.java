package dev.e3j.samples.md;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MdOptionsTest {

    @Test
    void defaultsAndEveryOption() throws MdOptions.UsageException {
        MdOptions defaults = MdOptions.parse();
        assertEquals("mace-cu", defaults.potential());
        assertNull(defaults.structure());
        assertArrayEquals(new int[] {2, 2, 2}, defaults.supercell());
        assertEquals(MdOptions.DEFAULT_STEPS, defaults.steps());
        assertEquals(MdOptions.DEFAULT_TIMESTEP_FS, defaults.timestepFs());
        assertEquals(MdOptions.DEFAULT_TEMPERATURE, defaults.temperature());
        assertEquals(Path.of(MdOptions.DEFAULT_OUT), defaults.out());
        assertFalse(defaults.help());
        MdOptions options = MdOptions.parse("--potential", "lj", "--structure", "in.xyz", "--supercell", "1x2x3",
                "--steps", "7", "--dt", "0.5", "--temperature", "0", "--seed", "-4", "--out", "t/x.extxyz",
                "--every", "3");
        assertEquals(Path.of("in.xyz"), options.structure());
        assertArrayEquals(new int[] {1, 2, 3}, options.supercell());
        assertEquals(7, options.steps());
        assertEquals(0.5, options.timestepFs());
        assertEquals(0.0, options.temperature());
        assertEquals(-4, options.seed());
        assertEquals(Path.of("t/x.extxyz"), options.out());
        assertEquals(3, options.every());
        assertTrue(MdOptions.parse("--dt", "oops", "-h").help(), "--help wins over a bad value");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--steps 0            | --steps must be an integer from 1 to 100000000, got '0'",
        "--dt 0               | --dt must be a number of femtoseconds > 0 and at most 100.0, got '0'",
        "--dt NaN             | --dt must be a number of femtoseconds > 0 and at most 100.0, got 'NaN'",
        "--temperature -1     | --temperature must be a number of kelvin from 0 to 100000.0, got '-1'",
        "--supercell 2x2      | --supercell must be N or AxBxC, got '2x2'",
        "--supercell 0        | --supercell must be an integer from 1 to 100, got '0'",
        "--seed x             | --seed must be an integer (a long), got 'x'",
        "--potential emt      | --potential must be one of [mace-cu, lj], got 'emt'",
        "--every              | --every needs a value",
        "--s 1                | unknown argument '--s'",
        "5                    | unknown argument '5'",
    })
    void rejectsBadValuesInOneLine(String commandLine, String message) {
        MdOptions.UsageException e = assertThrows(MdOptions.UsageException.class,
                () -> MdOptions.parse(commandLine.split(" ")));
        assertEquals(message, e.getMessage());
    }
}
