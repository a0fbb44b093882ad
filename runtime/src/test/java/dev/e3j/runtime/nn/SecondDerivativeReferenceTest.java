package dev.e3j.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.graph.Edges;
import dev.e3j.runtime.math.Normalize2Mom;
import dev.e3j.runtime.math.SoftOneHot;
import dev.e3j.testsupport.ReferenceData;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The second derivatives and tangents of the runtime blocks against torch.autograd ({@code create_graph=True}) on
 * e3nn 0.5.4 ({@code reference/e3nn-0.5.4/second_derivatives.json}, {@code tools/make_second_derivative_reference.py}),
 * with e3nn's Monte-Carlo {@code normalize2mom} constants, to 1e-10.
 */
class SecondDerivativeReferenceTest {

    private static final double TOLERANCE = 1e-10;

    private static final Map<String, ScalarFunction> FUNCTIONS = Map.of("silu", ScalarFunction.SILU, "tanh",
            ScalarFunction.TANH, "sigmoid", ScalarFunction.SIGMOID, "softplus", ScalarFunction.SOFTPLUS, "abs",
            ScalarFunction.ABS, "relu", ScalarFunction.RELU);

    private static final Map<String, Object> REFERENCE = ReferenceData.object(
            ReferenceData.load("second_derivatives.json"));

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

    private static ScalarFunction normalized(Object name, Object constant) {
        return Normalize2Mom.withConstant(FUNCTIONS.get((String) name), (Double) constant);
    }

    @Test
    void normalizedActivations() {
        for (Map<String, Object> c : cases("activations")) {
            ScalarFunction f = normalized(c.get("name"), c.get("constant"));
            double[] x = doubles(c, "x");
            double[][] actual = new double[3][x.length];
            f.values(x, actual[0], 0, x.length);
            f.derivatives(x, actual[1], 0, x.length);
            f.secondDerivatives(x, actual[2], 0, x.length);
            assertClose(doubles(c, "y"), actual[0], c.get("name") + " y");
            assertClose(doubles(c, "dy"), actual[1], c.get("name") + " dy");
            assertClose(doubles(c, "d2y"), actual[2], c.get("name") + " d2y");
        }
    }

    @Test
    void fullyConnectedNet() {
        for (Map<String, Object> c : cases("fully_connected")) {
            int[] hs = ReferenceData.asInts(c.get("hs")).stream().mapToInt(Integer::intValue).toArray();
            ScalarFunction act = c.get("act") == null ? null : normalized(c.get("act"), c.get("constant"));
            FullyConnectedNet net = new FullyConnectedNet(hs, act, (Double) c.get("variance_in"),
                    (Double) c.get("variance_out"), (Boolean) c.get("out_act"));
            String what = net + " " + c.get("act");
            int batch = ReferenceData.asInt(c.get("batch"));
            double[] x = doubles(c, "x");
            double[] weights = doubles(c, "weights");
            double[] gradOut = doubles(c, "grad_out");
            double[] out = new double[gradOut.length];
            net.forward(batch, x, weights, out);
            assertClose(doubles(c, "out"), out, what + " out");
            double[] gradX = new double[x.length];
            double[] gradWeights = new double[weights.length];
            net.backward(batch, x, weights, gradOut, gradX, gradWeights);
            assertClose(doubles(c, "grad_x"), gradX, what + " grad_x");
            assertClose(doubles(c, "grad_weights"), gradWeights, what + " grad_weights");
            double[] gX = new double[x.length];
            double[] gWeights = new double[weights.length];
            double[] gGradOut = new double[gradOut.length];
            net.doubleBackward(batch, x, weights, gradOut, doubles(c, "gg_x"), doubles(c, "gg_weights"), gX,
                    gWeights, gGradOut);
            assertClose(doubles(c, "g_x"), gX, what + " g_x");
            assertClose(doubles(c, "g_weights"), gWeights, what + " g_weights");
            assertClose(doubles(c, "g_grad_out"), gGradOut, what + " g_grad_out");
            double[] jvp = new double[gradOut.length];
            net.jvp(batch, x, weights, doubles(c, "gg_x"), null, jvp);
            assertClose(doubles(c, "jvp"), jvp, what + " jvp");
        }
    }

    @Test
    void gate() {
        for (Map<String, Object> c : cases("gate")) {
            double[] constants = doubles(c, "constants");
            List<ScalarFunction> actScalars = new ArrayList<>();
            List<ScalarFunction> actGates = new ArrayList<>();
            List<Object> scalarNames = ReferenceData.asList(c.get("act_scalars"));
            List<Object> gateNames = ReferenceData.asList(c.get("act_gates"));
            for (int i = 0; i < scalarNames.size(); i++) {
                actScalars.add(normalized(scalarNames.get(i), constants[i]));
            }
            for (int i = 0; i < gateNames.size(); i++) {
                actGates.add(normalized(gateNames.get(i), constants[scalarNames.size() + i]));
            }
            Gate gate = new Gate(Irreps.parse((String) c.get("irreps_scalars")), actScalars,
                    Irreps.parse((String) c.get("irreps_gates")), actGates, Irreps.parse((String) c.get("irreps_gated")));
            String what = gate.toString();
            assertEquals(Irreps.parse((String) c.get("irreps_in")), gate.irrepsIn(), what);
            assertEquals(Irreps.parse((String) c.get("irreps_out")), gate.irrepsOut(), what);
            int batch = ReferenceData.asInt(c.get("batch"));
            double[] x = doubles(c, "x");
            double[] gradOut = doubles(c, "grad_out");
            double[] ggX = doubles(c, "gg_x");
            double[] out = new double[gradOut.length];
            gate.forward(batch, x, out);
            assertClose(doubles(c, "out"), out, what + " out");
            double[] gradX = new double[x.length];
            gate.backward(batch, x, gradOut, gradX);
            assertClose(doubles(c, "grad_x"), gradX, what + " grad_x");
            double[] gX = new double[x.length];
            double[] gGradOut = new double[gradOut.length];
            gate.doubleBackward(batch, x, gradOut, ggX, gX, gGradOut);
            assertClose(doubles(c, "g_x"), gX, what + " g_x");
            assertClose(doubles(c, "g_grad_out"), gGradOut, what + " g_grad_out");
            double[] jvp = new double[gradOut.length];
            gate.jvp(batch, x, ggX, jvp);
            assertClose(doubles(c, "jvp"), jvp, what + " jvp");
        }
    }

    @Test
    void softOneHotLinspace() {
        for (Map<String, Object> c : cases("soft_one_hot_linspace")) {
            SoftOneHot.Basis basis = SoftOneHot.Basis.valueOf(((String) c.get("basis")).toUpperCase(Locale.ROOT));
            boolean cutoff = (Boolean) c.get("cutoff");
            double start = (Double) c.get("start");
            double end = (Double) c.get("end");
            int number = ReferenceData.asInt(c.get("number"));
            double[] x = doubles(c, "x");
            String what = basis + (cutoff ? " with cutoff" : "");
            assertClose(doubles(c, "y"), SoftOneHot.softOneHotLinspace(x, start, end, number, basis, cutoff),
                    what + " y");
            assertClose(doubles(c, "dy"), SoftOneHot.softOneHotLinspaceDerivative(x, start, end, number, basis,
                    cutoff), what + " dy");
            assertClose(doubles(c, "d2y"), SoftOneHot.softOneHotLinspaceSecondDerivative(x, start, end, number,
                    basis, cutoff), what + " d2y");
        }
    }

    @Test
    void smoothCutoff() {
        Map<String, Object> c = ReferenceData.object(REFERENCE.get("smooth_cutoff"));
        double[] x = doubles(c, "x");
        double[][] actual = new double[3][x.length];
        for (int i = 0; i < x.length; i++) {
            actual[0][i] = Edges.smoothCutoff(x[i]);
            actual[1][i] = Edges.smoothCutoffDerivative(x[i]);
            actual[2][i] = Edges.smoothCutoffSecondDerivative(x[i]);
        }
        assertClose(doubles(c, "y"), actual[0], "smooth_cutoff y");
        assertClose(doubles(c, "dy"), actual[1], "smooth_cutoff dy");
        assertClose(doubles(c, "d2y"), actual[2], "smooth_cutoff d2y");
    }
}
