package dev.e3j.processor.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.commons.numbers.fraction.BigFraction;
import org.junit.jupiter.api.Test;

class ClebschGordanTest {

    @Test
    void tabulatedCondonShortleyValues() {
        assertEquals(SqrtRational.parse("sqrt(3)/3"), ClebschGordan.coefficient(1, 1, 1, -1, 0, 0));
        assertEquals(SqrtRational.parse("-sqrt(3)/3"), ClebschGordan.coefficient(1, 0, 1, 0, 0, 0));
        assertEquals(SqrtRational.parse("sqrt(2)/2"), ClebschGordan.coefficient(1, 1, 1, -1, 1, 0));
        assertEquals(SqrtRational.ZERO, ClebschGordan.coefficient(1, 0, 1, 0, 1, 0));
        assertEquals(SqrtRational.parse("sqrt(6)/3"), ClebschGordan.coefficient(1, 0, 1, 0, 2, 0));
        assertEquals(SqrtRational.parse("sqrt(3/10)"), ClebschGordan.coefficient(2, 1, 1, -1, 1, 0));
        assertEquals(SqrtRational.ONE, ClebschGordan.coefficient(2, 2, 1, 1, 3, 3));
        assertEquals(SqrtRational.ZERO, ClebschGordan.coefficient(1, 1, 1, 0, 2, 0), "m3 != m1 + m2");
        assertEquals(SqrtRational.ZERO, ClebschGordan.coefficient(1, 0, 1, 0, 3, 0), "triangle");
    }

    @Test
    void fixedTotalMomentumRowsAreOrthonormal() {
        int j1 = 3;
        int j2 = 2;
        for (int j3 = 1; j3 <= 5; j3++) {
            for (int m3 = -j3; m3 <= j3; m3++) {
                BigFraction normSquared = BigFraction.ZERO;
                for (int m1 = -j1; m1 <= j1; m1++) {
                    int m2 = m3 - m1;
                    if (Math.abs(m2) <= j2) {
                        normSquared = normSquared.add(ClebschGordan.coefficient(j1, m1, j2, m2, j3, m3).square());
                    }
                }
                assertEquals(BigFraction.ONE, normSquared, "j3=" + j3 + " m3=" + m3);
            }
        }
    }

    @Test
    void rejectsNegativeMomentaAndOutOfRangeProjections() {
        IllegalArgumentException j = assertThrows(IllegalArgumentException.class,
                () -> ClebschGordan.coefficient(-1, 0, 1, 0, 1, 0));
        assertTrue(j.getMessage().startsWith("j1: "), j.getMessage());
        IllegalArgumentException m = assertThrows(IllegalArgumentException.class,
                () -> ClebschGordan.coefficient(1, 0, 1, 2, 1, 0));
        assertTrue(m.getMessage().startsWith("m2: "), m.getMessage());
    }
}
