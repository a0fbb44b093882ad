package dev.e3j.runtime;

import java.util.List;

/**
 * Where one weighted path of a tensor product reads its weights (e3nn's {@code weight_views}): the slice
 * {@code [offset, offset + numel())} of a sample's flat weights, viewed row-major with {@code shape} (e3nn's
 * {@code path_shape}: {@code [mul1, mul2, mul_out]} for {@code uvw}, {@code [mul1, mul2]} for {@code uvu}, ...).
 *
 * @param path   the path's index among all paths (e3nn's instruction index, unweighted paths included)
 * @param in1    the path's entry of {@code irrepsIn1()}
 * @param in2    the path's entry of {@code irrepsIn2()}
 * @param out    the path's entry of {@code irrepsOut()}
 * @param mode   the connection mode, e3nn's token ({@code "uvw"}, {@code "uvu"}, ...)
 * @param offset the path's first weight in a sample's weights
 * @param shape  the path's weight shape
 */
public record WeightView(int path, int in1, int in2, int out, String mode, int offset, List<Integer> shape) {

    /** Copies {@code shape}. */
    public WeightView {
        shape = List.copyOf(shape);
    }

    /** {@return the number of weights of the path: the product of {@code shape}} */
    public int numel() {
        return shape.stream().reduce(1, Math::multiplyExact);
    }
}
