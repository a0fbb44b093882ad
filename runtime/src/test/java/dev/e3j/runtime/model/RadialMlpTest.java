package dev.e3j.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.e3j.runtime.math.Normalize2Mom;
import dev.e3j.runtime.nn.FullyConnectedNet;
import dev.e3j.runtime.nn.ScalarFunction;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The block-wise radial MLP of the MACE engine gives {@link FullyConnectedNet}'s values and input gradients bit for
 * bit, on any block of rows, for widths that do and do not fill its four-row passes, with hidden layers narrower
 * than the output and with none.
 */
class RadialMlpTest {

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void blocksEqualFullyConnectedNetBitForBit(boolean hidden) {
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

        RadialMlp mlp = new RadialMlp(net, act, params);
        RadialMlp.Trace trace = mlp.trace(batch);
        int[][] blocks = {{5, 11}, {0, 4}, {4, 5}};
        for (int[] block : blocks) {
            int from = block[0];
            int to = block[1];
            double[] output = mlp.forward(trace, Arrays.copyOfRange(x, from * 8, to * 8), from, to);
            assertArrayEquals(Arrays.copyOfRange(expected, from * 13, to * 13), output,
                    "output of rows " + from + ".." + to);
        }
        for (int[] block : blocks) {
            int from = block[0];
            int to = block[1];
            assertArrayEquals(Arrays.copyOfRange(expected, from * 13, to * 13), trace.output(from, to, 13),
                    "kept output of rows " + from + ".." + to);
            double[] gradX = new double[(to - from) * 8];
            mlp.backward(trace, from, to, Arrays.copyOfRange(gradOut, from * 13, to * 13), gradX);
            assertArrayEquals(Arrays.copyOfRange(expectedGradX, from * 8, to * 8), gradX,
                    "input gradient of rows " + from + ".." + to);
        }
    }
}
