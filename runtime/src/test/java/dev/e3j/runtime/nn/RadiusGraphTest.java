package dev.e3j.runtime.nn;

import static dev.e3j.runtime.nn.GradientCheck.assertGradient;
import static dev.e3j.runtime.nn.GradientCheck.dot;
import static dev.e3j.runtime.nn.GradientCheck.gaussian;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RadiusGraphTest {

    /** Distances: |01| = 1, |03| = |13| = sqrt(1/2), |23| = sqrt(5/2), |02| = 2, |12| = sqrt 5. */
    private static final double[] POS = {0, 0, 0, 1, 0, 0, 0, 2, 0, 0.5, 0.5, 0};

    @Test
    void allPairsWithinRadiusSortedByDestinationThenSource() {
        RadiusGraph graph = RadiusGraph.build(4, POS, 1.5);
        assertArrayEquals(new int[] {1, 3, 0, 3, 0, 1}, graph.src());
        assertArrayEquals(new int[] {0, 0, 1, 1, 3, 3}, graph.dst());
        double[] vec = graph.edgeVec();
        // edge_vec = pos[src] - pos[dst]: edge 0 is neighbour 1 of center 0, edge 5 neighbour 1 of center 3.
        assertArrayEquals(new double[] {1, 0, 0}, new double[] {vec[0], vec[1], vec[2]});
        assertArrayEquals(new double[] {0.5, -0.5, 0}, new double[] {vec[15], vec[16], vec[17]});
        assertEquals(Math.sqrt(0.5), graph.edgeLength()[1], 1e-16);
    }

    @Test
    void radiusIsExclusiveAndMaxNeighboursKeepsTheNearest() {
        RadiusGraph strict = RadiusGraph.build(4, POS, 1.0);
        assertArrayEquals(new int[] {3, 3, 0, 1}, strict.src());
        RadiusGraph nearest = RadiusGraph.build(4, POS, 1.5, 1);
        assertArrayEquals(new int[] {3, 3, 0}, nearest.src());
        assertArrayEquals(new int[] {0, 1, 3}, nearest.dst());
    }

    @Test
    void edgeVecBackwardIsTheGradientWithRespectToPositions() {
        Random random = new Random(11);
        double[] pos = gaussian(random, 8 * 3);
        RadiusGraph graph = RadiusGraph.build(8, pos, 2.0);
        double[] gradEdgeVec = gaussian(random, graph.numEdges() * 3);
        double[] gradPos = new double[pos.length];
        graph.edgeVecBackward(gradEdgeVec, gradPos);
        int[] src = graph.src();
        int[] dst = graph.dst();
        assertGradient("positions", p -> {
            double[] vec = new double[gradEdgeVec.length];
            for (int e = 0; e < src.length; e++) {
                for (int c = 0; c < 3; c++) {
                    vec[3 * e + c] = p[3 * src[e] + c] - p[3 * dst[e] + c];
                }
            }
            return dot(vec, gradEdgeVec);
        }, pos, gradPos);
    }

    @Test
    void rejectsBadInput() {
        IllegalArgumentException pos = assertThrows(IllegalArgumentException.class,
                () -> RadiusGraph.build(4, new double[11], 1.0));
        assertEquals("pos: expected length 12 (4 x 3), got 11", pos.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RadiusGraph.build(4, POS, 0.0));
        assertThrows(IllegalArgumentException.class, () -> RadiusGraph.build(4, POS, 1.0, 0));
    }
}
