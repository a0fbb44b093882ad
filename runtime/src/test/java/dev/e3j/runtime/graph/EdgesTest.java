package dev.e3j.runtime.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.SphericalHarmonicsKernel;
import dev.e3j.runtime.math.SoftOneHot;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EdgesTest {

    private static final double MAX_RADIUS = 2.5;
    private static final int BASIS = 6;

    /** {@code 1x0e+1x1o} of the unit vector: {@code (1, x / r, y / r, z / r)}. */
    private static final class UnitVector implements SphericalHarmonicsKernel {
        @Override
        public Irreps irrepsOut() {
            return Irreps.parse("1x0e+1x1o");
        }

        @Override
        public void forward(int n, double[] xyz, double[] out) {
            for (int e = 0; e < n; e++) {
                double r = Math.sqrt(xyz[3 * e] * xyz[3 * e] + xyz[3 * e + 1] * xyz[3 * e + 1]
                        + xyz[3 * e + 2] * xyz[3 * e + 2]);
                out[4 * e] = 1.0;
                for (int c = 0; c < 3; c++) {
                    out[4 * e + 1 + c] = xyz[3 * e + c] / r;
                }
            }
        }

        @Override
        public void backward(int n, double[] xyz, double[] gradOut, double[] gradXyz) {
            for (int e = 0; e < n; e++) {
                double r = Math.sqrt(xyz[3 * e] * xyz[3 * e] + xyz[3 * e + 1] * xyz[3 * e + 1]
                        + xyz[3 * e + 2] * xyz[3 * e + 2]);
                double dot = 0;
                for (int c = 0; c < 3; c++) {
                    dot += gradOut[4 * e + 1 + c] * xyz[3 * e + c];
                }
                for (int c = 0; c < 3; c++) {
                    gradXyz[3 * e + c] = (gradOut[4 * e + 1 + c] - dot * xyz[3 * e + c] / (r * r)) / r;
                }
            }
        }
    }

    /** A cloud of {@code n} nodes in a box of side 3: most pairs are within {@link #MAX_RADIUS}. */
    private static RadiusGraph graph(int n, long seed) {
        Random random = new Random(seed);
        double[] pos = new double[3 * n];
        for (int i = 0; i < pos.length; i++) {
            pos[i] = 3 * random.nextDouble();
        }
        return RadiusGraph.build(n, pos, MAX_RADIUS);
    }

    private static Edges edges(RadiusGraph graph) {
        return Edges.of(new UnitVector(), graph, MAX_RADIUS, BASIS, SoftOneHot.Basis.GAUSSIAN);
    }

    private static double[] gaussian(Random random, int length) {
        double[] values = new double[length];
        for (int i = 0; i < length; i++) {
            values[i] = random.nextGaussian();
        }
        return values;
    }

    @Test
    void edgesOfAGraphAreThoseOfItsArraysInBlocksOrInOne() {
        RadiusGraph graph = graph(40, 3);
        int numEdges = graph.numEdges();
        // More edges than one parallel block of Edges takes; the first rows alone fit in one.
        int rows = 300;
        assertTrue(numEdges > 1024, "edges: " + numEdges);
        Edges all = edges(graph);
        Edges fromArrays = Edges.of(new UnitVector(), graph.numNodes(), graph.src(), graph.dst(), graph.edgeVec(),
                MAX_RADIUS, BASIS, SoftOneHot.Basis.GAUSSIAN);
        Edges first = Edges.of(new UnitVector(), graph.numNodes(), Arrays.copyOf(graph.src(), rows),
                Arrays.copyOf(graph.dst(), rows), Arrays.copyOf(graph.edgeVec(), 3 * rows), MAX_RADIUS, BASIS,
                SoftOneHot.Basis.GAUSSIAN);
        assertArrayEquals(fromArrays.attr(), all.attr());
        assertArrayEquals(fromArrays.lengthEmbedding(), all.lengthEmbedding());
        assertArrayEquals(Arrays.copyOf(all.attr(), 4 * rows), first.attr());
        assertArrayEquals(Arrays.copyOf(all.lengthEmbedding(), BASIS * rows), first.lengthEmbedding());

        Random random = new Random(4);
        double[] gradAttr = gaussian(random, 4 * numEdges);
        double[] gradEmbedding = gaussian(random, BASIS * numEdges);
        double[] gradVec = all.edgeVecGradient(gradAttr, gradEmbedding);
        assertArrayEquals(fromArrays.edgeVecGradient(gradAttr, gradEmbedding), gradVec);
        // Each edge's gradient depends on its own cotangents alone.
        assertArrayEquals(Arrays.copyOf(gradVec, 3 * rows), first.edgeVecGradient(Arrays.copyOf(gradAttr, 4 * rows),
                Arrays.copyOf(gradEmbedding, BASIS * rows)));
    }

    @Test
    void floatGradientsAreReadWidened() {
        for (int n : new int[] {12, 40}) {
            Edges edges = edges(graph(n, n));
            int numEdges = edges.numEdges();
            Random random = new Random(n);
            float[] gradAttr = new float[4 * numEdges];
            float[] gradEmbedding = new float[BASIS * numEdges];
            for (int i = 0; i < gradAttr.length; i++) {
                gradAttr[i] = (float) random.nextGaussian();
            }
            for (int i = 0; i < gradEmbedding.length; i++) {
                gradEmbedding[i] = (float) random.nextGaussian();
            }
            double[] wideAttr = new double[gradAttr.length];
            double[] wideEmbedding = new double[gradEmbedding.length];
            for (int i = 0; i < wideAttr.length; i++) {
                wideAttr[i] = gradAttr[i];
            }
            for (int i = 0; i < wideEmbedding.length; i++) {
                wideEmbedding[i] = gradEmbedding[i];
            }
            assertArrayEquals(edges.edgeVecGradient(wideAttr, wideEmbedding),
                    edges.edgeVecGradient(gradAttr, gradEmbedding), "n " + n);
            assertArrayEquals(edges.edgeVecGradient(wideAttr, null), edges.edgeVecGradient(gradAttr, null));
            assertArrayEquals(edges.edgeVecGradient(null, wideEmbedding),
                    edges.edgeVecGradient((float[]) null, gradEmbedding));
        }
    }
}
