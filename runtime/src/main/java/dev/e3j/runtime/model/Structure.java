package dev.e3j.runtime.model;

import java.util.Arrays;

/**
 * One atomic structure: atomic numbers, Cartesian positions and, for periodic systems, the cell. Immutable (the
 * arrays are copied in and out).
 *
 * <p>Positions are {@code [n][3]} row-major; the cell's rows are the lattice vectors ({@code [3][3]} row-major), as in
 * ASE. {@code pbc[k]} says whether the structure repeats along lattice vector {@code k}.
 */
public final class Structure {

    private final int[] atomicNumbers;
    private final double[] positions;
    private final double[] cell;
    private final boolean[] pbc;

    private Structure(int[] atomicNumbers, double[] positions, double[] cell, boolean[] pbc) {
        this.atomicNumbers = atomicNumbers.clone();
        this.positions = positions.clone();
        this.cell = cell == null ? null : cell.clone();
        this.pbc = pbc.clone();
    }

    /**
     * A structure without a cell (a molecule or cluster).
     *
     * @throws IllegalArgumentException when an argument is null, the lengths disagree, or a position is not finite
     */
    public static Structure of(int[] atomicNumbers, double[] positions) {
        check(atomicNumbers, positions);
        return new Structure(atomicNumbers, positions, null, new boolean[3]);
    }

    /**
     * A structure in a cell, periodic along the lattice vectors where {@code pbc} is true.
     *
     * @throws IllegalArgumentException when an argument is null or has the wrong length, a number is not finite, or
     *                                  the cell is singular
     */
    public static Structure periodic(int[] atomicNumbers, double[] positions, double[] cell, boolean[] pbc) {
        check(atomicNumbers, positions);
        if (cell == null || cell.length != 9) {
            throw new IllegalArgumentException("Structure.periodic: cell must have length 9 ([3][3], rows are lattice "
                    + "vectors), got " + (cell == null ? "null" : String.valueOf(cell.length)));
        }
        if (pbc == null || pbc.length != 3) {
            throw new IllegalArgumentException("Structure.periodic: pbc must have length 3, got "
                    + (pbc == null ? "null" : String.valueOf(pbc.length)));
        }
        for (double c : cell) {
            if (!Double.isFinite(c)) {
                throw new IllegalArgumentException("Structure.periodic: cell must be finite, got "
                        + Arrays.toString(cell));
            }
        }
        double volume = determinant(cell);
        if (!(Math.abs(volume) > 0)) {
            throw new IllegalArgumentException("Structure.periodic: cell must have a non-zero volume, got "
                    + Arrays.toString(cell));
        }
        return new Structure(atomicNumbers, positions, cell, pbc);
    }

    private static void check(int[] atomicNumbers, double[] positions) {
        if (atomicNumbers == null) {
            throw new IllegalArgumentException("Structure: atomicNumbers must not be null");
        }
        if (positions == null || positions.length != 3L * atomicNumbers.length) {
            throw new IllegalArgumentException("Structure: positions must have length " + 3L * atomicNumbers.length
                    + " (" + atomicNumbers.length + " atoms x 3), got "
                    + (positions == null ? "null" : String.valueOf(positions.length)));
        }
        for (int i = 0; i < positions.length; i++) {
            if (!Double.isFinite(positions[i])) {
                throw new IllegalArgumentException("Structure: positions must be finite, got " + positions[i]
                        + " for atom " + i / 3);
            }
        }
    }

    /** {@return the determinant of a row-major 3x3 matrix} */
    static double determinant(double[] m) {
        return m[0] * (m[4] * m[8] - m[5] * m[7])
                - m[1] * (m[3] * m[8] - m[5] * m[6])
                + m[2] * (m[3] * m[7] - m[4] * m[6]);
    }

    /** {@return the number of atoms} */
    public int size() {
        return atomicNumbers.length;
    }

    /** {@return a copy of the atomic numbers} */
    public int[] atomicNumbers() {
        return atomicNumbers.clone();
    }

    /** {@return a copy of the positions, {@code [n][3]} row-major} */
    public double[] positions() {
        return positions.clone();
    }

    /** {@return a copy of the cell ({@code [3][3]} row-major, rows are lattice vectors), or null without one} */
    public double[] cell() {
        return cell == null ? null : cell.clone();
    }

    /** {@return a copy of the periodic flags, all false without a cell} */
    public boolean[] pbc() {
        return pbc.clone();
    }

    /** {@return whether the structure has a cell} */
    public boolean hasCell() {
        return cell != null;
    }

    /** {@return the cell's volume (absolute), or NaN without a cell} */
    public double volume() {
        return cell == null ? Double.NaN : Math.abs(determinant(cell));
    }

    /** {@return a copy of this structure with other positions} */
    public Structure withPositions(double[] newPositions) {
        check(atomicNumbers, newPositions);
        return new Structure(atomicNumbers, newPositions, cell, pbc);
    }

    @Override
    public String toString() {
        return "Structure[" + size() + " atoms" + (cell == null ? "" : ", cell " + Arrays.toString(cell)
                + ", pbc " + Arrays.toString(pbc)) + "]";
    }
}
