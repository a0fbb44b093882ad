package dev.e3j.processor.writer;

import static dev.e3j.processor.writer.LinearWriterTest.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.annotations.Layout;
import dev.e3j.processor.testing.FeatureLayouts;
import dev.e3j.processor.testing.FiniteDifferences;
import dev.e3j.processor.testing.GeneratedKernels;
import dev.e3j.runtime.LinearKernel;
import dev.e3j.runtime.o3.Rotations;
import dev.e3j.testsupport.ReferenceData;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code @Linear}'s e3nn options: explicit paths, per-sample weights, {@code f_in}/{@code f_out}, bias entries. */
class LinearOptionsTest {

    /** Compiles {@code @Linear(in, out, <options>)} through the processor, as a user's build would. */
    static LinearKernel kernel(String in, String out, String options) {
        String source = String.format(Locale.ROOT, """
                package test.linear;

                import dev.e3j.annotations.Layout;
                import dev.e3j.annotations.Linear;
                import dev.e3j.annotations.LinearPath;
                import dev.e3j.annotations.PathNormalization;
                import dev.e3j.runtime.LinearKernel;

                @Linear(in = "%s", out = "%s"%s)
                interface Mix extends LinearKernel {}
                """, in, out, options.isEmpty() ? "" : ", " + options);
        return GeneratedKernels.compile("test.linear.Mix", source).kernel("test.linear.MixImpl", LinearKernel.class);
    }

    /** The annotation values of one case of {@code linear_parity.json}, e3nn's constructor arguments. */
    @SuppressWarnings("unchecked")
    private static String options(Map<String, Object> c) {
        StringBuilder options = new StringBuilder("pathNormalization = PathNormalization."
                + ((String) c.getOrDefault("path_normalization", "element")).toUpperCase(Locale.ROOT));
        if (c.get("instructions") instanceof List<?> instructions) {
            options.append(", paths = {").append(instructions.stream()
                    .map(pair -> (List<Object>) pair)
                    .map(pair -> "@LinearPath(in = " + ReferenceData.asInt(pair.get(0)) + ", out = "
                            + ReferenceData.asInt(pair.get(1)) + ")")
                    .collect(Collectors.joining(", "))).append("}");
        }
        Object biases = c.getOrDefault("biases", false);
        if (biases instanceof List<?> flags) {
            options.append(", biasEntries = {").append(flags.stream().map(String::valueOf)
                    .collect(Collectors.joining(", "))).append("}");
        } else {
            options.append(", biases = ").append(biases);
        }
        options.append(", sharedWeights = ").append(c.getOrDefault("shared_weights", true));
        if (c.get("f_in") != null) {
            options.append(", fIn = ").append(ReferenceData.asInt(c.get("f_in")))
                    .append(", fOut = ").append(ReferenceData.asInt(c.get("f_out")));
        }
        return options.toString();
    }

    @ParameterizedTest
    @EnumSource(Layout.class)
    void matchesE3nnOptions(Layout layout) throws IOException {
        List<Map<String, Object>> cases = ReferenceData.cases("linear_parity.json");
        assertEquals(6, cases.size());
        for (Map<String, Object> c : cases) {
            LinearKernel kernel = kernel((String) c.get("irreps_in"), (String) c.get("irreps_out"),
                    options(c) + ", layout = Layout." + layout);
            int features = c.get("f_in") == null ? 1 : ReferenceData.asInt(c.get("f_in"))
                    * ReferenceData.asInt(c.get("f_out"));
            assertEquals(ReferenceData.asInt(c.get("weight_numel")) * features, kernel.weightNumel(), options(c));
            assertEquals(c.getOrDefault("shared_weights", true), kernel.sharedWeights());
            assertEquals(ReferenceData.asDoubles(c.get("bias")).length, kernel.biasNumel());
            LinearWriterTest.assertMatchesReference(kernel, layout, c, ReferenceData.asInt(c.get("batch")));
        }
    }

    private static final String OPTIONS = "paths = {@LinearPath(in = 0, out = 0), @LinearPath(in = 1, out = 1),"
            + " @LinearPath(in = 2, out = 0), @LinearPath(in = 1, out = 1)}, biasEntries = {false, false, true},"
            + " fIn = 2, fOut = 3";

    @Test
    void perSampleWeightsEqualSharedWeightsSampleBySample() {
        LinearKernel perSample = kernel("3x0e+2x1o+1x0e", "2x0e+3x1o+1x0e", OPTIONS + ", sharedWeights = false");
        LinearKernel shared = kernel("3x0e+2x1o+1x0e", "2x0e+3x1o+1x0e", OPTIONS);
        assertFalse(perSample.sharedWeights());
        assertTrue(shared.sharedWeights());
        int numel = shared.weightNumel();
        assertEquals(2 * 3 * (6 + 6 + 2 + 6), numel);
        assertEquals(3, shared.biasNumel());
        int dimIn = shared.irrepsIn().dim();
        int dimOut = shared.irrepsOut().dim();
        // More samples than one parallel block holds, so that several blocks load their own rows.
        int batch = 2 * 32 * 1024 / (dimIn + dimOut) + 5;
        Random random = new Random(3);
        double[] x = FiniteDifferences.gaussian(random, batch * dimIn);
        double[] weights = FiniteDifferences.gaussian(random, batch * numel);
        double[] bias = FiniteDifferences.gaussian(random, 3);
        double[] gradOut = FiniteDifferences.gaussian(random, batch * dimOut);
        double[] out = new double[batch * dimOut];
        double[] gradX = new double[batch * dimIn];
        double[] gradWeights = new double[batch * numel];
        double[] gradBias = new double[3];
        perSample.forward(batch, x, weights, bias, out);
        perSample.backward(batch, x, weights, gradOut, gradX, gradWeights, gradBias);
        double[] expectedGradBias = new double[3];
        for (int b = 0; b < batch; b += 97) {
            double[] xb = slice(x, b, dimIn);
            double[] wb = slice(weights, b, numel);
            double[] gb = slice(gradOut, b, dimOut);
            double[] ob = new double[dimOut];
            shared.forward(1, xb, wb, bias, ob);
            assertClose(ob, slice(out, b, dimOut), 1e-14);
            double[] gxb = new double[dimIn];
            double[] gwb = new double[numel];
            shared.backward(1, xb, wb, gb, gxb, gwb, null);
            assertClose(gxb, slice(gradX, b, dimIn), 1e-14);
            assertClose(gwb, slice(gradWeights, b, numel), 1e-14);
        }
        int featureDim = dimOut / 3;
        for (int b = 0; b < batch; b++) {
            for (int y = 0; y < 3; y++) {
                // The biased entry, 1x0e, ends each output feature.
                expectedGradBias[y] += gradOut[b * dimOut + y * featureDim + featureDim - 1];
            }
        }
        assertClose(expectedGradBias, gradBias, 1e-12);
    }

    private static double[] slice(double[] array, int sample, int length) {
        return java.util.Arrays.copyOfRange(array, sample * length, (sample + 1) * length);
    }

    @ParameterizedTest
    @EnumSource(Layout.class)
    void gradientsMatchFiniteDifferences(Layout layout) {
        for (String sharing : List.of("true", "false")) {
            LinearKernel kernel = kernel("3x0e+2x1o+1x0e", "2x0e+3x1o+1x0e", OPTIONS + ", sharedWeights = "
                    + sharing + ", layout = Layout." + layout);
            int batch = 3;
            int weightLength = kernel.weightNumel() * (kernel.sharedWeights() ? 1 : batch);
            Random random = new Random(5);
            double[] x = FiniteDifferences.gaussian(random, batch * kernel.irrepsIn().dim());
            double[] weights = FiniteDifferences.gaussian(random, weightLength);
            double[] bias = FiniteDifferences.gaussian(random, kernel.biasNumel());
            double[] gradOut = FiniteDifferences.gaussian(random, batch * kernel.irrepsOut().dim());
            double[] gradX = new double[x.length];
            double[] gradWeights = new double[weightLength];
            double[] gradBias = new double[bias.length];
            kernel.backward(batch, x, weights, gradOut, gradX, gradWeights, gradBias);
            double[] out = new double[gradOut.length];
            Runnable forward = () -> kernel.forward(batch, x, weights, bias, out);
            FiniteDifferences.assertGradient("x", x, gradX, 1e-6, 1e-7, () -> {
                forward.run();
                return FiniteDifferences.dot(out, gradOut);
            });
            FiniteDifferences.assertGradient("weights", weights, gradWeights, 1e-6, 1e-7, () -> {
                forward.run();
                return FiniteDifferences.dot(out, gradOut);
            });
            FiniteDifferences.assertGradient("bias", bias, gradBias, 1e-6, 1e-7, () -> {
                forward.run();
                return FiniteDifferences.dot(out, gradOut);
            });
        }
    }

    /**
     * {@code Linear(D_in(g) x, w) = D_out(g) Linear(x, w)} per sample, features and per-sample weights included, in
     * both layouts (rotated in e3nn's).
     */
    @ParameterizedTest
    @EnumSource(Layout.class)
    void isEquivariant(Layout layout) {
        LinearKernel kernel = kernel("2x0e+3x1o+1x2e+1x1e", "1x0e+2x1o+2x2e+1x1e+1x0o",
                "paths = {@LinearPath(in = 1, out = 1), @LinearPath(in = 2, out = 2), @LinearPath(in = 0, out = 0)},"
                        + " biasEntries = {true, false, false, false, false}, fIn = 2, fOut = 2,"
                        + " sharedWeights = false, layout = Layout." + layout);
        Random random = new Random(11);
        int batch = 2;
        int dimIn = kernel.irrepsIn().dim();
        int dimOut = kernel.irrepsOut().dim();
        double[] x = FiniteDifferences.gaussian(random, batch * dimIn);
        double[] weights = FiniteDifferences.gaussian(random, batch * kernel.weightNumel());
        double[] bias = FiniteDifferences.gaussian(random, kernel.biasNumel());
        double[] mapped = new double[batch * dimOut];
        kernel.forward(batch, FeatureLayouts.fromE3nn(layout, kernel.irrepsIn(), x), weights, bias, mapped);
        mapped = FeatureLayouts.toE3nn(layout, kernel.irrepsOut(), mapped);
        for (int k = 0; k <= 1; k++) {
            double[] angles = Rotations.randomAngles(random);
            double[][] dIn = kernel.irrepsIn().wignerD(angles[0], angles[1], angles[2], k);
            double[][] dOut = kernel.irrepsOut().wignerD(angles[0], angles[1], angles[2], k);
            double[] rotated = new double[batch * dimIn];
            double[] expected = new double[batch * dimOut];
            for (int b = 0; b < batch; b++) {
                System.arraycopy(Rotations.apply(dIn, slice(x, b, dimIn)), 0, rotated, b * dimIn, dimIn);
                System.arraycopy(Rotations.apply(dOut, slice(mapped, b, dimOut)), 0, expected, b * dimOut, dimOut);
            }
            double[] rotatedThenMapped = new double[batch * dimOut];
            kernel.forward(batch, FeatureLayouts.fromE3nn(layout, kernel.irrepsIn(), rotated), weights, bias,
                    rotatedThenMapped);
            assertClose(expected, FeatureLayouts.toE3nn(layout, kernel.irrepsOut(), rotatedThenMapped), 1e-12);
        }
    }

    @Test
    void perSampleWeightLengthsAreChecked() {
        LinearKernel kernel = kernel("2x0e", "1x0e", "sharedWeights = false");
        IllegalArgumentException thrown = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> kernel.forward(3, new double[6], new double[2], null,
                        new double[3]));
        assertTrue(thrown.getMessage().contains("weights must have length 6 (batch 3 x 2), got 2"),
                thrown.getMessage());
    }
}
