package dev.e3j.processor.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.annotations.CgConvention;
import dev.e3j.testsupport.ReferenceData;
import java.util.List;
import java.util.Map;
import org.apache.commons.numbers.fraction.BigFraction;
import org.junit.jupiter.api.Test;

class Wigner3jTest {

    private static final int MAX_L = 6;

    @Test
    void matchesEveryE3nnReferenceCaseWithinOneUlp() throws Exception {
        List<Map<String, Object>> cases = ReferenceData.cases(ReferenceData.load("wigner_3j.json"));
        assertTrue(cases.size() >= 50, "expected every l <= 4 triple, got " + cases.size());
        int compared = 0;
        for (Map<String, Object> c : cases) {
            int l1 = ReferenceData.asInt(c.get("l1"));
            int l2 = ReferenceData.asInt(c.get("l2"));
            int l3 = ReferenceData.asInt(c.get("l3"));
            double[] expected = ReferenceData.asDoubles(c.get("values"));
            double[] actual = Wigner3j.of(l1, l2, l3).toDoubleArray();
            assertEquals(expected.length, actual.length, "size of (" + l1 + "," + l2 + "," + l3 + ")");
            for (int index = 0; index < expected.length; index++) {
                // e3nn's float64 einsum leaves ~1e-17 residues where the exact value is 0.
                double tolerance = Math.max(Math.ulp(expected[index]), 1e-15);
                assertEquals(expected[index], actual[index], tolerance,
                        "(" + l1 + "," + l2 + "," + l3 + ") flat index " + index);
                compared++;
            }
        }
        assertTrue(compared > 10_000, "compared " + compared);
    }

    @Test
    void e3nn044ConventionMatchesE3nn044TensorsAndItsFlipList() throws Exception {
        Map<String, Object> reference = asMap(ReferenceData.parse(java.nio.file.Files.readString(
                ReferenceData.directory().resolveSibling("e3nn-0.4.4").resolve("wigner_3j_e3nn044_l3.json"))));
        Map<String, Object> tensors = asMap(reference.get("w3j"));
        assertTrue(tensors.size() >= 30, "tensors: " + tensors.size());
        for (Map.Entry<String, Object> tensor : tensors.entrySet()) {
            String[] degrees = tensor.getKey().split(",");
            int l1 = Integer.parseInt(degrees[0].trim());
            int l2 = Integer.parseInt(degrees[1].trim());
            int l3 = Integer.parseInt(degrees[2].trim());
            double[] expected = ReferenceData.asDoubles(tensor.getValue());
            double[] actual = Wigner3j.of(l1, l2, l3, CgConvention.E3NN_0_4).toDoubleArray();
            for (int index = 0; index < expected.length; index++) {
                assertEquals(expected[index], actual[index], 1e-15, tensor.getKey() + " flat index " + index);
            }
        }
        java.util.Set<List<Integer>> flipped = new java.util.HashSet<>();
        for (Object triple : (List<?>) reference.get("sorted_triples_where_e3nn044_equals_minus_e3nn05")) {
            double[] t = ReferenceData.asDoubles(triple);
            flipped.add(List.of((int) t[0], (int) t[1], (int) t[2]));
        }
        assertTrue(flipped.contains(List.of(4, 4, 5)) && flipped.size() > 20, "flip list: " + flipped);
        for (int l1 = 0; l1 <= 11; l1++) {
            for (int l2 = l1; l2 <= 11; l2++) {
                for (int l3 = l2; l3 <= Math.min(l1 + l2, 11); l3++) {
                    int expected = flipped.contains(List.of(l1, l2, l3)) ? -1 : 1;
                    assertEquals(expected, Wigner3j.e3nn044Sign(l1, l2, l3), "(" + l1 + "," + l2 + "," + l3 + ")");
                }
            }
        }
    }

    @Test
    void columnsAreOrthogonalWithNormOneOverDimensionExactly() {
        for (int l1 = 0; l1 <= MAX_L; l1++) {
            for (int l2 = 0; l2 <= MAX_L; l2++) {
                for (int l3 = Math.abs(l1 - l2); l3 <= Math.min(l1 + l2, MAX_L); l3++) {
                    Wigner3j w = Wigner3j.of(l1, l2, l3);
                    for (int k = 0; k <= 2 * l3; k++) {
                        for (int kk = 0; kk <= 2 * l3; kk++) {
                            BigFraction dot = dot(w, k, kk);
                            BigFraction expected = k == kk ? BigFraction.of(1, 2 * l3 + 1) : BigFraction.ZERO;
                            assertEquals(expected, dot, "(" + l1 + "," + l2 + "," + l3 + ") k=" + k + " k'=" + kk);
                        }
                    }
                }
            }
        }
    }

    /** Σ_ij C_ijk C_ijk' exactly, as a sum of independent radicals that must reduce to a rational. */
    private static BigFraction dot(Wigner3j w, int k, int kk) {
        RadicalSum exact = new RadicalSum();
        for (int i = 0; i <= 2 * w.l1(); i++) {
            for (int j = 0; j <= 2 * w.l2(); j++) {
                exact.addProduct(w.get(i, j, k), w.get(i, j, kk));
            }
        }
        SqrtRational sum = exact.toSingleRadical("dot");
        assertTrue(sum.isRational(), "dot product " + sum + " is not rational");
        return sum.toRational();
    }

    @Test
    void permutingTheDegreesPermutesTheTensorWithSignMinusOneToTheSum() {
        for (int l1 = 0; l1 <= 4; l1++) {
            for (int l2 = 0; l2 <= 4; l2++) {
                for (int l3 = Math.abs(l1 - l2); l3 <= l1 + l2; l3++) {
                    Wigner3j w = Wigner3j.of(l1, l2, l3);
                    Wigner3j swapped12 = Wigner3j.of(l2, l1, l3);
                    Wigner3j cycled = Wigner3j.of(l2, l3, l1);
                    int oddSign = (l1 + l2 + l3) % 2 == 0 ? 1 : -1;
                    for (int i = 0; i <= 2 * l1; i++) {
                        for (int j = 0; j <= 2 * l2; j++) {
                            for (int k = 0; k <= 2 * l3; k++) {
                                SqrtRational v = w.get(i, j, k);
                                String where = "(" + l1 + "," + l2 + "," + l3 + ")[" + i + "][" + j + "][" + k + "]";
                                assertEquals(oddSign == 1 ? v : v.negate(), swapped12.get(j, i, k), "swap " + where);
                                assertEquals(v, cycled.get(j, k, i), "cycle " + where);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void higherDegreesStayExactAndNormalized() {
        Wigner3j w = Wigner3j.of(5, 6, 7);
        BigFraction normSquared = BigFraction.ZERO;
        for (Wigner3j.Entry e : w.nonzero()) {
            normSquared = normSquared.add(e.value().square());
        }
        assertEquals(BigFraction.ONE, normSquared);
        assertEquals(BigFraction.of(1, 15), dot(w, 3, 3));
        assertEquals(BigFraction.ZERO, dot(w, 3, 11));
        assertTrue(Wigner3j.of(5, 6, 7) == w, "cached");
        Wigner3j big = Wigner3j.of(10, 10, 12);
        assertEquals(BigFraction.of(1, 25), dot(big, 0, 0));
    }

    @Test
    void nonzeroListsEntriesRowMajorAndSkipsZeros() {
        Wigner3j w = Wigner3j.of(1, 1, 2);
        List<Wigner3j.Entry> entries = w.nonzero();
        int count = 0;
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 5; k++) {
                    if (!w.get(i, j, k).isZero()) {
                        Wigner3j.Entry e = entries.get(count++);
                        assertEquals(List.of(i, j, k, w.get(i, j, k)), List.of(e.i(), e.j(), e.k(), e.value()));
                    }
                }
            }
        }
        assertEquals(count, entries.size());
        assertEquals(11, count);
        assertFalse(entries.stream().anyMatch(e -> e.value().isZero()));
        assertEquals("sqrt(10)/10", Wigner3j.of(1, 1, 2).get(0, 2, 0).toString());
        assertEquals("-sqrt(30)/30", Wigner3j.of(1, 1, 2).get(0, 0, 2).toString());
    }

    @Test
    void rejectsNegativeDegreesAndTriangleViolationsNamingTheArguments() {
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> Wigner3j.of(-1, 1, 1));
        assertTrue(negative.getMessage().contains("l1, l2, l3"), negative.getMessage());
        IllegalArgumentException triangle = assertThrows(IllegalArgumentException.class, () -> Wigner3j.of(1, 1, 3));
        assertTrue(triangle.getMessage().contains("(1, 1, 3)"), triangle.getMessage());
        IllegalArgumentException index = assertThrows(IllegalArgumentException.class,
                () -> Wigner3j.of(1, 1, 2).get(0, 3, 0));
        assertTrue(index.getMessage().startsWith("j: expected 0 <= j < 3, got 3"), index.getMessage());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object json) {
        return (Map<String, Object>) json;
    }
}
