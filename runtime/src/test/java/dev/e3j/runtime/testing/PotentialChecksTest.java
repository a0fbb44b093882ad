package dev.e3j.runtime.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.runtime.md.Lattices;
import dev.e3j.runtime.md.Morse;
import dev.e3j.runtime.model.Evaluation;
import dev.e3j.runtime.model.InteratomicPotential;
import dev.e3j.runtime.model.Structure;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PotentialChecksTest {

    private static final Structure COPPER = Lattices.fcc(29, 3.61, 1, 0.1, new Random(3));

    @Test
    void exactForcesAndStressPass() {
        Morse morse = Morse.copper();
        assertTrue(PotentialChecks.forceError(morse, COPPER, 1e-4) < 1e-7);
        assertTrue(PotentialChecks.stressError(morse, COPPER, 1e-4) < 1e-7);
        assertTrue(PotentialChecks.nodeEnergySumError(morse, COPPER) < 1e-12);
        Structure cluster = Structure.of(new int[] {29, 29, 29}, new double[] {0, 0, 0, 2.5, 0, 0, 1, 2.2, 0.3});
        assertTrue(PotentialChecks.forceError(morse, cluster, 1e-4) < 1e-7);
    }

    /** The same potential with a force or stress component off by 1e-3: the checks must see it. */
    @Test
    void wrongForcesOrStressFail() {
        Morse morse = Morse.copper();
        InteratomicPotential wrong = new InteratomicPotential() {
            @Override
            public double rMax() {
                return morse.rMax();
            }

            @Override
            public int[] atomicNumbers() {
                return morse.atomicNumbers();
            }

            @Override
            public Evaluation evaluate(Structure structure) {
                Evaluation exact = morse.evaluate(structure);
                double[] forces = exact.forces();
                forces[4] += 1e-3;
                double[] stress = exact.stress();
                stress[5] += 1e-3;
                return new Evaluation(exact.energy(), exact.nodeEnergies(), forces, stress);
            }
        };
        assertEquals(1e-3, PotentialChecks.forceError(wrong, COPPER, 1e-4), 1e-6);
        assertEquals(1e-3, PotentialChecks.stressError(wrong, COPPER, 1e-4), 1e-6);
    }

    @Test
    void rejectsBadArguments() {
        Morse morse = Morse.copper();
        assertEquals("PotentialChecks.numericalForces: h must be a finite number > 0, got 0.0",
                assertThrows(IllegalArgumentException.class,
                        () -> PotentialChecks.forceError(morse, COPPER, 0)).getMessage());
        Structure molecule = Structure.of(new int[] {29}, new double[3]);
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> PotentialChecks.stressError(morse, molecule, 1e-4)).getMessage()
                .startsWith("PotentialChecks.numericalStress: structure must have a cell, got Structure[1 atoms]"));
    }
}
