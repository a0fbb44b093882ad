package dev.e3j.runtime.nn;

import static dev.e3j.runtime.nn.GradientCheck.assertGradient;
import static dev.e3j.runtime.nn.GradientCheck.dot;
import static dev.e3j.runtime.nn.GradientCheck.gaussian;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.Normalization;
import dev.e3j.testsupport.ReferenceData;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BatchNormTest {

    private static final Irreps IRREPS = Irreps.parse("2x0e+1x0o+2x1o+1x2e");

    @Test
    void trainingNormalizesScalarsAndComponentsAndUpdatesRunningStatistics() {
        BatchNorm bn = new BatchNorm(Irreps.parse("1x0e+1x1o"), 0.0, 0.1, false, Normalization.COMPONENT);
        // Rows: scalar, then a vector.
        double[] x = {1, 1, 0, 0, 3, 0, 2, 0, 5, 0, 0, 2};
        double[] out = new double[x.length];
        bn.forward(3, x, null, null, out);
        // Scalar: mean 3, biased variance (4 + 0 + 4) / 3.
        double r = 1 / Math.sqrt(8.0 / 3);
        assertEquals(-2 * r, out[0], 1e-15);
        assertEquals(2 * r, out[8], 1e-15);
        // Vector: not centered, v = mean_n |x_n|^2 / 3 = (1 + 4 + 4) / 9 = 1.
        assertArrayEquals(new double[] {1, 0, 0}, new double[] {out[1], out[2], out[3]}, 1e-15);
        assertArrayEquals(new double[] {0.3}, bn.runningMean(), 1e-15);
        assertArrayEquals(new double[] {0.9 + 0.1 * 8.0 / 3, 1.0}, bn.runningVar(), 1e-15);
    }

    @Test
    void normNormalizationUsesSquaredNormsAndEvalUsesRunningStatistics() {
        BatchNorm bn = new BatchNorm(Irreps.parse("1x1o"), 0.0, 1.0, false, Normalization.NORM);
        double[] x = {3, 0, 0, 0, 0, 4};
        double[] out = new double[6];
        bn.forward(2, x, null, null, out);
        // v = (9 + 16) / 2 with momentum 1 replacing the running variance.
        assertArrayEquals(new double[] {12.5}, bn.runningVar(), 1e-15);
        bn.setTraining(false);
        double[] evalOut = new double[6];
        bn.forward(2, x, null, null, evalOut);
        assertArrayEquals(out, evalOut, 1e-15);
        assertEquals(3 / Math.sqrt(12.5), evalOut[0], 1e-15);
    }

    @Test
    void gradientsMatchFiniteDifferencesInTrainingAndEvaluation() {
        Random random = new Random(8);
        int batch = 5;
        for (Normalization normalization : Normalization.values()) {
            for (boolean training : new boolean[] {true, false}) {
                BatchNorm bn = new BatchNorm(IRREPS, 1e-5, 0.1, true, normalization);
                bn.setRunningStatistics(gaussian(random, 2), new double[] {0.5, 2, 1.5, 0.7, 1.1, 3});
                bn.setTraining(training);
                double[] x = gaussian(random, batch * IRREPS.dim());
                double[] weight = gaussian(random, bn.weightNumel());
                double[] bias = gaussian(random, bn.biasNumel());
                double[] gradOut = gaussian(random, x.length);
                double[] gradX = new double[x.length];
                double[] gradWeight = new double[weight.length];
                double[] gradBias = new double[bias.length];
                bn.backward(batch, x, weight, gradOut, gradX, gradWeight, gradBias);
                String what = normalization + (training ? " training" : " eval");
                assertGradient(what + " x", p -> loss(bn, batch, p, weight, bias, gradOut), x, gradX);
                assertGradient(what + " weight", p -> loss(bn, batch, x, p, bias, gradOut), weight, gradWeight);
                assertGradient(what + " bias", p -> loss(bn, batch, x, weight, p, gradOut), bias, gradBias);
            }
        }
    }

    private static double loss(BatchNorm bn, int batch, double[] x, double[] weight, double[] bias, double[] gradOut) {
        double[] out = new double[x.length];
        bn.forward(batch, x, weight, bias, out);
        return dot(out, gradOut);
    }

    @Test
    void equivariantInEvaluationAndTraining() {
        Irreps irreps = Irreps.parse("2x0e+2x0o+2x1o+1x1e");
        Random random = new Random(9);
        int batch = 4;
        for (boolean training : new boolean[] {false, true}) {
            BatchNorm bn = new BatchNorm(irreps);
            bn.setRunningStatistics(gaussian(random, 2), new double[] {0.5, 2, 1.5, 0.7, 1.1, 3, 0.2});
            bn.setTraining(training);
            double[] x = gaussian(random, batch * irreps.dim());
            double[] weight = gaussian(random, bn.weightNumel());
            double[] bias = gaussian(random, bn.biasNumel());
            for (int k = 0; k <= 1; k++) {
                double[][] r = LowOrderRotations.randomRotation(random);
                double[] outOfRotated = new double[x.length];
                bn.forward(batch, LowOrderRotations.apply(irreps, r, k, batch, x), weight, bias, outOfRotated);
                double[] out = new double[x.length];
                bn.forward(batch, x, weight, bias, out);
                double[] rotatedOut = LowOrderRotations.apply(irreps, r, k, batch, out);
                assertTrue(GradientCheck.maxAbsDiff(outOfRotated, rotatedOut) < 1e-13,
                        "training=" + training + " k=" + k);
            }
        }
    }

    @Test
    void rejectsBadSizes() {
        BatchNorm bn = new BatchNorm(IRREPS);
        double[] x = new double[2 * IRREPS.dim()];
        IllegalArgumentException weight = assertThrows(IllegalArgumentException.class,
                () -> bn.forward(2, x, new double[5], new double[2], new double[x.length]));
        assertEquals("BatchNorm.forward: weight must have length 6, got 5", weight.getMessage());
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> bn.forward(0, new double[0], bn.initialWeight(), new double[2], new double[0]));
        assertTrue(empty.getMessage().startsWith("BatchNorm.forward: batch must be >= 1 in training mode"),
                empty.getMessage());
    }

    @Test
    void rejectsRunningStatisticsThatGiveNaN() {
        // A negative running variance made the evaluation-mode output NaN.
        BatchNorm norm = new BatchNorm(Irreps.parse("1x0e+1x1o"));
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> norm.setRunningStatistics(new double[] {0}, new double[] {1, -0.5}));
        assertEquals("BatchNorm.setRunningStatistics: var[1] must be finite and >= 0, got -0.5", negative.getMessage());
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> norm.setRunningStatistics(new double[] {0}, new double[] {Double.NaN, 1}));
        assertEquals("BatchNorm.setRunningStatistics: var[0] must be finite and >= 0, got NaN", nan.getMessage());
        IllegalArgumentException mean = assertThrows(IllegalArgumentException.class,
                () -> norm.setRunningStatistics(new double[] {Double.POSITIVE_INFINITY}, new double[] {1, 1}));
        assertEquals("BatchNorm.setRunningStatistics: mean[0] must be finite, got Infinity", mean.getMessage());
        assertArrayEquals(new double[] {1, 1}, norm.runningVar(), "a rejected update changes nothing");
        norm.setRunningStatistics(new double[] {0.5}, new double[] {0, 2});
        assertArrayEquals(new double[] {0, 2}, norm.runningVar());
    }

    /** e3nn 0.5.4's outputs, running statistics and gradients for every reduce, instance and normalization. */
    @Test
    void matchesE3nnForEveryReduceInstanceAndNormalization() {
        List<Object> cases = ReferenceData.asList(ReferenceData.object(ReferenceData.load("parity.json"))
                .get("batch_norm"));
        assertEquals(9, cases.size());
        for (Object c : cases) {
            Map<String, Object> testCase = ReferenceData.object(c);
            boolean affine = (Boolean) testCase.get("affine");
            boolean instance = (Boolean) testCase.get("instance");
            BatchNorm bn = new BatchNorm(Irreps.parse((String) testCase.get("irreps")), (Double) testCase.get("eps"),
                    (Double) testCase.get("momentum"), affine,
                    BatchNorm.Reduce.valueOf(((String) testCase.get("reduce")).toUpperCase(Locale.ROOT)), instance,
                    Normalization.valueOf(((String) testCase.get("normalization")).toUpperCase(Locale.ROOT)));
            String what = "affine=" + affine + " reduce=" + bn.reduce() + " instance=" + instance + " "
                    + testCase.get("normalization");
            int batch = ((Double) testCase.get("batch")).intValue();
            int samples = ((Double) testCase.get("samples")).intValue();
            double[] weight = affine ? ReferenceData.asDoubles(testCase.get("weight")) : null;
            double[] bias = affine ? ReferenceData.asDoubles(testCase.get("bias")) : null;
            Map<String, Object> train = ReferenceData.object(testCase.get("train"));
            assertMatchesReference(what + " train", bn, batch, samples, ReferenceData.asDoubles(testCase.get("x")),
                    weight, bias, train);
            if (instance) {
                assertEquals(0, bn.runningVar().length, what);
            } else {
                assertArrayEquals(ReferenceData.asDoubles(train.get("running_mean")), bn.runningMean(), 1e-14, what);
                assertArrayEquals(ReferenceData.asDoubles(train.get("running_var")), bn.runningVar(), 1e-13, what);
            }
            bn.setTraining(false);
            assertMatchesReference(what + " eval", bn, batch, samples, ReferenceData.asDoubles(testCase.get("x_eval")),
                    weight, bias, ReferenceData.object(testCase.get("eval")));
        }
    }

    private static void assertMatchesReference(String what, BatchNorm bn, int batch, int samples, double[] x,
                                               double[] weight, double[] bias, Map<String, Object> expected) {
        double[] out = new double[x.length];
        bn.forward(batch, samples, x, weight, bias, out);
        assertArrayEquals(ReferenceData.asDoubles(expected.get("out")), out, 1e-13, what + " out");
        double[] gradX = new double[x.length];
        double[] gradWeight = new double[bn.weightNumel()];
        double[] gradBias = new double[bn.biasNumel()];
        bn.backward(batch, samples, x, weight, ReferenceData.asDoubles(expected.get("grad_out")), gradX, gradWeight,
                gradBias);
        assertArrayEquals(ReferenceData.asDoubles(expected.get("grad_x")), gradX, 1e-13, what + " grad_x");
        if (weight != null) {
            assertArrayEquals(ReferenceData.asDoubles(expected.get("grad_weight")), gradWeight, 1e-12,
                    what + " grad_weight");
            assertArrayEquals(ReferenceData.asDoubles(expected.get("grad_bias")), gradBias, 1e-12, what + " grad_bias");
        }
    }

    /**
     * e3nn's test_normalization: after batch or instance norm of {@code [20][20]} features far from normalized, the
     * scalars have mean 0 and mean square 1, and the vectors mean squared norm 1 (norm) or component 1 (component).
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void normalizesLikeE3nnsTest(boolean instance) {
        Irreps irreps = Irreps.parse("3x0e + 4x1e");
        int batch = 20;
        int samples = 20;
        Random random = new Random(instance ? 3 : 4);
        for (Normalization normalization : Normalization.values()) {
            BatchNorm bn = new BatchNorm(irreps, 1e-5, 0.1, true, BatchNorm.Reduce.MEAN, instance, normalization);
            double[] x = gaussian(random, batch * samples * irreps.dim());
            for (int i = 0; i < x.length; i++) {
                x[i] = 5 * x[i] + 10;
            }
            double[] out = new double[x.length];
            bn.forward(batch, samples, x, bn.initialWeight(), new double[bn.biasNumel()], out);
            int rows = batch * samples;
            for (int u = 0; u < 3; u++) {
                double mean = 0;
                double square = 0;
                for (int row = 0; row < rows; row++) {
                    mean += out[row * irreps.dim() + u] / rows;
                    square += out[row * irreps.dim() + u] * out[row * irreps.dim() + u] / rows;
                }
                assertEquals(0, mean, 1e-12, normalization + " scalar mean");
                assertEquals(1, square, 1e-4, normalization + " scalar mean square");
            }
            for (int u = 0; u < 4; u++) {
                double squaredNorm = 0;
                for (int row = 0; row < rows; row++) {
                    for (int m = 0; m < 3; m++) {
                        double v = out[row * irreps.dim() + 3 + 3 * u + m];
                        squaredNorm += v * v / rows;
                    }
                }
                double expected = normalization == Normalization.NORM ? 1 : 3;
                assertEquals(expected, squaredNorm, 1e-4, normalization + " vector mean squared norm");
            }
        }
    }

    /** The maximum over samples and instance statistics differentiate like the rest (finite differences). */
    @Test
    void gradientsOfMaxReduceAndInstanceNormMatchFiniteDifferences() {
        Random random = new Random(10);
        int batch = 3;
        int samples = 4;
        for (BatchNorm.Reduce reduce : BatchNorm.Reduce.values()) {
            for (boolean instance : new boolean[] {false, true}) {
                for (Normalization normalization : Normalization.values()) {
                    BatchNorm bn = new BatchNorm(IRREPS, 1e-5, 0.1, true, reduce, instance, normalization);
                    double[] x = gaussian(random, batch * samples * IRREPS.dim());
                    double[] weight = gaussian(random, bn.weightNumel());
                    double[] bias = gaussian(random, bn.biasNumel());
                    double[] gradOut = gaussian(random, x.length);
                    double[] gradX = new double[x.length];
                    double[] gradWeight = new double[weight.length];
                    double[] gradBias = new double[bias.length];
                    bn.backward(batch, samples, x, weight, gradOut, gradX, gradWeight, gradBias);
                    String what = reduce + (instance ? " instance " : " batch ") + normalization;
                    assertGradient(what + " x", p -> loss(bn, batch, samples, p, weight, bias, gradOut), x, gradX);
                    assertGradient(what + " weight", p -> loss(bn, batch, samples, x, p, bias, gradOut), weight,
                            gradWeight);
                    assertGradient(what + " bias", p -> loss(bn, batch, samples, x, weight, p, gradOut), bias,
                            gradBias);
                }
            }
        }
    }

    private static double loss(BatchNorm bn, int batch, int samples, double[] x, double[] weight, double[] bias,
                               double[] gradOut) {
        double[] out = new double[x.length];
        bn.forward(batch, samples, x, weight, bias, out);
        return dot(out, gradOut);
    }

    @Test
    void maxReduceOfOneSampleIsTheMeanAndInstanceNormIgnoresTheMode() {
        Random random = new Random(11);
        double[] x = gaussian(random, 5 * IRREPS.dim());
        double[] mean = new double[x.length];
        double[] max = new double[x.length];
        new BatchNorm(IRREPS, 1e-5, 0.1, false, BatchNorm.Reduce.MEAN, false, Normalization.COMPONENT)
                .forward(5, x, null, null, mean);
        new BatchNorm(IRREPS, 1e-5, 0.1, false, BatchNorm.Reduce.MAX, false, Normalization.COMPONENT)
                .forward(5, x, null, null, max);
        assertArrayEquals(mean, max, 1e-15);
        BatchNorm instance = new BatchNorm(IRREPS, 1e-5, 0.1, false, BatchNorm.Reduce.MAX, true, Normalization.NORM);
        double[] training = new double[x.length];
        instance.forward(1, 5, x, null, null, training);
        instance.setTraining(false);
        double[] evaluation = new double[x.length];
        instance.forward(1, 5, x, null, null, evaluation);
        assertArrayEquals(training, evaluation, 0);
        assertEquals(0, instance.runningMean().length);
    }
}
