package dev.e3j.processor.writer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.e3j.annotations.Layout;
import dev.e3j.processor.testing.FeatureLayouts;
import dev.e3j.processor.testing.FiniteDifferences;
import dev.e3j.processor.testing.GeneratedKernels;
import dev.e3j.processor.testing.TestArrays;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.LinearKernel;
import java.util.Collections;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code @Linear(layout = IR_MUL)} against the same spec in e3nn's layout, on what the e3nn references do not hold:
 * degrees up to 6, channel counts that leave every remainder of the loops unrolled by four, features with per-sample
 * weights and explicit paths, and more paths than one method takes. Both compute the same sums in the same order, so
 * the channel-last results, moved back to e3nn's layout, must be equal bit for bit: forward, backward and
 * doubleBackward, in double and float.
 */
class LinearChannelLastTest {

    /** The specs in layout {@code %1$s}; {@code %2$s} and {@code %3$s} are the irreps of {@code ManyPaths}. */
    private static final String SPECS = """
                @Linear(in = "5x0e+7x1o+9x2e+3x3o+6x4e+2x5o+4x6e", out = "6x0e+9x1o+5x2e+4x3o+1x4e+3x5o+2x6e+2x0e",
                        biases = true, precision = Precision.FLOAT, layout = Layout.%1$s)
                interface HighDegree%1$s extends LinearKernel {}

                @Linear(in = "3x0e+2x1o+5x2e", out = "4x0e+3x1o+2x2e+1x0e", fIn = 2, fOut = 3, sharedWeights = false,
                        biasEntries = {true, false, false, true}, pathNormalization = PathNormalization.PATH,
                        precision = Precision.FLOAT, layout = Layout.%1$s)
                interface Features%1$s extends LinearKernel {}

                @Linear(in = "2x1o+3x1o+1x2e+4x0e", out = "5x1o+4x2e+3x0e",
                        paths = {@LinearPath(in = 1, out = 0), @LinearPath(in = 2, out = 1), @LinearPath(in = 0, out = 0),
                                 @LinearPath(in = 3, out = 2)},
                        biases = true, layout = Layout.%1$s)
                interface Paths%1$s extends LinearKernel {}

                @Linear(in = "%2$s", out = "%3$s", sharedWeights = false, layout = Layout.%1$s)
                interface ManyPaths%1$s extends LinearKernel {}
            """;

    private static GeneratedKernels kernels;

    @BeforeAll
    static void compile() {
        // 9 x 8 paths of 1o: more than LinearPlan.MAX_PATHS_PER_METHOD, so the per-path statements go into helpers.
        String manyIn = String.join("+", Collections.nCopies(9, "2x1o"));
        String manyOut = String.join("+", Collections.nCopies(8, "3x1o"));
        StringBuilder source = new StringBuilder("""
                package test.irmul;

                import dev.e3j.annotations.*;
                import dev.e3j.runtime.LinearKernel;

                interface Specs {
                """);
        for (Layout layout : Layout.values()) {
            source.append(String.format(SPECS, layout, manyIn, manyOut));
        }
        kernels = GeneratedKernels.compile("test.irmul.Specs", source.append("}\n").toString());
    }

    private static LinearKernel kernel(String name, Layout layout) {
        return kernels.kernel("test.irmul.Specs_" + name + layout + "Impl", LinearKernel.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"HighDegree", "Features", "Paths", "ManyPaths"})
    void channelLastEqualsE3nnLayoutBitForBit(String name) {
        LinearKernel e3nn = kernel(name, Layout.MUL_IR);
        LinearKernel channelLast = kernel(name, Layout.IR_MUL);
        Irreps in = e3nn.irrepsIn();
        Irreps out = e3nn.irrepsOut();
        assertEquals(in, channelLast.irrepsIn());
        assertEquals(out, channelLast.irrepsOut());
        // More samples than one parallel block holds: several blocks, and partial sums of the weight gradient.
        int batch = 32 * 1024 / (in.dim() + out.dim()) + 3;
        int weightNumel = e3nn.weightNumel() * (e3nn.sharedWeights() ? 1 : batch);
        Random random = new Random(name.hashCode());
        double[] x = FiniteDifferences.gaussian(random, batch * in.dim());
        double[] weights = FiniteDifferences.gaussian(random, weightNumel);
        double[] bias = FiniteDifferences.gaussian(random, e3nn.biasNumel());
        double[] gradOut = FiniteDifferences.gaussian(random, batch * out.dim());
        double[] ggX = FiniteDifferences.gaussian(random, batch * in.dim());
        double[] ggWeights = FiniteDifferences.gaussian(random, weightNumel);
        double[] ggBias = FiniteDifferences.gaussian(random, e3nn.biasNumel());

        double[][] expected = passes(e3nn, batch, x, weights, bias, gradOut, ggX, ggWeights, ggBias);
        double[][] actual = passes(channelLast, batch, FeatureLayouts.fromE3nn(Layout.IR_MUL, in, x), weights, bias,
                FeatureLayouts.fromE3nn(Layout.IR_MUL, out, gradOut), FeatureLayouts.fromE3nn(Layout.IR_MUL, in, ggX),
                ggWeights, ggBias);
        Irreps[] featuresOf = {out, in, null, null, in, null, out};
        String[] names = {"out", "gradX", "gradWeights", "gradBias", "gX", "gWeights", "gGradOut"};
        for (int r = 0; r < expected.length; r++) {
            double[] result = featuresOf[r] == null ? actual[r]
                    : FeatureLayouts.toE3nn(Layout.IR_MUL, featuresOf[r], actual[r]);
            assertArrayEquals(expected[r], result, name + " " + names[r]);
        }
        if (name.equals("HighDegree") || name.equals("Features")) {
            float[][] expectedFloat = floatPasses(e3nn, batch, x, weights, bias, gradOut, ggX, ggWeights, ggBias);
            float[][] actualFloat = floatPasses(channelLast, batch, FeatureLayouts.fromE3nn(Layout.IR_MUL, in, x),
                    weights, bias, FeatureLayouts.fromE3nn(Layout.IR_MUL, out, gradOut),
                    FeatureLayouts.fromE3nn(Layout.IR_MUL, in, ggX), ggWeights, ggBias);
            for (int r = 0; r < expectedFloat.length; r++) {
                double[] result = TestArrays.toDouble(actualFloat[r]);
                if (featuresOf[r] != null) {
                    result = FeatureLayouts.toE3nn(Layout.IR_MUL, featuresOf[r], result);
                }
                assertArrayEquals(TestArrays.toDouble(expectedFloat[r]), result, name + " float " + names[r]);
            }
        }
    }

    /** forward's {@code out}; backward's gradients of x, weights, biases; doubleBackward's gX, gWeights, gGradOut. */
    private static double[][] passes(LinearKernel kernel, int batch, double[] x, double[] weights, double[] bias,
                                     double[] gradOut, double[] ggX, double[] ggWeights, double[] ggBias) {
        double[][] results = {new double[gradOut.length], new double[x.length], new double[weights.length],
            new double[bias.length], new double[x.length], new double[weights.length], new double[gradOut.length]};
        kernel.forward(batch, x, weights, bias, results[0]);
        kernel.backward(batch, x, weights, gradOut, results[1], results[2], results[3]);
        kernel.doubleBackward(batch, x, weights, gradOut, ggX, ggWeights, ggBias, results[4], results[5],
                results[6]);
        return results;
    }

    /** The same results through the float overloads, the arguments rounded to float. */
    private static float[][] floatPasses(LinearKernel kernel, int batch, double[] x, double[] weights, double[] bias,
                                         double[] gradOut, double[] ggX, double[] ggWeights, double[] ggBias) {
        float[][] results = {new float[gradOut.length], new float[x.length], new float[weights.length],
            new float[bias.length], new float[x.length], new float[weights.length], new float[gradOut.length]};
        float[] xf = TestArrays.toFloat(x);
        float[] weightsF = TestArrays.toFloat(weights);
        float[] gradOutF = TestArrays.toFloat(gradOut);
        kernel.forward(batch, xf, weightsF, TestArrays.toFloat(bias), results[0]);
        kernel.backward(batch, xf, weightsF, gradOutF, results[1], results[2], results[3]);
        kernel.doubleBackward(batch, xf, weightsF, gradOutF, TestArrays.toFloat(ggX),
                TestArrays.toFloat(ggWeights), TestArrays.toFloat(ggBias), results[4], results[5],
                results[6]);
        return results;
    }
}
