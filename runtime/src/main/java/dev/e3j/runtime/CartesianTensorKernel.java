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
}
