package dev.e3j.runtime.graph;

import static dev.e3j.runtime.nn.GradientCheck.assertGradient;
import static dev.e3j.runtime.nn.GradientCheck.dot;
import static dev.e3j.runtime.nn.GradientCheck.gaussian;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
    void aBatchJoinsOnlyTheNodesOfEachCloudAsEachCloudAlone() {
        Random random = new Random(9);
        // Clouds of 7, 0 (an unused index), 1 and 30 nodes.
        int[] sizes = {7, 0, 1, 30};
        int numNodes = 38;
        double[] pos = cloud(random, numNodes, 0);
        int[] batch = new int[numNodes];
        int node = 0;
        for (int g = 0; g < sizes.length; g++) {
            for (int k = 0; k < sizes[g]; k++) {
                batch[node++] = g;
            }
        }
        RadiusGraph graph = RadiusGraph.build(numNodes, pos, batch, 0.4);
        List<Integer> src = new ArrayList<>();
        List<Integer> dst = new ArrayList<>();
        List<Double> vec = new ArrayList<>();
        int first = 0;
        for (int size : sizes) {
            RadiusGraph alone = RadiusGraph.build(size, Arrays.copyOfRange(pos, 3 * first,
                    3 * (first + size)), 0.4);
            for (int e = 0; e < alone.numEdges(); e++) {
                src.add(alone.src()[e] + first);
                dst.add(alone.dst()[e] + first);
                for (int c = 0; c < 3; c++) {
                    vec.add(alone.edgeVec()[3 * e + c]);
                }
            }
            first += size;
        }
        assertEquals(numNodes, graph.numNodes());
        assertArrayEquals(src.stream().mapToInt(Integer::intValue).toArray(), graph.src());
        assertArrayEquals(dst.stream().mapToInt(Integer::intValue).toArray(), graph.dst());
        assertArrayEquals(vec.stream().mapToDouble(Double::doubleValue).toArray(), graph.edgeVec());
        assertEquals(0, RadiusGraph.build(0, new double[0], new int[0], 1.0).numEdges());

        IllegalArgumentException decreasing = assertThrows(IllegalArgumentException.class,
                () -> RadiusGraph.build(3, new double[9], new int[] {0, 1, 0}, 1.0));
        assertEquals("RadiusGraph.build: batch[2] must be >= 1 (graph indices from 0, non-decreasing), got 0",
                decreasing.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RadiusGraph.build(2, new double[6], new int[] {-1, 0},
                1.0));
        assertThrows(IllegalArgumentException.class, () -> RadiusGraph.build(2, new double[6], new int[1], 1.0));
        assertThrows(IllegalArgumentException.class, () -> RadiusGraph.build(0, new double[0], new int[0], 0.0));
    }

    @Test
    void smallCloudsTestingEveryPairFindTheEdgesOfTheReference() {
        Random random = new Random(6);
        double[] radii = {0.3, 1.0, Double.POSITIVE_INFINITY};
        for (int n = 1; n <= 40; n++) {
            double[] pos = cloud(random, n, n % 8);
            if (n % 3 == 0) {
                pos[3 * random.nextInt(n) + random.nextInt(3)] = n % 2 == 0 ? Double.NaN : Double.NEGATIVE_INFINITY;
            }
            for (double rMax : radii) {
                assertSameGraph(allPairs(n, pos, rMax, Integer.MAX_VALUE), RadiusGraph.build(n, pos, rMax),
                        "n " + n + ", rMax " + rMax);
                assertSameGraph(allPairs(n, pos, rMax, 3), RadiusGraph.build(n, pos, rMax, 3),
                        "n " + n + ", rMax " + rMax + ", 3 nearest");
            }
        }
    }

    @Test
    void cellSearchFindsExactlyTheEdgesOfTestingEveryPair() {
        Random random = new Random(5);
        for (int trial = 0; trial < 40; trial++) {
            int n = 1 + random.nextInt(300);
            double[] pos = cloud(random, n, trial % 8);
            double rMax = switch (trial % 5) {
                case 0 -> 1e-3;
                case 1 -> 0.3;
                case 2 -> 1.0;
                case 3 -> 50.0;
                default -> Double.POSITIVE_INFINITY;
            };
            int maxNeighbours = trial % 3 == 0 ? 1 + random.nextInt(6) : Integer.MAX_VALUE;
            assertSameGraph(allPairs(n, pos, rMax, maxNeighbours), RadiusGraph.build(n, pos, rMax, maxNeighbours),
                    "trial " + trial + ", n " + n + ", rMax " + rMax);
        }
    }

    @Test
    void pairsExactlyAtTheCellWidthAndAtTheRadius() {
        // Points on a grid of spacing rMax: neighbours along the axes are exactly rMax apart (not edges, the radius
        // is exclusive); a tiny shift makes them edges. Both sides of the boundary must agree with every pair.
        int side = 7;
        double rMax = 0.1;
        double[] grid = new double[3 * side * side * side];
        Random random = new Random(8);
        for (int i = 0; i < side * side * side; i++) {
            grid[3 * i] = rMax * (i % side);
            grid[3 * i + 1] = rMax * ((i / side) % side);
            grid[3 * i + 2] = rMax * (i / (side * side));
        }
        int n = side * side * side;
        assertSameGraph(allPairs(n, grid, rMax, Integer.MAX_VALUE), RadiusGraph.build(n, grid, rMax), "grid");
        double[] jittered = grid.clone();
        for (int i = 0; i < jittered.length; i++) {
            jittered[i] += 1e-17 * random.nextGaussian() + (random.nextBoolean() ? Math.ulp(jittered[i]) : 0);
        }
        assertSameGraph(allPairs(n, jittered, rMax, Integer.MAX_VALUE), RadiusGraph.build(n, jittered, rMax),
                "jittered grid");
        double[] sheared = grid.clone();
        for (int i = 0; i < sheared.length; i += 3) {
            sheared[i] = sheared[i] * (1 - 1e-15) + 1e6;
        }
        assertSameGraph(allPairs(n, sheared, rMax, Integer.MAX_VALUE), RadiusGraph.build(n, sheared, rMax),
                "grid far from the origin");
    }

    @Test
    void nodesWithNonFiniteCoordinatesHaveNoEdges() {
        double[] pos = {0, 0, 0, 0.5, 0, 0, Double.NaN, 0, 0, Double.POSITIVE_INFINITY, 0, 0, Double.POSITIVE_INFINITY,
            0, 0, 0, 0.25, 0};
        RadiusGraph graph = RadiusGraph.build(6, pos, 1.0);
        assertSameGraph(allPairs(6, pos, 1.0, Integer.MAX_VALUE), graph, "non-finite");
        assertArrayEquals(new int[] {1, 5, 0, 5, 0, 1}, graph.src());
        assertArrayEquals(new int[] {0, 0, 1, 1, 5, 5}, graph.dst());
        assertEquals(0, RadiusGraph.build(2, new double[] {Double.NaN, 0, 0, Double.NaN, 0, 0}, 1.0).numEdges());
        assertEquals(0, RadiusGraph.build(0, new double[0], 1.0).numEdges());
    }

    @Test
    void largeCloudMatchesEveryPair() {
        Random random = new Random(13);
        int n = 4000;
        double[] pos = new double[3 * n];
        for (int i = 0; i < pos.length; i++) {
            pos[i] = 20 * random.nextDouble();
        }
        // About 17 neighbours per node, as in a molecular system with a 5 A cutoff.
        assertSameGraph(allPairs(n, pos, 2.0, Integer.MAX_VALUE), RadiusGraph.build(n, pos, 2.0), "large");
        assertSameGraph(allPairs(n, pos, 2.0, 8), RadiusGraph.build(n, pos, 2.0, 8), "large, 8 nearest");
    }

    /** Clouds of several shapes: uniform, clustered, flat, on a line, duplicated points, very sparse, huge spread. */
    private static double[] cloud(Random random, int n, int shape) {
        double[] pos = new double[3 * n];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 3; c++) {
                double v = switch (shape) {
                    case 0 -> 3 * random.nextDouble();
                    case 1 -> (i % 4) * 10 + 0.2 * random.nextGaussian();
                    case 2 -> c == 2 ? 0 : 2 * random.nextDouble();
                    case 3 -> c == 0 ? 5 * random.nextDouble() : 1.5;
                    case 4 -> Math.floor(4 * random.nextDouble()) * 0.25;
                    case 5 -> 1e4 * random.nextGaussian();
                    case 6 -> (random.nextBoolean() ? 1e12 : -1e12) + random.nextDouble();
                    default -> random.nextGaussian();
                };
                pos[3 * i + c] = v;
            }
        }
        return pos;
    }

    /**
     * The definition: every ordered pair tested ({@link #within}), sorted by center then neighbour, nearest kept by
     * (distance, index).
     */
    private static int[][] allPairs(int n, double[] pos, double rMax, int maxNeighbours) {
        List<int[]> edges = new ArrayList<>();
        for (int center = 0; center < n; center++) {
            List<double[]> neighbours = new ArrayList<>();
            for (int other = 0; other < n; other++) {
                double squared = 0;
                for (int c = 0; c < 3; c++) {
                    double d = pos[3 * other + c] - pos[3 * center + c];
                    squared += d * d;
                }
                if (other != center && within(pos, center, other, squared, rMax)) {
                    neighbours.add(new double[] {squared, other});
                }
            }
            if (neighbours.size() > maxNeighbours) {
                neighbours.sort((a, b) -> a[0] != b[0] ? Double.compare(a[0], b[0]) : Double.compare(a[1], b[1]));
                neighbours = new ArrayList<>(neighbours.subList(0, maxNeighbours));
                neighbours.sort((a, b) -> Double.compare(a[1], b[1]));
            }
            for (double[] neighbour : neighbours) {
                edges.add(new int[] {(int) neighbour[1], center});
            }
        }
        return new int[][] {edges.stream().mapToInt(e -> e[0]).toArray(), edges.stream().mapToInt(e -> e[1]).toArray()};
    }

    /**
     * {@code |d|^2 < rMax^2} on the differences {@code d} of the two positions: in doubles where {@code rMax^2} is
     * safely inside the normal range (a square that overflows is then far outside the radius, one that underflows far
     * inside), exactly otherwise; an infinite radius takes every pair of finite nodes.
     */
    private static boolean within(double[] pos, int center, int other, double squared, double rMax) {
        for (int c = 0; c < 3; c++) {
            if (!Double.isFinite(pos[3 * center + c]) || !Double.isFinite(pos[3 * other + c])) {
                return false;
            }
        }
        if (rMax == Double.POSITIVE_INFINITY) {
            return true;
        }
        double radiusSquared = rMax * rMax;
        if (radiusSquared >= 0x1p-900 && radiusSquared < Double.POSITIVE_INFINITY) {
            return squared < radiusSquared;
        }
        BigDecimal exact = BigDecimal.ZERO;
        for (int c = 0; c < 3; c++) {
            double d = pos[3 * other + c] - pos[3 * center + c];
            if (!Double.isFinite(d)) {
                return false;
            }
            exact = exact.add(new BigDecimal(d).pow(2));
        }
        return exact.compareTo(new BigDecimal(rMax).pow(2)) < 0;
    }

    private static void assertSameGraph(int[][] expected, RadiusGraph actual, String what) {
        assertEquals(expected[0].length, actual.numEdges(), what + ": edges");
        assertArrayEquals(expected[0], actual.src(), what + ": src");
        assertArrayEquals(expected[1], actual.dst(), what + ": dst");
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
    void coordinatesNearTheLargestDouble() {
        // The cloud is wider than the largest double: bucketing it overflowed (ArrayIndexOutOfBoundsException).
        double max = Double.MAX_VALUE;
        double[] far = {1e308, 0, 0, 1e308, 1, 0, -1e308, 0, 0, -1e308, 0, 1.5, max, 0, 0, -max, 0, 0};
        RadiusGraph graph = RadiusGraph.build(6, far, 2.0);
        assertArrayEquals(new int[] {1, 0, 3, 2}, graph.src());
        assertArrayEquals(new int[] {0, 1, 2, 3}, graph.dst());
        assertArrayEquals(new double[] {1, 1, 1.5, 1.5}, graph.edgeLength());
        assertSameGraph(allPairs(6, far, 2.0, Integer.MAX_VALUE), graph, "far");
        RadiusGraph unbounded = RadiusGraph.build(6, far, Double.POSITIVE_INFINITY);
        assertEquals(30, unbounded.numEdges(), "every ordered pair, even those whose difference overflows");
    }

    @Test
    void radiiWhoseSquareOverflowsOrUnderflows() {
        // |d|^2 and rMax^2 both overflowed to infinity (or underflowed to 0), and the edge was lost.
        double[] huge = {0, 0, 0, 1e299, 0, 0, 0, 5e300, 0};
        RadiusGraph wide = RadiusGraph.build(3, huge, 1e300);
        assertArrayEquals(new int[] {1, 0}, wide.src());
        assertArrayEquals(new int[] {0, 1}, wide.dst());
        assertArrayEquals(new double[] {1e299, 1e299}, wide.edgeLength());
        double[] tiny = {0, 0, 0, 1e-201, 0, 0, 0, 1e-199, 0};
        RadiusGraph close = RadiusGraph.build(3, tiny, 1e-200);
        assertArrayEquals(new int[] {1, 0}, close.src());
        assertArrayEquals(new int[] {0, 1}, close.dst());
        assertArrayEquals(new double[] {1e-201, 1e-201}, close.edgeLength());
    }

    @Test
    void extremeCloudsMatchEveryPair() {
        Random random = new Random(21);
        double[] scales = {1e-300, 1e-200, 1e150, 1e200, 1e307};
        for (int trial = 0; trial < 20; trial++) {
            int n = 1 + random.nextInt(60);
            double scale = scales[trial % scales.length];
            double[] pos = new double[3 * n];
            for (int i = 0; i < pos.length; i++) {
                pos[i] = scale * (trial % 2 == 0 ? random.nextGaussian() : Math.floor(4 * random.nextDouble()));
            }
            double rMax = scale * (0.5 + random.nextDouble());
            assertSameGraph(allPairs(n, pos, rMax, Integer.MAX_VALUE), RadiusGraph.build(n, pos, rMax),
                    "trial " + trial + ", n " + n + ", rMax " + rMax);
        }
        // The nearest neighbours are told apart even where every squared distance underflows to 0.
        double[] line = {0, 0, 0, 3e-201, 0, 0, 1.1e-201, 0, 0, 1.9e-201, 0, 0};
        RadiusGraph nearest = RadiusGraph.build(4, line, 1e-200, 1);
        assertArrayEquals(new int[] {2, 3, 3, 2}, nearest.src());
        assertArrayEquals(new int[] {0, 1, 2, 3}, nearest.dst());
    }

    @Test
    void rejectsBadInput() {
        IllegalArgumentException pos = assertThrows(IllegalArgumentException.class,
                () -> RadiusGraph.build(4, new double[11], 1.0));
        assertEquals("RadiusGraph.build: pos must have length 12 (numNodes 4 × 3), got 11", pos.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RadiusGraph.build(4, POS, 0.0));
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> RadiusGraph.build(4, POS, Double.NaN));
        assertEquals("RadiusGraph.build: rMax must be > 0, got NaN", nan.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RadiusGraph.build(4, POS, 1.0, 0));
    }
}
