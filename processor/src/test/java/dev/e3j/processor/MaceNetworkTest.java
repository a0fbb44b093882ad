package dev.e3j.processor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.runtime.io.StateDict;
import dev.e3j.runtime.io.Tensor;
import dev.e3j.runtime.model.InteratomicPotential;
import dev.e3j.runtime.model.Mace;
import dev.e3j.runtime.model.Structure;
import dev.e3j.runtime.o3.Rotations;
import dev.e3j.runtime.testing.PotentialChecks;
import dev.e3j.testsupport.ReferenceData;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A generated {@code @Mace} potential ({@code reference/models/mace-periodic}: Cu and O, two residual interactions)
 * as a potential: invariances, forces and stress against finite differences, periodic self-images, unknown elements
 * and a {@code state_dict} that does not fit.
 */
class MaceNetworkTest {

    private static String spec;
    private static StateDict stateDict;
    private static InteratomicPotential potential;
    private static List<Structure> structures;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void load() throws Exception {
        Path folder = GatePointsReferenceTest.modelsDirectory().resolve("mace-periodic");
        Map<String, Object> reference = (Map<String, Object>) ReferenceData.parse(
                Files.readString(folder.resolve("reference.json")));
        spec = MaceReferenceTest.specSource((Map<String, Object>) reference.get("constructor"));
        stateDict = StateDict.read(folder.resolve("state_dict.safetensors"));
        potential = MaceReferenceTest.load(spec, stateDict);
        structures = MaceReferenceTest.structures(reference);
    }

    /** The slab, without its cell: a cluster of 13 atoms. */
    private static Structure cluster() {
        Structure slab = structures.get(2);
        return Structure.of(slab.atomicNumbers(), slab.positions());
    }

    private static double[] rotate(double[][] r, double[] vectors, int sign) {
        double[] out = new double[vectors.length];
        for (int i = 0; i < vectors.length; i += 3) {
            for (int a = 0; a < 3; a++) {
                double sum = 0;
                for (int b = 0; b < 3; b++) {
                    sum += r[a][b] * vectors[i + b];
                }
                out[i + a] = sign * sum;
            }
        }
        return out;
    }

    @Test
    void energyInvariantUnderRotationInversionTranslationAndPermutation() {
        double[][] r = Rotations.anglesToMatrix(0.7, 1.9, -2.3);
        for (Structure structure : List.of(cluster(), structures.get(0), structures.get(1))) {
            double energy = potential.evaluate(structure).energy();
            for (int sign : new int[] {1, -1}) {
                double[] positions = rotate(r, structure.positions(), sign);
                Structure moved = structure.hasCell()
                        ? Structure.periodic(structure.atomicNumbers(), positions,
                                rotate(r, structure.cell(), sign), structure.pbc())
                        : Structure.of(structure.atomicNumbers(), positions);
                assertEquals(energy, potential.evaluate(moved).energy(), 1e-12 * Math.abs(energy),
                        "rotated" + (sign < 0 ? " and inverted " : " ") + structure);
            }
            double[] translated = structure.positions();
            for (int i = 0; i < translated.length; i++) {
                translated[i] += 0.37 + 0.11 * (i % 3);
            }
            assertEquals(energy, potential.evaluate(structure.withPositions(translated)).energy(),
                    1e-12 * Math.abs(energy), "translated " + structure);
            int n = structure.size();
            int[] numbers = structure.atomicNumbers();
            double[] positions = structure.positions();
            int[] permutedNumbers = new int[n];
            double[] permutedPositions = new double[3 * n];
            for (int i = 0; i < n; i++) {
                int from = n - 1 - i;
                permutedNumbers[i] = numbers[from];
                System.arraycopy(positions, 3 * from, permutedPositions, 3 * i, 3);
            }
            Structure permuted = structure.hasCell()
                    ? Structure.periodic(permutedNumbers, permutedPositions, structure.cell(), structure.pbc())
                    : Structure.of(permutedNumbers, permutedPositions);
            assertEquals(energy, potential.evaluate(permuted).energy(), 1e-12 * Math.abs(energy),
                    "permuted " + structure);
        }
    }

    @Test
    void forcesAreMinusTheEnergyGradient() {
        for (Structure structure : List.of(cluster(), structures.get(1))) {
            double error = PotentialChecks.forceError(potential, structure, 1e-4);
            assertTrue(error < 1e-6, "forces of " + structure + " against central differences: " + error);
        }
    }

    /** The small triclinic cell, where every atom sees its own images, and the slab, periodic in two directions. */
    @Test
    void stressIsTheStrainDerivativeOverVolume() {
        for (Structure structure : List.of(structures.get(1), structures.get(2))) {
            double error = PotentialChecks.stressError(potential, structure, 1e-5);
            assertTrue(error < 1e-6, "stress of " + structure + " against central differences: " + error);
        }
        assertNull(potential.evaluate(cluster()).stress(), "no stress without a cell");
    }

    /**
     * A new model with mace-torch's radial options ({@code mace-gaussian-soft}: Gaussian basis, soft transform, ZBL),
     * drawn by {@code initialParameters}: its buffers are those mace-torch initialises (Gaussian centres, the
     * transform's and the repulsion's constants, ASE's covalent radii: equal to the reference model's buffers), and as
     * a potential its forces and stress are the energy's derivatives.
     */
    @Test
    @SuppressWarnings("unchecked")
    void aNewModelWithRadialOptionsStartsFromMaceTorchsBuffers() throws Exception {
        Path folder = GatePointsReferenceTest.modelsDirectory().resolve("mace-gaussian-soft");
        Map<String, Object> reference = (Map<String, Object>) ReferenceData.parse(
                Files.readString(folder.resolve("reference.json")));
        Map<String, Object> constructor = (Map<String, Object>) reference.get("constructor");
        Mace mace = (Mace) MaceReferenceTest.compile(MaceReferenceTest.specSource(constructor))
                .loadClass("test.PotentialImpl").getMethod("architecture", Map.class).invoke(null, Map.of());
        double[] e0 = ReferenceData.asDoubles(constructor.get("atomic_energies"));
        double[] params = mace.initialParameters(new Random(5), e0, 1.0, 0.0);
        double[] loaded = mace.parameters(StateDict.read(folder.resolve("state_dict.safetensors")));
        for (String buffer : List.of("radial_embedding.bessel_fn.gaussian_weights",
                "radial_embedding.distance_transform.a", "radial_embedding.distance_transform.b",
                "radial_embedding.distance_transform.covalent_radii", "pair_repulsion_fn.c", "pair_repulsion_fn.p",
                "pair_repulsion_fn.a_exp", "pair_repulsion_fn.a_prefactor", "pair_repulsion_fn.covalent_radii")) {
            int offset = mace.parameterOffset(buffer);
            int length = buffer.endsWith("covalent_radii") ? 119 : buffer.endsWith("weights") ? 7
                    : buffer.endsWith(".c") ? 4 : 1;
            for (int k = offset; k < offset + length; k++) {
                assertEquals(loaded[k], params[k], 1e-15 * Math.abs(loaded[k]), buffer + " entry " + (k - offset));
            }
        }
        InteratomicPotential fresh = mace.potential(mace.weights(params));
        List<Structure> cells = MaceReferenceTest.structures(reference);
        for (Structure structure : List.of(cells.get(1), cells.get(2))) {
            double forces = PotentialChecks.forceError(fresh, structure, 1e-4);
            assertTrue(forces < 1e-6, "forces of " + structure + " against central differences: " + forces);
            double stress = PotentialChecks.stressError(fresh, structure, 1e-5);
            assertTrue(stress < 1e-6, "stress of " + structure + " against central differences: " + stress);
        }
    }

    @Test
    void nodeEnergiesSumToTheEnergy() {
        for (Structure structure : structures) {
            assertTrue(PotentialChecks.nodeEnergySumError(potential, structure) < 1e-9, structure.toString());
        }
    }

    @Test
    void concurrentEvaluationsAgreeWithSequentialOnes() {
        double[] expected = structures.stream().mapToDouble(s -> potential.evaluate(s).energy()).toArray();
        List<double[]> energies = IntStream.range(0, 8).parallel()
                .mapToObj(i -> structures.stream().mapToDouble(s -> potential.evaluate(s).energy()).toArray())
                .toList();
        for (double[] actual : energies) {
            assertArrayEquals(expected, actual, 0.0);
        }
    }

    @Test
    void unknownElementsAreNamed() {
        Structure water = Structure.of(new int[] {8, 1, 1}, new double[] {0, 0, 0, 0.96, 0, 0, -0.24, 0.93, 0});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> potential.evaluate(water));
        assertTrue(e.getMessage().startsWith("structure: atom 1 has atomic number 1")
                && e.getMessage().contains("[8, 29]"), e.getMessage());
        IllegalArgumentException batch = assertThrows(IllegalArgumentException.class,
                () -> potential.evaluate(List.of(structures.get(0), water)));
        assertTrue(batch.getMessage().startsWith("structures[1]: atom 1 has atomic number 1"), batch.getMessage());
    }

    @Test
    void aStateDictThatDoesNotFitIsDescribedInOneMessage() throws Exception {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (String name : stateDict.names()) {
            tensors.put(name, stateDict.tensor(name));
        }
        tensors.remove("interactions.1.linear.weight");
        tensors.put("readouts.0.linear.weight", Tensor.ofDoubles(new long[] {3}, new double[3]));
        tensors.put("interactions.0.extra", Tensor.ofDoubles(new long[] {1}, new double[1]));
        InvocationTargetException thrown = assertThrows(InvocationTargetException.class,
                () -> MaceReferenceTest.load(spec, StateDict.of(tensors)));
        String message = thrown.getCause().getMessage();
        assertTrue(thrown.getCause() instanceof IllegalArgumentException, thrown.getCause().toString());
        assertTrue(message.contains("1 missing: interactions.1.linear.weight"), message);
        assertTrue(message.contains("readouts.0.linear.weight: expected shape [8], got [3]"), message);
        assertTrue(message.contains("1 unexpected: interactions.0.extra [1]"), message);
    }
}
