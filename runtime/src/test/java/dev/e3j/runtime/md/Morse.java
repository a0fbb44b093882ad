package dev.e3j.runtime.md;

import dev.e3j.runtime.graph.NeighborList;
import dev.e3j.runtime.model.Evaluation;
import dev.e3j.runtime.model.InteratomicPotential;
import dev.e3j.runtime.model.Structure;

/**
 * A test potential with exact forces and stress: pairwise Morse, {@code u(r) = D (e^{-2a(r - r0)} - 2 e^{-a(r - r0)})}
 * times the cutoff function {@code (1 - (r/rc)^2)^2}, which takes energy and force smoothly to zero at {@code rc}.
 * Every element is alike.
 */
public final class Morse implements InteratomicPotential {

    private final double depth;
    private final double stiffness;
    private final double equilibrium;
    private final double cutoff;

    /** Morse with well depth {@code depth} (eV), {@code a = stiffness} (1/Å), {@code r0} and {@code rc} (Å). */
    public Morse(double depth, double stiffness, double equilibrium, double cutoff) {
        this.depth = depth;
        this.stiffness = stiffness;
        this.equilibrium = equilibrium;
        this.cutoff = cutoff;
    }

    /** Copper-like parameters: D = 0.34 eV, a = 1.36/Å, r0 = 2.6 Å, rc = 5 Å. */
    public static Morse copper() {
        return new Morse(0.34, 1.36, 2.6, 5.0);
    }

    @Override
    public double rMax() {
        return cutoff;
    }

    @Override
    public int[] atomicNumbers() {
        return new int[] {29};
    }

    @Override
    public Evaluation evaluate(Structure structure) {
        NeighborList list = NeighborList.of(structure, cutoff);
        int[] senders = list.senders();
        int[] receivers = list.receivers();
        double[] vectors = list.vectors(structure.positions());
        double[] nodeEnergies = new double[structure.size()];
        double[] forces = new double[3 * structure.size()];
        double[] virial = new double[9];
        double energy = 0;
        for (int e = 0; e < senders.length; e++) {
            double r = Math.sqrt(vectors[3 * e] * vectors[3 * e] + vectors[3 * e + 1] * vectors[3 * e + 1]
                    + vectors[3 * e + 2] * vectors[3 * e + 2]);
            double decay = Math.exp(-stiffness * (r - equilibrium));
            double pair = depth * (decay * decay - 2 * decay);
            double pairDerivative = depth * (-2 * stiffness * decay * decay + 2 * stiffness * decay);
            double x = r / cutoff;
            double switching = (1 - x * x) * (1 - x * x);
            double switchingDerivative = -4 * x * (1 - x * x) / cutoff;
            // Each pair appears twice (both directions): half of u to each, half of du/dd to each.
            double u = 0.5 * pair * switching;
            double du = 0.5 * (pairDerivative * switching + pair * switchingDerivative);
            nodeEnergies[senders[e]] += u;
            energy += u;
            for (int a = 0; a < 3; a++) {
                double gradient = du * vectors[3 * e + a] / r;
                forces[3 * receivers[e] + a] -= gradient;
                forces[3 * senders[e] + a] += gradient;
                for (int b = 0; b < 3; b++) {
                    virial[3 * b + a] += vectors[3 * e + b] * gradient;
                }
            }
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
}
