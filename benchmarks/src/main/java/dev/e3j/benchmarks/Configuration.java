package dev.e3j.benchmarks;

import dev.e3j.annotations.CgConvention;
import dev.e3j.annotations.Layout;
import dev.e3j.annotations.Precision;
import dev.e3j.annotations.ShNormalization;
import dev.e3j.annotations.TensorProduct;
import dev.e3j.processor.model.InvalidSpecException;
import dev.e3j.processor.model.PathModel;
import dev.e3j.processor.model.PathSpec;
import dev.e3j.processor.model.SphericalHarmonicsModel;
import dev.e3j.processor.model.SymmetricContractionModel;
import dev.e3j.processor.model.SymmetricContractionSpec;
import dev.e3j.processor.model.TensorProductModel;
import dev.e3j.processor.model.TensorProductModels;
import dev.e3j.processor.model.TensorProductSpec;
import dev.e3j.runtime.SphericalHarmonicsKernel;
import dev.e3j.runtime.SymmetricContractionKernel;
import dev.e3j.runtime.TensorProductKernel;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The standard configurations of shared/bench/README.md and those of the model issues (a gate-points convolution's
 * product, MACE's interaction product and its symmetric contraction): the kernel spec, the batch, the exact model
 * (for {@link FlopCount}) and the definition the peers build the same operation from ({@link PeerConfigurations}).
 */
enum Configuration {
    NEQUIP_WATER_UVU("nequip-water-uvu", 20000, BenchmarkKernels.NequipWater.class,
            BenchmarkKernels.NequipWaterIrMul.class,
            channelwise(BenchmarkKernels.NequipWater.IRREPS, "0e+1o", BenchmarkKernels.NequipWater.IRREPS)),
    REVMD17_TOLUENE_UVU("revmd17-toluene-uvu", 5000, BenchmarkKernels.Revmd17Toluene.class,
            BenchmarkKernels.Revmd17TolueneIrMul.class,
            channelwise(BenchmarkKernels.Revmd17Toluene.IRREPS, "0e+1o+2e", BenchmarkKernels.Revmd17Toluene.IRREPS)),
    MACE_MEDIUM_UVU("mace-medium-uvu", 2000, BenchmarkKernels.MaceMedium.class,
            BenchmarkKernels.MaceMediumIrMul.class,
            channelwise("128x0e+128x1o", "0e+1o+2e+3o", "128x0e+128x1o+128x2e")),
    TETRIS_POLY_1_UVW("tetris-poly-1-uvw", 20000, BenchmarkKernels.TetrisPoly1.class,
            BenchmarkKernels.TetrisPoly1IrMul.class,
            fullyConnected(BenchmarkKernels.TetrisPoly1.IRREPS_IN, BenchmarkKernels.TetrisPoly1.IRREPS_IN,
                    "64x0e+24x1e+24x1o+16x2e+16x2o", true)),
    DIFFDOCK_L1_UVW_PER_SAMPLE("diffdock-l1-uvw-per-sample", 5000, BenchmarkKernels.DiffdockL1.class,
            BenchmarkKernels.DiffdockL1IrMul.class,
            fullyConnected(BenchmarkKernels.DiffdockL1.IRREPS, "0e+1o", BenchmarkKernels.DiffdockL1.IRREPS, false)),
    /** e3j's own, not in shared/bench/README.md: the peers time it all the same. */
    FC_64_SHARED_UVW("fc-64-shared-uvw", 2000, BenchmarkKernels.Fc64Shared.class,
            BenchmarkKernels.Fc64SharedIrMul.class,
            fullyConnected(BenchmarkKernels.Fc64Shared.IRREPS, "0e+1o+2e", BenchmarkKernels.Fc64Shared.IRREPS, true)),
    /** gate_points-public's {@code layers.1.first.tp}, per edge ({@link BenchmarkKernels.GatePointsTp}). */
    GATE_POINTS_TP_UVU("gate-points-tp-uvu", 20000, BenchmarkKernels.GatePointsTp.class,
            BenchmarkKernels.GatePointsTpIrMul.class,
            channelwise(BenchmarkKernels.GatePointsTp.IN1, BenchmarkKernels.GatePointsTp.IN2,
                    BenchmarkKernels.GatePointsTp.MID, new int[][] {{0, 0, 0}, {0, 1, 3}, {0, 2, 11}, {1, 0, 4},
                        {1, 1, 1}, {1, 1, 7}, {1, 1, 12}, {1, 2, 5}, {1, 2, 9}, {2, 0, 13}, {2, 1, 6}, {2, 1, 10},
                        {2, 2, 2}, {2, 2, 8}, {2, 2, 14}})),
    /** MACE's {@code conv_tp} at MACE-MP medium's size, per edge ({@link BenchmarkKernels.MaceMediumConv}). */
    MACE_MEDIUM_CONV_UVU("mace-medium-conv-uvu", 2000, BenchmarkKernels.MaceMediumConv.class,
            BenchmarkKernels.MaceMediumConvIrMul.class,
            channelwise(BenchmarkKernels.MaceMediumConv.IN1, BenchmarkKernels.MaceMediumConv.IN2,
                    BenchmarkKernels.MaceMediumConv.MID, new int[][] {{0, 0, 0}, {1, 1, 1}, {0, 1, 2}, {1, 0, 3},
                        {1, 2, 4}, {0, 2, 5}, {1, 1, 6}, {1, 3, 7}, {0, 3, 8}, {1, 2, 9}})),
    /**
     * MACE-MP medium's symmetric contraction, per node ({@link BenchmarkKernels.MaceMediumProduct}), against
     * mace-torch, in both layouts (mace-torch takes {@code mul_ir}, so its time divides both rows).
     */
    MACE_MEDIUM_PRODUCT("mace-medium-product", 256, BenchmarkKernels.MaceMediumProduct.class,
            BenchmarkKernels.MaceMediumProductIrMul.class,
            new SymmetricContractionSpec(BenchmarkKernels.MaceMediumProduct.IN, BenchmarkKernels.MaceMediumProduct.OUT,
                    3, BenchmarkKernels.MaceMediumProduct.ELEMENTS, CgConvention.E3NN_0_4, Precision.FLOAT)),
    SH_LMAX3("sh-lmax3", 100000, BenchmarkKernels.ShLmax3.class, 3),
    SH_LMAX6("sh-lmax6", 100000, BenchmarkKernels.ShLmax6.class, 6);

    /** What a configuration computes, and so which peer times it. */
    enum Kind {
        /** A tensor product, timed by e3nn. */
        TENSOR_PRODUCT(Report.E3NN),
        /** MACE's symmetric contraction, timed by mace-torch. */
        SYMMETRIC_CONTRACTION(Report.MACE_TORCH),
        /** Spherical harmonics of vectors, timed by e3nn (and per point by sphericart). */
        SPHERICAL_HARMONICS(Report.E3NN);

        private final String peer;

        Kind(String peer) {
            this.peer = peer;
        }
    }

    private final String token;
    private final int batch;
    private final Class<?> spec;
    /** The same kernel with {@code layout = IR_MUL}, or null where there is none (the harmonics need none). */
    private final Class<?> irMulSpec;
    private final TensorProductSpec tensorProduct;
    private final SymmetricContractionSpec contraction;
    private final int lmax;
    /** The exact model's counts, computed on first use: a contraction's bases take seconds. */
    private FlopCount flops;
    private MemoryTraffic traffic;

    Configuration(String token, int batch, Class<?> spec, Class<?> irMulSpec, TensorProductSpec tensorProduct) {
        this(token, batch, spec, irMulSpec, tensorProduct, null, -1);
    }

    Configuration(String token, int batch, Class<?> spec, Class<?> irMulSpec, SymmetricContractionSpec contraction) {
        this(token, batch, spec, irMulSpec, null, contraction, -1);
    }

    Configuration(String token, int batch, Class<?> spec, int lmax) {
        this(token, batch, spec, null, null, null, lmax);
    }

    Configuration(String token, int batch, Class<?> spec, Class<?> irMulSpec, TensorProductSpec tensorProduct,
                  SymmetricContractionSpec contraction, int lmax) {
        this.token = token;
        this.batch = batch;
        this.spec = spec;
        this.irMulSpec = irMulSpec;
        this.tensorProduct = tensorProduct;
        this.contraction = contraction;
        this.lmax = lmax;
    }

    private static TensorProductSpec channelwise(String in1, String in2, String out) {
        TensorProductSpec defaults = TensorProductSpec.of(in1, in2, out, TensorProduct.Kind.CHANNELWISE);
        return withSharedWeights(defaults, false);
    }

    /** A {@code CUSTOM} product of weighted {@code uvu} paths {@code {in1, in2, out}}, weights per sample. */
    private static TensorProductSpec channelwise(String in1, String in2, String out, int[][] paths) {
        TensorProductSpec defaults = TensorProductSpec.of(in1, in2, out, TensorProduct.Kind.CUSTOM);
        List<PathSpec> uvu = Arrays.stream(paths).map(p -> new PathSpec(p[0], p[1], p[2], "uvu", true, "1")).toList();
        return new TensorProductSpec(in1, in2, out, TensorProduct.Kind.CUSTOM, uvu, defaults.irrepNormalization(),
                defaults.pathNormalization(), false, defaults.precision(), defaults.cgConvention());
    }

    private static TensorProductSpec fullyConnected(String in1, String in2, String out, boolean shared) {
        return withSharedWeights(TensorProductSpec.of(in1, in2, out, TensorProduct.Kind.FULLY_CONNECTED), shared);
    }

    private static TensorProductSpec withSharedWeights(TensorProductSpec spec, boolean shared) {
        return new TensorProductSpec(spec.in1(), spec.in2(), spec.out(), spec.kind(), spec.paths(),
                spec.irrepNormalization(), spec.pathNormalization(), shared, spec.precision(), spec.cgConvention());
    }

    /** The name used in the tables and in the JMH parameter {@code config}. */
    String token() {
        return token;
    }

    /** Samples per benchmark call: products' pairs (edges), contractions' nodes, harmonics' vectors. */
    int batch() {
        return batch;
    }

    Kind kind() {
        return tensorProduct != null ? Kind.TENSOR_PRODUCT
                : contraction != null ? Kind.SYMMETRIC_CONTRACTION : Kind.SPHERICAL_HARMONICS;
    }

    boolean isTensorProduct() {
        return kind() == Kind.TENSOR_PRODUCT;
    }

    /** The peer that times the same operation: {@link Report#E3NN} or {@link Report#MACE_TORCH}. */
    String peer() {
        return kind().peer;
    }

    /** The layouts e3j runs it in: {@code MUL_IR}, and {@code IR_MUL} where the kernel has that layout. */
    List<Layout> layouts() {
        return irMulSpec == null ? List.of(Layout.MUL_IR) : List.of(Layout.MUL_IR, Layout.IR_MUL);
    }

    static Configuration of(String token) {
        for (Configuration configuration : values()) {
            if (configuration.token.equals(token)) {
                return configuration;
            }
        }
        throw new IllegalArgumentException("unknown config " + token);
    }

    /**
     * What a peer needs to build the same operation, as one JSON object: the name, the batch, the layouts e3j runs,
     * and either
     * <ul>
     *   <li>the kind {@code uvu} (channel-wise) or {@code uvw} (fully connected), the irreps, whether the weights are
     *       shared and, for explicit instructions, {@code instructions}: {@code [i_in1, i_in2, i_out]} per weighted
     *       {@code uvu} path in e3nn's order;</li>
     *   <li>the kind {@code symmetric_contraction}, {@code irreps_in}, {@code irreps_out}, {@code correlation} and
     *       {@code elements} (mace-torch's constructor arguments);</li>
     *   <li>or the kind {@code spherical_harmonics} and {@code lmax} (l = 0..lmax, normalized vectors, component
     *       normalization).</li>
     * </ul>
     */
    String peerDefinition() {
        String head = String.format(Locale.ROOT, "{\"name\": \"%s\", \"batch\": %d, \"layouts\": [%s], ", token,
                batch, layouts().stream().map(layout -> "\"" + layout + "\"").collect(Collectors.joining(", ")));
        return head + switch (kind()) {
            case TENSOR_PRODUCT -> tensorProductDefinition();
            case SYMMETRIC_CONTRACTION -> String.format(Locale.ROOT, "\"kind\": \"symmetric_contraction\","
                            + " \"irreps_in\": \"%s\", \"irreps_out\": \"%s\", \"correlation\": %d, \"elements\": %d}",
                    contraction.in(), contraction.out(), contraction.correlation(), contraction.elements());
            case SPHERICAL_HARMONICS -> String.format(Locale.ROOT, "\"kind\": \"spherical_harmonics\", \"lmax\": %d}",
                    lmax);
        };
    }

    private String tensorProductDefinition() {
        String kind = switch (tensorProduct.kind()) {
            case CHANNELWISE, CUSTOM -> "uvu";
            case FULLY_CONNECTED -> "uvw";
            default -> throw new IllegalStateException(token + ": no peer definition for " + tensorProduct.kind());
        };
        String instructions = tensorProduct.kind() != TensorProduct.Kind.CUSTOM ? "" : tensorProduct.paths().stream()
                .map(path -> {
                    if (!path.mode().equals("uvu") || !path.weighted() || !path.pathWeight().equals("1")) {
                        throw new IllegalStateException(token + ": the peers build weighted uvu paths only, got "
                                + path);
                    }
                    return "[" + path.in1() + ", " + path.in2() + ", " + path.out() + "]";
                })
                .collect(Collectors.joining(", ", ", \"instructions\": [", "]"));
        return String.format(Locale.ROOT, "\"kind\": \"%s\", \"irreps_in1\": \"%s\", \"irreps_in2\": \"%s\","
                        + " \"irreps_out\": \"%s\", \"shared_weights\": %b%s}", kind, tensorProduct.in1(),
                tensorProduct.in2(), tensorProduct.out(), tensorProduct.sharedWeights(), instructions);
    }

    /** Useful operations per sample, from the exact model. */
    synchronized FlopCount flops() {
        if (flops == null) {
            flops = switch (kind()) {
                case TENSOR_PRODUCT -> FlopCount.of(tensorProductModel());
                case SYMMETRIC_CONTRACTION -> FlopCount.of(symmetricContractionModel());
                case SPHERICAL_HARMONICS -> FlopCount.of(sphericalHarmonicsModel());
            };
        }
        return flops;
    }

    /** Compulsory memory traffic per sample, from the same model. */
    synchronized MemoryTraffic traffic() {
        if (traffic == null) {
            traffic = switch (kind()) {
                case TENSOR_PRODUCT -> MemoryTraffic.of(tensorProductModel());
                case SYMMETRIC_CONTRACTION -> MemoryTraffic.of(symmetricContractionModel());
                case SPHERICAL_HARMONICS -> MemoryTraffic.of(sphericalHarmonicsModel());
            };
        }
        return traffic;
    }

    private TensorProductModel tensorProductModel() {
        try {
            return TensorProductModels.build(tensorProduct);
        } catch (InvalidSpecException e) {
            throw new IllegalStateException(token + ": " + e.getMessage(), e);
        }
    }

    private SymmetricContractionModel symmetricContractionModel() {
        try {
            return SymmetricContractionModel.build(contraction);
        } catch (InvalidSpecException e) {
            throw new IllegalStateException(token + ": " + e.getMessage(), e);
        }
    }

    private SphericalHarmonicsModel sphericalHarmonicsModel() {
        List<Integer> ls = IntStream.rangeClosed(0, lmax).boxed().toList();
        return SphericalHarmonicsModel.of(ls, ShNormalization.COMPONENT, true);
    }

    /** The model the flops come from, checked against the generated kernel so that the two cannot drift apart. */
    TensorProductKernel tensorProductKernel() {
        return tensorProductKernel(Layout.MUL_IR);
    }

    /**
     * {@link #tensorProductKernel()} with its features in {@code layout}; the kernel's irreps, weights and weighted
     * paths (e3nn's instructions, in order) must be the model's.
     */
    TensorProductKernel tensorProductKernel(Layout layout) {
        TensorProductKernel kernel = (TensorProductKernel) newKernel(specOf(layout));
        TensorProductModel model = tensorProductModel();
        List<List<Object>> modelPaths = model.paths().stream().filter(PathModel::weighted)
                .map(path -> List.<Object>of(path.in1(), path.in2(), path.out(), path.mode().token())).toList();
        List<List<Object>> kernelPaths = kernel.weightViews().stream()
                .map(view -> List.<Object>of(view.in1(), view.in2(), view.out(), view.mode())).toList();
        if (!model.irrepsIn1().equals(kernel.irrepsIn1()) || !model.irrepsIn2().equals(kernel.irrepsIn2())
                || !model.irrepsOut().equals(kernel.irrepsOut()) || model.weightNumel() != kernel.weightNumel()
                || model.sharedWeights() != kernel.sharedWeights() || !modelPaths.equals(kernelPaths)) {
            throw new IllegalStateException(token + ": the flop-count model differs from " + spec.getName());
        }
        return kernel;
    }

    /** The contraction in {@code layout}, checked against the model the flops come from. */
    SymmetricContractionKernel symmetricContractionKernel(Layout layout) {
        SymmetricContractionKernel kernel = (SymmetricContractionKernel) newKernel(specOf(layout));
        SymmetricContractionModel model = symmetricContractionModel();
        if (!model.irrepsIn().equals(kernel.irrepsIn()) || !model.irrepsOut().equals(kernel.irrepsOut())
                || model.correlation() != kernel.correlation() || model.elements() != kernel.elements()
                || model.weightNumel() != kernel.weightNumel()) {
            throw new IllegalStateException(token + ": the flop-count model differs from " + spec.getName());
        }
        return kernel;
    }

    SphericalHarmonicsKernel sphericalHarmonicsKernel() {
        SphericalHarmonicsKernel kernel = (SphericalHarmonicsKernel) newKernel(spec);
        if (kernel.irrepsOut().dim() != (lmax + 1) * (lmax + 1)) {
            throw new IllegalStateException(token + ": " + kernel.irrepsOut() + " is not l = 0.." + lmax);
        }
        return kernel;
    }

    private Class<?> specOf(Layout layout) {
        if (!layouts().contains(layout)) {
            throw new IllegalArgumentException(token + ": layout must be one of " + layouts() + ", got " + layout);
        }
        return layout == Layout.IR_MUL ? irMulSpec : spec;
    }

    /** {@code Outer.Spec} is implemented by the generated {@code Outer_SpecImpl}. */
    private Object newKernel(Class<?> spec) {
        String binary = spec.getName();
        String implementation = binary.substring(0, binary.lastIndexOf('.') + 1)
                + binary.substring(binary.lastIndexOf('.') + 1).replace('$', '_') + "Impl";
        try {
            return Class.forName(implementation).getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(token + ": no generated kernel " + implementation
                    + " (is the processor step for " + spec.getSimpleName() + " missing?)", e);
        }
    }
}
