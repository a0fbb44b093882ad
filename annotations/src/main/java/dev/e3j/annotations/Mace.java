package dev.e3j.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a whole MACE interatomic potential (mace-torch v0.3.6's {@code mace.modules.MACE}, or
 * {@code ScaleShiftMACE} with {@link #scaleShift()}) on an interface extending
 * {@code dev.e3j.runtime.model.InteratomicPotential}; generates {@code <Spec>Impl}, which loads the model's PyTorch
 * {@code state_dict} ({@code new <Spec>Impl(StateDict)}) under mace-torch's own names and layouts.
 *
 * <p>The attributes mirror the constructor's arguments in camelCase; atomic energies, scale, shift and every weight
 * come from the {@code state_dict}. The processor derives every block as mace-torch does: the node embedding
 * ({@code Zx0e -> Cx0e}, {@code C} the number of {@code 0e} channels of {@link #hiddenIrreps()}), the spherical
 * harmonics up to {@link #maxEll()}, per interaction the {@code uvu} edge product into mace-torch's sorted
 * {@code irreps_mid} ({@code tp_out_irreps_with_instructions}), its radial MLP, the linear map to
 * {@code C x (0e + 1o + 2e + ...)}, the element-dependent skip product, the symmetric contraction of the given
 * correlation to {@link #hiddenIrreps()} (only its scalars in the last interaction) and the readouts (linear, and
 * {@code linear -> gate -> linear} through {@link #mlpIrreps()} after the last interaction). Each becomes a
 * generated kernel with exact coefficients (e3nn 0.4.4's Clebsch–Gordan convention, which mace-torch uses).
 *
 * <pre>{@code
 * @Mace(rMax = 5.0, numBessel = 8, numPolynomialCutoff = 5, maxEll = 3, numInteractions = 2,
 *       interactionFirst = Mace.Interaction.REAL_AGNOSTIC, interaction = Mace.Interaction.REAL_AGNOSTIC_RESIDUAL,
 *       atomicNumbers = {1, 6, 8}, hiddenIrreps = "16x0e+16x1o", mlpIrreps = "16x0e", correlation = 2,
 *       gate = Mace.Gate.SILU, avgNumNeighbors = 12.25, scaleShift = true)
 * interface Potential extends InteratomicPotential {}
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.TYPE)
public @interface Mace {

    /** {@return the cutoff radius: the neighbour list's, the Bessel basis' and the polynomial cutoff's} */
    double rMax();

    /** {@return number of radial basis functions embedding an edge length (Bessel or Gaussian: {@link #radialType()})} */
    int numBessel();

    /** {@return degree {@code p} of the polynomial cutoff} */
    int numPolynomialCutoff();

    /** {@return highest degree of the edges' spherical harmonics} */
    int maxEll();

    /** {@return number of interaction blocks (each with its product and readout)} */
    int numInteractions();

    /** {@return the first interaction block's class} */
    Interaction interactionFirst();

    /** {@return the class of the interaction blocks after the first} */
    Interaction interaction();

    /** {@return the elements the model knows, in the order of its one-hot encoding (mace-torch's z_table)} */
    int[] atomicNumbers();

    /**
     * {@return irreps of the hidden node features, e.g. {@code "128x0e+128x1o"}: every entry with the same
     * multiplicity (the channels), the first {@code 0e}, each {@code l <= maxEll} with parity {@code (-1)^l}}
     */
    String hiddenIrreps();

    /** {@return irreps of the last readout's hidden layer: one entry of even scalars, e.g. {@code "16x0e"}} */
    String mlpIrreps();

    /** {@return the symmetric contractions' correlation order: one value for all interactions, or one per interaction} */
    int[] correlation();

    /** {@return the activation of the last readout's hidden layer} */
    Gate gate();

    /** {@return hidden widths of each interaction's radial MLP ({@code radial_MLP})} */
    int[] radialMlp() default {64, 64, 64};

    /** {@return the number the aggregated messages are divided by} */
    double avgNumNeighbors();

    /** {@return whether the model is a {@code ScaleShiftMACE} (its interaction energies scaled and shifted)} */
    boolean scaleShift() default false;

    /**
     * {@return the radial basis of the edge lengths ({@code radial_type})} Its centres or frequencies, the transform's
     * constants and the covalent radii are buffers of the {@code state_dict}.
     */
    RadialType radialType() default RadialType.BESSEL;

    /**
     * {@return the transform of the edge lengths the radial basis sees ({@code distance_transform}; the polynomial
     * cutoff sees the lengths themselves)}
     */
    DistanceTransform distanceTransform() default DistanceTransform.NONE;

    /**
     * {@return whether the model adds the ZBL pair repulsion ({@code pair_repulsion}, mace-torch's {@code ZBLBasis}) to
     * every atom's interaction energy, before a {@code ScaleShiftMACE}'s scale and shift as in mace-torch}
     */
    boolean pairRepulsion() default false;

    /**
     * {@return the floating-point type {@code evaluate} computes in: {@link Precision#DOUBLE}, or
     * {@link Precision#FLOAT} for float32 as mace-torch's {@code float32} models (kernels generated in both types;
     * energies, forces and stress summed in double from float32 per-atom and per-edge values)}
     */
    Precision precision() default Precision.DOUBLE;

    /**
     * {@return how the node features lay out their irrep blocks between the blocks} {@link Layout#IR_MUL} generates
     * every nested kernel channel-last (cuEquivariance's {@code ir_mul}; their inner loops run over contiguous
     * channels) and keeps the node features so from block to block, with no transposes between layers; the
     * {@code state_dict}, the weights and the results are those of {@link Layout#MUL_IR} (the default, e3nn's), which
     * {@code evaluate}'s API does not expose either way.
     */
    Layout layout() default Layout.MUL_IR;

    /** mace-torch's interaction block classes. */
    enum Interaction {
        /** {@code RealAgnosticInteractionBlock}: the skip product mixes the message with the element. */
        REAL_AGNOSTIC,
        /** {@code RealAgnosticResidualInteractionBlock}: the skip product of the input is a residual. */
        REAL_AGNOSTIC_RESIDUAL
    }

    /**
     * mace-torch's {@code radial_type}s. Its {@code "chebyshev"} is left out: {@code torch.special}'s Chebyshev
     * polynomials have no derivative in autograd, so mace-torch's forces of such a model are not the gradient of its
     * energy.
     */
    enum RadialType {
        /** {@code BesselBasis}: {@code sqrt(2 / rMax) sin(w_n r) / r}, {@code w_n = n π / rMax} (the default). */
        BESSEL,
        /**
         * {@code GaussianBasis}: {@code exp(-(r - μ_n)² / (2 δ²))} over {@code numBessel >= 2} centres {@code μ_n}
         * spaced {@code δ} from 0 to {@code rMax}.
         */
        GAUSSIAN
    }

    /** mace-torch's {@code distance_transform}s, functions of an edge's length and its atoms' covalent radii. */
    enum DistanceTransform {
        /** {@code "None"}: the basis sees the length. */
        NONE,
        /**
         * {@code AgnesiTransform} (ACEpotentials.jl): {@code 1 / (1 + a s^q / (1 + s^(q - p)))},
         * {@code s = 2 r / (rcov_u + rcov_v)}.
         */
        AGNESI,
        /** {@code SoftTransform}: {@code r + tanh(-s - a s^b) / 2 + 1/2}, {@code s = 4 r / (rcov_u + rcov_v)}. */
        SOFT
    }

    /** mace-torch's choices of {@code gate} (normalized by e3nn's {@code normalize2mom}). */
    enum Gate {
        /** {@code torch.nn.functional.silu}. */
        SILU,
        /** {@code torch.tanh}. */
        TANH,
        /** {@code torch.abs}. */
        ABS,
        /** {@code None}: no activation. */
        NONE
    }
}
