package dev.e3j.runtime;

/**
 * A generated change of basis between tensors with index symmetries and irreps (e3nn's
 * {@code o3.ReducedTensorProducts} and {@code io.CartesianTensor}): {@code Q[irrepsOut().dim()][size]}, {@code size}
 * the product of {@link #shape()}, with orthonormal rows. {@code cartesian} arrays are {@code [batch][size]} (each
 * tensor row-major over {@link #shape()}), {@code irreps} arrays {@code [batch][irrepsOut().dim()]}. Implementations
 * are stateless and thread-safe.
 *
 * <p>Generated kernels check their arguments and throw {@link IllegalArgumentException} naming the kernel, the method
 * and the argument; an output must not be the same array as the input.
 */
public interface CartesianTensorKernel {

    /** The formula, as written in the annotation, e.g. {@code ij=ji}. */
    String formula();

    /** e3nn's {@code irreps_out}: the irreps the symmetric tensors decompose into, in e3nn's order. */
    Irreps irrepsOut();

    /** The tensor's shape: the dimension of each index's irreps ({@code 3} for each index of a Cartesian tensor). */
    int[] shape();

    /** A copy of e3nn's {@code change_of_basis}, {@code [irrepsOut().dim()][size]} flattened row-major. */
    double[] changeOfBasis();

    /**
     * e3nn's {@code from_cartesian}: {@code irreps = cartesian Q^T} for each of the {@code batch} tensors, overwriting
     * {@code irreps}. The parts of a tensor without the formula's symmetries are projected away.
     */
    void fromCartesian(int batch, double[] cartesian, double[] irreps);

    /** e3nn's {@code to_cartesian}: {@code cartesian = irreps Q}, a tensor with the formula's symmetries, overwriting. */
    void toCartesian(int batch, double[] irreps, double[] cartesian);

    /**
     * e3nn's {@code ReducedTensorProducts.forward(x1, ..., xn)} ({@code CartesianTensor.from_vectors}): the irreps of
     * the product {@code x1 ⊗ ... ⊗ xn}, {@code Q (x1 ⊗ ... ⊗ xn)}, overwriting {@code irreps}. {@code factors[i]} is
     * {@code [batch][shape()[i]]}: one factor per index of the formula.
     *
     * @throws IllegalArgumentException if {@code batch} is negative, the number of factors is not the rank, or an
     *                                  array has another length than its shape asks
     */
    default void fromVectors(int batch, double[][] factors, double[] irreps) {
        int[] shape = shape();
        String method = getClass().getSimpleName() + ".fromVectors: ";
        if (batch < 0) {
            throw new IllegalArgumentException(method + "batch must be >= 0, got " + batch);
        }
        if (factors.length != shape.length) {
            throw new IllegalArgumentException(method + "factors must hold " + shape.length
                    + " arrays (one per index of " + formula() + "), got " + factors.length);
        }
        int size = 1;
        for (int i = 0; i < shape.length; i++) {
            if (factors[i] == null || factors[i].length != (long) batch * shape[i]) {
                throw new IllegalArgumentException(method + "factors[" + i + "] must have length "
                        + (long) batch * shape[i] + " (batch " + batch + " x " + shape[i] + "), got "
                        + (factors[i] == null ? "null" : factors[i].length));
            }
            size *= shape[i];
        }
        double[] product = new double[batch * size];
        for (int b = 0; b < batch; b++) {
            int filled = 1;
            product[b * size] = 1;
            for (int i = 0; i < shape.length; i++) {
                for (int e = filled - 1; e >= 0; e--) {
                    double left = product[b * size + e];
                    for (int k = shape[i] - 1; k >= 0; k--) {
                        product[b * size + e * shape[i] + k] = left * factors[i][b * shape[i] + k];
                    }
                }
                filled *= shape[i];
            }
        }
        fromCartesian(batch, product, irreps);
    }
}
