package dev.e3j.processor.writer;

import static dev.e3j.processor.testing.TestArrays.toFloat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.JavaFileObjects;
import com.palantir.javapoet.ClassName;
import dev.e3j.annotations.CgConvention;
import dev.e3j.annotations.IrrepNormalization;
import dev.e3j.annotations.PathNormalization;
import dev.e3j.annotations.Precision;
import dev.e3j.annotations.TensorProduct;
import dev.e3j.processor.model.TensorProductModel;
import dev.e3j.processor.model.TensorProductModels;
import dev.e3j.processor.model.TensorProductSpec;
import dev.e3j.processor.testing.ClassFiles;
import dev.e3j.processor.testing.GeneratedKernels;
import dev.e3j.runtime.TensorProductKernel;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Kernels whose constants would overflow one class file's constant pool (65535 entries; the square of
 * {@code 1x19e} in float and double needs about 60,000) put their path methods into nested classes. Compiling such a
 * kernel takes minutes, so this test forces the split on a small kernel through the writer's budget and checks that
 * the split class compiles without warnings and computes bit for bit what the single class computes.
 */
class NestedPathClassesTest {

    private static final ClassName SPEC = ClassName.get("test.nested", "Spec");
    private static final String SPEC_SOURCE = """
            package test.nested;

            public interface Spec extends dev.e3j.runtime.TensorProductKernel {}
            """;

    @Test
    void splitKernelComputesWhatTheSingleClassComputes() throws Exception {
        for (TensorProductSpec spec : List.of(
                new TensorProductSpec("2x0e+2x1o+2x2e+1x3o", "0e+1o+2e+3o", "2x0e+2x1o+2x2e+2x3o+1x1e",
                        TensorProduct.Kind.FULLY_CONNECTED, List.of(), IrrepNormalization.COMPONENT,
                        PathNormalization.ELEMENT, false, Precision.FLOAT, CgConvention.E3NN_0_5),
                new TensorProductSpec("8x0e+8x1o+8x2e", "0e+1o+2e", "8x0e+8x1o+8x2e+8x1e",
                        TensorProduct.Kind.CHANNELWISE, List.of(), IrrepNormalization.COMPONENT,
                        PathNormalization.ELEMENT, true, Precision.DOUBLE, CgConvention.E3NN_0_5),
                new TensorProductSpec("2x0e+2x1o+1x2e+1x3o", "", "3x0e+3x1o+3x2e+2x3o+1x1e",
                        TensorProduct.Kind.SQUARE, List.of(), IrrepNormalization.COMPONENT,
                        PathNormalization.ELEMENT, false, Precision.DOUBLE, CgConvention.E3NN_0_5),
                new TensorProductSpec("2x1o+1x2e+1x3o", "1x1o+2x2e", "",
                        TensorProduct.Kind.FULL, List.of(), IrrepNormalization.NORM,
                        PathNormalization.PATH, true, Precision.FLOAT, CgConvention.E3NN_0_5),
                // shared uvw weights read by rows, with paths of short rows mixed in
                new TensorProductSpec("3x0e+2x1o+1x2e+1x3o", "0e+1o+2e", "8x0e+9x1o+8x2e+2x1e+1x3o",
                        TensorProduct.Kind.FULLY_CONNECTED, List.of(), IrrepNormalization.COMPONENT,
                        PathNormalization.ELEMENT, true, Precision.FLOAT, CgConvention.E3NN_0_5))) {
            TensorProductModel model = TensorProductModels.build(spec);
            GeneratedKernels singleClass = compile(new TensorProductWriter(model, SPEC));
            GeneratedKernels splitClass = compile(new TensorProductWriter(model, SPEC, 200));
            Map<String, byte[]> single = singleClass.classFiles();
            Map<String, byte[]> split = splitClass.classFiles();
            assertFalse(single.keySet().stream().anyMatch(name -> name.contains("$Paths")), single.keySet()::toString);
            long nested = split.keySet().stream().filter(name -> name.contains("SpecImpl$Paths")).count();
            assertTrue(nested >= 3, "expected several nested classes, got " + split.keySet());
            for (Map.Entry<String, byte[]> file : split.entrySet()) {
                ClassFiles.codeLengths(file.getValue()).forEach((method, length) ->
                        assertTrue(length < 8000, file.getKey() + "." + method + ": " + length + " bytes"));
            }
            TensorProductKernel expected = singleClass.tensorProduct("test.nested.SpecImpl");
            TensorProductKernel actual = splitClass.tensorProduct("test.nested.SpecImpl");
            assertSameResults(expected, actual, spec.precision() == Precision.FLOAT,
                    spec.kind() == TensorProduct.Kind.SQUARE);
        }
    }

    /**
     * With many paths, the per-sample helpers that call the path methods sit in the nested classes: the
     * implementation's constant pool then references a few helpers, not every path method (thousands of path methods
     * overflowed it: 60 entries of {@code 1x0e} both ways, 3600 paths, failed with "too many constants").
     */
    @Test
    void helpersCallingNestedPathMethodsSitInTheNestedClasses() throws Exception {
        String scalars = String.join("+", java.util.Collections.nCopies(12, "1x0e"));
        String vectors = String.join("+", java.util.Collections.nCopies(4, "1x1o"));
        for (TensorProduct.Kind kind : List.of(TensorProduct.Kind.FULLY_CONNECTED, TensorProduct.Kind.CHANNELWISE)) {
            TensorProductSpec spec = new TensorProductSpec(scalars + "+" + vectors, "0e+1o", scalars + "+" + vectors,
                    kind, List.of(), IrrepNormalization.COMPONENT, PathNormalization.ELEMENT,
                    kind == TensorProduct.Kind.FULLY_CONNECTED, Precision.FLOAT, CgConvention.E3NN_0_5);
            TensorProductModel model = TensorProductModels.build(spec);
            assertTrue(model.paths().size() > TensorProductWriter.MAX_CALLS_PER_METHOD, "paths " + model.paths().size());
            TensorProductWriter splitWriter = new TensorProductWriter(model, SPEC, 2000);
            String source = splitWriter.javaFile(null).toString();
            String outer = source.substring(0, source.indexOf("private static final class Paths0"));
            assertFalse(outer.matches("(?s).*Paths\\d+\\.path\\d+.*"), "the implementation calls path methods");
            assertTrue(outer.matches("(?s).*Paths\\d+\\.forwardSamples?\\d+\\(.*"), "no helper calls");
            GeneratedKernels singleClass = compile(new TensorProductWriter(model, SPEC));
            GeneratedKernels splitClass = compile(splitWriter);
            for (Map.Entry<String, byte[]> file : splitClass.classFiles().entrySet()) {
                ClassFiles.codeLengths(file.getValue()).forEach((method, length) ->
                        assertTrue(length < 8000, file.getKey() + "." + method + ": " + length + " bytes"));
            }
            assertSameResults(singleClass.tensorProduct("test.nested.SpecImpl"),
                    splitClass.tensorProduct("test.nested.SpecImpl"), true, false);
        }
    }

    private static void assertSameResults(TensorProductKernel expected, TensorProductKernel actual, boolean floats,
                                          boolean square) {
        Random random = new Random(7);
        int batch = 5;
        int weightCount = expected.sharedWeights() ? expected.weightNumel() : batch * expected.weightNumel();
        double[] x1 = random(random, batch * expected.irrepsIn1().dim());
        double[] x2 = square ? x1 : random(random, batch * expected.irrepsIn2().dim());
        double[] weights = random(random, weightCount);
        double[] gradOut = random(random, batch * expected.irrepsOut().dim());
        double[][] results = new double[2][];
        int r = 0;
        for (TensorProductKernel kernel : List.of(expected, actual)) {
            double[] out = new double[batch * kernel.irrepsOut().dim()];
            double[] gradX1 = new double[x1.length];
            double[] gradX2 = square ? null : new double[x2.length];
            double[] gradWeights = new double[weights.length];
            kernel.forward(batch, x1, x2, weights, out);
            kernel.backward(batch, x1, x2, weights, gradOut, gradX1, gradX2, gradWeights);
            double[] gradX1Alone = new double[x1.length];
            kernel.backward(batch, x1, x2, weights, gradOut, gradX1Alone, null, null);
            results[r++] = concat(out, gradX1, square ? new double[0] : gradX2, gradWeights, gradX1Alone);
        }
        assertArrayEquals(results[0], results[1]);
        if (floats) {
            float[] out0 = new float[batch * expected.irrepsOut().dim()];
            float[] out1 = new float[out0.length];
            float[] x1f = toFloat(x1);
            float[] x2f = square ? x1f : toFloat(x2);
            expected.forward(batch, x1f, x2f, toFloat(weights), out0);
            actual.forward(batch, x1f, x2f, toFloat(weights), out1);
            assertArrayEquals(out0, out1);
        }
    }

    private static GeneratedKernels compile(TensorProductWriter writer) {
        return GeneratedKernels.compileSources(
                JavaFileObjects.forSourceString(SPEC.canonicalName(), SPEC_SOURCE),
                JavaFileObjects.forSourceString(writer.implementation().canonicalName(),
                        writer.javaFile(null).toString()));
    }

    private static double[] random(Random random, int length) {
        double[] values = new double[length];
        for (int i = 0; i < length; i++) {
            values[i] = random.nextGaussian();
        }
        return values;
    }

    private static double[] concat(double[]... arrays) {
        int length = 0;
        for (double[] array : arrays) {
            length += array.length;
        }
        double[] all = new double[length];
        int at = 0;
        for (double[] array : arrays) {
            System.arraycopy(array, 0, all, at, array.length);
            at += array.length;
        }
        return all;
    }
}
