package dev.e3j.processor.writer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.processor.testing.FiniteDifferences;
import dev.e3j.processor.testing.GeneratedKernels;
import dev.e3j.runtime.LinearKernel;
import dev.e3j.runtime.SphericalHarmonicsKernel;
import dev.e3j.runtime.SymmetricContractionKernel;
import java.util.Arrays;
import java.util.Random;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The generated {@code doubleBackward} of harmonics, linear and symmetric-contraction kernels against central finite
 * differences of their {@code backward}, on configurations the torch reference does not hold (higher degrees, other
 * irreps, correlation 3 and 4), and the float overloads against the double ones.
 */
class DoubleBackwardFiniteDifferencesTest {

    private static GeneratedKernels kernels;

    @BeforeAll
    static void compile() {
        kernels = GeneratedKernels.compile("test.db.Specs", """
                package test.db;

                import dev.e3j.annotations.*;
                import dev.e3j.runtime.*;

                interface Specs {
                    @SphericalHarmonics(lmax = 9, normalization = ShNormalization.NORM, precision = Precision.FLOAT)
                    interface Sh9 extends SphericalHarmonicsKernel {}
                    @SphericalHarmonics(ls = {4, 1, 4, 0, 7}, normalization = ShNormalization.INTEGRAL, normalize = false)
                    interface ShRaw extends SphericalHarmonicsKernel {}
                    @SphericalHarmonics(ls = {0})
                    interface ShScalar extends SphericalHarmonicsKernel {}
                    @Linear(in = "3x0e+2x1o+2x2e+1x0e", out = "2x0e+3x1o+1x2e+2x0e", biases = true,
                            precision = Precision.FLOAT)
                    interface Lin extends LinearKernel {}
                    @Linear(in = "2x0e+2x1o", out = "3x0e+1x1o", sharedWeights = false, fIn = 2, fOut = 2,
                            biases = true)
                    interface LinPerSample extends LinearKernel {}
                    @SymmetricContraction(in = "2x0e+2x1o+2x2e", out = "2x0e+2x1o", correlation = 3, elements = 2,
                                          precision = Precision.FLOAT)
                    interface Sc3 extends SymmetricContractionKernel {}
                    @SymmetricContraction(in = "3x0e+3x1o", out = "3x0e+3x1o", correlation = 4, elements = 3)
                    interface Sc4 extends SymmetricContractionKernel {}
                }
                """);
    }

    private static <T> T kernel(String name, Class<T> type) {
        return kernels.kernel("test.db.Specs_" + name + "Impl", type);
    }

    @Test
    void harmonicsSecondDerivativesAreTheDerivativesOfBackward() {
        for (String name : new String[] {"Sh9", "ShRaw", "ShScalar"}) {
            SphericalHarmonicsKernel kernel = kernel(name, SphericalHarmonicsKernel.class);
            Random random = new Random(name.hashCode());
            int n = 3;
            int dim = kernel.irrepsOut().dim();
            double[] xyz = FiniteDifferences.gaussian(random, 3 * n);
            // one point below torch's normalization floor: there the chain rule is 1 / eps
            xyz[6] = 3e-13;
            xyz[7] = -2e-13;
            xyz[8] = 1e-13;
            double[] gradOut = FiniteDifferences.gaussian(random, n * dim);
            double[] ggXyz = FiniteDifferences.gaussian(random, 3 * n);
            double[] gXyz = new double[3 * n];
            double[] gGradOut = new double[n * dim];
            kernel.doubleBackward(n, xyz, gradOut, ggXyz, gXyz, gGradOut);
            double scale = name.equals("ShRaw") ? 1 : 1e-13;
            for (int p = 0; p < n; p++) {
                double h = p == 2 ? 1e-6 * scale : 1e-5;
                double[] point = Arrays.copyOfRange(xyz, 3 * p, 3 * p + 3);
                double[] pointGradOut = Arrays.copyOfRange(gradOut, p * dim, (p + 1) * dim);
                double[] pointGg = Arrays.copyOfRange(ggXyz, 3 * p, 3 * p + 3);
                double[] pointGrad = new double[3];
                double[] analytic = Arrays.copyOfRange(gXyz, 3 * p, 3 * p + 3);
                double[] directional = Arrays.copyOfRange(gGradOut, p * dim, (p + 1) * dim);
                double magnitude = Math.max(1, Math.max(maxAbs(analytic), maxAbs(directional)));
                DoubleSupplier objective = () -> {
                    kernel.backward(1, point, pointGradOut, pointGrad);
                    return FiniteDifferences.dot(pointGrad, pointGg) / magnitude;
                };
                FiniteDifferences.assertGradient(name + " gGradOut of point " + p, pointGradOut,
                        scaled(directional, 1 / magnitude), 1e-3, 1e-9, objective);
                FiniteDifferences.assertGradient(name + " gXyz of point " + p, point, scaled(analytic, 1 / magnitude),
                        h, 1e-6, objective);
            }
        }
    }

    @Test
    void linearSecondDerivativesAreTheDerivativesOfBackward() {
        for (String name : new String[] {"Lin", "LinPerSample"}) {
            LinearKernel kernel = kernel(name, LinearKernel.class);
            Random random = new Random(name.hashCode());
            int batch = 3;
            int dimIn = kernel.irrepsIn().dim();
            int dimOut = kernel.irrepsOut().dim();
            int weightNumel = kernel.sharedWeights() ? kernel.weightNumel() : batch * kernel.weightNumel();
            double[] x = FiniteDifferences.gaussian(random, batch * dimIn);
            double[] weights = FiniteDifferences.gaussian(random, weightNumel);
            double[] gradOut = FiniteDifferences.gaussian(random, batch * dimOut);
            double[] ggX = FiniteDifferences.gaussian(random, batch * dimIn);
            double[] ggWeights = FiniteDifferences.gaussian(random, weightNumel);
            double[] ggBias = FiniteDifferences.gaussian(random, kernel.biasNumel());
            assertTrue(kernel.biasNumel() > 0, name);
            double[] gX = new double[x.length];
            double[] gWeights = new double[weights.length];
            double[] gGradOut = new double[gradOut.length];
            kernel.doubleBackward(batch, x, weights, gradOut, ggX, ggWeights, ggBias, gX, gWeights, gGradOut);
            double[] gradX = new double[x.length];
            double[] gradWeights = new double[weights.length];
            double[] gradBias = new double[ggBias.length];
            DoubleSupplier objective = () -> {
                kernel.backward(batch, x, weights, gradOut, gradX, gradWeights, gradBias);
                return FiniteDifferences.dot(gradX, ggX) + FiniteDifferences.dot(gradWeights, ggWeights)
                        + FiniteDifferences.dot(gradBias, ggBias);
            };
            FiniteDifferences.assertGradient(name + " gX", x, gX, 1e-3, 1e-9, objective);
            FiniteDifferences.assertGradient(name + " gWeights", weights, gWeights, 1e-3, 1e-9, objective);
            FiniteDifferences.assertGradient(name + " gGradOut", gradOut, gGradOut, 1e-3, 1e-9, objective);

            // a null cotangent is zero, a null result is skipped
            double[] onlyX = new double[gradOut.length];
            kernel.doubleBackward(batch, x, weights, gradOut, ggX, null, null, null, null, onlyX);
            double[] zeroWeights = new double[weights.length];
            double[] zeroBias = new double[ggBias.length];
            double[] expected = new double[gradOut.length];
            kernel.doubleBackward(batch, x, weights, gradOut, ggX, zeroWeights, zeroBias, null, null, expected);
            assertArrayEquals(expected, onlyX, 0);
            double[] noX = gX.clone();
            kernel.doubleBackward(batch, x, weights, gradOut, null, null, null, noX, gWeights, null);
            assertArrayEquals(new double[x.length], noX, 0);
            assertArrayEquals(new double[weights.length], gWeights, 0);
        }
        LinearKernel kernel = kernel("Lin", LinearKernel.class);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> kernel.doubleBackward(1,
                new double[kernel.irrepsIn().dim()], new double[kernel.weightNumel()],
                new double[kernel.irrepsOut().dim()], new double[1], null, null, null, null, null));
        assertEquals("Specs_LinImpl.doubleBackward: ggX must have length " + kernel.irrepsIn().dim()
                + " (batch 1 x " + kernel.irrepsIn().dim() + "), got 1", e.getMessage());
    }

    @Test
    void symmetricContractionSecondDerivativesAreTheDerivativesOfBackward() {
        for (String name : new String[] {"Sc3", "Sc4"}) {
            SymmetricContractionKernel kernel = kernel(name, SymmetricContractionKernel.class);
            Random random = new Random(name.hashCode());
            int nodes = 3;
            int dimIn = kernel.irrepsIn().dim();
            int dimOut = kernel.irrepsOut().dim();
            int[] elements = new int[nodes];
            for (int n = 0; n < nodes; n++) {
                elements[n] = n % kernel.elements();
            }
            double[] x = FiniteDifferences.gaussian(random, nodes * dimIn);
            double[] weights = FiniteDifferences.gaussian(random, kernel.weightNumel());
            double[] gradOut = FiniteDifferences.gaussian(random, nodes * dimOut);
            double[] ggX = FiniteDifferences.gaussian(random, nodes * dimIn);
            double[] ggWeights = FiniteDifferences.gaussian(random, kernel.weightNumel());
            double[] gX = new double[x.length];
            double[] gWeights = new double[weights.length];
            double[] gGradOut = new double[gradOut.length];
            kernel.doubleBackward(nodes, x, elements, weights, gradOut, ggX, ggWeights, gX, gWeights, gGradOut);
            double[] gradX = new double[x.length];
            double[] gradWeights = new double[weights.length];
            DoubleSupplier objective = () -> {
                kernel.backward(nodes, x, elements, weights, gradOut, gradX, gradWeights);
                return FiniteDifferences.dot(gradX, ggX) + FiniteDifferences.dot(gradWeights, ggWeights);
            };
            FiniteDifferences.assertGradient(name + " gX", x, gX, 1e-4, 1e-7, objective);
            FiniteDifferences.assertGradient(name + " gWeights", weights, gWeights, 1e-4, 1e-7, objective);
            FiniteDifferences.assertGradient(name + " gGradOut", gradOut, gGradOut, 1e-3, 1e-9, objective);

            double[] onlyWeights = new double[x.length];
            kernel.doubleBackward(nodes, x, elements, weights, gradOut, null, ggWeights, onlyWeights, null, null);
            double[] expected = new double[x.length];
            kernel.doubleBackward(nodes, x, elements, weights, gradOut, new double[x.length], ggWeights, expected,
                    null, null);
            assertArrayEquals(expected, onlyWeights, 0);
        }
    }

    @Test
    void floatOverloadsFollowTheDoubleKernels() {
        Random random = new Random(3);
        SphericalHarmonicsKernel sh = kernel("Sh9", SphericalHarmonicsKernel.class);
        int n = 5;
        int dim = sh.irrepsOut().dim();
        double[] xyz = FiniteDifferences.gaussian(random, 3 * n);
        double[] gradOut = FiniteDifferences.gaussian(random, n * dim);
        double[] ggXyz = FiniteDifferences.gaussian(random, 3 * n);
        double[] gXyz = new double[3 * n];
        double[] gGradOut = new double[n * dim];
        sh.doubleBackward(n, xyz, gradOut, ggXyz, gXyz, gGradOut);
        float[] gXyzF = new float[3 * n];
        float[] gGradOutF = new float[n * dim];
        sh.doubleBackward(n, floats(xyz), floats(gradOut), floats(ggXyz), gXyzF, gGradOutF);
        assertCloseInFloat(gXyz, gXyzF, "Sh9 gXyz");
        assertCloseInFloat(gGradOut, gGradOutF, "Sh9 gGradOut");

        LinearKernel lin = kernel("Lin", LinearKernel.class);
        double[] x = FiniteDifferences.gaussian(random, n * lin.irrepsIn().dim());
        double[] weights = FiniteDifferences.gaussian(random, lin.weightNumel());
        double[] linGradOut = FiniteDifferences.gaussian(random, n * lin.irrepsOut().dim());
        double[] ggX = FiniteDifferences.gaussian(random, x.length);
        double[] ggWeights = FiniteDifferences.gaussian(random, weights.length);
        double[] ggBias = FiniteDifferences.gaussian(random, lin.biasNumel());
        double[][] linear = {new double[x.length], new double[weights.length], new double[linGradOut.length]};
        lin.doubleBackward(n, x, weights, linGradOut, ggX, ggWeights, ggBias, linear[0], linear[1], linear[2]);
        float[][] linearF = {new float[x.length], new float[weights.length], new float[linGradOut.length]};
        lin.doubleBackward(n, floats(x), floats(weights), floats(linGradOut), floats(ggX), floats(ggWeights),
                floats(ggBias), linearF[0], linearF[1], linearF[2]);
        for (int i = 0; i < 3; i++) {
            assertCloseInFloat(linear[i], linearF[i], "Lin result " + i);
        }

        SymmetricContractionKernel sc = kernel("Sc3", SymmetricContractionKernel.class);
        int[] elements = {1, 0, 1, 1, 0};
        double[] scX = FiniteDifferences.gaussian(random, n * sc.irrepsIn().dim());
        double[] scWeights = FiniteDifferences.gaussian(random, sc.weightNumel());
        double[] scGradOut = FiniteDifferences.gaussian(random, n * sc.irrepsOut().dim());
        double[] scGgX = FiniteDifferences.gaussian(random, scX.length);
        double[] scGgWeights = FiniteDifferences.gaussian(random, scWeights.length);
        double[][] contraction = {new double[scX.length], new double[scWeights.length],
                new double[scGradOut.length]};
        sc.doubleBackward(n, scX, elements, scWeights, scGradOut, scGgX, scGgWeights, contraction[0], contraction[1],
                contraction[2]);
        float[][] contractionF = {new float[scX.length], new float[scWeights.length], new float[scGradOut.length]};
        sc.doubleBackward(n, floats(scX), elements, floats(scWeights), floats(scGradOut), floats(scGgX),
                floats(scGgWeights), contractionF[0], contractionF[1], contractionF[2]);
        for (int i = 0; i < 3; i++) {
            assertCloseInFloat(contraction[i], contractionF[i], "Sc3 result " + i);
        }
    }

    private static float[] floats(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }

    /** Within float rounding of the largest magnitude: the float kernels round each constant and step once. */
    private static void assertCloseInFloat(double[] expected, float[] actual, String what) {
        double tolerance = 1e-4 * Math.max(1, maxAbs(expected));
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance, what + "[" + i + "]");
        }
    }

    private static double maxAbs(double[] values) {
        double max = 0;
        for (double v : values) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }

    private static double[] scaled(double[] values, double factor) {
        double[] out = values.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] *= factor;
        }
        return out;
    }
}
