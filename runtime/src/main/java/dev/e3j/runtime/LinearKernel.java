package dev.e3j.runtime;

/**
 * A generated equivariant linear map (e3nn's {@code o3.Linear} with external weights). {@code x} is
 * {@code [batch][irrepsIn().dim()]}, weights and biases are flat in e3nn's order: one weight vector for the batch, or
 * {@code [batch][weightNumel()]} when {@link #sharedWeights()} is false. With e3nn's {@code f_in} and {@code f_out},
 * {@code irrepsIn()} and {@code irrepsOut()} are one feature's irreps repeated per feature. Stateless and thread-safe.
 *
 * <p>Generated kernels check their arguments and throw {@link IllegalArgumentException} naming the kernel, the method
 * and the argument, e.g. {@code Layers_MixImpl.forward: x must have length 10 (batch 2 x 5), got 9}. An output
 * ({@code out}, or a gradient) must not be the same array as an input or as another output: aliasing is rejected.
 * {@code null} stands for an empty array (no bias, no weights).
 */
public interface LinearKernel {

    /** Irreps of the input {@code x}. */
    Irreps irrepsIn();

    /** Irreps of the output. */
    Irreps irrepsOut();

    /** Number of weights, in e3nn's order (each path's {@code [mul_in][mul_out]}, row-major). */
    int weightNumel();

    /**
     * Whether one weight vector serves the whole batch (the default); {@code false} for e3nn's
     * {@code shared_weights=False}, where {@code weights} and {@code gradWeights} are {@code [batch][weightNumel()]}.
     */
    default boolean sharedWeights() {
        return true;
    }

    /** Number of biases (one per {@code 0e} output channel when biases are on, else 0). */
    int biasNumel();

    /** Computes {@code out = linear(x, weights) + bias}, overwriting {@code out}. */
    void forward(int batch, double[] x, double[] weights, double[] bias, double[] out);

    /**
     * Gradients of {@code sum(out * gradOut)}; each is overwritten, a {@code null} one is skipped; shared weight and
     * bias gradients are summed over the batch, per-sample weight gradients are {@code [batch][weightNumel()]}.
     */
    void backward(int batch, double[] x, double[] weights, double[] gradOut,
                  double[] gradX, double[] gradWeights, double[] gradBias);

    /** Float overload; generated only with {@code precision = FLOAT}, otherwise unsupported. */
    default void forward(int batch, float[] x, float[] weights, float[] bias, float[] out) {
        throw new UnsupportedOperationException(getClass().getName() + " was generated without precision = FLOAT");
    }

    /** Float overload; generated only with {@code precision = FLOAT}, otherwise unsupported. */
    default void backward(int batch, float[] x, float[] weights, float[] gradOut,
                          float[] gradX, float[] gradWeights, float[] gradBias) {
        throw new UnsupportedOperationException(getClass().getName() + " was generated without precision = FLOAT");
    }

    /**
     * Second derivatives: given the cotangents {@code ggX}, {@code ggWeights}, {@code ggBias} of {@link #backward}'s
     * outputs ({@code null} = zero), writes the gradients of their inner product with those outputs with respect to
     * {@code x}, {@code weights} and {@code gradOut} into {@code gX}, {@code gWeights} and {@code gGradOut},
     * overwriting each; a {@code null} one is skipped. Shapes as for {@link #backward}.
     */
    default void doubleBackward(int batch, double[] x, double[] weights, double[] gradOut,
                                double[] ggX, double[] ggWeights, double[] ggBias,
                                double[] gX, double[] gWeights, double[] gGradOut) {
        throw new UnsupportedOperationException(getClass().getName() + " has no generated doubleBackward");
    }

    /** Float overload of {@link #doubleBackward}; generated with {@code precision = FLOAT}. */
    default void doubleBackward(int batch, float[] x, float[] weights, float[] gradOut,
                                float[] ggX, float[] ggWeights, float[] ggBias,
                                float[] gX, float[] gWeights, float[] gGradOut) {
        throw new UnsupportedOperationException(getClass().getName() + " was generated without precision = FLOAT");
    }
}
