package dev.e3j.runtime.md;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.runtime.model.Evaluation;
import dev.e3j.runtime.model.InteratomicPotential;
import dev.e3j.runtime.model.Structure;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class VelocityVerletTest {

    private static final Structure COPPER = Lattices.fcc(29, 3.61, 2, 0.05, new Random(1));

    @Test
    void conservesEnergyOver200Steps() {
        VelocityVerlet md = new VelocityVerlet(Morse.copper(), COPPER, 2.0 * Units.FS);
        md.initializeMomenta(600, new SplittableRandom(42));
        double start = md.totalEnergy();
        double worst = 0;
        for (int s = 0; s < 200; s++) {
            md.step();
            worst = Math.max(worst, Math.abs(md.energyDriftPerAtom()));
        }
        assertEquals(200, md.steps());
        assertEquals(400 * Units.FS, md.time(), 1e-12);
        assertEquals((md.totalEnergy() - start) / COPPER.size(), md.energyDriftPerAtom(), 1e-15);
        assertTrue(worst < 2e-4, "largest drift " + worst + " eV/atom");
        assertTrue(md.temperature() > 100, "the crystal stays hot, T = " + md.temperature());
    }

    @Test
    void aLongerStepConservesEnergyWorse() {
        double[] drifts = new double[2];
        double[] timesteps = {1.0, 4.0};
        for (int t = 0; t < 2; t++) {
            VelocityVerlet md = new VelocityVerlet(Morse.copper(), COPPER, timesteps[t] * Units.FS);
            md.initializeMomenta(600, new SplittableRandom(42));
            for (int s = 0; s < 100 / (int) timesteps[t]; s++) {
                md.step();
                drifts[t] = Math.max(drifts[t], Math.abs(md.energyDriftPerAtom()));
            }
        }
        // Velocity Verlet's energy error is second order in the time step: 16 times larger at 4 fs than at 1 fs.
        assertTrue(drifts[1] > 4 * drifts[0], "drift at 1 fs " + drifts[0] + ", at 4 fs " + drifts[1]);
    }

    @Test
    void isTimeReversible() {
        VelocityVerlet forward = new VelocityVerlet(Morse.copper(), COPPER, 2.0 * Units.FS);
        forward.initializeMomenta(300, new SplittableRandom(3));
        double[] initialMomenta = forward.momenta();
        forward.run(50);
        double[] reversed = forward.momenta();
        for (int i = 0; i < reversed.length; i++) {
            reversed[i] = -reversed[i];
        }
        VelocityVerlet backward = new VelocityVerlet(Morse.copper(), forward.structure(), 2.0 * Units.FS);
        backward.setMomenta(reversed);
        backward.run(50);
        assertArrayEquals(COPPER.positions(), backward.structure().positions(), 1e-9);
        double[] returned = backward.momenta();
        for (int i = 0; i < returned.length; i++) {
            assertEquals(-initialMomenta[i], returned[i], 1e-9);
        }
    }

    @Test
    void maxwellBoltzmannMomentaHaveNoTotalAndTheirTemperature() {
        Structure big = Lattices.fcc(29, 3.61, 5, 0.0, new Random(2));
        VelocityVerlet md = new VelocityVerlet(new Morse(0.34, 1.36, 2.6, 3.0), big, Units.FS);
        md.initializeMomenta(1000, new SplittableRandom(5));
        double[] p = md.momenta();
        for (int c = 0; c < 3; c++) {
            double total = 0;
            for (int a = 0; a < big.size(); a++) {
                total += p[3 * a + c];
            }
            assertEquals(0, total, 1e-9);
        }
        // 500 atoms: the kinetic temperature of 1497 degrees of freedom scatters by about 1000 * sqrt(2/1500) K.
        assertEquals(1000 * (3.0 * big.size() - 3) / (3.0 * big.size()), md.temperature(), 150);
        double factor = Math.sqrt(250 / md.temperature());
        md.scaleToTemperature(250);
        assertEquals(250, md.temperature(), 1e-9);
        assertEquals(0, md.energyDriftPerAtom(), 0.0);
        assertEquals(p[0] * factor / Elements.mass(29), md.velocities()[0], 1e-15, "velocities are p/m");
    }

    @Test
    void rejectsBadArgumentsNamingThem() {
        Morse morse = Morse.copper();
        assertEquals("VelocityVerlet: timestep must be a finite number > 0 (ASE time units, femtoseconds * "
                + "Units.FS), got 0.0", assertThrows(IllegalArgumentException.class,
                        () -> new VelocityVerlet(morse, COPPER, 0.0)).getMessage());
        VelocityVerlet md = new VelocityVerlet(morse, COPPER, Units.FS);
        assertEquals("VelocityVerlet.initializeMomenta: temperature must be a finite number >= 0 (K), got -1.0",
                assertThrows(IllegalArgumentException.class,
                        () -> md.initializeMomenta(-1, new SplittableRandom(1))).getMessage());
        assertEquals("VelocityVerlet.setMomenta: momenta must have length 96 (32 atoms x 3), got 3",
                assertThrows(IllegalArgumentException.class, () -> md.setMomenta(new double[3])).getMessage());
        Structure unknown = Structure.of(new int[] {0}, new double[3]);
        assertThrows(IllegalArgumentException.class, () -> new VelocityVerlet(morse, unknown, Units.FS));
    }

    @Test
    void reportsADivergingTrajectory() {
        InteratomicPotential explosive = new InteratomicPotential() {
            @Override
            public double rMax() {
                return 1;
            }

            @Override
            public int[] atomicNumbers() {
                return new int[] {1};
            }

            @Override
            public Evaluation evaluate(Structure structure) {
                return new Evaluation(0, new double[1], new double[] {Double.POSITIVE_INFINITY, 0, 0}, null);
            }
        };
        VelocityVerlet md = new VelocityVerlet(explosive, Structure.of(new int[] {1}, new double[3]), Units.FS);
        IllegalStateException e = assertThrows(IllegalStateException.class, md::step);
        assertTrue(e.getMessage().startsWith("VelocityVerlet.step: the trajectory diverged at step 1 (atom 0"),
                e.getMessage());
    }
}
