package dev.e3j.processor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.processor.testing.FiniteDifferences;
import dev.e3j.processor.testing.GeneratedKernels;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.TensorProductKernel;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Properties e3nn guarantees, on specs beyond the reference data (all eight modes, l up to 5, mixed parities,
 * every normalization, per-sample and shared weights, channel-last forwards, tensor squares): equivariance under
 * random rotations with and without inversion, and every gradient against central finite differences (exact up to
 * rounding, as the product is linear in each input).
 */
class KernelPropertiesTest {

    private static final List<String> KERNELS = List.of("AllModes", "FullyConnected", "WeightedSquare", "Square",
            "Elementwise", "Full", "Channelwise", "SharedChannelLast", "WideChannelLast", "WeightsFirst",
            "ManyChannels", "PairedChannels");
    private static GeneratedKernels kernels;

    @BeforeAll
    static void compile() {
        kernels = GeneratedKernels.compile("props.Specs", """
                package props;

                import dev.e3j.annotations.IrrepNormalization;
                import dev.e3j.annotations.Path;
                import dev.e3j.annotations.PathNormalization;
                import dev.e3j.annotations.TensorProduct;
                import dev.e3j.annotations.TensorProduct.Kind;
                import dev.e3j.runtime.TensorProductKernel;

                interface Specs {
                    @TensorProduct(in1 = "2x0e+2x1o+1x3e+2x5o", in2 = "2x1o+2x2e+2x4o",
                        out = "3x2e+2x4o+3x0e+2x5e+4x3o+1x1e+3x1e", kind = Kind.CUSTOM, sharedWeights = false,
                        irrepNormalization = IrrepNormalization.NORM, pathNormalization = PathNormalization.PATH,
                        paths = {
                            @Path(in1 = 1, in2 = 0, out = 0, mode = "uvw"),
                            @Path(in1 = 3, in2 = 1, out = 1, mode = "uvu", pathWeight = "1/3"),
                            @Path(in1 = 0, in2 = 2, out = 1, mode = "uvv", pathWeight = "0.25"),
                            @Path(in1 = 1, in2 = 0, out = 2, mode = "uuw"),
                            @Path(in1 = 3, in2 = 2, out = 3, mode = "uuu", weighted = false),
                            @Path(in1 = 1, in2 = 1, out = 4, mode = "uvuv", weighted = false),
                            @Path(in1 = 1, in2 = 0, out = 5, mode = "uvu<v", weighted = false),
                            @Path(in1 = 3, in2 = 2, out = 6, mode = "u<vw"),
                            @Path(in1 = 2, in2 = 1, out = 6, mode = "uvw")})
                    interface AllModes extends TensorProductKernel {}

                    @TensorProduct(in1 = "2x0e+1x1o+1x2e+1x5e", in2 = "1x1e+1x3o+1x5o", out = "2x1o+1x2o+1x3e+1x4e+2x0o",
                        irrepNormalization = IrrepNormalization.COMPONENT, pathNormalization = PathNormalization.NONE)
                    interface FullyConnected extends TensorProductKernel {}

                    @TensorProduct(in1 = "2x1o+1x2e", out = "2x0e+1x2e+1x1e", kind = Kind.SQUARE,
                        irrepNormalization = IrrepNormalization.NORM)
                    interface WeightedSquare extends TensorProductKernel {}

                    @TensorProduct(in1 = "3x1e+1x2o", kind = Kind.SQUARE)
                    interface Square extends TensorProductKernel {}

                    @TensorProduct(in1 = "2x1o+1x4e", in2 = "1x2e+2x3o", kind = Kind.ELEMENTWISE)
                    interface Elementwise extends TensorProductKernel {}

                    @TensorProduct(in1 = "2x1o+1x2e", in2 = "1x3o+1x0o", out = "1e+2o+3e", kind = Kind.FULL)
                    interface Full extends TensorProductKernel {}

                    @TensorProduct(in1 = "3x0e+2x1o+2x2o", in2 = "0e+1o+2e", out = "3x0e+2x1o+2x2o+2x1e+2x2e",
                        kind = Kind.CHANNELWISE, sharedWeights = false)
                    interface Channelwise extends TensorProductKernel {}

                    // 16 channels: the channel-last forward (TensorProductPlan.MIN_MUL_IR_FORWARD_CHANNELS)
                    @TensorProduct(in1 = "16x0e+16x1o", in2 = "0e+1o", out = "16x0e+16x1o+16x1e", kind = Kind.CUSTOM,
                        paths = {
                            @Path(in1 = 0, in2 = 0, out = 0, mode = "uvu"),
                            @Path(in1 = 1, in2 = 1, out = 0, mode = "uvu", weighted = false),
                            @Path(in1 = 0, in2 = 1, out = 1, mode = "uvu"),
                            @Path(in1 = 1, in2 = 1, out = 2, mode = "uvu")})
                    interface SharedChannelLast extends TensorProductKernel {}

                    // enough components that the transposing copies are split into several methods
                    @TensorProduct(in1 = "2x0e+2x0o+2x1e+2x1o+2x2e+2x2o+2x3e+2x3o+2x4e+2x4o+2x5e+2x5o+2x6e+2x6o+2x7e+2x7o+2x8e+2x8o+2x9e+2x9o+2x10e+2x10o+2x11e+2x11o+2x12e+2x12o",
                        in2 = "0e+1o", out = "2x0e+2x0o+2x1e+2x1o+2x2e+2x2o+2x3e+2x3o+2x4e+2x4o+2x5e+2x5o+2x6e+2x6o+2x7e+2x7o+2x8e+2x8o+2x9e+2x9o+2x10e+2x10o+2x11e+2x11o+2x12e+2x12o",
                        kind = Kind.CHANNELWISE, sharedWeights = false)
                    interface WideChannelLast extends TensorProductKernel {}

                    // one x2 channel: uvw forwards that contract the weights with x1 first, in one pass or several (3x1o -> 5x1o)
                    @TensorProduct(in1 = "5x0e+3x1o+2x2e+1x3o", in2 = "0e+1o+2e", out = "5x1o+2x0e+3x2e+2x1e+1x3o",
                        sharedWeights = false)
                    interface WeightsFirst extends TensorProductKernel {}

                    // channel-last with loops of 70 channels (beyond one vector's multiple) and of 3
                    @TensorProduct(in1 = "70x0e+70x1o+3x2e", in2 = "0e+1o+2e", out = "70x0e+70x1o+70x2e+3x1o+3x2e",
                        kind = Kind.CHANNELWISE, sharedWeights = false)
                    interface ManyChannels extends TensorProductKernel {}

                    // uvw forwards that take the input channels two at a time, odd multiplicities leaving one alone
                    @TensorProduct(in1 = "3x1o+5x2e", in2 = "2x1o+1x0e", out = "4x1e+3x2e+2x0e+2x3o",
                        sharedWeights = false)
                    interface PairedChannels extends TensorProductKernel {}
                }
                """);
    }

    private static TensorProductKernel kernel(String name) {
        return kernels.tensorProduct("props.Specs_" + name + "Impl");
    }

    private static boolean isSquare(String name) {
        return name.endsWith("Square");
    }

    private static int weightLength(TensorProductKernel kernel, int batch) {
        return kernel.sharedWeights() ? kernel.weightNumel() : batch * kernel.weightNumel();
    }

    /** {@code x} of {@code batch} samples of {@code irreps}, each multiplied by the representation matrix {@code d}. */
    static double[] rotate(Irreps irreps, double[][] d, double[] x, int batch) {
        int dim = irreps.dim();
        double[] result = new double[x.length];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < dim; i++) {
                double sum = 0;
                for (int j = 0; j < dim; j++) {
                    sum += d[i][j] * x[b * dim + j];
                }
                result[b * dim + i] = sum;
            }
        }
        return result;
    }

    @Test
    void equivariantUnderRotationsAndInversion() {
        Random random = new Random(7);
        int batch = 2;
        for (String name : KERNELS) {
            TensorProductKernel kernel = kernel(name);
            boolean square = isSquare(name);
            for (int trial = 0; trial < 4; trial++) {
                double alpha = random.nextDouble() * 2 * Math.PI;
                double beta = random.nextDouble() * Math.PI;
                double gamma = random.nextDouble() * 2 * Math.PI;
                int k = trial % 2;
                double[] x1 = FiniteDifferences.gaussian(random, batch * kernel.irrepsIn1().dim());
                double[] x2 = square ? x1 : FiniteDifferences.gaussian(random, batch * kernel.irrepsIn2().dim());
                double[] weights = FiniteDifferences.gaussian(random, weightLength(kernel, batch));
                double[] out = new double[batch * kernel.irrepsOut().dim()];
                kernel.forward(batch, x1, x2, weights, out);
                double[] rotated1 = rotate(kernel.irrepsIn1(), kernel.irrepsIn1().wignerD(alpha, beta, gamma, k), x1,
                        batch);
                double[] rotated2 = square ? rotated1
                        : rotate(kernel.irrepsIn2(), kernel.irrepsIn2().wignerD(alpha, beta, gamma, k), x2, batch);
                double[] rotatedOut = new double[out.length];
                kernel.forward(batch, rotated1, rotated2, weights, rotatedOut);
                double[] expected = rotate(kernel.irrepsOut(), kernel.irrepsOut().wignerD(alpha, beta, gamma, k), out,
                        batch);
                ReferenceTensorProductTest.assertClose(expected, rotatedOut, 1e-10, name + " trial " + trial);
            }
        }
    }

    @Test
    void gradientsMatchCentralFiniteDifferences() {
        Random random = new Random(11);
        int batch = 2;
        double h = 1e-3;
        for (String name : KERNELS) {
            TensorProductKernel kernel = kernel(name);
            boolean square = isSquare(name);
            double[] x1 = FiniteDifferences.gaussian(random, batch * kernel.irrepsIn1().dim());
            double[] x2 = square ? x1 : FiniteDifferences.gaussian(random, batch * kernel.irrepsIn2().dim());
            double[] weights = FiniteDifferences.gaussian(random, weightLength(kernel, batch));
            double[] gradOut = FiniteDifferences.gaussian(random, batch * kernel.irrepsOut().dim());
            double[] gradX1 = new double[x1.length];
            double[] gradX2 = square ? null : new double[x2.length];
            double[] gradWeights = new double[weights.length];
            kernel.backward(batch, x1, x2, weights, gradOut, gradX1, gradX2, gradWeights);
            // <gradOut, out> is quadratic at most, so the central difference is exact up to rounding.
            DoubleSupplier objective = () -> objective(kernel, batch, x1, x2, weights, gradOut);
            FiniteDifferences.assertGradient(name + " gradX1", x1, gradX1, h, 1e-7, objective);
            if (!square) {
                FiniteDifferences.assertGradient(name + " gradX2", x2, gradX2, h, 1e-7, objective);
            }
            FiniteDifferences.assertGradient(name + " gradWeights", weights, gradWeights, h, 1e-7, objective);
        }
    }

    private static double objective(TensorProductKernel kernel, int batch, double[] x1, double[] x2,
                                    double[] weights, double[] gradOut) {
        double[] out = new double[gradOut.length];
        kernel.forward(batch, x1, x2, weights, out);
        return FiniteDifferences.dot(out, gradOut);
    }

    /** All gradients at once (one fused pass per path) equal each gradient asked for alone (separate passes). */
    @Test
    void fusedBackwardEqualsEachGradientAlone() {
        Random random = new Random(5);
        int batch = 3;
        for (String name : KERNELS) {
            TensorProductKernel kernel = kernel(name);
            boolean square = isSquare(name);
            double[] x1 = FiniteDifferences.gaussian(random, batch * kernel.irrepsIn1().dim());
            double[] x2 = square ? x1 : FiniteDifferences.gaussian(random, batch * kernel.irrepsIn2().dim());
            double[] weights = FiniteDifferences.gaussian(random, weightLength(kernel, batch));
            double[] gradOut = FiniteDifferences.gaussian(random, batch * kernel.irrepsOut().dim());
            // Garbage in the gradients: backward overwrites them.
            double[] gradX1 = FiniteDifferences.gaussian(random, x1.length);
            double[] gradX2 = square ? null : FiniteDifferences.gaussian(random, x2.length);
            double[] gradWeights = FiniteDifferences.gaussian(random, weights.length);
            kernel.backward(batch, x1, x2, weights, gradOut, gradX1, gradX2, gradWeights);
            double[] aloneX1 = new double[x1.length];
            kernel.backward(batch, x1, x2, weights, gradOut, aloneX1, null, null);
            ReferenceTensorProductTest.assertClose(aloneX1, gradX1, 1e-12, name + " gradX1");
            if (!square) {
                double[] aloneX2 = new double[x2.length];
                kernel.backward(batch, x1, x2, weights, gradOut, null, aloneX2, null);
                ReferenceTensorProductTest.assertClose(aloneX2, gradX2, 1e-12, name + " gradX2");
            }
            if (kernel.weightNumel() > 0) {
                double[] aloneWeights = new double[weights.length];
                kernel.backward(batch, x1, x2, weights, gradOut, null, null, aloneWeights);
                ReferenceTensorProductTest.assertClose(aloneWeights, gradWeights, 1e-12, name + " gradWeights");
                // Both input gradients without the weights' (forces): their own fused pass, the same sums.
                double[] inputsX1 = FiniteDifferences.gaussian(random, x1.length);
                double[] inputsX2 = square ? null : FiniteDifferences.gaussian(random, x2.length);
                kernel.backward(batch, x1, x2, weights, gradOut, inputsX1, inputsX2, null);
                assertArrayEquals(gradX1, inputsX1, name + " gradX1 without gradWeights");
                if (!square) {
                    assertArrayEquals(gradX2, inputsX2, name + " gradX2 without gradWeights");
                    // x2 held fixed (a fused pass with scratch where that is cheaper, else one pass each)
                    double[] heldX1 = FiniteDifferences.gaussian(random, x1.length);
                    double[] heldWeights = FiniteDifferences.gaussian(random, weights.length);
                    kernel.backward(batch, x1, x2, weights, gradOut, heldX1, null, heldWeights);
                    ReferenceTensorProductTest.assertClose(gradX1, heldX1, 1e-12, name + " gradX1 without gradX2");
                    ReferenceTensorProductTest.assertClose(gradWeights, heldWeights, 1e-12,
                            name + " gradWeights without gradX2");
                }
            }
        }
    }

    @Test
    void outputsAreOverwrittenAndNullGradientsSkipped() {
        TensorProductKernel kernel = kernel("FullyConnected");
        Random random = new Random(3);
        double[] x1 = FiniteDifferences.gaussian(random, kernel.irrepsIn1().dim());
        double[] x2 = FiniteDifferences.gaussian(random, kernel.irrepsIn2().dim());
        double[] weights = FiniteDifferences.gaussian(random, kernel.weightNumel());
        double[] first = new double[kernel.irrepsOut().dim()];
        kernel.forward(1, x1, x2, weights, first);
        double[] garbage = FiniteDifferences.gaussian(random, first.length);
        kernel.forward(1, x1, x2, weights, garbage);
        assertEquals(Arrays.toString(first), Arrays.toString(garbage));
        double[] gradWeights = FiniteDifferences.gaussian(random, kernel.weightNumel());
        double[] expected = new double[kernel.weightNumel()];
        kernel.backward(1, x1, x2, weights, first, null, null, expected);
        kernel.backward(1, x1, x2, weights, first, null, null, gradWeights);
        assertEquals(Arrays.toString(expected), Arrays.toString(gradWeights));
    }

    @Test
    void wrongLengthsNameTheArgumentAndBothSizes() {
        TensorProductKernel kernel = kernel("AllModes");
        int dim1 = kernel.irrepsIn1().dim();
        double[] x2 = new double[2 * kernel.irrepsIn2().dim()];
        double[] weights = new double[2 * kernel.weightNumel()];
        double[] out = new double[2 * kernel.irrepsOut().dim()];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> kernel.forward(2, new double[2 * dim1 - 1], x2, weights, out));
        assertEquals("Specs_AllModesImpl.forward: x1 must have length " + 2 * dim1 + " (batch 2 x " + dim1
                + "), got " + (2 * dim1 - 1), e.getMessage());
        IllegalArgumentException w = assertThrows(IllegalArgumentException.class,
                () -> kernel.forward(2, new double[2 * dim1], x2, new double[3], out));
        assertTrue(w.getMessage().startsWith("Specs_AllModesImpl.forward: weights must have length " + 2 * kernel.weightNumel()), w.getMessage());
        IllegalArgumentException b = assertThrows(IllegalArgumentException.class,
                () -> kernel.forward(-1, new double[0], new double[0], new double[0], new double[0]));
        assertEquals("Specs_AllModesImpl.forward: batch must be >= 0, got -1", b.getMessage());
    }

    @Test
    void unweightedKernelsCheckTheWeightGradientAsTheyCheckTheWeights() {
        for (String name : List.of("Square", "Elementwise", "Full")) {
            TensorProductKernel kernel = kernel(name);
            assertEquals(0, kernel.weightNumel(), name);
            double[] x1 = new double[kernel.irrepsIn1().dim()];
            double[] x2 = name.equals("Square") ? null : new double[kernel.irrepsIn2().dim()];
            double[] gradOut = new double[kernel.irrepsOut().dim()];
            kernel.backward(1, x1, x2, null, gradOut, null, null, new double[0]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> kernel.backward(1, x1, x2, null, gradOut, null, null, new double[2]), name);
            assertEquals("Specs_" + name + "Impl.backward: gradWeights must have length 0, got 2", e.getMessage(),
                    name);
        }
    }
}
