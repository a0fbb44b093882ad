package dev.e3j.processor.writer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.processor.testing.FiniteDifferences;
import dev.e3j.processor.testing.GeneratedKernels;
import dev.e3j.testsupport.ReferenceData;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.SymmetricContractionKernel;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Generated {@code @SymmetricContraction} kernels against mace-torch 0.3.6, rotations and finite differences. */
class SymmetricContractionWriterTest {

    /** Compiles {@code @SymmetricContraction(...)} through the processor, as a user's build would. */
    static SymmetricContractionKernel kernel(String in, String out, int correlation, int elements, String convention,
                                             String precision) {
        String source = String.format(Locale.ROOT, """
                package test.sc;

                import dev.e3j.annotations.CgConvention;
                import dev.e3j.annotations.Precision;
                import dev.e3j.annotations.SymmetricContraction;
                import dev.e3j.runtime.SymmetricContractionKernel;

                @SymmetricContraction(in = "%s", out = "%s", correlation = %d, elements = %d,
                                      cgConvention = CgConvention.%s, precision = Precision.%s)
                interface Product extends SymmetricContractionKernel {}
                """, in, out, correlation, elements, convention, precision);
        return GeneratedKernels.compile("test.sc.Product", source)
                .kernel("test.sc.ProductImpl", SymmetricContractionKernel.class);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> cases() throws IOException {
        String json = Files.readString(ReferenceData.directory().getParent()
                .resolve("mace-0.3.6/symmetric_contraction.json"));
        return (List<Map<String, Object>>) ((Map<String, Object>) ReferenceData.parse(json)).get("cases");
    }

    private static int[] ints(Object list) {
        return java.util.Arrays.stream(ReferenceData.asDoubles(list)).mapToInt(v -> (int) v).toArray();
    }

    @Test
    void equalsMaceForwardAndBackward() throws IOException {
        List<Map<String, Object>> cases = cases();
        assertEquals(6, cases.size());
        for (Map<String, Object> c : cases) {
            String name = c.get("irreps_in") + " -> " + c.get("irreps_out") + ", correlation " + c.get("correlation");
            SymmetricContractionKernel kernel = kernel((String) c.get("irreps_in"), (String) c.get("irreps_out"),
                    ReferenceData.asInt(c.get("correlation")), ReferenceData.asInt(c.get("elements")), "E3NN_0_4",
                    "DOUBLE");
            List<String> names = new ArrayList<>();
            List<List<Integer>> shapes = new ArrayList<>();
            kernel.weightViews().forEach(view -> {
                names.add(view.name());
                shapes.add(view.shape());
            });
            assertEquals(c.get("weight_names"), names, name);
            List<List<Integer>> expectedShapes = new ArrayList<>();
            for (Object shape : (List<?>) c.get("weight_shapes")) {
                expectedShapes.add(java.util.Arrays.stream(ints(shape)).boxed().toList());
            }
            assertEquals(expectedShapes, shapes, name);
            double[] x = ReferenceData.asDoubles(c.get("x"));
            int[] elements = ints(c.get("node_elements"));
            double[] weights = ReferenceData.asDoubles(c.get("weights"));
            double[] out = new double[elements.length * kernel.irrepsOut().dim()];
            kernel.forward(elements.length, x, elements, weights, out);
            assertClose(ReferenceData.asDoubles(c.get("out")), out, name + ": out");
            double[] gradX = new double[x.length];
            double[] gradWeights = new double[weights.length];
            kernel.backward(elements.length, x, elements, weights, ReferenceData.asDoubles(c.get("grad_out")), gradX,
                    gradWeights);
            assertClose(ReferenceData.asDoubles(c.get("grad_x")), gradX, name + ": grad_x");
            assertClose(ReferenceData.asDoubles(c.get("grad_weights")), gradWeights, name + ": grad_weights");
        }
    }

    private static void assertClose(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-12 * Math.max(1, Math.abs(expected[i])), what + "[" + i + "]");
        }
    }

    @Test
    void isEquivariantUnderRotationsAndInversion() {
        SymmetricContractionKernel kernel = kernel("2x0e+2x1o+2x1e+2x3o", "2x0e+2x1e+2x1o", 3, 2,
                "E3NN_0_5", "DOUBLE");
        Random random = new Random(3);
        int nodes = 3;
        double[] x = FiniteDifferences.gaussian(random, nodes * kernel.irrepsIn().dim());
        double[] weights = FiniteDifferences.gaussian(random, kernel.weightNumel());
        int[] elements = {1, 0, 1};
        double[] out = new double[nodes * kernel.irrepsOut().dim()];
        kernel.forward(nodes, x, elements, weights, out);
        for (int k = 0; k < 2; k++) {
            double[][] dIn = kernel.irrepsIn().wignerD(0.7, -1.3, 2.1, k);
            double[][] dOut = kernel.irrepsOut().wignerD(0.7, -1.3, 2.1, k);
            double[] rotatedOut = new double[out.length];
            kernel.forward(nodes, apply(dIn, x, nodes), elements, weights, rotatedOut);
            assertArrayEquals(apply(dOut, out, nodes), rotatedOut, 1e-10, "k = " + k);
        }
    }

    private static double[] apply(double[][] d, double[] rows, int nodes) {
        int dim = d.length;
        double[] result = new double[rows.length];
        for (int n = 0; n < nodes; n++) {
            for (int i = 0; i < dim; i++) {
                double sum = 0;
                for (int j = 0; j < dim; j++) {
                    sum += d[i][j] * rows[n * dim + j];
                }
                result[n * dim + i] = sum;
            }
        }
        return result;
    }

    @Test
    void backwardIsTheGradientOfForward() {
        SymmetricContractionKernel kernel = kernel("2x0e+2x1o+2x2e", "2x0e+2x1o", 3, 2, "E3NN_0_5", "DOUBLE");
        Random random = new Random(5);
        int nodes = 2;
        int[] elements = {1, 0};
        double[] x = FiniteDifferences.gaussian(random, nodes * kernel.irrepsIn().dim());
        double[] weights = FiniteDifferences.gaussian(random, kernel.weightNumel());
        double[] gradOut = FiniteDifferences.gaussian(random, nodes * kernel.irrepsOut().dim());
        double[] gradX = new double[x.length];
        double[] gradWeights = new double[weights.length];
        kernel.backward(nodes, x, elements, weights, gradOut, gradX, gradWeights);
        double[] out = new double[gradOut.length];
        java.util.function.DoubleSupplier objective = () -> {
            kernel.forward(nodes, x, elements, weights, out);
            return FiniteDifferences.dot(out, gradOut);
        };
        FiniteDifferences.assertGradient("gradX", x, gradX, 1e-5, 1e-7, objective);
        FiniteDifferences.assertGradient("gradWeights", weights, gradWeights, 1e-5, 1e-7, objective);
        double[] onlyX = new double[x.length];
        kernel.backward(nodes, x, elements, weights, gradOut, onlyX, null);
        assertArrayEquals(gradX, onlyX, 0.0);
    }

    @Test
    void floatOverloadsFollowTheDoubleKernel() {
        SymmetricContractionKernel kernel = kernel("2x0e+2x1o", "2x0e+2x1o", 3, 2, "E3NN_0_4", "FLOAT");
        Random random = new Random(7);
        int nodes = 3;
        int[] elements = {0, 1, 1};
        double[] x = FiniteDifferences.gaussian(random, nodes * kernel.irrepsIn().dim());
        double[] weights = FiniteDifferences.gaussian(random, kernel.weightNumel());
        double[] gradOut = FiniteDifferences.gaussian(random, nodes * kernel.irrepsOut().dim());
        double[] out = new double[gradOut.length];
        double[] gradX = new double[x.length];
        double[] gradWeights = new double[weights.length];
        kernel.forward(nodes, x, elements, weights, out);
        kernel.backward(nodes, x, elements, weights, gradOut, gradX, gradWeights);
        float[] outF = new float[out.length];
        float[] gradXF = new float[x.length];
        float[] gradWeightsF = new float[weights.length];
        kernel.forward(nodes, toFloats(x), elements, toFloats(weights), outF);
        kernel.backward(nodes, toFloats(x), elements, toFloats(weights), toFloats(gradOut), gradXF, gradWeightsF);
        assertClose(out, outF, "out");
        assertClose(gradX, gradXF, "gradX");
        assertClose(gradWeights, gradWeightsF, "gradWeights");
    }

    private static float[] toFloats(double[] values) {
        float[] floats = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            floats[i] = (float) values[i];
        }
        return floats;
    }

    private static void assertClose(double[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-4 * Math.max(1, Math.abs(expected[i])), what + "[" + i + "]");
        }
    }

    /** A spec nested in a class, as a generated model nests its layers' specs, generates {@code Outer_SpecImpl}. */
    @Test
    void aSpecNestedInAClassGeneratesItsKernel() {
        SymmetricContractionKernel kernel = GeneratedKernels.compile("test.sc.Model", """
                package test.sc;

                import dev.e3j.annotations.CgConvention;
                import dev.e3j.annotations.SymmetricContraction;
                import dev.e3j.runtime.SymmetricContractionKernel;

                public final class Model {
                    private Model() {
                    }

                    @SymmetricContraction(in = "3x0e+3x1o", out = "3x0e", correlation = 1, elements = 2,
                                          cgConvention = CgConvention.E3NN_0_4)
                    public interface Product extends SymmetricContractionKernel {}
                }
                """).kernel("test.sc.Model_ProductImpl", SymmetricContractionKernel.class);
        assertEquals(List.of(new SymmetricContractionKernel.Tensor("contractions.0.weights_max", 0,
                List.of(2, 1, 3))), kernel.weightViews());
        double[] out = new double[3];
        kernel.forward(1, new double[] {1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0}, new int[] {1},
                new double[] {0, 0, 0, 10, 20, 30}, out);
        assertArrayEquals(new double[] {10, 40, 90}, out, 0.0);
    }

    @Test
    void rejectsBadArguments() {
        SymmetricContractionKernel kernel = kernel("2x0e+2x1o", "2x0e", 2, 2, "E3NN_0_5", "DOUBLE");
        double[] weights = new double[kernel.weightNumel()];
        IllegalArgumentException element = assertThrows(IllegalArgumentException.class,
                () -> kernel.forward(1, new double[8], new int[] {2}, weights, new double[2]));
        assertEquals("ProductImpl.forward: elements[0] must be in [0, 2), got 2", element.getMessage());
        IllegalArgumentException length = assertThrows(IllegalArgumentException.class,
                () -> kernel.forward(1, new double[7], new int[] {0}, weights, new double[2]));
        assertTrue(length.getMessage().startsWith("ProductImpl.forward: x must have length 8"), length.getMessage());
        assertEquals(Irreps.parse("2x0e"), kernel.irrepsOut());
        assertEquals(2, kernel.correlation());
        assertEquals(2, kernel.elements());
    }
}
