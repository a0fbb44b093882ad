package dev.e3j.runtime.nn;

import static dev.e3j.runtime.nn.GradientCheck.assertGradient;
import static dev.e3j.runtime.nn.GradientCheck.dot;
import static dev.e3j.runtime.nn.GradientCheck.gaussian;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.runtime.Irreps;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BatchNormTest {

    private static final Irreps IRREPS = Irreps.parse("2x0e+1x0o+2x1o+1x2e");

    @Test
    void trainingNormalizesScalarsAndComponentsAndUpdatesRunningStatistics() {
        BatchNorm bn = new BatchNorm(Irreps.parse("1x0e+1x1o"), 0.0, 0.1, false, BatchNorm.Normalization.COMPONENT);
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
        BatchNorm bn = new BatchNorm(Irreps.parse("1x1o"), 0.0, 1.0, false, BatchNorm.Normalization.NORM);
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
        for (BatchNorm.Normalization normalization : BatchNorm.Normalization.values()) {
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
}
