package dev.e3j.processor;

/**
 * The e3j annotations that each generate {@code <Spec>Impl} (an interface carries at most one), with the runtime
 * interface the annotated interface must extend. The processor, its steps and the checks on specs all name
 * annotations through this enum.
 */
enum KernelAnnotation {
    TENSOR_PRODUCT("TensorProduct", "dev.e3j.runtime.TensorProductKernel"),
    SPHERICAL_HARMONICS("SphericalHarmonics", "dev.e3j.runtime.SphericalHarmonicsKernel"),
    LINEAR("Linear", "dev.e3j.runtime.LinearKernel"),
    GATE_POINTS_NETWORK("GatePointsNetwork", "dev.e3j.runtime.model.PointsModel"),
    REDUCED_TENSOR_PRODUCTS("ReducedTensorProducts", "dev.e3j.runtime.CartesianTensorKernel"),
    CARTESIAN_TENSOR("CartesianTensor", "dev.e3j.runtime.CartesianTensorKernel"),
    SYMMETRIC_CONTRACTION("SymmetricContraction", "dev.e3j.runtime.SymmetricContractionKernel"),
    MACE("Mace", "dev.e3j.runtime.model.InteratomicPotential");

    private final String simpleName;
    private final String kernel;

    KernelAnnotation(String simpleName, String kernel) {
        this.simpleName = simpleName;
        this.kernel = kernel;
    }

    /** The annotation's canonical name, e.g. {@code dev.e3j.annotations.TensorProduct}. */
    String qualifiedName() {
        return "dev.e3j.annotations." + simpleName;
    }

    /** The annotation's simple name, e.g. {@code TensorProduct}. */
    String simpleName() {
        return simpleName;
    }

    /** Canonical name of the runtime interface an annotated interface must extend. */
    String kernel() {
        return kernel;
    }
}
