package dev.e3j.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.LinearKernel;
import dev.e3j.runtime.SphericalHarmonicsKernel;
import dev.e3j.runtime.TensorProductKernel;
import dev.e3j.runtime.graph.Edges;
import dev.e3j.runtime.math.SoftOneHot;
import dev.e3j.runtime.testing.Equivariance;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The plumbing of {@link Convolution} on scalar features, with small hand-written kernels (the runtime cannot use the
 * processor): gradients by finite differences, the self-connection mix, and the argument checks. Equivariance and
 * gradients with generated kernels of every degree are tested in the samples module.
 */
class ConvolutionTest {

    /** {@code a x 0e -> b x 0e}: {@code out_j = sum_i x_i w_ij / sqrt(a) + bias_j}, o3.Linear on scalars. */
    private record ScalarLinear(int in, int out, boolean biases) implements LinearKernel {
        public Irreps irrepsIn() {
            return Irreps.parse(in + "x0e");
        }

        public Irreps irrepsOut() {
            return Irreps.parse(out + "x0e");
        }

        public int weightNumel() {
            return in * out;
        }

        public int biasNumel() {
            return biases ? out : 0;
        }

        public void forward(int batch, double[] x, double[] weights, double[] bias, double[] y) {
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < out; j++) {
                    double s = biases ? bias[j] : 0;
                    for (int i = 0; i < in; i++) {
                        s += x[b * in + i] * weights[i * out + j] / Math.sqrt(in);
                    }
                    y[b * out + j] = s;
                }
            }
        }

        public void backward(int batch, double[] x, double[] weights, double[] gradOut, double[] gradX,
                             double[] gradWeights, double[] gradBias) {
            if (gradX != null) {
                Arrays.fill(gradX, 0);
            }
            if (gradWeights != null) {
                Arrays.fill(gradWeights, 0);
            }
            if (gradBias != null) {
                Arrays.fill(gradBias, 0);
            }
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < out; j++) {
                    double g = gradOut[b * out + j];
                    if (gradBias != null && biases) {
                        gradBias[j] += g;
                    }
                    for (int i = 0; i < in; i++) {
                        if (gradX != null) {
                            gradX[b * in + i] += g * weights[i * out + j] / Math.sqrt(in);
                        }
                        if (gradWeights != null) {
                            gradWeights[i * out + j] += g * x[b * in + i] / Math.sqrt(in);
                        }
                    }
                }
            }
        }
    }

    /** {@code a x 0e (x) 1x0e -> a x 0e}, mode uvu with per-sample weights: {@code out_u = w_u x1_u x2}. */
    private record ScalarEdgeProduct(int mul, boolean sharedWeights) implements TensorProductKernel {
        public Irreps irrepsIn1() {
            return Irreps.parse(mul + "x0e");
        }

        public Irreps irrepsIn2() {
            return Irreps.parse("1x0e");
        }

        public Irreps irrepsOut() {
            return Irreps.parse(mul + "x0e");
        }

        public int weightNumel() {
            return mul;
        }

        public void forward(int batch, double[] x1, double[] x2, double[] weights, double[] out) {
            for (int b = 0; b < batch; b++) {
                for (int u = 0; u < mul; u++) {
                    out[b * mul + u] = weights[b * mul + u] * x1[b * mul + u] * x2[b];
                }
            }
        }

        public void backward(int batch, double[] x1, double[] x2, double[] weights, double[] gradOut,
                             double[] gradX1, double[] gradX2, double[] gradWeights) {
            for (int b = 0; b < batch; b++) {
                double sum2 = 0;
                for (int u = 0; u < mul; u++) {
                    int i = b * mul + u;
                    if (gradX1 != null) {
                        gradX1[i] = gradOut[i] * weights[i] * x2[b];
                    }
                    if (gradWeights != null) {
                        gradWeights[i] = gradOut[i] * x1[i] * x2[b];
                    }
                    sum2 += gradOut[i] * weights[i] * x1[i];
                }
                if (gradX2 != null) {
                    gradX2[b] = sum2;
                }
            }
        }
    }

    /** {@code Y^0 = 1}, e3nn's degree-0 harmonic in component normalization. */
    private static final class ConstantHarmonic implements SphericalHarmonicsKernel {
        public Irreps irrepsOut() {
            return Irreps.parse("1x0e");
        }

        public void forward(int n, double[] xyz, double[] out) {
            Arrays.fill(out, 1.0);
        }

        public void backward(int n, double[] xyz, double[] gradOut, double[] gradXyz) {
            Arrays.fill(gradXyz, 0.0);
        }
    }

    private static final int NODES = 4;
    private static final int[] SRC = {1, 2, 3, 0, 2, 0};
    private static final int[] DST = {0, 0, 0, 1, 1, 2};
    private static final double MAX_RADIUS = 3.0;
    private static final int BASIS = 5;

    private static Convolution convolution(boolean biases) {
        return new Convolution(new ScalarLinear(2, 3, biases), new ScalarLinear(2, 4, biases),
                new ScalarEdgeProduct(4, false), new ScalarLinear(4, 3, biases),
                new FullyConnectedNet(new int[] {BASIS, 6, 4}, ScalarFunction.SILU), 1.5);
    }

    private static Edges edges(double[] edgeVec) {
        return Edges.of(new ConstantHarmonic(), NODES, SRC, DST, edgeVec, MAX_RADIUS, BASIS,
                SoftOneHot.Basis.GAUSSIAN);
    }

    /** Edge vectors of lengths between 0.8 and 2.2, so that the smooth cutoff (from 1.5 to 3) is active on some. */
    private static double[] edgeVectors(Random random) {
        double[] vec = new double[SRC.length * 3];
        for (int e = 0; e < SRC.length; e++) {
            double[] direction = GradientCheck.gaussian(random, 3);
            double norm = Math.sqrt(GradientCheck.dot(direction, direction));
            double length = 0.8 + 1.4 * e / (SRC.length - 1);
            for (int c = 0; c < 3; c++) {
                vec[3 * e + c] = direction[c] / norm * length;
            }
        }
        return vec;
    }

    private static double loss(Convolution conv, double[] x, double[] edgeVec, double[] params, double[] gradOut) {
        double[] out = new double[NODES * 3];
        conv.forward(NODES, x, edges(edgeVec), params, out);
        return GradientCheck.dot(out, gradOut);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        Random random = new Random(7);
        Convolution conv = convolution(true);
        double[] params = conv.initialParameters(random);
        for (int i = 0; i < params.length; i++) {
            params[i] += 0.1 * random.nextGaussian();
        }
        double[] x = GradientCheck.gaussian(random, NODES * 2);
        double[] edgeVec = edgeVectors(random);
        double[] gradOut = GradientCheck.gaussian(random, NODES * 3);
        Edges edges = edges(edgeVec);

        double[] gradX = new double[x.length];
        double[] gradParams = new double[params.length];
        double[] gradAttr = new double[SRC.length];
        double[] gradEmbedding = new double[SRC.length * BASIS];
        conv.backward(NODES, x, edges, params, gradOut, gradX, gradParams, gradAttr, gradEmbedding);
        double[] gradEdgeVec = edges.edgeVecGradient(gradAttr, gradEmbedding);

        GradientCheck.assertGradient("params", p -> loss(conv, x, edgeVec, p, gradOut), params.clone(), gradParams);
        GradientCheck.assertGradient("x", v -> loss(conv, v, edgeVec, params, gradOut), x.clone(), gradX);
        GradientCheck.assertGradient("edgeVec", v -> loss(conv, x, v, params, gradOut), edgeVec.clone(),
                gradEdgeVec);
    }

    @Test
    void withoutMessagesTheOutputIsTheScaledSelfConnection() {
        Random random = new Random(3);
        Convolution conv = convolution(false);
        double[] params = conv.initialParameters(random);
        int lin2Weights = 4 * 3;
        Arrays.fill(params, params.length - lin2Weights, params.length, 0.0);
        double[] x = GradientCheck.gaussian(random, NODES * 2);
        double[] out = new double[NODES * 3];
        conv.forward(NODES, x, edges(edgeVectors(random)), params, out);
        double[] selfConnected = new double[NODES * 3];
        new ScalarLinear(2, 3, false).forward(NODES, x, Arrays.copyOf(params, 6), new double[0], selfConnected);
        for (int i = 0; i < out.length; i++) {
            assertEquals(Math.sin(Math.PI / 8) * selfConnected[i], out[i], 1e-15);
        }
    }

    @Test
    void parametersFollowE3nnStateDictOrder() {
        Convolution conv = convolution(true);
        int expected = (6 + 3) + (8 + 4) + (5 * 6 + 6 * 4) + (12 + 3);
        assertEquals(expected, conv.parameterCount());
        double[] params = conv.initialParameters(new Random(1));
        for (int bias : new int[] {6, 7, 8}) {
            assertEquals(0.0, params[bias], "self-connection biases start at zero");
        }
    }

    @Test
    void rejectsKernelsThatDoNotChain() {
        FullyConnectedNet radial = new FullyConnectedNet(new int[] {BASIS, 6, 4}, ScalarFunction.SILU);
        IllegalArgumentException lin1 = assertThrows(IllegalArgumentException.class, () -> new Convolution(
                new ScalarLinear(2, 3, false), new ScalarLinear(5, 4, false), new ScalarEdgeProduct(4, false),
                new ScalarLinear(4, 3, false), radial, 1.0));
        assertEquals("new Convolution: lin1.irrepsIn() must be \"2x0e\" (= selfConnection.irrepsIn()), got \"5x0e\"",
                lin1.getMessage());
        IllegalArgumentException tp = assertThrows(IllegalArgumentException.class, () -> new Convolution(
                new ScalarLinear(2, 3, false), new ScalarLinear(2, 5, false), new ScalarEdgeProduct(4, false),
                new ScalarLinear(4, 3, false), radial, 1.0));
        assertTrue(tp.getMessage().contains("edgeProduct.irrepsIn1() must be \"5x0e\" (= lin1.irrepsOut()), "
                + "got \"4x0e\""), tp.getMessage());
        IllegalArgumentException out = assertThrows(IllegalArgumentException.class, () -> new Convolution(
                new ScalarLinear(2, 3, false), new ScalarLinear(2, 4, false), new ScalarEdgeProduct(4, false),
                new ScalarLinear(4, 2, false), radial, 1.0));
        assertTrue(out.getMessage().contains("lin2.irrepsOut()"), out.getMessage());
        IllegalArgumentException shared = assertThrows(IllegalArgumentException.class, () -> new Convolution(
                new ScalarLinear(2, 3, false), new ScalarLinear(2, 4, false), new ScalarEdgeProduct(4, true),
                new ScalarLinear(4, 3, false), radial, 1.0));
        assertTrue(shared.getMessage().contains("sharedWeights = false"), shared.getMessage());
        IllegalArgumentException radialSize = assertThrows(IllegalArgumentException.class, () -> new Convolution(
                new ScalarLinear(2, 3, false), new ScalarLinear(2, 4, false), new ScalarEdgeProduct(4, false),
                new ScalarLinear(4, 3, false), new FullyConnectedNet(new int[] {BASIS, 5}, null), 1.0));
        assertTrue(radialSize.getMessage().contains("radial must have output size edgeProduct.weightNumel() = 4, "
                + "got 5"), radialSize.getMessage());
    }

    @Test
    void rejectsEdgesAndArraysOfTheWrongSize() {
        Convolution conv = convolution(false);
        double[] params = new double[conv.parameterCount()];
        Edges otherBasis = Edges.of(new ConstantHarmonic(), NODES, SRC, DST,
                edgeVectors(new Random(1)), MAX_RADIUS, BASIS + 1, SoftOneHot.Basis.GAUSSIAN);
        IllegalArgumentException basis = assertThrows(IllegalArgumentException.class,
                () -> conv.forward(NODES, new double[NODES * 2], otherBasis, params, new double[NODES * 3]));
        assertTrue(basis.getMessage().contains("radial.inputDim() = 5 basis functions, got 6"), basis.getMessage());
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
                () -> conv.forward(NODES, new double[NODES * 3], edges(edgeVectors(new Random(1))), params,
                        new double[NODES * 3]));
        assertEquals("Convolution.forward: x must have length 8 (numNodes 4 × 2), got 12", x.getMessage());
        IllegalArgumentException dst = assertThrows(IllegalArgumentException.class,
                () -> Edges.of(new ConstantHarmonic(), 2, SRC, DST, edgeVectors(new Random(1)),
                        MAX_RADIUS, BASIS, SoftOneHot.Basis.GAUSSIAN));
        assertTrue(dst.getMessage().startsWith("Edges.of: src[1] must be in [0, numNodes 2), got 2"), dst.getMessage());
    }

    @Test
    void smoothCutoffFallsFromOneToZeroBetweenHalfAndFullRadius() {
        assertEquals(1.0, Edges.smoothCutoff(0.3));
        assertEquals(1.0, Edges.smoothCutoff(0.5), 1e-15);
        assertEquals(0.5, Edges.smoothCutoff(0.75), 1e-15);
        assertEquals(0.0, Edges.smoothCutoff(1.0), 1e-15);
        assertEquals(0.0, Edges.smoothCutoff(1.2));
    }

    @Test
    void smoothCutoffDerivativesAreTheSlopesOfTheValuesAndOfTheFirstDerivative() {
        double h = 1e-6;
        for (int i = 1; i < 100; i++) {
            double x = 0.5 + i * 0.005;
            assertEquals((Edges.smoothCutoff(x + h) - Edges.smoothCutoff(x - h)) / (2 * h),
                    Edges.smoothCutoffDerivative(x), 1e-8, "c' at " + x);
            assertEquals((Edges.smoothCutoffDerivative(x + h) - Edges.smoothCutoffDerivative(x - h)) / (2 * h),
                    Edges.smoothCutoffSecondDerivative(x), 1e-7, "c'' at " + x);
        }
        assertEquals(0.0, Edges.smoothCutoffSecondDerivative(0.3));
        assertEquals(0.0, Edges.smoothCutoffSecondDerivative(1.2));
    }
}
