package dev.e3j.runtime.model;

import dev.e3j.runtime.BatchBlocks;
import dev.e3j.runtime.Irrep;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.LinearKernel;
import dev.e3j.runtime.SphericalHarmonicsKernel;
import dev.e3j.runtime.SymmetricContractionKernel;
import dev.e3j.runtime.TensorProductKernel;
import dev.e3j.runtime.graph.NeighborList;
import dev.e3j.runtime.graph.Scatter;
import dev.e3j.runtime.io.StateDict;
import dev.e3j.runtime.math.Normalize2Mom;
import dev.e3j.runtime.nn.FullyConnectedNet;
import dev.e3j.runtime.nn.DistanceTransform;
import dev.e3j.runtime.nn.RadialEmbedding;
import dev.e3j.runtime.nn.ZblRepulsion;
import dev.e3j.runtime.nn.ScalarFunction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.Random;

/**
 * The architecture of mace-torch v0.3.6's {@code MACE} and {@code ScaleShiftMACE} on generated kernels, the engine
 * behind {@code @Mace} classes (which derive the blocks and call {@link #builder}):
 * <pre>
 *   edges     sender s, receiver r within rMax (periodic images included), vector v = pos[r] - pos[s] + shift
 *   Y_e       spherical harmonics of v (normalized, component normalization), l = 0..maxEll
 *   R_e       Bessel or Gaussian basis of |v| (or of a distance transform of |v| and the two atoms'
 *             covalent radii: Agnesi, soft) times the polynomial cutoff of |v|              (radial_embedding)
 *   Z_i       ZBL repulsion, half of each edge's on its receiver                         (pair_repulsion, optional)
 *   h_0       linear(one-hot element)                                                    (node_embedding)
 *   per interaction t (RealAgnosticInteractionBlock or its residual form):
 *     sc      skip_tp(h, one-hot)                                                        (residual form)
 *     A       linear(sum_{e into r} conv_tp(linear_up(h)[s], Y_e, MLP(R_e))) / avgNumNeighbors
 *             then skip_tp(A, one-hot)                                                   (plain form)
 *     h       linear(SymmetricContraction(A, element)) (+ sc, residual form)             (products.t)
 *     E_t     readout(h): linear, or linear -> activation -> linear for the last one     (readouts.t)
 *   energy    sum_i E0[element_i] + scale (Z_i + sum_t E_t,i) + shift                    (scale, shift: ScaleShiftMACE)
 * </pre>
 * Forces ({@code -dE/dpos}) and stress ({@code (1/V) dE/dstrain}) come from one backward pass through every block;
 * {@link #lossGradient} differentiates a training loss on them with respect to the parameters.
 * Parameters are one flat array ({@link #parameters(StateDict)}), cut once into each kernel's weights by
 * {@link #weights(double[])}. Immutable and thread-safe.
 */
public final class Mace {

    /**
     * The least number of edges in a block of the fused edge pass (blocks hold whole receivers; the generated
     * kernels run each block in its thread, {@link Pass#forEachBlock}): large enough that the radial MLP's loops over
     * a block's edges run long vectorized and each loop's scalar remainder and set-up are spread over many edges
     * (CPU time per evaluation at 64 / 512 atoms, float32, under load: 30 / 228 ms with 32 edges, 22 / 159-192 with
     * 128; paired in one thread at 512 atoms, float32, after {@code h/macef32}'s other changes: 256 edges 5% less
     * than 128, 512 another 3% less), and small enough that a 64-atom cell still makes ten blocks for the threads
     * ({@link #blocks}).
     */
    private static final int EDGES_PER_BLOCK = 256;
    /** Nodes per parallel block of the sums over each node's edges. */
    private static final int NODES_PER_BLOCK = 32;

    final SphericalHarmonicsKernel edgeHarmonics;
    final LinearKernel nodeEmbedding;
    private final RadialEmbedding radial;
    /** The lengths' transform for the radial basis, or null. */
    private final DistanceTransform distanceTransform;
    private final boolean pairRepulsion;
    private final int[] atomicNumbers;
    final double avgNumNeighbors;
    final boolean scaleShift;
    /** The gate of the non-linear readout as mace-torch's {@code gate_dict} names it ({@code "None"} for none). */
    private final String gateName;
    final List<Interaction> interactions;
    final List<Product> products;
    final List<Readout> readouts;
    private final StateDictLayout layout;
    final int embeddingOffset;
    private final int besselOffset;
    /** The distance transform's constants and covalent radii in the flat parameters, or -1 without one. */
    private final int transformOffset;
    private final int transformRadiiOffset;
    /** The ZBL repulsion's constants ({@link ZblRepulsion#CONSTANTS}) and covalent radii, or -1 without it. */
    private final int pairOffset;
    private final int pairRadiiOffset;
    private final int atomicEnergiesOffset;
    final int scaleOffset;
    private final int shiftOffset;
    /** The {@code (offset, length)} of every kernel's weights in the flat parameters, which {@link Weights} cuts. */
    private final List<int[]> ranges = new ArrayList<>();

    /** One interaction block: the weights' offsets in the flat parameters and its kernels. */
    record Interaction(boolean residual, LinearKernel linearUp, TensorProductKernel convTp,
                               FullyConnectedNet radialMlp, ScalarFunction radialActivation, LinearKernel linear,
                               TensorProductKernel skipTp, OneElementSkip oneElementSkip,
                               int linearUpOffset, int radialOffset, int linearOffset, int skipOffset) {
    }

    /** One {@code EquivariantProductBasisBlock}. */
    record Product(SymmetricContractionKernel contraction, LinearKernel linear, int contractionOffset,
                           int linearOffset) {
    }

    /** A {@code LinearReadoutBlock} ({@code linear2 == null}) or a {@code NonLinearReadoutBlock}. */
    record Readout(LinearKernel linear1, ScalarFunction activation, LinearKernel linear2, int offset1,
                           int offset2) {
        boolean nonLinear() {
            return linear2 != null;
        }
    }

    private Mace(Builder builder, Map<String, Double> activationConstants) {
        if (builder.interactions.isEmpty()) {
            throw new IllegalArgumentException("Mace: expected at least one interaction, got none");
        }
        if (builder.products.size() != builder.interactions.size()
                || builder.readouts.size() != builder.interactions.size()) {
            throw new IllegalArgumentException("Mace: expected one product and one readout per interaction, got "
                    + builder.interactions.size() + " interactions, " + builder.products.size() + " products and "
                    + builder.readouts.size() + " readouts");
        }
        this.edgeHarmonics = builder.edgeHarmonics;
        this.nodeEmbedding = builder.nodeEmbedding;
        this.radial = new RadialEmbedding(builder.rMax, builder.numBessel, builder.numPolynomialCutoff,
                builder.radialBasis);
        this.distanceTransform = builder.distanceTransform;
        this.pairRepulsion = builder.pairRepulsion;
        this.atomicNumbers = builder.atomicNumbers.clone();
        this.avgNumNeighbors = builder.avgNumNeighbors;
        this.scaleShift = builder.scaleShift;
        int elements = atomicNumbers.length;
        Irreps nodeAttrs = Irreps.parse(elements + "x0e");
        this.layout = new StateDictLayout();
        layout.fixed("atomic_numbers", Arrays.stream(atomicNumbers).asDoubleStream().toArray(), elements);
        layout.fixed("r_max", new double[] {builder.rMax});
        layout.fixed("num_interactions", new double[] {builder.interactions.size()});
        requireIrreps("node_embedding", "irrepsIn", nodeEmbedding.irrepsIn(), nodeAttrs);
        this.embeddingOffset = linear("node_embedding.linear", nodeEmbedding);
        if (builder.radialBasis == RadialEmbedding.Basis.BESSEL) {
            this.besselOffset = range(layout.value("radial_embedding.bessel_fn.bessel_weights", builder.numBessel),
                    builder.numBessel);
            layout.fixed("radial_embedding.bessel_fn.r_max", new double[] {builder.rMax});
            layout.fixed("radial_embedding.bessel_fn.prefactor", new double[] {radial.prefactor()});
        } else {
            this.besselOffset = range(layout.value("radial_embedding.bessel_fn.gaussian_weights", builder.numBessel),
                    builder.numBessel);
        }
        if (distanceTransform == null) {
            this.transformOffset = -1;
            this.transformRadiiOffset = -1;
        } else {
            String module = "radial_embedding.distance_transform.";
            List<String> names = distanceTransform.constantNames();
            this.transformOffset = layout.value(module + names.get(0));
            for (String name : names.subList(1, names.size())) {
                layout.value(module + name);
            }
            this.transformRadiiOffset = layout.value(module + "covalent_radii", CovalentRadii.COUNT);
        }
        layout.hint("radial_embedding.bessel_fn.", "@Mace's radialType must be mace-torch's radial_type"
                + " (bessel_weights: BESSEL, gaussian_weights: GAUSSIAN)");
        layout.hint("radial_embedding.distance_transform.", "@Mace's distanceTransform must be mace-torch's"
                + " distance_transform (q, p, a: AGNESI; a, b: SOFT; none: NONE)");
        layout.hint("pair_repulsion_fn.", "@Mace's pairRepulsion must be mace-torch's pair_repulsion (true where the"
                + " state_dict has pair_repulsion_fn)");
        layout.fixed("radial_embedding.cutoff_fn.p", new double[] {builder.numPolynomialCutoff});
        layout.fixed("radial_embedding.cutoff_fn.r_max", new double[] {builder.rMax});
        if (pairRepulsion) {
            String module = "pair_repulsion_fn.";
            this.pairOffset = layout.value(module + "c", 4);
            layout.value(module + "p");
            layout.value(module + "a_exp");
            layout.value(module + "a_prefactor");
            this.pairRadiiOffset = layout.value(module + "covalent_radii", CovalentRadii.COUNT);
            layout.fixed(module + "r_max", new double[] {builder.rMax});
            layout.fixed(module + "cutoff.p", new double[] {builder.numPolynomialCutoff});
            layout.fixed(module + "cutoff.r_max", new double[] {builder.rMax});
        } else {
            this.pairOffset = -1;
            this.pairRadiiOffset = -1;
        }
        this.atomicEnergiesOffset = layout.value("atomic_energies_fn.atomic_energies", elements);

        this.interactions = new ArrayList<>();
        this.products = new ArrayList<>();
        this.readouts = new ArrayList<>();
        Irreps features = nodeEmbedding.irrepsOut();
        for (int t = 0; t < builder.interactions.size(); t++) {
            Builder.InteractionKernels kernels = builder.interactions.get(t);
            String prefix = "interactions." + t;
            requireIrreps(prefix + ".linear_up", "irrepsIn", kernels.linearUp().irrepsIn(), features);
            requireIrreps(prefix + ".conv_tp", "irrepsIn1", kernels.convTp().irrepsIn1(),
                    kernels.linearUp().irrepsOut());
            requireIrreps(prefix + ".conv_tp", "irrepsIn2", kernels.convTp().irrepsIn2(), edgeHarmonics.irrepsOut());
            if (kernels.convTp().sharedWeights()) {
                throw new IllegalArgumentException(prefix + ".conv_tp: expected per-edge weights (sharedWeights "
                        + "false), got shared weights");
            }
            requireMidIrreps(prefix + ".linear", kernels.linear(), kernels.convTp().irrepsOut());
            Irreps skipIn = kernels.residual() ? features : kernels.linear().irrepsOut();
            requireIrreps(prefix + ".skip_tp", "irrepsIn1", kernels.skipTp().irrepsIn1(), skipIn);
            requireIrreps(prefix + ".skip_tp", "irrepsIn2", kernels.skipTp().irrepsIn2(), nodeAttrs);
            int linearUpOffset = linear(prefix + ".linear_up", kernels.linearUp());
            layout.value(prefix + ".conv_tp.weight", 0);
            layout.fixed(prefix + ".conv_tp.output_mask", ones(kernels.convTp().irrepsOut().dim()),
                    kernels.convTp().irrepsOut().dim());
            layout.constants(prefix + ".conv_tp");
            int[] hs = new int[builder.radialMlp.length + 2];
            hs[0] = builder.numBessel;
            System.arraycopy(builder.radialMlp, 0, hs, 1, builder.radialMlp.length);
            hs[hs.length - 1] = kernels.convTp().weightNumel();
            ScalarFunction radialActivation = activation(ScalarFunction.SILU,
                    prefix + ".conv_tp_weights.layer0.act", activationConstants);
            FullyConnectedNet mlp = new FullyConnectedNet(hs, radialActivation);
            int radialOffset = layout.count();
            for (int k = 0; k + 1 < hs.length; k++) {
                layout.value(prefix + ".conv_tp_weights.layer" + k + ".weight", hs[k], hs[k + 1]);
            }
            range(radialOffset, mlp.parameterCount());
            int linearOffset = linear(prefix + ".linear", kernels.linear());
            int skipOffset = range(layout.value(prefix + ".skip_tp.weight", kernels.skipTp().weightNumel()),
                    kernels.skipTp().weightNumel());
            layout.fixed(prefix + ".skip_tp.output_mask", productMask(kernels.skipTp()),
                    kernels.skipTp().irrepsOut().dim());
            layout.constants(prefix + ".skip_tp");
            OneElementSkip oneElementSkip = kernels.skipTpOneElement() == null ? null
                    : new OneElementSkip(prefix + ".skip_tp", kernels.skipTp(), kernels.skipTpOneElement());
            Interaction interaction = new Interaction(kernels.residual(), kernels.linearUp(), kernels.convTp(),
                    mlp, radialActivation, kernels.linear(), kernels.skipTp(), oneElementSkip, linearUpOffset,
                    radialOffset, linearOffset, skipOffset);
            Irreps target = kernels.residual() ? kernels.linear().irrepsOut() : kernels.skipTp().irrepsOut();

            Builder.ProductKernels product = builder.products.get(t);
            String productPrefix = "products." + t;
            SymmetricContractionKernel contraction = product.contraction();
            requireIrreps(productPrefix + ".symmetric_contractions", "irrepsIn", contraction.irrepsIn(), target);
            if (contraction.elements() != elements) {
                throw new IllegalArgumentException(productPrefix + ".symmetric_contractions: expected " + elements
                        + " elements, got " + contraction.elements());
            }
            requireIrreps(productPrefix + ".linear", "irrepsIn", product.linear().irrepsIn(),
                    contraction.irrepsOut());
            if (kernels.residual()) {
                requireIrreps(productPrefix + ".linear", "irrepsOut", product.linear().irrepsOut(),
                        kernels.skipTp().irrepsOut());
            }
            int contractionOffset = layout.count();
            for (SymmetricContractionKernel.Tensor tensor : contraction.weightViews()) {
                layout.value(productPrefix + ".symmetric_contractions." + tensor.name(),
                        tensor.shape().stream().mapToLong(Integer::longValue).toArray());
            }
            for (int c = 0; c < contraction.irrepsOut().size(); c++) {
                layout.constants(productPrefix + ".symmetric_contractions.contractions." + c);
            }
            range(contractionOffset, contraction.weightNumel());
            int productLinearOffset = linear(productPrefix + ".linear", product.linear());
            interactions.add(interaction);
            products.add(new Product(contraction, product.linear(), contractionOffset, productLinearOffset));
            features = product.linear().irrepsOut();

            Builder.ReadoutKernels readout = builder.readouts.get(t);
            String readoutPrefix = "readouts." + t;
            Irreps scalar = Irreps.parse("0e");
            requireIrreps(readoutPrefix + ".linear", "irrepsIn", readout.linear1().irrepsIn(), features);
            if (readout.linear2() == null) {
                requireIrreps(readoutPrefix + ".linear", "irrepsOut", readout.linear1().irrepsOut(), scalar);
                readouts.add(new Readout(readout.linear1(), null, null,
                        linear(readoutPrefix + ".linear", readout.linear1()), -1));
            } else {
                requireIrreps(readoutPrefix + ".linear_2", "irrepsIn", readout.linear2().irrepsIn(),
                        readout.linear1().irrepsOut());
                requireIrreps(readoutPrefix + ".linear_2", "irrepsOut", readout.linear2().irrepsOut(), scalar);
                Irreps hidden = readout.linear1().irrepsOut();
                if (hidden.size() != 1 || !hidden.get(0).ir().equals(Irrep.of(0, 1))) {
                    throw new IllegalArgumentException(readoutPrefix + ".linear_1: expected output irreps of one "
                            + "even scalar entry (\"Nx0e\"), got \"" + hidden + "\"");
                }
                ScalarFunction gate = readout.gate() == null ? null
                        : activation(readout.gate(), readoutPrefix + ".non_linearity.acts.0", activationConstants);
                int offset1 = linear(readoutPrefix + ".linear_1", readout.linear1());
                int offset2 = linear(readoutPrefix + ".linear_2", readout.linear2());
                readouts.add(new Readout(readout.linear1(), gate, readout.linear2(), offset1, offset2));
            }
        }
        Builder.ReadoutKernels last = builder.readouts.get(builder.readouts.size() - 1);
        this.gateName = last.gate() == null ? "None" : last.gate().toString();
        if (scaleShift) {
            this.scaleOffset = layout.value("scale_shift.scale");
            this.shiftOffset = layout.value("scale_shift.shift");
        } else {
            this.scaleOffset = -1;
            this.shiftOffset = -1;
        }
    }

    private static ScalarFunction activation(ScalarFunction f, String module, Map<String, Double> constants) {
        Double constant = constants.get(module);
        return constant == null ? Normalize2Mom.of(f) : Normalize2Mom.withConstant(f, constant);
    }

    /** Registers {@code length} weights at {@code offset} for {@link Weights} to cut; returns {@code offset}. */
    private int range(int offset, int length) {
        ranges.add(new int[] {offset, length});
        return offset;
    }

    /** Adds an {@code o3.Linear}'s weight, bias and output mask; returns the weight's offset (the bias follows). */
    private int linear(String module, LinearKernel kernel) {
        int offset = range(layout.value(module + ".weight", kernel.weightNumel()), kernel.weightNumel());
        range(layout.value(module + ".bias", kernel.biasNumel()), kernel.biasNumel());
        layout.fixed(module + ".output_mask", linearMask(kernel), kernel.irrepsOut().dim());
        return offset;
    }

    private static double[] linearMask(LinearKernel kernel) {
        Irreps out = kernel.irrepsOut();
        double[] mask = new double[out.dim()];
        for (int i = 0; i < out.size(); i++) {
            Irrep ir = out.get(i).ir();
            boolean reached = kernel.irrepsIn().entries().stream().anyMatch(in -> in.mul() > 0 && in.ir().equals(ir));
            Arrays.fill(mask, out.offset(i), out.offset(i + 1), reached ? 1.0 : 0.0);
        }
        return mask;
    }

    /** e3nn's {@code output_mask} of a fully connected product: 1 where some path reaches the output entry. */
    private static double[] productMask(TensorProductKernel kernel) {
        Irreps out = kernel.irrepsOut();
        double[] mask = new double[out.dim()];
        for (int i = 0; i < out.size(); i++) {
            Irrep ir = out.get(i).ir();
            boolean reached = false;
            for (Irreps.MulIrrep a : kernel.irrepsIn1()) {
                for (Irreps.MulIrrep b : kernel.irrepsIn2()) {
                    reached |= a.mul() > 0 && b.mul() > 0 && a.ir().couplesTo(b.ir(), ir);
                }
            }
            Arrays.fill(mask, out.offset(i), out.offset(i + 1), reached && out.get(i).mul() > 0 ? 1.0 : 0.0);
        }
        return mask;
    }

    private static double[] ones(int n) {
        double[] ones = new double[n];
        Arrays.fill(ones, 1.0);
        return ones;
    }

    private static void requireIrreps(String module, String what, Irreps actual, Irreps expected) {
        if (!actual.equals(expected)) {
            throw new IllegalArgumentException(module + ": expected " + what + " \"" + expected + "\", got \""
                    + actual + "\"");
        }
    }

    /**
     * Requires {@code interactions.t.linear} to take the edge product's output {@code mid} simplified, as mace-torch
     * declares it, or as it is, which channel-last kernels need (two {@code [3][8]} blocks of {@code 8x1o+8x1o} are
     * not {@code 16x1o}'s {@code [3][16]}). Both are the same map with the same weights when every irrep of the output
     * appears once and {@code mid}'s equal irreps are adjacent (as in mace-torch's sorted {@code irreps_mid}): each
     * input entry then feeds one output, e3nn's {@code [mul_in][mul_out]} blocks of the entries that simplify merges
     * concatenate into the merged entry's, and the fan-in is the sum of their multiplicities either way.
     */
    private static void requireMidIrreps(String module, LinearKernel linear, Irreps mid) {
        Irreps simplified = mid.simplify();
        if (linear.irrepsIn().equals(simplified)) {
            return;
        }
        Irreps out = linear.irrepsOut();
        boolean distinctOutputs = out.entries().stream().map(Irreps.MulIrrep::ir).distinct().count() == out.size();
        boolean adjacent = mid.entries().stream().map(Irreps.MulIrrep::ir).distinct().count() == simplified.size();
        if (!linear.irrepsIn().equals(mid) || !distinctOutputs || !adjacent) {
            throw new IllegalArgumentException(module + ": expected irrepsIn \"" + simplified + "\" (or \"" + mid
                    + "\" unsimplified, with distinct output irreps), got \"" + linear.irrepsIn() + "\"");
        }
    }

    /** A builder of the blocks, in MACE's order: the generated model's {@code architecture}. */
    public static Builder builder(SphericalHarmonicsKernel edgeHarmonics, LinearKernel nodeEmbedding) {
        if (edgeHarmonics == null || nodeEmbedding == null) {
            throw new IllegalArgumentException("Mace.builder: kernels must not be null");
        }
        return new Builder(edgeHarmonics, nodeEmbedding);
    }

    /** The cutoff radius of the neighbour list. */
    public double rMax() {
        return radial.rMax();
    }

    /** The atomic numbers in the order of the one-hot element encoding. */
    public int[] atomicNumbers() {
        return atomicNumbers.clone();
    }

    /** Number of values in the flat parameters. */
    public int parameterCount() {
        return layout.count();
    }

    /**
     * Parameters for a new model, drawn as mace-torch initialises one: every weight standard normal (e3nn's linears,
     * the radial MLPs, the skip products), the symmetric contractions' weights standard normal divided by their
     * number of basis elements; the buffers get {@code atomicEnergies} (E0 per element, in the order of
     * {@link #atomicNumbers()}), the radial basis' weights ({@link RadialEmbedding#initialWeights()}), the distance
     * transform's and the ZBL repulsion's constants as mace-torch sets them and ASE's covalent radii
     * ({@link CovalentRadii}), and for a {@code ScaleShiftMACE} {@code scale} and {@code shift}.
     *
     * @throws IllegalArgumentException if {@code atomicEnergies} does not have one value per element, or a plain MACE
     *                                  is given a scale other than 1 or a shift other than 0
     */
    public double[] initialParameters(Random random, double[] atomicEnergies, double scale, double shift) {
        if (random == null || atomicEnergies == null || atomicEnergies.length != atomicNumbers.length) {
            throw new IllegalArgumentException("Mace.initialParameters: expected a random generator and "
                    + atomicNumbers.length + " atomic energies, got " + (random == null ? "no generator" : "one")
                    + " and " + (atomicEnergies == null ? "none" : String.valueOf(atomicEnergies.length)));
        }
        if (!scaleShift && (scale != 1.0 || shift != 0.0)) {
            throw new IllegalArgumentException("Mace.initialParameters: a MACE without scale and shift expects scale 1 "
                    + "and shift 0, got " + scale + " and " + shift);
        }
        double[] params = new double[parameterCount()];
        for (int i = 0; i < params.length; i++) {
            params[i] = random.nextGaussian();
        }
        for (Product product : products) {
            for (SymmetricContractionKernel.Tensor tensor : product.contraction().weightViews()) {
                int basis = tensor.shape().get(1);
                int from = product.contractionOffset() + tensor.offset();
                for (int i = from; i < from + tensor.numel(); i++) {
                    params[i] /= basis;
                }
            }
        }
        System.arraycopy(atomicEnergies, 0, params, atomicEnergiesOffset, atomicEnergies.length);
        double[] basisWeights = radial.initialWeights();
        System.arraycopy(basisWeights, 0, params, besselOffset, basisWeights.length);
        if (distanceTransform != null) {
            double[] constants = distanceTransform.initialConstants();
            System.arraycopy(constants, 0, params, transformOffset, constants.length);
            System.arraycopy(CovalentRadii.values(), 0, params, transformRadiiOffset, CovalentRadii.COUNT);
        }
        if (pairRepulsion) {
            double[] constants = ZblRepulsion.initialConstants(radial.numPolynomialCutoff());
            System.arraycopy(constants, 0, params, pairOffset, constants.length);
            System.arraycopy(CovalentRadii.values(), 0, params, pairRadiiOffset, CovalentRadii.COUNT);
        }
        if (scaleShift) {
            params[scaleOffset] = scale;
            params[shiftOffset] = shift;
        }
        return params;
    }

    /**
     * Where the {@code state_dict} tensor {@code name} (a parameter, or a buffer the flat parameters carry) starts in
     * the flat parameters; its entries follow in row-major order.
     *
     * @throws IllegalArgumentException if the flat parameters hold no tensor called {@code name}
     */
    public int parameterOffset(String name) {
        int offset = layout.offset(name);
        if (offset < 0) {
            throw new IllegalArgumentException("Mace.parameterOffset: expected the name of a tensor in the flat "
                    + "parameters, got \"" + name + "\"");
        }
        return offset;
    }

    /**
     * The flat parameters of {@code stateDict}, after checking every key and shape: all missing, mismatched and
     * unexpected keys are reported in one message, and the buffers the architecture fixes ({@code output_mask}s,
     * {@code r_max}, the atomic numbers, the cutoff degree) must equal the derived values.
     *
     * <p>A file {@code tools/export_mace.py} wrote also records the constructor arguments (metadata
     * {@code "constructor"}); the two its tensors cannot show, {@code avg_num_neighbors} (it divides every message)
     * and the readout's {@code gate}, must be this model's, or the energies would differ without an error.
     *
     * @throws IllegalArgumentException listing every problem
     */
    public double[] parameters(StateDict stateDict) {
        if (stateDict == null) {
            throw new IllegalArgumentException("stateDict is null");
        }
        new RecordedArguments(stateDict).requireNumber("avg_num_neighbors", avgNumNeighbors, "avgNumNeighbors")
                .requireName("gate", gateName, "readout gate")
                .check();
        return layout.read(stateDict);
    }

    /**
     * The 0-based element index of each atom, in the order of {@link #atomicNumbers()}.
     *
     * @throws IllegalArgumentException naming the first atomic number the model does not know, and the structure
     */
    private int[] elementIndices(int[] numbers, String structure) {
        int[] indices = new int[numbers.length];
        for (int i = 0; i < numbers.length; i++) {
            int index = -1;
            for (int k = 0; k < atomicNumbers.length; k++) {
                if (atomicNumbers[k] == numbers[i]) {
                    index = k;
                    break;
                }
            }
            if (index < 0) {
                throw new IllegalArgumentException(structure + ": atom " + i + " has atomic number " + numbers[i]
                        + ", which the model does not know (it knows " + Arrays.toString(atomicNumbers) + ")");
            }
            indices[i] = index;
        }
        return indices;
    }

    /**
     * The flat parameters cut once into each kernel's weights (copied), for any number of evaluations.
     *
     * @throws IllegalArgumentException if {@code params} does not have {@link #parameterCount()} values
     */
    public Weights weights(double[] params) {
        if (params == null || params.length != parameterCount()) {
            throw new IllegalArgumentException("Mace.weights: params must have length " + parameterCount() + ", got "
                    + (params == null ? "null" : String.valueOf(params.length)));
        }
        return new Weights(params, ranges);
    }

    /**
     * Energies, forces and (with a cell) stress of each structure, evaluated as one batch.
     *
     * @throws IllegalArgumentException naming the first structure with an element the model does not know
     */
    public List<Evaluation> evaluate(List<Structure> structures, Weights weights) {
        if (structures == null) {
            throw new IllegalArgumentException("structures is null");
        }
        return evaluate(graph(structures), weights);
    }

    /** The atoms of {@code structures} and their edges within {@link #rMax()}, concatenated. */
    private Graph graph(List<Structure> structures) {
        int atoms = 0;
        for (int g = 0; g < structures.size(); g++) {
            Structure structure = structures.get(g);
            if (structure == null) {
                throw new IllegalArgumentException("structures[" + g + "] is null");
            }
            atoms = Math.addExact(atoms, structure.size());
        }
        int[] elements = new int[atoms];
        double[] positions = new double[3 * atoms];
        int[] graphOf = new int[atoms];
        double[] volumes = new double[structures.size()];
        List<int[]> senders = new ArrayList<>();
        List<int[]> receivers = new ArrayList<>();
        List<double[]> shifts = new ArrayList<>();
        int first = 0;
        int edges = 0;
        for (int g = 0; g < structures.size(); g++) {
            Structure structure = structures.get(g);
            int size = structure.size();
            int[] indices = elementIndices(structure.atomicNumbers(),
                    structures.size() == 1 ? "structure" : "structures[" + g + "]");
            System.arraycopy(indices, 0, elements, first, size);
            double[] pos = structure.positions();
            System.arraycopy(pos, 0, positions, 3 * first, 3 * size);
            Arrays.fill(graphOf, first, first + size, g);
            volumes[g] = structure.volume();
            NeighborList neighbours = NeighborList.of(structure, rMax());
            int[] s = neighbours.senders();
            int[] r = neighbours.receivers();
            for (int e = 0; e < s.length; e++) {
                s[e] += first;
                r[e] += first;
            }
            senders.add(s);
            receivers.add(r);
            shifts.add(neighbours.shifts());
            edges = Math.addExact(edges, s.length);
            first += size;
        }
        return new Graph(elements, positions, graphOf, concatenate(senders, edges), concatenate(receivers, edges),
                concatenateDoubles(shifts, 3 * edges), volumes);
    }

    private static int[] concatenate(List<int[]> parts, int length) {
        int[] out = new int[length];
        int at = 0;
        for (int[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }

    private static double[] concatenateDoubles(List<double[]> parts, int length) {
        double[] out = new double[length];
        int at = 0;
        for (double[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }

    /**
     * Energies, forces and (for graphs with a cell volume) stress of a batch of graphs.
     *
     * @param graph   the atoms and edges of every structure in the batch
     * @param weights this model's {@link #weights(double[])}
     * @return one evaluation per graph, in order
     */
    public List<Evaluation> evaluate(Graph graph, Weights weights) {
        return run(Numbers.FLOAT64, graph, weights, "Mace.evaluate");
    }

    /**
     * {@link #evaluate(List, Weights)} in float32, as mace-torch's model in {@code float32} computes: the kernels'
     * float overloads (generated with {@code precision = FLOAT}), on weights rounded once to float. What stays in
     * double: the edge vectors and lengths, the radial basis (rounded once to float), and the sums of the
     * per-atom readout energies into node and structure energies and of the per-edge gradients into forces and stress
     * (cheap sums that float would make depend on the structure's size without making anything faster).
     *
     * @throws IllegalArgumentException naming the first structure with an element the model does not know
     * @throws UnsupportedOperationException if the kernels were generated without {@code precision = FLOAT}
     */
    public List<Evaluation> evaluateFloat32(List<Structure> structures, Weights weights) {
        if (structures == null) {
            throw new IllegalArgumentException("structures is null");
        }
        return evaluateFloat32(graph(structures), weights);
    }

    /** {@link #evaluate(Graph, Weights)} in float32, as {@link #evaluateFloat32(List, Weights)} describes. */
    public List<Evaluation> evaluateFloat32(Graph graph, Weights weights) {
        return run(Numbers.FLOAT32, graph, weights, "Mace.evaluateFloat32");
    }

    private <A> List<Evaluation> run(Numbers<A> numbers, Graph graph, Weights weights, String where) {
        if (graph == null || weights == null || weights.owner != ranges) {
            throw new IllegalArgumentException(where + ": expected a graph and this model's weights, got "
                    + (graph == null ? "no graph" : "a graph") + " and "
                    + (weights == null ? "null" : "another model's weights"));
        }
        return new Pass<>(numbers, graph, weights).run();
    }

    /**
     * The loss of this model on {@code batch} and its gradient with respect to the flat parameters, exact to rounding
     * (second derivatives through the forces and stress, as mace-torch's training takes them from autograd). Entries
     * that mace-torch keeps as buffers, not parameters (atomic energies, the radial basis' weights, the distance
     * transform's and the ZBL repulsion's constants and covalent radii, scale, shift), get 0, so
     * {@link dev.e3j.runtime.optim.Adam} without weight decay leaves them as they are. The structures are evaluated
     * as one batch; the cost is that of ten to twenty evaluations.
     *
     * @param batch   structures with reference energies, forces and (optionally) stress
     * @param weights this model's {@link #weights(double[])}
     * @param loss    the loss
     * @throws IllegalArgumentException for a missing argument, another model's weights, or an element the model
     *                                  does not know
     */
    public LossGradient lossGradient(List<TrainingStructure> batch, Weights weights, EnergyForceLoss loss) {
        if (batch == null || batch.isEmpty() || weights == null || weights.owner != ranges || loss == null) {
            throw new IllegalArgumentException("Mace.lossGradient: expected a non-empty batch, this model's weights "
                    + "and a loss, got " + (batch == null ? "no batch" : batch.size() + " structures") + ", "
                    + (weights == null ? "no weights" : weights.owner != ranges ? "another model's weights"
                    : "weights") + " and " + (loss == null ? "no loss" : "a loss"));
        }
        List<Structure> structures = new ArrayList<>(batch.size());
        for (int g = 0; g < batch.size(); g++) {
            if (batch.get(g) == null) {
                throw new IllegalArgumentException("Mace.lossGradient: batch[" + g + "] is null");
            }
            structures.add(batch.get(g).structure());
        }
        Pass<double[]> pass = new Pass<>(Numbers.FLOAT64, graph(structures), weights);
        List<Evaluation> evaluations = pass.run();
        EnergyForceLoss.Derivatives derivatives = loss.derivatives(batch, evaluations);
        double[] gradient = new MaceLossGradient(this, pass).gradient(derivatives.energy(), derivatives.forces(),
                derivatives.stress());
        return new LossGradient(derivatives.value(), gradient, evaluations);
    }

    /**
     * A loss, its gradient and the predictions it was computed from.
     *
     * @param loss        the loss
     * @param gradient    its gradient with respect to the flat parameters ({@link #parameterCount()} values)
     * @param evaluations the model's energies, forces and stress on each structure of the batch
     */
    public record LossGradient(double loss, double[] gradient, List<Evaluation> evaluations) {
    }

    /**
     * This architecture with {@code weights}, as a potential (for example after training, to run molecular dynamics
     * with it).
     *
     * @throws IllegalArgumentException if {@code weights} are another model's
     */
    public InteratomicPotential potential(Weights weights) {
        if (weights == null || weights.owner != ranges) {
            throw new IllegalArgumentException("Mace.potential: expected this model's weights, got "
                    + (weights == null ? "null" : "another model's weights"));
        }
        return new InteratomicPotential() {
            @Override
            public double rMax() {
                return Mace.this.rMax();
            }

            @Override
            public int[] atomicNumbers() {
                return Mace.this.atomicNumbers();
            }

            @Override
            public Evaluation evaluate(Structure structure) {
                if (structure == null) {
                    throw new IllegalArgumentException("structure is null");
                }
                return Mace.this.evaluate(List.of(structure), weights).get(0);
            }

            @Override
            public List<Evaluation> evaluate(List<Structure> structures) {
                return Mace.this.evaluate(structures, weights);
            }

            @Override
            public String toString() {
                return (scaleShift ? "ScaleShiftMACE" : "MACE") + " (" + interactions.size() + " interactions, "
                        + parameterCount() + " parameters)";
            }
        };
    }

    /** A model's flat parameters and each kernel's weights cut from them once. Immutable. */
    public static final class Weights {
        private final double[] flat;
        private final List<int[]> owner;
        private final Map<Long, double[]> slices = new HashMap<>();
        /** The slices rounded to float32, made on first use. */
        private final Map<Long, Object> rounded = new ConcurrentHashMap<>();
        /** One element's skip-product weights ({@link OneElementSkip}), per precision, made on first use. */
        private final Map<List<Object>, Object> elementSlices = new ConcurrentHashMap<>();

        private Weights(double[] params, List<int[]> ranges) {
            this.flat = params.clone();
            this.owner = ranges;
            for (int[] range : ranges) {
                slices.put(key(range[0], range[1]), Arrays.copyOfRange(flat, range[0], range[0] + range[1]));
            }
        }

        private static long key(int offset, int length) {
            return (long) offset << 32 | length;
        }

        /**
         * The registered weights of {@code length} at {@code offset} in the arrays of {@code numbers} (shared, never
         * written): float32's rounded once, on first use.
         */
        @SuppressWarnings("unchecked")
        private <A> A slice(Numbers<A> numbers, int offset, int length) {
            long key = key(offset, length);
            if (numbers == Numbers.FLOAT64) {
                return (A) slices.get(key);
            }
            return (A) rounded.computeIfAbsent(key, k -> numbers.round(flat, offset, offset + length));
        }

        /**
         * The one-element skip product's weights of {@code element} (shared, never written), from the dense skip
         * product's weights at {@code offset}, in the arrays of {@code numbers}; made on first use.
         */
        @SuppressWarnings("unchecked")
        <A> A elementSlice(Numbers<A> numbers, OneElementSkip skip, int offset, int element) {
            return (A) elementSlices.computeIfAbsent(List.of(numbers == Numbers.FLOAT64, offset, element), k -> {
                double[] values = skip.weightsOf(flat, offset, element);
                return numbers == Numbers.FLOAT64 ? values : numbers.round(values, 0, values.length);
            });
        }

        /** A copy of the flat parameters. */
        public double[] parameters() {
            return flat.clone();
        }
    }

    /**
     * The atoms and edges of a batch of structures, concatenated.
     *
     * @param elements  each atom's 0-based element index
     * @param positions {@code [n][3]}
     * @param graphOf   each atom's structure, non-decreasing from 0
     * @param senders   each edge's sender atom
     * @param receivers each edge's receiver atom
     * @param shifts    each edge's periodic shift ({@code [edges][3]}): the vector is
     *                  {@code positions[receiver] - positions[sender] + shift}
     * @param volumes   each structure's cell volume, NaN without a cell (then no stress)
     */
    public record Graph(int[] elements, double[] positions, int[] graphOf, int[] senders, int[] receivers,
                        double[] shifts, double[] volumes) {

        /** Checks the lengths and indices. */
        public Graph {
            int n = elements.length;
            int edges = senders.length;
            if (positions.length != 3 * n || graphOf.length != n || receivers.length != edges
                    || shifts.length != 3 * edges) {
                throw new IllegalArgumentException("Mace.Graph: expected positions [" + n + "][3], graphOf [" + n
                        + "], receivers [" + edges + "] and shifts [" + edges + "][3], got lengths "
                        + positions.length + ", " + graphOf.length + ", " + receivers.length + ", " + shifts.length);
            }
            for (int e = 0; e < edges; e++) {
                if (senders[e] < 0 || senders[e] >= n || receivers[e] < 0 || receivers[e] >= n) {
                    throw new IllegalArgumentException("Mace.Graph: edge " + e + " joins atoms " + senders[e]
                            + " and " + receivers[e] + ", expected atoms in [0, " + n + ")");
                }
            }
            for (int i = 0; i < n; i++) {
                if (graphOf[i] < 0 || graphOf[i] >= volumes.length) {
                    throw new IllegalArgumentException("Mace.Graph: atom " + i + " is in structure " + graphOf[i]
                            + ", expected one of [0, " + volumes.length + ")");
                }
            }
        }

        int numNodes() {
            return elements.length;
        }

        int numEdges() {
            return senders.length;
        }

        int numGraphs() {
            return volumes.length;
        }
    }

    /**
     * One forward and backward pass over a graph: the intermediates the backward pass reuses.
     *
     * <p>The edges are put in receiver order (stable: each receiver's edges keep their order) and cut into blocks of
     * whole receivers, {@link #EDGES_PER_BLOCK} edges or more each. Each block runs the edge work of an interaction
     * fused, in arrays of its own size that stay in cache: gather of the senders' features, radial MLP, edge tensor
     * product, and the sum into its own receivers' messages (so blocks never write the same node); the backward pass
     * runs the same blocks in reverse. The blocks depend on the graph alone and every sum runs in a fixed order, so
     * the results are the same bits however many threads run the blocks.
     *
     * <p>The network (features, messages, radial MLPs, every kernel and their gradients) computes in the arrays of
     * {@code numbers}; the geometry (edge vectors and lengths, the radial basis and its derivative) is computed in
     * double and rounded once, and the node energies, energies, forces and stress are summed in double from the
     * network's per-node and per-edge values.
     *
     * @param <A> {@code double[]} or {@code float[]}
     */
    final class Pass<A> {
        final Numbers<A> numbers;
        final Graph graph;
        final Weights weights;
        final double[] params;
        final int n;
        final int edges;
        final A oneHot;
        /** Senders and receivers in receiver order. */
        final int[] senders;
        final int[] receivers;
        /** {@code blockStart[b]}: the first edge of block b; the last entry is the number of edges. */
        final int[] blockStart;
        /** The edges out of node {@code i} are {@code bySender[senderStart[i] .. senderStart[i + 1])}, in order. */
        final int[] senderStart;
        final int[] bySender;
        final double[] vectors;
        final double[] lengths;
        final A harmonics;
        final A edgeFeats;
        final double[] edgeFeatDerivatives;
        /** Each edge's ZBL energy and its derivative in the length (zeros without pair repulsion). */
        final double[] pairEnergies;
        final double[] pairDerivatives;
        final int harmonicsDim;
        final int numBessel;
        /** {@code features.get(t)}: the input of interaction t; the last entry is the last product's output. */
        final List<A> features = new ArrayList<>();
        final List<A> skips = new ArrayList<>();
        final List<A> ups = new ArrayList<>();
        /** Each interaction's radial MLP and its trace (whose output is the product weights). */
        final List<RadialMlp<A>> radialMlps = new ArrayList<>();
        final List<RadialMlp<A>.Trace> radialTraces = new ArrayList<>();
        final List<A> messages = new ArrayList<>();
        final List<A> mixed = new ArrayList<>();
        /** The symmetric contractions' inputs and outputs. */
        final List<A> contractionInputs = new ArrayList<>();
        final List<A> contractionOutputs = new ArrayList<>();
        /** A non-linear readout's first linear output, null for linear readouts. */
        final List<A> readoutHidden = new ArrayList<>();
        /** Scratches no edge block is using ({@link #forEachBlock(ScratchBlock)}). */
        private final ConcurrentLinkedQueue<Scratch<A>> idleScratch = new ConcurrentLinkedQueue<>();

        Pass(Numbers<A> numbers, Graph graph, Weights weights) {
            this.numbers = numbers;
            this.graph = graph;
            this.weights = weights;
            this.params = weights.flat;
            this.n = graph.numNodes();
            this.edges = graph.numEdges();
            int elements = atomicNumbers.length;
            double[] oneHotValues = new double[n * elements];
            for (int i = 0; i < n; i++) {
                oneHotValues[i * elements + graph.elements()[i]] = 1.0;
            }
            this.oneHot = numbers.round(oneHotValues, 0, oneHotValues.length);
            int[] receiverStart = new int[n + 1];
            int[] order = groupBy(graph.receivers(), n, receiverStart);
            this.senders = new int[edges];
            this.receivers = new int[edges];
            for (int e = 0; e < edges; e++) {
                senders[e] = graph.senders()[order[e]];
                receivers[e] = graph.receivers()[order[e]];
            }
            this.blockStart = blocks(receiverStart);
            this.senderStart = new int[n + 1];
            this.bySender = groupBy(senders, n, senderStart);
            this.harmonicsDim = edgeHarmonics.irrepsOut().dim();
            this.numBessel = radial.numBessel();
            this.vectors = new double[3 * edges];
            this.lengths = new double[edges];
            this.harmonics = numbers.zeros(edges * harmonicsDim);
            this.edgeFeats = numbers.zeros(edges * numBessel);
            this.edgeFeatDerivatives = new double[edges * numBessel];
            this.pairEnergies = new double[edges];
            this.pairDerivatives = new double[edges];
            double[] besselWeights = weights.slice(Numbers.FLOAT64, besselOffset, numBessel);
            forEachBlock((block, from, to) -> embedEdges(from, to, order, besselWeights));
        }

        /** Edge vectors, lengths, harmonics and radial embedding of edges {@code from .. to}. */
        private void embedEdges(int from, int to, int[] order, double[] besselWeights) {
            double[] pos = graph.positions();
            double[] shifts = graph.shifts();
            for (int e = from; e < to; e++) {
                int s = senders[e];
                int r = receivers[e];
                int original = order[e];
                for (int c = 0; c < 3; c++) {
                    vectors[3 * e + c] = pos[3 * r + c] - pos[3 * s + c] + shifts[3 * original + c];
                }
                double x = vectors[3 * e];
                double y = vectors[3 * e + 1];
                double z = vectors[3 * e + 2];
                lengths[e] = Math.sqrt(x * x + y * y + z * z);
            }
            int count = to - from;
            A blockHarmonics = numbers.zeros(count * harmonicsDim);
            numbers.forward(edgeHarmonics, count, numbers.round(vectors, 3 * from, 3 * to), blockHarmonics);
            System.arraycopy(blockHarmonics, 0, harmonics, from * harmonicsDim, count * harmonicsDim);
            double[] feats = new double[count * numBessel];
            double[] derivatives = new double[count * numBessel];
            double[] blockLengths = Arrays.copyOfRange(lengths, from, to);
            double[] transformed = null;
            if (distanceTransform != null) {
                transformed = new double[3 * count];
                distanceTransform.apply(count, blockLengths, radii(transformRadiiOffset, senders, from, to),
                        radii(transformRadiiOffset, receivers, from, to),
                        Arrays.copyOfRange(params, transformOffset, transformOffset + distanceTransform.constantCount()),
                        transformed);
            }
            if (pairRepulsion) {
                double[] energies = new double[count];
                double[] slopes = new double[count];
                ZblRepulsion.edges(count, blockLengths, atomicNumbersOf(senders, from, to),
                        atomicNumbersOf(receivers, from, to),
                        radii(pairRadiiOffset, senders, from, to), radii(pairRadiiOffset, receivers, from, to),
                        Arrays.copyOfRange(params, pairOffset, pairOffset + ZblRepulsion.CONSTANTS), energies, slopes);
                System.arraycopy(energies, 0, pairEnergies, from, count);
                System.arraycopy(slopes, 0, pairDerivatives, from, count);
            }
            radial.forward(count, blockLengths, transformed, besselWeights, feats, derivatives, null);
            System.arraycopy(numbers.round(feats, 0, feats.length), 0, edgeFeats, from * numBessel, feats.length);
            System.arraycopy(derivatives, 0, edgeFeatDerivatives, from * numBessel, derivatives.length);
        }

        /** The atomic numbers of the atoms {@code ends[from .. to)} (an edge's senders or receivers). */
        private int[] atomicNumbersOf(int[] ends, int from, int to) {
            int[] z = new int[to - from];
            for (int e = from; e < to; e++) {
                z[e - from] = atomicNumbers[graph.elements()[ends[e]]];
            }
            return z;
        }

        /** The covalent radii, a table in the flat parameters at {@code offset}, of the atoms {@code ends[from .. to)}. */
        private double[] radii(int offset, int[] ends, int from, int to) {
            double[] radii = new double[to - from];
            for (int e = from; e < to; e++) {
                radii[e - from] = params[offset + atomicNumbers[graph.elements()[ends[e]]]];
            }
            return radii;
        }

        /**
         * Runs every edge block once, in parallel; {@code index} is the block's number. The blocks are the parallel
         * work: each runs in one thread, its kernels' own blocks in order ({@link BatchBlocks#serially}), without a
         * fork and join of their own inside a task that the pool already runs.
         */
        void forEachBlock(BatchBlocks.Block body) {
            forEachBlock((index, from, to, scratch) -> body.run(index, from, to));
        }

        /** {@link #forEachBlock(BatchBlocks.Block)} with a {@link Scratch} of the block's own while it runs. */
        void forEachBlock(ScratchBlock<A> body) {
            int count = blockStart.length - 1;
            BatchBlocks.run(count, 1, (first, from, to) -> {
                for (int block = from; block < to; block++) {
                    int index = block;
                    Scratch<A> scratch = idleScratch.poll();
                    Scratch<A> taken = scratch != null ? scratch : new Scratch<>(numbers);
                    BatchBlocks.serially(() -> body.run(index, blockStart[index], blockStart[index + 1], taken));
                    idleScratch.offer(taken);
                }
            });
        }

        A slice(int offset, int length) {
            return weights.slice(numbers, offset, length);
        }

        A linearWeights(LinearKernel kernel, int offset) {
            return slice(offset, kernel.weightNumel());
        }

        /**
         * Runs {@code body} once for every block of {@link #NODES_PER_BLOCK} nodes, in parallel, each block in one
         * thread with its kernels' own blocks in order ({@link BatchBlocks#serially}): the node work between two edge
         * passes (linears, skip products, symmetric contractions, readouts and their backward passes) as one parallel
         * step. Every node's values are computed from its own rows, so the results do not depend on the blocks.
         */
        void forEachNodeBlock(BatchBlocks.Block body) {
            BatchBlocks.run(n, NODES_PER_BLOCK,
                    (index, from, to) -> BatchBlocks.serially(() -> body.run(index, from, to)));
        }

        /**
         * {@code skip_tp(x, one-hot)} on nodes {@code from .. to} ({@code x}: their rows): through the one-element
         * product, one call per element present, where the model has it ({@link OneElementSkip}), else the dense
         * product over the one-hot rows.
         */
        A skip(Interaction block, int from, int to, A x) {
            TensorProductKernel dense = block.skipTp();
            int inDim = dense.irrepsIn1().dim();
            int outDim = dense.irrepsOut().dim();
            int count = to - from;
            A out = numbers.zeros(count * outDim);
            OneElementSkip oneElement = block.oneElementSkip();
            if (oneElement == null) {
                numbers.forward(dense, count, x, rows(oneHot, atomicNumbers.length, from, to),
                        slice(block.skipOffset(), dense.weightNumel()), out);
                return out;
            }
            for (int[] nodes : byElement(from, to)) {
                int element = graph.elements()[from + nodes[0]];
                A weightsOfElement = weights.elementSlice(numbers, oneElement, block.skipOffset(), element);
                if (nodes.length == count) {
                    numbers.forward(oneElement.single(), count, x, ones(count), weightsOfElement, out);
                    continue;
                }
                A y = numbers.zeros(nodes.length * outDim);
                numbers.forward(oneElement.single(), nodes.length, gather(x, inDim, nodes), ones(nodes.length),
                        weightsOfElement, y);
                scatter(y, outDim, nodes, out);
            }
            return out;
        }

        /** The gradient of {@link #skip}'s input rows {@code x} from its output's, {@code gradOut}. */
        private A skipBackward(Interaction block, int from, int to, A x, A gradOut) {
            TensorProductKernel dense = block.skipTp();
            int inDim = dense.irrepsIn1().dim();
            int outDim = dense.irrepsOut().dim();
            int count = to - from;
            A gradX = numbers.zeros(count * inDim);
            OneElementSkip oneElement = block.oneElementSkip();
            if (oneElement == null) {
                numbers.backward(dense, count, x, rows(oneHot, atomicNumbers.length, from, to),
                        slice(block.skipOffset(), dense.weightNumel()), gradOut, gradX, null, null);
                return gradX;
            }
            for (int[] nodes : byElement(from, to)) {
                int element = graph.elements()[from + nodes[0]];
                A weightsOfElement = weights.elementSlice(numbers, oneElement, block.skipOffset(), element);
                if (nodes.length == count) {
                    numbers.backward(oneElement.single(), count, x, ones(count), weightsOfElement, gradOut, gradX,
                            null, null);
                    continue;
                }
                A g = numbers.zeros(nodes.length * inDim);
                numbers.backward(oneElement.single(), nodes.length, gather(x, inDim, nodes), ones(nodes.length),
                        weightsOfElement, gather(gradOut, outDim, nodes), g, null, null);
                scatter(g, inDim, nodes, gradX);
            }
            return gradX;
        }

        /** Nodes {@code from .. to} by element, as offsets from {@code from}: one array per element present. */
        List<int[]> byElement(int from, int to) {
            int[] elements = graph.elements();
            int[] counts = new int[atomicNumbers.length];
            for (int i = from; i < to; i++) {
                counts[elements[i]]++;
            }
            List<int[]> groups = new ArrayList<>();
            int[][] byElement = new int[atomicNumbers.length][];
            for (int e = 0; e < counts.length; e++) {
                if (counts[e] > 0) {
                    byElement[e] = new int[counts[e]];
                    counts[e] = 0;
                }
            }
            for (int i = from; i < to; i++) {
                int e = elements[i];
                if (counts[e] == 0) {
                    groups.add(byElement[e]);
                }
                byElement[e][counts[e]++] = i - from;
            }
            return groups;
        }

        /** A column of {@code count} ones: the one-element product's second input. */
        A ones(int count) {
            A ones = numbers.zeros(count);
            numbers.fill(ones, 1.0);
            return ones;
        }

        /** Rows {@code nodes} of {@code x} ({@code [rows][width]}), in that order. */
        A gather(A x, int width, int[] nodes) {
            A out = numbers.zeros(nodes.length * width);
            for (int r = 0; r < nodes.length; r++) {
                System.arraycopy(x, nodes[r] * width, out, r * width, width);
            }
            return out;
        }

        /** Writes row r of {@code rows} ({@code [nodes.length][width]}) into row {@code nodes[r]} of {@code out}. */
        void scatter(A rows, int width, int[] nodes, A out) {
            for (int r = 0; r < nodes.length; r++) {
                System.arraycopy(rows, r * width, out, nodes[r] * width, width);
            }
        }

        /** A copy of rows {@code from .. to} of {@code nodes} ({@code [n][width]}). */
        A rows(A nodes, int width, int from, int to) {
            return numbers.copyOfRange(nodes, from * width, to * width);
        }

        /** Writes {@code block} ({@code [rows][width]}) into {@code nodes} ({@code [n][width]}) from row {@code from}. */
        void putRows(A block, A nodes, int width, int from) {
            System.arraycopy(block, 0, nodes, from * width, numbers.length(block));
        }

        /** {@code kernel} applied to the {@code count} rows of {@code x}. */
        private A apply(LinearKernel kernel, int offset, int count, A x) {
            A out = numbers.zeros(count * kernel.irrepsOut().dim());
            numbers.forward(kernel, count, x, linearWeights(kernel, offset),
                    slice(offset + kernel.weightNumel(), kernel.biasNumel()), out);
            return out;
        }

        /** The gradient of {@link #apply}'s input from its output's, {@code count} rows. */
        private A applyBackward(LinearKernel kernel, int offset, int count, A x, A gradOut) {
            A gradX = numbers.zeros(count * kernel.irrepsIn().dim());
            numbers.backward(kernel, count, x, slice(offset, kernel.weightNumel()), gradOut, gradX);
            return gradX;
        }

        /** Rows {@code index[from .. to)} of {@code nodes} ({@code [n][width]}), {@code [to - from][width]}. */
        A gather(A nodes, int width, int[] index, int from, int to) {
            return gather(nodes, width, index, from, to, numbers.zeros((to - from) * width));
        }

        /** {@link #gather(Object, int, int[], int, int)} into {@code out}; returns {@code out}. */
        A gather(A nodes, int width, int[] index, int from, int to, A out) {
            for (int e = from; e < to; e++) {
                System.arraycopy(nodes, index[e] * width, out, (e - from) * width, width);
            }
            return out;
        }

        /** Edge rows {@code from .. to} of {@code perEdge} ({@code [edges][width]}) copied into {@code out}. */
        A edgeRows(A perEdge, int width, int from, int to, A out) {
            System.arraycopy(perEdge, from * width, out, 0, (to - from) * width);
            return out;
        }

        /**
         * The forward and backward passes and the energies, forces and stress. Between two edge passes the node work
         * runs as one parallel step over blocks of nodes ({@link #forEachNodeBlock}): the work after one
         * interaction's messages (its linear, product and readout) and before the next one's (its skip product and
         * linear_up), and in the backward pass the same in reverse.
         */
        List<Evaluation> run() {
            int layers = interactions.size();
            int embeddingDim = nodeEmbedding.irrepsOut().dim();
            double[] nodeInter = new double[n];
            // mace-torch adds the pair energies first, then each readout's
            for (int e = 0; e < edges; e++) {
                nodeInter[receivers[e]] += pairEnergies[e];
            }
            features.add(numbers.zeros(n * embeddingDim));
            keepBeforeMessages(0);
            forEachNodeBlock((index, from, to) -> {
                A h = apply(nodeEmbedding, embeddingOffset, to - from, rows(oneHot, atomicNumbers.length, from, to));
                putRows(h, features.get(0), embeddingDim, from);
                beforeMessages(0, from, to, h);
            });
            for (int t = 0; t < layers; t++) {
                int layer = t;
                messages.add(edgeMessages(interactions.get(t), ups.get(t)));
                keepAfterMessages(t);
                if (t + 1 < layers) {
                    keepBeforeMessages(t + 1);
                }
                forEachNodeBlock((index, from, to) -> {
                    A h = afterMessages(layer, from, to, nodeInter);
                    if (layer + 1 < layers) {
                        beforeMessages(layer + 1, from, to, h);
                    }
                });
            }
            double scale = scaleShift ? params[scaleOffset] : 1.0;
            double shift = scaleShift ? params[shiftOffset] : 0.0;
            int graphs = graph.numGraphs();
            double[] energy = new double[graphs];
            double[] nodeEnergies = new double[n];
            for (int i = 0; i < n; i++) {
                double e0 = params[atomicEnergiesOffset + graph.elements()[i]];
                nodeEnergies[i] = e0 + (scaleShift ? scale * nodeInter[i] + shift : nodeInter[i]);
            }
            // mace-torch sums E0 and the interaction energies over each graph separately, then adds them.
            double[] e0Sum = new double[graphs];
            double[] interSum = new double[graphs];
            for (int i = 0; i < n; i++) {
                e0Sum[graph.graphOf()[i]] += params[atomicEnergiesOffset + graph.elements()[i]];
                interSum[graph.graphOf()[i]] += scaleShift ? scale * nodeInter[i] + shift : nodeInter[i];
            }
            for (int g = 0; g < graphs; g++) {
                energy[g] = e0Sum[g] + interSum[g];
            }
            double[] gradVectors = backward(scale);
            double[] forces = new double[3 * n];
            double[][] virials = new double[graphs][9];
            for (int e = 0; e < edges; e++) {
                int s = senders[e];
                int r = receivers[e];
                double[] virial = virials[graph.graphOf()[r]];
                for (int c = 0; c < 3; c++) {
                    double g = gradVectors[3 * e + c];
                    forces[3 * r + c] -= g;
                    forces[3 * s + c] += g;
                    for (int a = 0; a < 3; a++) {
                        virial[3 * a + c] += vectors[3 * e + a] * g;
                    }
                }
            }
            List<Evaluation> results = new ArrayList<>(graphs);
            int start = 0;
            for (int g = 0; g < graphs; g++) {
                int end = start;
                while (end < n && graph.graphOf()[end] == g) {
                    end++;
                }
                double volume = graph.volumes()[g];
                double[] stress = null;
                if (!Double.isNaN(volume)) {
                    stress = new double[9];
                    for (int a = 0; a < 3; a++) {
                        for (int c = 0; c < 3; c++) {
                            stress[3 * a + c] = 0.5 * (virials[g][3 * a + c] + virials[g][3 * c + a]) / volume;
                        }
                    }
                }
                results.add(new Evaluation(energy[g], Arrays.copyOfRange(nodeEnergies, start, end),
                        Arrays.copyOfRange(forces, 3 * start, 3 * end), stress));
                start = end;
            }
            return results;
        }

        /** Adds interaction t's node arrays that {@link #beforeMessages} fills: its skip product and linear_up. */
        private void keepBeforeMessages(int t) {
            Interaction block = interactions.get(t);
            skips.add(block.residual() ? numbers.zeros(n * block.skipTp().irrepsOut().dim()) : null);
            ups.add(numbers.zeros(n * block.linearUp().irrepsOut().dim()));
        }

        /**
         * Interaction t's node work before its edges on nodes {@code from .. to}, whose input rows are {@code h}: the
         * residual skip product and linear_up.
         */
        private void beforeMessages(int t, int from, int to, A h) {
            Interaction block = interactions.get(t);
            int count = to - from;
            if (block.residual()) {
                putRows(skip(block, from, to, h), skips.get(t), block.skipTp().irrepsOut().dim(), from);
            }
            putRows(apply(block.linearUp(), block.linearUpOffset(), count, h), ups.get(t),
                    block.linearUp().irrepsOut().dim(), from);
        }

        /** Adds interaction t's node arrays that {@link #afterMessages} fills, its output among them. */
        private void keepAfterMessages(int t) {
            Interaction block = interactions.get(t);
            SymmetricContractionKernel contraction = products.get(t).contraction();
            Readout readout = readouts.get(t);
            mixed.add(block.residual() ? null : numbers.zeros(n * block.linear().irrepsOut().dim()));
            contractionInputs.add(numbers.zeros(n * contraction.irrepsIn().dim()));
            contractionOutputs.add(numbers.zeros(n * contraction.irrepsOut().dim()));
            features.add(numbers.zeros(n * products.get(t).linear().irrepsOut().dim()));
            readoutHidden.add(readout.nonLinear() ? numbers.zeros(n * readout.linear1().irrepsOut().dim()) : null);
        }

        /**
         * Interaction t's node work after its edges on nodes {@code from .. to}: the linear of the messages, the
         * skip product (plain form), the product block (plus the residual skip) and the readout, whose node
         * energies are added to {@code nodeInter}; returns the rows of the interaction's output.
         */
        private A afterMessages(int t, int from, int to, double[] nodeInter) {
            Interaction block = interactions.get(t);
            Product product = products.get(t);
            int count = to - from;
            A a = apply(block.linear(), block.linearOffset(), count,
                    rows(messages.get(t), block.linear().irrepsIn().dim(), from, to));
            numbers.divide(a, avgNumNeighbors);
            if (!block.residual()) {
                putRows(a, mixed.get(t), block.linear().irrepsOut().dim(), from);
                a = skip(block, from, to, a);
            }
            SymmetricContractionKernel contraction = product.contraction();
            A b = numbers.zeros(count * contraction.irrepsOut().dim());
            numbers.forward(contraction, count, a, Arrays.copyOfRange(graph.elements(), from, to),
                    slice(product.contractionOffset(), contraction.weightNumel()), b);
            putRows(a, contractionInputs.get(t), contraction.irrepsIn().dim(), from);
            putRows(b, contractionOutputs.get(t), contraction.irrepsOut().dim(), from);
            A next = apply(product.linear(), product.linearOffset(), count, b);
            if (block.residual()) {
                numbers.add(next, rows(skips.get(t), block.skipTp().irrepsOut().dim(), from, to));
            }
            putRows(next, features.get(t + 1), product.linear().irrepsOut().dim(), from);
            A energies = readout(t, from, to, next);
            for (int i = from; i < to; i++) {
                nodeInter[i] += numbers.get(energies, i - from);
            }
            return next;
        }

        /**
         * {@code message[r] = sum_{e into r} conv_tp(up[s_e], Y_e, MLP(R_e))}, {@code [n][mid]}: fused per edge
         * block, each block summing its edges into its own receivers in edge order (each receiver's row written
         * once: its edges are consecutive and in one block).
         */
        private A edgeMessages(Interaction block, A up) {
            int upDim = block.linearUp().irrepsOut().dim();
            int midDim = block.convTp().irrepsOut().dim();
            RadialMlp<A> mlp = new RadialMlp<>(numbers, block.radialMlp(), block.radialActivation(),
                    weights.slice(Numbers.FLOAT64, block.radialOffset(), block.radialMlp().parameterCount()));
            RadialMlp<A>.Trace trace = mlp.trace(edges);
            radialMlps.add(mlp);
            radialTraces.add(trace);
            A message = numbers.zeros(n * midDim);
            forEachBlock((index, from, to, scratch) -> {
                int count = to - from;
                A tpWeights = mlp.forward(trace, edgeRows(edgeFeats, numBessel, from, to,
                        scratch.array(Scratch.EDGE_FEATS, count * numBessel)), from, to);
                A out = scratch.array(Scratch.MESSAGES, count * midDim);
                numbers.forward(block.convTp(), count,
                        gather(up, upDim, senders, from, to, scratch.array(Scratch.SENDER_FEATS, count * upDim)),
                        edgeRows(harmonics, harmonicsDim, from, to,
                                scratch.array(Scratch.HARMONICS, count * harmonicsDim)), tpWeights, out);
                A sum = scratch.array(Scratch.RECEIVER_SUM, midDim);
                A row = scratch.array(Scratch.EDGE_ROW, midDim);
                for (int first = from; first < to; ) {
                    int receiver = receivers[first];
                    int end = first + 1;
                    while (end < to && receivers[end] == receiver) {
                        end++;
                    }
                    numbers.sumRows(out, midDim, first - from, end - from, message, receiver * midDim, sum, row);
                    first = end;
                }
            });
            return message;
        }

        /**
         * The readout's energies of nodes {@code from .. to}, whose features are {@code h}; a non-linear readout's
         * hidden layer is kept for the backward pass.
         */
        private A readout(int t, int from, int to, A h) {
            Readout readout = readouts.get(t);
            int count = to - from;
            A first = apply(readout.linear1(), readout.offset1(), count, h);
            if (!readout.nonLinear()) {
                return first;
            }
            putRows(first, readoutHidden.get(t), readout.linear1().irrepsOut().dim(), from);
            return apply(readout.linear2(), readout.offset2(), count, activate(readout, count, first));
        }

        /** A non-linear readout's activation of its hidden layer {@code first} ({@code [count][hidden]}). */
        private A activate(Readout readout, int count, A first) {
            A out = numbers.copyOfRange(first, 0, count * readout.linear1().irrepsOut().dim());
            if (readout.activation() != null) {
                numbers.values(readout.activation(), first, out);
            }
            return out;
        }

        /**
         * dE/d(edge vector) for every edge, in receiver order; {@code scale} is d(node energy)/d(sum of readouts).
         * The first interaction's gradient with respect to its input features is not computed: the node embedding
         * depends on the elements alone.
         */
        private double[] backward(double scale) {
            int layers = interactions.size();
            A gradHarmonics = numbers.zeros(edges * harmonicsDim);
            A gradEdgeFeats = numbers.zeros(edges * numBessel);
            List<A> gradOutputs = new ArrayList<>(layers);
            List<A> gradMessages = new ArrayList<>(layers);
            for (int t = 0; t < layers; t++) {
                Interaction block = interactions.get(t);
                gradOutputs.add(block.residual()
                        ? numbers.zeros(n * products.get(t).linear().irrepsOut().dim()) : null);
                gradMessages.add(numbers.zeros(n * block.linear().irrepsIn().dim()));
            }
            forEachNodeBlock((index, from, to) -> afterMessagesBackward(layers - 1, from, to, null, scale,
                    gradOutputs.get(layers - 1), gradMessages.get(layers - 1)));
            for (int t = layers - 1; t >= 0; t--) {
                int layer = t;
                A gradSenderUp = edgeMessagesBackward(t, gradMessages.get(t), gradHarmonics, gradEdgeFeats, t > 0);
                if (t > 0) {
                    forEachNodeBlock((index, from, to) -> afterMessagesBackward(layer - 1, from, to,
                            beforeMessagesBackward(layer, from, to, gradSenderUp, gradOutputs.get(layer)), scale,
                            gradOutputs.get(layer - 1), gradMessages.get(layer - 1)));
                }
            }
            double[] gradVectors = new double[3 * edges];
            forEachBlock((index, from, to) -> {
                int count = to - from;
                A gradBlock = numbers.zeros(3 * count);
                numbers.backward(edgeHarmonics, count, numbers.round(vectors, 3 * from, 3 * to),
                        numbers.copyOfRange(gradHarmonics, from * harmonicsDim, to * harmonicsDim), gradBlock);
                for (int e = from; e < to; e++) {
                    double gradLength = scale * pairDerivatives[e];
                    for (int k = 0; k < numBessel; k++) {
                        gradLength += numbers.get(gradEdgeFeats, e * numBessel + k)
                                * edgeFeatDerivatives[e * numBessel + k];
                    }
                    double inverse = gradLength / lengths[e];
                    for (int c = 0; c < 3; c++) {
                        gradVectors[3 * e + c] = numbers.get(gradBlock, 3 * (e - from) + c)
                                + inverse * vectors[3 * e + c];
                    }
                }
            });
            return gradVectors;
        }

        /**
         * The backward pass of {@link #afterMessages} on nodes {@code from .. to}: {@code gradH}, the gradient of
         * interaction t's output rows from the interactions after it (null for the last), is added to its readout's
         * (of node energies scaled by {@code scale}); the sum goes into {@code gradOutput} where the residual skip
         * product needs it, and the gradient of the messages into {@code gradMessage}.
         */
        private void afterMessagesBackward(int t, int from, int to, A gradH, double scale, A gradOutput,
                                           A gradMessage) {
            Interaction block = interactions.get(t);
            Product product = products.get(t);
            Readout readout = readouts.get(t);
            int count = to - from;
            int width = product.linear().irrepsOut().dim();
            A h = rows(features.get(t + 1), width, from, to);
            A gradEnergy = numbers.zeros(count);
            numbers.fill(gradEnergy, scale);
            A gradReadout;
            if (readout.nonLinear()) {
                int hiddenDim = readout.linear1().irrepsOut().dim();
                A first = rows(readoutHidden.get(t), hiddenDim, from, to);
                A activated = activate(readout, count, first);
                A gradActivated = applyBackward(readout.linear2(), readout.offset2(), count, activated, gradEnergy);
                if (readout.activation() != null) {
                    A derivative = numbers.zeros(count * hiddenDim);
                    numbers.derivatives(readout.activation(), first, derivative);
                    numbers.multiply(gradActivated, derivative, 0, count * hiddenDim);
                }
                gradReadout = applyBackward(readout.linear1(), readout.offset1(), count, h, gradActivated);
            } else {
                gradReadout = applyBackward(readout.linear1(), readout.offset1(), count, h, gradEnergy);
            }
            A gradOut = gradReadout;
            if (gradH != null) {
                numbers.add(gradH, gradReadout);
                gradOut = gradH;
            }
            if (gradOutput != null) {
                putRows(gradOut, gradOutput, width, from);
            }
            SymmetricContractionKernel contraction = product.contraction();
            A gradB = applyBackward(product.linear(), product.linearOffset(), count,
                    rows(contractionOutputs.get(t), contraction.irrepsOut().dim(), from, to), gradOut);
            A gradA = numbers.zeros(count * contraction.irrepsIn().dim());
            numbers.backward(contraction, count, rows(contractionInputs.get(t), contraction.irrepsIn().dim(), from, to),
                    Arrays.copyOfRange(graph.elements(), from, to),
                    slice(product.contractionOffset(), contraction.weightNumel()), gradB, gradA);
            if (!block.residual()) {
                gradA = skipBackward(block, from, to, rows(mixed.get(t), block.linear().irrepsOut().dim(), from, to),
                        gradA);
            }
            numbers.divide(gradA, avgNumNeighbors);
            int midDim = block.linear().irrepsIn().dim();
            putRows(applyBackward(block.linear(), block.linearOffset(), count, rows(messages.get(t), midDim, from, to),
                    gradA), gradMessage, midDim, from);
        }

        /**
         * The backward pass of {@link #beforeMessages} on nodes {@code from .. to}: returns the gradient of
         * interaction t's input rows from its linear_up (whose gradient is each node's sum of {@code gradSenderUp}
         * over the edges it sends) and its residual skip product ({@code gradOutput}: the gradient of its output).
         */
        private A beforeMessagesBackward(int t, int from, int to, A gradSenderUp, A gradOutput) {
            Interaction block = interactions.get(t);
            int count = to - from;
            int upDim = block.linearUp().irrepsOut().dim();
            A gradUp = numbers.zeros(count * upDim);
            sumBySender(gradSenderUp, upDim, from, to, gradUp, from);
            A h = rows(features.get(t), block.linearUp().irrepsIn().dim(), from, to);
            A gradH = applyBackward(block.linearUp(), block.linearUpOffset(), count, h, gradUp);
            if (block.residual()) {
                numbers.add(gradH, skipBackward(block, from, to, h,
                        rows(gradOutput, block.skipTp().irrepsOut().dim(), from, to)));
            }
            return gradH;
        }

        /**
         * The backward pass of {@link #edgeMessages}, per edge block: adds the edges' harmonics and radial-feature
         * gradients and, if {@code senderGradient}, returns each edge's gradient of its sender's row of {@code up}
         * ({@code [edges][up]}, in receiver order), else null. The product's backward computes that gradient either
         * way: its kernel computes the three gradients in one pass per path, and without the first it takes other
         * methods, which sum in another order (other bits) and pass over the edges twice.
         */
        private A edgeMessagesBackward(int t, A gradMessage, A gradHarmonics, A gradEdgeFeats,
                                       boolean senderGradient) {
            Interaction block = interactions.get(t);
            int upDim = block.linearUp().irrepsOut().dim();
            int midDim = block.convTp().irrepsOut().dim();
            A up = ups.get(t);
            RadialMlp<A> mlp = radialMlps.get(t);
            RadialMlp<A>.Trace trace = radialTraces.get(t);
            A gradSenderUp = senderGradient ? numbers.zeros(edges * upDim) : null;
            forEachBlock((index, from, to, scratch) -> {
                int count = to - from;
                A gradX1 = scratch.array(Scratch.GRAD_SENDER_FEATS, count * upDim);
                A gradX2 = scratch.array(Scratch.GRAD_HARMONICS, count * harmonicsDim);
                A gradWeights = scratch.array(Scratch.GRAD_WEIGHTS, count * mlp.outputDim());
                numbers.backward(block.convTp(), count,
                        gather(up, upDim, senders, from, to, scratch.array(Scratch.SENDER_FEATS, count * upDim)),
                        edgeRows(harmonics, harmonicsDim, from, to,
                                scratch.array(Scratch.HARMONICS, count * harmonicsDim)),
                        trace.output(from, to), gather(gradMessage, midDim, receivers, from, to,
                                scratch.array(Scratch.MESSAGES, count * midDim)), gradX1, gradX2, gradWeights);
                if (senderGradient) {
                    System.arraycopy(gradX1, 0, gradSenderUp, from * upDim, count * upDim);
                }
                numbers.addRow(gradHarmonics, from * harmonicsDim, gradX2, 0, count * harmonicsDim);
                A gradFeats = scratch.array(Scratch.EDGE_FEATS, count * numBessel);
                mlp.backward(trace, from, to, gradWeights, gradFeats);
                numbers.addRow(gradEdgeFeats, from * numBessel, gradFeats, 0, count * numBessel);
            });
            return gradSenderUp;
        }

        /** {@code [n][width]}: each node's sum of the rows of {@code perEdge} ({@code [edges][width]}) it sends. */
        A sumBySender(A perEdge, int width) {
            A sums = numbers.zeros(n * width);
            BatchBlocks.run(n, NODES_PER_BLOCK, (index, from, to) -> sumBySender(perEdge, width, from, to, sums, 0));
            return sums;
        }

        /**
         * Adds to row {@code i - first} of {@code sums} the rows of {@code perEdge} ({@code [edges][width]}) that
         * node i sends, in order, for the nodes {@code from .. to}.
         */
        private void sumBySender(A perEdge, int width, int from, int to, A sums, int first) {
            for (int i = from; i < to; i++) {
                for (int k = senderStart[i]; k < senderStart[i + 1]; k++) {
                    numbers.addRow(sums, (i - first) * width, perEdge, bySender[k] * width, width);
                }
            }
        }
    }

    /** The work of one edge block with a scratch of its own ({@link Pass#forEachBlock(ScratchBlock)}). */
    @FunctionalInterface
    interface ScratchBlock<A> {
        /** Runs block {@code index}, edges {@code from} (inclusive) to {@code to} (exclusive). */
        void run(int index, int from, int to, Scratch<A> scratch);
    }

    /**
     * The arrays an edge block computes in and nothing keeps after it (the block's gathered inputs, the messages of
     * its edges, their gradients), by use, reused by the next block that takes this scratch when that block asks for
     * a length it holds: blocks of whole receivers often hold the same few numbers of edges (in a crystal most atoms
     * have the same neighbours), so each use keeps the arrays of its {@link #LENGTHS} most recent lengths; another
     * length is made anew, as without a scratch. A pass hands each scratch to one block at a time, so blocks running
     * in parallel, or a block that a thread runs while it waits inside another, never share one. Contents on return
     * are unspecified: every use overwrites its array.
     */
    static final class Scratch<A> {
        static final int EDGE_FEATS = 0;
        static final int SENDER_FEATS = 1;
        static final int HARMONICS = 2;
        /** The edges' messages in the forward pass, their gradients (the receivers' rows) in the backward pass. */
        static final int MESSAGES = 3;
        static final int GRAD_SENDER_FEATS = 4;
        static final int GRAD_HARMONICS = 5;
        static final int GRAD_WEIGHTS = 6;
        /** A receiver's sum of its edges' messages ({@link Numbers#sumRows}). */
        static final int RECEIVER_SUM = 7;
        /** One edge's message, copied to be added ({@link Numbers#sumRows}). */
        static final int EDGE_ROW = 8;
        private static final int USES = 9;
        /** Arrays kept per use, of distinct lengths, the most recently used first. */
        private static final int LENGTHS = 4;

        private final Numbers<A> numbers;
        private final List<List<A>> arrays = new ArrayList<>(USES);

        Scratch(Numbers<A> numbers) {
            this.numbers = numbers;
            for (int use = 0; use < USES; use++) {
                arrays.add(new ArrayList<>(LENGTHS));
            }
        }

        /** An array of {@code use}, {@code length} long, contents unspecified. */
        A array(int use, int length) {
            List<A> kept = arrays.get(use);
            for (int i = 0; i < kept.size(); i++) {
                A array = kept.get(i);
                if (numbers.length(array) == length) {
                    kept.add(0, kept.remove(i));
                    return array;
                }
            }
            if (kept.size() == LENGTHS) {
                kept.remove(LENGTHS - 1);
            }
            A array = numbers.zeros(length);
            kept.add(0, array);
            return array;
        }
    }

    /** The edges grouped by {@code node[e]} (a stable counting sort), with each group's start in {@code start}. */
    private static int[] groupBy(int[] node, int numNodes, int[] start) {
        for (int i : node) {
            start[i + 1]++;
        }
        for (int i = 0; i < numNodes; i++) {
            start[i + 1] += start[i];
        }
        int[] next = Arrays.copyOf(start, numNodes);
        int[] order = new int[node.length];
        for (int e = 0; e < node.length; e++) {
            order[next[node[e]]++] = e;
        }
        return order;
    }

    /**
     * Edge blocks of whole receivers, as even as whole receivers allow: {@code edges / EDGES_PER_BLOCK} blocks (at
     * least one), block b ending at the receiver boundary nearest to {@code (b + 1) edges / blocks}; returns each
     * block's first edge and, last, the number of edges (no block without edges). (Blocks that each took receivers until they held
     * {@link #EDGES_PER_BLOCK} edges left a 64-atom cell nine blocks of seven receivers and one of one: five of
     * seven on one thread, four on the other.) They depend on the graph alone.
     */
    static int[] blocks(int[] receiverStart) {
        int nodes = receiverStart.length - 1;
        int edges = receiverStart[nodes];
        if (edges == 0) {
            return new int[] {0};
        }
        int wanted = Math.max(1, edges / EDGES_PER_BLOCK);
        int[] starts = new int[wanted + 1];
        int count = 1;
        int node = 0;
        for (int b = 1; b < wanted; b++) {
            long target = (long) b * edges / wanted;
            while (node < nodes && receiverStart[node + 1] <= target) {
                node++;
            }
            int below = receiverStart[node];
            int above = receiverStart[Math.min(node + 1, nodes)];
            int end = target - below <= above - target ? below : above;
            if (end > starts[count - 1] && end < edges) {
                starts[count++] = end;
            }
        }
        starts[count++] = edges;
        return Arrays.copyOf(starts, count);
    }

    /** The blocks of a MACE model in order: interaction, product and readout for each layer. */
    public static final class Builder {
        private final SphericalHarmonicsKernel edgeHarmonics;
        private final LinearKernel nodeEmbedding;
        private double rMax = Double.NaN;
        private int numBessel;
        private int numPolynomialCutoff;
        private RadialEmbedding.Basis radialBasis = RadialEmbedding.Basis.BESSEL;
        private DistanceTransform distanceTransform;
        private boolean pairRepulsion;
        private int[] atomicNumbers = new int[0];
        private double avgNumNeighbors = Double.NaN;
        private int[] radialMlp = {64, 64, 64};
        private boolean scaleShift;
        private final List<InteractionKernels> interactions = new ArrayList<>();
        private final List<ProductKernels> products = new ArrayList<>();
        private final List<ReadoutKernels> readouts = new ArrayList<>();

        private record InteractionKernels(boolean residual, LinearKernel linearUp, TensorProductKernel convTp,
                                          LinearKernel linear, TensorProductKernel skipTp,
                                          TensorProductKernel skipTpOneElement) {
        }

        private record ProductKernels(SymmetricContractionKernel contraction, LinearKernel linear) {
        }

        private record ReadoutKernels(LinearKernel linear1, ScalarFunction gate, LinearKernel linear2) {
        }

        private Builder(SphericalHarmonicsKernel edgeHarmonics, LinearKernel nodeEmbedding) {
            this.edgeHarmonics = edgeHarmonics;
            this.nodeEmbedding = nodeEmbedding;
        }

        /** The radial embedding: cutoff radius, number of Bessel functions and the cutoff polynomial's degree. */
        public Builder radial(double rMax, int numBessel, int numPolynomialCutoff) {
            this.rMax = rMax;
            this.numBessel = numBessel;
            this.numPolynomialCutoff = numPolynomialCutoff;
            return this;
        }

        /** The radial basis ({@code radial_type}; Bessel unless set). */
        public Builder radialBasis(RadialEmbedding.Basis basis) {
            this.radialBasis = requireNonNull(basis, "radialBasis");
            return this;
        }

        /** The transform of the lengths the radial basis sees ({@code distance_transform}), or null for none. */
        public Builder distanceTransform(DistanceTransform transform) {
            this.distanceTransform = transform;
            return this;
        }

        /** Whether the model adds the ZBL pair repulsion ({@code pair_repulsion}). */
        public Builder pairRepulsion(boolean pairRepulsion) {
            this.pairRepulsion = pairRepulsion;
            return this;
        }

        /** The elements, in the order of the one-hot encoding. */
        public Builder atomicNumbers(int... atomicNumbers) {
            this.atomicNumbers = atomicNumbers.clone();
            return this;
        }

        /** The number the aggregated messages are divided by. */
        public Builder avgNumNeighbors(double avgNumNeighbors) {
            if (!(avgNumNeighbors > 0 && avgNumNeighbors < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("avgNumNeighbors: expected a finite value > 0, got "
                        + avgNumNeighbors);
            }
            this.avgNumNeighbors = avgNumNeighbors;
            return this;
        }

        /** The hidden widths of every interaction's radial MLP ({@code conv_tp_weights}). */
        public Builder radialMlp(int... widths) {
            this.radialMlp = widths.clone();
            return this;
        }

        /** Whether the model is a {@code ScaleShiftMACE} (node interaction energies scaled and shifted). */
        public Builder scaleShift(boolean scaleShift) {
            this.scaleShift = scaleShift;
            return this;
        }

        /**
         * The next interaction: {@code RealAgnosticInteractionBlock} ({@code residual} false: {@code skipTp} mixes
         * the message with the element) or {@code RealAgnosticResidualInteractionBlock} ({@code residual} true:
         * {@code skipTp} of the input features is the product's residual).
         */
        public Builder interaction(boolean residual, LinearKernel linearUp, TensorProductKernel convTp,
                                   LinearKernel linear, TensorProductKernel skipTp) {
            interactions.add(new InteractionKernels(residual, requireNonNull(linearUp, "linearUp"),
                    requireNonNull(convTp, "convTp"), requireNonNull(linear, "linear"),
                    requireNonNull(skipTp, "skipTp"), null));
            return this;
        }

        /**
         * {@link #interaction(boolean, LinearKernel, TensorProductKernel, LinearKernel, TensorProductKernel)} with
         * {@code skipTpOneElement}, the skip product with the second input {@code 1x0e} instead of the one-hot
         * {@code Nx0e} (same first input and output): the model then computes each node's skip product with its
         * element's weights alone, N times fewer operations than over the one-hot vector, with the same results up to
         * rounding. Generated {@code @Mace} models pass it when they have more than one element.
         */
        public Builder interaction(boolean residual, LinearKernel linearUp, TensorProductKernel convTp,
                                   LinearKernel linear, TensorProductKernel skipTp,
                                   TensorProductKernel skipTpOneElement) {
            interactions.add(new InteractionKernels(residual, requireNonNull(linearUp, "linearUp"),
                    requireNonNull(convTp, "convTp"), requireNonNull(linear, "linear"),
                    requireNonNull(skipTp, "skipTp"), requireNonNull(skipTpOneElement, "skipTpOneElement")));
            return this;
        }

        /**
         * The next {@code EquivariantProductBasisBlock}: {@code linear(contraction(A))}, plus the interaction's
         * residual when it is a residual interaction (mace-torch's {@code use_sc} with a non-null {@code sc}).
         */
        public Builder product(SymmetricContractionKernel contraction, LinearKernel linear) {
            products.add(new ProductKernels(requireNonNull(contraction, "contraction"),
                    requireNonNull(linear, "linear")));
            return this;
        }

        /** The next readout: a {@code LinearReadoutBlock}. */
        public Builder linearReadout(LinearKernel linear) {
            readouts.add(new ReadoutKernels(requireNonNull(linear, "linear"), null, null));
            return this;
        }

        /**
         * The next readout: a {@code NonLinearReadoutBlock}, {@code linear2(gate(linear1(h)))}; a {@code null} gate
         * is MACE's {@code None} (identity).
         */
        public Builder nonLinearReadout(LinearKernel linear1, ScalarFunction gate, LinearKernel linear2) {
            readouts.add(new ReadoutKernels(requireNonNull(linear1, "linear1"), gate,
                    requireNonNull(linear2, "linear2")));
            return this;
        }

        private static <T> T requireNonNull(T value, String name) {
            if (value == null) {
                throw new IllegalArgumentException("Mace.Builder: " + name + " must not be null");
            }
            return value;
        }

        /**
         * The architecture; {@code activationConstants} maps module names to e3nn's {@code normalize2mom}
         * constants (those missing use e3j's own).
         *
         * @throws IllegalArgumentException if the blocks do not chain or a setting is missing
         */
        public Mace build(Map<String, Double> activationConstants) {
            if (activationConstants == null) {
                throw new IllegalArgumentException("activationConstants is null");
            }
            if (atomicNumbers.length == 0) {
                throw new IllegalArgumentException("atomicNumbers: expected at least one element, got none");
            }
            if (Double.isNaN(avgNumNeighbors)) {
                throw new IllegalArgumentException("avgNumNeighbors: expected a value, got none");
            }
            return new Mace(this, activationConstants);
        }
    }
}
