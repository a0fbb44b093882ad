package dev.e3j.spark;

import dev.e3j.runtime.model.Evaluation;
import dev.e3j.runtime.model.InteratomicPotential;
import dev.e3j.runtime.model.Structure;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Evaluates a generated {@link InteratomicPotential} over a Spark dataset of structures (see {@link Structures} for
 * the columns), adding {@value #ENERGY}, {@value #FORCES}, {@value #STRESS} and {@value Structures#ERROR} columns:
 *
 * <pre>{@code
 * try (SparkPotential potential = SparkPotential.broadcast(spark,
 *         GeneratedModel.of("com.example.CuMace", Path.of("mace-cu.safetensors")))) {
 *     potential.evaluate(Structures.readParquet(spark, "candidates.parquet")).write().parquet("screened.parquet");
 * }
 * }</pre>
 *
 * <p>The state dict's bytes are broadcast once; each executor builds the model once ({@link GeneratedModel}) and
 * hands it each partition in consecutive batches of {@link #batchSize()} structures
 * ({@link InteratomicPotential#evaluate(List)}). A row that does not hold a valid structure, or has an element the
 * model does not know, gets a message in {@value Structures#ERROR} and nulls in the result columns; the other rows
 * of its batch are evaluated as usual. If the model rejects a batch as a whole, its structures are evaluated one by
 * one, and only those that fail alone get an error. Nothing is shared between tasks but the immutable model, and a
 * batch depends only on its partition's rows, so a retried task gives bitwise the same results.
 */
public final class SparkPotential implements AutoCloseable {

    /** Result column: the energy. */
    public static final String ENERGY = "energy";
    /** Result column: the forces, {@code [n][3]} row-major. */
    public static final String FORCES = "forces";
    /** Result column: the stress, {@code [3][3]} row-major; null for a structure without a cell. */
    public static final String STRESS = "stress";

    /** Structures per batch unless told otherwise. */
    public static final int DEFAULT_BATCH_SIZE = 64;

    private final Broadcast<GeneratedModel> model;
    private final int batchSize;

    private SparkPotential(Broadcast<GeneratedModel> model, int batchSize) {
        this.model = model;
        this.batchSize = batchSize;
    }

    /**
     * Builds the model once on the driver (so that a wrong class or state dict fails here, not in a task) and
     * broadcasts it.
     *
     * @throws IllegalArgumentException if the model cannot be built or is not an {@link InteratomicPotential}
     */
    public static SparkPotential broadcast(SparkSession spark, GeneratedModel model) {
        model.instance(InteratomicPotential.class);
        Broadcast<GeneratedModel> shipped = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(model);
        return new SparkPotential(shipped, DEFAULT_BATCH_SIZE);
    }

    /** {@return the structures handed to the model at a time} */
    public int batchSize() {
        return batchSize;
    }

    /**
     * {@return this potential evaluating {@code batchSize} structures at a time} Larger batches let a batching model
     * do more at once; an error that the model raises for a whole batch costs a second pass over it.
     */
    public SparkPotential withBatchSize(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        }
        return new SparkPotential(model, batchSize);
    }

    /**
     * The rows of {@code structures} with {@value #ENERGY}, {@value #FORCES}, {@value #STRESS} and
     * {@value Structures#ERROR} appended, lazily (as Spark transformations are), partition by partition.
     *
     * @throws IllegalArgumentException if a structure column is missing or of the wrong type, or a result column's
     *                                  name is taken (rename the input's column first)
     */
    public Dataset<Row> evaluate(Dataset<Row> structures) {
        StructType input = structures.schema();
        StructType output = resultSchema(input);
        return structures.mapPartitions(new Partitions(model, StructureReader.of(input),
                StructureReader.index(input, Structures.ERROR), batchSize), Encoders.row(output));
    }

    /**
     * {@return {@code input} with the result columns appended (an {@value Structures#ERROR} column it has is reused)}
     *
     * @throws IllegalArgumentException if a structure column is missing or of the wrong type, or a result column's
     *                                  name is taken
     */
    public static StructType resultSchema(StructType input) {
        Structures.checkColumns(input);
        return appendColumns(input,
                DataTypes.createStructField(ENERGY, DataTypes.DoubleType, true),
                DataTypes.createStructField(FORCES, DataTypes.createArrayType(DataTypes.DoubleType, false), true),
                DataTypes.createStructField(STRESS, DataTypes.createArrayType(DataTypes.DoubleType, false), true),
                DataTypes.createStructField(Structures.ERROR, DataTypes.StringType, true));
    }

    /** {@return {@code input} and {@code results}; an {@value Structures#ERROR} column that input has is reused} */
    static StructType appendColumns(StructType input, StructField... results) {
        StructType output = input;
        for (StructField result : results) {
            if (result.name().equals(Structures.ERROR) && Structures.field(input, Structures.ERROR) != null) {
                continue;
            }
            if (Structures.field(input, result.name()) != null) {
                throw new IllegalArgumentException("the input already has a column '" + result.name()
                        + "', which the results would replace; rename it first (withColumnRenamed)");
            }
            output = output.add(result);
        }
        return output;
    }

    /** Removes the broadcast weights from the executors and the driver; this potential cannot be used after. */
    @Override
    public void close() {
        model.destroy();
    }

    /** What a task runs: its partition's rows in batches through the executor's one model. */
    private static final class Partitions implements MapPartitionsFunction<Row, Row>, Serializable {

        private static final long serialVersionUID = 1L;

        private final Broadcast<GeneratedModel> model;
        private final StructureReader reader;
        private final int errorColumn;
        private final int batchSize;

        Partitions(Broadcast<GeneratedModel> model, StructureReader reader, int errorColumn, int batchSize) {
            this.model = model;
            this.reader = reader;
            this.errorColumn = errorColumn;
            this.batchSize = batchSize;
        }

        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            InteratomicPotential potential = model.value().instance(InteratomicPotential.class);
            int[] known = potential.atomicNumbers().clone();
            Arrays.sort(known);
            return new BatchedRows(rows, errorColumn, batchSize, batch -> evaluate(potential, known, batch));
        }

        private Object[][] evaluate(InteratomicPotential potential, int[] known, List<Row> rows) {
            Object[][] results = new Object[rows.size()][];
            List<Structure> valid = new ArrayList<>(rows.size());
            List<Integer> validRows = new ArrayList<>(rows.size());
            for (int i = 0; i < rows.size(); i++) {
                String inputError = BatchedRows.inputError(rows.get(i), errorColumn);
                if (inputError != null) {
                    results[i] = error(inputError);
                    continue;
                }
                try {
                    Structure structure = reader.read(rows.get(i));
                    checkElements(structure, known);
                    valid.add(structure);
                    validRows.add(i);
                } catch (IllegalArgumentException e) {
                    results[i] = error(e.getMessage());
                }
            }
            List<Evaluation> evaluations = evaluateBatch(potential, valid);
            for (int k = 0; k < valid.size(); k++) {
                Evaluation evaluation = evaluations != null ? evaluations.get(k) : null;
                if (evaluation == null) {
                    try {
                        evaluation = potential.evaluate(valid.get(k));
                    } catch (RuntimeException e) {
                        results[validRows.get(k)] = error(BatchedRows.message(e));
                        continue;
                    }
                }
                results[validRows.get(k)] = new Object[] {evaluation.energy(), evaluation.forces(),
                    evaluation.stress(), null};
            }
            return results;
        }

        /** {@return the batch's evaluations, or null if the model rejects the batch (then each goes alone)} */
        private static List<Evaluation> evaluateBatch(InteratomicPotential potential, List<Structure> structures) {
            if (structures.size() < 2) {
                return null;
            }
            try {
                List<Evaluation> evaluations = potential.evaluate(structures);
                return evaluations.size() == structures.size() ? evaluations : null;
            } catch (RuntimeException e) {
                return null;
            }
        }

        private static void checkElements(Structure structure, int[] known) {
            int[] numbers = structure.atomicNumbers();
            for (int i = 0; i < numbers.length; i++) {
                if (Arrays.binarySearch(known, numbers[i]) < 0) {
                    throw new IllegalArgumentException("unknown element: atomic number " + numbers[i] + " (atom " + i
                            + "); the model knows " + Arrays.toString(known));
                }
            }
        }

        private static Object[] error(String message) {
            return new Object[] {null, null, null, message};
        }
    }
}
