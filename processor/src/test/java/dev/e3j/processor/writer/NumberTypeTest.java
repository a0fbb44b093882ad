package dev.e3j.processor.writer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.annotations.Precision;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one number type: its short names (CUDA suffixes, the benchmarks' precision), sizes and kernel types. */
class NumberTypeTest {

    @Test
    void shortNamesNameTheTypesBothWays() {
        for (NumberType type : NumberType.values()) {
            assertEquals(type, NumberType.ofShortName(type.shortName()));
        }
        assertEquals("f64", NumberType.DOUBLE.shortName());
        assertEquals(4, NumberType.FLOAT.bytes());
        assertEquals(8, NumberType.DOUBLE.bytes());
    }

    @Test
    void anUnknownShortNameIsAnErrorNamingIt() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> NumberType.ofShortName("f16"));
        assertTrue(error.getMessage().contains("f16"), error.getMessage());
    }

    @Test
    void floatKernelsAreWrittenForDoubleToo() {
        assertEquals(List.of(NumberType.DOUBLE), NumberType.of(Precision.DOUBLE));
        assertEquals(List.of(NumberType.DOUBLE, NumberType.FLOAT), NumberType.of(Precision.FLOAT));
    }
}
