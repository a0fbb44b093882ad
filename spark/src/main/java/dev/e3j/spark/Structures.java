package dev.e3j.spark;

import dev.e3j.runtime.model.Structure;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Datasets of atomic structures: the columns the evaluators read, and ways to make such datasets.
 *
 * <table>
 *   <caption>Structure columns</caption>
 *   <tr><th>column</th><th>type</th><th>content</th></tr>
 *   <tr><td>{@value #ID}</td><td>string</td><td>a name for the structure (optional, kept as it is)</td></tr>
 *   <tr><td>{@value #ATOMIC_NUMBERS}</td><td>array of int (or long)</td><td>{@code [n]}</td></tr>
 *   <tr><td>{@value #POSITIONS}</td><td>array of double (or float)</td><td>{@code [n][3]} row-major, in the
 *       potential's length unit (Å for models trained on ASE data)</td></tr>
 *   <tr><td>{@value #CELL}</td><td>array of double (or float)</td><td>{@code [3][3]} row-major, rows are the
 *       lattice vectors; optional column, null for a structure without a cell</td></tr>
 *   <tr><td>{@value #PBC}</td><td>array of boolean</td><td>{@code [3]}, whether the structure repeats along each
 *       lattice vector; optional column, null means not periodic (as in ASE)</td></tr>
 * </table>
 *
 * <p>Other columns are allowed and carried through evaluation unchanged. A row whose arrays do not fit (wrong
 * lengths, nulls, non-finite numbers, a singular cell) is not an error of the dataset: the evaluators give it an
 * {@value #ERROR} and evaluate the others. An input {@value #ERROR} column (string; {@link #readExtXyz} has one for
 * frames it could not read) is kept: a row with an error there is passed through unevaluated, and the evaluators
 * write their errors into that column instead of adding one.
 */
public final class Structures {

    /** Column of structure names. */
    public static final String ID = "id";
    /** Column of atomic numbers. */
    public static final String ATOMIC_NUMBERS = "atomic_numbers";
    /** Column of positions, {@code [n][3]} row-major. */
    public static final String POSITIONS = "positions";
    /** Column of cells, {@code [3][3]} row-major. */
    public static final String CELL = "cell";
    /** Column of periodic flags. */
    public static final String PBC = "pbc";
    /** Result column: the message of a row that could not be evaluated, null for the others. */
    public static final String ERROR = "error";

    /** The schema of {@link #toRow(String, Structure)}'s rows. */
    public static final StructType SCHEMA = new StructType(new StructField[] {
        DataTypes.createStructField(ID, DataTypes.StringType, true),
        DataTypes.createStructField(ATOMIC_NUMBERS, DataTypes.createArrayType(DataTypes.IntegerType, false), true),
        DataTypes.createStructField(POSITIONS, DataTypes.createArrayType(DataTypes.DoubleType, false), true),
        DataTypes.createStructField(CELL, DataTypes.createArrayType(DataTypes.DoubleType, false), true),
        DataTypes.createStructField(PBC, DataTypes.createArrayType(DataTypes.BooleanType, false), true),
    });

    private Structures() {
    }

    /** {@return a row of {@link #SCHEMA} holding {@code structure}, named {@code id}} */
    public static Row toRow(String id, Structure structure) {
        return RowFactory.create(id, structure.atomicNumbers(), structure.positions(), structure.cell(),
                structure.hasCell() ? structure.pbc() : null);
    }

    /** {@return a dataset of {@code structures}, named {@code "0"}, {@code "1"}, ... in order} */
    public static Dataset<Row> dataset(SparkSession spark, List<Structure> structures) {
        List<Row> rows = new ArrayList<>(structures.size());
        for (int i = 0; i < structures.size(); i++) {
            rows.add(toRow(String.valueOf(i), structures.get(i)));
        }
        return spark.createDataFrame(rows, SCHEMA);
    }

    /**
     * Reads Parquet files (a file or a folder of them) with the structure columns.
     *
     * @throws IllegalArgumentException naming a structure column that is missing or of the wrong type
     */
    public static Dataset<Row> readParquet(SparkSession spark, String path) {
        Dataset<Row> structures = spark.read().parquet(path);
        checkColumns(structures.schema());
        return structures;
    }

    /**
     * Reads extended XYZ files (a file, a folder or a glob) as {@link dev.e3j.runtime.io.ExtXyz} reads them (ASE's
     * format: {@code Lattice}, {@code pbc}, {@code Properties} with {@code species} or {@code Z} and {@code pos}):
     * one row per frame, named {@code <file>:<frame>}, with an {@value #ERROR} column. A frame that is not valid (an
     * unknown element, a non-finite number, a wrong column count) becomes a row with null arrays and the reason in
     * {@value #ERROR}; text that cannot be cut into frames fails the read. Each file is read whole by one task, so
     * split very large files, or convert them to Parquet once ({@code readExtXyz(...).write().parquet(...)}).
     */
    public static Dataset<Row> readExtXyz(SparkSession spark, String path) {
        return ExtXyzFrames.read(spark, path);
    }

    /**
     * Checks that {@code schema} has the structure columns with fitting types.
     *
     * @throws IllegalArgumentException naming the first column that is missing or of the wrong type
     */
    public static void checkColumns(StructType schema) {
        requireArray(schema, ATOMIC_NUMBERS, true, "int or long", DataTypes.IntegerType, DataTypes.LongType,
                DataTypes.ShortType, DataTypes.ByteType);
        requireArray(schema, POSITIONS, true, "double or float", DataTypes.DoubleType, DataTypes.FloatType);
        requireArray(schema, CELL, false, "double or float", DataTypes.DoubleType, DataTypes.FloatType);
        requireArray(schema, PBC, false, "boolean", DataTypes.BooleanType);
        StructField error = field(schema, ERROR);
        if (error != null && !error.dataType().equals(DataTypes.StringType)) {
            throw new IllegalArgumentException("column '" + ERROR + "' must be a string, got "
                    + error.dataType().simpleString());
        }
    }

    private static void requireArray(StructType schema, String column, boolean required, String expected,
                                     DataType... elementTypes) {
        StructField field = field(schema, column);
        if (field == null) {
            if (required) {
                throw new IllegalArgumentException("structures must have a column '" + column + "' (array of "
                        + expected + "), but the schema has " + List.of(schema.fieldNames()));
            }
            return;
        }
        if (field.dataType() instanceof ArrayType array) {
            for (DataType elementType : elementTypes) {
                if (array.elementType().equals(elementType)) {
                    return;
                }
            }
        }
        throw new IllegalArgumentException("column '" + column + "' must be an array of " + expected + ", got "
                + field.dataType().simpleString());
    }

    /** {@return the field named {@code name}, or null} */
    static StructField field(StructType schema, String name) {
        for (StructField field : schema.fields()) {
            if (field.name().equals(name)) {
                return field;
            }
        }
        return null;
    }
}
