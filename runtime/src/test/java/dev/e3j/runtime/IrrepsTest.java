package dev.e3j.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.testsupport.ReferenceData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
        assertEquals(2, irreps.lmax(), "the 0x5e entry holds no copy");
        assertEquals(4, irreps.size());
        assertArrayEquals(new int[] {0, 6, 9, 9, 14},
                new int[] {irreps.offset(0), irreps.offset(1), irreps.offset(2), irreps.offset(3), irreps.offset(4)});
        assertEquals(0, Irreps.parse("").dim());
        assertEquals(0, Irreps.parse("0x0e").dim());
        assertEquals(1, Irreps.parse("0x0e").size());
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

    @Test
    void lmaxCountsOnlyCopiesAsE3nn() {
        assertEquals(2, Irreps.parse("1x0e+100x2o+0x4o").lmax());
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> Irreps.parse("0x0e").lmax());
        assertEquals("Irreps.lmax: the irreps must hold at least one irrep copy (lmax is the largest l among them), "
                + "got \"0x0e\"", zero.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Irreps.parse("").lmax());
        // wignerD of such irreps is the empty matrix, not an error.
        assertEquals(0, Irreps.parse("0x3e").wignerD(0.1, 0.2, 0.3, 1).length);
    }

    /** e3nn's test_cat and test_empty_irreps. */
    @Test
    void lsListsTheDegreeOfEveryCopy() {
        Irreps irreps = Irreps.parse("4x1e + 6x2e + 12x2o").plus(Irreps.parse("1x1e + 2x2e + 12x4o"));
        assertEquals(6, irreps.size());
        int[] expected = new int[4 + 6 + 12 + 1 + 2 + 12];
        Arrays.fill(expected, 0, 4, 1);
        Arrays.fill(expected, 4, 22, 2);
        Arrays.fill(expected, 22, 23, 1);
        Arrays.fill(expected, 23, 25, 2);
        Arrays.fill(expected, 25, 37, 4);
        assertArrayEquals(expected, irreps.ls());
        assertEquals(4, irreps.lmax());
        assertEquals(37, irreps.numIrreps());
        assertArrayEquals(new int[0], Irreps.empty().ls());
        assertArrayEquals(new int[0], Irreps.parse("0x2e").ls());
    }

    /** e3nn's test_getitem, plus Python's slice rules. */
    @Test
    void negativeIndicesAndSlicesFollowPython() {
        Irreps irreps = Irreps.parse("16x1e + 3e + 2e + 5o");
        assertEquals(Irreps.MulIrrep.of(16, Irrep.parse("1e")), irreps.get(0));
        assertEquals(Irreps.MulIrrep.of(1, Irrep.parse("5o")), irreps.get(3));
        assertEquals(Irreps.MulIrrep.of(1, Irrep.parse("5o")), irreps.get(-1));
        assertEquals(Irreps.MulIrrep.of(16, Irrep.parse("1e")), irreps.get(-4));
        IllegalArgumentException outside = assertThrows(IllegalArgumentException.class, () -> irreps.get(-5));
        assertEquals("Irreps.get: i must be in [-4, 4) for the 4 entries of \"16x1e+1x3e+1x2e+1x5o\", got -5",
                outside.getMessage());
        assertThrows(IllegalArgumentException.class, () -> irreps.get(4));
        assertEquals(Irreps.parse("2e + 5o"), irreps.slice(2, irreps.size()));
        assertEquals(Irreps.parse("3e + 2e"), irreps.slice(1, -1));
        assertEquals(Irreps.parse("2e + 5o"), irreps.slice(-2, 100));
        assertEquals(Irreps.parse("16x1e + 3e"), irreps.slice(-100, 2));
        assertTrue(irreps.slice(3, 1).isEmpty());
        assertTrue(irreps.slice(5, 9).isEmpty());
        assertTrue(irreps.slice(Integer.MIN_VALUE, Integer.MIN_VALUE).isEmpty());
    }

    @Test
    void slicesAreEachEntrysRange() {
        assertEquals(List.of(new Irreps.Slice(0, 2), new Irreps.Slice(2, 5)), Irreps.parse("2x0e + 1e").slices());
        List<Irreps.Slice> slices = Irreps.parse("3x1o + 0x2e + 2x2e").slices();
        assertEquals(List.of(new Irreps.Slice(0, 9), new Irreps.Slice(9, 9), new Irreps.Slice(9, 19)), slices);
        assertEquals(10, slices.get(2).length());
        assertTrue(Irreps.empty().slices().isEmpty());
    }

    /** e3nn's test_arithmetic: {@code irreps * n} repeats the entries. */
    @Test
    void repeatConcatenatesCopiesOfTheEntries() {
        Irreps irreps = Irreps.parse("2x2e + 4x1o");
        assertEquals(Irreps.parse("2x2e + 4x1o + 2x2e + 4x1o"), irreps.repeat(2));
        assertEquals(Irreps.parse("6x1e"), Irreps.parse("2x1e").repeat(3).simplify());
        assertEquals(irreps.times(3).regroup(), irreps.repeat(3).regroup());
        assertTrue(irreps.repeat(0).isEmpty());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> irreps.repeat(-1));
        assertEquals("Irreps.repeat: count must be >= 0, got -1", negative.getMessage());
        IllegalArgumentException large = assertThrows(IllegalArgumentException.class,
                () -> Irreps.parse("1x1e").repeat(1_000_000_000));
        assertEquals("Irreps.repeat: count must keep the dimension at most 2147483647 (an int), got 1000000000 "
                + "(dimension 3 × 1000000000 = 3000000000)", large.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Irreps.parse("0x1e").repeat(Integer.MAX_VALUE));
    }

    /** e3nn's randn: component normalization draws standard Gaussians, norm normalization unit copies. */
    @Test
    void randnHasE3nnsNormalizations() {
        Irreps irreps = Irreps.parse("5x0e + 10x1o + 2x2e");
        int batch = 2000;
        double[] component = irreps.randn(batch, Normalization.COMPONENT, new Random(1));
        assertEquals(batch * irreps.dim(), component.length);
        double mean = 0;
        double square = 0;
        for (double v : component) {
            mean += v / component.length;
            square += v * v / component.length;
        }
        assertEquals(0, mean, 0.01);
        assertEquals(1, square, 0.01);
        double[] norm = irreps.randn(batch, Normalization.NORM, new Random(2));
        double[] meanOfCopies = new double[irreps.dim()];
        for (int n = 0; n < batch; n++) {
            int start = n * irreps.dim();
            for (Irreps.MulIrrep entry : irreps) {
                for (int u = 0; u < entry.mul(); u++, start += entry.ir().dim()) {
                    double squared = 0;
                    for (int m = start; m < start + entry.ir().dim(); m++) {
                        squared += norm[m] * norm[m];
                        meanOfCopies[m - n * irreps.dim()] += norm[m] / batch;
                    }
                    assertEquals(1, squared, 1e-14);
                }
            }
        }
        for (double v : meanOfCopies) {
            assertEquals(0, v, 0.1, "copies are uniform on their sphere");
        }
        assertArrayEquals(component, irreps.randn(batch, Normalization.COMPONENT, new Random(1)), "seeded");
        assertEquals(0, irreps.randn(0, Normalization.NORM, new Random(3)).length);
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> irreps.randn(-1, Normalization.NORM, new Random(3)));
        assertEquals("Irreps.randn: batch must be >= 0, got -1", negative.getMessage());
    }

    /** e3nn's SphericalHarmonics(irreps): its choice of input, or its ValueError, for each irreps. */
    @Test
    void sphericalHarmonicsInputChecksParityAsE3nn() {
        List<Object> cases = ReferenceData.asList(ReferenceData.object(ReferenceData.load("parity.json"))
                .get("spherical_harmonics_parity"));
        assertEquals(10, cases.size());
        for (Object c : cases) {
            Map<String, Object> testCase = ReferenceData.object(c);
            Irreps irreps = Irreps.parse((String) testCase.get("irreps"));
            String expected = (String) testCase.get("irreps_in");
            if (expected == null) {
                assertThrows(IllegalArgumentException.class, irreps::sphericalHarmonicsInput, irreps.toString());
            } else {
                assertEquals(Irreps.parse(expected).get(0).ir(), irreps.sphericalHarmonicsInput(), irreps.toString());
            }
        }
        IllegalArgumentException odd = assertThrows(IllegalArgumentException.class,
                () -> Irreps.parse("0e + 1o + 2o").sphericalHarmonicsInput());
        assertEquals("Irreps.sphericalHarmonicsInput: each entry must have the parity p_in^l of a harmonic of a vector "
                + "(1o), here 2e for l = 2, got 2o in \"1x0e+1x1o+1x2o\"", odd.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Irreps.parse("0x1o").sphericalHarmonicsInput());
    }
}
