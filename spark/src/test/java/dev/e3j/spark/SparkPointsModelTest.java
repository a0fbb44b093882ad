package dev.e3j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.runtime.io.StateDict;
import dev.e3j.runtime.io.Tensor;
import dev.e3j.runtime.model.PointsModel;
import dev.e3j.runtime.model.Structure;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;

class SparkPointsModelTest {

    private static final StateDict RADIUS = StateDict.of(Map.of("radius",
            Tensor.ofDoubles(new long[] {}, new double[] {3.0})));
    private static final GeneratedModel CENTROID = GeneratedModel.of(CentroidPointsModel.class.getName(),
            SafetensorsBytes.of(RADIUS), "centroid.safetensors");

    private final SparkSession spark = LocalSpark.session();

    @Test
    void batchedOutputsEqualOneGraphAtATimeAndMalformedRowsGetErrors() {
        PointsModel singleMachine = new CentroidPointsModel(RADIUS);
        List<Row> rows = new ArrayList<>();
        List<double[]> expected = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Structure cell = Screen.rattledCopper(5, i, 0.1);
            int atoms = 4 + i;
            double[] pos = new double[3 * atoms];
            System.arraycopy(cell.positions(), 0, pos, 0, pos.length);
            double[] z = new double[atoms];
            for (int a = 0; a < atoms; a++) {
                z[a] = 1 + 0.1 * a;
            }
            int[] numbers = new int[atoms];
            Arrays.fill(numbers, 29);
            rows.add(RowFactory.create("g" + i, numbers, pos, null, null, z));
            int[] batch = new int[atoms];
            expected.add(singleMachine.forward(atoms, pos, batch, null, z));
        }
        rows.add(RowFactory.create("empty", new int[0], new double[0], null, null, new double[0]));
        rows.add(RowFactory.create("short-z", new int[] {29, 29}, new double[6], null, null, new double[1]));
        Structure cell = Screen.rattledCopper(5, 0, 0.1);
        rows.add(RowFactory.create("periodic", cell.atomicNumbers(), cell.positions(), cell.cell(), cell.pbc(),
                new double[32]));
        Dataset<Row> structures = spark.createDataFrame(
                JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, 3),
                Structures.SCHEMA.add(SparkPointsModel.NODE_ATTRIBUTES,
                        DataTypes.createArrayType(DataTypes.DoubleType, false)));

        try (SparkPointsModel model = SparkPointsModel.broadcast(spark, CENTROID).withBatchSize(3)) {
            List<Row> results = model.evaluate(structures).collectAsList();
            Map<String, Row> byId = new HashMap<>();
            results.forEach(row -> byId.put(row.getAs(Structures.ID), row));
            for (int i = 0; i < 12; i++) {
                Row row = byId.get("g" + i);
                assertNull(row.getAs(Structures.ERROR));
                double[] output = row.getList(row.fieldIndex(SparkPointsModel.OUTPUT)).stream()
                        .mapToDouble(v -> (Double) v).toArray();
                assertArrayEquals(expected.get(i), output, 0.0, "g" + i);
            }
            Row empty = byId.get("empty");
            assertEquals(List.of(0.0, 0.0, 0.0, 0.0), empty.getList(empty.fieldIndex(SparkPointsModel.OUTPUT)));
            assertTrue(byId.get("short-z").<String>getAs(Structures.ERROR)
                    .contains("node_attributes must have length 2"));
            assertTrue(byId.get("periodic").<String>getAs(Structures.ERROR).contains("no periodic structures"));
        }
    }

    @Test
    void aModelThatTakesAttributesNeedsTheirColumn() {
        Dataset<Row> structures = Structures.dataset(spark, List.of(Screen.rattledCopper(1, 0, 0.05)));
        try (SparkPointsModel model = SparkPointsModel.broadcast(spark, CENTROID)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.evaluate(structures));
            assertTrue(e.getMessage().contains("'node_attributes'"), e.getMessage());
        }
    }
}
