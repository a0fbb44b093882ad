package dev.e3j.runtime;

/**
 * Generated real spherical harmonics (e3nn's {@code o3.spherical_harmonics}). {@code xyz} is {@code [n][3]},
 * {@code out} is {@code [n][irrepsOut().dim()]}. Implementations are stateless and thread-safe.
 *
 * <p>Generated kernels check their arguments and throw {@link IllegalArgumentException} naming the kernel, the method
 * and the argument, e.g. {@code Layers_Sh2Impl.forward: xyz must have length 6 (n 2 x 3), got 5}. {@code out} must
 * not be {@code xyz}, nor {@code gradXyz} {@code xyz} or {@code gradOut}: aliasing is rejected.
 */
public interface SphericalHarmonicsKernel {

    /** Irreps of the output, one {@code 1x(l, (-1)^l)} entry per degree. */
    Irreps irrepsOut();

    /** Computes the harmonics of {@code n} vectors, overwriting {@code out}. */
    void forward(int n, double[] xyz, double[] out);

    /** Gradient of {@code sum(out * gradOut)} with respect to {@code xyz}, overwriting {@code gradXyz}. */
    void backward(int n, double[] xyz, double[] gradOut, double[] gradXyz);

    /** Float overload; generated only with {@code precision = FLOAT}, otherwise unsupported. */
    default void forward(int n, float[] xyz, float[] out) {
        throw new UnsupportedOperationException(getClass().getName() + " was generated without precision = FLOAT");
    }

    /** Float overload; generated only with {@code precision = FLOAT}, otherwise unsupported. */
    default void backward(int n, float[] xyz, float[] gradOut, float[] gradXyz) {
        throw new UnsupportedOperationException(getClass().getName() + " was generated without precision = FLOAT");
    }

    /**
     * Second derivatives: given the cotangent {@code ggXyz} of {@link #backward}'s {@code gradXyz}, writes the
     * gradients of {@code sum(ggXyz * gradXyz)} with respect to {@code xyz} (the Hessians of the harmonics contracted
     * with {@code gradOut} and {@code ggXyz}) and {@code gradOut} (the harmonics' directional derivatives along
     * {@code ggXyz}) into {@code gXyz} and {@code gGradOut}, overwriting each; a {@code null} one is skipped.
     */
    default void doubleBackward(int n, double[] xyz, double[] gradOut, double[] ggXyz,
                                double[] gXyz, double[] gGradOut) {
        throw new UnsupportedOperationException(getClass().getName() + " has no generated doubleBackward");
    }

    /** Float overload of {@link #doubleBackward}; generated with {@code precision = FLOAT}. */
    default void doubleBackward(int n, float[] xyz, float[] gradOut, float[] ggXyz,
                                float[] gXyz, float[] gGradOut) {
        throw new UnsupportedOperationException(getClass().getName() + " was generated without precision = FLOAT");
    }
}
