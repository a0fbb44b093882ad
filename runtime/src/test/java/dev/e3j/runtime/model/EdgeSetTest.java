package dev.e3j.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.SphericalHarmonicsKernel;
import dev.e3j.runtime.graph.RadiusGraph;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The gathers and per-node sums of {@link EdgeSet} against plain loops over the edges in order: the same bits, nodes
 * without edges included, and {@code -0.0} summed as {@code 0.0 + -0.0} like a scatter into zeros.
 */
class EdgeSetTest {

    private static final int NODES = 40;
    private static final double MAX_RADIUS = 1.2;
    private static final int WIDTH = 7;

    /** {@code Y^0 = 1}; the sums and gathers do not read the edge attributes. */
    private static final class ConstantHarmonic implements SphericalHarmonicsKernel {
        public Irreps irrepsOut() {
            return Irreps.parse("1x0e");
        }

        public void forward(int n, double[] xyz, double[] out) {
            Arrays.fill(out, 1.0);
        }

        public void backward(int n, double[] xyz, double[] gradOut, double[] gradXyz) {
            Arrays.fill(gradXyz, 0.0);
        }
    }

    /** One graph: nodes in a box where most have neighbours, the last one far from all the others. */
    private static double[] positions(Random random) {
        double[] pos = new double[3 * NODES];
        for (int i = 0; i < pos.length; i++) {
            pos[i] = 3.0 * random.nextDouble();
        }
        pos[3 * (NODES - 1)] = 100.0;
        return pos;
    }

    /** Gaussian values with whole rows of {@code -0.0} on every fifth edge. */
    private static double[] values(Random random, int edges) {
        double[] values = new double[edges * WIDTH];
        for (int e = 0; e < edges; e++) {
            for (int c = 0; c < WIDTH; c++) {
                values[e * WIDTH + c] = e % 5 == 0 ? -0.0 : random.nextGaussian();
            }
        }
        return values;
    }

    private static double[] scatter(double[] values, int[] node, double scale) {
        double[] out = new double[NODES * WIDTH];
        for (int e = 0; e < node.length; e++) {
            for (int c = 0; c < WIDTH; c++) {
                out[node[e] * WIDTH + c] += values[e * WIDTH + c];
            }
        }
        for (int i = 0; i < out.length; i++) {
            out[i] *= scale;
        }
        return out;
    }

    private static float[] narrow(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }

    private static float[] scatter(float[] values, int[] node, float scale) {
        float[] out = new float[NODES * WIDTH];
        for (int e = 0; e < node.length; e++) {
            for (int c = 0; c < WIDTH; c++) {
                out[node[e] * WIDTH + c] += values[e * WIDTH + c];
            }
        }
        for (int i = 0; i < out.length; i++) {
            out[i] *= scale;
        }
        return out;
    }

    @Test
    void sumsIntoNodesAsAScatterInEdgeOrder() {
        Random random = new Random(5);
        double[] pos = positions(random);
        RadiusGraph graph = RadiusGraph.build(NODES, pos, MAX_RADIUS);
        EdgeSet edges = EdgeSet.build(new ConstantHarmonic(), NODES, pos, new int[NODES], MAX_RADIUS, 4);
        int numEdges = graph.numEdges();
        assertEquals(numEdges, edges.numEdges());
        assertTrue(numEdges > 2 * NODES, "a graph with several edges per node, got " + numEdges);
        double[] values = values(random, numEdges);
        double scale = 1 / Math.sqrt(5.12);

        assertArrayEquals(scatter(values, graph.dst(), scale), edges.sumIntoDst(values, WIDTH, scale));
        assertArrayEquals(scatter(values, graph.src(), 1.0), edges.sumIntoSrc(values, WIDTH));
        float[] narrow = narrow(values);
        assertArrayEquals(scatter(narrow, graph.dst(), (float) scale), edges.sumIntoDst(narrow, WIDTH, scale));
        assertArrayEquals(scatter(narrow, graph.src(), 1.0f), edges.sumIntoSrc(narrow, WIDTH));
        double[] isolated = Arrays.copyOfRange(edges.sumIntoDst(values, WIDTH, scale), (NODES - 1) * WIDTH,
                NODES * WIDTH);
        assertArrayEquals(new double[WIDTH], isolated, "a node without edges sums to +0.0");
    }

    @Test
    void sumsByChunksOfEdgesAsAllAtOnce() {
        Random random = new Random(7);
        double[] pos = positions(random);
        EdgeSet edges = EdgeSet.build(new ConstantHarmonic(), NODES, pos, new int[NODES], MAX_RADIUS, 4);
        int numEdges = edges.numEdges();
        double[] values = values(random, numEdges);
        float[] narrow = narrow(values);
        double scale = 1 / Math.sqrt(5.12);
        // Chunks that split nodes' edges between them (a node has several edges), and one of all the edges.
        for (int chunk : new int[] {1, 3, 7, numEdges}) {
            double[] dstSums = new double[NODES * WIDTH];
            double[] srcSums = new double[NODES * WIDTH];
            float[] dstSumsFloat = new float[NODES * WIDTH];
            float[] srcSumsFloat = new float[NODES * WIDTH];
            double[] sum = new double[WIDTH];
            double[] row = new double[WIDTH];
            float[] sumFloat = new float[WIDTH];
            float[] rowFloat = new float[WIDTH];
            for (int first = 0; first < numEdges; first += chunk) {
                int count = Math.min(chunk, numEdges - first);
                double[] rows = Arrays.copyOfRange(values, first * WIDTH, (first + count) * WIDTH);
                float[] rowsFloat = Arrays.copyOfRange(narrow, first * WIDTH, (first + count) * WIDTH);
                edges.sumIntoDst(rows, WIDTH, scale, first, count, dstSums, sum, row);
                edges.addIntoSrc(rows, WIDTH, first, count, srcSums);
                edges.sumIntoDst(rowsFloat, WIDTH, scale, first, count, dstSumsFloat, sumFloat, rowFloat);
                edges.addIntoSrc(rowsFloat, WIDTH, first, count, srcSumsFloat);
            }
            assertArrayEquals(edges.sumIntoDst(values, WIDTH, scale), dstSums, "chunks of " + chunk);
            assertArrayEquals(edges.sumIntoSrc(values, WIDTH), srcSums, "chunks of " + chunk);
            assertArrayEquals(edges.sumIntoDst(narrow, WIDTH, scale), dstSumsFloat, "chunks of " + chunk);
            assertArrayEquals(edges.sumIntoSrc(narrow, WIDTH), srcSumsFloat, "chunks of " + chunk);
        }
        assertEquals(edges.numEdges(), edges.firstEdgeInto(NODES));
    }

    @Test
    void gathersScaledRowsIntoANewArrayOrTheGivenOnes() {
        Random random = new Random(6);
        double[] pos = positions(random);
        RadiusGraph graph = RadiusGraph.build(NODES, pos, MAX_RADIUS);
        EdgeSet edges = EdgeSet.build(new ConstantHarmonic(), NODES, pos, new int[NODES], MAX_RADIUS, 4);
        int numEdges = edges.numEdges();
        double[] nodes = new double[NODES * WIDTH];
        for (int i = 0; i < nodes.length; i++) {
            nodes[i] = random.nextGaussian();
        }
        double scale = 0.3;
        double[] expectedDst = new double[numEdges * WIDTH];
        double[] expectedSrc = new double[numEdges * WIDTH];
        float[] expectedDstFloat = new float[numEdges * WIDTH];
        float[] nodesFloat = narrow(nodes);
        for (int e = 0; e < numEdges; e++) {
            for (int c = 0; c < WIDTH; c++) {
                expectedDst[e * WIDTH + c] = scale * nodes[graph.dst()[e] * WIDTH + c];
                expectedSrc[e * WIDTH + c] = nodes[graph.src()[e] * WIDTH + c];
                expectedDstFloat[e * WIDTH + c] = (float) scale * nodesFloat[graph.dst()[e] * WIDTH + c];
            }
        }
        assertArrayEquals(expectedDst, edges.gatherDst(nodes, WIDTH, scale));
        assertArrayEquals(expectedSrc, edges.gatherSrc(nodes, WIDTH));
        assertArrayEquals(expectedDstFloat, edges.gatherDst(nodesFloat, WIDTH, scale));
        int first = 3;
        int count = numEdges - 5;
        double[] target = new double[count * WIDTH];
        Arrays.fill(target, Double.NaN);
        edges.gatherDst(nodes, WIDTH, scale, first, count, target);
        assertArrayEquals(Arrays.copyOfRange(expectedDst, first * WIDTH, (first + count) * WIDTH), target,
                "every entry of the given array overwritten");
        edges.gatherSrc(nodes, WIDTH, first, count, target);
        assertArrayEquals(Arrays.copyOfRange(expectedSrc, first * WIDTH, (first + count) * WIDTH), target);
        float[] floatTarget = new float[count * WIDTH];
        Arrays.fill(floatTarget, Float.NaN);
        edges.gatherDst(nodesFloat, WIDTH, scale, first, count, floatTarget);
        assertArrayEquals(Arrays.copyOfRange(expectedDstFloat, first * WIDTH, (first + count) * WIDTH), floatTarget);
    }
}
