package dev.e3j.samples.md;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.runtime.io.ExtXyz;
import dev.e3j.runtime.model.Structure;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MolecularDynamicsTest {

    private static String run(int expectedStatus, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = MolecularDynamics.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        assertEquals(expectedStatus, status, text);
        return text;
    }

    @Test
    void conservesEnergyOver200StepsAndWritesATrajectory(@TempDir Path dir) throws IOException,
            MdOptions.UsageException {
        Path trajectory = dir.resolve("runs").resolve("argon.extxyz");
        MdOptions options = MdOptions.parse("--steps", "200", "--dt", "5", "--temperature", "80", "--supercell", "2",
                "--every", "20", "--out", trajectory.toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Structure start = Potentials.repeat(Potentials.fccCubicCell(18, 5.26), options.supercell());
        MolecularDynamics.Result result = MolecularDynamics.run(LennardJones.argon(), start, options,
                new PrintStream(out, true, StandardCharsets.UTF_8));
        assertEquals(32, result.atoms());
        assertEquals(200, result.steps());
        assertTrue(Math.abs(result.driftPerAtom()) < 1e-4, "drift " + result.driftPerAtom() + " eV/atom");
        assertTrue(result.finalTemperature() > 10, "T = " + result.finalTemperature());
        List<ExtXyz.Frame> frames = ExtXyz.read(trajectory);
        assertEquals(11, frames.size(), "the start and every 20 steps");
        assertArrayEquals(start.positions(), frames.get(0).structure().positions());
        assertArrayEquals(start.cell(), frames.get(10).structure().cell());
        assertTrue(frames.get(10).energy().isPresent() && frames.get(10).forces() != null);
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("total-energy drift after 200 steps (1.000 ps): "), text);
    }

    @Test
    void runsFromTheCommandLineAndFromAStructureFile(@TempDir Path dir) throws IOException {
        Path first = dir.resolve("first.extxyz");
        String text = run(0, "--potential", "lj", "--steps", "10", "--every", "5", "--supercell", "1x1x2", "--out",
                first.toString());
        assertTrue(text.contains("Lennard-Jones Ar"), text);
        assertTrue(text.contains("  8 atoms in a 291.1 Å^3 cell"), text);
        Path second = dir.resolve("second.extxyz");
        run(0, "--potential", "lj", "--structure", first.toString(), "--steps", "5", "--supercell", "1", "--out",
                second.toString());
        assertEquals(8, ExtXyz.read(second).get(0).structure().size());
    }

    @Test
    void runsMaceCopperByDefault(@TempDir Path dir) throws IOException {
        Path trajectory = dir.resolve("copper.extxyz");
        String text = run(0, "--steps", "4", "--every", "2", "--supercell", "1", "--out", trajectory.toString());
        assertTrue(text.contains("MACE copper"), text);
        assertTrue(text.contains("  4 atoms in a 46.7 Å^3 cell"), text);
        List<ExtXyz.Frame> frames = ExtXyz.read(trajectory);
        assertEquals(3, frames.size(), "the start and every 2 steps");
        assertEquals(29, frames.get(2).structure().atomicNumbers()[3]);
    }

    @Test
    void helpNamesThePotentialsHonestly() {
        String help = run(0, "--help");
        assertTrue(help.startsWith("usage: java -jar e3j-md.jar"), help);
        assertTrue(help.contains("lj     Lennard-Jones argon (sigma 3.4 Å, epsilon 0.0104 eV, smooth cutoff at 8 Å): a "
                + "classical test potential, not a machine-learned one"), help);
    }

    @Test
    void reportsProblemsInOneLine(@TempDir Path dir) throws IOException {
        assertEquals("e3j-md: --potential must be one of [mace-cu, lj], got 'mace' (--help for usage)\n",
                run(MolecularDynamics.USAGE_ERROR, "--potential", "mace"));
        Path bad = dir.resolve("bad.extxyz");
        Files.writeString(bad, "1\nProperties=species:S:1:pos:R:3\nH 0 0\n");
        assertEquals("e3j-md: " + bad + ":3: expected 4 columns (species:S:1:pos:R:3), got 3 in 'H 0 0'\n",
                run(MolecularDynamics.FAILED, "--structure", bad.toString()));
        Path hydrogen = dir.resolve("hydrogen.extxyz");
        Files.writeString(hydrogen, "1\nProperties=species:S:1:pos:R:3\nH 0 0 0\n");
        assertEquals("e3j-md: --supercell needs a structure with a cell, got Structure[1 atoms]\n",
                run(MolecularDynamics.FAILED, "--structure", hydrogen.toString()));
        assertEquals("e3j-md: LennardJones.evaluate: atoms must be Ar, got H for atom 0\n",
                run(MolecularDynamics.FAILED, "--potential", "lj", "--structure", hydrogen.toString(), "--supercell",
                        "1"));
    }
}
