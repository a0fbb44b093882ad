package dev.e3j.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.runtime.math.Normalize2Mom;
import dev.e3j.runtime.nn.FullyConnectedNet;
import dev.e3j.runtime.nn.ScalarFunction;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The block-wise radial MLP of the MACE engine gives {@link FullyConnectedNet}'s values and input gradients (to a few
 * units in the last place: it fuses each product into its sum), the same bits on any block of rows, for widths that
 * do and do not fill its four-row and two-output passes, with hidden layers narrower than the output and with none,
 * and for blocks wider than one pass of its columns; in float32 it agrees with them to float32's precision.
 */
class RadialMlpTest {

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void blocksAgreeWithFullyConnectedNet(boolean hidden) {
        ScalarFunction act = Normalize2Mom.of(ScalarFunction.SILU);
        FullyConnectedNet net = new FullyConnectedNet(hidden ? new int[] {8, 32, 7, 13} : new int[] {8, 13}, act);
        Random random = new Random(5);
        double[] params = random.doubles(net.parameterCount(), -1, 1).toArray();
        int batch = 11;
        double[] x = random.doubles(batch * 8L, -2, 2).toArray();
        double[] gradOut = random.doubles(batch * 13L, -1, 1).toArray();
        double[] expected = new double[batch * 13];
        net.forward(batch, x, params, expected);
        double[] expectedGradX = new double[batch * 8];
        net.backward(batch, x, params, gradOut, expectedGradX, null);

        RadialMlp<double[]> mlp = new RadialMlp<>(Numbers.FLOAT64, net, act, params);
        RadialMlp<double[]>.Trace trace = mlp.trace(batch);
        int[][] blocks = {{5, 11}, {0, 4}, {4, 5}};
        for (int[] block : blocks) {
            int from = block[0];
            int to = block[1];
            double[] output = mlp.forward(trace, Arrays.copyOfRange(x, from * 8, to * 8), from, to);
            assertAgree(Arrays.copyOfRange(expected, from * 13, to * 13), output, "output of rows " + from + ".." + to);
        }
        for (int[] block : blocks) {
            int from = block[0];
            int to = block[1];
            assertAgree(Arrays.copyOfRange(expected, from * 13, to * 13), trace.output(from, to),
                    "kept output of rows " + from + ".." + to);
            double[] gradX = new double[(to - from) * 8];
            mlp.backward(trace, from, to, Arrays.copyOfRange(gradOut, from * 13, to * 13), gradX);
            assertAgree(Arrays.copyOfRange(expectedGradX, from * 8, to * 8), gradX,
                    "input gradient of rows " + from + ".." + to);
        }
    }

    /**
     * A row's values and input gradient are the same bits in any block: one block of 600 rows (more than one pass of
     * {@link Numbers#COLUMNS} columns) against blocks of 1, 7 and the rest.
     */
    @Test
    void aRowHasTheSameBitsInAnyBlock() {
        ScalarFunction act = Normalize2Mom.of(ScalarFunction.SILU);
        FullyConnectedNet net = new FullyConnectedNet(new int[] {10, 12, 9, 21}, act);
        Random random = new Random(8);
        double[] params = random.doubles(net.parameterCount(), -1, 1).toArray();
        int rows = 600;
        double[] x = random.doubles(rows * 10L, -2, 2).toArray();
        double[] gradOut = random.doubles(rows * 21L, -1, 1).toArray();
        RadialMlp<double[]> mlp = new RadialMlp<>(Numbers.FLOAT64, net, act, params);
        RadialMlp<double[]>.Trace whole = mlp.trace(rows);
        double[] output = mlp.forward(whole, x, 0, rows);
        double[] gradX = new double[rows * 10];
        mlp.backward(whole, 0, rows, gradOut, gradX);
        RadialMlp<double[]>.Trace pieces = mlp.trace(rows);
        int[] bounds = {0, 1, 8, rows};
        for (int i = 0; i + 1 < bounds.length; i++) {
            int from = bounds[i];
            int to = bounds[i + 1];
            double[] part = mlp.forward(pieces, Arrays.copyOfRange(x, from * 10, to * 10), from, to);
            assertArrayEquals(Arrays.copyOfRange(output, from * 21, to * 21), part, "rows " + from + ".." + to);
            double[] partGradX = new double[(to - from) * 10];
            mlp.backward(pieces, from, to, Arrays.copyOfRange(gradOut, from * 21, to * 21), partGradX);
            assertArrayEquals(Arrays.copyOfRange(gradX, from * 10, to * 10), partGradX,
                    "input gradient of rows " + from + ".." + to);
        }
        double[] expected = new double[rows * 21];
        net.forward(rows, x, params, expected);
        assertAgree(expected, output, "output");
    }

    /** Blocks wider than {@link Numbers#COLUMNS} run in passes as even as they can be, none wider than that. */
    @Test
    void passesAreEvenAndAtMostColumnsWide() {
        assertEquals(0, Numbers.passWidth(0));
        assertEquals(1, Numbers.passWidth(1));
        assertEquals(Numbers.COLUMNS, Numbers.passWidth(Numbers.COLUMNS));
        assertEquals(135, Numbers.passWidth(270));
        assertEquals(200, Numbers.passWidth(600));
        for (int count = 1; count < 2000; count++) {
            int width = Numbers.passWidth(count);
            int passes = (count + width - 1) / width;
            assertTrue(width <= Numbers.COLUMNS && count - (passes - 1) * width > width - passes,
                    count + " columns in passes of " + width);
        }
    }

    /** {@link #aRowHasTheSameBitsInAnyBlock} in float32 (its own loops, written where they run). */
    @Test
    void aFloat32RowHasTheSameBitsInAnyBlock() {
        ScalarFunction act = Normalize2Mom.of(ScalarFunction.SILU);
        FullyConnectedNet net = new FullyConnectedNet(new int[] {10, 12, 9, 21}, act);
        Random random = new Random(9);
        double[] params = random.doubles(net.parameterCount(), -1, 1).toArray();
        int rows = 600;
        float[] x = Numbers.FLOAT32.round(random.doubles(rows * 10L, -2, 2).toArray(), 0, rows * 10);
        float[] gradOut = Numbers.FLOAT32.round(random.doubles(rows * 21L, -1, 1).toArray(), 0, rows * 21);
        RadialMlp<float[]> mlp = new RadialMlp<>(Numbers.FLOAT32, net, act, params);
        RadialMlp<float[]>.Trace whole = mlp.trace(rows);
        float[] output = mlp.forward(whole, x, 0, rows);
        float[] gradX = new float[rows * 10];
        mlp.backward(whole, 0, rows, gradOut, gradX);
        RadialMlp<float[]>.Trace pieces = mlp.trace(rows);
        int[] bounds = {0, 1, 8, rows};
        for (int i = 0; i + 1 < bounds.length; i++) {
            int from = bounds[i];
            int to = bounds[i + 1];
            float[] part = mlp.forward(pieces, Arrays.copyOfRange(x, from * 10, to * 10), from, to);
            assertArrayEquals(Arrays.copyOfRange(output, from * 21, to * 21), part, "rows " + from + ".." + to);
            float[] partGradX = new float[(to - from) * 10];
            mlp.backward(pieces, from, to, Arrays.copyOfRange(gradOut, from * 21, to * 21), partGradX);
            assertArrayEquals(Arrays.copyOfRange(gradX, from * 10, to * 10), partGradX,
                    "input gradient of rows " + from + ".." + to);
        }
    }

    /** Each value within 1e-14 of the largest magnitude: sums of a few dozen terms, rounded per term or fused. */
    private static void assertAgree(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        double largest = Arrays.stream(expected).map(Math::abs).max().orElse(0);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-14 * largest, what + " " + i);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void float32AgreesWithFullyConnectedNetToFloatPrecision(boolean hidden) {
        ScalarFunction act = Normalize2Mom.of(ScalarFunction.SILU);
        FullyConnectedNet net = new FullyConnectedNet(hidden ? new int[] {8, 32, 7, 13} : new int[] {8, 13}, act);
        Random random = new Random(6);
        double[] params = random.doubles(net.parameterCount(), -1, 1).toArray();
        int batch = 9;
        double[] x = random.doubles(batch * 8L, -2, 2).toArray();
        double[] gradOut = random.doubles(batch * 13L, -1, 1).toArray();
        double[] expected = new double[batch * 13];
        net.forward(batch, x, params, expected);
        double[] expectedGradX = new double[batch * 8];
        net.backward(batch, x, params, gradOut, expectedGradX, null);

        RadialMlp<float[]> mlp = new RadialMlp<>(Numbers.FLOAT32, net, act, params);
        RadialMlp<float[]>.Trace trace = mlp.trace(batch);
        float[] output = mlp.forward(trace, Numbers.FLOAT32.round(x, 0, x.length), 0, batch);
        float[] gradX = new float[batch * 8];
        mlp.backward(trace, 0, batch, Numbers.FLOAT32.round(gradOut, 0, gradOut.length), gradX);
        assertClose(expected, output, "output");
        assertClose(expectedGradX, gradX, "input gradient");
    }

    /** Each value within 1e-5 of the largest magnitude: a few float32 roundings of sums of a few dozen terms. */
    private static void assertClose(double[] expected, float[] actual, String what) {
        double largest = Arrays.stream(expected).map(Math::abs).max().orElse(0);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-5 * largest, what + " " + i);
        }
    }

    /** The backward pass of rows that no forward block started at is an error, not a silent zero gradient. */
    @Test
    void backwardOfRowsTheForwardPassDidNotRunIsAnError() {
        ScalarFunction act = Normalize2Mom.of(ScalarFunction.SILU);
        FullyConnectedNet net = new FullyConnectedNet(new int[] {8, 16, 5}, act);
        double[] params = new Random(7).doubles(net.parameterCount(), -1, 1).toArray();
        RadialMlp<double[]> mlp = new RadialMlp<>(Numbers.FLOAT64, net, act, params);
        RadialMlp<double[]>.Trace trace = mlp.trace(6);
        mlp.forward(trace, new double[3 * 8], 0, 3);
        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> mlp.backward(trace, 3, 6, new double[3 * 5], new double[3 * 8]));
        assertEquals("no block of the forward pass starts at row 3 (rows 3..6)", error.getMessage());
    }

    /** The training passes of a block of rows are the network's with the MLP's weights, which the MLP copies. */
    @Test
    void trainingPassesAreTheNetworksWithItsWeights() {
        ScalarFunction act = Normalize2Mom.of(ScalarFunction.SILU);
        FullyConnectedNet net = new FullyConnectedNet(new int[] {8, 16, 5}, act);
        Random random = new Random(6);
        double[] params = random.doubles(net.parameterCount(), -1, 1).toArray();
        int rows = 7;
        double[] x = random.doubles(rows * 8L, -2, 2).toArray();
        double[] gradOut = random.doubles(rows * 5L, -1, 1).toArray();
        double[] ggX = random.doubles(rows * 8L, -1, 1).toArray();
        double[] ggParams = random.doubles(net.parameterCount(), -1, 1).toArray();
        double[] weights = params.clone();
        RadialMlp<double[]> mlp = new RadialMlp<>(Numbers.FLOAT64, net, act, params);
        Arrays.fill(params, 0.0);
        double[][] expected = {new double[x.length], new double[weights.length], new double[gradOut.length]};
        double[][] actual = {new double[x.length], new double[weights.length], new double[gradOut.length]};
        net.backward(rows, x, weights, gradOut, expected[0], expected[1]);
        mlp.backward(rows, x, gradOut, actual[0], actual[1]);
        assertArrayEquals(expected[0], actual[0], "gradX");
        assertArrayEquals(expected[1], actual[1], "gradParams");
        net.doubleBackward(rows, x, weights, gradOut, ggX, ggParams, expected[0], expected[1], expected[2]);
        mlp.doubleBackward(rows, x, gradOut, ggX, ggParams, actual[0], actual[1], actual[2]);
        assertArrayEquals(expected[0], actual[0], "gX");
        assertArrayEquals(expected[1], actual[1], "gParams");
        assertArrayEquals(expected[2], actual[2], "gGradOut");
        net.jvp(rows, x, weights, ggX, null, expected[2]);
        mlp.jvp(rows, x, ggX, actual[2]);
        assertArrayEquals(expected[2], actual[2], "jvp");
    }
}
