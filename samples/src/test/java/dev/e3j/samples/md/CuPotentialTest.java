package dev.e3j.samples.md;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.runtime.io.ExtXyz;
import dev.e3j.runtime.model.Evaluation;
import dev.e3j.runtime.model.InteratomicPotential;
import dev.e3j.runtime.testing.PotentialChecks;
import dev.e3j.runtime.model.Structure;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The sample's default potential, the {@code @Mace} copper model with its shipped weights: it loads, its forces are
 * the energy's gradient, and on the held-out EMT frames ({@code tools/data/cu-emt-test.extxyz}) its errors against
 * EMT are those mace-torch measured when it was trained ({@code mace-cu-emt.json}).
 */
class CuPotentialTest {

    @Test
    void theDefaultPotentialLoadsAndItsForcesAndStressAreDerivativesOfTheEnergy() {
        Potentials.Choice choice = Potentials.all().get(0);
        assertEquals("mace-cu", choice.name());
        InteratomicPotential potential = choice.factory().get();
        assertEquals(5.0, potential.rMax());
        Structure cell = choice.unitCell().get();
        double[] positions = cell.positions();
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < positions.length; i++) {
            positions[i] += 0.1 * (random.nextDouble() - 0.5);
        }
        Structure rattled = cell.withPositions(positions);
        double largest = 0;
        for (double force : potential.evaluate(rattled).forces()) {
            largest = Math.max(largest, Math.abs(force));
        }
        assertTrue(largest > 0.05, "a rattled cell has forces, got at most " + largest + " eV/Å");
        double forceError = PotentialChecks.forceError(potential, rattled, 1e-4);
        assertTrue(forceError < 1e-6, "forces against finite differences: " + forceError + " eV/Å");
        double stressError = PotentialChecks.stressError(potential, rattled, 1e-5);
        assertTrue(stressError < 1e-7, "stress against finite strain: " + stressError + " eV/Å^3");
        IllegalArgumentException hydrogen = assertThrows(IllegalArgumentException.class,
                () -> potential.evaluate(Structure.of(new int[] {1}, new double[3])));
        assertTrue(hydrogen.getMessage().contains("atomic number 1, which the model does not know (it knows [29])"),
                hydrogen.getMessage());
    }

    @Test
    void errorsAgainstEmtOnTheHeldOutFramesAreMaceTorchs() throws IOException {
        List<ExtXyz.Frame> frames = ExtXyz.read(projectFile("tools/data/cu-emt-test.extxyz"));
        List<Structure> structures = new ArrayList<>();
        for (ExtXyz.Frame frame : frames) {
            structures.add(frame.structure());
        }
        List<Evaluation> evaluations = CuPotential.load().evaluate(structures);
        double energyError = 0;
        double forceError = 0;
        double forceSquaredError = 0;
        int components = 0;
        for (int f = 0; f < frames.size(); f++) {
            ExtXyz.Frame frame = frames.get(f);
            Evaluation evaluation = evaluations.get(f);
            energyError += Math.abs(evaluation.energy() - frame.energy().getAsDouble()) / frame.structure().size();
            for (int k = 0; k < frame.forces().length; k++) {
                double difference = evaluation.forces()[k] - frame.forces()[k];
                forceError += Math.abs(difference);
                forceSquaredError += difference * difference;
                components++;
            }
        }
        String metrics = heldOutMetrics();
        // mace-torch measured these with the same float64 model on the same frames: they agree to rounding.
        assertEquals(40, frames.size());
        assertEquals(metric(metrics, "energy_mae_meV_per_atom"), 1000 * energyError / frames.size(), 1e-9);
        assertEquals(metric(metrics, "force_mae_meV_per_A"), 1000 * forceError / components, 1e-9);
        assertEquals(metric(metrics, "force_rmse_meV_per_A"), 1000 * Math.sqrt(forceSquaredError / components), 1e-9);
    }

    /** The {@code "test"} object of {@code metrics_vs_emt} in {@code mace-cu-emt.json}. */
    private static String heldOutMetrics() throws IOException {
        try (InputStream in = CuPotential.class.getResourceAsStream("mace-cu-emt.json")) {
            String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Matcher test = Pattern.compile("\"metrics_vs_emt\"\\s*:\\s*\\{\\s*\"test\"\\s*:\\s*\\{([^}]*)}")
                    .matcher(json);
            assertTrue(test.find(), "mace-cu-emt.json has metrics_vs_emt.test");
            return test.group(1);
        }
    }

    private static double metric(String metrics, String key) {
        Matcher value = Pattern.compile("\"" + key + "\"\\s*:\\s*([-+0-9.eE]+)").matcher(metrics);
        assertTrue(value.find(), "metrics_vs_emt.test." + key);
        return Double.parseDouble(value.group(1));
    }

    private static Path projectFile(String path) {
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(path))) {
                return dir.resolve(path);
            }
        }
        throw new IllegalStateException(path + " not found from " + Paths.get("").toAbsolutePath());
    }
}
