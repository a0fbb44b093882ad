package dev.e3j.runtime;

import java.util.List;

/**
 * A generated MACE symmetric contraction (mace-torch's {@code SymmetricContraction}): per node, the polynomial of
 * degree up to {@link #correlation()} in the node's features, coupled to each output irrep by the exact bases
 * {@code U_ν} and weighted per chemical element and channel.
 *
 * <p>{@code x} is {@code [nodes][irrepsIn().dim()]} in e3nn's {@code mul_ir} layout, every entry of
 * {@link #irrepsIn()} with the same multiplicity (the channels); {@code elements} holds each node's 0-based element
 * index (the position of the one in MACE's one-hot {@code node_attrs}), in {@code [0, elements())}; {@code out} is
 * {@code [nodes][irrepsOut().dim()]} in {@code mul_ir} layout (MACE's concatenation of the per-irrep outputs).
 * Weights are flat, in the order of {@link #weightViews()}: for each output irrep, MACE's {@code weights_max}
 * ({@code [elements][K_correlation][channels]}) and then {@code weights.0}, {@code weights.1}, ...
 * ({@code [elements][K_ν][channels]} for {@code ν = correlation - 1, correlation - 2, ..., 1}), each row-major.
 * Stateless and thread-safe; arguments are checked like the other kernels' (an {@link IllegalArgumentException}
 * naming the kernel, the method and the argument).
 */
public interface SymmetricContractionKernel {

    /** Irreps of one node's input features (e.g. {@code 16x0e+16x1o+16x2e+16x3o}). */
    Irreps irrepsIn();

    /** Irreps of one node's output (e.g. {@code 16x0e+16x1o}). */
    Irreps irrepsOut();

    /** The highest polynomial degree ν. */
    int correlation();

    /** Number of chemical elements (rows of the per-element weights). */
    int elements();

    /** Number of weights: the sum of {@link WeightView#numel()} over {@link #weightViews()}. */
    int weightNumel();

    /**
     * The weight tensors in flat order, named as in MACE's {@code state_dict} relative to the
     * {@code SymmetricContraction} module, e.g. {@code contractions.0.weights_max} and {@code contractions.0.weights.0}.
     */
    List<Tensor> weightViews();

    /** Computes the contraction for {@code nodes} nodes, overwriting {@code out}. */
    void forward(int nodes, double[] x, int[] elements, double[] weights, double[] out);

    /**
     * Gradients of {@code sum(out * gradOut)} with respect to {@code x} ({@code [nodes][irrepsIn().dim()]}) and the
     * weights (flat, summed over nodes); each is overwritten, a {@code null} one is skipped.
     */
    void backward(int nodes, double[] x, int[] elements, double[] weights, double[] gradOut,
                  double[] gradX, double[] gradWeights);

    /**
     * Second derivatives: given the cotangents {@code ggX}, {@code ggWeights} of {@link #backward}'s outputs
     * ({@code null} = zero), writes the gradients of their inner product with those outputs with respect to {@code x},
     * {@code weights} and {@code gradOut} into {@code gX}, {@code gWeights} and {@code gGradOut}, overwriting each; a
     * {@code null} one is skipped.
     */
    default void doubleBackward(int nodes, double[] x, int[] elements, double[] weights, double[] gradOut,
                                double[] ggX, double[] ggWeights,
                                double[] gX, double[] gWeights, double[] gGradOut) {
        throw new UnsupportedOperationException(getClass().getName() + " has no generated doubleBackward");
    }

    /** Float overload of {@link #doubleBackward}; generated with {@code precision = FLOAT}. */
    default void doubleBackward(int nodes, float[] x, int[] elements, float[] weights, float[] gradOut,
                                float[] ggX, float[] ggWeights,
                                float[] gX, float[] gWeights, float[] gGradOut) {
        throw new UnsupportedOperationException(getClass().getName() + " was generated without precision = FLOAT");
    }

    /** Float overload; generated only with {@code precision = FLOAT}, otherwise unsupported. */
    default void forward(int nodes, float[] x, int[] elements, float[] weights, float[] out) {
        throw new UnsupportedOperationException(getClass().getName() + " was generated without precision = FLOAT");
    }

    /** Float overload; generated only with {@code precision = FLOAT}, otherwise unsupported. */
    default void backward(int nodes, float[] x, int[] elements, float[] weights, float[] gradOut,
                          float[] gradX, float[] gradWeights) {
        throw new UnsupportedOperationException(getClass().getName() + " was generated without precision = FLOAT");
    }

    /**
     * One weight tensor of the flat weight vector.
     *
     * @param name   the {@code state_dict} name relative to the {@code SymmetricContraction} module
     * @param offset the first index in the flat weights
     * @param shape  the tensor's shape, {@code [elements][K][channels]}
     */
    record Tensor(String name, int offset, List<Integer> shape) {

        /** Copies {@code shape}. */
        public Tensor {
            shape = List.copyOf(shape);
        }

        /** {@return the number of weights: the product of {@code shape}} */
        public int numel() {
            return shape.stream().reduce(1, Math::multiplyExact);
        }
    }
}
