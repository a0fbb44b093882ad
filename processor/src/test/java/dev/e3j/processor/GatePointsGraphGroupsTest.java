package dev.e3j.processor;

import static dev.e3j.processor.testing.FiniteDifferences.gaussian;
import static dev.e3j.processor.testing.TestArrays.toDouble;
import static dev.e3j.processor.testing.TestArrays.toFloat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.processor.testing.GeneratedKernels;
import dev.e3j.runtime.model.GatePoints;
import dev.e3j.runtime.model.PointsModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A {@code @GatePointsNetwork} batch of many graphs runs as groups of whole graphs, one group per task: its outputs
 * and gradients, in float64 and float32, are the same to the bit on one thread (the batch in one piece) as on two,
 * three and four (split into different groups), and the same as each graph run alone; in e3nn's layout and with
 * channel-last hidden features ({@code <name>IrMul}, whose inputs and outputs have entries of several channels of
 * {@code l > 0}, converted per group).
 */
class GatePointsGraphGroupsTest {

    private static final String SPEC = """
            package test;

            import dev.e3j.annotations.GatePointsNetwork;
            import dev.e3j.annotations.Layout;
            import dev.e3j.annotations.Precision;
            import dev.e3j.runtime.model.PointsModel;

            public interface Specs {
                @GatePointsNetwork(irrepsIn = "2x0e+1x1o", irrepsHidden = "4x0e+2x0o+2x1o+2x1e+1x2e",
                        irrepsOut = "1x0e+1x1o", irrepsNodeAttr = "2x0e", irrepsEdgeAttr = "0e+1o+2e", layers = 2,
                        maxRadius = 1.8, numberOfBasis = 5, radialLayers = 1, radialNeurons = 8, numNeighbors = 3.0,
                        numNodes = 6.0, precision = Precision.FLOAT)
                interface Reduced extends PointsModel {}

                @GatePointsNetwork(irrepsHidden = "4x0e+2x1o+2x2e", irrepsOut = "1x1o+1x1e",
                        irrepsEdgeAttr = "0e+1o+2e", layers = 1, maxRadius = 1.8, numberOfBasis = 5, radialLayers = 1,
                        radialNeurons = 8, numNeighbors = 3.0, numNodes = 6.0, reduceOutput = false,
                        precision = Precision.FLOAT)
                interface PerNode extends PointsModel {}

                @GatePointsNetwork(irrepsIn = "2x0e+2x1o", irrepsHidden = "4x0e+2x0o+2x1o+2x1e+1x2e",
                        irrepsOut = "1x0e+2x1o", irrepsNodeAttr = "2x0e", irrepsEdgeAttr = "0e+1o+2e", layers = 2,
                        maxRadius = 1.8, numberOfBasis = 5, radialLayers = 1, radialNeurons = 8, numNeighbors = 3.0,
                        numNodes = 6.0, precision = Precision.FLOAT, layout = Layout.IR_MUL)
                interface ReducedIrMul extends PointsModel {}

                @GatePointsNetwork(irrepsHidden = "4x0e+2x1o+2x2e", irrepsOut = "2x1o+1x1e",
                        irrepsEdgeAttr = "0e+1o+2e", layers = 1, maxRadius = 1.8, numberOfBasis = 5, radialLayers = 1,
                        radialNeurons = 8, numNeighbors = 3.0, numNodes = 6.0, reduceOutput = false,
                        precision = Precision.FLOAT, layout = Layout.IR_MUL)
                interface PerNodeIrMul extends PointsModel {}
            }
            """;

    /** Nodes of each graph index; graph 4 has none (its output row stays zero). */
    private static final int[] GRAPH_SIZES = {5, 9, 3, 7, 0, 6, 8, 4, 6, 5};

    private static final List<String> MODELS = List.of("Reduced", "PerNode", "ReducedIrMul", "PerNodeIrMul");

    private static GeneratedKernels generated;

    @BeforeAll
    static void compile() {
        generated = GeneratedKernels.compile(Map.of("test.Specs", SPEC));
    }

    private static PointsModel model(String name) throws ReflectiveOperationException {
        Class<?> impl = generated.loadClass("test.Specs_" + name + "Impl");
        GatePoints architecture = (GatePoints) impl.getMethod("architecture", Map.class).invoke(null, Map.of());
        double[] params = architecture.initialParameters(new Random(5));
        return (PointsModel) impl.getConstructor(double[].class).newInstance((Object) params);
    }

    /** A batch's inputs and output cotangent, in double and rounded to float. */
    private record Batch(int numNodes, int[] batch, double[] pos, double[] x, double[] z, double[] gradOut) {

        static Batch random(PointsModel model, int[] graphSizes, Random random) {
            int numNodes = Arrays.stream(graphSizes).sum();
            int[] batch = new int[numNodes];
            int node = 0;
            for (int g = 0; g < graphSizes.length; g++) {
                for (int i = 0; i < graphSizes[g]; i++) {
                    batch[node++] = g;
                }
            }
            double[] pos = new double[3 * numNodes];
            for (int i = 0; i < pos.length; i++) {
                pos[i] = 2.4 * random.nextDouble();
            }
            double[] x = model.hasNodeInput() ? gaussian(random, numNodes * model.irrepsIn().dim()) : null;
            double[] z = model.hasNodeAttributes() ? gaussian(random, numNodes * model.irrepsNodeAttr().dim()) : null;
            int rows = model.reduceOutput() ? graphSizes.length : numNodes;
            return new Batch(numNodes, batch, pos, x, z, gaussian(random, rows * model.irrepsOut().dim()));
        }

        /** Graph {@code g} alone: its nodes, numbered graph 0, and its rows of the output cotangent. */
        Batch graph(PointsModel model, int g) {
            int from = 0;
            while (from < numNodes && batch[from] < g) {
                from++;
            }
            int to = from;
            while (to < numNodes && batch[to] == g) {
                to++;
            }
            int dimOut = model.irrepsOut().dim();
            int[] rows = model.reduceOutput() ? new int[] {g, g + 1} : new int[] {from, to};
            return new Batch(to - from, new int[to - from], rows(pos, 3, from, to),
                    rows(x, model.irrepsIn().dim(), from, to), rows(z, model.irrepsNodeAttr().dim(), from, to),
                    rows(gradOut, dimOut, rows[0], rows[1]));
        }
    }

    private static double[] rows(double[] array, int width, int from, int to) {
        return array == null ? null : Arrays.copyOfRange(array, from * width, to * width);
    }

    /** Output, d/dpos, d/dx and d/dz of {@code batch}, in float64 then float32 (widened), concatenated. */
    private static double[][] evaluate(PointsModel model, Batch batch) {
        int n = batch.numNodes();
        double[] gradPos = new double[3 * n];
        double[] gradX = model.hasNodeInput() ? new double[n * model.irrepsIn().dim()] : null;
        double[] gradZ = model.hasNodeAttributes() ? new double[n * model.irrepsNodeAttr().dim()] : null;
        double[] out = model.forward(n, batch.pos(), batch.batch(), batch.x(), batch.z());
        model.backward(n, batch.pos(), batch.batch(), batch.x(), batch.z(), batch.gradOut(), gradPos, gradX, gradZ);
        float[] gradPosFloat = new float[3 * n];
        float[] gradXFloat = gradX != null ? new float[gradX.length] : null;
        float[] gradZFloat = gradZ != null ? new float[gradZ.length] : null;
        float[] outFloat = model.forward(n, toFloat(batch.pos()), batch.batch(), toFloat(batch.x()), toFloat(batch.z()));
        model.backward(n, toFloat(batch.pos()), batch.batch(), toFloat(batch.x()), toFloat(batch.z()),
                toFloat(batch.gradOut()), gradPosFloat, gradXFloat, gradZFloat);
        return new double[][] {out, gradPos, gradX, gradZ, toDouble(outFloat), toDouble(gradPosFloat), toDouble(gradXFloat),
            toDouble(gradZFloat)};
    }

    /** {@code task} run in a fork/join pool of {@code threads} workers, so that its parallel loops use them. */
    private static <T> T onThreads(int threads, Callable<T> task) throws Exception {
        ForkJoinPool pool = new ForkJoinPool(threads);
        try {
            return pool.submit(task).get();
        } finally {
            pool.shutdown();
        }
    }

    private static final List<String> RESULTS = List.of("output", "d/dpos", "d/dx", "d/dz", "float output",
            "float d/dpos", "float d/dx", "float d/dz");

    private static void assertSameBits(double[][] expected, double[][] actual, String where) {
        for (int r = 0; r < RESULTS.size(); r++) {
            assertArrayEquals(expected[r], actual[r], 0.0, RESULTS.get(r) + " " + where);
        }
    }

    @Test
    void groupsOfGraphsGiveTheBitsOfTheWholeBatch() throws Exception {
        for (String name : MODELS) {
            PointsModel model = model(name);
            Batch batch = Batch.random(model, GRAPH_SIZES, new Random(3));
            double[][] whole = onThreads(1, () -> evaluate(model, batch));
            assertTrue(Arrays.stream(whole[1]).anyMatch(g -> g != 0), name + ": no edges in the batch");
            for (int threads = 2; threads <= 4; threads++) {
                assertSameBits(whole, onThreads(threads, () -> evaluate(model, batch)),
                        name + " on " + threads + " threads");
            }
        }
    }

    /**
     * Calls of one model at the same time, on batches of different sizes, share its convolutions' pools of scratch
     * arrays: each gets the bits it gets alone.
     */
    @Test
    void concurrentCallsGiveTheBitsOfEachCallAlone() throws Exception {
        for (String name : MODELS) {
            PointsModel model = model(name);
            List<Batch> batches = new ArrayList<>();
            List<double[][]> alone = new ArrayList<>();
            // Batches of the first 1, 2, ... graphs, none ending with an empty graph.
            int[] graphs = {1, 2, 3, 4, 6, 8};
            for (int b = 0; b < graphs.length; b++) {
                batches.add(Batch.random(model, Arrays.copyOfRange(GRAPH_SIZES, 0, graphs[b]), new Random(10 + b)));
                Batch batch = batches.get(b);
                alone.add(onThreads(1, () -> evaluate(model, batch)));
            }
            ForkJoinPool pool = new ForkJoinPool(3);
            try {
                List<ForkJoinTask<double[][]>> calls = new ArrayList<>();
                for (int round = 0; round < 3; round++) {
                    for (Batch batch : batches) {
                        calls.add(pool.submit(() -> evaluate(model, batch)));
                    }
                }
                for (int c = 0; c < calls.size(); c++) {
                    assertSameBits(alone.get(c % batches.size()), calls.get(c).get(),
                            name + ", call " + c + " of " + calls.size() + " at once");
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void eachGraphOfABatchGivesTheBitsOfTheGraphAlone() throws Exception {
        for (String name : MODELS) {
            PointsModel model = model(name);
            Batch batch = Batch.random(model, GRAPH_SIZES, new Random(4));
            double[][] together = onThreads(3, () -> evaluate(model, batch));
            int node = 0;
            for (int g = 0; g < GRAPH_SIZES.length; g++) {
                int size = GRAPH_SIZES[g];
                if (size == 0) {
                    if (model.reduceOutput()) {
                        int dim = model.irrepsOut().dim();
                        assertArrayEquals(new double[dim], Arrays.copyOfRange(together[0], g * dim, (g + 1) * dim),
                                0.0, name + ": the output of graph " + g + ", which has no nodes");
                    }
                    continue;
                }
                double[][] alone = evaluate(model, batch.graph(model, g));
                int from = node;
                int outRow = model.reduceOutput() ? g : node;
                int[] rowOf = {outRow, from, from, from, outRow, from, from, from};
                double[][] expected = new double[RESULTS.size()][];
                for (int r = 0; r < RESULTS.size(); r++) {
                    if (alone[r] != null) {
                        int width = alone[r].length / (r % 4 == 0 && model.reduceOutput() ? 1 : size);
                        expected[r] = Arrays.copyOfRange(together[r], rowOf[r] * width,
                                rowOf[r] * width + alone[r].length);
                    }
                }
                assertSameBits(expected, alone, name + " graph " + g);
                node += size;
            }
        }
    }
}
