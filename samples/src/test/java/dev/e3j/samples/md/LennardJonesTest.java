package dev.e3j.samples.md;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.runtime.io.ExtXyz;
import dev.e3j.runtime.md.Units;
import dev.e3j.runtime.md.VelocityVerlet;
import dev.e3j.runtime.model.Evaluation;
import dev.e3j.runtime.model.Structure;
import dev.e3j.runtime.testing.PotentialChecks;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Against ASE's {@code LennardJones(smooth=True)} and {@code VelocityVerlet} (reference/ase/lennard_jones*.extxyz). */
class LennardJonesTest {

    private static LennardJones potential(ExtXyz.Frame frame) {
        return new LennardJones(18, Double.parseDouble(frame.info().get("sigma")),
                Double.parseDouble(frame.info().get("epsilon")), Double.parseDouble(frame.info().get("rc")));
    }

    @Test
    void equalsAsesEnergyForcesAndStress() throws IOException {
        List<ExtXyz.Frame> frames = ExtXyz.read(AseReference.file("lennard_jones.extxyz"));
        assertEquals(2, frames.size());
        for (ExtXyz.Frame frame : frames) {
            Evaluation evaluation = potential(frame).evaluate(frame.structure());
            // ASE wrote positions and forces to 8 decimals: its forces are rounded by up to 5e-9 eV/Å, and the values
            // it computed at its own positions differ from those at the written ones by about 1e-8 Å times the
            // force constant.
            assertEquals(frame.energy().getAsDouble(), evaluation.energy(), 1e-9);
            assertArrayEquals(frame.forces(), evaluation.forces(), 1e-8);
            if (frame.structure().hasCell()) {
                assertArrayEquals(frame.stress(), evaluation.stress(), 1e-11);
            }
        }
    }

    @Test
    void forcesAndStressAreDerivativesOfTheEnergy() throws IOException {
        ExtXyz.Frame argon = ExtXyz.read(AseReference.file("lennard_jones.extxyz")).get(0);
        LennardJones lj = potential(argon);
        double forceScale = Math.abs(argon.forces()[0]) + Math.abs(argon.forces()[1]);
        assertTrue(PotentialChecks.forceError(lj, argon.structure(), 1e-4) < 1e-7 + 1e-6 * forceScale);
        assertTrue(PotentialChecks.stressError(lj, argon.structure(), 1e-5) < 1e-9);
        assertTrue(PotentialChecks.nodeEnergySumError(lj, argon.structure()) < 1e-13);
    }

    /** Ten 5 fs steps from the momenta 1.5 sqrt(m kB 300 K) sin(1 + 3a + c), as the reference script set them. */
    @Test
    void velocityVerletFollowsAsesTrajectory() throws IOException {
        List<ExtXyz.Frame> steps = ExtXyz.read(AseReference.file("lennard_jones_md.extxyz"));
        Structure start = steps.get(0).structure();
        VelocityVerlet md = new VelocityVerlet(new LennardJones(18, 3.4, 0.0104, 8.0), start, 5.0 * Units.FS);
        double[] masses = md.masses();
        double[] momenta = new double[3 * start.size()];
        for (int i = 0; i < momenta.length; i++) {
            momenta[i] = 1.5 * Math.sqrt(masses[i / 3] * Units.KB * 300) * Math.sin(1 + i);
        }
        md.setMomenta(momenta);
        assertEquals(Double.parseDouble(steps.get(0).info().get("kinetic_energy")), md.kineticEnergy(), 1e-12);
        for (int s = 1; s < steps.size(); s++) {
            md.step();
            ExtXyz.Frame ase = steps.get(s);
            assertArrayEquals(ase.structure().positions(), md.structure().positions(), 2e-8, "step " + s);
            assertEquals(Double.parseDouble(ase.info().get("potential_energy")), md.potentialEnergy(), 1e-8);
            assertEquals(Double.parseDouble(ase.info().get("kinetic_energy")), md.kineticEnergy(), 1e-8);
            assertEquals(Double.parseDouble(ase.info().get("temperature")), md.temperature(), 1e-4);
        }
    }

    @Test
    void rejectsOtherElementsAndBadParameters() {
        Structure copper = Structure.of(new int[] {18, 29}, new double[] {0, 0, 0, 3, 0, 0});
        assertEquals("LennardJones.evaluate: atoms must be Ar, got Cu for atom 1", assertThrows(
                IllegalArgumentException.class, () -> LennardJones.argon().evaluate(copper)).getMessage());
        assertEquals("LennardJones: cutoff must be a finite number > 0, got NaN", assertThrows(
                IllegalArgumentException.class, () -> new LennardJones(18, 3.4, 0.01, Double.NaN)).getMessage());
    }
}
