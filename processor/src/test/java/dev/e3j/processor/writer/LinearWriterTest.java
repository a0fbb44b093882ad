package dev.e3j.processor.writer;

import static dev.e3j.processor.testing.TestArrays.toDouble;
import static dev.e3j.processor.testing.TestArrays.toFloat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.annotations.Layout;
import dev.e3j.annotations.PathNormalization;
import dev.e3j.annotations.Precision;
import dev.e3j.processor.model.LinearModel;
import dev.e3j.processor.testing.FeatureLayouts;
import dev.e3j.processor.testing.FiniteDifferences;
import dev.e3j.processor.testing.GeneratedKernels;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.LinearKernel;
import dev.e3j.testsupport.ReferenceData;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LinearWriterTest {

    /** Compiles {@code @Linear(...)} through {@link dev.e3j.processor.E3jProcessor}, as a user's build would. */
    static LinearKernel kernel(String in, String out, boolean biases, PathNormalization normalization,
                               Precision precision) {
        return kernel(in, out, biases, normalization, precision, Layout.MUL_IR);
    }

    /** {@link #kernel(String, String, boolean, PathNormalization, Precision)} with its features in {@code layout}. */
    static LinearKernel kernel(String in, String out, boolean biases, PathNormalization normalization,
                               Precision precision, Layout layout) {
        String source = String.format(Locale.ROOT, """
                package test.linear;

                import dev.e3j.annotations.Layout;
                import dev.e3j.annotations.Linear;
                import dev.e3j.annotations.PathNormalization;
                import dev.e3j.annotations.Precision;
                import dev.e3j.runtime.LinearKernel;

                @Linear(in = "%s", out = "%s", biases = %b, pathNormalization = PathNormalization.%s,
                        precision = Precision.%s, layout = Layout.%s)
                interface Mix extends LinearKernel {}
                """, in, out, biases, normalization, precision, layout);
        return GeneratedKernels.compile("test.linear.Mix", source).kernel("test.linear.MixImpl", LinearKernel.class);
    }

    @ParameterizedTest
    @EnumSource(Layout.class)
    void matchesE3nnForwardAndBackward(Layout layout) throws IOException {
        List<Map<String, Object>> cases = ReferenceData.cases("linear.json");
        assertEquals(2, cases.size());
        for (Map<String, Object> c : cases) {
            LinearKernel kernel = kernel((String) c.get("irreps_in"), (String) c.get("irreps_out"),
                    (Boolean) c.get("biases"), PathNormalization.ELEMENT, Precision.DOUBLE, layout);
            assertEquals(ReferenceData.asInt(c.get("weight_numel")), kernel.weightNumel());
            assertEquals(ReferenceData.asInt(c.get("bias_numel")), kernel.biasNumel());
            assertMatchesReference(kernel, layout, c,
                    ReferenceData.asDoubles(c.get("x")).length / kernel.irrepsIn().dim());
        }
    }

    /**
     * The forward pass and every gradient of {@code kernel}, whose features are in {@code layout}, against e3nn's case
     * {@code c}, to 1e-12: the features go in and come out through {@link FeatureLayouts}.
     */
    static void assertMatchesReference(LinearKernel kernel, Layout layout, Map<String, Object> c, int batch) {
        Irreps in = kernel.irrepsIn();
        Irreps out = kernel.irrepsOut();
        double[] x = FeatureLayouts.fromE3nn(layout, in, ReferenceData.asDoubles(c.get("x")));
        double[] weights = ReferenceData.asDoubles(c.get("weights"));
        double[] bias = ReferenceData.asDoubles(c.get("bias"));
        double[] gradOut = FeatureLayouts.fromE3nn(layout, out, ReferenceData.asDoubles(c.get("grad_out")));
        double[] result = new double[batch * out.dim()];
        kernel.forward(batch, x, weights, bias, result);
        assertClose(ReferenceData.asDoubles(c.get("out")), FeatureLayouts.toE3nn(layout, out, result), 1e-12);
        double[] gradX = new double[x.length];
        double[] gradWeights = new double[weights.length];
        double[] gradBias = new double[bias.length];
        kernel.backward(batch, x, weights, gradOut, gradX, gradWeights, gradBias);
        assertClose(ReferenceData.asDoubles(c.get("grad_x")), FeatureLayouts.toE3nn(layout, in, gradX), 1e-12);
        assertClose(ReferenceData.asDoubles(c.get("grad_weights")), gradWeights, 1e-12);
        assertClose(ReferenceData.asDoubles(c.get("grad_bias")), gradBias, 1e-12);
    }

    /** Unsorted input with repeated irreps, biases on two separate 0e outputs, an output with no path. */
    @Test
    void unseenIrrepsWithBiasesMatchDirectSum() {
        String in = "3x0e+2x1o+1x0e";
        String out = "2x0e+1x1o+3x0e+2x2e";
        LinearKernel kernel = kernel(in, out, true, PathNormalization.ELEMENT, Precision.DOUBLE);
        // paths: (0,0) 6, (0,2) 9, (1,1) 2, (2,0) 2, (2,2) 3
        assertEquals(22, kernel.weightNumel());
        assertEquals(5, kernel.biasNumel());
        Random random = new Random(7);
        int batch = 3;
        double[] x = FiniteDifferences.gaussian(random, batch * 10);
        double[] weights = FiniteDifferences.gaussian(random, 22);
        double[] bias = FiniteDifferences.gaussian(random, 5);
        double[] outArray = new double[batch * 18];
        java.util.Arrays.fill(outArray, Double.NaN);
        kernel.forward(batch, x, weights, bias, outArray);
        for (int b = 0; b < batch; b++) {
            int xb = b * 10;
            int ob = b * 18;
            // out entry 0 (2x0e) <- in 0 (3x0e, weights 0..5) and in 2 (1x0e, weights 17..18); fan-in 4
            for (int w = 0; w < 2; w++) {
                double s = 0;
                for (int u = 0; u < 3; u++) {
                    s += weights[u * 2 + w] * x[xb + u];
                }
                s += weights[17 + w] * x[xb + 9];
                assertEquals(s / 2 + bias[w], outArray[ob + w], 1e-14);
            }
            // out entry 1 (1x1o) <- in 1 (2x1o, weights 15..16); fan-in 2
            for (int i = 0; i < 3; i++) {
                double s = weights[15] * x[xb + 3 + i] + weights[16] * x[xb + 6 + i];
                assertEquals(s / Math.sqrt(2), outArray[ob + 2 + i], 1e-14);
            }
            // out entry 2 (3x0e) <- in 0 (weights 6..14) and in 2 (weights 19..21); fan-in 4; biases 2..4
            for (int w = 0; w < 3; w++) {
                double s = 0;
                for (int u = 0; u < 3; u++) {
                    s += weights[6 + u * 3 + w] * x[xb + u];
                }
                s += weights[19 + w] * x[xb + 9];
                assertEquals(s / 2 + bias[2 + w], outArray[ob + 5 + w], 1e-14);
            }
            for (int i = 8; i < 18; i++) {
                assertEquals(0.0, outArray[ob + i], "2x2e has no path");
            }
        }
        checkGradientsByFiniteDifferences(kernel, batch, random);
    }

    /**
     * Many channels (the channel loops four at a time and their remainders) and a batch of several parallel blocks
     * (the weight gradient's partial sums): forward and every gradient against the model's formula summed directly,
     * and the same bits however many times it runs, in both layouts.
     */
    @ParameterizedTest
    @EnumSource(Layout.class)
    void manyChannelsOverSeveralBlocksMatchTheDirectSum(Layout layout) {
        String in = "9x0e+6x1o+5x2e+3x1o";
        String out = "7x0e+5x1o+6x2e+2x0e";
        LinearKernel kernel = kernel(in, out, true, PathNormalization.ELEMENT, Precision.DOUBLE, layout);
        int batch = 3 * 32 * 1024 / (kernel.irrepsIn().dim() + kernel.irrepsOut().dim()) + 5;
        assertMatchesDirectSum(kernel, layout, in, out, batch);
    }

    /**
     * Unsimplified irreps multiply the paths: 40 entries of {@code 1x0e} and 12 of {@code 1x1o} both ways make 1744
     * paths. Their methods are shared by shape and the per-path statements go into helpers, so the class compiles
     * (60 entries used to exceed the 64 KiB method limit) and every method stays below HotSpot's 8000-byte limit.
     */
    @Test
    void thousandsOfPathsCompileIntoSmallMethods() {
        String irreps = String.join("+", java.util.Collections.nCopies(40, "1x0e")) + "+"
                + String.join("+", java.util.Collections.nCopies(12, "1x1o"));
        String source = String.format(Locale.ROOT, """
                package test.linear;

                @dev.e3j.annotations.Linear(in = "%s", out = "%s", biases = true,
                        precision = dev.e3j.annotations.Precision.FLOAT)
                interface Mix extends dev.e3j.runtime.LinearKernel {}
                """, irreps, irreps);
        GeneratedKernels compiled = GeneratedKernels.compile("test.linear.Mix", source);
        for (Map.Entry<String, byte[]> file : compiled.classFiles().entrySet()) {
            dev.e3j.processor.testing.ClassFiles.codeLengths(file.getValue()).forEach((method, length) ->
                    assertTrue(length < 8000, file.getKey() + "." + method + ": " + length + " bytes"));
        }
        LinearKernel kernel = compiled.kernel("test.linear.MixImpl", LinearKernel.class);
        assertEquals(40 * 40 + 12 * 12, LinearModel.of(Irreps.parse(irreps), Irreps.parse(irreps), true,
                PathNormalization.ELEMENT).paths().size());
        assertMatchesDirectSum(kernel, Layout.MUL_IR, irreps, irreps, 7);
    }

    /**
     * Every output and gradient of {@code kernel}, whose features are in {@code layout}, against the model's formula
     * summed directly, path by path, in e3nn's layout.
     */
    private static void assertMatchesDirectSum(LinearKernel kernel, Layout layout, String in, String out, int batch) {
        LinearModel model = LinearModel.of(Irreps.parse(in), Irreps.parse(out), true, PathNormalization.ELEMENT);
        Irreps irrepsIn = kernel.irrepsIn();
        Irreps irrepsOut = kernel.irrepsOut();
        int dimIn = irrepsIn.dim();
        int dimOut = irrepsOut.dim();
        Random random = new Random(13);
        double[] x = FiniteDifferences.gaussian(random, batch * dimIn);
        double[] weights = FiniteDifferences.gaussian(random, kernel.weightNumel());
        double[] bias = FiniteDifferences.gaussian(random, kernel.biasNumel());
        double[] gradOut = FiniteDifferences.gaussian(random, batch * dimOut);
        double[] expectedOut = new double[batch * dimOut];
        double[] expectedGradX = new double[batch * dimIn];
        double[] expectedGradWeights = new double[weights.length];
        double[] expectedGradBias = new double[bias.length];
        for (int b = 0; b < batch; b++) {
            for (LinearModel.Path path : model.paths()) {
                double coefficient = Math.sqrt(path.alpha().doubleValue());
                int inAt = b * dimIn + irrepsIn.offset(path.inIndex());
                int outAt = b * dimOut + irrepsOut.offset(path.outIndex());
                for (int u = 0; u < path.mulIn(); u++) {
                    for (int w = 0; w < path.mulOut(); w++) {
                        int weight = path.weightOffset() + u * path.mulOut() + w;
                        for (int i = 0; i < path.dim(); i++) {
                            double xi = x[inAt + u * path.dim() + i];
                            double gi = gradOut[outAt + w * path.dim() + i];
                            expectedOut[outAt + w * path.dim() + i] += coefficient * weights[weight] * xi;
                            expectedGradX[inAt + u * path.dim() + i] += coefficient * weights[weight] * gi;
                            expectedGradWeights[weight] += coefficient * xi * gi;
                        }
                    }
                }
            }
            for (LinearModel.Bias entry : model.biases()) {
                for (int w = 0; w < entry.mul(); w++) {
                    int at = b * dimOut + irrepsOut.offset(entry.outIndex()) + w;
                    expectedOut[at] += bias[entry.biasOffset() + w];
                    expectedGradBias[entry.biasOffset() + w] += gradOut[at];
                }
            }
        }
        double[] outArray = new double[expectedOut.length];
        double[] gradX = new double[expectedGradX.length];
        double[] gradWeights = new double[weights.length];
        double[] gradBias = new double[bias.length];
        double[] xInLayout = FeatureLayouts.fromE3nn(layout, irrepsIn, x);
        double[] gradOutInLayout = FeatureLayouts.fromE3nn(layout, irrepsOut, gradOut);
        kernel.forward(batch, xInLayout, weights, bias, outArray);
        kernel.backward(batch, xInLayout, weights, gradOutInLayout, gradX, gradWeights, gradBias);
        assertClose(expectedOut, FeatureLayouts.toE3nn(layout, irrepsOut, outArray), 1e-12);
        assertClose(expectedGradX, FeatureLayouts.toE3nn(layout, irrepsIn, gradX), 1e-12);
        assertClose(expectedGradWeights, gradWeights, 1e-11);
        assertClose(expectedGradBias, gradBias, 1e-11);
        double[] again = new double[gradWeights.length];
        kernel.backward(batch, xInLayout, weights, gradOutInLayout, null, again, null);
        assertArrayEquals(gradWeights, again, "the weight gradient depends on the batch alone");
    }

    /** {@code Linear(D_in(g) x) = D_out(g) Linear(x)} for random rotations, with and without the inversion. */
    @ParameterizedTest
    @EnumSource(Layout.class)
    void isEquivariant(Layout layout) {
        LinearKernel kernel = kernel("2x0e+3x1o+1x2e+1x1e+2x3o+3x5e", "1x0e+2x1o+2x2e+1x1e+1x3o+1x0o+2x5e", true,
                PathNormalization.ELEMENT, Precision.DOUBLE, layout);
        Irreps in = kernel.irrepsIn();
        Irreps out = kernel.irrepsOut();
        Random random = new Random(11);
        double[] x = FiniteDifferences.gaussian(random, in.dim());
        double[] weights = FiniteDifferences.gaussian(random, kernel.weightNumel());
        double[] bias = FiniteDifferences.gaussian(random, kernel.biasNumel());
        double[] mapped = new double[out.dim()];
        kernel.forward(1, FeatureLayouts.fromE3nn(layout, in, x), weights, bias, mapped);
        for (int k = 0; k <= 1; k++) {
            double[] angles = dev.e3j.runtime.o3.Rotations.randomAngles(random);
            double[][] dIn = in.wignerD(angles[0], angles[1], angles[2], k);
            double[][] dOut = out.wignerD(angles[0], angles[1], angles[2], k);
            double[] rotatedThenMapped = new double[out.dim()];
            kernel.forward(1, FeatureLayouts.fromE3nn(layout, in, dev.e3j.runtime.o3.Rotations.apply(dIn, x)),
                    weights, bias, rotatedThenMapped);
            assertClose(dev.e3j.runtime.o3.Rotations.apply(dOut, FeatureLayouts.toE3nn(layout, out, mapped)),
                    FeatureLayouts.toE3nn(layout, out, rotatedThenMapped), 1e-12);
        }
    }

    @Test
    void pathNormalizationDividesByPathCountTimesMulIn() {
        LinearKernel kernel = kernel("3x0e+1x0e", "1x0e", false, PathNormalization.PATH, Precision.DOUBLE);
        double[] out = new double[1];
        kernel.forward(1, new double[] {1, 0, 0, 0}, new double[] {1, 0, 0, 0}, null, out);
        assertEquals(1 / Math.sqrt(6), out[0], 1e-16);
        kernel.forward(1, new double[] {0, 0, 0, 1}, new double[] {0, 0, 0, 1}, null, out);
        assertEquals(Math.sqrt(0.5), out[0], 0.0, "sqrt(1/2) rounded once");
    }

    @Test
    void noCommonIrrepGivesZerosAndNoWeights() {
        LinearKernel kernel = kernel("2x1e", "1x0e+1x1o", true, PathNormalization.ELEMENT, Precision.DOUBLE);
        assertEquals(0, kernel.weightNumel());
        double[] out = {5, 5, 5, 5};
        kernel.forward(1, new double[] {1, 2, 3, 4, 5, 6}, new double[0], new double[] {0.25}, out);
        assertArrayEquals(new double[] {0.25, 0, 0, 0}, out);
        double[] gradX = {9, 9, 9, 9, 9, 9};
        kernel.backward(1, new double[6], null, new double[] {1, 1, 1, 1}, gradX, null, null);
        assertArrayEquals(new double[6], gradX);
    }

    @Test
    void floatOverloadsAgreeWithDouble() {
        LinearKernel kernel = kernel("4x0e+2x1o+1x2e", "3x0e+3x1o+2x2e", true, PathNormalization.ELEMENT,
                Precision.FLOAT);
        Random random = new Random(3);
        int batch = 2;
        double[] x = FiniteDifferences.gaussian(random, batch * 15);
        double[] weights = FiniteDifferences.gaussian(random, kernel.weightNumel());
        double[] bias = FiniteDifferences.gaussian(random, kernel.biasNumel());
        double[] gradOut = FiniteDifferences.gaussian(random, batch * 22);
        double[] out = new double[batch * 22];
        kernel.forward(batch, x, weights, bias, out);
        float[] outFloat = new float[batch * 22];
        kernel.forward(batch, toFloat(x), toFloat(weights), toFloat(bias), outFloat);
        assertClose(out, toDouble(outFloat), 1e-5);
        double[] gradX = new double[x.length];
        double[] gradWeights = new double[weights.length];
        float[] gradXFloat = new float[x.length];
        float[] gradWeightsFloat = new float[weights.length];
        float[] gradBiasFloat = new float[bias.length];
        kernel.backward(batch, x, weights, gradOut, gradX, gradWeights, null);
        kernel.backward(batch, toFloat(x), toFloat(weights), toFloat(gradOut), gradXFloat, gradWeightsFloat,
                gradBiasFloat);
        assertClose(gradX, toDouble(gradXFloat), 1e-5);
        assertClose(gradWeights, toDouble(gradWeightsFloat), 1e-5);
    }

    @Test
    void wrongLengthsNameTheArgument() {
        LinearKernel kernel = kernel("2x0e+1x1o", "1x0e+1x1o", true, PathNormalization.ELEMENT, Precision.DOUBLE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> kernel.forward(2, new double[9], new double[3], new double[1], new double[8]));
        assertEquals("MixImpl.forward: x must have length 10 (batch 2 x 5), got 9", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> kernel.forward(2, new double[10], new double[2], new double[1], new double[8]));
        assertEquals("MixImpl.forward: weights must have length 3, got 2", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> kernel.forward(2, new double[10], new double[3], null, new double[8]));
        assertEquals("MixImpl.forward: bias must have length 1, got null", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> kernel.backward(2, new double[10], new double[3], new double[8], new double[10],
                        new double[3], new double[2]));
        assertEquals("MixImpl.backward: gradBias must have length 1, got 2", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> kernel.forward(-1, new double[0], new double[3], new double[1], new double[0]));
        assertEquals("MixImpl.forward: batch must be >= 0, got -1", e.getMessage());
        assertThrows(UnsupportedOperationException.class,
                () -> kernel.forward(1, new float[5], new float[3], new float[1], new float[4]));
    }

    /** An output may be no input and no other output: the kernel reads those while it writes it. */
    @Test
    void aliasedArraysAreRejected() {
        LinearKernel kernel = kernel("2x1o", "2x1o", false, PathNormalization.ELEMENT, Precision.FLOAT);
        double[] x = new double[6];
        double[] weights = new double[4];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> kernel.forward(1, x, weights, null, x));
        assertEquals("MixImpl.forward: out must not be the same array as x (each output must be an array of its own)",
                e.getMessage());
        double[] gradOut = new double[6];
        e = assertThrows(IllegalArgumentException.class,
                () -> kernel.backward(1, x, weights, gradOut, gradOut, null, null));
        assertTrue(e.getMessage().startsWith("MixImpl.backward: gradX must not be the same array as gradOut"));
        e = assertThrows(IllegalArgumentException.class,
                () -> kernel.backward(1, x, weights, gradOut, null, weights, null));
        assertTrue(e.getMessage().startsWith("MixImpl.backward: gradWeights must not be the same array as weights"));
        float[] gradOutFloat = new float[6];
        e = assertThrows(IllegalArgumentException.class,
                () -> kernel.backward(1, new float[6], new float[4], gradOutFloat, gradOutFloat, null, null));
        assertTrue(e.getMessage().startsWith("MixImpl.backward: gradX must not be the same array as gradOut"));
        double[] gradX = new double[6];
        kernel.backward(1, x, weights, gradOut, gradX, new double[4], new double[0]);
        kernel.backward(0, new double[0], weights, new double[0], new double[0], null, null);
    }

    /** Central differences of {@code sum(out * gradOut)} against the analytic gradients. */
    static void checkGradientsByFiniteDifferences(LinearKernel kernel, int batch, Random random) {
        int dimIn = kernel.irrepsIn().dim();
        int dimOut = kernel.irrepsOut().dim();
        double[] x = FiniteDifferences.gaussian(random, batch * dimIn);
        double[] weights = FiniteDifferences.gaussian(random, kernel.weightNumel());
        double[] bias = FiniteDifferences.gaussian(random, kernel.biasNumel());
        double[] gradOut = FiniteDifferences.gaussian(random, batch * dimOut);
        double[] gradX = new double[x.length];
        double[] gradWeights = new double[weights.length];
        double[] gradBias = new double[bias.length];
        java.util.Arrays.fill(gradWeights, Double.NaN);
        kernel.backward(batch, x, weights, gradOut, gradX, gradWeights, gradBias);
        double h = 1e-6;
        DoubleSupplier objective = () -> objective(kernel, batch, x, weights, bias, gradOut);
        FiniteDifferences.assertGradient("gradX", x, gradX, h, 1e-7, objective);
        FiniteDifferences.assertGradient("gradWeights", weights, gradWeights, h, 1e-7, objective);
        FiniteDifferences.assertGradient("gradBias", bias, gradBias, h, 1e-7, objective);
    }

    private static double objective(LinearKernel kernel, int batch, double[] x, double[] weights, double[] bias,
                                    double[] gradOut) {
        double[] out = new double[gradOut.length];
        kernel.forward(batch, x, weights, bias, out);
        return FiniteDifferences.dot(out, gradOut);
    }

    static void assertClose(double[] expected, double[] actual, double relative) {
        assertEquals(expected.length, actual.length, "length");
        double scale = 0;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            double tolerance = relative * Math.max(Math.abs(expected[i]), scale * 1e-3);
            int index = i;
            assertTrue(Math.abs(expected[i] - actual[i]) <= tolerance,
                    () -> "index " + index + ": expected " + expected[index] + ", got " + actual[index]);
        }
    }
}
