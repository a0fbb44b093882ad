package dev.e3j.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.processor.cli.E3jCli;
import dev.e3j.processor.testing.GeneratedKernels;
import dev.e3j.runtime.io.StateDict;
import dev.e3j.runtime.model.Evaluation;
import dev.e3j.runtime.model.InteratomicPotential;
import dev.e3j.runtime.model.PointsModel;
import dev.e3j.runtime.model.Structure;
import dev.e3j.testsupport.ReferenceData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code e3j spec FILE}: the interface it prints for an exported model compiles, and its generated class loads that
 * file and computes the reference's outputs; a file without the constructor arguments, a missing file and a bad
 * {@code --name} are one-line errors.
 */
class SpecCommandTest {

    private record Result(int status, String out, String err) {
    }

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = E3jCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Two mace-torch models with non-default options (ZBL and the Agnesi transform; a tanh gate and max_ell 3). */
    @ParameterizedTest
    @ValueSource(strings = {"mace-zbl-agnesi", "mace-tanh-l3"})
    @SuppressWarnings("unchecked")
    void theMaceSpecOfAnExportedFileComputesItsModel(String name) throws Exception {
        Path folder = GatePointsReferenceTest.modelsDirectory().resolve(name);
        Result result = run("spec", folder.resolve("state_dict.safetensors").toString());
        assertEquals(0, result.status(), result.err());
        assertEquals("", result.err());
        assertTrue(result.out().contains("public interface Potential extends InteratomicPotential"), result.out());
        Map<String, Object> reference = (Map<String, Object>) ReferenceData.parse(
                Files.readString(folder.resolve("reference.json")));
        InteratomicPotential potential = MaceReferenceTest.load("package test;\n\n" + result.out(),
                StateDict.read(folder.resolve("state_dict.safetensors")));
        List<Structure> structures = MaceReferenceTest.structures(reference);
        double[] energy = ReferenceData.asDoubles(((Map<String, Object>) reference.get("outputs")).get("energy"));
        List<Evaluation> results = potential.evaluate(structures);
        for (int g = 0; g < structures.size(); g++) {
            assertEquals(energy[g], results.get(g).energy(), 1e-10 * Math.abs(energy[g]), "energy of structure " + g);
        }
    }

    /**
     * e3nn's gate-points network, from a file with its constructor arguments in the metadata (as
     * {@code tools/export_e3nn.py} writes): the spec, named by {@code --name}, compiles, loads the file
     * and gives the outputs of the spec written from the reference's arguments, bit for bit.
     */
    @Test
    @SuppressWarnings("unchecked")
    void theGatePointsSpecOfAnExportedFileComputesItsModel(@TempDir Path dir) throws Exception {
        Path folder = GatePointsReferenceTest.modelsDirectory().resolve("gate_points-public");
        Map<String, Object> reference = (Map<String, Object>) ReferenceData.parse(
                Files.readString(folder.resolve("reference.json")));
        Map<String, Object> args = (Map<String, Object>) reference.get("constructor");
        String constructor = "{\"irreps_in\": " + quoted(args.get("irreps_in")) + ", \"irreps_hidden\": "
                + quoted(args.get("irreps_hidden")) + ", \"irreps_out\": " + quoted(args.get("irreps_out"))
                + ", \"irreps_node_attr\": " + quoted(args.get("irreps_node_attr")) + ", \"irreps_edge_attr\": "
                + quoted(args.get("irreps_edge_attr")) + ", \"layers\": " + args.get("layers")
                + ", \"max_radius\": " + args.get("max_radius")
                + ", \"number_of_basis\": " + args.get("number_of_basis")
                + ", \"radial_layers\": " + args.get("radial_layers") + ", \"radial_neurons\": "
                + args.get("radial_neurons") + ", \"num_neighbors\": " + args.get("num_neighbors") + ", \"num_nodes\": "
                + args.get("num_nodes") + ", \"reduce_output\": " + args.get("reduce_output") + "}";
        Path file = withConstructor(folder.resolve("state_dict.safetensors"), constructor,
                dir.resolve("exported.safetensors"));
        Result result = run("spec", file.toString(), "--name", "Net");
        assertEquals(0, result.status(), result.err());
        assertTrue(result.out().contains("public interface Net extends PointsModel"), result.out());
        StateDict stateDict = StateDict.read(file);
        GeneratedKernels fromSpec = GeneratedKernels.compile(Map.of("test.Net", "package test;\n\n" + result.out()));
        GeneratedKernels fromArguments = GeneratedKernels.compile(Map.of("test.Net",
                GatePointsReferenceTest.specSource(args)));
        PointsModel spec = GatePointsReferenceTest.load(fromSpec, "test.Net", stateDict);
        PointsModel expected = GatePointsReferenceTest.load(fromArguments, "test.Net", stateDict);
        Map<String, Object> inputs = (Map<String, Object>) reference.get("inputs");
        double[] pos = ReferenceData.asDoubles(inputs.get("pos"));
        int[] batch = ReferenceData.asInts(inputs.get("batch")).stream().mapToInt(Integer::intValue).toArray();
        double[] x = inputs.get("x") == null ? null : ReferenceData.asDoubles(inputs.get("x"));
        double[] z = inputs.get("z") == null ? null : ReferenceData.asDoubles(inputs.get("z"));
        assertTrue(Arrays.equals(expected.forward(batch.length, pos, batch, x, z),
                spec.forward(batch.length, pos, batch, x, z)), "outputs");
    }

    @Test
    void aFileWithoutConstructorArgumentsOrAMissingFileOrABadNameIsOneError(@TempDir Path dir) {
        Path publicMace = GatePointsReferenceTest.modelsDirectory().resolve("mace-public/state_dict.safetensors");
        Result noConstructor = run("spec", publicMace.toString());
        assertEquals(2, noConstructor.status());
        assertEquals("", noConstructor.out());
        assertEquals("e3j: error: spec: " + publicMace + " has no 'constructor' metadata; write it with"
                + " tools/export_mace.py or tools/export_e3nn.py", noConstructor.err().strip());
        Result missing = run("spec", dir.resolve("absent.safetensors").toString());
        assertEquals(2, missing.status());
        assertTrue(missing.err().startsWith("e3j: error: spec: cannot read " + dir.resolve("absent.safetensors")),
                missing.err());
        Result badName = run("spec", publicMace.toString(), "--name", "class");
        assertEquals(2, badName.status());
        assertEquals("e3j: error: --name: expected a Java identifier, got 'class'", badName.err().strip());
        Result nameElsewhere = run("sh", "1", "--name", "Y");
        assertEquals(2, nameElsewhere.status());
        assertEquals("e3j: error: sh: --name applies only to spec", nameElsewhere.err().strip());
    }

    private static String quoted(Object value) {
        return value == null ? "null" : "\"" + value + "\"";
    }

    /**
     * A copy of the safetensors file {@code source} with {@code constructor} (JSON) added to its metadata: the header
     * rewritten, padded with spaces to a multiple of 8 bytes, the tensor bytes unchanged (their offsets are relative
     * to the data).
     */
    private static Path withConstructor(Path source, String constructor, Path target) throws IOException {
        byte[] bytes = Files.readAllBytes(source);
        int length = (int) ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(bytes, 8, length, StandardCharsets.UTF_8).strip();
        String marker = "\"__metadata__\":{";
        int at = header.indexOf(marker);
        assertTrue(at >= 0, header);
        String escaped = constructor.replace("\\", "\\\\").replace("\"", "\\\"");
        StringBuilder rewritten = new StringBuilder(header.substring(0, at + marker.length()))
                .append("\"constructor\":\"").append(escaped).append("\",")
                .append(header.substring(at + marker.length()));
        while (rewritten.length() % 8 != 0) {
            rewritten.append(' ');
        }
        byte[] newHeader = rewritten.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + newHeader.length + bytes.length - 8 - length)
                .order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(newHeader.length).put(newHeader).put(bytes, 8 + length, bytes.length - 8 - length);
        return Files.write(target, out.array());
    }
}
