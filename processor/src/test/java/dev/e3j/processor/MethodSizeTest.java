package dev.e3j.processor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.processor.testing.ClassFiles;
import dev.e3j.processor.testing.GeneratedKernels;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every generated method stays below HotSpot's 8000-byte limit for JIT compilation (huge methods are never JITed), and
 * every private one is called: no method is generated for a pass that runs another way.
 */
class MethodSizeTest {

    private static final int HUGE_METHOD_LIMIT = 8000;

    @Test
    void bigChannelwiseAndHighDegreeSpecsStayBelowTheJitLimit() {
        GeneratedKernels kernels = GeneratedKernels.compile("big.Specs", """
                package big;

                import dev.e3j.annotations.Path;
                import dev.e3j.annotations.Precision;
                import dev.e3j.annotations.TensorProduct;
                import dev.e3j.annotations.TensorProduct.Kind;
                import dev.e3j.runtime.TensorProductKernel;

                interface Specs {
                    @TensorProduct(in1 = "128x0e+128x1o", in2 = "0e+1o+2e+3o", out = "128x0e+128x1o+128x2e",
                                   kind = Kind.CHANNELWISE, sharedWeights = false, precision = Precision.FLOAT)
                    interface Conv extends TensorProductKernel {}

                    @TensorProduct(in1 = "2x5o", in2 = "5e", out = "2x5o", kind = Kind.CUSTOM,
                                   paths = @Path(in1 = 0, in2 = 0, out = 0, mode = "uvu"))
                    interface HighDegree extends TensorProductKernel {}

                    @TensorProduct(in1 = "0e+1o+2e+3o+4e+5o", in2 = "0e+1o+2e+3o+4e+5o",
                                   out = "0e+1o+2e+3o+4e+5o+1e+2o+3e+4o+5e")
                    interface ManyPaths extends TensorProductKernel {}
                }
                """);
        assertAllBelowTheLimit(kernels, 100);
    }

    /**
     * Specs at the high end of what users write: l = 5 paths (the fused backward of {@code uvuv} 5 x 5 -> 10), many
     * paths per block driver, and spherical harmonics up to l = 20, in double and float; products also in the
     * {@code IR_MUL} layout (whole-block transposes into {@code mul_ir} copies, split into parts when wide).
     */
    @Test
    void stressSpecsStayBelowTheJitLimit() {
        GeneratedKernels kernels = GeneratedKernels.compile("st.Stress", """
                package st;

                import dev.e3j.annotations.*;
                import dev.e3j.annotations.TensorProduct.Kind;
                import dev.e3j.runtime.*;

                public interface Stress {
                    @TensorProduct(in1 = "16x0e+16x1o+16x2e+16x3o+16x4e+16x5o", in2 = "0e+1o+2e+3o+4e+5o", out = "16x0e+16x1o+16x2e+16x3o+16x4e+16x5o+8x1e+8x2o", precision = Precision.FLOAT, sharedWeights = false)
                    interface Fc extends TensorProductKernel {}
                    @TensorProduct(in1 = "16x0e+16x1o+16x2e+16x3o+16x4e+16x5o", in2 = "0e+1o+2e+3o+4e+5o", out = "16x0e+16x1o+16x2e+16x3o+16x4e+16x5o+8x1e+8x2o", precision = Precision.FLOAT, sharedWeights = false, layout = Layout.IR_MUL)
                    interface FcIrMul extends TensorProductKernel {}
                    @TensorProduct(in1 = "16x0e+16x1o+16x2e+16x3o+16x4e+16x5o", in2 = "0e+1o+2e+3o+4e+5o", out = "16x0e+16x1o+16x2e+16x3o+16x4e+16x5o+16x1e+16x2o+16x3e", kind = Kind.CHANNELWISE, sharedWeights = false, precision = Precision.FLOAT)
                    interface Conv extends TensorProductKernel {}
                    @TensorProduct(in1 = "3x0e+3x1o+3x2e+3x3o+3x4e+3x5o", kind = Kind.SQUARE, out = "4x0e+4x1o+4x2e+4x3o+4x4e+4x5o+2x1e")
                    interface Sq extends TensorProductKernel {}
                    @TensorProduct(in1 = "3x0e+3x1o+3x2e+2x5o", kind = Kind.SQUARE)
                    interface Sq2 extends TensorProductKernel {}
                    @TensorProduct(in1 = "2x5o+2x4e", in2 = "1x5e+1x4o", kind = Kind.FULL, irrepNormalization = IrrepNormalization.NORM, pathNormalization = PathNormalization.PATH)
                    interface Full extends TensorProductKernel {}
                    @TensorProduct(in1 = "2x5o+2x4e", in2 = "2x5e+2x4o", kind = Kind.ELEMENTWISE)
                    interface Elem extends TensorProductKernel {}
                    @SphericalHarmonics(lmax = 20, precision = Precision.FLOAT)
                    interface Sh20 extends SphericalHarmonicsKernel {}
                    @SphericalHarmonics(ls = {11, 3, 11, 0}, normalization = ShNormalization.INTEGRAL, normalize = false)
                    interface ShMixed extends SphericalHarmonicsKernel {}
                    @TensorProduct(in1 = "2x0e+2x0o+2x1e+2x1o+2x2e+2x2o+2x3e+2x3o+2x4e+2x4o+2x5e+2x5o+2x6e+2x6o+2x7e+2x7o+2x8e+2x8o+2x9e+2x9o+2x10e+2x10o+2x11e+2x11o+2x12e+2x12o+2x13e+2x13o+2x14e+2x14o+2x15e+2x15o+2x16e+2x16o", in2 = "0e", out = "2x0e+2x0o+2x1e+2x1o+2x2e+2x2o+2x3e+2x3o+2x4e+2x4o+2x5e+2x5o+2x6e+2x6o+2x7e+2x7o+2x8e+2x8o+2x9e+2x9o+2x10e+2x10o+2x11e+2x11o+2x12e+2x12o+2x13e+2x13o+2x14e+2x14o+2x15e+2x15o+2x16e+2x16o", kind = Kind.CHANNELWISE, sharedWeights = false)
                    interface ChannelLastWide extends TensorProductKernel {}
                    @TensorProduct(in1 = "2x0e+2x0o+2x1e+2x1o+2x2e+2x2o+2x3e+2x3o+2x4e+2x4o+2x5e+2x5o+2x6e+2x6o+2x7e+2x7o+2x8e+2x8o+2x9e+2x9o+2x10e+2x10o+2x11e+2x11o+2x12e+2x12o+2x13e+2x13o+2x14e+2x14o+2x15e+2x15o+2x16e+2x16o", in2 = "0e", out = "2x0e+2x0o+2x1e+2x1o+2x2e+2x2o+2x3e+2x3o+2x4e+2x4o+2x5e+2x5o+2x6e+2x6o+2x7e+2x7o+2x8e+2x8o+2x9e+2x9o+2x10e+2x10o+2x11e+2x11o+2x12e+2x12o+2x13e+2x13o+2x14e+2x14o+2x15e+2x15o+2x16e+2x16o", kind = Kind.CHANNELWISE, sharedWeights = false, layout = Layout.IR_MUL)
                    interface ChannelLastWideIrMul extends TensorProductKernel {}
                    @Linear(in = "64x0e+64x1o+64x2e+64x3o+64x4e+64x5o", out = "64x0e+64x1o+64x2e+64x3o+64x4e+64x5o", biases = true, precision = Precision.FLOAT)
                    interface Lin extends LinearKernel {}
                    @Linear(in = "64x0e+64x1o+64x2e+64x3o", out = "64x0e+64x1o+64x2e+64x3o", sharedWeights = false, fIn = 2, fOut = 2, biases = true, precision = Precision.FLOAT)
                    interface LinPerSample extends LinearKernel {}
                    @Linear(in = "1x0e+1x0e+1x0e+1x0e+1x0e+1x0e+1x0e+1x0e+1x0e+1x0e", out = "1x0e+1x0e+1x0e+1x0e+1x0e+1x0e+1x0e+1x0e+1x0e+1x0e", sharedWeights = false, biases = true)
                    interface LinPerSampleManyPaths extends LinearKernel {}
                    @TensorProduct(in1 = "8x0e+8x1o+8x2e+8x3o+8x4e+8x5o", in2 = "0e+1o+2e+3o+4e+5o", out = "8x0e+8x1o+8x2e+8x3o+8x4e+8x5o", precision = Precision.FLOAT)
                    interface FcRows extends TensorProductKernel {}
                    @TensorProduct(in1 = "8x24e", in2 = "0e", out = "8x24e")
                    interface FcRowsManyComponents extends TensorProductKernel {}
                }
                """);
        assertAllBelowTheLimit(kernels, 100);
        assertDoubleBackwardMeasured(kernels, List.of("st.Stress_Sh20Impl", "st.Stress_ShMixedImpl",
                "st.Stress_LinImpl", "st.Stress_LinPerSampleImpl", "st.Stress_LinPerSampleManyPathsImpl"));
    }

    /**
     * {@code @Linear(layout = IR_MUL)}, whose rows are copied whole: 64 channels up to l = 5 with biases in float, and
     * per-sample weights with features and many short paths.
     */
    @Test
    void channelLastLinearStaysBelowTheJitLimit() {
        GeneratedKernels kernels = GeneratedKernels.compile("irmul.Specs", """
                package irmul;

                import dev.e3j.annotations.*;
                import dev.e3j.runtime.LinearKernel;

                interface Specs {
                    @Linear(in = "64x0e+64x1o+64x2e+64x3o+64x4e+64x5o", out = "64x0e+64x1o+64x2e+64x3o+64x4e+64x5o", biases = true, precision = Precision.FLOAT, layout = Layout.IR_MUL)
                    interface Lin extends LinearKernel {}
                    @Linear(in = "64x0e+64x1o+64x2e+64x3o", out = "64x0e+64x1o+64x2e+64x3o", sharedWeights = false, fIn = 2, fOut = 2, biases = true, precision = Precision.FLOAT, layout = Layout.IR_MUL)
                    interface LinPerSample extends LinearKernel {}
                    @Linear(in = "2x0e+2x0e+2x0e+2x0e+2x0e+2x0e+2x0e+2x0e+2x0e+2x1o", out = "3x0e+3x0e+3x0e+3x0e+3x0e+3x0e+3x0e+3x0e+3x0e+3x1o", sharedWeights = false, biases = true, layout = Layout.IR_MUL)
                    interface LinPerSampleManyPaths extends LinearKernel {}
                }
                """);
        assertAllBelowTheLimit(kernels, 30);
        assertDoubleBackwardMeasured(kernels, List.of("irmul.Specs_LinImpl", "irmul.Specs_LinPerSampleImpl",
                "irmul.Specs_LinPerSampleManyPathsImpl"));
    }

    /**
     * The fused double backward uses each CG term about seven times and writes several statements per output
     * component: l = 5 x 5 -> 0..10 paths in every weighted mode, per-sample and shared, and a weighted square, in
     * double and float, each method of them (and of the block drivers over 100+ paths) below the limit.
     */
    @Test
    void doubleBackwardOfHighDegreePathsStaysBelowTheJitLimit() {
        GeneratedKernels kernels = GeneratedKernels.compile("dbl.Specs", """
                package dbl;

                import dev.e3j.annotations.Path;
                import dev.e3j.annotations.Precision;
                import dev.e3j.annotations.TensorProduct;
                import dev.e3j.annotations.TensorProduct.Kind;
                import dev.e3j.runtime.TensorProductKernel;

                interface Specs {
                    @TensorProduct(in1 = "2x5o", in2 = "2x5e", out = "2x10o+2x9o+4x8o+2x5o+2x0o", kind = Kind.CUSTOM,
                                   sharedWeights = false, precision = Precision.FLOAT, paths = {
                                       @Path(in1 = 0, in2 = 0, out = 0, mode = "uvw"),
                                       @Path(in1 = 0, in2 = 0, out = 1, mode = "uvu"),
                                       @Path(in1 = 0, in2 = 0, out = 2, mode = "uvuv"),
                                       @Path(in1 = 0, in2 = 0, out = 3, mode = "uuw"),
                                       @Path(in1 = 0, in2 = 0, out = 4, mode = "uuu"),
                                       @Path(in1 = 0, in2 = 0, out = 0, mode = "u<vw")})
                    interface HighDegree extends TensorProductKernel {}

                    @TensorProduct(in1 = "0e+1o+2e+3o+4e+5o", in2 = "0e+1o+2e+3o+4e+5o",
                                   out = "0e+1o+2e+3o+4e+5o+1e+2o+3e+4o+5e", precision = Precision.FLOAT)
                    interface ManyPaths extends TensorProductKernel {}

                    @TensorProduct(in1 = "2x4e+2x5o", out = "2x0e+2x10e+2x9o", kind = Kind.SQUARE,
                                   precision = Precision.FLOAT)
                    interface Square extends TensorProductKernel {}
                }
                """);
        assertAllBelowTheLimit(kernels, 100);
    }

    /** The largest reduced tensor products e3j accepts: rank-6 Cartesian tensors (729 entries). */
    @Test
    void largestReducedTensorProductsStayBelowTheJitLimit() {
        GeneratedKernels kernels = GeneratedKernels.compile("rtp.Specs", """
                package rtp;

                import dev.e3j.annotations.CartesianTensor;
                import dev.e3j.annotations.ReducedTensorProducts;
                import dev.e3j.runtime.CartesianTensorKernel;

                interface Specs {
                    @CartesianTensor(formula = "ijklmn=jiklmn=klijmn=ijmnkl")
                    interface RankSix extends CartesianTensorKernel {}

                    @ReducedTensorProducts(formula = "ijk=jik", irreps = {"i=4e", "k=1o+0e"})
                    interface Mixed extends CartesianTensorKernel {}
                }
                """);
        assertAllBelowTheLimit(kernels, 10);
    }

    /**
     * Symmetric contractions of MACE's sizes (the channels change no method): correlation 3 from {@code 0e+1o+2e+3o}
     * to {@code 0e+1o+2e} in double, and correlation 4 with a wider channel in float; both channel-last too, whose
     * chunks index the node rows in place.
     */
    @Test
    void symmetricContractionsStayBelowTheJitLimit() {
        GeneratedKernels kernels = GeneratedKernels.compile("sc.Specs", """
                package sc;

                import dev.e3j.annotations.CgConvention;
                import dev.e3j.annotations.Layout;
                import dev.e3j.annotations.Precision;
                import dev.e3j.annotations.SymmetricContraction;
                import dev.e3j.runtime.SymmetricContractionKernel;

                interface Specs {
                    @SymmetricContraction(in = "2x0e+2x1o+2x2e+2x3o", out = "2x0e+2x1o+2x2e", correlation = 3,
                                          elements = 89, cgConvention = CgConvention.E3NN_0_4)
                    interface Medium extends SymmetricContractionKernel {}

                    @SymmetricContraction(in = "2x0e+2x1o+2x1e", out = "2x0e+2x1o", correlation = 4, elements = 2,
                                          precision = Precision.FLOAT)
                    interface Fourth extends SymmetricContractionKernel {}

                    @SymmetricContraction(in = "2x0e+2x1o+2x2e+2x3o", out = "2x0e+2x1o+2x2e", correlation = 3,
                                          elements = 89, cgConvention = CgConvention.E3NN_0_4, layout = Layout.IR_MUL)
                    interface MediumChannelLast extends SymmetricContractionKernel {}

                    @SymmetricContraction(in = "2x0e+2x1o+2x1e", out = "2x0e+2x1o", correlation = 4, elements = 2,
                                          layout = Layout.IR_MUL, precision = Precision.FLOAT)
                    interface FourthChannelLast extends SymmetricContractionKernel {}
                }
                """);
        assertAllBelowTheLimit(kernels, 200);
        assertDoubleBackwardMeasured(kernels, List.of("sc.Specs_MediumImpl", "sc.Specs_FourthImpl",
                "sc.Specs_MediumChannelLastImpl", "sc.Specs_FourthChannelLastImpl"));
    }

    /**
     * The generated second derivatives (issue 22) are among the methods measured: each class overrides
     * {@code doubleBackward} with {@code double[]} arguments, and with {@code float[]} ones where it has the float
     * overloads.
     */
    private static void assertDoubleBackwardMeasured(GeneratedKernels kernels, List<String> implementations) {
        for (String implementation : implementations) {
            Map<String, Integer> lengths = ClassFiles.codeLengths(kernels.classFiles().get(implementation));
            boolean hasFloat = lengths.keySet().stream().anyMatch(m -> m.startsWith("forward(") && m.contains("[F"));
            assertTrue(lengths.keySet().stream().anyMatch(m -> m.startsWith("doubleBackward(") && m.contains("[D")),
                    implementation + " has no double doubleBackward");
            assertTrue(!hasFloat || lengths.keySet().stream()
                            .anyMatch(m -> m.startsWith("doubleBackward(") && m.contains("[F")),
                    implementation + " has no float doubleBackward");
        }
    }

    private static void assertAllBelowTheLimit(GeneratedKernels kernels, int minimumMethods) {
        int largest = 0;
        String largestName = "";
        int methods = 0;
        List<String> tooLarge = new ArrayList<>();
        for (Map.Entry<String, byte[]> file : kernels.classFiles().entrySet()) {
            if (!file.getKey().contains("Impl")) {
                continue;
            }
            for (Map.Entry<String, Integer> method : ClassFiles.codeLengths(file.getValue()).entrySet()) {
                methods++;
                if (method.getValue() > largest) {
                    largest = method.getValue();
                    largestName = file.getKey() + "." + method.getKey();
                }
                if (method.getValue() >= HUGE_METHOD_LIMIT) {
                    tooLarge.add(file.getKey() + "." + method.getKey() + ": " + method.getValue() + " bytes");
                }
            }
        }
        System.out.println("MethodSizeTest: " + methods + " methods, largest " + largest + " bytes (" + largestName
                + ")");
        assertTrue(tooLarge.isEmpty(), "methods over the JIT limit: " + tooLarge);
        assertTrue(methods > minimumMethods, "parsed " + methods + " methods");
        assertEveryPrivateMethodCalled(kernels);
    }

    /** Every private method of the generated classes is referred to by one of them (a call or a lambda's body). */
    private static void assertEveryPrivateMethodCalled(GeneratedKernels kernels) {
        Set<String> uncalled = new TreeSet<>();
        Set<String> referenced = new HashSet<>();
        for (Map.Entry<String, byte[]> file : kernels.classFiles().entrySet()) {
            if (file.getKey().contains("Impl")) {
                uncalled.addAll(ClassFiles.privateMethods(file.getValue()));
                referenced.addAll(ClassFiles.methodReferences(file.getValue()));
            }
        }
        uncalled.removeAll(referenced);
        assertTrue(uncalled.isEmpty(), uncalled.size() + " generated methods never called: " + uncalled);
    }
}
