package dev.e3j.benchmarks;

import dev.e3j.annotations.Layout;
import dev.e3j.annotations.ShNormalization;
import dev.e3j.annotations.TensorProduct;
import dev.e3j.processor.model.InvalidSpecException;
import dev.e3j.processor.model.SphericalHarmonicsModel;
import dev.e3j.processor.model.TensorProductModel;
import dev.e3j.processor.model.TensorProductModels;
import dev.e3j.processor.model.TensorProductSpec;
import dev.e3j.runtime.SphericalHarmonicsKernel;
import dev.e3j.runtime.TensorProductKernel;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * The standard configurations of shared/bench/README.md: the kernel spec, the batch, the exact model (for
 * {@link FlopCount}) and the definition the peers build the same operation from ({@link PeerConfigurations}).
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
    SH_LMAX3("sh-lmax3", 100000, BenchmarkKernels.ShLmax3.class, 3),
    SH_LMAX6("sh-lmax6", 100000, BenchmarkKernels.ShLmax6.class, 6);

    private final String token;
    private final int batch;
    private final Class<?> spec;
    /** The same product with {@code layout = IR_MUL}, or null for the harmonics (one channel: either layout). */
    private final Class<?> irMulSpec;
    private final TensorProductSpec tensorProduct;
    private final int lmax;

    Configuration(String token, int batch, Class<?> spec, Class<?> irMulSpec, TensorProductSpec tensorProduct) {
        this(token, batch, spec, irMulSpec, tensorProduct, -1);
    }

    Configuration(String token, int batch, Class<?> spec, int lmax) {
        this(token, batch, spec, null, null, lmax);
    }

    Configuration(String token, int batch, Class<?> spec, Class<?> irMulSpec, TensorProductSpec tensorProduct,
                  int lmax) {
        this.token = token;
        this.batch = batch;
        this.spec = spec;
        this.irMulSpec = irMulSpec;
        this.tensorProduct = tensorProduct;
        this.lmax = lmax;
    }

    private static TensorProductSpec channelwise(String in1, String in2, String out) {
        TensorProductSpec defaults = TensorProductSpec.of(in1, in2, out, TensorProduct.Kind.CHANNELWISE);
        return withSharedWeights(defaults, false);
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

    int batch() {
        return batch;
    }

    boolean isTensorProduct() {
        return tensorProduct != null;
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
     * What a peer needs to build the same operation, as one JSON object: the name, the batch, and either the kind
     * ({@code uvu} for channel-wise, {@code uvw} for fully connected products), the irreps and whether the weights
     * are shared, or the kind {@code spherical_harmonics} and {@code lmax} (l = 0..lmax, normalized vectors,
     * component normalization).
     */
    String peerDefinition() {
        if (!isTensorProduct()) {
            return String.format(Locale.ROOT, "{\"name\": \"%s\", \"batch\": %d, \"kind\": \"spherical_harmonics\","
                    + " \"lmax\": %d}", token, batch, lmax);
        }
        String kind = switch (tensorProduct.kind()) {
            case CHANNELWISE -> "uvu";
            case FULLY_CONNECTED -> "uvw";
            default -> throw new IllegalStateException(token + ": no peer definition for " + tensorProduct.kind());
        };
        return String.format(Locale.ROOT, "{\"name\": \"%s\", \"batch\": %d, \"kind\": \"%s\", \"irreps_in1\":"
                        + " \"%s\", \"irreps_in2\": \"%s\", \"irreps_out\": \"%s\", \"shared_weights\": %b}",
                token, batch, kind, tensorProduct.in1(), tensorProduct.in2(), tensorProduct.out(),
                tensorProduct.sharedWeights());
    }

    /** Useful operations per sample, from the exact model. */
    FlopCount flops() {
        return isTensorProduct() ? FlopCount.of(tensorProductModel()) : FlopCount.of(sphericalHarmonicsModel());
    }

    /** Compulsory memory traffic per sample, from the same model. */
    MemoryTraffic traffic() {
        return isTensorProduct() ? MemoryTraffic.of(tensorProductModel())
                : MemoryTraffic.of(sphericalHarmonicsModel());
    }

    private TensorProductModel tensorProductModel() {
        try {
            return TensorProductModels.build(tensorProduct);
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

    /** {@link #tensorProductKernel()} with its features in {@code layout}. */
    TensorProductKernel tensorProductKernel(Layout layout) {
        TensorProductKernel kernel = (TensorProductKernel) newKernel(layout == Layout.IR_MUL ? irMulSpec : spec);
        TensorProductModel model = tensorProductModel();
        if (!model.irrepsIn1().equals(kernel.irrepsIn1()) || !model.irrepsIn2().equals(kernel.irrepsIn2())
                || !model.irrepsOut().equals(kernel.irrepsOut()) || model.weightNumel() != kernel.weightNumel()
                || model.sharedWeights() != kernel.sharedWeights()) {
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
