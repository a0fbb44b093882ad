package dev.e3j.spark;

import dev.e3j.runtime.model.PointsModel;
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
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Evaluates a generated {@link PointsModel} (such as {@code @GatePointsNetwork}) over a Spark dataset of structures,
 * one graph per structure, adding {@value #OUTPUT} and {@value Structures#ERROR} columns. Node inputs and
 * attributes, when the model takes them, come from the columns {@value #NODE_INPUT} and {@value #NODE_ATTRIBUTES}
 * (arrays of double, {@code [n][dim]} row-major in e3nn's {@code mul_ir} layout).
 *
 * <p>{@value #OUTPUT} is {@code [irrepsOut().dim()]} per structure when the model {@link PointsModel#reduceOutput()
 * reduces its output}, else {@code [n][irrepsOut().dim()]}. A points model sees a point cloud: the cell is not used,
 * and a periodic structure is an error row. Weights, batching (the structures of a batch go through one
 * {@code forward} call), error rows and determinism are as for {@link SparkPotential}.
 */
public final class SparkPointsModel implements AutoCloseable {

    /** Input column: node inputs {@code x}. */
    public static final String NODE_INPUT = "node_input";
    /** Input column: node attributes {@code z}. */
    public static final String NODE_ATTRIBUTES = "node_attributes";
    /** Result column: the model's output. */
    public static final String OUTPUT = "output";

    private final Broadcast<GeneratedModel> model;
    private final int batchSize;

    private SparkPointsModel(Broadcast<GeneratedModel> model, int batchSize) {
        this.model = model;
        this.batchSize = batchSize;
    }

    /**
     * Builds the model once on the driver (so that a wrong class or state dict fails here, not in a task) and
     * broadcasts it.
     *
     * @throws IllegalArgumentException if the model cannot be built or is not a {@link PointsModel}
     */
    public static SparkPointsModel broadcast(SparkSession spark, GeneratedModel model) {
        model.instance(PointsModel.class);
        Broadcast<GeneratedModel> shipped = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(model);
        return new SparkPointsModel(shipped, SparkPotential.DEFAULT_BATCH_SIZE);
    }

    /** {@return the structures handed to the model at a time} */
    public int batchSize() {
        return batchSize;
    }

    /** {@return this model evaluating {@code batchSize} structures per {@code forward} call} */
    public SparkPointsModel withBatchSize(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        }
        return new SparkPointsModel(model, batchSize);
    }

    /**
     * The rows of {@code structures} with {@value #OUTPUT} and {@value Structures#ERROR} appended, lazily.
     *
     * @throws IllegalArgumentException if a structure column, or a node column that the model needs, is missing
     *                                  or of the wrong type, or a result column's name is taken
     */
    public Dataset<Row> evaluate(Dataset<Row> structures) {
        StructType input = structures.schema();
        PointsModel points = model.value().instance(PointsModel.class);
        int nodeInput = nodeColumn(input, NODE_INPUT, points.hasNodeInput());
        int nodeAttributes = nodeColumn(input, NODE_ATTRIBUTES, points.hasNodeAttributes());
        StructType output = SparkPotential.appendColumns(input,
                DataTypes.createStructField(OUTPUT, DataTypes.createArrayType(DataTypes.DoubleType, false), true),
                DataTypes.createStructField(Structures.ERROR, DataTypes.StringType, true));
        return structures.mapPartitions(new Partitions(model, StructureReader.of(input),
                StructureReader.index(input, Structures.ERROR), nodeInput, nodeAttributes, batchSize),
                Encoders.row(output));
    }

    private static int nodeColumn(StructType schema, String column, boolean needed) {
        if (!needed) {
            return -1;
        }
        int index = StructureReader.index(schema, column);
        if (index < 0 || !(schema.fields()[index].dataType() instanceof ArrayType array
                && array.elementType().equals(DataTypes.DoubleType))) {
            throw new IllegalArgumentException("the model takes " + column + ", so the structures must have a column '"
                    + column + "' (array of double), but the schema has " + schema.simpleString());
        }
        return index;
    }

    /** Removes the broadcast weights from the executors and the driver; this model cannot be used after. */
    @Override
    public void close() {
        model.destroy();
    }

    /** One structure ready for the model: positions and node columns, checked against the model's sizes. */
    private record Graph(int row, Structure structure, double[] x, double[] z) {
    }

    /** What a task runs: its partition's rows in batches, each batch one {@code forward} call. */
    private static final class Partitions implements MapPartitionsFunction<Row, Row>, Serializable {

        private static final long serialVersionUID = 1L;

        private final Broadcast<GeneratedModel> model;
        private final StructureReader reader;
        private final int errorColumn;
        private final int nodeInput;
        private final int nodeAttributes;
        private final int batchSize;

        Partitions(Broadcast<GeneratedModel> model, StructureReader reader, int errorColumn, int nodeInput,
                   int nodeAttributes, int batchSize) {
            this.model = model;
            this.reader = reader;
            this.errorColumn = errorColumn;
            this.nodeInput = nodeInput;
            this.nodeAttributes = nodeAttributes;
            this.batchSize = batchSize;
        }

        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            PointsModel points = model.value().instance(PointsModel.class);
            return new BatchedRows(rows, errorColumn, batchSize, batch -> evaluate(points, batch));
        }

        private Object[][] evaluate(PointsModel points, List<Row> rows) {
            Object[][] results = new Object[rows.size()][];
            List<Graph> graphs = new ArrayList<>(rows.size());
            for (int i = 0; i < rows.size(); i++) {
                String inputError = BatchedRows.inputError(rows.get(i), errorColumn);
                if (inputError != null) {
                    results[i] = new Object[] {null, inputError};
                    continue;
                }
                try {
                    Graph graph = graph(points, i, rows.get(i));
                    if (graph.structure().size() == 0) {
                        results[i] = new Object[] {new double[points.reduceOutput() ? points.irrepsOut().dim() : 0],
                            null};
                    } else {
                        graphs.add(graph);
                    }
                } catch (IllegalArgumentException e) {
                    results[i] = new Object[] {null, e.getMessage()};
                }
            }
            double[][] outputs = forwardBatch(points, graphs);
            for (int k = 0; k < graphs.size(); k++) {
                Graph graph = graphs.get(k);
                if (outputs != null) {
                    results[graph.row()] = new Object[] {outputs[k], null};
                    continue;
                }
                try {
                    results[graph.row()] = new Object[] {forward(points, List.of(graph))[0], null};
                } catch (RuntimeException e) {
                    results[graph.row()] = new Object[] {null, BatchedRows.message(e)};
                }
            }
            return results;
        }

        private Graph graph(PointsModel points, int row, Row values) {
            Structure structure = reader.read(values);
            boolean[] pbc = structure.pbc();
            if (pbc[0] || pbc[1] || pbc[2]) {
                throw new IllegalArgumentException("a points model takes no periodic structures (its edges join "
                        + "atoms closer than its radius, without periodic images), got pbc " + Arrays.toString(pbc));
            }
            double[] x = nodeColumn(values, nodeInput, NODE_INPUT, structure.size(), points.irrepsIn().dim());
            double[] z = nodeColumn(values, nodeAttributes, NODE_ATTRIBUTES, structure.size(),
                    points.irrepsNodeAttr().dim());
            return new Graph(row, structure, x, z);
        }

        private static double[] nodeColumn(Row values, int index, String column, int atoms, int dim) {
            if (index < 0) {
                return null;
            }
            double[] node = StructureReader.doubles(values, index, column);
            if (node.length != (long) atoms * dim) {
                throw new IllegalArgumentException(column + " must have length " + (long) atoms * dim + " (" + atoms
                        + " atoms x " + dim + "), got " + node.length);
            }
            return node;
        }

        /** {@return each graph's output from one forward call, or null if the model rejects the batch} */
        private static double[][] forwardBatch(PointsModel points, List<Graph> graphs) {
            if (graphs.size() < 2) {
                return null;
            }
            try {
                return forward(points, graphs);
            } catch (RuntimeException e) {
                return null;
            }
        }

        /** Concatenates the graphs into one batch, runs forward, and splits the output per graph. */
        private static double[][] forward(PointsModel points, List<Graph> graphs) {
            int nodes = 0;
            for (Graph graph : graphs) {
                nodes += graph.structure().size();
            }
            double[] pos = new double[3 * nodes];
            int[] batch = new int[nodes];
            double[] x = points.hasNodeInput() ? new double[nodes * points.irrepsIn().dim()] : null;
            double[] z = points.hasNodeAttributes() ? new double[nodes * points.irrepsNodeAttr().dim()] : null;
            int at = 0;
            for (int g = 0; g < graphs.size(); g++) {
                Graph graph = graphs.get(g);
                int n = graph.structure().size();
                System.arraycopy(graph.structure().positions(), 0, pos, 3 * at, 3 * n);
                Arrays.fill(batch, at, at + n, g);
                if (x != null) {
                    System.arraycopy(graph.x(), 0, x, at * points.irrepsIn().dim(), graph.x().length);
                }
                if (z != null) {
                    System.arraycopy(graph.z(), 0, z, at * points.irrepsNodeAttr().dim(), graph.z().length);
                }
                at += n;
            }
            double[] out = points.forward(nodes, pos, batch, x, z);
            int dim = points.irrepsOut().dim();
            long expected = (long) (points.reduceOutput() ? graphs.size() : nodes) * dim;
            if (out.length != expected) {
                throw new IllegalStateException("the model's forward returned " + out.length + " numbers, expected "
                        + expected);
            }
            double[][] perGraph = new double[graphs.size()][];
            at = 0;
            for (int g = 0; g < graphs.size(); g++) {
                int rows = points.reduceOutput() ? 1 : graphs.get(g).structure().size();
                int start = points.reduceOutput() ? g * dim : at * dim;
                perGraph[g] = Arrays.copyOfRange(out, start, start + rows * dim);
                at += graphs.get(g).structure().size();
            }
            return perGraph;
        }
    }
}
