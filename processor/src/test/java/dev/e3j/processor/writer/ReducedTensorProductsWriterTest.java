package dev.e3j.processor.writer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.annotations.CgConvention;
import dev.e3j.processor.testing.GeneratedKernels;
import dev.e3j.runtime.CartesianTensorKernel;
import dev.e3j.runtime.Irreps;
import dev.e3j.testsupport.ReferenceData;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Generated {@code CartesianTensorKernel}s against e3nn's {@code ReducedTensorProducts} and {@code CartesianTensor}:
 * 0.5.4's with the default convention, 0.4.4's (formulas its Wigner 3j signs change) with {@code cgConvention =
 * E3NN_0_4}.
 */
class ReducedTensorProductsWriterTest {

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> cases(CgConvention convention, String name) throws IOException {
        Map<?, ?> reference = (Map<?, ?>) ReferenceData.load(convention, "reduced_tensor_products.json");
        return ReferenceData.asList(reference.get(name)).stream().map(c -> (Map<String, Object>) c).toList();
    }

    /** {@code , cgConvention = CgConvention.E3NN_0_4} for that convention, nothing for the default. */
    private static String conventionMember(CgConvention convention) {
        return convention == CgConvention.E3NN_0_5 ? "" : ", cgConvention = CgConvention." + convention;
    }

    @ParameterizedTest
    @EnumSource(CgConvention.class)
    void reducedTensorProductsEqualE3nns(CgConvention convention) throws IOException {
        List<Map<String, Object>> cases = cases(convention, "reduced_tensor_products");
        StringBuilder source = new StringBuilder("""
                package test.rtp;

                import dev.e3j.annotations.CgConvention;
                import dev.e3j.annotations.ReducedTensorProducts;
                import dev.e3j.runtime.CartesianTensorKernel;

                interface Specs {
                """);
        for (int i = 0; i < cases.size(); i++) {
            Map<?, ?> irreps = (Map<?, ?>) cases.get(i).get("irreps");
            source.append(String.format(Locale.ROOT, """
                        @ReducedTensorProducts(formula = "%s", irreps = {%s}%s%s%s)
                        interface Rtp%d extends CartesianTensorKernel {}
                    """, cases.get(i).get("formula"), irreps.entrySet().stream()
                    .map(e -> "\"" + e.getKey() + "=" + e.getValue() + "\"").collect(Collectors.joining(", ")),
                    filter("filterIrOut", cases.get(i).get("filter_ir_out")),
                    filter("filterIrMid", cases.get(i).get("filter_ir_mid")), conventionMember(convention), i));
        }
        GeneratedKernels compiled = GeneratedKernels.compile("test.rtp.Specs", source.append("}\n").toString());
        for (int i = 0; i < cases.size(); i++) {
            Map<String, Object> c = cases.get(i);
            CartesianTensorKernel kernel = compiled.kernel("test.rtp.Specs_Rtp" + i + "Impl",
                    CartesianTensorKernel.class);
            String label = c.get("formula") + " " + c.get("irreps");
            assertEquals(c.get("formula"), kernel.formula());
            assertEquals(Irreps.parse((String) c.get("irreps_out")), kernel.irrepsOut(), label);
            List<Integer> shape = ReferenceData.asInts(c.get("shape"));
            assertEquals(shape.subList(1, shape.size()), java.util.Arrays.stream(kernel.shape()).boxed().toList());
            assertArrayEquals(ReferenceData.asDoubles(c.get("change_of_basis")), kernel.changeOfBasis(), 1e-12, label);
            int batch = ReferenceData.asInt(c.get("batch"));
            double[][] factors = ReferenceData.asList(c.get("vectors")).stream().map(ReferenceData::asDoubles)
                    .toArray(double[][]::new);
            double[] out = new double[batch * kernel.irrepsOut().dim()];
            kernel.fromVectors(batch, factors, out);
            assertArrayEquals(ReferenceData.asDoubles(c.get("forward")), out, 1e-12, label + ": forward");
        }
        switch (convention) {
            case E3NN_0_5 -> {
                String audit = compiled.generatedResource("META-INF/e3j/test.rtp.Specs_Rtp6Impl.json");
                assertTrue(audit.contains("\"formula\": \"ijkl=jikl=klij\""), audit);
                assertTrue(audit.contains("\"irreps_out\": \"2x0e+2x2e+1x4e\""), audit);
                assertFalse(audit.contains("cg_convention"), audit);
            }
            case E3NN_0_4 -> {
                String audit = compiled.generatedResource("META-INF/e3j/test.rtp.Specs_Rtp0Impl.json");
                assertTrue(audit.contains("\"cg_convention\": \"E3NN_0_4\""), audit);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(CgConvention.class)
    void cartesianTensorsConvertAsE3nns(CgConvention convention) throws IOException {
        List<Map<String, Object>> cases = cases(convention, "cartesian_tensors");
        StringBuilder source = new StringBuilder("""
                package test.ct;

                import dev.e3j.annotations.CartesianTensor;
                import dev.e3j.annotations.CgConvention;
                import dev.e3j.runtime.CartesianTensorKernel;

                interface Specs {
                """);
        for (int i = 0; i < cases.size(); i++) {
            source.append(String.format(Locale.ROOT, """
                        @CartesianTensor(formula = "%s"%s)
                        interface Ct%d extends CartesianTensorKernel {}
                    """, cases.get(i).get("formula"), conventionMember(convention), i));
        }
        GeneratedKernels compiled = GeneratedKernels.compile("test.ct.Specs", source.append("}\n").toString());
        for (int i = 0; i < cases.size(); i++) {
            Map<String, Object> c = cases.get(i);
            CartesianTensorKernel kernel = compiled.kernel("test.ct.Specs_Ct" + i + "Impl",
                    CartesianTensorKernel.class);
            String label = (String) c.get("formula");
            assertEquals(Irreps.parse((String) c.get("irreps")), kernel.irrepsOut(), label);
            int batch = ReferenceData.asInt(c.get("batch"));
            double[] cartesian = ReferenceData.asDoubles(c.get("cartesian"));
            double[] irreps = new double[batch * kernel.irrepsOut().dim()];
            kernel.fromCartesian(batch, cartesian, irreps);
            assertArrayEquals(ReferenceData.asDoubles(c.get("from_cartesian")), irreps, 1e-12, label);
            double[] back = new double[cartesian.length];
            kernel.toCartesian(batch, irreps, back);
            assertArrayEquals(ReferenceData.asDoubles(c.get("to_cartesian")), back, 1e-12, label);
            double[] again = new double[irreps.length];
            kernel.fromCartesian(batch, back, again);
            assertArrayEquals(irreps, again, 1e-12, label + ": a symmetric tensor round-trips");
        }
    }

    @Test
    void argumentsAreChecked() {
        CartesianTensorKernel kernel = GeneratedKernels.compile("test.args.Specs", """
                package test.args;

                import dev.e3j.annotations.CartesianTensor;
                import dev.e3j.runtime.CartesianTensorKernel;

                interface Specs {
                    @CartesianTensor(formula = "ij")
                    interface Stress extends CartesianTensorKernel {}
                }
                """).kernel("test.args.Specs_StressImpl", CartesianTensorKernel.class);
        assertEquals("Specs_StressImpl.fromCartesian: cartesian must have length 18 (batch 2 x 9), got 17",
                assertThrows(IllegalArgumentException.class,
                        () -> kernel.fromCartesian(2, new double[17], new double[18])).getMessage());
        assertEquals("Specs_StressImpl.toCartesian: batch must be >= 0, got -1",
                assertThrows(IllegalArgumentException.class,
                        () -> kernel.toCartesian(-1, new double[0], new double[0])).getMessage());
        assertEquals("Specs_StressImpl.fromVectors: factors must hold 2 arrays (one per index of ij), got 1",
                assertThrows(IllegalArgumentException.class,
                        () -> kernel.fromVectors(1, new double[][] {new double[3]}, new double[9])).getMessage());
        assertEquals("Specs_StressImpl.fromVectors: factors[1] must have length 6 (batch 2 x 3), got 5",
                assertThrows(IllegalArgumentException.class, () -> kernel.fromVectors(2,
                        new double[][] {new double[6], new double[5]}, new double[18])).getMessage());
        double[] shared = new double[9];
        assertEquals("Specs_StressImpl.toCartesian: cartesian must not be the same array as irreps (each output must"
                + " be an array of its own)", assertThrows(IllegalArgumentException.class,
                        () -> kernel.toCartesian(1, shared, shared)).getMessage());
        double[] q = kernel.changeOfBasis();
        assertEquals(1 / Math.sqrt(3), q[0], 2e-16);
        q[0] = 42;
        assertArrayEquals(kernel.changeOfBasis(), kernel.changeOfBasis());
        assertEquals(1 / Math.sqrt(3), kernel.changeOfBasis()[0], 2e-16, "changeOfBasis returns a copy");
        int[] shape = kernel.shape();
        shape[0] = 7;
        assertArrayEquals(new int[] {3, 3}, kernel.shape(), "shape returns a copy");
    }

    /** {@code , attribute = {"0e", ...}} for e3nn's filter, or nothing when it was not given. */
    private static String filter(String attribute, Object irreps) {
        return irreps == null ? "" : ", " + attribute + " = {" + ReferenceData.asList(irreps).stream()
                .map(ir -> "\"" + ir + "\"").collect(Collectors.joining(", ")) + "}";
    }
}
