package dev.e3j.samples.md;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training sample: a MACE trained from scratch in Java on EMT copper gets better on held-out frames (the force
 * error falls), then runs NVE molecular dynamics.
 */
class CuTrainingTest {

    @Test
    void forceErrorFallsAndTheTrainedModelRunsMolecularDynamics(@TempDir Path dir) throws IOException,
            MdOptions.UsageException {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
        CuTraining.Result result = CuTraining.train(2, 1, out);
        double before = result.before().forceRmse();
        double after = result.after().get(result.after().size() - 1).forceRmse();
        assertTrue(after < 0.7 * before, "held-out force RMSE " + before + " -> " + after + "\n" + log);

        MdOptions options = MdOptions.parse("--steps", "20", "--every", "10", "--out",
                dir.resolve("md-trained.extxyz").toString());
        MolecularDynamics.Result md = MolecularDynamics.run(result.potential(), Potentials.repeat(
                Potentials.fccCubicCell(29, Potentials.CU_LATTICE_CONSTANT), new int[] {2, 2, 2}), options, out);
        assertEquals(20, md.steps());
        assertTrue(Math.abs(md.driftPerAtom()) < 1e-2, "energy drift per atom " + md.driftPerAtom() + "\n" + log);
    }
}
