package dev.e3j.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.annotations.Layout;
import dev.e3j.processor.testing.GeneratedKernels;
import dev.e3j.runtime.io.StateDict;
import dev.e3j.runtime.model.ActivationConstants;
import dev.e3j.runtime.model.GatePointsLoss;
import dev.e3j.runtime.model.GatePoints;
import dev.e3j.runtime.model.PointsModel;
import dev.e3j.runtime.optim.Adam;
import dev.e3j.testsupport.ReferenceData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Parameter gradients of losses on energies and forces for {@code @GatePointsNetwork} models
 * ({@link GatePoints#parameterGradient}, {@link GatePointsLoss}): against PyTorch autograd with
 * {@code create_graph=True} on e3nn 0.5.4 ({@code reference/training/gate_points.json}, made by
 * {@code tools/make_gate_points_training_reference.py}) to 1e-9 relative in every entry, against central finite
 * differences on networks the reference does not hold, and in a short training run whose force error falls. The
 * reference networks and {@code Unseen} are generated in both layouts ({@code <name>IrMul}: {@code layout = IR_MUL}).
 */
class GatePointsTrainingTest {

    /** Networks the reference does not hold: node inputs and attributes, three layers, l = 3 edges. */
    private static final String UNSEEN = "package test;\n\n"
            + "import dev.e3j.annotations.GatePointsNetwork;\n"
            + "import dev.e3j.annotations.Layout;\n"
            + "import dev.e3j.runtime.model.PointsModel;\n\n"
            + "@GatePointsNetwork(irrepsIn = \"2x0e+1x1o\", irrepsHidden = \"4x0e+2x0o+2x1o+1x1e+1x2e\",\n"
            + "        irrepsOut = \"1x0e+1x1e\", irrepsNodeAttr = \"2x0e\", irrepsEdgeAttr = \"0e+1o+2e+3o\", layers = 3,\n"
            + "        maxRadius = 1.9, numberOfBasis = 5, radialLayers = 2, radialNeurons = 6, numNeighbors = 3.0,\n"
            + "        numNodes = 5.0, layout = Layout.MUL_IR)\n"
            + "interface Unseen extends PointsModel {}\n";
    private static final String PER_NODE = "package test;\n\n"
            + "import dev.e3j.annotations.GatePointsNetwork;\n"
            + "import dev.e3j.runtime.model.PointsModel;\n\n"
            + "@GatePointsNetwork(irrepsHidden = \"4x0e+2x0o+2x1e+2x1o+1x2o\", irrepsOut = \"1x0o+1x1o+1x2e\",\n"
            + "        irrepsEdgeAttr = \"0e+1o+2e\", layers = 2, maxRadius = 2.0, numberOfBasis = 4, radialLayers = 1,\n"
            + "        radialNeurons = 6, numNeighbors = 3.0, numNodes = 5.0, reduceOutput = false)\n"
            + "interface PerNode extends PointsModel {}\n";
    private static Map<String, Object> reference;
    private static GeneratedKernels generated;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void compile() throws Exception {
        reference = (Map<String, Object>) ReferenceData.parse(Files.readString(trainingDirectory()
                .resolve("gate_points.json")));
        Map<String, String> sources = new LinkedHashMap<>();
        Map<String, Object> configurations = ReferenceData.object(reference.get("configurations"));
        for (String name : configurations.keySet()) {
            Map<String, Object> constructor = ReferenceData.object(ReferenceData.object(configurations.get(name))
                    .get("constructor"));
            for (Layout layout : Layout.values()) {
                sources.put("test." + className(name) + suffix(layout),
                        GatePointsReferenceTest.specSource(constructor, false, layout)
                                .replace("interface Net", "interface " + className(name)));
            }
        }
        sources.put("test.Unseen", UNSEEN);
        sources.put("test.UnseenIrMul", UNSEEN.replace("Layout.MUL_IR", "Layout.IR_MUL")
                .replace("interface Unseen ", "interface UnseenIrMul "));
        sources.put("test.PerNode", PER_NODE);
        generated = GeneratedKernels.compile(sources);
    }

    private static Path trainingDirectory() {
        return ReferenceData.directory().getParent().resolve("training");
    }

    /** {@code gate_points-energy} -> {@code Energy}. */
    private static String className(String configuration) {
        String suffix = configuration.substring(configuration.indexOf('-') + 1);
        return Character.toUpperCase(suffix.charAt(0)) + suffix.substring(1);
    }

    /** The spec's class name suffix for {@code layout}: none for e3nn's, {@code IrMul} for the channel-last one. */
    private static String suffix(Layout layout) {
        return layout == Layout.MUL_IR ? "" : "IrMul";
    }

    private static GatePoints architecture(String spec, Map<String, Double> activationConstants) throws Exception {
        return (GatePoints) generated.loadClass("test." + spec + "Impl").getMethod("architecture", Map.class)
                .invoke(null, activationConstants);
    }

    @ParameterizedTest
    @CsvSource({"gate_points-public, MUL_IR", "gate_points-energy, MUL_IR", "gate_points-public, IR_MUL",
        "gate_points-energy, IR_MUL", "gate_points-deep, MUL_IR", "gate_points-deep, IR_MUL"})
    void lossAndPrimitiveGradientsEqualAutograd(String name, Layout layout) throws Exception {
        Map<String, Object> configuration = ReferenceData.object(ReferenceData.object(reference.get("configurations"))
                .get(name));
        StateDict stateDict = StateDict.read(trainingDirectory().resolve((String) configuration.get("state_dict")));
        GatePoints network = architecture(className(name) + suffix(layout), ActivationConstants.of(stateDict));
        assertEquals(layout == Layout.IR_MUL, network.channelLast());
        double[] params = network.parameters(stateDict);
        int expectedCount = 0;
        for (Object entry : ReferenceData.asList(configuration.get("parameters"))) {
            expectedCount += ReferenceData.asInt(ReferenceData.asList(entry).get(1));
        }
        assertEquals(expectedCount, network.parameterCount(), "parameter count");

        Map<String, Object> inputs = ReferenceData.object(configuration.get("inputs"));
        double[] pos = ReferenceData.asDoubles(inputs.get("pos"));
        int numNodes = pos.length / 3;
        int[] batch = ReferenceData.asInts(inputs.get("batch")).stream().mapToInt(Integer::intValue).toArray();
        double[] z = inputs.get("z") == null ? null : ReferenceData.asDoubles(inputs.get("z"));

        Map<String, Object> loss = ReferenceData.object(configuration.get("loss"));
        GatePointsLoss energyForceLoss = new GatePointsLoss((Double) loss.get("energy_weight"),
                (Double) loss.get("force_weight"));
        double[] gradient = new double[params.length];
        double value = energyForceLoss.evaluate(network, params, numNodes, pos, batch, null, z,
                ReferenceData.asDoubles(loss.get("energies")), ReferenceData.asDoubles(loss.get("forces")), gradient);
        assertEntries("loss", new double[] {(Double) loss.get("value")}, new double[] {value});
        assertEntries("d loss / d params", ReferenceData.asDoubles(loss.get("gradient")), gradient);

        Map<String, Object> primitive = ReferenceData.object(configuration.get("primitive"));
        network.parameterGradient(numNodes, pos, batch, null, z, params, ReferenceData.asDoubles(primitive.get("a")),
                ReferenceData.asDoubles(primitive.get("c")), ReferenceData.asDoubles(primitive.get("v")), gradient);
        assertEntries("d primitive / d params", ReferenceData.asDoubles(primitive.get("gradient")), gradient);
    }

    /** Each entry within 1e-9 of its own size (the worst measured is about 5e-12). */
    private static void assertEntries(String what, double[] expected, double[] actual) {
        assertEquals(expected.length, actual.length, what + " length");
        for (int i = 0; i < expected.length; i++) {
            double error = Math.abs(actual[i] - expected[i]);
            assertTrue(error <= 1e-9 * Math.abs(expected[i]), what + "[" + i + "]: expected " + expected[i]
                    + ", got " + actual[i] + " (error " + error + ")");
        }
    }

    /** A batch of three small clouds, their graph indices and random node inputs and one-hot attributes. */
    private record Batch(int numNodes, double[] pos, int[] batch, double[] x, double[] z) {
        static Batch draw(Random random, int[] graphSizes, double box, int inputDim, int species) {
            int numNodes = 0;
            for (int size : graphSizes) {
                numNodes += size;
            }
            double[] pos = new double[3 * numNodes];
            int[] batch = new int[numNodes];
            for (int g = 0, n = 0; g < graphSizes.length; g++) {
                for (int k = 0; k < graphSizes[g]; k++, n++) {
                    batch[n] = g;
                    for (int c = 0; c < 3; c++) {
                        pos[3 * n + c] = box * random.nextDouble();
                    }
                }
            }
            double[] x = inputDim == 0 ? null : gaussian(random, numNodes * inputDim);
            double[] z = null;
            if (species > 0) {
                z = new double[numNodes * species];
                for (int n = 0; n < numNodes; n++) {
                    z[n * species + random.nextInt(species)] = 1.0;
                }
            }
            return new Batch(numNodes, pos, batch, x, z);
        }
    }

    private static double[] gaussian(Random random, int length) {
        double[] values = new double[length];
        for (int i = 0; i < length; i++) {
            values[i] = random.nextGaussian();
        }
        return values;
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static double[] step(double[] params, double[] direction, double epsilon) {
        double[] moved = params.clone();
        for (int i = 0; i < moved.length; i++) {
            moved[i] += epsilon * direction[i];
        }
        return moved;
    }

    /** The channel-last {@code Unseen} gives the loss and its parameter gradient of e3nn's layout, to 1e-12. */
    @Test
    void lossAndGradientAreTheSameInBothLayouts() throws Exception {
        GatePoints mulIr = architecture("Unseen", Map.of());
        GatePoints irMul = architecture("UnseenIrMul", Map.of());
        Random random = new Random(17);
        Batch data = Batch.draw(random, new int[] {5, 4, 6}, 1.8, mulIr.irrepsIn().dim(), 2);
        double[] params = mulIr.initialParameters(random);
        double[] energies = gaussian(random, 3);
        double[] forces = gaussian(random, 3 * data.numNodes());
        GatePointsLoss loss = new GatePointsLoss(0.5, 2.0);
        double[] expected = new double[params.length];
        double expectedValue = loss.evaluate(mulIr, params, data.numNodes(), data.pos(), data.batch(), data.x(),
                data.z(), energies, forces, expected);
        double[] actual = new double[params.length];
        double actualValue = loss.evaluate(irMul, params, data.numNodes(), data.pos(), data.batch(), data.x(),
                data.z(), energies, forces, actual);
        assertEquals(expectedValue, actualValue, 1e-12 * expectedValue, "loss");
        double scale = Arrays.stream(expected).map(Math::abs).max().orElseThrow();
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-12 * scale, "d loss / d params[" + i + "]");
        }
    }

    @Test
    void lossGradientMatchesFiniteDifferencesOnAnUnseenNetwork() throws Exception {
        GatePoints network = architecture("Unseen", Map.of());
        Random random = new Random(7);
        Batch data = Batch.draw(random, new int[] {5, 4, 6}, 1.8, network.irrepsIn().dim(), 2);
        double[] params = network.initialParameters(random);
        double[] energies = gaussian(random, 3);
        double[] forces = gaussian(random, 3 * data.numNodes());
        GatePointsLoss loss = new GatePointsLoss(0.5, 2.0);
        double[] gradient = new double[params.length];
        loss.evaluate(network, params, data.numNodes(), data.pos(), data.batch(), data.x(), data.z(), energies,
                forces, gradient);
        for (int trial = 0; trial < 3; trial++) {
            double[] direction = gaussian(random, params.length);
            double epsilon = 1e-5;
            double plus = loss.evaluate(network, step(params, direction, epsilon), data.numNodes(), data.pos(),
                    data.batch(), data.x(), data.z(), energies, forces, null);
            double minus = loss.evaluate(network, step(params, direction, -epsilon), data.numNodes(), data.pos(),
                    data.batch(), data.x(), data.z(), energies, forces, null);
            double difference = (plus - minus) / (2 * epsilon);
            double analytic = dot(gradient, direction);
            assertEquals(difference, analytic, 1e-6 * Math.abs(analytic), "direction " + trial);
        }
    }

    /** Per-node outputs of odd and even parity: {@code P = sum(a * out) + sum(v * d sum(c * out) / d pos)}. */
    @Test
    void primitiveGradientMatchesFiniteDifferencesPerNode() throws Exception {
        GatePoints network = architecture("PerNode", Map.of());
        Random random = new Random(11);
        Batch data = Batch.draw(random, new int[] {6, 5}, 1.9, 0, 0);
        double[] params = network.initialParameters(random);
        int outLength = data.numNodes() * network.irrepsOut().dim();
        double[] a = gaussian(random, outLength);
        double[] c = gaussian(random, outLength);
        double[] v = gaussian(random, 3 * data.numNodes());
        double[] gradient = new double[params.length];
        network.parameterGradient(data.numNodes(), data.pos(), data.batch(), null, null, params, a, c, v, gradient);
        for (int trial = 0; trial < 3; trial++) {
            double[] direction = gaussian(random, params.length);
            double epsilon = 1e-5;
            double difference = (primitive(network, data, step(params, direction, epsilon), a, c, v)
                    - primitive(network, data, step(params, direction, -epsilon), a, c, v)) / (2 * epsilon);
            double analytic = dot(gradient, direction);
            assertEquals(difference, analytic, 1e-6 * Math.abs(analytic), "direction " + trial);
        }
    }

    private static double primitive(GatePoints network, Batch data, double[] params, double[] a, double[] c,
                                    double[] v) {
        double[] out = network.forward(data.numNodes(), data.pos(), data.batch(), null, null, params);
        double[] gradPos = new double[data.pos().length];
        network.backward(data.numNodes(), data.pos(), data.batch(), null, null, params, c, gradPos, null, null, null);
        return dot(a, out) + dot(v, gradPos);
    }

    /**
     * Trains {@code gate_points-energy}'s architecture from e3nn's initialization with Adam on the energies and
     * forces of a smooth pair potential ({@code E = sum_{i<j} exp(-r_ij^2)}) over four clusters: the force error must
     * fall by at least half, and the generated model built from the trained parameters must give the same forces.
     */
    @Test
    void trainingOnEnergiesAndForcesLowersTheForceError() throws Exception {
        GatePoints network = architecture("Energy", Map.of());
        Random random = new Random(3);
        Batch data = Batch.draw(random, new int[] {5, 4, 5, 6}, 1.8, 0, 2);
        double[] energies = new double[4];
        double[] forces = new double[data.pos().length];
        pairPotential(data, energies, forces);
        double[] params = network.initialParameters(random);
        GatePointsLoss loss = new GatePointsLoss(1.0, 10.0);
        Adam adam = new Adam(params.length, 0.02, 0.9, 0.999, 1e-8, 0.0);
        double[] gradient = new double[params.length];
        double before = forceError(network, params, data, forces);
        for (int stepIndex = 0; stepIndex < 40; stepIndex++) {
            loss.evaluate(network, params, data.numNodes(), data.pos(), data.batch(), null, data.z(), energies,
                    forces, gradient);
            adam.step(params, gradient);
        }
        double after = forceError(network, params, data, forces);
        assertTrue(after < 0.5 * before, "force RMSE " + before + " -> " + after);

        PointsModel trained = (PointsModel) generated.loadClass("test.EnergyImpl").getConstructor(double[].class)
                .newInstance((Object) params);
        double[] gradPos = new double[data.pos().length];
        trained.backward(data.numNodes(), data.pos(), data.batch(), null, data.z(), new double[] {1, 1, 1, 1},
                gradPos, null, null);
        double[] negatedForces = new double[forces.length];
        network.backward(data.numNodes(), data.pos(), data.batch(), null, data.z(), params,
                new double[] {1, 1, 1, 1}, negatedForces, null, null, null);
        assertEquals(List.of(), mismatches(negatedForces, gradPos));
    }

    private static List<Integer> mismatches(double[] expected, double[] actual) {
        return IntStream.range(0, expected.length).filter(i -> expected[i] != actual[i]).boxed()
                .toList();
    }

    /** {@code E_g = sum_{i<j in g} exp(-r_ij^2)} and {@code F = -dE/dpos}. */
    private static void pairPotential(Batch data, double[] energies, double[] forces) {
        double[] pos = data.pos();
        for (int i = 0; i < data.numNodes(); i++) {
            for (int j = i + 1; j < data.numNodes(); j++) {
                if (data.batch()[i] != data.batch()[j]) {
                    continue;
                }
                double r2 = 0;
                for (int c = 0; c < 3; c++) {
                    double d = pos[3 * i + c] - pos[3 * j + c];
                    r2 += d * d;
                }
                double e = Math.exp(-r2);
                energies[data.batch()[i]] += e;
                for (int c = 0; c < 3; c++) {
                    // dE/dpos_i = -2 (pos_i - pos_j) e
                    double f = 2 * (pos[3 * i + c] - pos[3 * j + c]) * e;
                    forces[3 * i + c] += f;
                    forces[3 * j + c] -= f;
                }
            }
        }
    }

    private static double forceError(GatePoints network, double[] params, Batch data, double[] forces) {
        double[] gradPos = new double[forces.length];
        network.backward(data.numNodes(), data.pos(), data.batch(), null, data.z(), params,
                new double[] {1, 1, 1, 1}, gradPos, null, null, null);
        double sum = 0;
        for (int i = 0; i < forces.length; i++) {
            double d = -gradPos[i] - forces[i];
            sum += d * d;
        }
        return Math.sqrt(sum / forces.length);
    }

    @Test
    void rejectsAModelWithoutAnEnergyAndMisshapenTargets() throws Exception {
        GatePoints perNode = architecture("PerNode", Map.of());
        Batch data = Batch.draw(new Random(1), new int[] {3}, 1.5, 0, 2);
        GatePointsLoss loss = new GatePointsLoss(1.0, 1.0);
        double[] params = perNode.initialParameters(new Random(2));
        IllegalArgumentException noEnergy = assertThrows(IllegalArgumentException.class, () -> loss.evaluate(perNode,
                params, data.numNodes(), data.pos(), data.batch(), null, null, new double[1], new double[9], null));
        assertTrue(noEnergy.getMessage().contains("reduceOutput"), noEnergy.getMessage());

        GatePoints energy = architecture("Energy", Map.of());
        double[] energyParams = energy.initialParameters(new Random(2));
        IllegalArgumentException forces = assertThrows(IllegalArgumentException.class, () -> loss.evaluate(energy,
                energyParams, data.numNodes(), data.pos(), data.batch(), null, data.z(), new double[1], new double[8],
                null));
        assertTrue(forces.getMessage().startsWith("forces: expected length 9"), forces.getMessage());
        IllegalArgumentException energies = assertThrows(IllegalArgumentException.class, () -> loss.evaluate(energy,
                energyParams, data.numNodes(), data.pos(), data.batch(), null, data.z(), new double[2], new double[9],
                null));
        assertTrue(energies.getMessage().startsWith("energies: expected length 1"), energies.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new GatePointsLoss(-1.0, 1.0));
        IllegalArgumentException cotangent = assertThrows(IllegalArgumentException.class, () ->
                energy.parameterGradient(data.numNodes(), data.pos(), data.batch(), null, data.z(), energyParams, null,
                        new double[1], new double[8], new double[energyParams.length]));
        assertTrue(cotangent.getMessage().startsWith("gradPosCotangent: expected length 9"), cotangent.getMessage());
    }
}
