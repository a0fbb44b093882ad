package dev.e3j.samples.md;

import dev.e3j.runtime.graph.NeighborList;
import dev.e3j.runtime.md.Elements;
import dev.e3j.runtime.model.Evaluation;
import dev.e3j.runtime.model.InteratomicPotential;
import dev.e3j.runtime.model.Structure;

/**
 * A classical test potential, not a machine-learned one: the Lennard-Jones pair potential of one element, with ASE's
 * smooth cutoff ({@code ase.calculators.lj.LennardJones(smooth=True)}, number for number):
 * <pre>
 *   u(r) = 4 ε ((σ/r)^12 - (σ/r)^6) · fc(r²),
 *   fc(x) = 1 below ro², (rc² - x)² (rc² + 2x - 3 ro²) / (rc² - ro²)³ up to rc², 0 beyond,
 * </pre>
 * {@code ro = 0.66 rc}, which takes energy and forces continuously to zero at {@code rc}. Exact forces and stress
 * ({@code (1/V) dE/dstrain}); each atom gets half of each of its pair energies. Immutable and thread-safe.
 */
public final class LennardJones implements InteratomicPotential {

    private final int element;
    private final double sigma;
    private final double epsilon;
    private final double cutoff;
    private final double onset;

    /**
     * Lennard-Jones for atoms of element {@code element}.
     *
     * @param sigma   the distance (Å) where the pair energy crosses zero; its minimum is at {@code 2^(1/6) σ}
     * @param epsilon the depth of the pair energy's minimum (eV)
     * @param cutoff  {@code rc} (Å), beyond which pairs do not interact
     * @throws IllegalArgumentException if {@code element} is not in {@code 1..118} or a length or energy is not a
     *     finite number {@code > 0}
     */
    public LennardJones(int element, double sigma, double epsilon, double cutoff) {
        Elements.symbol(element);
        requirePositive("sigma", sigma);
        requirePositive("epsilon", epsilon);
        requirePositive("cutoff", cutoff);
        this.element = element;
        this.sigma = sigma;
        this.epsilon = epsilon;
        this.cutoff = cutoff;
        this.onset = 0.66 * cutoff;
    }

    private static void requirePositive(String name, double value) {
        if (!(value > 0) || value == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("LennardJones: " + name + " must be a finite number > 0, got " + value);
        }
    }

    /** {@return argon: σ = 3.4 Å, ε = 0.0104 eV, cut off at 8 Å} */
    public static LennardJones argon() {
        return new LennardJones(18, 3.4, 0.0104, 8.0);
    }

    @Override
    public double rMax() {
        return cutoff;
    }

    @Override
    public int[] atomicNumbers() {
        return new int[] {element};
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException naming the first atom of another element
     */
    @Override
    public Evaluation evaluate(Structure structure) {
        int[] numbers = structure.atomicNumbers();
        for (int a = 0; a < numbers.length; a++) {
            if (numbers[a] != element) {
                throw new IllegalArgumentException("LennardJones.evaluate: atoms must be " + Elements.symbol(element)
                        + ", got " + (numbers[a] >= 1 && numbers[a] <= Elements.MAX_ATOMIC_NUMBER
                                ? Elements.symbol(numbers[a]) : "Z = " + numbers[a]) + " for atom " + a);
            }
        }
        NeighborList list = NeighborList.of(structure, cutoff);
        int[] senders = list.senders();
        double[] vectors = list.vectors(structure.positions());
        double rc2 = cutoff * cutoff;
        double ro2 = onset * onset;
        double width = (rc2 - ro2) * (rc2 - ro2) * (rc2 - ro2);
        double[] nodeEnergies = new double[numbers.length];
        double[] forces = new double[3 * numbers.length];
        double[] virial = new double[9];
        for (int e = 0; e < senders.length; e++) {
            double r2 = vectors[3 * e] * vectors[3 * e] + vectors[3 * e + 1] * vectors[3 * e + 1]
                    + vectors[3 * e + 2] * vectors[3 * e + 2];
            double c6 = Math.pow(sigma * sigma / r2, 3);
            double c12 = c6 * c6;
            double pairEnergy = 4 * epsilon * (c12 - c6);
            // d u / d d = du d, with du = (du/dr) / r.
            double du = -24 * epsilon * (2 * c12 - c6) / r2;
            if (r2 >= ro2) {
                double fc = (rc2 - r2) * (rc2 - r2) * (rc2 + 2 * r2 - 3 * ro2) / width;
                double dfc = 6 * (rc2 - r2) * (ro2 - r2) / width;
                du = fc * du + 2 * dfc * pairEnergy;
                pairEnergy *= fc;
            }
            int sender = senders[e];
            nodeEnergies[sender] += 0.5 * pairEnergy;
            for (int a = 0; a < 3; a++) {
                double pairForce = du * vectors[3 * e + a];
                forces[3 * sender + a] += pairForce;
                for (int b = 0; b < 3; b++) {
                    virial[3 * a + b] += 0.5 * pairForce * vectors[3 * e + b];
                }
            }
        }
        double energy = 0;
        for (double nodeEnergy : nodeEnergies) {
            energy += nodeEnergy;
        }
        double[] stress = null;
        if (structure.hasCell()) {
            stress = virial;
            for (int k = 0; k < 9; k++) {
                stress[k] /= structure.volume();
            }
        }
        return new Evaluation(energy, nodeEnergies, forces, stress);
    }

    @Override
    public String toString() {
        return "Lennard-Jones " + Elements.symbol(element) + " (sigma " + sigma + " Å, epsilon " + epsilon
                + " eV, cutoff " + cutoff + " Å)";
    }
}
