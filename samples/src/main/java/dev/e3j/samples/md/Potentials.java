package dev.e3j.samples.md;

import dev.e3j.runtime.model.InteratomicPotential;
import dev.e3j.runtime.model.Structure;
import java.util.List;
import java.util.function.Supplier;

/**
 * The potentials the molecular-dynamics sample can run, by the name {@code --potential} takes: the one place a new
 * potential (a generated {@code @Mace} model with its weights) is added.
 */
public final class Potentials {

    private Potentials() {
    }

    /**
     * One potential the sample can run.
     *
     * @param name        what {@code --potential} calls it
     * @param description one line for {@code --help}: what it is, honestly
     * @param factory     makes the potential (loading weights, if it has any)
     * @param unitCell    the structure a run starts from without {@code --structure}, before {@code --supercell}
     */
    public record Choice(String name, String description, Supplier<InteratomicPotential> factory,
                         Supplier<Structure> unitCell) {
    }

    /** {@return every potential the sample knows; the first is the default} */
    public static List<Choice> all() {
        return List.of(
                new Choice("lj", "Lennard-Jones argon (sigma 3.4 Å, epsilon 0.0104 eV, smooth cutoff at 8 Å): a "
                        + "classical test potential, not a machine-learned one", LennardJones::argon,
                        () -> fccCubicCell(18, 5.26)));
    }

    /**
     * {@return the potential called {@code name}}
     *
     * @throws IllegalArgumentException naming the known potentials if there is none called {@code name}
     */
    public static Choice named(String name) {
        for (Choice choice : all()) {
            if (choice.name().equals(name)) {
                return choice;
            }
        }
        throw new IllegalArgumentException("--potential must be one of " + names() + ", got '" + name + "'");
    }

    /** {@return the names of every potential, in order} */
    public static List<String> names() {
        return all().stream().map(Choice::name).toList();
    }

    /** {@return the conventional cubic cell of an fcc crystal of {@code element}, lattice constant {@code a} (Å)} */
    public static Structure fccCubicCell(int element, double a) {
        double h = a / 2;
        return Structure.periodic(new int[] {element, element, element, element},
                new double[] {0, 0, 0, 0, h, h, h, 0, h, h, h, 0}, new double[] {a, 0, 0, 0, a, 0, 0, 0, a},
                new boolean[] {true, true, true});
    }

    /**
     * {@return {@code structure} repeated {@code repeats[k]} times along lattice vector {@code k} (ASE's
     * {@code atoms.repeat}): the copies in order, each with the atoms in their order}
     *
     * @throws IllegalArgumentException if the structure has no cell and a repeat is not 1
     */
    public static Structure repeat(Structure structure, int[] repeats) {
        if (repeats[0] == 1 && repeats[1] == 1 && repeats[2] == 1) {
            return structure;
        }
        if (!structure.hasCell()) {
            throw new IllegalArgumentException("--supercell needs a structure with a cell, got " + structure);
        }
        double[] cell = structure.cell();
        double[] positions = structure.positions();
        int[] numbers = structure.atomicNumbers();
        int n = numbers.length;
        int copies = repeats[0] * repeats[1] * repeats[2];
        int[] outNumbers = new int[n * copies];
        double[] outPositions = new double[3 * n * copies];
        int copy = 0;
        for (int i = 0; i < repeats[0]; i++) {
            for (int j = 0; j < repeats[1]; j++) {
                for (int k = 0; k < repeats[2]; k++) {
                    for (int a = 0; a < n; a++) {
                        int at = copy * n + a;
                        outNumbers[at] = numbers[a];
                        for (int c = 0; c < 3; c++) {
                            outPositions[3 * at + c] = positions[3 * a + c] + i * cell[c] + j * cell[3 + c]
                                    + k * cell[6 + c];
                        }
                    }
                    copy++;
                }
            }
        }
        double[] outCell = cell.clone();
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 3; c++) {
                outCell[3 * r + c] *= repeats[r];
            }
        }
        return Structure.periodic(outNumbers, outPositions, outCell, structure.pbc());
    }
}
