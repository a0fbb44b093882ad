package dev.e3j.processor.writer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.annotations.Layout;
import dev.e3j.processor.testing.FeatureLayouts;
import dev.e3j.processor.testing.FiniteDifferences;
import dev.e3j.processor.testing.GeneratedKernels;
import dev.e3j.testsupport.ReferenceData;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.Layouts;
import dev.e3j.runtime.SymmetricContractionKernel;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Generated {@code @SymmetricContraction} kernels against mace-torch 0.3.6, rotations and finite differences. */
class SymmetricContractionWriterTest {

    /** Compiles {@code @SymmetricContraction(...)} through the processor, as a user's build would. */
    static SymmetricContractionKernel kernel(String in, String out, int correlation, int elements, String convention,
                                             String precision) {
        return kernel(in, out, correlation, elements, convention, precision, Layout.MUL_IR);
    }

    /** {@link #kernel(String, String, int, int, String, String)} with its features in {@code layout}. */
    static SymmetricContractionKernel kernel(String in, String out, int correlation, int elements, String convention,
                                             String precision, Layout layout) {
        String source = String.format(Locale.ROOT, """
                package test.sc;

                import dev.e3j.annotations.CgConvention;
                import dev.e3j.annotations.Layout;
                import dev.e3j.annotations.Precision;
                import dev.e3j.annotations.SymmetricContraction;
                import dev.e3j.runtime.SymmetricContractionKernel;

                @SymmetricContraction(in = "%s", out = "%s", correlation = %d, elements = %d,
                                      cgConvention = CgConvention.%s, layout = Layout.%s, precision = Precision.%s)
                interface Product extends SymmetricContractionKernel {}
                """, in, out, correlation, elements, convention, layout, precision);
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

    /** In both layouts: the features, the output and their gradients go through {@link FeatureLayouts}. */
    @ParameterizedTest
    @EnumSource(Layout.class)
    void equalsMaceForwardAndBackward(Layout layout) throws IOException {
        List<Map<String, Object>> cases = cases();
        assertEquals(6, cases.size());
        for (Map<String, Object> c : cases) {
            String name = c.get("irreps_in") + " -> " + c.get("irreps_out") + ", correlation " + c.get("correlation");
            SymmetricContractionKernel kernel = kernel((String) c.get("irreps_in"), (String) c.get("irreps_out"),
                    ReferenceData.asInt(c.get("correlation")), ReferenceData.asInt(c.get("elements")), "E3NN_0_4",
                    "DOUBLE", layout);
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
            Irreps in = kernel.irrepsIn();
            Irreps out = kernel.irrepsOut();
            double[] x = FeatureLayouts.fromE3nn(layout, in, ReferenceData.asDoubles(c.get("x")));
            int[] elements = ints(c.get("node_elements"));
            double[] weights = ReferenceData.asDoubles(c.get("weights"));
            double[] result = new double[elements.length * out.dim()];
            kernel.forward(elements.length, x, elements, weights, result);
            assertClose(ReferenceData.asDoubles(c.get("out")), FeatureLayouts.toE3nn(layout, out, result),
                    name + ": out");
            double[] gradX = new double[x.length];
            double[] gradWeights = new double[weights.length];
            kernel.backward(elements.length, x, elements, weights,
                    FeatureLayouts.fromE3nn(layout, out, ReferenceData.asDoubles(c.get("grad_out"))), gradX,
                    gradWeights);
            assertClose(ReferenceData.asDoubles(c.get("grad_x")), FeatureLayouts.toE3nn(layout, in, gradX),
                    name + ": grad_x");
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

    @ParameterizedTest
    @EnumSource(Layout.class)
    void backwardIsTheGradientOfForward(Layout layout) {
        SymmetricContractionKernel kernel = kernel("2x0e+2x1o+2x2e", "2x0e+2x1o", 3, 2, "E3NN_0_5", "DOUBLE",
                layout);
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

    @ParameterizedTest
    @EnumSource(Layout.class)
    void floatOverloadsFollowTheDoubleKernel(Layout layout) {
        SymmetricContractionKernel kernel = kernel("2x0e+2x1o", "2x0e+2x1o", 3, 2, "E3NN_0_4", "FLOAT", layout);
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

    /**
     * {@link Layout#IR_MUL} is {@link Layout#MUL_IR} transposed, bitwise: forward, backward (with and without the
     * input gradient) and doubleBackward (with and without the optional cotangents and results), in double and float,
     * with more channels than parallel blocks and channel blocks of uneven length.
     */
    @Test
    void channelLastIsTheTransposedKernelBitwise() {
        String in = "18x0e+18x1o+18x2e";
        String out = "18x0e+18x1o";
        SymmetricContractionKernel mulIr = kernel(in, out, 3, 2, "E3NN_0_4", "FLOAT", Layout.MUL_IR);
        SymmetricContractionKernel irMul = kernel(in, out, 3, 2, "E3NN_0_4", "FLOAT", Layout.IR_MUL);
        Irreps irrepsIn = mulIr.irrepsIn();
        Irreps irrepsOut = mulIr.irrepsOut();
        Random random = new Random(11);
        int nodes = 3;
        int[] elements = {1, 0, 1};
        double[] x = FiniteDifferences.gaussian(random, nodes * irrepsIn.dim());
        double[] weights = FiniteDifferences.gaussian(random, mulIr.weightNumel());
        double[] gradOut = FiniteDifferences.gaussian(random, nodes * irrepsOut.dim());
        double[] ggX = FiniteDifferences.gaussian(random, x.length);
        double[] ggWeights = FiniteDifferences.gaussian(random, weights.length);
        Transposed t = new Transposed(irrepsIn, irrepsOut);

        double[] expectedOut = new double[gradOut.length];
        mulIr.forward(nodes, x, elements, weights, expectedOut);
        double[] actualOut = new double[gradOut.length];
        irMul.forward(nodes, t.in(x), elements, weights, actualOut);
        assertArrayEquals(expectedOut, t.outBack(actualOut), 0.0, "forward");

        double[] expectedGradX = new double[x.length];
        double[] expectedGradW = new double[weights.length];
        mulIr.backward(nodes, x, elements, weights, gradOut, expectedGradX, expectedGradW);
        double[] actualGradX = new double[x.length];
        double[] actualGradW = new double[weights.length];
        irMul.backward(nodes, t.in(x), elements, weights, t.out(gradOut), actualGradX, actualGradW);
        assertArrayEquals(expectedGradX, t.inBack(actualGradX), 0.0, "backward gradX");
        assertArrayEquals(expectedGradW, actualGradW, 0.0, "backward gradWeights");
        double[] onlyWeights = new double[weights.length];
        irMul.backward(nodes, t.in(x), elements, weights, t.out(gradOut), null, onlyWeights);
        assertArrayEquals(expectedGradW, onlyWeights, 0.0, "backward without gradX");

        for (boolean all : new boolean[] {true, false}) {
            double[] gX = new double[x.length];
            double[] gW = new double[weights.length];
            double[] gGradOut = new double[gradOut.length];
            mulIr.doubleBackward(nodes, x, elements, weights, gradOut, all ? ggX : null, ggWeights, gX, gW,
                    all ? gGradOut : null);
            double[] gXLast = new double[x.length];
            double[] gWLast = new double[weights.length];
            double[] gGradOutLast = new double[gradOut.length];
            irMul.doubleBackward(nodes, t.in(x), elements, weights, t.out(gradOut), all ? t.in(ggX) : null,
                    ggWeights, gXLast, gWLast, all ? gGradOutLast : null);
            assertArrayEquals(gX, t.inBack(gXLast), 0.0, "doubleBackward gX, all " + all);
            assertArrayEquals(gW, gWLast, 0.0, "doubleBackward gWeights, all " + all);
            assertArrayEquals(gGradOut, t.outBack(gGradOutLast), 0.0, "doubleBackward gGradOut, all " + all);
        }

        float[] xF = toFloats(x);
        float[] outF = new float[gradOut.length];
        mulIr.forward(nodes, xF, elements, toFloats(weights), outF);
        float[] xFLast = new float[x.length];
        Layouts.toIrMul(irrepsIn, nodes, xF, xFLast);
        float[] outFLast = new float[gradOut.length];
        irMul.forward(nodes, xFLast, elements, toFloats(weights), outFLast);
        float[] outFBack = new float[gradOut.length];
        Layouts.toMulIr(irrepsOut, nodes, outFLast, outFBack);
        assertArrayEquals(outF, outFBack, 0.0f, "float forward");
        float[] gradXF = new float[x.length];
        float[] gradWF = new float[weights.length];
        mulIr.backward(nodes, xF, elements, toFloats(weights), toFloats(gradOut), gradXF, gradWF);
        float[] gradOutFLast = new float[gradOut.length];
        Layouts.toIrMul(irrepsOut, nodes, toFloats(gradOut), gradOutFLast);
        float[] gradXFLast = new float[x.length];
        float[] gradWFLast = new float[weights.length];
        irMul.backward(nodes, xFLast, elements, toFloats(weights), gradOutFLast, gradXFLast, gradWFLast);
        float[] gradXFBack = new float[x.length];
        Layouts.toMulIr(irrepsIn, nodes, gradXFLast, gradXFBack);
        assertArrayEquals(gradXF, gradXFBack, 0.0f, "float backward gradX");
        assertArrayEquals(gradWF, gradWFLast, 0.0f, "float backward gradWeights");
    }

    /** Node rows of an input and an output irreps moved to channel-last and back. */
    private record Transposed(Irreps in, Irreps out) {

        double[] in(double[] rows) {
            return FeatureLayouts.fromE3nn(Layout.IR_MUL, in, rows);
        }

        double[] out(double[] rows) {
            return FeatureLayouts.fromE3nn(Layout.IR_MUL, out, rows);
        }

        double[] inBack(double[] rows) {
            return FeatureLayouts.toE3nn(Layout.IR_MUL, in, rows);
        }

        double[] outBack(double[] rows) {
            return FeatureLayouts.toE3nn(Layout.IR_MUL, out, rows);
        }
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
