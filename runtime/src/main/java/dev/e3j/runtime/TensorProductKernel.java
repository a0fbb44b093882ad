package dev.e3j.runtime;

/**
 * A generated Clebsch–Gordan tensor product. Arrays are row-major {@code [batch][dim]} in e3nn's {@code mul_ir}
 * layout; {@code weights} has {@link #weightNumel()} entries when {@link #sharedWeights()}, else
 * {@code batch * weightNumel()}, in e3nn's flat instruction order. Implementations are stateless and thread-safe.
 *
 * <p>Generated kernels check their arguments and throw {@link IllegalArgumentException} naming the kernel, the method
 * and the argument, e.g. {@code Kernels_FcImpl.forward: x1 must have length 128 (batch 4 x 32), got 127}. An output
 * ({@code out}, or a gradient) must not be the same array as an input or as another output: it is written while they
 * are read, so aliasing is rejected rather than computed wrongly. {@code null} stands for an empty array.
 */
public interface TensorProductKernel {

    /** Irreps of the first input {@code x1}. */
    Irreps irrepsIn1();

    /** Irreps of the second input {@code x2}. */
    Irreps irrepsIn2();

    /** Irreps of the output. */
    Irreps irrepsOut();

    /** Number of weights per sample (or in total, when shared). */
    int weightNumel();

    /** Whether one weight vector serves the whole batch, rather than one per sample. */
    boolean sharedWeights();

    /** Computes {@code out = tp(x1, x2, weights)}, overwriting {@code out}. */
    void forward(int batch, double[] x1, double[] x2, double[] weights, double[] out);

    /**
     * Gradients of {@code sum(out * gradOut)}; each gradient array is overwritten, a {@code null} one is skipped.
     * With shared weights {@code gradWeights} is summed over the batch. Generated kernels run one fused pass per
     * path for all three gradients (training) and for both input gradients without the weights' (forces); channel-wise
     * kernels also for {@code gradX1} and {@code gradWeights} with x2 held fixed; other combinations take one pass per
     * gradient.
     */
    void backward(int batch, double[] x1, double[] x2, double[] weights, double[] gradOut,
                  double[] gradX1, double[] gradX2, double[] gradWeights);

    /**
     * Each weighted path's slice of a sample's weights and its shape, in path order (e3nn's {@code weight_views}).
     * Generated kernels implement it; other implementations may not.
     */
    default java.util.List<WeightView> weightViews() {
        throw new UnsupportedOperationException(getClass().getName() + " does not describe its weight views");
    }

    /**
     * e3nn's {@code right(x2, weights)}: the linear operator of {@code x1} for fixed {@code x2}, {@code out}
     * {@code [batch][irrepsIn1().dim()][irrepsOut().dim()]} such that {@code forward(x1, x2)[b][k] = sum_i x1[b][i]
     * out[b][i][k]} (e3nn's {@code einsum("...ik,...i->...k", right, x1)}), overwriting {@code out}. Weights as for
     * {@link #forward}. Generated kernels implement it, except {@code SQUARE} products (the second input is the
     * first).
     */
    default void right(int batch, double[] x2, double[] weights, double[] out) {
        throw new UnsupportedOperationException(getClass().getName() + " has no right() operator");
    }

    /** Float overload of {@link #right(int, double[], double[], double[])}; generated with {@code precision = FLOAT}. */
    default void right(int batch, float[] x2, float[] weights, float[] out) {
        throw new UnsupportedOperationException(getClass().getName() + " has no float right() operator");
    }

    /** Float overload; generated only with {@code precision = FLOAT}, otherwise unsupported. */
    default void forward(int batch, float[] x1, float[] x2, float[] weights, float[] out) {
        throw new UnsupportedOperationException(getClass().getName() + " was generated without precision = FLOAT");
    }

    /** Float overload; generated only with {@code precision = FLOAT}, otherwise unsupported. */
    default void backward(int batch, float[] x1, float[] x2, float[] weights, float[] gradOut,
                          float[] gradX1, float[] gradX2, float[] gradWeights) {
        throw new UnsupportedOperationException(getClass().getName() + " was generated without precision = FLOAT");
    }

    /**
     * Second derivatives: given the cotangents {@code ggX1}, {@code ggX2}, {@code ggWeights} of {@link #backward}'s
     * outputs ({@code gradX1}, {@code gradX2}, {@code gradWeights}; {@code null} = zero), writes the gradients of
     * {@code sum(ggX1 * gradX1) + sum(ggX2 * gradX2) + sum(ggWeights * gradWeights)} with respect to {@code x1},
     * {@code x2}, {@code weights} and {@code gradOut} into {@code gX1}, {@code gX2}, {@code gWeights} and
     * {@code gGradOut}, overwriting each; a {@code null} one is not needed and skipped. Shapes as for
     * {@link #backward}; with shared weights {@code ggWeights} and {@code gWeights} are one weight vector. This is
     * what {@code torch.autograd.grad(..., create_graph=True)} differentiates when a potential is trained on forces.
     * A tensor square ({@code x2} is {@code x1}) has one input, as e3nn's {@code TensorSquare}: {@code ggX1} is the
     * cotangent of its total {@code gradX1}, {@code gX1} receives the total gradient, {@code ggX2} must be
     * {@code null} and {@code gX2} is ignored.
     */
    default void doubleBackward(int batch, double[] x1, double[] x2, double[] weights, double[] gradOut,
                                double[] ggX1, double[] ggX2, double[] ggWeights,
                                double[] gX1, double[] gX2, double[] gWeights, double[] gGradOut) {
        throw new UnsupportedOperationException(getClass().getName() + " has no generated doubleBackward");
    }

    /** Float overload of {@link #doubleBackward}; generated with {@code precision = FLOAT}. */
    default void doubleBackward(int batch, float[] x1, float[] x2, float[] weights, float[] gradOut,
                                float[] ggX1, float[] ggX2, float[] ggWeights,
                                float[] gX1, float[] gX2, float[] gWeights, float[] gGradOut) {
        throw new UnsupportedOperationException(getClass().getName() + " was generated without precision = FLOAT");
    }
}
