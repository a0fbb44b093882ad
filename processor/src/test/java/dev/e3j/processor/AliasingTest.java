package dev.e3j.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.e3j.processor.testing.GeneratedKernels;
import dev.e3j.runtime.TensorProductKernel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A tensor product's output may be neither an input nor another output: {@code forward(1, a, x2, w, a)} on a fully
 * connected product returned wrong numbers (its paths read {@code x1} after the first wrote {@code out}), and so did
 * {@code backward(.., g, g, ..)}. Every generated kernel now rejects any such pair, of every kind, in double and float.
 * The specs give the arrays equal lengths so that only the aliasing is wrong.
 */
class AliasingTest {

    private static final List<String> KERNELS = List.of("Fc", "FcPerSample", "Elementwise", "Full", "Channelwise",
            "Square", "WeightedSquare");
    private static GeneratedKernels kernels;

    @BeforeAll
    static void compile() {
        kernels = GeneratedKernels.compile("alias.Specs", """
                package alias;

                import dev.e3j.annotations.Precision;
                import dev.e3j.annotations.TensorProduct;
                import dev.e3j.annotations.TensorProduct.Kind;
                import dev.e3j.runtime.TensorProductKernel;

                interface Specs {
                    @TensorProduct(in1 = "4x0e", in2 = "4x0e", out = "4x0e", precision = Precision.FLOAT)
                    interface Fc extends TensorProductKernel {}

                    @TensorProduct(in1 = "4x0e", in2 = "4x0e", out = "4x0e", sharedWeights = false,
                        precision = Precision.FLOAT)
                    interface FcPerSample extends TensorProductKernel {}

                    @TensorProduct(in1 = "4x0e", in2 = "4x0e", kind = Kind.ELEMENTWISE, precision = Precision.FLOAT)
                    interface Elementwise extends TensorProductKernel {}

                    @TensorProduct(in1 = "4x0e", in2 = "1x0e", kind = Kind.FULL, precision = Precision.FLOAT)
                    interface Full extends TensorProductKernel {}

                    @TensorProduct(in1 = "4x0e", in2 = "1x0e", out = "4x0e", kind = Kind.CHANNELWISE,
                        precision = Precision.FLOAT)
                    interface Channelwise extends TensorProductKernel {}

                    @TensorProduct(in1 = "1x1o", kind = Kind.SQUARE, out = "3x0e", precision = Precision.FLOAT)
                    interface WeightedSquare extends TensorProductKernel {}

                    @TensorProduct(in1 = "3x0e", kind = Kind.SQUARE, precision = Precision.FLOAT)
                    interface Square extends TensorProductKernel {}
                }
                """);
    }

    private static TensorProductKernel kernel(String name) {
        return kernels.tensorProduct("alias.Specs_" + name + "Impl");
    }

    /** The arguments of one sample, each its own array, by name; a square's x2 is x1. */
    private static Map<String, double[]> arguments(TensorProductKernel kernel, boolean square) {
        Map<String, double[]> arrays = new LinkedHashMap<>();
        arrays.put("x1", new double[kernel.irrepsIn1().dim()]);
        arrays.put("x2", square ? arrays.get("x1") : new double[kernel.irrepsIn2().dim()]);
        arrays.put("weights", new double[kernel.weightNumel()]);
        arrays.put("out", new double[kernel.irrepsOut().dim()]);
        arrays.put("gradOut", new double[kernel.irrepsOut().dim()]);
        arrays.put("gradX1", new double[kernel.irrepsIn1().dim()]);
        arrays.put("gradX2", new double[kernel.irrepsIn2().dim()]);
        arrays.put("gradWeights", new double[kernel.weightNumel()]);
        arrays.put("ggX1", new double[kernel.irrepsIn1().dim()]);
        arrays.put("ggX2", square ? null : new double[kernel.irrepsIn2().dim()]);
        arrays.put("ggWeights", new double[kernel.weightNumel()]);
        arrays.put("gX1", new double[kernel.irrepsIn1().dim()]);
        arrays.put("gX2", new double[kernel.irrepsIn2().dim()]);
        arrays.put("gWeights", new double[kernel.weightNumel()]);
        arrays.put("gGradOut", new double[kernel.irrepsOut().dim()]);
        return arrays;
    }

    private static void forward(TensorProductKernel kernel, Map<String, double[]> a) {
        kernel.forward(1, a.get("x1"), a.get("x2"), a.get("weights"), a.get("out"));
    }

    private static void backward(TensorProductKernel kernel, Map<String, double[]> a) {
        kernel.backward(1, a.get("x1"), a.get("x2"), a.get("weights"), a.get("gradOut"), a.get("gradX1"),
                a.get("gradX2"), a.get("gradWeights"));
    }

    @Test
    void everyOutputAliasingAnInputOrAnotherOutputIsRejected() {
        int checked = 0;
        for (String name : KERNELS) {
            TensorProductKernel kernel = kernel(name);
            boolean square = name.endsWith("Square");
            String prefix = "Specs_" + name + "Impl.";
            forward(kernel, arguments(kernel, square));
            backward(kernel, arguments(kernel, square));
            checked += aliases(kernel, square, prefix + "forward", List.of("out"), List.of("x1", "x2", "weights"),
                    arguments -> forward(kernel, arguments));
            List<String> gradients = square ? List.of("gradX1", "gradWeights")
                    : List.of("gradX1", "gradX2", "gradWeights");
            List<String> others = new ArrayList<>(List.of("x1", "x2", "weights", "gradOut"));
            others.addAll(gradients);
            checked += aliases(kernel, square, prefix + "backward", gradients, others,
                    arguments -> backward(kernel, arguments));
        }
        assertEquals(58, checked, "aliased pairs of equal length checked");
    }

    private static void doubleBackward(TensorProductKernel kernel, Map<String, double[]> a) {
        kernel.doubleBackward(1, a.get("x1"), a.get("x2"), a.get("weights"), a.get("gradOut"), a.get("ggX1"),
                a.get("ggX2"), a.get("ggWeights"), a.get("gX1"), a.get("gX2"), a.get("gWeights"), a.get("gGradOut"));
    }

    /** doubleBackward's gradients, like backward's: none may be an input, a cotangent or another gradient. */
    @Test
    void everyDoubleBackwardGradientAliasingAnotherArgumentIsRejected() {
        int checked = 0;
        for (String name : KERNELS) {
            TensorProductKernel kernel = kernel(name);
            boolean square = name.endsWith("Square");
            doubleBackward(kernel, arguments(kernel, square));
            // a square ignores gX2, as backward ignores gradX2
            List<String> gradients = square ? List.of("gX1", "gWeights", "gGradOut")
                    : List.of("gX1", "gX2", "gWeights", "gGradOut");
            List<String> others = new ArrayList<>(List.of("x1", "x2", "weights", "gradOut", "ggX1", "ggX2",
                    "ggWeights"));
            others.addAll(gradients);
            checked += aliases(kernel, square, "Specs_" + name + "Impl.doubleBackward", gradients, others,
                    arguments -> doubleBackward(kernel, arguments));
        }
        assertEquals(124, checked, "aliased pairs of equal length checked");
    }

    /**
     * For each output and each other argument of the same non-zero length, calls {@code method} with both the same
     * array and asserts the message; returns how many pairs it checked.
     */
    private static int aliases(TensorProductKernel kernel, boolean square, String method, List<String> outputs,
                               List<String> others, java.util.function.Consumer<Map<String, double[]>> call) {
        int checked = 0;
        for (String output : outputs) {
            for (String other : others) {
                Map<String, double[]> arguments = arguments(kernel, square);
                double[] shared = arguments.get(other);
                if (other.equals(output) || shared == null || shared.length == 0
                        || shared.length != arguments.get(output).length
                        || square && other.equals("x2")) {
                    continue;
                }
                arguments.put(output, shared);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> call.accept(arguments),
                        method + " " + output + " = " + other);
                String first = outputs.indexOf(other) >= 0 && outputs.indexOf(other) < outputs.indexOf(output)
                        ? other : output;
                String second = first.equals(output) ? other : output;
                assertEquals(method + ": " + first + " must not be the same array as " + second
                        + " (each output must be an array of its own)", e.getMessage());
                checked++;
            }
        }
        return checked;
    }

    /** The float overloads check the same pairs: the fully connected {@code out = x1} of the issue. */
    @Test
    void floatOverloadsRejectAliasingToo() {
        TensorProductKernel kernel = kernel("Fc");
        float[] x1 = new float[4];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> kernel.forward(1, x1, new float[4], new float[kernel.weightNumel()], x1));
        assertEquals("Specs_FcImpl.forward: out must not be the same array as x1 (each output must be an array of its"
                + " own)", e.getMessage());
        float[] gradOut = new float[4];
        e = assertThrows(IllegalArgumentException.class, () -> kernel.backward(1, x1, new float[4],
                new float[kernel.weightNumel()], gradOut, gradOut, null, null));
        assertEquals("Specs_FcImpl.backward: gradX1 must not be the same array as gradOut (each output must be an"
                + " array of its own)", e.getMessage());
    }

    /** Empty arrays hold nothing to corrupt: a batch of 0 may pass one empty array everywhere. */
    @Test
    void emptyArraysMayBeShared() {
        double[] empty = new double[0];
        TensorProductKernel kernel = kernel("Elementwise");
        kernel.forward(0, empty, empty, empty, empty);
        kernel.backward(0, empty, empty, empty, empty, empty, empty, empty);
        kernel.doubleBackward(0, empty, empty, empty, empty, empty, empty, empty, empty, empty, empty, empty);
        kernel("Fc").doubleBackward(0, empty, empty, new double[kernel("Fc").weightNumel()], empty, empty, empty,
                null, empty, empty, null, empty);
    }
}
