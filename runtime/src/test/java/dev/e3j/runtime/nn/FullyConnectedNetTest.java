package dev.e3j.runtime.nn;

import static dev.e3j.runtime.nn.GradientCheck.assertGradient;
import static dev.e3j.runtime.nn.GradientCheck.dot;
import static dev.e3j.runtime.nn.GradientCheck.gaussian;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class FullyConnectedNetTest {

    @Test
    void forwardFollowsE3nnScaling() {
        // hs = [2, 3, 1]: h = φ(x W0 / sqrt 2), out = h W1 / sqrt 3, φ = c tanh.
        FullyConnectedNet net = new FullyConnectedNet(new int[] {2, 3, 1}, ScalarFunction.TANH);
        assertEquals(9, net.parameterCount());
        double[] w = {0.1, -0.2, 0.3, 0.4, 0.5, -0.6, 1.0, 2.0, -3.0};
        double[] x = {0.7, -1.1};
        double[] out = new double[1];
        net.forward(1, x, w, out);
        double c = Normalize2Mom.of(ScalarFunction.TANH).constant();
        double expected = 0;
        for (int j = 0; j < 3; j++) {
            double pre = (x[0] * w[j] + x[1] * w[3 + j]) / Math.sqrt(2);
            expected += c * Math.tanh(pre) * w[6 + j];
        }
        assertEquals(expected / Math.sqrt(3), out[0], 1e-15);
    }

    @Test
    void varianceOptionsAndOutputActivation() {
        FullyConnectedNet net = new FullyConnectedNet(new int[] {1, 1}, ScalarFunction.RELU, 4.0, 9.0, true);
        double[] out = new double[1];
        net.forward(1, new double[] {2.0}, new double[] {3.0}, out);
        // φ(x W / sqrt(h var_in)) sqrt(var_out) = sqrt 2 relu(2 * 3 / 2) * 3.
        assertEquals(Math.sqrt(2) * 3 * 3, out[0], 1e-14);
        FullyConnectedNet linear = new FullyConnectedNet(new int[] {1, 1}, null, 4.0, 9.0, false);
        linear.forward(1, new double[] {2.0}, new double[] {3.0}, out);
        assertEquals(2 * 3 / Math.sqrt(4.0 / 9.0), out[0], 1e-14);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        FullyConnectedNet net = new FullyConnectedNet(new int[] {3, 5, 4, 2}, ScalarFunction.SILU);
        Random random = new Random(10);
        int batch = 4;
        double[] params = net.initialParameters(random);
        double[] x = gaussian(random, batch * 3);
        double[] gradOut = gaussian(random, batch * 2);
        double[] gradX = new double[x.length];
        double[] gradParams = new double[params.length];
        net.backward(batch, x, params, gradOut, gradX, gradParams);
        assertGradient("x", p -> loss(net, batch, p, params, gradOut), x, gradX);
        assertGradient("params", p -> loss(net, batch, x, p, gradOut), params, gradParams);
    }

    private static double loss(FullyConnectedNet net, int batch, double[] x, double[] params, double[] gradOut) {
        double[] out = new double[gradOut.length];
        net.forward(batch, x, params, out);
        return dot(out, gradOut);
    }

    @Test
    void rejectsBadSizes() {
        FullyConnectedNet net = new FullyConnectedNet(new int[] {3, 4}, ScalarFunction.SILU);
        IllegalArgumentException params = assertThrows(IllegalArgumentException.class,
                () -> net.forward(1, new double[3], new double[11], new double[4]));
        assertEquals("params: expected length 12, got 11", params.getMessage());
        IllegalArgumentException hs = assertThrows(IllegalArgumentException.class,
                () -> new FullyConnectedNet(new int[] {3}, null));
        assertEquals("hs: expected at least 2 sizes (input and output), got [3]", hs.getMessage());
    }
}
