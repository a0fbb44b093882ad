package dev.e3j.runtime.graph;

import static dev.e3j.runtime.nn.GradientCheck.dot;
import static dev.e3j.runtime.nn.GradientCheck.gaussian;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ScatterTest {

    @Test
    void gatherAndScatterSumValues() {
        double[] nodes = {1, 2, 3, 4, 5, 6};
        int[] index = {2, 0, 2};
        double[] edges = new double[6];
        Scatter.gather(3, 2, nodes, index, edges);
        assertArrayEquals(new double[] {5, 6, 1, 2, 5, 6}, edges);
        double[] summed = new double[6];
        Scatter.scatterSum(3, 2, edges, index, summed);
        assertArrayEquals(new double[] {1, 2, 0, 0, 10, 12}, summed);
    }

    @Test
    void gatherAndScatterSumAreAdjoint() {
        Random random = new Random(12);
        int numNodes = 5;
        int width = 3;
        int[] index = {4, 1, 1, 0, 3, 4, 4};
        double[] nodes = gaussian(random, numNodes * width);
        double[] edges = gaussian(random, index.length * width);
        double[] gathered = new double[edges.length];
        double[] scattered = new double[nodes.length];
        Scatter.gather(numNodes, width, nodes, index, gathered);
        Scatter.scatterSum(numNodes, width, edges, index, scattered);
        assertEquals(dot(gathered, edges), dot(nodes, scattered), 1e-14);
    }

    @Test
    void rejectsBadIndexAndSizes() {
        IllegalArgumentException index = assertThrows(IllegalArgumentException.class,
                () -> Scatter.scatterSum(2, 1, new double[2], new int[] {0, 2}, new double[2]));
        assertEquals("Scatter.scatterSum: index[1] must be in [0, numNodes 2), got 2", index.getMessage());
        IllegalArgumentException out = assertThrows(IllegalArgumentException.class,
                () -> Scatter.gather(2, 3, new double[6], new int[] {0}, new double[2]));
        assertEquals("Scatter.gather: out must have length 3 (index.length 1 × 3), got 2", out.getMessage());
    }

    @Test
    void rejectsAnOutputThatIsTheInput() {
        // scatterSum cleared out, i.e. its own input, before summing it, and returned zeros.
        double[] features = {1, 2, 3};
        IllegalArgumentException sum = assertThrows(IllegalArgumentException.class,
                () -> Scatter.scatterSum(3, 1, features, new int[] {0, 1, 2}, features));
        assertEquals("Scatter.scatterSum: out must be a different array from edges, got the same array",
                sum.getMessage());
        IllegalArgumentException gather = assertThrows(IllegalArgumentException.class,
                () -> Scatter.gather(3, 1, features, new int[] {2, 1, 0}, features));
        assertEquals("Scatter.gather: out must be a different array from nodes, got the same array",
                gather.getMessage());
        assertArrayEquals(new double[] {1, 2, 3}, features);
    }
}
