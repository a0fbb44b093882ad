package dev.e3j.processor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.e3j.processor.testing.GeneratedKernels;
import dev.e3j.runtime.TensorProductKernel;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Generated kernels split the batch into parallel blocks; a sample's results must not depend on that split, and a
 * shared-weight gradient must be the same bits on every call.
 */
class BatchBlocksKernelTest {

    /** Large enough for several blocks of both kernels (each sample here is under 100 doubles). */
    private static final int BATCH = 3001;

    private static GeneratedKernels kernels;

    @BeforeAll
    static void compile() {
        kernels = GeneratedKernels.compile("blocks.Specs", """
                package blocks;

                import dev.e3j.annotations.TensorProduct;
                import dev.e3j.annotations.TensorProduct.Kind;
                import dev.e3j.runtime.TensorProductKernel;

                interface Specs {
                    @TensorProduct(in1 = "2x0e+1x1o+1x2e", in2 = "1x1e+1x2o", out = "2x1o+1x2o+2x0o")
                    interface Shared extends TensorProductKernel {}

                    @TensorProduct(in1 = "3x0e+3x1o", in2 = "0e+1o", out = "3x0e+3x1o", kind = Kind.CHANNELWISE,
                        sharedWeights = false)
                    interface PerSample extends TensorProductKernel {}

                    // shared weights read by rows; 8 channel pairs also by columns in the fused backward
                    @TensorProduct(in1 = "8x0e+4x1o", in2 = "0e+1o", out = "8x0e+8x1o+2x1e")
                    interface SharedRows extends TensorProductKernel {}
                }
                """);
    }

    @Test
    void everySampleOfABlockedBatchEqualsThatSampleAlone() {
        for (String name : new String[] {"Shared", "PerSample", "SharedRows"}) {
            TensorProductKernel kernel = kernels.tensorProduct("blocks.Specs_" + name + "Impl");
            Batch batch = new Batch(kernel, BATCH);
            double[] out = new double[BATCH * batch.dimOut];
            kernel.forward(BATCH, batch.x1, batch.x2, batch.weights, out);
            double[] gradX1 = new double[batch.x1.length];
            double[] gradX2 = new double[batch.x2.length];
            double[] gradWeights = new double[kernel.sharedWeights() ? kernel.weightNumel() : batch.weights.length];
            kernel.backward(BATCH, batch.x1, batch.x2, batch.weights, batch.gradOut, gradX1, gradX2, gradWeights);
            for (int b = 0; b < BATCH; b += 97) {
                Batch one = batch.sample(b);
                double[] outOne = new double[batch.dimOut];
                kernel.forward(1, one.x1, one.x2, one.weights, outOne);
                assertArrayEquals(outOne, slice(out, b, batch.dimOut), name + " out, sample " + b);
                double[] gradX1One = new double[batch.dim1];
                double[] gradX2One = new double[batch.dim2];
                double[] gradWeightsOne = new double[kernel.weightNumel()];
                kernel.backward(1, one.x1, one.x2, one.weights, one.gradOut, gradX1One, gradX2One, gradWeightsOne);
                assertArrayEquals(gradX1One, slice(gradX1, b, batch.dim1), name + " gradX1, sample " + b);
                assertArrayEquals(gradX2One, slice(gradX2, b, batch.dim2), name + " gradX2, sample " + b);
                if (!kernel.sharedWeights()) {
                    assertArrayEquals(gradWeightsOne, slice(gradWeights, b, kernel.weightNumel()),
                            name + " gradWeights, sample " + b);
                }
            }
        }
    }

    @Test
    void sharedWeightGradientIsTheSumOverSamplesAndBitwiseReproducible() {
        TensorProductKernel kernel = kernels.tensorProduct("blocks.Specs_SharedImpl");
        Batch batch = new Batch(kernel, BATCH);
        double[] first = new double[kernel.weightNumel()];
        double[] second = new double[kernel.weightNumel()];
        kernel.backward(BATCH, batch.x1, batch.x2, batch.weights, batch.gradOut, null, null, first);
        kernel.backward(BATCH, batch.x1, batch.x2, batch.weights, batch.gradOut, null, null, second);
        assertArrayEquals(first, second);
        double[] serial = new double[kernel.weightNumel()];
        double[] one = new double[kernel.weightNumel()];
        for (int b = 0; b < BATCH; b++) {
            Batch sample = batch.sample(b);
            kernel.backward(1, sample.x1, sample.x2, sample.weights, sample.gradOut, null, null, one);
            for (int i = 0; i < one.length; i++) {
                serial[i] += one[i];
            }
        }
        for (int i = 0; i < serial.length; i++) {
            assertEquals(serial[i], first[i], 1e-12 * Math.max(1, Math.abs(serial[i])), "gradWeights[" + i + "]");
        }
    }

    /**
     * The fused backward by weight columns sums the weight gradient into per-block rows, added to the block's partial
     * sums at its end: the same sum over the samples, bit for bit the same from call to call.
     */
    @Test
    void weightGradientRowsSumOverSamplesReproducibly() {
        TensorProductKernel kernel = kernels.tensorProduct("blocks.Specs_SharedRowsImpl");
        Batch batch = new Batch(kernel, BATCH);
        double[][] runs = new double[2][kernel.weightNumel()];
        for (double[] gradWeights : runs) {
            kernel.backward(BATCH, batch.x1, batch.x2, batch.weights, batch.gradOut, new double[batch.x1.length],
                    new double[batch.x2.length], gradWeights);
        }
        assertArrayEquals(runs[0], runs[1]);
        double[] serial = new double[kernel.weightNumel()];
        double[] one = new double[kernel.weightNumel()];
        for (int b = 0; b < BATCH; b++) {
            Batch sample = batch.sample(b);
            kernel.backward(1, sample.x1, sample.x2, sample.weights, sample.gradOut, new double[batch.dim1],
                    new double[batch.dim2], one);
            for (int i = 0; i < one.length; i++) {
                serial[i] += one[i];
            }
        }
        for (int i = 0; i < serial.length; i++) {
            assertEquals(serial[i], runs[0][i], 1e-12 * Math.max(1, Math.abs(serial[i])), "gradWeights[" + i + "]");
        }
    }

    private static double[] slice(double[] values, int sample, int dim) {
        return Arrays.copyOfRange(values, sample * dim, (sample + 1) * dim);
    }

    /** Seeded inputs for {@code count} samples. */
    private static final class Batch {
        final TensorProductKernel kernel;
        final int dim1;
        final int dim2;
        final int dimOut;
        final double[] x1;
        final double[] x2;
        final double[] weights;
        final double[] gradOut;

        Batch(TensorProductKernel kernel, int count) {
            this(kernel, new SplittableRandom(7), count);
        }

        private Batch(TensorProductKernel kernel, SplittableRandom random, int count) {
            this(kernel, uniform(random, count * kernel.irrepsIn1().dim()),
                    uniform(random, count * kernel.irrepsIn2().dim()),
                    uniform(random, (kernel.sharedWeights() ? 1 : count) * kernel.weightNumel()),
                    uniform(random, count * kernel.irrepsOut().dim()));
        }

        private Batch(TensorProductKernel kernel, double[] x1, double[] x2, double[] weights, double[] gradOut) {
            this.kernel = kernel;
            this.dim1 = kernel.irrepsIn1().dim();
            this.dim2 = kernel.irrepsIn2().dim();
            this.dimOut = kernel.irrepsOut().dim();
            this.x1 = x1;
            this.x2 = x2;
            this.weights = weights;
            this.gradOut = gradOut;
        }

        Batch sample(int b) {
            return new Batch(kernel, slice(x1, b, dim1), slice(x2, b, dim2),
                    kernel.sharedWeights() ? weights : slice(weights, b, kernel.weightNumel()),
                    slice(gradOut, b, dimOut));
        }

        private static double[] uniform(SplittableRandom random, int length) {
            return random.doubles(length, -1, 1).toArray();
        }
    }
}
