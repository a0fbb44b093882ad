package dev.e3j.processor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.processor.testing.ClassFiles;
import dev.e3j.processor.testing.GeneratedKernels;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every generated method stays below HotSpot's 8000-byte limit for JIT compilation (huge methods are never JITed). */
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
                                   out = "0e+1o+2e+3o+4e+5o+0o+1e+2o+3e+4o+5e")
                    interface ManyPaths extends TensorProductKernel {}
                }
                """);
        int largest = 0;
        int methods = 0;
        for (Map.Entry<String, byte[]> file : kernels.classFiles().entrySet()) {
            if (!file.getKey().endsWith("Impl")) {
                continue;
            }
            for (Map.Entry<String, Integer> method : ClassFiles.codeLengths(file.getValue()).entrySet()) {
                methods++;
                largest = Math.max(largest, method.getValue());
                assertTrue(method.getValue() < HUGE_METHOD_LIMIT,
                        file.getKey() + "." + method.getKey() + " has " + method.getValue() + " bytes of bytecode");
            }
        }
        assertTrue(methods > 100, "parsed " + methods + " methods");
        System.out.println("MethodSizeTest: " + methods + " methods, largest " + largest + " bytes");
    }
}
