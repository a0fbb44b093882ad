package dev.e3j.runtime.model;

import java.util.ArrayList;
import java.util.List;

/**
 * A machine-learned interatomic potential: energies, forces and stress of atomic structures. Generated
 * implementations ({@code @Mace}) load a PyTorch {@code state_dict} in their constructor and are then immutable and
 * thread-safe.
 */
public interface InteratomicPotential {

    /** {@return the cutoff radius of the neighbour list} */
    double rMax();

    /** {@return the atomic numbers the model knows, in the order of its one-hot element encoding} */
    int[] atomicNumbers();

    /**
     * Energy, per-atom energies, forces and (with a cell) stress of one structure.
     *
     * @throws IllegalArgumentException naming an element the model does not know
     */
    Evaluation evaluate(Structure structure);

    /**
     * Evaluates many structures; the results are in the same order. Implementations may batch them.
     *
     * @throws IllegalArgumentException naming the first structure with an element the model does not know
     */
    default List<Evaluation> evaluate(List<Structure> structures) {
        List<Evaluation> results = new ArrayList<>(structures.size());
        for (Structure structure : structures) {
            results.add(evaluate(structure));
        }
        return results;
    }
}
