package dev.e3j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.runtime.io.StateDict;
import dev.e3j.runtime.model.Evaluation;
import dev.e3j.runtime.model.Structure;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The test potential itself: forces and stress are the derivatives of its energy. */
class PairPotentialTest {

    private final PairPotential potential = new PairPotential(PairPotential.COPPER);

    /** A rattled cell sheared so that its lattice vectors are not orthogonal, periodic along two of them. */
    private static Structure shearedSlab() {
        Structure cell = Screen.rattledCopper(11, 0, 0.1);
        double[] lattice = cell.cell();
        lattice[3] = 1.3;
        lattice[6] = -0.7;
        return Structure.periodic(cell.atomicNumbers(), cell.positions(), lattice, new boolean[] {true, false, true});
    }

    @Test
    void forcesAreMinusTheEnergyGradient() {
        Structure structure = shearedSlab();
        Evaluation evaluation = potential.evaluate(structure);
        double h = 1e-6;
        for (int c : new int[] {0, 4, 50, 95}) {
            double[] plus = structure.positions();
            double[] minus = structure.positions();
            plus[c] += h;
            minus[c] -= h;
            double gradient = (potential.evaluate(structure.withPositions(plus)).energy()
                    - potential.evaluate(structure.withPositions(minus)).energy()) / (2 * h);
            assertEquals(-gradient, evaluation.forces()[c], 1e-6, "coordinate " + c);
        }
    }

    @Test
    void stressIsTheStrainDerivativeOverTheVolume() {
        Structure structure = Screen.rattledCopper(11, 1, 0.1);
        Evaluation evaluation = potential.evaluate(structure);
        double h = 1e-6;
        for (int a = 0; a < 3; a++) {
            for (int b = 0; b < 3; b++) {
                double derivative = (strained(structure, a, b, h) - strained(structure, a, b, -h)) / (2 * h);
                assertEquals(derivative / structure.volume(), evaluation.stress()[3 * a + b], 1e-7,
                        "stress " + a + b);
            }
        }
        double sum = 0;
        for (double e : evaluation.nodeEnergies()) {
            sum += e;
        }
        assertEquals(evaluation.energy(), sum, 1e-12);
    }

    /** {@return the energy with positions and cell deformed by {@code x -> (1 + eps e_ab) x}} */
    private double strained(Structure structure, int a, int b, double eps) {
        double[] pos = structure.positions();
        double[] cell = structure.cell();
        for (double[] vectors : new double[][] {pos, cell}) {
            for (int i = 0; i < vectors.length; i += 3) {
                vectors[i + a] += eps * vectors[i + b];
            }
        }
        return potential.evaluate(Structure.periodic(structure.atomicNumbers(), pos, cell, structure.pbc()))
                .energy();
    }

    @Test
    void theSamplesWeightsFileHoldsTheCopperParameters() throws Exception {
        StateDict file = StateDict.read(Path.of(PairPotentialTest.class.getResource("/lj-cu.safetensors").toURI()));
        assertEquals(PairPotential.COPPER.names(), file.names());
        for (String name : file.names()) {
            assertArrayEquals(PairPotential.COPPER.shape(name), file.shape(name), name);
            assertArrayEquals(PairPotential.COPPER.doubles(name), file.doubles(name), 0.0, name);
        }
    }

    @Test
    void anUnknownElementIsNamed() {
        Structure gold = Structure.of(new int[] {79}, new double[3]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> potential.evaluate(gold));
        assertTrue(e.getMessage().contains("79"), e.getMessage());
    }
}
