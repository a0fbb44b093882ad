package dev.e3j.runtime.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.runtime.model.Structure;
import dev.e3j.testsupport.ReferenceData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class NeighborListTest {

    /** The cases of {@code reference/ase/neighbor_list.json} (tools/make_ase_reference.py). */
    static Stream<Map<String, Object>> aseCases() {
        Map<String, Object> file = ReferenceData.object(ReferenceData.parse(readAse("neighbor_list.json")));
        return ReferenceData.asList(file.get("cases")).stream().map(ReferenceData::object);
    }

    static String readAse(String name) {
        try {
            return java.nio.file.Files.readString(ReferenceData.directory().resolveSibling("ase").resolve(name));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Structure structure(Map<String, Object> c) {
        List<Object> numbers = ReferenceData.asList(c.get("numbers"));
        int[] z = numbers.stream().mapToInt(n -> ((Number) n).intValue()).toArray();
        double[] positions = flatten(ReferenceData.matrix(c.get("positions")));
        if (c.get("cell") == null) {
            return Structure.of(z, positions);
        }
        List<Object> pbcList = ReferenceData.asList(c.get("pbc"));
        boolean[] pbc = new boolean[3];
        for (int k = 0; k < 3; k++) {
            pbc[k] = (Boolean) pbcList.get(k);
        }
        return Structure.periodic(z, positions, flatten(ReferenceData.matrix(c.get("cell"))), pbc);
    }

    static double[] flatten(double[][] rows) {
        return Stream.of(rows).flatMapToDouble(java.util.Arrays::stream).toArray();
    }

    private static Set<String> edgeSet(int[] senders, int[] receivers, int[] shifts) {
        Set<String> set = new TreeSet<>();
        for (int e = 0; e < senders.length; e++) {
            set.add(senders[e] + " " + receivers[e] + " " + shifts[3 * e] + " " + shifts[3 * e + 1] + " "
                    + shifts[3 * e + 2]);
        }
        return set;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("aseCases")
    void equalsAsesNeighbourList(Map<String, Object> c) {
        NeighborList list = NeighborList.of(structure(c), ((Number) c.get("cutoff")).doubleValue());
        int[] i = ReferenceData.asList(c.get("i")).stream().mapToInt(n -> ((Number) n).intValue()).toArray();
        int[] j = ReferenceData.asList(c.get("j")).stream().mapToInt(n -> ((Number) n).intValue()).toArray();
        double[] s = flatten(ReferenceData.matrix(c.get("S")));
        int[] shifts = java.util.Arrays.stream(s).mapToInt(x -> (int) x).toArray();
        assertEquals(i.length, list.size(), "edges of " + c.get("name"));
        assertEquals(edgeSet(i, j, shifts), edgeSet(list.senders(), list.receivers(), list.unitShifts()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("aseCases")
    void isSortedSymmetricAndWithinTheCutoff(Map<String, Object> c) {
        Structure structure = structure(c);
        double cutoff = ((Number) c.get("cutoff")).doubleValue();
        NeighborList list = NeighborList.of(structure, cutoff);
        int[] senders = list.senders();
        int[] receivers = list.receivers();
        int[] shifts = list.unitShifts();
        double[] vectors = list.vectors(structure.positions());
        double[] cartesian = list.shifts();
        double[] positions = structure.positions();
        Set<String> edges = edgeSet(senders, receivers, shifts);
        for (int e = 0; e < list.size(); e++) {
            if (e > 0) {
                int order = Integer.compare(senders[e - 1], senders[e]);
                order = order != 0 ? order : Integer.compare(receivers[e - 1], receivers[e]);
                for (int k = 0; k < 3 && order == 0; k++) {
                    order = Integer.compare(shifts[3 * (e - 1) + k], shifts[3 * e + k]);
                }
                assertTrue(order < 0, "edges " + (e - 1) + " and " + e + " out of order");
            }
            double length = Math.sqrt(vectors[3 * e] * vectors[3 * e] + vectors[3 * e + 1] * vectors[3 * e + 1]
                    + vectors[3 * e + 2] * vectors[3 * e + 2]);
            assertTrue(length < cutoff);
            for (int k = 0; k < 3; k++) {
                assertEquals(positions[3 * receivers[e] + k] - positions[3 * senders[e] + k] + cartesian[3 * e + k],
                        vectors[3 * e + k], 0.0);
            }
            assertTrue(edges.contains(receivers[e] + " " + senders[e] + " " + -shifts[3 * e] + " "
                    + -shifts[3 * e + 1] + " " + -shifts[3 * e + 2]), "reverse of edge " + e);
        }
    }

    /** Every pair and image, tested one by one: the definition, for random cells, pbc and cutoffs. */
    @Test
    void equalsTheBruteForceDefinitionOnRandomCells() {
        Random random = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + random.nextInt(12);
            int[] z = new int[n];
            java.util.Arrays.fill(z, 1);
            double[] cell = new double[9];
            for (int k = 0; k < 9; k++) {
                cell[k] = (k % 4 == 0 ? 1.5 + 3 * random.nextDouble() : 0) + 1.5 * (random.nextDouble() - 0.5);
            }
            double[] positions = new double[3 * n];
            for (int k = 0; k < positions.length; k++) {
                positions[k] = 12 * (random.nextDouble() - 0.5);
            }
            boolean[] pbc = {random.nextBoolean(), random.nextBoolean(), random.nextBoolean()};
            double cutoff = 0.5 + 5 * random.nextDouble();
            Structure structure = trial % 10 == 9 ? Structure.of(z, positions)
                    : Structure.periodic(z, positions, cell, pbc);
            NeighborList list = NeighborList.of(structure, cutoff);
            assertEquals(bruteForce(structure, cutoff), edgeSet(list.senders(), list.receivers(),
                    list.unitShifts()), "trial " + trial + ": " + structure + ", cutoff " + cutoff);
        }
    }

    /** A structure of several blocks of senders (searched in parallel) gives the definition's edges, by sender. */
    @Test
    void aStructureOfSeveralSenderBlocksEqualsTheBruteForceDefinition() {
        Random random = new Random(11);
        int n = 300;
        int[] z = new int[n];
        java.util.Arrays.fill(z, 1);
        double[] positions = new double[3 * n];
        for (int k = 0; k < positions.length; k++) {
            positions[k] = 14 * random.nextDouble();
        }
        Structure structure = Structure.periodic(z, positions, new double[] {14, 0, 0, 0.5, 14, 0, 0, 0, 14},
                new boolean[] {true, true, false});
        NeighborList list = NeighborList.of(structure, 3.5);
        assertEquals(bruteForce(structure, 3.5), edgeSet(list.senders(), list.receivers(), list.unitShifts()));
        int[] senders = list.senders();
        for (int e = 1; e < senders.length; e++) {
            assertTrue(senders[e - 1] <= senders[e], "edges in sender order at " + e);
        }
    }

    /**
     * For each pair, every translation {@code S} with {@code |S_k + s_j,k - s_i,k| <= cutoff |b_k| + 1} ({@code s}
     * fractional coordinates, {@code b_k} the reciprocal vectors, {@code |s_k(d)| <= |d| |b_k|}): a superset of the
     * pairs within the cutoff, each tested by the definition.
     */
    private static Set<String> bruteForce(Structure structure, double cutoff) {
        double[] p = structure.positions();
        double[] cell = structure.hasCell() ? structure.cell() : new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1};
        double[] inverse = inverse(cell);
        boolean[] pbc = structure.pbc();
        Set<String> set = new TreeSet<>();
        int[] lo = new int[3];
        int[] hi = new int[3];
        int[] s = new int[3];
        for (int i = 0; i < structure.size(); i++) {
            for (int j = 0; j < structure.size(); j++) {
                for (int k = 0; k < 3; k++) {
                    double ds = 0;
                    double reciprocal = 0;
                    for (int c = 0; c < 3; c++) {
                        ds += (p[3 * j + c] - p[3 * i + c]) * inverse[3 * c + k];
                        reciprocal += inverse[3 * c + k] * inverse[3 * c + k];
                    }
                    double reach = cutoff * Math.sqrt(reciprocal) + 1;
                    lo[k] = pbc[k] ? (int) Math.floor(-ds - reach) : 0;
                    hi[k] = pbc[k] ? (int) Math.ceil(-ds + reach) : 0;
                }
                for (s[0] = lo[0]; s[0] <= hi[0]; s[0]++) {
                    for (s[1] = lo[1]; s[1] <= hi[1]; s[1]++) {
                        for (s[2] = lo[2]; s[2] <= hi[2]; s[2]++) {
                            if (i == j && s[0] == 0 && s[1] == 0 && s[2] == 0) {
                                continue;
                            }
                            double squared = 0;
                            for (int c = 0; c < 3; c++) {
                                double d = p[3 * j + c] - p[3 * i + c] + NeighborList.cartesianShift(s, 0, cell, c);
                                squared += d * d;
                            }
                            if (Math.sqrt(squared) < cutoff) {
                                set.add(i + " " + j + " " + s[0] + " " + s[1] + " " + s[2]);
                            }
                        }
                    }
                }
            }
        }
        return set;
    }

    private static double[] inverse(double[] m) {
        double det = m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6])
                + m[2] * (m[3] * m[7] - m[4] * m[6]);
        return new double[] {
            (m[4] * m[8] - m[5] * m[7]) / det, (m[2] * m[7] - m[1] * m[8]) / det, (m[1] * m[5] - m[2] * m[4]) / det,
            (m[5] * m[6] - m[3] * m[8]) / det, (m[0] * m[8] - m[2] * m[6]) / det, (m[2] * m[3] - m[0] * m[5]) / det,
            (m[3] * m[7] - m[4] * m[6]) / det, (m[1] * m[6] - m[0] * m[7]) / det, (m[0] * m[4] - m[1] * m[3]) / det,
        };
    }

    @Test
    void anEmptyStructureHasNoEdges() {
        assertEquals(0, NeighborList.of(Structure.of(new int[0], new double[0]), 3.0).size());
        Structure empty = Structure.periodic(new int[0], new double[0], new double[] {2, 0, 0, 0, 2, 0, 0, 0, 2},
                new boolean[] {true, true, true});
        assertEquals(0, NeighborList.of(empty, 3.0).size());
    }

    @Test
    void aPairExactlyAtTheCutoffIsNotAnEdge() {
        Structure pair = Structure.of(new int[] {1, 1}, new double[] {0, 0, 0, 1.5, 0, 0});
        assertEquals(0, NeighborList.of(pair, 1.5).size());
        assertArrayEquals(new int[] {0, 1}, NeighborList.of(pair, Math.nextUp(1.5)).senders());
    }

    @Test
    void rejectsBadArgumentsNamingThem() {
        Structure atom = Structure.periodic(new int[] {1}, new double[3], new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1},
                new boolean[] {true, true, true});
        for (double cutoff : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> NeighborList.of(atom, cutoff));
            assertEquals("NeighborList.of: cutoff must be a finite number > 0, got " + cutoff, e.getMessage());
        }
        IllegalArgumentException images = assertThrows(IllegalArgumentException.class,
                () -> NeighborList.of(atom, 100.0));
        assertTrue(images.getMessage().startsWith("NeighborList.of: cutoff must reach at most 1000000 periodic images"
                + " of the cell, got 100.0 (about 8365427 images of Structure[1 atoms"), images.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NeighborList.of(null, 1.0));
        Structure far = Structure.periodic(new int[] {1}, new double[] {1e9, 0, 0},
                new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, new boolean[] {true, true, true});
        IllegalArgumentException away = assertThrows(IllegalArgumentException.class, () -> NeighborList.of(far, 0.5));
        assertTrue(away.getMessage().contains("within 2^28 cells"), away.getMessage());
        NeighborList list = NeighborList.of(atom, 1.5);
        IllegalArgumentException positions = assertThrows(IllegalArgumentException.class,
                () -> list.vectors(new double[6]));
        assertEquals("NeighborList.vectors: positions must have length 3 (1 atoms x 3), got 6", positions.getMessage());
    }
}
