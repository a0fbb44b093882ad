package dev.e3j.spark;

import dev.e3j.runtime.model.Structure;
import java.io.Serializable;
import java.lang.reflect.Array;
import java.util.ArrayList;
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
        Object value = array(row, index, column);
        if (value instanceof double[] doubles) {
            return doubles;
        }
        if (value instanceof float[] floats) {
            double[] out = new double[floats.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = floats[i];
            }
            return out;
        }
        List<Object> values = elements(row, index, value);
        double[] out = new double[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Number) element(values, i, column)).doubleValue();
        }
        return out;
    }

    private static int[] ints(Row row, int index, String column) {
        Object value = array(row, index, column);
        if (value instanceof int[] ints) {
            return ints;
        }
        List<Object> values = elements(row, index, value);
        int[] out = new int[values.size()];
        for (int i = 0; i < out.length; i++) {
            long number = ((Number) element(values, i, column)).longValue();
            if (number != (int) number) {
                throw new IllegalArgumentException(column + "[" + i + "] must be an atomic number, got " + number);
            }
            out[i] = (int) number;
        }
        return out;
    }

    private static boolean[] booleans(Row row, int index, String column) {
        Object value = array(row, index, column);
        boolean[] out;
        if (value instanceof boolean[] booleans) {
            out = booleans;
        } else {
            List<Object> values = elements(row, index, value);
            out = new boolean[values.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = (Boolean) element(values, i, column);
            }
        }
        if (out.length != 3) {
            throw new IllegalArgumentException(column + " must have length 3, got " + out.length);
        }
        return out;
    }

    /**
     * The array in column {@code index}: a Spark sequence when the row was decoded from Spark's format, or the Java
     * array a {@link Structures#toRow} row holds when Spark hands such rows over as they are (a typed
     * {@code map} just before the evaluator).
     */
    private static Object array(Row row, int index, String column) {
        if (row.isNullAt(index)) {
            throw new IllegalArgumentException(column + " must not be null");
        }
        return row.get(index);
    }

    /** {@return the elements of {@code value}, the array in column {@code index}, boxed} */
    private static List<Object> elements(Row row, int index, Object value) {
        if (!value.getClass().isArray()) {
            return row.getList(index);
        }
        List<Object> values = new ArrayList<>(Array.getLength(value));
        for (int i = 0; i < Array.getLength(value); i++) {
            values.add(Array.get(value, i));
        }
        return values;
    }

    private static Object element(List<Object> values, int i, String column) {
        Object value = values.get(i);
        if (value == null) {
            throw new IllegalArgumentException(column + "[" + i + "] must not be null");
        }
        return value;
    }
}
