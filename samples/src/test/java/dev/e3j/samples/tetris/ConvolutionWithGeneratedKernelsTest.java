package dev.e3j.samples.tetris;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.annotations.Linear;
import dev.e3j.annotations.SphericalHarmonics;
import dev.e3j.annotations.TensorProduct;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.LinearKernel;
import dev.e3j.runtime.SphericalHarmonicsKernel;
import dev.e3j.runtime.TensorProductKernel;
import dev.e3j.runtime.graph.Edges;
import dev.e3j.runtime.math.SoftOneHot;
import dev.e3j.runtime.nn.Convolution;
import dev.e3j.runtime.nn.FullyConnectedNet;
import dev.e3j.runtime.nn.ScalarFunction;
import dev.e3j.runtime.testing.Equivariance;
import java.util.List;
import java.util.Random;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * {@link Convolution} (the linear-map form of e3nn's convolution) on generated kernels of the tetris network's second
 * layer (features up to {@code l = 2} of both parities, edge attributes {@code 0e+1o+2e}): e3nn's equivariance test
 * and finite-difference gradients.
 */
class ConvolutionWithGeneratedKernelsTest {

    @SphericalHarmonics(lmax = 2, normalize = true)
    interface EdgeHarmonics extends SphericalHarmonicsKernel {
    }

    @Linear(in = "8x0e+8x1o+8x2e", out = "40x0e+8x1o+8x1e+8x2o+8x2e")
    interface SelfConnection extends LinearKernel {
    }

    @Linear(in = "8x0e+8x1o+8x2e", out = "8x0e+8x1o+8x2e")
    interface Lin1 extends LinearKernel {
    }

    @TensorProduct(in1 = "8x0e+8x1o+8x2e", in2 = "0e+1o+2e", out = "8x0e+8x1o+8x1e+8x2o+8x2e",
            kind = TensorProduct.Kind.CHANNELWISE, sharedWeights = false)
    interface EdgeProduct extends TensorProductKernel {
    }

    @Linear(in = "8x0e+8x1o+8x1e+8x2o+8x2e", out = "40x0e+8x1o+8x1e+8x2o+8x2e")
    interface Lin2 extends LinearKernel {
    }

    private static final int NODES = 3;
    /** Every ordered pair of distinct nodes. */
    private static final int[] SRC = {1, 2, 0, 2, 0, 1};
    private static final int[] DST = {0, 0, 1, 1, 2, 2};
    private static final double MAX_RADIUS = 3.0;
    private static final int BASIS = 6;

    private final Convolution conv = new Convolution(new ConvolutionWithGeneratedKernelsTest_SelfConnectionImpl(),
            new ConvolutionWithGeneratedKernelsTest_Lin1Impl(), new ConvolutionWithGeneratedKernelsTest_EdgeProductImpl(),
            new ConvolutionWithGeneratedKernelsTest_Lin2Impl(), new FullyConnectedNet(new int[] {BASIS, 8,
                new ConvolutionWithGeneratedKernelsTest_EdgeProductImpl().weightNumel()}, ScalarFunction.SILU), 2.0);
    private final Random random = new Random(11);
    private final double[] params = conv.initialParameters(random);

    private Edges edges(double[] pos) {
        double[] vec = new double[SRC.length * 3];
        for (int e = 0; e < SRC.length; e++) {
            for (int c = 0; c < 3; c++) {
                vec[3 * e + c] = pos[3 * SRC[e] + c] - pos[3 * DST[e] + c];
            }
        }
        return edgesOf(vec);
    }

    private Edges edgesOf(double[] vec) {
        return Edges.of(new ConvolutionWithGeneratedKernelsTest_EdgeHarmonicsImpl(), NODES, SRC, DST, vec, MAX_RADIUS, BASIS,
                SoftOneHot.Basis.GAUSSIAN);
    }

    /** Points at distances between 1 and 2.2, inside the smooth cutoff's slope for the longer edges. */
    private static double[] positions() {
        return new double[] {0.1, -0.2, 0.3, 1.0, 0.4, -0.1, -0.3, 1.2, 1.4};
    }

    private double[] gaussian(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = random.nextGaussian();
        }
        return x;
    }

    private double[] forward(double[] x, Edges edges, double[] p) {
        double[] out = new double[NODES * conv.irrepsOut().dim()];
        conv.forward(NODES, x, edges, p, out);
        return out;
    }

    @Test
    void isEquivariantUnderRotationsInversionAndTranslations() {
        Irreps in = conv.irrepsIn();
        Equivariance.Report report = Equivariance.assertEquivariant(
                (batch, inputs) -> new double[][] {forward(inputs[1], edges(inputs[0]), params)},
                List.of(Equivariance.Argument.cartesianPoints(), Equivariance.Argument.irreps(in)),
                List.of(Equivariance.Argument.irreps(conv.irrepsOut())),
                new double[][] {positions(), gaussian(NODES * in.dim())}, NODES, true,
                Equivariance.DEFAULT_TOLERANCE, random);
        assertTrue(report.maxError() < 1e-12, report.toString());
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        double[] x = gaussian(NODES * conv.irrepsIn().dim());
        double[] pos = positions();
        Edges edges = edges(pos);
        double[] vec = edges.edgeVec();
        double[] gradOut = gaussian(NODES * conv.irrepsOut().dim());
        double[] gradX = new double[x.length];
        double[] gradParams = new double[params.length];
        double[] gradAttr = new double[SRC.length * conv.irrepsEdgeAttr().dim()];
        double[] gradEmbedding = new double[SRC.length * BASIS];
        conv.backward(NODES, x, edges, params, gradOut, gradX, gradParams, gradAttr, gradEmbedding);
        double[] gradVec = edges.edgeVecGradient(gradAttr, gradEmbedding);

        assertGradient("params", p -> dot(forward(x, edges, p), gradOut), params.clone(), gradParams);
        assertGradient("x", v -> dot(forward(v, edges, params), gradOut), x.clone(), gradX);
        assertGradient("edgeVec", v -> dot(forward(x, edgesOf(v), params), gradOut), vec, gradVec);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** Central differences, step 1e-5: {@code max |numeric - analytic| / max |analytic| < 1e-6}. */
    private static void assertGradient(String what, ToDoubleFunction<double[]> loss, double[] point,
                                       double[] analytic) {
        double step = 1e-5;
        double maxDiff = 0;
        double maxGrad = 0;
        for (int i = 0; i < point.length; i++) {
            double saved = point[i];
            point[i] = saved + step;
            double plus = loss.applyAsDouble(point);
            point[i] = saved - step;
            double minus = loss.applyAsDouble(point);
            point[i] = saved;
            maxDiff = Math.max(maxDiff, Math.abs((plus - minus) / (2 * step) - analytic[i]));
            maxGrad = Math.max(maxGrad, Math.abs(analytic[i]));
        }
        assertTrue(maxGrad > 0, what + ": the analytic gradient is zero, the check would prove nothing");
        assertTrue(maxDiff / maxGrad < 1e-6, what + ": finite-difference relative error " + maxDiff / maxGrad);
    }
}
