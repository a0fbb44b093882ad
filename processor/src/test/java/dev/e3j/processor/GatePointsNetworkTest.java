package dev.e3j.processor;

import static dev.e3j.processor.testing.FiniteDifferences.dot;
import static dev.e3j.processor.testing.FiniteDifferences.gaussian;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.processor.testing.FiniteDifferences;
import dev.e3j.processor.testing.GeneratedKernels;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.io.StateDict;
import dev.e3j.runtime.io.Tensor;
import dev.e3j.runtime.model.GatePoints;
import dev.e3j.runtime.model.PointsModel;
import dev.e3j.runtime.testing.Equivariance.Argument;
import dev.e3j.runtime.testing.Equivariance;
import dev.e3j.testsupport.Closeness;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A {@code @GatePointsNetwork} of a configuration no reference covers (node inputs up to l = 2, two-species
 * attributes, hidden and output irreps up to l = 3 of both parities, two radial layers), with random parameters:
 * rotation, inversion and translation equivariance, and every gradient against finite differences.
 */
class GatePointsNetworkTest {

    private static final String SPEC = """
            package test;

            import dev.e3j.annotations.CgConvention;
            import dev.e3j.annotations.GatePointsNetwork;
            import dev.e3j.annotations.Layout;
            import dev.e3j.runtime.model.PointsModel;

            public interface Specs {
                @GatePointsNetwork(irrepsIn = "2x0e+1x1o+1x2e", irrepsHidden = "6x0e+4x0o+3x1o+3x1e+2x2e+2x2o+1x3o+1x3e",
                        irrepsOut = "1x0e+1x0o+1x1o+1x2e+1x3o", irrepsNodeAttr = "2x0e", irrepsEdgeAttr = "0e+1o+2e+3o",
                        layers = 2, maxRadius = 1.8, numberOfBasis = 6, radialLayers = 2, radialNeurons = 8,
                        numNeighbors = 3.0, numNodes = 6.0)
                interface Reduced extends PointsModel {}

                @GatePointsNetwork(irrepsHidden = "4x0e+2x1o+2x2e", irrepsOut = "1x1o+1x1e",
                        irrepsEdgeAttr = "0e+1o+2e", layers = 1, maxRadius = 1.8, numberOfBasis = 5, radialLayers = 1,
                        radialNeurons = 8, numNeighbors = 3.0, numNodes = 6.0, reduceOutput = false)
                interface PerNode extends PointsModel {}

                // The first self-connection has no path (1o x 0e reaches no entry of 6x0e+2x1e): e3nn's outputs zeros.
                @GatePointsNetwork(irrepsIn = "1x1o", irrepsHidden = "4x0e+2x1e", irrepsOut = "1x0e+1x1o",
                        irrepsEdgeAttr = "0e+1o", layers = 1, maxRadius = 1.8, numberOfBasis = 4, radialLayers = 1,
                        radialNeurons = 6, numNeighbors = 3.0, numNodes = 6.0)
                interface NoSelfConnection extends PointsModel {}

                // 1o x 2e -> 2o, 2e x 1o -> 2o: triples e3nn 0.4.4 signs otherwise than 0.5
                @GatePointsNetwork(irrepsIn = "1x0e+1x1o", irrepsHidden = "4x0e+2x1o+2x2o", irrepsOut = "1x0e+1x2o",
                        irrepsEdgeAttr = "0e+1o+2e", layers = 1, maxRadius = 1.8, numberOfBasis = 4, radialLayers = 1,
                        radialNeurons = 6, numNeighbors = 3.0, numNodes = 6.0, cgConvention = CgConvention.E3NN_0_4)
                interface Signs044 extends PointsModel {}

                @GatePointsNetwork(irrepsIn = "1x0e+1x1o", irrepsHidden = "4x0e+2x1o+2x2o", irrepsOut = "1x0e+1x2o",
                        irrepsEdgeAttr = "0e+1o+2e", layers = 1, maxRadius = 1.8, numberOfBasis = 4, radialLayers = 1,
                        radialNeurons = 6, numNeighbors = 3.0, numNodes = 6.0)
                interface Signs05 extends PointsModel {}

                // Channel-last twins (<name>IrMul) of Reduced, PerNode and of two networks whose irreps lay out
                // otherwise in ir_mul than in mul_ir wherever the engine could take a concatenation for a merge: node
                // inputs, attributes, edge attributes and outputs of several channels of l > 0; hidden irreps that
                // repeat apart (2x1o ... 2x1o: the gate's sorted input merges them into one 4x1o block); the edge
                // product's sorted, unmerged irreps_mid (2x1o+2x1o+...), lin2's input and the sc + lin2 sum.
                @GatePointsNetwork(irrepsIn = "2x0e+1x1o+1x2e", irrepsHidden = "6x0e+4x0o+3x1o+3x1e+2x2e+2x2o+1x3o+1x3e",
                        irrepsOut = "1x0e+1x0o+1x1o+1x2e+1x3o", irrepsNodeAttr = "2x0e", irrepsEdgeAttr = "0e+1o+2e+3o",
                        layers = 2, maxRadius = 1.8, numberOfBasis = 6, radialLayers = 2, radialNeurons = 8,
                        numNeighbors = 3.0, numNodes = 6.0, layout = Layout.IR_MUL)
                interface ReducedIrMul extends PointsModel {}

                @GatePointsNetwork(irrepsHidden = "4x0e+2x1o+2x2e", irrepsOut = "1x1o+1x1e",
                        irrepsEdgeAttr = "0e+1o+2e", layers = 1, maxRadius = 1.8, numberOfBasis = 5, radialLayers = 1,
                        radialNeurons = 8, numNeighbors = 3.0, numNodes = 6.0, reduceOutput = false,
                        layout = Layout.IR_MUL)
                interface PerNodeIrMul extends PointsModel {}

                @GatePointsNetwork(irrepsIn = "2x0e+2x1o+2x2e", irrepsHidden = "4x0e+2x0o+2x1o+2x1e+2x1o+2x2e+2x3o",
                        irrepsOut = "2x0e+2x1o+2x2e", irrepsNodeAttr = "1x0e+2x1o", irrepsEdgeAttr = "0e+2x1o+2e",
                        layers = 3, maxRadius = 1.8, numberOfBasis = 5, radialLayers = 1, radialNeurons = 6,
                        numNeighbors = 3.0, numNodes = 6.0)
                interface Repeated extends PointsModel {}

                @GatePointsNetwork(irrepsIn = "2x0e+2x1o+2x2e", irrepsHidden = "4x0e+2x0o+2x1o+2x1e+2x1o+2x2e+2x3o",
                        irrepsOut = "2x0e+2x1o+2x2e", irrepsNodeAttr = "1x0e+2x1o", irrepsEdgeAttr = "0e+2x1o+2e",
                        layers = 3, maxRadius = 1.8, numberOfBasis = 5, radialLayers = 1, radialNeurons = 6,
                        numNeighbors = 3.0, numNodes = 6.0, layout = Layout.IR_MUL)
                interface RepeatedIrMul extends PointsModel {}

                @GatePointsNetwork(irrepsHidden = "6x0e+3x1e+3x1o+2x2o+2x3e", irrepsOut = "3x1o+2x2e",
                        irrepsEdgeAttr = "0e+1o+2e+3o", layers = 2, maxRadius = 1.8, numberOfBasis = 4,
                        radialLayers = 2, radialNeurons = 6, numNeighbors = 3.0, numNodes = 6.0,
                        reduceOutput = false)
                interface Plain extends PointsModel {}

                @GatePointsNetwork(irrepsHidden = "6x0e+3x1e+3x1o+2x2o+2x3e", irrepsOut = "3x1o+2x2e",
                        irrepsEdgeAttr = "0e+1o+2e+3o", layers = 2, maxRadius = 1.8, numberOfBasis = 4,
                        radialLayers = 2, radialNeurons = 6, numNeighbors = 3.0, numNodes = 6.0,
                        reduceOutput = false, layout = Layout.IR_MUL)
                interface PlainIrMul extends PointsModel {}
            }
            """;

    private static GeneratedKernels generated;

    @BeforeAll
    static void compile() {
        generated = GeneratedKernels.compile(Map.of("test.Specs", SPEC));
    }

    /** The generated model {@code test.Specs_<name>Impl} with random parameters, and its architecture. */
    private static PointsModel model(String name, long seed) throws ReflectiveOperationException {
        Class<?> impl = generated.loadClass("test.Specs_" + name + "Impl");
        GatePoints architecture = (GatePoints) impl.getMethod("architecture", Map.class).invoke(null, Map.of());
        double[] params = architecture.initialParameters(new Random(seed));
        return (PointsModel) impl.getConstructor(double[].class).newInstance((Object) params);
    }

    /** Two clouds of {@code perGraph} points in a 2.4-wide box: some pairs within the radius, some not. */
    private static double[] positions(int perGraph, Random random) {
        double[] pos = new double[2 * perGraph * 3];
        for (int i = 0; i < pos.length; i++) {
            pos[i] = 2.4 * random.nextDouble();
        }
        return pos;
    }

    private static int[] twoGraphs(int perGraph) {
        int[] batch = new int[2 * perGraph];
        for (int n = perGraph; n < batch.length; n++) {
            batch[n] = 1;
        }
        return batch;
    }

    @Test
    void equivariantUnderRotationInversionAndTranslation() throws Exception {
        for (String name : List.of("Reduced", "PerNode", "NoSelfConnection", "Signs044")) {
            PointsModel model = model(name, 7);
            int perGraph = 6;
            int numNodes = 2 * perGraph;
            int[] batch = twoGraphs(perGraph);
            Random random = new Random(11);
            Irreps in = model.irrepsIn();
            Irreps attr = model.irrepsNodeAttr();
            double[][] args = {positions(perGraph, random), gaussian(random, numNodes * in.dim()),
                gaussian(random, numNodes * attr.dim())};
            Equivariance.Report report = Equivariance.assertEquivariant((rows, inputs) -> {
                double[] x = model.hasNodeInput() ? inputs[1] : null;
                double[] z = model.hasNodeAttributes() ? inputs[2] : null;
                double[] out = model.forward(rows, inputs[0], batch, x, z);
                if (!model.reduceOutput()) {
                    return new double[][] {out};
                }
                // One row per node, its graph's output, so that the rows match the batch of nodes.
                int dim = model.irrepsOut().dim();
                double[] perNode = new double[rows * dim];
                for (int n = 0; n < rows; n++) {
                    System.arraycopy(out, batch[n] * dim, perNode, n * dim, dim);
                }
                return new double[][] {perNode};
            }, List.of(Argument.cartesianPoints(), Argument.irreps(in), Argument.irreps(attr)),
                    List.of(Argument.irreps(model.irrepsOut())), args, numNodes, true, 1e-12, random);
            assertTrue(report.maxError() <= 1e-12, report.toString());
        }
    }

    @Test
    void gradientsEqualFiniteDifferences() throws Exception {
        for (String name : List.of("Reduced", "PerNode", "NoSelfConnection")) {
            PointsModel model = model(name, 3);
            int perGraph = 5;
            int numNodes = 2 * perGraph;
            int[] batch = twoGraphs(perGraph);
            Random random = new Random(5);
            double[] pos = positions(perGraph, random);
            double[] x = model.hasNodeInput() ? gaussian(random, numNodes * model.irrepsIn().dim()) : null;
            double[] z = model.hasNodeAttributes() ? gaussian(random, numNodes * model.irrepsNodeAttr().dim()) : null;
            double[] out = model.forward(numNodes, pos, batch, x, z);
            double[] gradOut = gaussian(random, out.length);
            double[] gradPos = new double[pos.length];
            double[] gradX = x == null ? null : new double[x.length];
            double[] gradZ = z == null ? null : new double[z.length];
            model.backward(numNodes, pos, batch, x, z, gradOut, gradPos, gradX, gradZ);

            assertFiniteDifferences(name + " d/dpos", pos, gradPos,
                    () -> dot(gradOut, model.forward(numNodes, pos, batch, x, z)));
            if (x != null) {
                assertFiniteDifferences(name + " d/dx", x, gradX,
                        () -> dot(gradOut, model.forward(numNodes, pos, batch, x, z)));
            }
            if (z != null) {
                assertFiniteDifferences(name + " d/dz", z, gradZ,
                        () -> dot(gradOut, model.forward(numNodes, pos, batch, x, z)));
            }
        }
    }

    @Test
    void parameterGradientEqualsFiniteDifferences() throws Exception {
        Class<?> impl = generated.loadClass("test.Specs_ReducedImpl");
        GatePoints network = (GatePoints) impl.getMethod("architecture", Map.class).invoke(null, Map.of());
        double[] params = network.initialParameters(new Random(2));
        int perGraph = 5;
        int numNodes = 2 * perGraph;
        int[] batch = twoGraphs(perGraph);
        Random random = new Random(9);
        double[] pos = positions(perGraph, random);
        double[] x = gaussian(random, numNodes * network.irrepsIn().dim());
        double[] z = gaussian(random, numNodes * network.irrepsNodeAttr().dim());
        double[] gradOut = gaussian(random, 2 * network.irrepsOut().dim());
        double[] gradParams = new double[params.length];
        network.backward(numNodes, pos, batch, x, z, params, gradOut, null, null, null, gradParams);
        assertFiniteDifferences("d/dparams", params, gradParams,
                () -> dot(gradOut, network.forward(numNodes, pos, batch, x, z, params)));
    }

    @Test
    void stateDictProblemsAreAllListedInOneMessage() throws Exception {
        Class<?> impl = generated.loadClass("test.Specs_PerNodeImpl");
        GatePoints network = (GatePoints) impl.getMethod("architecture", Map.class).invoke(null, Map.of());
        double[] params = network.initialParameters(new Random(1));
        PointsModel model = (PointsModel) impl.getConstructor(double[].class).newInstance((Object) params);
        assertEquals(network.parameterCount(), params.length);

        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("layers.0.first.sc.weight", Tensor.ofDoubles(new long[] {3}, new double[3]));
        tensors.put("layers.0.first.fc.layer0.weight", Tensor.ofDoubles(new long[] {5, 8}, new double[40]));
        tensors.put("layers.0.first.sc.output_mask", Tensor.ofDoubles(new long[] {1}, new double[1]));
        tensors.put("layers.9.extra", Tensor.ofDoubles(new long[] {2}, new double[2]));
        StateDict broken = StateDict.of(tensors);
        var thrown = assertThrows(java.lang.reflect.InvocationTargetException.class,
                () -> impl.getConstructor(StateDict.class).newInstance(broken));
        String message = thrown.getCause().getMessage();
        assertTrue(thrown.getCause() instanceof IllegalArgumentException, message);
        for (String expected : List.of("missing", "layers.0.first.lin1.weight", "layers.1.lin2.weight",
                "mismatched", "layers.0.first.sc.weight: expected shape", "layers.0.first.sc.output_mask",
                "unexpected", "layers.9.extra")) {
            assertTrue(message.contains(expected), () -> "no \"" + expected + "\" in: " + message);
        }
        assertEquals(0, model.forward(0, new double[0], new int[0], null, null).length);
    }

    @Test
    void badArgumentsNameTheArgument() throws Exception {
        PointsModel model = model("Reduced", 1);
        int[] batch = {0, 0, 1};
        double[] pos = new double[9];
        double[] x = new double[3 * model.irrepsIn().dim()];
        double[] z = new double[3 * model.irrepsNodeAttr().dim()];
        assertMessage("pos: expected length 9", () -> model.forward(3, new double[8], batch, x, z));
        assertMessage("batch[1]: expected a graph index >= 1", () -> model.forward(3, pos, new int[] {1, 0, 1}, x, z));
        assertMessage("x: expected length", () -> model.forward(3, pos, batch, new double[1], z));
        assertMessage("z is null", () -> model.forward(3, pos, batch, x, null));
        assertMessage("pos[1][0]: expected a finite coordinate, got NaN",
                () -> model.forward(3, new double[] {0, 0, 0, Double.NaN, 0, 0, 0, 0, 0}, batch, x, z));
        assertMessage("gradOut: expected length", () -> model.backward(3, pos, batch, x, z, new double[1],
                new double[9], null, null));
        PointsModel perNode = model("PerNode", 1);
        assertMessage("x: expected null", () -> perNode.forward(3, pos, batch, new double[3], null));
    }

    /**
     * The model's {@code cgConvention} reaches every nested {@code @TensorProduct} it generates (and their audit
     * files), and changes what the model computes from the same parameters.
     */
    @Test
    void cgConventionReachesEveryNestedProduct() throws Exception {
        String source044 = generated.generatedSource("test/Specs_Signs044Impl.java");
        long products = source044.lines().filter(line -> line.contains("@TensorProduct(")).count();
        assertEquals(4 * 2, products, source044);
        assertEquals(products, source044.lines()
                .filter(line -> line.contains("cgConvention = CgConvention.E3NN_0_4")).count(), source044);
        assertFalse(generated.generatedSource("test/Specs_Signs05Impl.java").contains("cgConvention"));
        String edgeAudit = generated.generatedResource(
                "META-INF/e3j/test.Specs_Signs044Impl_Layer0EdgeProductImpl.json");
        assertTrue(edgeAudit.contains("\"cg_convention\": \"E3NN_0_4\""), edgeAudit);
        assertTrue(generated.generatedResource("META-INF/e3j/test.Specs_Signs044Impl.json")
                .contains("\"cg_convention\": \"E3NN_0_4\""));

        PointsModel signs044 = model("Signs044", 4);
        PointsModel signs05 = model("Signs05", 4);
        int perGraph = 5;
        Random random = new Random(8);
        double[] pos = positions(perGraph, random);
        double[] x = gaussian(random, 2 * perGraph * signs05.irrepsIn().dim());
        double[] out044 = signs044.forward(2 * perGraph, pos, twoGraphs(perGraph), x, null);
        double[] out05 = signs05.forward(2 * perGraph, pos, twoGraphs(perGraph), x, null);
        double difference = 0;
        for (int i = 0; i < out05.length; i++) {
            difference = Math.max(difference, Math.abs(out044[i] - out05[i]));
        }
        assertTrue(difference > 1e-3, "the conventions compute the same: " + Arrays.toString(out05));
    }

    /**
     * A channel-last network computes what its {@code mul_ir} twin computes from the same parameters, to 1e-12
     * relative: outputs, d/dpos, d/dx, d/dz, the parameter gradient, and the training primitive's parameter gradient
     * (the tangents and second derivatives of the gates and radial MLPs).
     */
    @ParameterizedTest
    @ValueSource(strings = {"Reduced", "PerNode", "Repeated", "Plain"})
    void channelLastEqualsMulIr(String name) throws Exception {
        GatePoints mulIr = architecture(name);
        GatePoints irMul = architecture(name + "IrMul");
        assertFalse(mulIr.channelLast());
        assertTrue(irMul.channelLast());
        assertEquals(mulIr.parameterCount(), irMul.parameterCount());
        assertTrue(generated.generatedSource("test/Specs_" + name + "IrMulImpl.java")
                .contains("layout = Layout.IR_MUL"));
        assertFalse(generated.generatedSource("test/Specs_" + name + "Impl.java").contains("layout ="));
        Random random = new Random(31);
        double[] params = mulIr.initialParameters(random);
        int perGraph = 6;
        int numNodes = 2 * perGraph;
        int[] batch = twoGraphs(perGraph);
        double[] pos = positions(perGraph, random);
        double[] x = mulIr.hasNodeInput() ? gaussian(random, numNodes * mulIr.irrepsIn().dim()) : null;
        double[] z = mulIr.hasNodeAttributes() ? gaussian(random, numNodes * mulIr.irrepsNodeAttr().dim()) : null;
        double[] out = mulIr.forward(numNodes, pos, batch, x, z, params);
        assertClose(name + " outputs", out, irMul.forward(numNodes, pos, batch, x, z, params));
        assertClose(name + " node outputs", mulIr.nodeOutputs(numNodes, pos, batch, x, z, params),
                irMul.nodeOutputs(numNodes, pos, batch, x, z, params));

        double[] gradOut = gaussian(random, out.length);
        double[][] expected = gradients(mulIr, numNodes, pos, batch, x, z, params, gradOut);
        double[][] actual = gradients(irMul, numNodes, pos, batch, x, z, params, gradOut);
        List<String> names = List.of("d/dpos", "d/dx", "d/dz", "d/dparams");
        for (int k = 0; k < names.size(); k++) {
            if (expected[k] != null) {
                assertClose(name + " " + names.get(k), expected[k], actual[k]);
            }
        }

        double[] outCotangent = gaussian(random, out.length);
        double[] gradPosCotangent = gaussian(random, pos.length);
        double[] expectedPrimitive = new double[params.length];
        mulIr.parameterGradient(numNodes, pos, batch, x, z, params, outCotangent, gradOut, gradPosCotangent,
                expectedPrimitive);
        double[] actualPrimitive = new double[params.length];
        irMul.parameterGradient(numNodes, pos, batch, x, z, params, outCotangent, gradOut, gradPosCotangent,
                actualPrimitive);
        assertClose(name + " d primitive / d params", expectedPrimitive, actualPrimitive);
    }

    private static GatePoints architecture(String name) throws ReflectiveOperationException {
        return (GatePoints) generated.loadClass("test.Specs_" + name + "Impl").getMethod("architecture", Map.class)
                .invoke(null, Map.of());
    }

    /** d/dpos, d/dx, d/dz ({@code null} without them) and d/dparams of {@code sum(gradOut * out)}. */
    private static double[][] gradients(GatePoints network, int numNodes, double[] pos, int[] batch, double[] x,
                                        double[] z, double[] params, double[] gradOut) {
        double[][] gradients = {new double[pos.length], x == null ? null : new double[x.length],
            z == null ? null : new double[z.length], new double[params.length]};
        network.backward(numNodes, pos, batch, x, z, params, gradOut, gradients[0], gradients[1], gradients[2],
                gradients[3]);
        return gradients;
    }

    /** Equal to 1e-12 of the largest expected value, which must not be zero. */
    private static void assertClose(String what, double[] expected, double[] actual) {
        Closeness.assertCloseToScale(what, expected, actual, 1e-12);
    }

    private static void assertMessage(String expected, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().contains(expected), () -> "no \"" + expected + "\" in: " + e.getMessage());
    }

    /** Central differences of {@code f} in every coordinate of {@code at}, which the gradient must depend on. */
    private static void assertFiniteDifferences(String what, double[] at, double[] grad, DoubleSupplier f) {
        assertTrue(Arrays.stream(grad).anyMatch(g -> g != 0), what + ": the output does not depend on these inputs");
        FiniteDifferences.assertGradient(what, at, grad, 1e-6, 1e-6, f);
    }
}
