package dev.e3j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.runtime.model.Evaluation;
import dev.e3j.runtime.model.InteratomicPotential;
import dev.e3j.runtime.model.Structure;
import dev.e3j.samples.md.CuPotential;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * A generated {@code @Mace} potential (the MD sample's copper MACE, weights broadcast as the jar ships them) screened
 * on {@code local[2]}: every number equals single-machine evaluation bit for bit, and a structure with an element the
 * model does not know becomes an error row while the others are evaluated.
 */
class MaceOnSparkTest {

    private final SparkSession spark = LocalSpark.session();

    @Test
    void generatedMaceOnSparkEqualsSingleMachineBitwise() throws IOException {
        byte[] weights;
        try (InputStream in = CuPotential.class.getResourceAsStream(CuPotential.WEIGHTS)) {
            weights = in.readAllBytes();
        }
        GeneratedModel mace = GeneratedModel.of("dev.e3j.samples.md.CuPotentialImpl", weights, CuPotential.WEIGHTS);
        InteratomicPotential singleMachine = CuPotential.load();

        Map<String, Structure> valid = new HashMap<>();
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Structure cell = Screen.rattledCopper(11, i, 0.05);
            valid.put("cu-" + i, cell);
            rows.add(Structures.toRow("cu-" + i, cell));
        }
        Structure cell = Screen.rattledCopper(11, 99, 0.05);
        int[] withOxygen = cell.atomicNumbers();
        withOxygen[3] = 8;
        rows.add(RowFactory.create("oxygen", withOxygen, cell.positions(), cell.cell(), cell.pbc()));
        Dataset<Row> structures = spark.createDataFrame(
                JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, 3), Structures.SCHEMA);

        try (SparkPotential potential = SparkPotential.broadcast(spark, mace).withBatchSize(2)) {
            Map<String, Row> results = new HashMap<>();
            for (Row row : potential.evaluate(structures).collectAsList()) {
                results.put(row.getAs(Structures.ID), row);
            }
            assertEquals(7, results.size());
            valid.forEach((id, structure) -> {
                Evaluation expected = singleMachine.evaluate(structure);
                Row actual = results.get(id);
                assertNull(actual.getAs(Structures.ERROR), id);
                assertEquals(expected.energy(), (double) actual.getAs(SparkPotential.ENERGY), 0.0, id);
                assertArrayEquals(expected.forces(), doubles(actual, SparkPotential.FORCES), 0.0, id);
                assertArrayEquals(expected.stress(), doubles(actual, SparkPotential.STRESS), 0.0, id);
            });
            String error = results.get("oxygen").getAs(Structures.ERROR);
            assertTrue(error != null && error.contains("8"), "oxygen: " + error);
        }
    }

    private static double[] doubles(Row row, String column) {
        return row.getList(row.fieldIndex(column)).stream().mapToDouble(v -> (Double) v).toArray();
    }
}
