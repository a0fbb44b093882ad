package dev.e3j.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a whole e3nn {@code nn.models.gate_points_2101.Network} on an interface extending
 * {@code dev.e3j.runtime.model.PointsModel}; generates {@code <Spec>Impl}, which loads the network's PyTorch
 * {@code state_dict} ({@code new <Spec>Impl(StateDict)}) under e3nn's own names and layouts.
 *
 * <p>The attributes mirror the constructor's arguments in camelCase. The processor derives every layer the way e3nn
 * does: per gated layer the scalars and gated irreps of {@link #irrepsHidden()} that a tensor-product path reaches
 * ({@code tp_path_exists}), their gates ({@code 0e}, or {@code 0o} when no path reaches {@code 0e}) and activations
 * (SiLU and tanh on even and odd scalars, sigmoid and tanh on even and odd gates); per convolution the
 * self-connection, {@code lin1} and {@code lin2} fully connected products with the node attributes and the
 * channel-wise edge product into e3nn's sorted {@code irreps_mid}. Each becomes a generated kernel with exact
 * coefficients.
 *
 * <pre>{@code
 * @GatePointsNetwork(irrepsHidden = "8x0e+8x0o+4x1e+4x1o+2x2e+2x2o", irrepsOut = "1x0e+1x1o",
 *                    irrepsEdgeAttr = "0e+1o+2e", layers = 2, maxRadius = 2.5, numberOfBasis = 10,
 *                    radialLayers = 1, radialNeurons = 16, numNeighbors = 5.12, numNodes = 8.33)
 * interface Net extends PointsModel {}
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.TYPE)
public @interface GatePointsNetwork {

    /**
     * {@return the irreps of the node inputs {@code x}; empty (e3nn's {@code None}) when nodes have none, and e3nn
     * then uses ones, {@code 0e}}
     */
    String irrepsIn() default "";

    /** {@return irreps of the hidden node features; each gated layer keeps those a tensor-product path reaches} */
    String irrepsHidden();

    /** {@return irreps of the output} */
    String irrepsOut();

    /**
     * {@return the irreps of the node attributes {@code z}; empty (e3nn's {@code None}) when nodes have none, and
     * e3nn then uses ones, {@code 0e}}
     */
    String irrepsNodeAttr() default "";

    /**
     * {@return the irreps of the edge attributes: spherical harmonics, each {@code l} with parity {@code (-1)^l},
     * e.g. {@code "0e+1o+2e"}}
     */
    String irrepsEdgeAttr();

    /** {@return number of gated layers (non-linearities); one more convolution follows them} */
    int layers();

    /** {@return cut-off radius of the radius graph (within each graph of the batch)} */
    double maxRadius();

    /** {@return number of Gaussians embedding the edge length} */
    int numberOfBasis();

    /** {@return hidden layers of each radial MLP} */
    int radialLayers();

    /** {@return width of the radial MLPs' hidden layers} */
    int radialNeurons();

    /** {@return typical number of neighbours: the aggregated messages are divided by its square root} */
    double numNeighbors();

    /** {@return typical number of nodes per graph: the reduced output is divided by its square root} */
    double numNodes();

    /** {@return whether the node outputs are summed over each graph (true) or returned per node (false)} */
    boolean reduceOutput() default true;

    /**
     * {@return the floating-point types the model accepts: {@link Precision#FLOAT} adds {@code float[]} overloads,
     * which compute in float (kernels, radial MLPs, gathers, sums; the edges are found in double and rounded once)}
     */
    Precision precision() default Precision.DOUBLE;

    /**
     * {@return which e3nn version's Wigner 3j signs every tensor product of the model couples with}
     * {@link CgConvention#E3NN_0_4} for a network trained with e3nn 0.4.4.
     */
    CgConvention cgConvention() default CgConvention.E3NN_0_5;

    /**
     * {@return how the hidden node features lay out each node's entries} The layout governs the hidden features;
     * inputs and outputs keep e3nn's layout. With {@link Layout#IR_MUL} every nested product ({@code sc},
     * {@code lin1}, {@code tp}, {@code lin2}) is generated channel-last and the features stay channel-last from layer
     * to layer (the gates included), so that no transposes are paid between layers; {@code x}, {@code z}, the outputs
     * and their gradients are converted once at the input and once at the output of each call, and only where an
     * entry has several channels of {@code l > 0}. Weights keep e3nn's layout in both, so one {@code state_dict}
     * serves either.
     */
    Layout layout() default Layout.MUL_IR;
}
