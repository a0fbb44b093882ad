package dev.e3j.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IrrepsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "2x1e + 3x0o | 2x1e+3x0o",
        "1y | 1x1o",
        "2y + 3x3y | 1x2e+3x3o",
        "0x0e | 0x0e",
        "'' | ''",
        "'   ' | ''",
        " 16x0e+ 8 x 1o +4x2e  | 16x0e+8x1o+4x2e",
        "1o | 1x1o",
        "10x12e | 10x12e",
        "2 x 1 o + 3 e | 2x1o+1x3e",
    })
    void parsesE3nnStringsAndPrintsThemBack(String text, String printed) {
        Irreps irreps = Irreps.parse(text);
        assertEquals(printed, irreps.toString());
        assertEquals(irreps, Irreps.parse(irreps.toString()), "round trip");
    }

    @Test
    void irrepParsesAndOrdersLikeE3nn() {
        assertEquals(Irrep.of(1, -1), Irrep.parse(" 1o "));
        assertEquals(Irrep.of(2, 1), Irrep.parse("2y"));
        assertEquals(Irrep.of(3, -1), Irrep.parse("3y"));
        assertEquals("5e", Irrep.of(5, 1).toString());
        List<Irrep> sorted = new ArrayList<>(List.of(Irrep.parse("1o"), Irrep.parse("0e"),
                Irrep.parse("1e"), Irrep.parse("0o")));
        Collections.sort(sorted);
        assertEquals(List.of(Irrep.parse("0o"), Irrep.parse("0e"), Irrep.parse("1o"), Irrep.parse("1e")), sorted);
        assertEquals(7, Irrep.parse("3e").dim());
        assertTrue(Irrep.parse("0e").isScalar());
        assertFalse(Irrep.parse("0o").isScalar());
        assertThrows(IllegalArgumentException.class, () -> Irrep.of(-1, 1));
        assertThrows(IllegalArgumentException.class, () -> Irrep.of(1, 0));
    }

    @Test
    void irrepTimesFollowsTheTriangleRuleAndParity() {
        assertEquals(List.of(Irrep.parse("1e"), Irrep.parse("2e"), Irrep.parse("3e")),
                Irrep.parse("1o").times(Irrep.parse("2o")));
        assertEquals(List.of(Irrep.parse("2o")), Irrep.parse("0o").times(Irrep.parse("2e")));
        assertEquals(List.of(Irrep.parse("0e"), Irrep.parse("1e"), Irrep.parse("2e")),
                Irrep.parse("1o").times(Irrep.parse("1o")));
        assertTrue(Irrep.parse("1o").couplesTo(Irrep.parse("1o"), Irrep.parse("1e")));
        assertFalse(Irrep.parse("1o").couplesTo(Irrep.parse("1o"), Irrep.parse("1o")));
        assertFalse(Irrep.parse("1o").couplesTo(Irrep.parse("1o"), Irrep.parse("3e")));
    }

    @Test
    void sizes() {
        Irreps irreps = Irreps.parse("2x1e + 3x0o + 0x5e + 1x2o");
        assertEquals(2 * 3 + 3 + 0 + 5, irreps.dim());
        assertEquals(6, irreps.numIrreps());
        assertEquals(5, irreps.lmax());
        assertEquals(4, irreps.size());
        assertArrayEquals(new int[] {0, 6, 9, 9, 14},
                new int[] {irreps.offset(0), irreps.offset(1), irreps.offset(2), irreps.offset(3), irreps.offset(4)});
        assertEquals(0, Irreps.parse("").dim());
        assertEquals(0, Irreps.parse("0x0e").dim());
        assertEquals(1, Irreps.parse("0x0e").size());
        assertEquals(0, Irreps.parse("0x0e").lmax());
        assertThrows(IllegalArgumentException.class, () -> Irreps.empty().lmax());
        // dimensions beyond an int were wrapped (1000000000x1o had dim -1294967296)
        assertThrows(IllegalArgumentException.class, () -> Irreps.parse("1000000000x1o"));
        assertThrows(IllegalArgumentException.class, () -> Irreps.parse("2000000000x0e + 2000000000x0o"));
        assertEquals(2_000_000_000, Irreps.parse("2000000000x0e").dim());
        assertEquals(3, Irreps.parse("1o + 2e + 2x1o").count(Irrep.parse("1o")));
        assertFalse(Irreps.parse("0x1o + 2e").contains(Irrep.parse("1o")));
        assertEquals(List.of(Irrep.parse("1o"), Irrep.parse("2e")), Irreps.parse("1o + 2e + 1o").irreps());
    }

    @Test
    void simplifyMergesNeighboursAndDropsZeros() {
        assertEquals("3x1e+1x0e+1x1e", Irreps.parse("1e + 2x1e + 0e + 1e").simplify().toString());
        assertEquals("2x1e", Irreps.parse("1e + 0x0e + 1e").simplify().toString());
        assertEquals("", Irreps.parse("0x1e + 0x2o").simplify().toString());
        assertEquals("1x0e+1x0o", Irreps.parse("0e + 0o").simplify().toString());
    }

    @Test
    void sortIsStableWithE3nnsPermutations() {
        Irreps irreps = Irreps.parse("1e + 2x0e + 1o + 3x0e + 0o");
        Irreps.Sorted sorted = irreps.sort();
        assertEquals("1x0o+2x0e+3x0e+1x1o+1x1e", sorted.irreps().toString());
        // inv[j]: old index of new entry j; p[i]: new index of old entry i (e3nn's sort().p and .inv).
        assertArrayEquals(new int[] {4, 1, 3, 2, 0}, sorted.inv());
        assertArrayEquals(new int[] {4, 1, 3, 2, 0}, sorted.p());
        assertArrayEquals(inverse(sorted.inv()), sorted.p());
        for (int i = 0; i < irreps.size(); i++) {
            assertEquals(irreps.get(i), sorted.irreps().get(sorted.p()[i]), "entry " + i);
            assertEquals(i, sorted.inv()[sorted.p()[i]]);
        }
        // Not an involution, so p and inv differ.
        Irreps.Sorted other = Irreps.parse("2o + 0e + 1e").sort();
        assertArrayEquals(new int[] {2, 0, 1}, other.p());
        assertArrayEquals(new int[] {1, 2, 0}, other.inv());
        assertEquals("", Irreps.empty().sort().irreps().toString());
    }

    @Test
    void regroupSortsThenSimplifies() {
        assertEquals("5x0e+1x1o+1x1e", Irreps.parse("1e + 2x0e + 1o + 3x0e + 0x0o").regroup().toString());
        assertEquals("3x1o", Irreps.parse("1o + 0x2e + 2x1o").regroup().toString());
    }

    @Test
    void sphericalHarmonicsIrreps() {
        assertEquals("1x0e+1x1o+1x2e+1x3o", Irreps.sphericalHarmonics(3).toString());
        assertEquals("1x0e+1x1o+1x2e+1x3o", Irreps.sphericalHarmonics(3, -1).toString());
        assertEquals("1x0e+1x1e+1x2e", Irreps.sphericalHarmonics(2, 1).toString());
        assertEquals("1x0e", Irreps.sphericalHarmonics(0, -1).toString());
        assertThrows(IllegalArgumentException.class, () -> Irreps.sphericalHarmonics(-1, 1));
        assertThrows(IllegalArgumentException.class, () -> Irreps.sphericalHarmonics(2, 0));
    }

    @Test
    void arithmetic() {
        assertEquals("1x0e+2x1o+1x0e", Irreps.parse("0e + 2x1o").plus(Irreps.parse("0e")).toString());
        assertEquals("3x0e+6x1o", Irreps.parse("0e + 2x1o").times(3).toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "2x | 2",
        "1q | 1",
        "x1e | 0",
        "1e++2o | 3",
        "-1e | 0",
        "1e + 2x1e3 | 9",
        "1 o 3 | 4",
        "3x1e + 2 | 8",
        "1e + 2x1q3 | 8",
        "1e + | 4",
        "1x2x1e | 3",
        "\u0661x0e | 0",
        "99999999999x0e | 0",
    })
    void rejectsMalformedStringsQuotingThePosition(String text, int position) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Irreps.parse(text));
        String expected = "malformed irreps \"" + text + "\" at position " + position + ": ";
        assertTrue(e.getMessage().startsWith(expected), "message: " + e.getMessage() + ", expected: " + expected);
    }

    @Test
    void rejectsNull() {
        assertThrows(IllegalArgumentException.class, () -> Irreps.parse(null));
        assertThrows(IllegalArgumentException.class, () -> Irrep.parse(null));
    }

    private static int[] inverse(int[] permutation) {
        int[] out = new int[permutation.length];
        for (int i = 0; i < permutation.length; i++) {
            out[permutation[i]] = i;
        }
        return out;
    }

    @Test
    void rejectsDegreesAndFactorsWhoseDimensionIsNotAnInt() {
        // 2l + 1 overflowed: "1x1073741824e" parsed, with a negative dimension.
        IllegalArgumentException degree = assertThrows(IllegalArgumentException.class,
                () -> Irreps.parse("1x1073741824e"));
        assertEquals("malformed irreps \"1x1073741824e\" at position 2: degree out of range in \"1073741824e\" (at "
                + "most 1073741823, so that the dimension 2l + 1 is an int)", degree.getMessage());
        assertEquals(Integer.MAX_VALUE, Irreps.parse("1x1073741823e").dim());
        IllegalArgumentException irrep = assertThrows(IllegalArgumentException.class, () -> new Irrep(1073741824, 1));
        assertEquals("new Irrep: l must be in [0, 1073741823] (the dimension 2l + 1 must be an int), got 1073741824",
                irrep.getMessage());
        // mul * factor overflowed.
        IllegalArgumentException times = assertThrows(IllegalArgumentException.class,
                () -> Irreps.parse("1x1e").times(2000000000));
        assertEquals("Irreps.times: factor must keep the dimension at most 2147483647 (an int), got 2000000000 "
                + "(dimension 3 × 2000000000 = 6000000000)", times.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Irreps.parse("1x1e").times(-1));
        assertEquals(Irreps.parse("6x1e+3x0o"), Irreps.parse("2x1e+1x0o").times(3));
        assertEquals(Irreps.parse("0x1e"), Irreps.parse("2x1e").times(0));
    }

    @Test
    void sphericalHarmonicsUpToTheLargestDegreeWithAnIntDimension() {
        // lmax = Integer.MAX_VALUE ran for two minutes, then ran out of memory.
        IllegalArgumentException lmax = assertThrows(IllegalArgumentException.class,
                () -> Irreps.sphericalHarmonics(Integer.MAX_VALUE));
        assertEquals("Irreps.sphericalHarmonics: lmax must be in [0, 46339] (the dimension (lmax + 1)^2 must be an "
                + "int), got 2147483647", lmax.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Irreps.sphericalHarmonics(46340));
        assertEquals(46340 * 46340, Irreps.sphericalHarmonics(46339).dim());
    }
}
