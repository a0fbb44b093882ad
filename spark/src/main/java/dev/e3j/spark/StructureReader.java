package dev.e3j.spark;

import dev.e3j.runtime.model.Structure;
import java.io.Serializable;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * Reads the structure of a row, by the positions of the {@link Structures} columns in its schema. A row that does
 * not hold a valid structure throws an {@link IllegalArgumentException} naming the column and what is wrong.
 */
final class StructureReader implements Serializable {

    private static final long serialVersionUID = 1L;

    private final int atomicNumbers;
    private final int positions;
    private final int cell;
    private final int pbc;

    private StructureReader(int atomicNumbers, int positions, int cell, int pbc) {
        this.atomicNumbers = atomicNumbers;
        this.positions = positions;
        this.cell = cell;
        this.pbc = pbc;
    }

    /**
     * A reader for rows of {@code schema}.
     *
     * @throws IllegalArgumentException naming a structure column that is missing or of the wrong type
     */
    static StructureReader of(StructType schema) {
        Structures.checkColumns(schema);
        return new StructureReader(index(schema, Structures.ATOMIC_NUMBERS), index(schema, Structures.POSITIONS),
                index(schema, Structures.CELL), index(schema, Structures.PBC));
    }

    /** {@return the position of column {@code name} in {@code schema}, or -1 without one} */
    static int index(StructType schema, String name) {
        return Structures.field(schema, name) == null ? -1 : schema.fieldIndex(name);
    }

    /**
     * The structure in {@code row}.
     *
     * @throws IllegalArgumentException naming the column whose content does not make a structure
     */
    Structure read(Row row) {
        int[] numbers = ints(row, atomicNumbers, Structures.ATOMIC_NUMBERS);
        double[] xyz = doubles(row, positions, Structures.POSITIONS);
        double[] lattice = cell < 0 || row.isNullAt(cell) ? null : doubles(row, cell, Structures.CELL);
        boolean[] periodic = pbc < 0 || row.isNullAt(pbc) ? null : booleans(row, pbc, Structures.PBC);
        if (lattice == null) {
            if (periodic != null && (periodic[0] || periodic[1] || periodic[2])) {
                throw new IllegalArgumentException("pbc is " + List.of(periodic[0], periodic[1], periodic[2])
                        + " but the structure has no cell");
            }
            return Structure.of(numbers, xyz);
        }
        return Structure.periodic(numbers, xyz, lattice, periodic == null ? new boolean[3] : periodic);
    }

    /**
     * The numbers of array column {@code index} of {@code row} as doubles.
     *
     * @throws IllegalArgumentException if the array or one of its elements is null
     */
    static double[] doubles(Row row, int index, String column) {
        List<Object> values = list(row, index, column);
        double[] out = new double[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Number) element(values, i, column)).doubleValue();
        }
        return out;
    }

    private static int[] ints(Row row, int index, String column) {
        List<Object> values = list(row, index, column);
        int[] out = new int[values.size()];
        for (int i = 0; i < out.length; i++) {
            long value = ((Number) element(values, i, column)).longValue();
            if (value != (int) value) {
                throw new IllegalArgumentException(column + "[" + i + "] must be an atomic number, got " + value);
            }
            out[i] = (int) value;
        }
        return out;
    }

    private static boolean[] booleans(Row row, int index, String column) {
        List<Object> values = list(row, index, column);
        if (values.size() != 3) {
            throw new IllegalArgumentException(column + " must have length 3, got " + values.size());
        }
        boolean[] out = new boolean[3];
        for (int i = 0; i < 3; i++) {
            out[i] = (Boolean) element(values, i, column);
        }
        return out;
    }

    private static List<Object> list(Row row, int index, String column) {
        if (row.isNullAt(index)) {
            throw new IllegalArgumentException(column + " must not be null");
        }
        return row.getList(index);
    }

    private static Object element(List<Object> values, int i, String column) {
        Object value = values.get(i);
        if (value == null) {
            throw new IllegalArgumentException(column + "[" + i + "] must not be null");
        }
        return value;
    }
}
