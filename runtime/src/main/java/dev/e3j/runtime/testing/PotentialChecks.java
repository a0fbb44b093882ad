package dev.e3j.runtime.testing;

import dev.e3j.runtime.model.Evaluation;
import dev.e3j.runtime.model.InteratomicPotential;
import dev.e3j.runtime.model.Structure;

/**
 * Finite-difference checks of any {@link InteratomicPotential}: are its forces {@code -dE/dpositions}, its stress
 * {@code (1/V) dE/dstrain}, and its per-atom energies a partition of the energy? Central differences with step
 * {@code h} err by {@code O(h^2)} (plus rounding {@code ~ eps E / h}): for energies of order 1 eV, {@code h = 1e-4}
 * (Å, or strain) leaves errors near {@code 1e-8} for a smooth potential.
 *
 * <p>Costs: {@link #numericalForces} evaluates the potential {@code 6n} times, {@link #numericalStress} 12 times.
 */
public final class PotentialChecks {

    private PotentialChecks() {
    }

    /**
     * {@code -(E(x + h e) - E(x - h e)) / 2h} for every atom and Cartesian direction {@code e}, {@code [n][3]}.
     *
     * @throws IllegalArgumentException if an argument is null or {@code h} is not a finite number {@code > 0}
     */
    public static double[] numericalForces(InteratomicPotential potential, Structure structure, double h) {
        requireArguments("numericalForces", potential, structure, h);
        double[] positions = structure.positions();
        double[] forces = new double[positions.length];
        for (int i = 0; i < positions.length; i++) {
            double[] displaced = positions.clone();
            displaced[i] = positions[i] + h;
            double plus = potential.evaluate(structure.withPositions(displaced)).energy();
            displaced[i] = positions[i] - h;
            double minus = potential.evaluate(structure.withPositions(displaced)).energy();
            forces[i] = -(plus - minus) / (2 * h);
        }
        return forces;
    }

    /**
     * The largest {@code |F - F_numerical|} over all atoms and directions, with {@code F} the potential's forces and
     * {@code F_numerical} {@link #numericalForces}.
     *
     * @throws IllegalArgumentException as {@link #numericalForces}
     */
    public static double forceError(InteratomicPotential potential, Structure structure, double h) {
        double[] numerical = numericalForces(potential, structure, h);
        double[] forces = potential.evaluate(structure).forces();
        return maxDifference(forces, numerical);
    }

    /**
     * ASE's numerical stress ({@code Calculator.calculate_numerical_stress}): the cell and the positions strained
     * together, {@code x -> x (I + ε)} for row vectors, with a symmetric strain {@code ε} of {@code ±h} on one
     * diagonal component or {@code ±h} on both of a symmetric pair; {@code σ = (1/V) dE/dε} by central differences,
     * {@code [3][3]} row-major.
     *
     * @throws IllegalArgumentException if an argument is null, {@code h} is not a finite number {@code > 0}, or the
     *     structure has no cell
     */
    public static double[] numericalStress(InteratomicPotential potential, Structure structure, double h) {
        requireArguments("numericalStress", potential, structure, h);
        if (!structure.hasCell()) {
            throw new IllegalArgumentException("PotentialChecks.numericalStress: structure must have a cell, got "
                    + structure);
        }
        double volume = structure.volume();
        double[] stress = new double[9];
        for (int a = 0; a < 3; a++) {
            for (int b = a; b < 3; b++) {
                double plus = strainedEnergy(potential, structure, a, b, h);
                double minus = strainedEnergy(potential, structure, a, b, -h);
                // A diagonal strain moves one component by h; an off-diagonal one moves two (ab and ba).
                double derivative = (plus - minus) / (2 * h) / (a == b ? 1 : 2);
                stress[3 * a + b] = derivative / volume;
                stress[3 * b + a] = derivative / volume;
            }
        }
        return stress;
    }

    /**
     * The largest {@code |σ - σ_numerical|} over the nine components, with {@code σ} the potential's stress and
     * {@code σ_numerical} {@link #numericalStress}.
     *
     * @throws IllegalArgumentException as {@link #numericalStress}, or if the potential returns no stress
     */
    public static double stressError(InteratomicPotential potential, Structure structure, double h) {
        double[] numerical = numericalStress(potential, structure, h);
        double[] stress = potential.evaluate(structure).stress();
        if (stress == null) {
            throw new IllegalArgumentException("PotentialChecks.stressError: potential must return a stress for a "
                    + "structure with a cell, got none for " + structure);
        }
        return maxDifference(stress, numerical);
    }

    /**
     * {@return {@code |sum(nodeEnergies) - energy|} of the potential's evaluation of {@code structure}}
     *
     * @throws IllegalArgumentException if an argument is null
     */
    public static double nodeEnergySumError(InteratomicPotential potential, Structure structure) {
        requireArguments("nodeEnergySumError", potential, structure, 1.0);
        Evaluation evaluation = potential.evaluate(structure);
        double sum = 0;
        for (double e : evaluation.nodeEnergies()) {
            sum += e;
        }
        return Math.abs(sum - evaluation.energy());
    }

    /** The energy with the cell and positions strained by {@code ε_ab = ε_ba = h} (one entry when a == b). */
    private static double strainedEnergy(InteratomicPotential potential, Structure structure, int a, int b, double h) {
        double[] deformation = {1, 0, 0, 0, 1, 0, 0, 0, 1};
        deformation[3 * a + b] += h;
        if (a != b) {
            deformation[3 * b + a] += h;
        }
        Structure strained = Structure.periodic(structure.atomicNumbers(), times(structure.positions(), deformation),
                times(structure.cell(), deformation), structure.pbc());
        return potential.evaluate(strained).energy();
    }

    /** {@code rows · m} for {@code [k][3]} row vectors and a row-major 3x3 {@code m}. */
    private static double[] times(double[] rows, double[] m) {
        double[] out = new double[rows.length];
        for (int r = 0; r < rows.length / 3; r++) {
            for (int c = 0; c < 3; c++) {
                out[3 * r + c] = rows[3 * r] * m[c] + rows[3 * r + 1] * m[3 + c] + rows[3 * r + 2] * m[6 + c];
            }
        }
        return out;
    }

    private static double maxDifference(double[] actual, double[] expected) {
        if (actual == null || actual.length != expected.length) {
            throw new IllegalArgumentException("PotentialChecks: potential must return " + expected.length
                    + " values to compare, got " + (actual == null ? "none" : String.valueOf(actual.length)));
        }
        double max = 0;
        for (int i = 0; i < actual.length; i++) {
            double difference = Math.abs(actual[i] - expected[i]);
            if (Double.isNaN(difference)) {
                return Double.NaN;
            }
            max = Math.max(max, difference);
        }
        return max;
    }

    private static void requireArguments(String method, InteratomicPotential potential, Structure structure,
            double h) {
        if (potential == null || structure == null) {
            throw new IllegalArgumentException("PotentialChecks." + method + ": "
                    + (potential == null ? "potential" : "structure") + " must not be null");
        }
        if (!(h > 0) || h == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("PotentialChecks." + method + ": h must be a finite number > 0, got "
                    + h);
        }
    }
}
