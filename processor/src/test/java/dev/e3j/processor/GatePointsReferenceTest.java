package dev.e3j.processor;

import static dev.e3j.processor.testing.TestArrays.toDouble;
import static dev.e3j.processor.testing.TestArrays.toFloat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.annotations.Layout;
import dev.e3j.processor.testing.GeneratedKernels;
import dev.e3j.runtime.io.StateDict;
import dev.e3j.runtime.io.Tensor;
import dev.e3j.runtime.model.PointsModel;
import dev.e3j.testsupport.ReferenceData;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whole {@code @GatePointsNetwork} models against e3nn 0.5.4 ({@code reference/models/gate_points-*}, made by
 * {@code tools/make_gate_points_reference.py}): each spec is written from the reference's constructor arguments with
 * {@code precision = FLOAT}, its {@code state_dict.safetensors} loaded as it is, and the outputs and gradients
 * compared to e3nn's float64 values: to 1e-10 relative through the double methods, to 1e-5 relative through the float
 * methods, which compute in float. Each model is generated twice, in e3nn's layout and with channel-last hidden
 * features ({@code layout = IR_MUL}); both meet e3nn, and the channel-last one equals the other to 1e-12 relative in
 * double and to {@value #FLOAT_LAYOUT_TOLERANCE} in float (whose products sum in another order).
 */
class GatePointsReferenceTest {

    /** Largest error of the float methods relative to the largest reference value. */
    private static final double FLOAT_TOLERANCE = 1e-5;
    /** Largest difference of the float methods between the layouts, relative to the largest value. */
    private static final double FLOAT_LAYOUT_TOLERANCE = 1e-6;

    static Stream<String> models() throws IOException {
        try (Stream<Path> folders = Files.list(modelsDirectory())) {
            return folders.map(folder -> folder.getFileName().toString())
                    .filter(name -> name.startsWith("gate_points-")).sorted().toList().stream();
        }
    }

    static Path modelsDirectory() {
        return ReferenceData.directory().getParent().resolve("models");
    }

    @ParameterizedTest
    @MethodSource("models")
    @SuppressWarnings("unchecked")
    void outputsAndGradientsEqualE3nnInBothLayouts(String name) throws Exception {
        Path folder = modelsDirectory().resolve(name);
        Map<String, Object> reference = (Map<String, Object>) ReferenceData.parse(
                Files.readString(folder.resolve("reference.json")));
        Map<String, Object> constructor = (Map<String, Object>) reference.get("constructor");
        GeneratedKernels generated = GeneratedKernels.compile(Map.of(
                "test.Net", specSource(constructor, true, Layout.MUL_IR),
                "test.NetIrMul", specSource(constructor, true, Layout.IR_MUL)));
        StateDict stateDict = StateDict.read(folder.resolve("state_dict.safetensors"));
        Map<String, double[]> mulIr = assertEqualsE3nn(reference, load(generated, "test.Net", stateDict));
        Map<String, double[]> irMul = assertEqualsE3nn(reference, load(generated, "test.NetIrMul", stateDict));
        for (Map.Entry<String, double[]> result : mulIr.entrySet()) {
            String what = result.getKey();
            assertClose("IR_MUL against MUL_IR: " + what, result.getValue(), irMul.get(what),
                    what.startsWith("float") ? FLOAT_LAYOUT_TOLERANCE : 1e-12);
        }
    }

    /**
     * A file whose metadata records e3nn's constructor arguments ({@code tools/export_e3nn.py --constructor}) loads
     * into a spec with the same {@code max_radius}, {@code num_neighbors}, {@code num_nodes} and
     * {@code reduce_output} (values no tensor shows), and into one with others fails naming each, expected and got.
     */
    @Test
    @SuppressWarnings("unchecked")
    void constructorArgumentsTheTensorsCannotShowAreChecked() throws Exception {
        Path folder = modelsDirectory().resolve("gate_points-public");
        Map<String, Object> reference = (Map<String, Object>) ReferenceData.parse(
                Files.readString(folder.resolve("reference.json")));
        Map<String, Object> constructor = (Map<String, Object>) reference.get("constructor");
        GeneratedKernels generated = GeneratedKernels.compile(Map.of("test.Net", specSource(constructor)));
        StateDict file = StateDict.read(folder.resolve("state_dict.safetensors"));
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (String key : file.names()) {
            tensors.put(key, file.tensor(key));
        }
        double maxRadius = (Double) constructor.get("max_radius");
        double numNeighbors = (Double) constructor.get("num_neighbors");
        double numNodes = (Double) constructor.get("num_nodes");
        boolean reduce = (Boolean) constructor.get("reduce_output");
        String same = "{\"max_radius\": " + maxRadius + ", \"num_neighbors\": " + numNeighbors + ", \"num_nodes\": "
                + numNodes + ", \"reduce_output\": " + reduce + "}";
        load(generated, "test.Net", StateDict.of(tensors, Map.of("constructor", same)));
        String other = "{\"max_radius\": " + maxRadius + ", \"num_neighbors\": " + (numNeighbors + 1)
                + ", \"num_nodes\": " + numNodes + ", \"reduce_output\": " + !reduce + "}";
        InvocationTargetException thrown = assertThrows(InvocationTargetException.class,
                () -> load(generated, "test.Net", StateDict.of(tensors, Map.of("constructor", other))));
        String message = thrown.getCause().getMessage();
        assertTrue(thrown.getCause() instanceof IllegalArgumentException, message);
        assertTrue(message.contains("num_neighbors: expected " + numNeighbors + " (the model's numNeighbors), got "
                + (numNeighbors + 1)), message);
        assertTrue(message.contains("reduce_output: expected " + (reduce ? "True" : "False")), message);
        assertFalse(message.contains("max_radius") || message.contains("num_nodes:"), message);
    }

    /** The outputs and gradients of {@code model} checked against e3nn's, by name. */
    @SuppressWarnings("unchecked")
    private static Map<String, double[]> assertEqualsE3nn(Map<String, Object> reference, PointsModel model) {
        Map<String, double[]> results = new LinkedHashMap<>();
        Map<String, Object> inputs = (Map<String, Object>) reference.get("inputs");
        double[] pos = ReferenceData.asDoubles(inputs.get("pos"));
        int numNodes = pos.length / 3;
        int[] batch = ReferenceData.asInts(inputs.get("batch")).stream().mapToInt(Integer::intValue).toArray();
        double[] x = inputs.get("x") == null ? null : ReferenceData.asDoubles(inputs.get("x"));
        double[] z = inputs.get("z") == null ? null : ReferenceData.asDoubles(inputs.get("z"));

        double[] out = model.forward(numNodes, pos, batch, x, z);
        double[] outFloat = toDouble(model.forward(numNodes, toFloat(pos), batch, toFloat(x), toFloat(z)));
        double[] expectedOut = ReferenceData.asDoubles(reference.get("outputs"));
        assertClose("outputs", expectedOut, out, 1e-10);
        assertClose("float outputs", expectedOut, outFloat, FLOAT_TOLERANCE);
        results.put("outputs", out);
        results.put("float outputs", outFloat);

        Map<String, Object> gradient = (Map<String, Object>) reference.get("gradient");
        double[] v = ReferenceData.asDoubles(gradient.get("v"));
        double[] gradPos = new double[pos.length];
        double[] gradX = x == null ? null : new double[x.length];
        double[] gradZ = z == null ? null : new double[z.length];
        model.backward(numNodes, pos, batch, x, z, v, gradPos, gradX, gradZ);
        float[] gradPosFloat = new float[pos.length];
        float[] gradXFloat = x == null ? null : new float[x.length];
        float[] gradZFloat = z == null ? null : new float[z.length];
        model.backward(numNodes, toFloat(pos), batch, toFloat(x), toFloat(z), toFloat(v), gradPosFloat, gradXFloat,
                gradZFloat);
        double[] expectedPos = ReferenceData.asDoubles(gradient.get("d_pos"));
        assertClose("d_pos", expectedPos, gradPos, 1e-10);
        assertClose("float d_pos", expectedPos, toDouble(gradPosFloat), FLOAT_TOLERANCE);
        results.put("d_pos", gradPos);
        results.put("float d_pos", toDouble(gradPosFloat));
        if (gradX != null) {
            double[] expected = ReferenceData.asDoubles(gradient.get("d_x"));
            assertClose("d_x", expected, gradX, 1e-10);
            assertClose("float d_x", expected, toDouble(gradXFloat), FLOAT_TOLERANCE);
            results.put("d_x", gradX);
            results.put("float d_x", toDouble(gradXFloat));
        }
        if (gradZ != null) {
            double[] expected = ReferenceData.asDoubles(gradient.get("d_z"));
            assertClose("d_z", expected, gradZ, 1e-10);
            assertClose("float d_z", expected, toDouble(gradZFloat), FLOAT_TOLERANCE);
            results.put("d_z", gradZ);
            results.put("float d_z", toDouble(gradZFloat));
        }
        return results;
    }

    /** The {@code @GatePointsNetwork} spec {@code test.Net} for e3nn's constructor arguments. */
    static String specSource(Map<String, Object> args) {
        return specSource(args, false, Layout.MUL_IR);
    }

    /**
     * {@link #specSource(Map)}, with {@code precision = FLOAT} when {@code float32} and the {@code layout}, and the
     * interface named {@code Net} for e3nn's layout, {@code NetIrMul} for the channel-last one.
     */
    static String specSource(Map<String, Object> args, boolean float32, Layout layout) {
        StringBuilder spec = new StringBuilder("package test;\n\n"
                + "import dev.e3j.annotations.GatePointsNetwork;\n"
                + "import dev.e3j.annotations.Layout;\n"
                + "import dev.e3j.annotations.Precision;\n"
                + "import dev.e3j.runtime.model.PointsModel;\n\n"
                + "@GatePointsNetwork(");
        for (Map.Entry<String, String> attribute : Map.of("irreps_in", "irrepsIn", "irreps_hidden", "irrepsHidden",
                "irreps_out", "irrepsOut", "irreps_node_attr", "irrepsNodeAttr", "irreps_edge_attr",
                "irrepsEdgeAttr").entrySet()) {
            Object value = args.get(attribute.getKey());
            if (value != null) {
                spec.append(attribute.getValue()).append(" = \"").append(value).append("\", ");
            }
        }
        for (Map.Entry<String, String> attribute : Map.of("layers", "layers", "number_of_basis", "numberOfBasis",
                "radial_layers", "radialLayers", "radial_neurons", "radialNeurons").entrySet()) {
            spec.append(attribute.getValue()).append(" = ").append(ReferenceData.asInt(args.get(attribute.getKey())))
                    .append(", ");
        }
        for (Map.Entry<String, String> attribute : Map.of("max_radius", "maxRadius", "num_neighbors", "numNeighbors",
                "num_nodes", "numNodes").entrySet()) {
            spec.append(attribute.getValue()).append(" = ").append((double) (Double) args.get(attribute.getKey()))
                    .append(", ");
        }
        spec.append("reduceOutput = ").append(args.get("reduce_output"))
                .append(float32 ? ", precision = Precision.FLOAT" : "")
                .append(layout == Layout.MUL_IR ? "" : ", layout = Layout." + layout)
                .append(")\ninterface Net").append(layout == Layout.MUL_IR ? "" : "IrMul")
                .append(" extends PointsModel {}\n");
        return spec.toString();
    }

    /** The generated model {@code <name>Impl} of {@code generated}, loading {@code stateDict}. */
    static PointsModel load(GeneratedKernels generated, String name, StateDict stateDict)
            throws ReflectiveOperationException {
        return (PointsModel) generated.loadClass(name + "Impl").getConstructor(StateDict.class)
                .newInstance(stateDict);
    }

    static void assertClose(String what, double[] expected, double[] actual, double relative) {
        assertEquals(expected.length, actual.length, what + " length");
        double scale = 0;
        double error = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            error = Math.max(error, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(error <= relative * scale, what + ": largest error " + error + " against largest value " + scale
                + " (relative " + error / scale + ")");
    }
}
