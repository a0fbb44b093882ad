package dev.e3j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.runtime.model.Evaluation;
import dev.e3j.runtime.model.InteratomicPotential;
import dev.e3j.runtime.model.Structure;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The acceptance test on {@code local[2]}: Spark's results are single-machine evaluation's, bit for bit. */
class SparkPotentialTest {

    /** Failures injected into first attempts of tasks (local mode: the tasks run in this JVM). */
    private static final AtomicInteger INJECTED_FAILURES = new AtomicInteger();

    private static final GeneratedModel COPPER = GeneratedModel.of(PairPotential.class.getName(),
            SafetensorsBytes.of(PairPotential.COPPER), "lj-cu.safetensors");

    @TempDir
    Path dir;

    private final SparkSession spark = LocalSpark.session();
    private final InteratomicPotential singleMachine = new PairPotential(PairPotential.COPPER);

    /**
     * Rattled copper cells, a cluster, a slab (periodic along two vectors), and malformed rows, in 5 partitions;
     * {@code valid} receives the well-formed structures by name.
     */
    private Dataset<Row> structures(Map<String, Structure> valid) {
        for (int i = 0; i < 40; i++) {
            valid.put("cu-" + i, Screen.rattledCopper(7, i, 0.05));
        }
        Structure cell = Screen.rattledCopper(7, 99, 0.1);
        valid.put("cluster", Structure.of(cell.atomicNumbers(), cell.positions()));
        valid.put("slab", Structure.periodic(cell.atomicNumbers(), cell.positions(), cell.cell(),
                new boolean[] {true, true, false}));
        List<Row> rows = new ArrayList<>();
        valid.forEach((id, structure) -> rows.add(Structures.toRow(id, structure)));
        int[] withGold = cell.atomicNumbers();
        withGold[5] = 79;
        rows.add(RowFactory.create("unknown-element", withGold, cell.positions(), cell.cell(), cell.pbc()));
        double[] nan = cell.positions();
        nan[10] = Double.NaN;
        rows.add(RowFactory.create("nan-position", cell.atomicNumbers(), nan, cell.cell(), cell.pbc()));
        double[] short95 = new double[95];
        System.arraycopy(cell.positions(), 0, short95, 0, 95);
        rows.add(RowFactory.create("short-positions", cell.atomicNumbers(), short95, cell.cell(), cell.pbc()));
        rows.add(RowFactory.create("short-cell", cell.atomicNumbers(), cell.positions(), new double[8], cell.pbc()));
        rows.add(RowFactory.create("pbc-without-cell", cell.atomicNumbers(), cell.positions(), null,
                new boolean[] {true, true, true}));
        rows.add(RowFactory.create("no-positions", cell.atomicNumbers(), null, null, null));
        JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
        return spark.createDataFrame(context.parallelize(rows, 5), Structures.SCHEMA);
    }

    private static Map<String, Row> byId(List<Row> rows) {
        Map<String, Row> byId = new HashMap<>();
        for (Row row : rows) {
            byId.put(row.getAs(Structures.ID), row);
        }
        return byId;
    }

    private static double[] doubles(Row row, String column) {
        return row.isNullAt(row.fieldIndex(column)) ? null
                : row.getList(row.fieldIndex(column)).stream().mapToDouble(v -> (Double) v).toArray();
    }

    @Test
    void resultsEqualSingleMachineEvaluationBitwiseAndMalformedRowsGetErrors() {
        Map<String, Structure> valid = new LinkedHashMap<>();
        Dataset<Row> structures = structures(valid);
        try (SparkPotential potential = SparkPotential.broadcast(spark, COPPER).withBatchSize(8)) {
            Map<String, Row> results = byId(potential.evaluate(structures).collectAsList());

            assertEquals(valid.size() + 6, results.size());
            assertEquals(42, valid.size());
            valid.forEach((id, structure) -> {
                Evaluation expected = singleMachine.evaluate(structure);
                Row actual = results.get(id);
                assertNull(actual.getAs(Structures.ERROR), id);
                assertEquals(expected.energy(), (double) actual.getAs(SparkPotential.ENERGY), 0.0, id);
                assertArrayEquals(expected.forces(), doubles(actual, SparkPotential.FORCES), 0.0, id);
                assertArrayEquals(expected.stress(), doubles(actual, SparkPotential.STRESS), 0.0, id);
            });
            assertNull(doubles(results.get("cluster"), SparkPotential.STRESS));
            assertError(results, "unknown-element", "unknown element: atomic number 79 (atom 5)");
            assertError(results, "nan-position", "positions must be finite");
            assertError(results, "short-positions", "positions must have length 96");
            assertError(results, "short-cell", "cell must have length 9");
            assertError(results, "pbc-without-cell", "no cell");
            assertError(results, "no-positions", "positions must not be null");
        }
    }

    private static void assertError(Map<String, Row> results, String id, String message) {
        Row row = results.get(id);
        String error = row.getAs(Structures.ERROR);
        assertTrue(error != null && error.contains(message), id + ": " + error);
        assertTrue(row.isNullAt(row.fieldIndex(SparkPotential.ENERGY)), id);
        assertTrue(row.isNullAt(row.fieldIndex(SparkPotential.FORCES)), id);
    }

    @Test
    void aRetriedTaskGivesBitwiseTheSameResults() {
        Dataset<Row> structures = structures(new LinkedHashMap<>());
        try (SparkPotential potential = SparkPotential.broadcast(spark, COPPER).withBatchSize(8)) {
            Dataset<Row> evaluated = potential.evaluate(structures);
            List<Row> clean = evaluated.collectAsList();
            // The second partition's task fails after evaluating on its first attempt; Spark runs it again.
            MapPartitionsFunction<Row, Row> failFirstAttempt = rows -> {
                List<Row> all = new ArrayList<>();
                rows.forEachRemaining(all::add);
                TaskContext task = TaskContext.get();
                if (task.partitionId() == 1 && task.attemptNumber() == 0) {
                    INJECTED_FAILURES.incrementAndGet();
                    throw new IllegalStateException("injected failure of a first attempt");
                }
                return all.iterator();
            };
            int failuresBefore = INJECTED_FAILURES.get();
            List<Row> retried = evaluated.mapPartitions(failFirstAttempt, Encoders.row(evaluated.schema()))
                    .collectAsList();
            assertEquals(1, INJECTED_FAILURES.get() - failuresBefore);
            // Rows compare NaN positions as unequal; the shortest decimal of a double identifies it exactly.
            assertEquals(clean.toString(), retried.toString());
        }
    }

    @Test
    void eachExecutorBuildsTheModelOnce() {
        GeneratedModel model = GeneratedModel.of(PairPotential.class.getName(),
                SafetensorsBytes.of(PairPotential.COPPER), "lj-cu.safetensors");
        int before = PairPotential.CONSTRUCTIONS.get();
        try (SparkPotential potential = SparkPotential.broadcast(spark, model).withBatchSize(4)) {
            Dataset<Row> structures = structures(new LinkedHashMap<>());
            potential.evaluate(structures).collectAsList();
            potential.evaluate(structures).collectAsList();
        }
        // local mode: the driver and its one executor share a JVM and the broadcast value.
        assertEquals(1, PairPotential.CONSTRUCTIONS.get() - before);
    }

    @Test
    void readsParquetAndExtXyz() throws Exception {
        List<Structure> cells = List.of(Screen.rattledCopper(3, 0, 0.05), Screen.rattledCopper(3, 1, 0.05));
        String parquet = dir.resolve("cells.parquet").toString();
        Structures.dataset(spark, cells).write().parquet(parquet);
        Path xyz = dir.resolve("cells.xyz");
        StringBuilder text = new StringBuilder();
        for (Structure cell : cells) {
            text.append(ExtXyzFramesTest.frame(cell, "Cu"));
        }
        text.append(ExtXyzFramesTest.frame(Screen.rattledCopper(3, 2, 0.05), "Xx"));
        Files.writeString(xyz, text, StandardCharsets.UTF_8);
        try (SparkPotential potential = SparkPotential.broadcast(spark, COPPER)) {
            Map<String, Row> fromParquet = byId(potential.evaluate(Structures.readParquet(spark, parquet))
                    .collectAsList());
            Map<String, Row> fromXyz = byId(potential.evaluate(Structures.readExtXyz(spark, xyz.toString()))
                    .collectAsList());
            for (int i = 0; i < cells.size(); i++) {
                double expected = singleMachine.evaluate(cells.get(i)).energy();
                assertEquals(expected, (double) fromParquet.get(String.valueOf(i)).getAs(SparkPotential.ENERGY), 0.0);
                assertEquals(expected, (double) fromXyz.get("cells.xyz:" + i).getAs(SparkPotential.ENERGY), 0.0);
            }
            assertError(fromXyz, "cells.xyz:2", "expected a chemical symbol in the species column, got 'Xx'");
            assertEquals(1, Arrays.stream(potential.evaluate(Structures.readExtXyz(spark, xyz.toString()))
                    .columns()).filter(Structures.ERROR::equals).count());
        }
    }

    @Test
    void evaluatesRowsThatSparkHandsOverUndecoded() {
        // A typed map right before the evaluator: Spark passes its Row objects on as they are, Java arrays inside.
        Dataset<Row> generated = Screen.rattledCopper(spark, 6, 2, 4, 0.05);
        try (SparkPotential potential = SparkPotential.broadcast(spark, COPPER)) {
            Map<String, Row> results = byId(potential.evaluate(generated).collectAsList());
            for (int i = 0; i < 6; i++) {
                Row row = results.get(String.valueOf(i));
                assertNull(row.getAs(Structures.ERROR));
                assertEquals(singleMachine.evaluate(Screen.rattledCopper(4, i, 0.05)).energy(),
                        (double) row.getAs(SparkPotential.ENERGY), 0.0);
            }
        }
    }

    @Test
    void missingOrClashingColumnsAreNamed() {
        Dataset<Row> structures = Structures.dataset(spark, List.of(Screen.rattledCopper(1, 0, 0.05)));
        try (SparkPotential potential = SparkPotential.broadcast(spark, COPPER)) {
            IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                    () -> potential.evaluate(structures.drop(Structures.POSITIONS)));
            assertTrue(missing.getMessage().contains("'positions'"), missing.getMessage());
            IllegalArgumentException taken = assertThrows(IllegalArgumentException.class,
                    () -> potential.evaluate(structures.withColumn(SparkPotential.ENERGY,
                            functions.lit(1.0))));
            assertTrue(taken.getMessage().contains("'energy'"), taken.getMessage());
        }
    }
}
