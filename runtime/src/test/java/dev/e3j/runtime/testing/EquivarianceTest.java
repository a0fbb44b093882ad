package dev.e3j.runtime.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.graph.RadiusGraph;
import dev.e3j.runtime.graph.Scatter;
import dev.e3j.runtime.nn.BatchNorm;
import dev.e3j.runtime.nn.Gate;
import dev.e3j.runtime.nn.GradientCheck;
import dev.e3j.runtime.nn.NormActivation;
import dev.e3j.runtime.nn.ScalarFunction;
import dev.e3j.runtime.testing.Equivariance.Argument;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EquivarianceTest {

    @Test
    void gateWithHigherDegreesIsEquivariant() {
        Gate gate = new Gate(Irreps.parse("4x0e+2x0o"), List.of(ScalarFunction.SILU, ScalarFunction.TANH),
                Irreps.parse("3x0e+2x0o"), List.of(ScalarFunction.SIGMOID, ScalarFunction.ABS),
                Irreps.parse("2x1o+1x2e+2x3o"));
        Equivariance.Report report = Equivariance.assertEquivariant(
                (batch, x) -> {
                    double[] out = new double[batch * gate.irrepsOut().dim()];
                    gate.forward(batch, x[0], out);
                    return new double[][] {out};
                },
                List.of(Argument.irreps(gate.irrepsIn())), List.of(Argument.irreps(gate.irrepsOut())), false,
                new Random(13));
        assertEquals(2, report.cases().size());
        assertTrue(report.maxError() < 1e-12, report.toString());
    }

    @Test
    void normActivationAndEvaluationBatchNormAreEquivariant() {
        Irreps irreps = Irreps.parse("2x0e+1x0o+2x1o+2x2e+1x3o");
        NormActivation norm = new NormActivation(irreps, ScalarFunction.SIGMOID, true, null, true);
        double[] biases = GradientCheck.gaussian(new Random(14), norm.biasNumel());
        Equivariance.assertEquivariant((batch, x) -> {
            double[] out = new double[x[0].length];
            norm.forward(batch, x[0], biases, out);
            return new double[][] {out};
        }, List.of(Argument.irreps(irreps)), List.of(Argument.irreps(irreps)), false, new Random(15));

        BatchNorm bn = new BatchNorm(irreps);
        bn.setTraining(false);
        bn.setRunningStatistics(new double[] {0.3, -0.2}, new double[] {1, 2, 3, 4, 5, 6, 7, 8});
        double[] weight = GradientCheck.gaussian(new Random(16), bn.weightNumel());
        double[] bias = GradientCheck.gaussian(new Random(17), bn.biasNumel());
        Equivariance.assertEquivariant((batch, x) -> {
            double[] out = new double[x[0].length];
            bn.forward(batch, x[0], weight, bias, out);
            return new double[][] {out};
        }, List.of(Argument.irreps(irreps)), List.of(Argument.irreps(irreps)), false, new Random(18));
    }

    @Test
    void wrongParityFailsOnlyWithInversionAndTheReportSaysSo() {
        AssertionError error = assertThrows(AssertionError.class, () -> Equivariance.assertEquivariant(
                (batch, x) -> new double[][] {x[0].clone()},
                List.of(Argument.irreps("2x1o")), List.of(Argument.irreps("2x1e")), false, new Random(19)));
        String message = error.getMessage();
        assertTrue(message.startsWith("not equivariant: largest error"), message);
        assertTrue(message.contains("parity_k=1") && message.contains("out[0] 2x1e"), message);
        Equivariance.Report report = Equivariance.equivarianceError((batch, x) -> new double[][] {x[0].clone()},
                List.of(Argument.irreps("2x1o")), List.of(Argument.irreps("2x1e")), null, 2, false, new Random(19));
        assertTrue(report.cases().get(0).maxError() < 1e-14, report.toString());
        assertTrue(report.cases().get(1).maxError() > 0.1, report.toString());
    }

    @Test
    void nonEquivariantFunctionFailsForRotations() {
        // Reading one Cartesian component as a scalar is not rotation invariant.
        AssertionError error = assertThrows(AssertionError.class, () -> Equivariance.assertEquivariant(
                (batch, x) -> {
                    double[] out = new double[batch];
                    for (int b = 0; b < batch; b++) {
                        out[b] = x[0][3 * b];
                    }
                    return new double[][] {out};
                },
                List.of(Argument.irreps("1o")), List.of(Argument.irreps("0e")), false, new Random(20)));
        assertTrue(error.getMessage().contains("parity_k=0"), error.getMessage());
    }

    @Test
    void pointCloudFunctionsWithTranslations() {
        // Net edge vector at each node of a radius graph: a translation-invariant vector field of the points.
        int nodes = 6;
        Equivariance.IrrepsFunction field = (batch, x) -> {
            RadiusGraph graph = RadiusGraph.build(batch, x[0], 1.8);
            double[] out = new double[batch * 3];
            Scatter.scatterSum(batch, 3, graph.edgeVec(), graph.dst(), out);
            return new double[][] {out};
        };
        double[][] args = {GradientCheck.gaussian(new Random(21), nodes * 3)};
        Equivariance.Report report = Equivariance.assertEquivariant(field, List.of(Argument.cartesianPoints()),
                List.of(Argument.cartesianVectors()), args, nodes, true, 1e-12, new Random(22));
        assertEquals(4, report.cases().size());

        // Returning the points as vectors is rotation equivariant but not under translation.
        AssertionError error = assertThrows(AssertionError.class, () -> Equivariance.assertEquivariant(
                (batch, x) -> new double[][] {x[0].clone()}, List.of(Argument.cartesianPoints()),
                List.of(Argument.cartesianVectors()), args, nodes, true, 1e-10, new Random(23)));
        assertTrue(error.getMessage().contains("translated=true"), error.getMessage());
        Equivariance.Report untranslated = Equivariance.assertEquivariant((batch, x) -> new double[][] {x[0].clone()},
                List.of(Argument.cartesianPoints()), List.of(Argument.cartesianVectors()), args, nodes, false, 1e-12,
                new Random(23));
        assertEquals(2, untranslated.cases().size());
    }

    @Test
    void rejectsBadArguments() {
        IllegalArgumentException args = assertThrows(IllegalArgumentException.class,
                () -> Equivariance.equivarianceError((batch, x) -> x, List.of(Argument.irreps("1o")),
                        List.of(Argument.irreps("1o")), new double[][] {new double[5]}, 2, false, new Random(1)));
        assertEquals("Equivariance.equivarianceError: args[0] must have length 6 (batch 2 × 3), got 5",
                args.getMessage());
        IllegalArgumentException results = assertThrows(IllegalArgumentException.class,
                () -> Equivariance.equivarianceError((batch, x) -> new double[0][], List.of(Argument.irreps("1o")),
                        List.of(Argument.irreps("1o")), null, 2, false, new Random(1)));
        assertEquals("Equivariance.equivarianceError: f must return 1 results (one per output), got 0",
                results.getMessage());
    }
}
