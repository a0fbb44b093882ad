package dev.e3j.runtime.model;

import dev.e3j.runtime.TensorProductKernel;
import dev.e3j.runtime.WeightView;

import java.util.List;

/**
 * mace-torch's {@code skip_tp(x, one-hot)} computed through the same product with one element: its second input,
 * the node attributes {@code Nx0e}, is one-hot, so of the dense product's {@code N} weight slices only the node's
 * element's contributes, and {@code skip_tp(x, e_s; W) = single(x, 1; W_s)} where {@code single} is e3nn's
 * {@code FullyConnectedTensorProduct(irreps_in1, "1x0e", irreps_out)} and {@code W_s[p][u][0][w] = W[p][u][s][w] / sqrt(N)}
 * (e3nn normalizes each output by the square root of its fan-in, here {@code N} times larger in the dense product).
 * That is {@code N} times fewer operations and weights read per node than the dense product over the one-hot vector
 * (89 elements for MACE-MP-0), whose other terms are exact zeros.
 *
 * <p>Both kernels' {@link TensorProductKernel#weightViews() weight views} are checked against each other here: same
 * paths, shapes {@code [mul1, N, mulOut]} and {@code [mul1, 1, mulOut]}.
 */
final class OneElementSkip {
    private final TensorProductKernel single;
    private final int elements;
    private final List<WeightView> denseViews;
    private final List<WeightView> singleViews;

    /**
     * @throws IllegalArgumentException if {@code single} is not {@code dense} with a {@code 1x0e} second input
     */
    OneElementSkip(String name, TensorProductKernel dense, TensorProductKernel single) {
        this.single = single;
        this.elements = dense.irrepsIn2().dim();
        if (!dense.sharedWeights() || !single.sharedWeights()) {
            throw new IllegalArgumentException(name + ": expected shared weights in both skip products, got "
                    + dense.sharedWeights() + " and " + single.sharedWeights());
        }
        if (!single.irrepsIn2().toString().equals("1x0e") || !single.irrepsIn1().equals(dense.irrepsIn1())
                || !single.irrepsOut().equals(dense.irrepsOut())) {
            throw new IllegalArgumentException(name + ": expected the one-element skip product "
                    + dense.irrepsIn1() + " x 1x0e -> " + dense.irrepsOut() + ", got " + single.irrepsIn1() + " x "
                    + single.irrepsIn2() + " -> " + single.irrepsOut());
        }
        this.denseViews = dense.weightViews();
        this.singleViews = single.weightViews();
        if (denseViews.size() != singleViews.size()) {
            throw new IllegalArgumentException(name + ": expected " + denseViews.size()
                    + " weighted paths in the one-element skip product, got " + singleViews.size());
        }
        for (int p = 0; p < denseViews.size(); p++) {
            WeightView d = denseViews.get(p);
            WeightView s = singleViews.get(p);
            if (!d.mode().equals("uvw") || !s.mode().equals("uvw") || d.in1() != s.in1() || d.out() != s.out()
                    || d.shape().size() != 3 || !s.shape().equals(List.of(d.shape().get(0), 1, d.shape().get(2)))
                    || d.shape().get(1) != elements) {
                throw new IllegalArgumentException(name + ": expected path " + p + " of the one-element skip product"
                        + " to be the dense one's " + d + " with one element, got " + s);
            }
        }
    }

    /** The product with {@code 1x0e}. */
    TensorProductKernel single() {
        return single;
    }

    /**
     * Adds the gradient of the one-element product's weights of {@code element}, {@code gradSingle}, to that of the
     * dense product's, {@code gradDense} (its own layout, from index 0): the transpose of {@link #weightsOf}.
     */
    void addWeightGradient(double[] gradSingle, int element, double[] gradDense) {
        double scale = 1.0 / Math.sqrt(elements);
        forEachRow(element, (denseAt, singleAt, length) -> {
            for (int w = 0; w < length; w++) {
                gradDense[denseAt + w] += gradSingle[singleAt + w] * scale;
            }
        });
    }

    /**
     * The one-element product's weights for element {@code element} from the dense product's {@code weights}
     * (e3nn's layout) at {@code offset}, in double.
     */
    double[] weightsOf(double[] weights, int offset, int element) {
        double scale = 1.0 / Math.sqrt(elements);
        double[] out = new double[single.weightNumel()];
        forEachRow(element, (denseAt, singleAt, length) -> {
            for (int w = 0; w < length; w++) {
                out[singleAt + w] = weights[offset + denseAt + w] * scale;
            }
        });
        return out;
    }

    /** Where a row {@code W[p][u][element][:]} of the dense weights is row {@code W_s[p][u][0][:]} of the single's. */
    private interface Row {
        void at(int denseAt, int singleAt, int length);
    }

    /** Calls {@code row} once per path and first-input channel, with element {@code element}'s row. */
    private void forEachRow(int element, Row row) {
        if (element < 0 || element >= elements) {
            throw new IllegalArgumentException("element: expected 0 <= element < " + elements + ", got " + element);
        }
        for (int p = 0; p < denseViews.size(); p++) {
            WeightView d = denseViews.get(p);
            WeightView s = singleViews.get(p);
            int mul1 = d.shape().get(0);
            int mulOut = d.shape().get(2);
            for (int u = 0; u < mul1; u++) {
                row.at(d.offset() + (u * elements + element) * mulOut, s.offset() + u * mulOut, mulOut);
            }
        }
    }
}
