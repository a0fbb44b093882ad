package dev.e3j.runtime.model;

import dev.e3j.runtime.internal.Checks;

/**
 * A structure with the reference values a potential is trained on: what one configuration of mace-torch's training
 * set holds.
 *
 * @param structure the atoms
 * @param energy    the reference total energy
 * @param forces    the reference forces, {@code [n][3]} row-major
 * @param stress    the reference stress, {@code [3][3]} row-major, or null (then the configuration adds nothing to the
 *                  stress term, as mace-torch's {@code stress_weight} 0)
 * @param weight    the configuration's weight (mace-torch's {@code config_weight}), which multiplies each of its terms
 */
public record TrainingStructure(Structure structure, double energy, double[] forces, double[] stress,
                                double weight) {

    /**
     * Checks the shapes, copies the arrays.
     *
     * @throws IllegalArgumentException for a missing structure or forces, a wrong length, or a weight that is not
     *                                  finite and {@code >= 0}
     */
    public TrainingStructure {
        String where = "new TrainingStructure";
        Checks.requireNonNull(where, "structure", structure);
        Checks.requireNonNull(where, "forces", forces);
        Checks.requireLength(where, "forces", forces, 3 * structure.size());
        if (stress != null) {
            Checks.requireLength(where, "stress", stress, 9);
        }
        if (!(weight >= 0 && weight < Double.POSITIVE_INFINITY)) {
            throw Checks.invalid(where, "weight", "be finite and >= 0", weight);
        }
        forces = forces.clone();
        stress = stress == null ? null : stress.clone();
    }

    /** A structure with reference energy and forces, no stress, weight 1. */
    public static TrainingStructure of(Structure structure, double energy, double[] forces) {
        return new TrainingStructure(structure, energy, forces, null, 1.0);
    }

    /** {@return a copy of the reference forces} */
    @Override
    public double[] forces() {
        return forces.clone();
    }

    /** {@return a copy of the reference stress, or null} */
    @Override
    public double[] stress() {
        return stress == null ? null : stress.clone();
    }
}
