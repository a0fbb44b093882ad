package dev.e3j.processor.math;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.annotations.CgConvention;
import dev.e3j.runtime.Irreps;
import dev.e3j.testsupport.ReferenceData;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ReducedTensorProductsTest {

    /** e3nn 0.5.4's cases with the default convention, e3nn 0.4.4's (formulas its signs change) with its own. */
    @ParameterizedTest
    @EnumSource(CgConvention.class)
    void changeOfBasisEqualsE3nns(CgConvention convention) throws IOException {
        List<Map<String, Object>> cases = ReferenceData.asList(((Map<?, ?>) ReferenceData.load(convention,
                        "reduced_tensor_products.json")).get("reduced_tensor_products"))
                .stream().map(c -> castMap(c)).toList();
        assertEquals(convention == CgConvention.E3NN_0_5 ? 14 : 2, cases.size());
        for (Map<String, Object> c : cases) {
            String formula = (String) c.get("formula");
            Map<Character, Irreps> irreps = new LinkedHashMap<>();
            castMap(c.get("irreps")).forEach((k, v) -> irreps.put(k.charAt(0), Irreps.parse((String) v)));
            ReducedTensorProducts rtp = ReducedTensorProducts.of(formula, irreps, filter(c.get("filter_ir_out")),
                    filter(c.get("filter_ir_mid")), convention);
            String label = formula + " " + irreps + " " + c.get("filter_ir_out") + " " + c.get("filter_ir_mid");
            assertEquals(Irreps.parse((String) c.get("irreps_out")), rtp.irrepsOut(), label);
            List<Integer> shape = ReferenceData.asInts(c.get("shape"));
            assertEquals(shape.subList(1, shape.size()),
                    java.util.Arrays.stream(rtp.shape()).boxed().toList(), label);
            double[] expected = ReferenceData.asDoubles(c.get("change_of_basis"));
            double[] actual = java.util.Arrays.stream(rtp.toDoubleArrays()).flatMapToDouble(java.util.Arrays::stream)
                    .toArray();
            assertArrayEquals(expected, actual, 1e-12, label);
        }
    }

    /** e3nn's test properties: orthonormal rows, the formula's symmetries, equivariance under rotoinversions. */
    @Test
    void basisIsOrthonormalSymmetricAndEquivariant() {
        Map<String, Map<Character, Irreps>> cases = new LinkedHashMap<>();
        cases.put("ij=-ji", Map.of('i', Irreps.parse("5x0e+1e")));
        cases.put("ijk=-ikj=-jik", Map.of('i', Irreps.parse("2e")));
        cases.put("ijkl=jikl=klij", Map.of('i', Irreps.parse("1e")));
        cases.put("ijk=kij", Map.of('i', Irreps.parse("1o+0o")));
        cases.put("ij", Map.of('i', Irreps.parse("2o"), 'j', Irreps.parse("1e+0e")));
        for (Map.Entry<String, Map<Character, Irreps>> c : cases.entrySet()) {
            ReducedTensorProducts rtp = ReducedTensorProducts.of(c.getKey(), c.getValue());
            String label = c.getKey() + " " + c.getValue() + " -> " + rtp.irrepsOut();
            double[][] q = rtp.toDoubleArrays();
            assertEquals(rtp.irrepsOut().dim(), q.length, label);
            for (int a = 0; a < q.length; a++) {
                for (int b = 0; b < q.length; b++) {
                    double dot = 0;
                    for (int x = 0; x < q[a].length; x++) {
                        dot += q[a][x] * q[b][x];
                    }
                    assertEquals(a == b ? 1 : 0, dot, 1e-13, label + " rows " + a + ", " + b);
                }
            }
            assertSymmetries(c.getKey(), rtp.shape(), q, label);
            assertEquivariant(rtp, q, 0.7, -1.3, 2.1, 1, label);
            assertEquivariant(rtp, q, -2.4, 0.4, 0.9, 0, label);
        }
    }

    @Test
    void leviCivitaIsTheOnlyAntisymmetricRankThreeTensor() {
        ReducedTensorProducts rtp = ReducedTensorProducts.of("ijk=-ikj=-jik", Map.of('i', Irreps.parse("1e")));
        assertEquals(Irreps.parse("0e"), rtp.irrepsOut());
        double[] q = rtp.toDoubleArrays()[0];
        double entry = 1 / Math.sqrt(6);
        assertEquals(entry, q[5], 1e-16);
        assertEquals(-entry, q[7], 1e-16);
    }

    @Test
    void rejectsWhatE3nnRejects() {
        Map<Character, Irreps> vector = Map.of('i', Irreps.parse("1o"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ReducedTensorProducts.of("ijk=jik", vector))
                .getMessage().contains("index k has no irreps"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ReducedTensorProducts.of("ij=jk", vector))
                .getMessage().contains("jk is not a permutation of ij"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ReducedTensorProducts.of("-ij=ji", vector))
                .getMessage().contains("first term"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ReducedTensorProducts.of("ij=ji", Map.of('i', Irreps.parse("1o"), 'j', Irreps.parse("1e"))))
                .getMessage().contains("irreps of i and j must be the same"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ReducedTensorProducts.of("ij=ji", Map.of('i', Irreps.parse("1o"), 'k', Irreps.parse("1o"))))
                .getMessage().contains("index k has irreps but does not appear"));
    }

    /** {@code Q[o][x] = sign Q[o][x permuted]} for every term of the formula. */
    private static void assertSymmetries(String formula, int[] shape, double[][] q, String label) {
        String[] terms = formula.split("=");
        String f0 = terms[0];
        int total = q[0].length;
        for (String term : terms) {
            int sign = term.startsWith("-") ? -1 : 1;
            String letters = term.replace("-", "");
            for (int flat = 0; flat < total; flat++) {
                int[] x = new int[shape.length];
                int rest = flat;
                for (int i = shape.length - 1; i >= 0; i--) {
                    x[i] = rest % shape[i];
                    rest /= shape[i];
                }
                int permuted = 0;
                for (int k = 0; k < shape.length; k++) {
                    permuted = permuted * shape[k] + x[f0.indexOf(letters.charAt(k))];
                }
                for (double[] row : q) {
                    assertEquals(row[flat], sign * row[permuted], 1e-14, label + " term " + term);
                }
            }
        }
    }

    /** {@code Q (D_1 x ... x D_n) = D_out Q}, applying each {@code D_i} along its axis. */
    private static void assertEquivariant(ReducedTensorProducts rtp, double[][] q, double alpha, double beta,
                                          double gamma, int k, String label) {
        int[] shape = rtp.shape();
        double[][] left = new double[q.length][];
        for (int o = 0; o < q.length; o++) {
            double[] t = q[o].clone();
            int after = t.length;
            for (int axis = 0; axis < shape.length; axis++) {
                double[][] d = rtp.irrepsIn().get(axis).wignerD(alpha, beta, gamma, k);
                int before = t.length / after;
                after /= shape[axis];
                double[] next = new double[t.length];
                for (int b = 0; b < before; b++) {
                    for (int y = 0; y < shape[axis]; y++) {
                        for (int x = 0; x < shape[axis]; x++) {
                            double dxy = d[x][y];
                            if (dxy == 0) {
                                continue;
                            }
                            for (int a = 0; a < after; a++) {
                                next[(b * shape[axis] + y) * after + a] += t[(b * shape[axis] + x) * after + a] * dxy;
                            }
                        }
                    }
                }
                t = next;
            }
            left[o] = t;
        }
        double[][] dOut = rtp.irrepsOut().wignerD(alpha, beta, gamma, k);
        for (int o = 0; o < q.length; o++) {
            double[] right = new double[q[o].length];
            for (int p = 0; p < q.length; p++) {
                for (int x = 0; x < right.length; x++) {
                    right[x] += dOut[o][p] * q[p][x];
                }
            }
            assertArrayEquals(right, left[o], 1e-12, label + " row " + o);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object o) {
        return (Map<String, Object>) o;
    }

    /** e3nn's filter as a set of irreps, {@code null} when not given. */
    private static java.util.Set<dev.e3j.runtime.Irrep> filter(Object irreps) {
        return irreps == null ? null : ReferenceData.asList(irreps).stream()
                .map(ir -> dev.e3j.runtime.Irrep.parse((String) ir))
                .collect(java.util.stream.Collectors.toCollection(java.util.LinkedHashSet::new));
    }
}
