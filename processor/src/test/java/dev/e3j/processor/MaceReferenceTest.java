package dev.e3j.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.annotations.Layout;
import dev.e3j.processor.testing.GeneratedKernels;
import dev.e3j.testsupport.ReferenceData;
import dev.e3j.runtime.io.DType;
import dev.e3j.runtime.io.StateDict;
import dev.e3j.runtime.io.Tensor;
import dev.e3j.runtime.model.Evaluation;
import dev.e3j.runtime.model.InteratomicPotential;
import dev.e3j.runtime.model.Structure;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whole {@code @Mace} potentials against mace-torch v0.3.6 ({@code reference/models/mace-*}): each spec is written
 * from the reference's constructor arguments, its {@code state_dict.safetensors} loaded as it is, and the energies
 * (1e-10 relative), node energies (1e-10 relative), forces (1e-9 absolute) and, for cells, stress (1e-9 absolute)
 * compared on the reference structures, evaluated as one batch.
 */
class MaceReferenceTest {

    static Stream<String> models() throws IOException {
        try (Stream<Path> folders = Files.list(GatePointsReferenceTest.modelsDirectory())) {
            return folders.map(folder -> folder.getFileName().toString())
                    .filter(name -> name.startsWith("mace-")).sorted().toList().stream();
        }
    }

    /** Every reference model in both layouts. */
    static Stream<Arguments> modelsInBothLayouts() throws IOException {
        return models().flatMap(name -> Stream.of(Layout.values()).map(layout -> Arguments.of(name, layout)));
    }

    /** In both layouts: {@code layout = IR_MUL} keeps the features channel-last inside, the API unchanged. */
    @ParameterizedTest
    @MethodSource("modelsInBothLayouts")
    @SuppressWarnings("unchecked")
    void energiesForcesAndStressEqualMaceTorch(String name, Layout layout) throws Exception {
        Path folder = GatePointsReferenceTest.modelsDirectory().resolve(name);
        Map<String, Object> reference = (Map<String, Object>) ReferenceData.parse(
                Files.readString(folder.resolve("reference.json")));
        InteratomicPotential potential = load(specSource((Map<String, Object>) reference.get("constructor"), false,
                layout), StateDict.read(folder.resolve("state_dict.safetensors")));
        List<Structure> structures = structures(reference);
        List<Evaluation> results = potential.evaluate(structures);

        Map<String, Object> outputs = (Map<String, Object>) reference.get("outputs");
        double[] energy = ReferenceData.asDoubles(outputs.get("energy"));
        double[] nodeEnergy = ReferenceData.asDoubles(outputs.get("node_energy"));
        double[] forces = ReferenceData.asDoubles(outputs.get("forces"));
        double[] stress = outputs.get("stress") == null ? null : ReferenceData.asDoubles(outputs.get("stress"));
        int atom = 0;
        for (int g = 0; g < structures.size(); g++) {
            Evaluation result = results.get(g);
            assertEquals(energy[g], result.energy(), 1e-10 * Math.abs(energy[g]), "energy of structure " + g);
            int n = structures.get(g).size();
            for (int i = 0; i < n; i++) {
                assertEquals(nodeEnergy[atom + i], result.nodeEnergies()[i], 1e-10 * Math.abs(nodeEnergy[atom + i]),
                        "node energy " + (atom + i));
            }
            for (int k = 0; k < 3 * n; k++) {
                assertEquals(forces[3 * atom + k], result.forces()[k], 1e-9, "force component " + (3 * atom + k));
            }
            if (stress != null) {
                for (int k = 0; k < 9; k++) {
                    assertEquals(stress[9 * g + k], result.stress()[k], 1e-9, "stress " + k + " of structure " + g);
                }
            }
            atom += n;
        }
        assertEquals(potential.evaluate(structures.get(0)).energy(), results.get(0).energy(),
                1e-12 * Math.abs(energy[0]), "one structure alone and in the batch");
    }

    /**
     * A spec without the radial options its {@code state_dict}'s model has (a Gaussian basis of soft-transformed
     * lengths with ZBL, declared as mace-torch's defaults): the error lists the keys and names the attributes to set.
     */
    @Test
    @SuppressWarnings("unchecked")
    void radialOptionsThatDifferFromTheStateDictsAreNamed() throws Exception {
        Path folder = GatePointsReferenceTest.modelsDirectory().resolve("mace-gaussian-soft");
        Map<String, Object> reference = (Map<String, Object>) ReferenceData.parse(
                Files.readString(folder.resolve("reference.json")));
        Map<String, Object> args = new LinkedHashMap<>((Map<String, Object>) reference.get("constructor"));
        args.put("radial_type", "bessel");
        args.put("distance_transform", "None");
        args.put("pair_repulsion", false);
        StateDict stateDict = StateDict.read(folder.resolve("state_dict.safetensors"));
        InvocationTargetException thrown = assertThrows(InvocationTargetException.class,
                () -> load(specSource(args), stateDict));
        String message = thrown.getCause().getMessage();
        assertTrue(thrown.getCause() instanceof IllegalArgumentException, message);
        assertTrue(message.contains("unexpected") && message.contains("pair_repulsion_fn.a_exp"), message);
        assertTrue(message.contains("missing") && message.contains("radial_embedding.bessel_fn.bessel_weights"),
                message);
        assertTrue(message.contains("hint: @Mace's radialType must be mace-torch's radial_type"), message);
        assertTrue(message.contains("hint: @Mace's distanceTransform"), message);
        assertTrue(message.contains("hint: @Mace's pairRepulsion"), message);
    }

    /**
     * A spec whose {@code avgNumNeighbors} and gate differ from the constructor arguments its file records (two values
     * no tensor shows: with them wrong, every energy would be off without an error): loading names both, expected and
     * got; the file's own values load.
     */
    @Test
    @SuppressWarnings("unchecked")
    void constructorArgumentsTheTensorsCannotShowAreChecked() throws Exception {
        Path folder = GatePointsReferenceTest.modelsDirectory().resolve("mace-tanh-l3");
        Map<String, Object> reference = (Map<String, Object>) ReferenceData.parse(
                Files.readString(folder.resolve("reference.json")));
        Map<String, Object> args = new LinkedHashMap<>((Map<String, Object>) reference.get("constructor"));
        double average = ((Number) args.get("avg_num_neighbors")).doubleValue();
        args.put("avg_num_neighbors", average + 0.25);
        args.put("gate", "silu");
        StateDict stateDict = StateDict.read(folder.resolve("state_dict.safetensors"));
        InvocationTargetException thrown = assertThrows(InvocationTargetException.class,
                () -> load(specSource(args), stateDict));
        String message = thrown.getCause().getMessage();
        assertTrue(thrown.getCause() instanceof IllegalArgumentException, message);
        assertTrue(message.contains("avg_num_neighbors: expected " + (average + 0.25)
                + " (the model's avgNumNeighbors), got " + average), message);
        assertTrue(message.contains("gate: expected \"silu\" (the model's readout gate), got \"tanh\""), message);
    }

    /**
     * {@code precision = FLOAT}: {@code evaluate} runs every kernel in float32 on the float64 {@code state_dict}
     * (rounded once on loading) and agrees with mace-torch's float64 outputs as float32 allows: energies and node
     * energies to {@value #FLOAT32_ENERGY} relative, forces and stress to {@value #FLOAT32_FORCE} of the structure's
     * largest force component. With the float32 rounding of the inputs, it also agrees so with mace-torch's
     * {@code float32} outputs, where the reference has them.
     */
    @ParameterizedTest
    @MethodSource("models")
    @SuppressWarnings("unchecked")
    void float32PrecisionAgreesWithFloat64AndMaceTorchFloat32(String name) throws Exception {
        Path folder = GatePointsReferenceTest.modelsDirectory().resolve(name);
        Map<String, Object> reference = (Map<String, Object>) ReferenceData.parse(
                Files.readString(folder.resolve("reference.json")));
        StateDict stateDict = StateDict.read(folder.resolve("state_dict.safetensors"));
        InteratomicPotential potential = load(specSource((Map<String, Object>) reference.get("constructor"), true),
                stateDict);
        List<Structure> structures = structures(reference);
        assertFloat32Close((Map<String, Object>) reference.get("outputs"), structures,
                potential.evaluate(structures), "float64 reference");
        if (reference.containsKey("outputs_float32")) {
            List<Structure> rounded = new ArrayList<>();
            for (Structure structure : structures) {
                rounded.add(structure.withPositions(roundedToFloat(structure.positions())));
            }
            assertFloat32Close((Map<String, Object>) reference.get("outputs_float32"), rounded,
                    potential.evaluate(rounded), "mace-torch float32");
        }
    }

    /**
     * The channel-last model is the e3nn-layout model: on the reference structures its energies, node energies,
     * forces and stress equal those of {@link Layout#MUL_IR} to {@value #LAYOUT_TOLERANCE} relative (of the
     * structure's largest force component for forces and stress), in float64 and, with float32's epsilon in its place,
     * in float32.
     */
    @ParameterizedTest
    @MethodSource("models")
    @SuppressWarnings("unchecked")
    void channelLastEqualsTheE3nnLayout(String name) throws Exception {
        Path folder = GatePointsReferenceTest.modelsDirectory().resolve(name);
        Map<String, Object> reference = (Map<String, Object>) ReferenceData.parse(
                Files.readString(folder.resolve("reference.json")));
        Map<String, Object> constructor = (Map<String, Object>) reference.get("constructor");
        StateDict stateDict = StateDict.read(folder.resolve("state_dict.safetensors"));
        List<Structure> structures = structures(reference);
        for (boolean float32 : new boolean[] {false, true}) {
            List<Evaluation> expected = load(specSource(constructor, float32, Layout.MUL_IR), stateDict)
                    .evaluate(structures);
            List<Evaluation> actual = load(specSource(constructor, float32, Layout.IR_MUL), stateDict)
                    .evaluate(structures);
            assertSameEvaluations(expected, actual, float32 ? FLOAT32_LAYOUT_TOLERANCE : LAYOUT_TOLERANCE,
                    name + (float32 ? " float32" : " float64"));
        }
    }

    /** Relative tolerance of the float64 models in the two layouts. */
    static final double LAYOUT_TOLERANCE = 1e-12;
    /** Relative tolerance of the float32 models in the two layouts: a few of float32's rounding errors. */
    static final double FLOAT32_LAYOUT_TOLERANCE = 1e-5;

    /**
     * {@code actual} equals {@code expected} to {@code tolerance} relative: energies and node energies each to its
     * own magnitude, forces and stress to the structure's largest force component.
     */
    static void assertSameEvaluations(List<Evaluation> expected, List<Evaluation> actual, double tolerance,
                                      String what) {
        assertEquals(expected.size(), actual.size(), what + ": structures");
        for (int g = 0; g < expected.size(); g++) {
            Evaluation e = expected.get(g);
            Evaluation a = actual.get(g);
            String structure = what + ", structure " + g;
            assertEquals(e.energy(), a.energy(), tolerance * Math.abs(e.energy()), structure + ": energy");
            for (int i = 0; i < e.nodeEnergies().length; i++) {
                assertEquals(e.nodeEnergies()[i], a.nodeEnergies()[i], tolerance * Math.abs(e.nodeEnergies()[i]),
                        structure + ": node energy " + i);
            }
            double largest = 0;
            for (double f : e.forces()) {
                largest = Math.max(largest, Math.abs(f));
            }
            for (int k = 0; k < e.forces().length; k++) {
                assertEquals(e.forces()[k], a.forces()[k], tolerance * largest, structure + ": force " + k);
            }
            assertEquals(e.stress() == null, a.stress() == null, structure + ": stress");
            for (int k = 0; e.stress() != null && k < 9; k++) {
                assertEquals(e.stress()[k], a.stress()[k], tolerance * largest, structure + ": stress " + k);
            }
        }
    }

    /** Relative tolerance of float32 energies. */
    static final double FLOAT32_ENERGY = 1e-5;
    /** Tolerance of float32 forces and stress, relative to the structure's largest force component. */
    static final double FLOAT32_FORCE = 1e-4;

    private static void assertFloat32Close(Map<String, Object> outputs, List<Structure> structures,
                                           List<Evaluation> results, String what) {
        double[] energy = ReferenceData.asDoubles(outputs.get("energy"));
        double[] nodeEnergy = outputs.get("node_energy") == null ? null
                : ReferenceData.asDoubles(outputs.get("node_energy"));
        double[] forces = ReferenceData.asDoubles(outputs.get("forces"));
        double[] stress = outputs.get("stress") == null ? null : ReferenceData.asDoubles(outputs.get("stress"));
        int atom = 0;
        for (int g = 0; g < structures.size(); g++) {
            Evaluation result = results.get(g);
            assertEquals(energy[g], result.energy(), FLOAT32_ENERGY * Math.abs(energy[g]),
                    "energy of structure " + g + " vs " + what);
            int n = structures.get(g).size();
            double largest = 0;
            for (int k = 0; k < 3 * n; k++) {
                largest = Math.max(largest, Math.abs(forces[3 * atom + k]));
            }
            for (int i = 0; nodeEnergy != null && i < n; i++) {
                assertEquals(nodeEnergy[atom + i], result.nodeEnergies()[i],
                        FLOAT32_ENERGY * Math.abs(nodeEnergy[atom + i]), "node energy " + (atom + i) + " vs " + what);
            }
            for (int k = 0; k < 3 * n; k++) {
                assertEquals(forces[3 * atom + k], result.forces()[k], FLOAT32_FORCE * largest,
                        "force component " + (3 * atom + k) + " vs " + what);
            }
            for (int k = 0; stress != null && k < 9; k++) {
                assertEquals(stress[9 * g + k], result.stress()[k], FLOAT32_FORCE * largest,
                        "stress " + k + " of structure " + g + " vs " + what);
            }
            atom += n;
        }
    }

    private static double[] roundedToFloat(double[] values) {
        double[] rounded = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            rounded[i] = (float) values[i];
        }
        return rounded;
    }

    /**
     * The derivation itself, in the generated audit file: each interaction's {@code irreps_mid}, edge product
     * instructions and product target equal those mace-torch built ({@code derived} in the reference).
     */
    @ParameterizedTest
    @MethodSource("models")
    @SuppressWarnings("unchecked")
    void derivedBlocksEqualMaceTorchs(String name) throws Exception {
        Map<String, Object> reference = (Map<String, Object>) ReferenceData.parse(Files.readString(
                GatePointsReferenceTest.modelsDirectory().resolve(name).resolve("reference.json")));
        Map<String, Object> derived = (Map<String, Object>) reference.get("derived");
        Map<String, Object> audit = (Map<String, Object>) ReferenceData.parse(compile(specSource(
                (Map<String, Object>) reference.get("constructor"))).generatedResource(
                        "META-INF/e3j/test.PotentialImpl.json"));
        assertEquals(derived.get("sh_irreps"), audit.get("shIrreps"));
        List<Object> blocks = ReferenceData.asList(audit.get("blocks"));
        List<Object> mids = ReferenceData.asList(derived.get("irreps_mid conv_tp per interaction"));
        List<Object> instructions = ReferenceData.asList(derived.get("conv_tp instructions per interaction"));
        List<Object> targets = ReferenceData.asList(derived.get("product target irreps"));
        assertEquals(mids.size(), blocks.size(), "interactions");
        for (int t = 0; t < blocks.size(); t++) {
            Map<String, Object> block = (Map<String, Object>) blocks.get(t);
            assertEquals(mids.get(t), block.get("mid"), "irreps_mid of interaction " + t);
            assertEquals(targets.get(t), block.get("productOut"), "product target of interaction " + t);
            List<Object> expected = ReferenceData.asList(instructions.get(t));
            List<Object> actual = ReferenceData.asList(block.get("convTpInstructions"));
            assertEquals(expected.size(), actual.size(), "instructions of interaction " + t);
            for (int p = 0; p < expected.size(); p++) {
                assertEquals(ReferenceData.asList(expected.get(p)).subList(0, 4),
                        ReferenceData.asList(actual.get(p)).subList(0, 4), "instruction " + p + " of interaction " + t);
            }
        }
    }

    /** The models whose reference has mace-torch's float32 outputs. */
    static Stream<String> float32Models() throws IOException {
        List<String> names = new ArrayList<>();
        for (String name : models().toList()) {
            if (Files.readString(GatePointsReferenceTest.modelsDirectory().resolve(name).resolve("reference.json"))
                    .contains("\"outputs_float32\"")) {
                names.add(name);
            }
        }
        return names.stream();
    }

    /**
     * mace-torch's {@code model.float()} on float32-rounded inputs: the {@code state_dict} rounded to float32 loads as
     * it is (its fixed buffers compared in float), and the energies agree with mace-torch's float32 outputs to 1e-5
     * relative, the forces to 1e-5 of the largest force component.
     */
    @ParameterizedTest
    @MethodSource("float32Models")
    @SuppressWarnings("unchecked")
    void float32ModelsEqualMaceTorchInFloat32(String name) throws Exception {
        Path folder = GatePointsReferenceTest.modelsDirectory().resolve(name);
        Map<String, Object> reference = (Map<String, Object>) ReferenceData.parse(
                Files.readString(folder.resolve("reference.json")));
        StateDict stateDict = StateDict.read(folder.resolve("state_dict.safetensors"));
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (String tensor : stateDict.names()) {
            if (stateDict.dtype(tensor) == DType.F64) {
                double[] values = stateDict.doubles(tensor);
                float[] rounded = new float[values.length];
                for (int i = 0; i < values.length; i++) {
                    rounded[i] = (float) values[i];
                }
                tensors.put(tensor, Tensor.ofFloats(stateDict.shape(tensor), rounded));
            } else {
                tensors.put(tensor, stateDict.tensor(tensor));
            }
        }
        InteratomicPotential potential = load(specSource((Map<String, Object>) reference.get("constructor")),
                StateDict.of(tensors, stateDict.metadata()));
        List<Structure> structures = new ArrayList<>();
        for (Structure structure : structures(reference)) {
            double[] positions = structure.positions();
            for (int i = 0; i < positions.length; i++) {
                positions[i] = (float) positions[i];
            }
            structures.add(structure.withPositions(positions));
        }
        List<Evaluation> results = potential.evaluate(structures);
        Map<String, Object> outputs = (Map<String, Object>) reference.get("outputs_float32");
        double[] energy = ReferenceData.asDoubles(outputs.get("energy"));
        double[] forces = ReferenceData.asDoubles(outputs.get("forces"));
        int atom = 0;
        for (int g = 0; g < structures.size(); g++) {
            assertEquals(energy[g], results.get(g).energy(), 1e-5 * Math.abs(energy[g]), "energy of structure " + g);
            int n = structures.get(g).size();
            double largest = 0;
            for (int k = 0; k < 3 * n; k++) {
                largest = Math.max(largest, Math.abs(forces[3 * atom + k]));
            }
            for (int k = 0; k < 3 * n; k++) {
                assertEquals(forces[3 * atom + k], results.get(g).forces()[k], 1e-5 * largest,
                        "force component " + (3 * atom + k));
            }
            atom += n;
        }
    }

    @SuppressWarnings("unchecked")
    static List<Structure> structures(Map<String, Object> reference) {
        List<Structure> structures = new ArrayList<>();
        for (Object item : ReferenceData.asList(reference.get("structures"))) {
            Map<String, Object> structure = (Map<String, Object>) item;
            int[] numbers = ReferenceData.asInts(structure.get("atomic_numbers")).stream().mapToInt(Integer::intValue)
                    .toArray();
            double[] positions = ReferenceData.asDoubles(structure.get("positions"));
            Object cell = structure.get("cell");
            if (cell == null) {
                structures.add(Structure.of(numbers, positions));
            } else {
                List<Object> flags = ReferenceData.asList(structure.get("pbc"));
                boolean[] pbc = new boolean[3];
                for (int k = 0; k < 3; k++) {
                    pbc[k] = (Boolean) flags.get(k);
                }
                structures.add(Structure.periodic(numbers, positions, ReferenceData.asDoubles(cell), pbc));
            }
        }
        return structures;
    }

    /** The {@code @Mace} spec {@code test.Potential} for mace-torch's constructor arguments. */
    static String specSource(Map<String, Object> args) {
        return specSource(args, false);
    }

    /** {@link #specSource(Map)}, with {@code precision = FLOAT} when {@code float32}. */
    static String specSource(Map<String, Object> args, boolean float32) {
        return specSource(args, float32, Layout.MUL_IR);
    }

    /** {@link #specSource(Map, boolean)} with its features in {@code layout} (named only when not the default). */
    static String specSource(Map<String, Object> args, boolean float32, Layout layout) {
        Object correlation = args.get("correlation");
        String correlations = correlation instanceof List<?> list
                ? list.stream().map(c -> String.valueOf(ReferenceData.asInt(c))).collect(Collectors.joining(", "))
                : String.valueOf(ReferenceData.asInt(correlation));
        return "package test;\n\n"
                + "import dev.e3j.annotations.Mace;\n"
                + "import dev.e3j.runtime.model.InteratomicPotential;\n\n"
                + "@Mace(rMax = " + (double) (Double) args.get("r_max")
                + ", numBessel = " + ReferenceData.asInt(args.get("num_bessel"))
                + ", numPolynomialCutoff = " + ReferenceData.asInt(args.get("num_polynomial_cutoff"))
                + ", maxEll = " + ReferenceData.asInt(args.get("max_ell"))
                + ", numInteractions = " + ReferenceData.asInt(args.get("num_interactions"))
                + ",\n      interactionFirst = " + interaction(args.get("interaction_cls_first"))
                + ", interaction = " + interaction(args.get("interaction_cls"))
                + ",\n      atomicNumbers = {" + ReferenceData.asInts(args.get("atomic_numbers")).stream()
                        .map(String::valueOf).collect(Collectors.joining(", ")) + "}"
                + ", hiddenIrreps = \"" + args.get("hidden_irreps") + "\""
                + ", mlpIrreps = \"" + args.get("MLP_irreps") + "\""
                + ", correlation = {" + correlations + "}"
                + ", gate = Mace.Gate." + ((String) args.get("gate")).toUpperCase()
                + ",\n      radialMlp = {" + ReferenceData.asInts(args.get("radial_MLP")).stream()
                        .map(String::valueOf).collect(Collectors.joining(", ")) + "}"
                + ", avgNumNeighbors = " + (double) (Double) args.get("avg_num_neighbors")
                + ", scaleShift = " + args.containsKey("atomic_inter_scale")
                + radialOptions(args)
                + (float32 ? ", precision = dev.e3j.annotations.Precision.FLOAT" : "")
                + (layout == Layout.MUL_IR ? "" : ", layout = dev.e3j.annotations.Layout." + layout) + ")\n"
                + "interface Potential extends InteratomicPotential {}\n";
    }

    /** The {@code radialType}, {@code distanceTransform} and {@code pairRepulsion} attributes that are not defaults. */
    private static String radialOptions(Map<String, Object> args) {
        String options = "";
        Object type = args.getOrDefault("radial_type", "bessel");
        if (!"bessel".equals(type)) {
            options += ",\n      radialType = Mace.RadialType." + ((String) type).toUpperCase(Locale.ROOT);
        }
        Object transform = args.getOrDefault("distance_transform", "None");
        if (!"None".equals(transform)) {
            options += ", distanceTransform = Mace.DistanceTransform." + ((String) transform).toUpperCase(Locale.ROOT);
        }
        if (Boolean.TRUE.equals(args.get("pair_repulsion"))) {
            options += ", pairRepulsion = true";
        }
        return options;
    }

    private static String interaction(Object cls) {
        return switch ((String) cls) {
            case "RealAgnosticInteractionBlock" -> "Mace.Interaction.REAL_AGNOSTIC";
            case "RealAgnosticResidualInteractionBlock" -> "Mace.Interaction.REAL_AGNOSTIC_RESIDUAL";
            default -> throw new IllegalArgumentException("interaction class " + cls);
        };
    }

    /** Each spec source compiled once. */
    private static final Map<String, GeneratedKernels> COMPILED = new ConcurrentHashMap<>();

    static GeneratedKernels compile(String specSource) {
        return COMPILED.computeIfAbsent(specSource, source -> GeneratedKernels.compile(Map.of("test.Potential",
                source)));
    }

    static InteratomicPotential load(String specSource, StateDict stateDict) throws ReflectiveOperationException {
        return (InteratomicPotential) compile(specSource).loadClass("test.PotentialImpl")
                .getConstructor(StateDict.class).newInstance(stateDict);
    }
}
