package dev.e3j.processor;

import dev.e3j.processor.testing.GeneratedKernels;
import dev.e3j.testsupport.Goldens;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

/**
 * Generated sources and audit files compared with {@code src/test/resources/golden/}; run with
 * {@code E3J_UPDATE_GOLDENS=1} to rewrite them after an intended change ({@link Goldens}), then review the diff.
 */
class GoldenSourceTest {

    private static final String SPECS = """
            package golden;

            import dev.e3j.annotations.CgConvention;
            import dev.e3j.annotations.Layout;
            import dev.e3j.annotations.Path;
            import dev.e3j.annotations.Precision;
            import dev.e3j.annotations.TensorProduct;
            import dev.e3j.annotations.TensorProduct.Kind;
            import dev.e3j.runtime.TensorProductKernel;

            interface Specs {
                @TensorProduct(in1 = "2x0e+1x1o", in2 = "1x1o", out = "2x1o+1x0e", kind = Kind.CHANNELWISE,
                               sharedWeights = false)
                interface Conv extends TensorProductKernel {}

                @TensorProduct(in1 = "1x1o", in2 = "1x1o", out = "1x1e", kind = Kind.CUSTOM, precision = Precision.FLOAT,
                               paths = @Path(in1 = 0, in2 = 0, out = 0, mode = "uuu", weighted = false, pathWeight = "1/2"))
                interface Cross extends TensorProductKernel {}

                @TensorProduct(in1 = "2x1o", kind = Kind.SQUARE)
                interface Square extends TensorProductKernel {}

                @TensorProduct(in1 = "2x0e+2x1o", in2 = "0e+1o", out = "2x0e+2x1o", kind = Kind.CHANNELWISE,
                               sharedWeights = false)
                interface ChannelLast extends TensorProductKernel {}

                // the same in ir_mul: the forward, the fused backward and the double backward copy each sample plainly
                @TensorProduct(in1 = "2x0e+2x1o", in2 = "0e+1o", out = "2x0e+2x1o", kind = Kind.CHANNELWISE,
                               sharedWeights = false, layout = Layout.IR_MUL)
                interface ChannelLastIrMul extends TensorProductKernel {}

                // (1, 2, 2): e3nn 0.4.4's Wigner 3j is minus 0.5's, so is every constant
                @TensorProduct(in1 = "1x1o", in2 = "1x2e", out = "1x2o", cgConvention = CgConvention.E3NN_0_4)
                interface Flipped extends TensorProductKernel {}
            }
            """;

    private static final String SH_AND_LINEAR_SPECS = """
            package golden;

            import dev.e3j.annotations.Layout;
            import dev.e3j.annotations.Linear;
            import dev.e3j.annotations.SphericalHarmonics;
            import dev.e3j.runtime.LinearKernel;
            import dev.e3j.runtime.SphericalHarmonicsKernel;

            interface Layers {
                @SphericalHarmonics(lmax = 2)
                interface Sh2 extends SphericalHarmonicsKernel {}

                @Linear(in = "2x0e+1x1o", out = "1x0e+2x1o", biases = true)
                interface Mix extends LinearKernel {}

                @Linear(in = "2x0e+3x1o", out = "3x0e+2x1o+1x0e", biases = true, layout = Layout.IR_MUL)
                interface MixChannelLast extends LinearKernel {}
            }
            """;

    private static final String CONTRACTION_SPECS = """
            package golden;

            import dev.e3j.annotations.CgConvention;
            import dev.e3j.annotations.Layout;
            import dev.e3j.annotations.SymmetricContraction;
            import dev.e3j.runtime.SymmetricContractionKernel;

            interface Products {
                @SymmetricContraction(in = "2x0e+2x1o", out = "2x0e+2x1o", correlation = 2, elements = 2,
                                      cgConvention = CgConvention.E3NN_0_4)
                interface Product extends SymmetricContractionKernel {}

                @SymmetricContraction(in = "2x0e+2x1o", out = "2x0e+2x1o", correlation = 2, elements = 2,
                                      cgConvention = CgConvention.E3NN_0_4, layout = Layout.IR_MUL)
                interface ProductChannelLast extends SymmetricContractionKernel {}
            }
            """;

    @Test
    void symmetricContractionInBothLayoutsMatchesItsGoldens() throws IOException {
        GeneratedKernels kernels = GeneratedKernels.compile("golden.Products", CONTRACTION_SPECS);
        for (String name : new String[] {"Products_ProductImpl", "Products_ProductChannelLastImpl"}) {
            compare(name + ".java.txt", kernels.generatedSource("golden/" + name + ".java"));
            compare(name + ".json", kernels.generatedResource("META-INF/e3j/golden." + name + ".json"));
        }
    }

    @Test
    void sphericalHarmonicsAndLinearInBothLayoutsMatchGoldens() throws IOException {
        GeneratedKernels kernels = GeneratedKernels.compile("golden.Layers", SH_AND_LINEAR_SPECS);
        for (String name : new String[] {"Layers_Sh2Impl", "Layers_MixImpl", "Layers_MixChannelLastImpl"}) {
            compare(name + ".java.txt", kernels.generatedSource("golden/" + name + ".java"));
            compare(name + ".json", kernels.generatedResource("META-INF/e3j/golden." + name + ".json"));
        }
    }

    @Test
    void generatedSourcesMatchGoldens() throws IOException {
        GeneratedKernels kernels = GeneratedKernels.compile("golden.Specs", SPECS);
        for (String name : new String[] {"Specs_ConvImpl", "Specs_CrossImpl", "Specs_SquareImpl",
                "Specs_ChannelLastImpl", "Specs_ChannelLastIrMulImpl", "Specs_FlippedImpl"}) {
            // .txt: a .java file on the test classpath would be picked up by javac as an implicit source.
            compare(name + ".java.txt", kernels.generatedSource("golden/" + name + ".java"));
            compare(name + ".json", kernels.generatedResource("META-INF/e3j/golden." + name + ".json"));
        }
    }

    private static void compare(String file, String actual) throws IOException {
        Goldens.compare(goldenDirectory().resolve(file), actual);
    }

    /** {@code processor/src/test/resources/golden}, from the module or the repository root. */
    static Path goldenDirectory() {
        Path fromModule = Paths.get("src", "test", "resources", "golden");
        return Files.isDirectory(fromModule.getParent()) ? fromModule
                : Paths.get("processor", "src", "test", "resources", "golden");
    }
}
