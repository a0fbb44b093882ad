package dev.e3j.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.e3j.runtime.math.Normalize2Mom;
import dev.e3j.runtime.nn.FullyConnectedNet;
import dev.e3j.runtime.nn.RadialEmbedding;
import dev.e3j.runtime.nn.ScalarFunction;
import dev.e3j.testsupport.ReferenceData;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * MACE's radial embedding and radial MLP, values and first and second derivatives, against torch.autograd
 * ({@code create_graph=True}) on mace-torch 0.3.6 with e3nn 0.4.4 ({@code reference/mace-0.3.6/
 * radial_second_derivatives.json}, {@code tools/make_mace_radial_reference.py}), to 1e-10.
 */
class MaceRadialSecondDerivativeTest {

    private static final double TOLERANCE = 1e-10;

    private static final Map<String, Object> REFERENCE = ReferenceData.object(ReferenceData.load(
            ReferenceData.directory().getParent().resolve("mace-0.3.6/radial_second_derivatives.json")));

    private static List<Map<String, Object>> cases(String name) {
        return ReferenceData.asList(REFERENCE.get(name)).stream().map(ReferenceData::object).toList();
    }

    private static double[] doubles(Map<String, Object> c, String key) {
        return ReferenceData.asDoubles(c.get(key));
    }

    private static void assertClose(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], TOLERANCE * Math.max(1, Math.abs(expected[i])), what + "[" + i + "]");
        }
    }

    @Test
    void besselEmbeddingWithPolynomialCutoff() {
        for (Map<String, Object> c : cases("radial_embedding")) {
            RadialEmbedding embedding = new RadialEmbedding((Double) c.get("r_max"),
                    ReferenceData.asInt(c.get("num_bessel")), ReferenceData.asInt(c.get("num_polynomial_cutoff")));
            String what = "r_max " + c.get("r_max") + ", p " + c.get("num_polynomial_cutoff");
            double[] weights = doubles(c, "bessel_weights");
            assertClose(weights, embedding.initialBesselWeights(), what + " bessel_weights");
            double[] lengths = doubles(c, "lengths");
            int size = lengths.length * embedding.numBessel();
            double[][] actual = new double[3][size];
            embedding.forward(lengths.length, lengths, weights, actual[0], actual[1], actual[2]);
            assertClose(doubles(c, "out"), actual[0], what + " out");
            assertClose(doubles(c, "d_out"), actual[1], what + " d_out");
            assertClose(doubles(c, "d2_out"), actual[2], what + " d2_out");
        }
    }

    @Test
    void radialMlp() {
        for (Map<String, Object> c : cases("radial_mlp")) {
            int[] hs = ReferenceData.asInts(c.get("hs")).stream().mapToInt(Integer::intValue).toArray();
            ScalarFunction act = Normalize2Mom.withConstant(ScalarFunction.SILU, (Double) c.get("constant"));
            FullyConnectedNet net = new FullyConnectedNet(hs, act);
            double[] weights = doubles(c, "weights");
            RadialMlp<double[]> mlp = new RadialMlp<>(Numbers.FLOAT64, net, act, weights);
            String what = net.toString();
            int rows = ReferenceData.asInt(c.get("batch"));
            double[] x = doubles(c, "x");
            double[] gradOut = doubles(c, "grad_out");
            double[] ggX = doubles(c, "gg_x");
            RadialMlp<double[]>.Trace trace = mlp.trace(rows);
            assertClose(doubles(c, "out"), mlp.forward(trace, x, 0, rows), what + " out");
            double[] gradX = new double[x.length];
            double[] gradWeights = new double[weights.length];
            mlp.backward(rows, x, gradOut, gradX, gradWeights);
            assertClose(doubles(c, "grad_x"), gradX, what + " grad_x");
            assertClose(doubles(c, "grad_weights"), gradWeights, what + " grad_weights");
            double[] gX = new double[x.length];
            double[] gWeights = new double[weights.length];
            double[] gGradOut = new double[gradOut.length];
            mlp.doubleBackward(rows, x, gradOut, ggX, doubles(c, "gg_weights"), gX, gWeights, gGradOut);
            assertClose(doubles(c, "g_x"), gX, what + " g_x");
            assertClose(doubles(c, "g_weights"), gWeights, what + " g_weights");
            assertClose(doubles(c, "g_grad_out"), gGradOut, what + " g_grad_out");
            double[] jvp = new double[gradOut.length];
            mlp.jvp(rows, x, ggX, jvp);
            assertClose(doubles(c, "jvp"), jvp, what + " jvp");
        }
    }
}
