package dev.e3j.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.TensorProductKernel;
import dev.e3j.runtime.WeightView;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link OneElementSkip}: one element's slice of a dense skip product's weights, and the checks that the one-element
 * product is the dense one with {@code 1x0e}. Whole models through it: the MACE reference tests (several elements,
 * energies and forces against mace-torch).
 */
class OneElementSkipTest {

    /** Irreps and weight views only: what {@link OneElementSkip} reads of a kernel. */
    private record Views(String in1, String in2, String out, boolean shared, List<WeightView> views)
            implements TensorProductKernel {
        @Override
        public Irreps irrepsIn1() {
            return Irreps.parse(in1);
        }

        @Override
        public Irreps irrepsIn2() {
            return Irreps.parse(in2);
        }

        @Override
        public Irreps irrepsOut() {
            return Irreps.parse(out);
        }

        @Override
        public int weightNumel() {
            return views.stream().mapToInt(WeightView::numel).sum();
        }

        @Override
        public boolean sharedWeights() {
            return shared;
        }

        @Override
        public List<WeightView> weightViews() {
            return views;
        }

        @Override
        public void forward(int batch, double[] x1, double[] x2, double[] weights, double[] out) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void backward(int batch, double[] x1, double[] x2, double[] weights, double[] gradOut,
                             double[] gradX1, double[] gradX2, double[] gradWeights) {
            throw new UnsupportedOperationException();
        }
    }

    /** {@code 2x0e+1x1o x 3x0e -> 2x0e+1x1o}: paths {@code [2, 3, 2]} and {@code [1, 3, 1]}. */
    private static Views dense() {
        return new Views("2x0e+1x1o", "3x0e", "2x0e+1x1o", true, List.of(
                new WeightView(0, 0, 0, 0, "uvw", 0, List.of(2, 3, 2)),
                new WeightView(1, 1, 0, 1, "uvw", 12, List.of(1, 3, 1))));
    }

    private static Views single(List<Integer> firstShape) {
        return new Views("2x0e+1x1o", "1x0e", "2x0e+1x1o", true, List.of(
                new WeightView(0, 0, 0, 0, "uvw", 0, firstShape),
                new WeightView(1, 1, 0, 1, "uvw", 4, List.of(1, 1, 1))));
    }

    @Test
    void takesEachPathsSliceOfTheElementOverTheSquareRootOfTheElements() {
        OneElementSkip skip = new OneElementSkip("skip_tp", dense(), single(List.of(2, 1, 2)));
        double[] weights = new double[5 + 15];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = i - 5;
        }
        double scale = 1 / Math.sqrt(3);
        // weights[5 + k] = k; W[u][v][w] is k = u * 6 + v * 2 + w in path 0, k = 12 + v in path 1
        assertArrayEquals(new double[] {4 * scale, 5 * scale, 10 * scale, 11 * scale, 14 * scale},
                skip.weightsOf(weights, 5, 2), 0);
        assertArrayEquals(new double[] {0, 1 * scale, 6 * scale, 7 * scale, 12 * scale},
                skip.weightsOf(weights, 5, 0), 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> skip.weightsOf(weights, 5, 3));
        assertTrue(e.getMessage().contains("0 <= element < 3, got 3"), e.getMessage());
    }

    @Test
    void addsTheWeightGradientThroughTheTransposeOfTheSlice() {
        OneElementSkip skip = new OneElementSkip("skip_tp", dense(), single(List.of(2, 1, 2)));
        java.util.Random random = new java.util.Random(7);
        double[] weights = random.doubles(15, -1, 1).toArray();
        double[] gradSingle = random.doubles(5, -1, 1).toArray();
        for (int element = 0; element < 3; element++) {
            double[] gradDense = new double[15];
            gradDense[0] = 0.25;
            skip.addWeightGradient(gradSingle, element, gradDense);
            double[] sliced = skip.weightsOf(weights, 0, element);
            double left = 0;
            for (int i = 0; i < 5; i++) {
                left += sliced[i] * gradSingle[i];
            }
            double right = -0.25 * weights[0];
            for (int i = 0; i < 15; i++) {
                right += weights[i] * gradDense[i];
            }
            assertEquals(left, right, 1e-15, "element " + element);
        }
    }

    @Test
    void rejectsAOneElementProductThatIsNotTheDenseOneWithOneScalar() {
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> new OneElementSkip("interactions.0.skip_tp", dense(), single(List.of(2, 1, 3))));
        assertTrue(shape.getMessage().startsWith("interactions.0.skip_tp: expected path 0"), shape.getMessage());
        Views otherIn2 = new Views("2x0e+1x1o", "2x0e", "2x0e+1x1o", true, single(List.of(2, 1, 2)).views());
        IllegalArgumentException irreps = assertThrows(IllegalArgumentException.class,
                () -> new OneElementSkip("skip_tp", dense(), otherIn2));
        assertTrue(irreps.getMessage().contains("2x0e+1x1o x 1x0e -> 2x0e+1x1o, got 2x0e+1x1o x 2x0e"),
                irreps.getMessage());
        Views perSample = new Views("2x0e+1x1o", "1x0e", "2x0e+1x1o", false, single(List.of(2, 1, 2)).views());
        assertThrows(IllegalArgumentException.class, () -> new OneElementSkip("skip_tp", dense(), perSample));
        Views onePath = new Views("2x0e+1x1o", "1x0e", "2x0e+1x1o", true, single(List.of(2, 1, 2)).views()
                .subList(0, 1));
        IllegalArgumentException paths = assertThrows(IllegalArgumentException.class,
                () -> new OneElementSkip("skip_tp", dense(), onePath));
        assertTrue(paths.getMessage().contains("expected 2 weighted paths"), paths.getMessage());
    }
}
