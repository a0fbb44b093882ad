package dev.e3j.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** mace-torch's weighted energy/force/stress loss, by hand on two structures, and its derivatives by differences. */
class EnergyForceLossTest {

    private static final Structure MOLECULE = Structure.of(new int[] {1, 1}, new double[] {0, 0, 0, 0, 0, 0.74});
    private static final Structure CELL = Structure.periodic(new int[] {29}, new double[] {0, 0, 0},
            new double[] {2, 0, 0, 0, 2, 0, 0, 0, 2}, new boolean[] {true, true, true});

    private static List<TrainingStructure> batch() {
        return List.of(new TrainingStructure(MOLECULE, -1.0, new double[] {0, 0, 0.5, 0, 0, -0.5}, null, 2.0),
                new TrainingStructure(CELL, -3.0, new double[] {0.1, 0, 0}, new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1},
                        0.5));
    }

    private static List<Evaluation> predictions(double[] forces, double[] stress, double e0, double e1) {
        return List.of(new Evaluation(e0, new double[2], new double[] {forces[0], forces[1], forces[2], forces[3],
                        forces[4], forces[5]}, null),
                new Evaluation(e1, new double[1], new double[] {forces[6], forces[7], forces[8]}, stress));
    }

    @Test
    void valueIsMaceTorchsFormula() {
        double[] forces = {0.1, 0, 0.3, 0, 0.2, -0.5, 0, 0, 0};
        double[] stress = {1.5, 0, 0, 0, 1, 0, 0, 0, 0.5};
        EnergyForceLoss loss = new EnergyForceLoss(1.0, 10.0, 3.0);
        double energy = (2.0 * Math.pow((-0.8 + 1.0) / 2, 2) + 0.5 * Math.pow(-3.3 + 3.0, 2)) / 2;
        double force = (2.0 * (0.01 + 0.04 + 0.04) + 0.5 * 0.01) / 9;
        double stressTerm = 0.5 * (0.25 + 0.25) / 18;
        assertEquals(energy + 10 * force + 3 * stressTerm,
                loss.value(batch(), predictions(forces, stress, -0.8, -3.3)), 1e-15);
    }

    @Test
    void derivativesEqualDifferencesOfTheValue() {
        double[] forces = {0.1, 0, 0.3, 0, 0.2, -0.5, 0.05, 0, 0};
        double[] stress = {1.5, 0.2, 0, 0.1, 1, 0, 0, 0, 0.5};
        EnergyForceLoss loss = new EnergyForceLoss(1.5, 10.0, 3.0);
        EnergyForceLoss.Derivatives d = loss.derivatives(batch(), predictions(forces, stress, -0.8, -3.3));
        double h = 1e-6;
        assertEquals((loss.value(batch(), predictions(forces, stress, -0.8 + h, -3.3))
                - loss.value(batch(), predictions(forces, stress, -0.8 - h, -3.3))) / (2 * h), d.energy()[0], 1e-8);
        for (int k = 0; k < forces.length; k++) {
            double[] up = forces.clone();
            double[] down = forces.clone();
            up[k] += h;
            down[k] -= h;
            assertEquals((loss.value(batch(), predictions(up, stress, -0.8, -3.3))
                    - loss.value(batch(), predictions(down, stress, -0.8, -3.3))) / (2 * h), d.forces()[k], 1e-8,
                    "force " + k);
        }
        for (int k = 0; k < 9; k++) {
            double[] up = stress.clone();
            double[] down = stress.clone();
            up[k] += h;
            down[k] -= h;
            assertEquals((loss.value(batch(), predictions(forces, up, -0.8, -3.3))
                    - loss.value(batch(), predictions(forces, down, -0.8, -3.3))) / (2 * h), d.stress()[1][k], 1e-8,
                    "stress " + k);
        }
    }

    @Test
    void badArgumentsAreNamed() {
        IllegalArgumentException weight = assertThrows(IllegalArgumentException.class,
                () -> new EnergyForceLoss(-1, 1, 0));
        assertEquals(true, weight.getMessage().contains("energyWeight"));
        IllegalArgumentException forces = assertThrows(IllegalArgumentException.class,
                () -> TrainingStructure.of(MOLECULE, 0, new double[3]));
        assertEquals(true, forces.getMessage().contains("forces"));
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> EnergyForceLoss.of(1, 1).value(batch(), List.of()));
        assertEquals(true, count.getMessage().contains("predictions"));
    }
}
