package dev.e3j.benchmarks;

import dev.e3j.annotations.ShNormalization;
import dev.e3j.annotations.TensorProduct;
import dev.e3j.processor.model.InvalidSpecException;
import dev.e3j.processor.model.SphericalHarmonicsModel;
import dev.e3j.processor.model.TensorProductModel;
import dev.e3j.processor.model.TensorProductModels;
import dev.e3j.processor.model.TensorProductSpec;
import dev.e3j.processor.writer.NumberType;
import dev.e3j.runtime.SphericalHarmonicsKernel;
import dev.e3j.runtime.TensorProductKernel;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The standard configurations of shared/bench/README.md: the kernel spec, the batch, the exact model (for
 * {@link FlopCount}) and e3nn 0.5.4's timings on a 2-core machine of the same kind, copied from that README.
 */
enum Configuration {
    NEQUIP_WATER_UVU("nequip-water-uvu", 20000, BenchmarkKernels.NequipWater.class,
            channelwise(BenchmarkKernels.NequipWater.IRREPS, "0e+1o", BenchmarkKernels.NequipWater.IRREPS),
            115.6, 1147.8, 167.6, 744.0),
    REVMD17_TOLUENE_UVU("revmd17-toluene-uvu", 5000, BenchmarkKernels.Revmd17Toluene.class,
            channelwise(BenchmarkKernels.Revmd17Toluene.IRREPS, "0e+1o+2e", BenchmarkKernels.Revmd17Toluene.IRREPS),
            739.7, 5082.9, 971.1, 2822.1),
    MACE_MEDIUM_UVU("mace-medium-uvu", 2000, BenchmarkKernels.MaceMedium.class,
            channelwise("128x0e+128x1o", "0e+1o+2e+3o", "128x0e+128x1o+128x2e"),
            50.4, 177.2, 42.5, 117.0),
    TETRIS_POLY_1_UVW("tetris-poly-1-uvw", 20000, BenchmarkKernels.TetrisPoly1.class,
            fullyConnected(BenchmarkKernels.TetrisPoly1.IRREPS_IN, BenchmarkKernels.TetrisPoly1.IRREPS_IN,
                    "64x0e+24x1e+24x1o+16x2e+16x2o", true),
            408.0, 956.4, 181.4, 640.0),
    DIFFDOCK_L1_UVW_PER_SAMPLE("diffdock-l1-uvw-per-sample", 5000, BenchmarkKernels.DiffdockL1.class,
            fullyConnected(BenchmarkKernels.DiffdockL1.IRREPS, "0e+1o", BenchmarkKernels.DiffdockL1.IRREPS, false),
            103.4, 3548.4, 139.1, 1842.9),
    /** e3j's own: no e3nn timing in shared/bench, so no ratio. */
    FC_64_SHARED_UVW("fc-64-shared-uvw", 2000, BenchmarkKernels.Fc64Shared.class,
            fullyConnected(BenchmarkKernels.Fc64Shared.IRREPS, "0e+1o+2e", BenchmarkKernels.Fc64Shared.IRREPS, true),
            Double.NaN, Double.NaN, Double.NaN, Double.NaN),
    SH_LMAX3("sh-lmax3", 100000, BenchmarkKernels.ShLmax3.class, 3, 22.1, 47.5, 5.7, 15.9),
    SH_LMAX6("sh-lmax6", 100000, BenchmarkKernels.ShLmax6.class, 6, 73.1, 190.9, 27.6, 80.0);

    private final String token;
    private final int batch;
    private final Class<?> spec;
    private final TensorProductSpec tensorProduct;
    private final int lmax;
    private final double[] e3nnMilliseconds;

    Configuration(String token, int batch, Class<?> spec, TensorProductSpec tensorProduct, double... e3nn) {
        this(token, batch, spec, tensorProduct, -1, e3nn);
    }

    Configuration(String token, int batch, Class<?> spec, int lmax, double... e3nn) {
        this(token, batch, spec, null, lmax, e3nn);
    }

    Configuration(String token, int batch, Class<?> spec, TensorProductSpec tensorProduct, int lmax,
                  double[] e3nn) {
        this.token = token;
        this.batch = batch;
        this.spec = spec;
        this.tensorProduct = tensorProduct;
        this.lmax = lmax;
        this.e3nnMilliseconds = e3nn;
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

    /** e3nn's milliseconds for the whole batch, from shared/bench/README.md. */
    double e3nnMilliseconds(NumberType precision, Pass pass) {
        return e3nnMilliseconds[2 * precision.ordinal() + pass.ordinal()];
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
        TensorProductKernel kernel = (TensorProductKernel) newKernel();
        TensorProductModel model = tensorProductModel();
        if (!model.irrepsIn1().equals(kernel.irrepsIn1()) || !model.irrepsIn2().equals(kernel.irrepsIn2())
                || !model.irrepsOut().equals(kernel.irrepsOut()) || model.weightNumel() != kernel.weightNumel()
                || model.sharedWeights() != kernel.sharedWeights()) {
            throw new IllegalStateException(token + ": the flop-count model differs from " + spec.getName());
        }
        return kernel;
    }

    SphericalHarmonicsKernel sphericalHarmonicsKernel() {
        SphericalHarmonicsKernel kernel = (SphericalHarmonicsKernel) newKernel();
        if (kernel.irrepsOut().dim() != (lmax + 1) * (lmax + 1)) {
            throw new IllegalStateException(token + ": " + kernel.irrepsOut() + " is not l = 0.." + lmax);
        }
        return kernel;
    }

    /** {@code Outer.Spec} is implemented by the generated {@code Outer_SpecImpl}. */
    private Object newKernel() {
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
