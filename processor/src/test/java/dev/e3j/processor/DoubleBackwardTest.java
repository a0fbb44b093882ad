package dev.e3j.processor;

import static dev.e3j.processor.testing.TestArrays.gaussian;
import static dev.e3j.processor.testing.TestArrays.toDouble;
import static dev.e3j.processor.testing.TestArrays.toFloat;
import static dev.e3j.testsupport.ReferenceData.asDoubles;
import static dev.e3j.testsupport.ReferenceData.asInt;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.annotations.Layout;
import dev.e3j.processor.testing.GeneratedKernels;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.TensorProductKernel;
import dev.e3j.testsupport.ReferenceData;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code TensorProductKernel.doubleBackward}: against torch autograd's second derivatives of e3nn 0.5.4
 * ({@code tensor_products_double_backward.json}, every connection mode and subclass, to 1e-10), against central
 * differences of {@code backward} on products the reference has not seen (higher l, other multiplicities,
 * per-sample weights, the channel-last and weight-row plans), the float overloads against double, and the meaning of
 * {@code null} arguments. The reference cases run in both layouts, {@code IR_MUL} on the reference's features
 * permuted.
 */
class DoubleBackwardTest {

    private static final String REFERENCE = "tensor_products_double_backward.json";
    private static List<Map<String, Object>> cases;
    private static GeneratedKernels referenceKernels;
    private static GeneratedKernels unseenKernels;

    /** Squares of the reference through their kind (a CUSTOM spec cannot say that x2 is x1). */
    private static final Map<String, String> SQUARE_SPECS = Map.of(
            "tensor_square", "@TensorProduct(in1 = \"2x0e+2x1o+1x2e\", kind = Kind.SQUARE, precision = Precision.FLOAT)",
            "tensor_square_weighted", "@TensorProduct(in1 = \"2x0e+2x1o\", out = \"3x0e+2x1o+2x1e+1x2e\","
                    + " kind = Kind.SQUARE, precision = Precision.FLOAT)",
            "tensor_square_per_sample", "@TensorProduct(in1 = \"2x0e+2x1o\", out = \"2x0e+1x1e+2x2e\","
                    + " kind = Kind.SQUARE, sharedWeights = false, precision = Precision.FLOAT)");

    /** Products the reference does not contain, each with precision = FLOAT. */
    private static final List<String> UNSEEN = List.of("HighDegree", "WeightRows", "MixedWeightRows", "ChannelLast",
            "ChannelLastShared", "Elementwise", "WeightedSquare", "Full", "PathWeights");

    @BeforeAll
    static void compile() {
        cases = ReferenceData.cases(REFERENCE);
        StringBuilder source = new StringBuilder("""
                package dbl;

                import dev.e3j.annotations.CgConvention;
                import dev.e3j.annotations.IrrepNormalization;
                import dev.e3j.annotations.Layout;
                import dev.e3j.annotations.Path;
                import dev.e3j.annotations.PathNormalization;
                import dev.e3j.annotations.Precision;
                import dev.e3j.annotations.TensorProduct;
                import dev.e3j.annotations.TensorProduct.Kind;
                import dev.e3j.runtime.TensorProductKernel;

                @SuppressWarnings("e3j.unreachable")
                interface Cases {
                """);
        for (Layout layout : Layout.values()) {
            for (Map<String, Object> c : cases) {
                String name = ReferenceTensorProductTest.javaName(c) + suffix(layout);
                if ((Boolean) c.get("square")) {
                    source.append("    ").append(ReferenceTensorProductTest.withLayout(
                                    SQUARE_SPECS.get((String) c.get("name")), layout))
                            .append("\n    interface Kind").append(name).append(" extends TensorProductKernel {}\n\n");
                    continue;
                }
                source.append("    ").append(ReferenceTensorProductTest.withLayout(
                                ReferenceTensorProductTest.customSpec(c), layout))
                        .append("\n    interface Custom").append(name).append(" extends TensorProductKernel {}\n\n");
                String kind = ReferenceTensorProductTest.kindSpec(c);
                if (kind != null) {
                    source.append("    ").append(ReferenceTensorProductTest.withLayout(kind, layout))
                            .append("\n    interface Kind").append(name).append(" extends TensorProductKernel {}\n\n");
                }
            }
        }
        referenceKernels = GeneratedKernels.compile("dbl.Cases", source.append("}\n").toString());
        unseenKernels = GeneratedKernels.compile("unseen.Specs", """
                package unseen;

                import dev.e3j.annotations.Path;
                import dev.e3j.annotations.Precision;
                import dev.e3j.annotations.TensorProduct;
                import dev.e3j.annotations.TensorProduct.Kind;
                import dev.e3j.runtime.TensorProductKernel;

                interface Specs {
                    @TensorProduct(in1 = "2x0e+1x1o+2x2e+1x3o", in2 = "0e+1o+2e+3o", out = "2x0e+2x1o+1x2e+2x3o+1x4e",
                                   precision = Precision.FLOAT)
                    interface HighDegree extends TensorProductKernel {}

                    @TensorProduct(in1 = "8x0e+8x1o", in2 = "0e+1o", out = "8x0e+8x1o", precision = Precision.FLOAT)
                    interface WeightRows extends TensorProductKernel {}

                    // by weight columns: 0e x 0e (16 pairs, 9 outputs: an odd last column) and 0e x 1o (8 pairs);
                    // by weight rows only (under 8 pairs), on the plain double backward: the paths of 3x1o
                    @TensorProduct(in1 = "8x0e+3x1o", in2 = "2x0e+1o", out = "9x0e+9x1o", precision = Precision.FLOAT)
                    interface MixedWeightRows extends TensorProductKernel {}

                    @TensorProduct(in1 = "5x0e+5x1o+3x2e", in2 = "0e+1o+2e+3o", out = "5x0e+5x1o+3x2e+3x3o",
                                   kind = Kind.CHANNELWISE, sharedWeights = false, precision = Precision.FLOAT)
                    interface ChannelLast extends TensorProductKernel {}

                    // channel-last with weights shared by the batch: the block's gradient sums in place
                    @TensorProduct(in1 = "4x0e+4x1o+2x2e", in2 = "0e+1o+2e", out = "4x0e+4x1o+2x2e",
                                   kind = Kind.CHANNELWISE, precision = Precision.FLOAT)
                    interface ChannelLastShared extends TensorProductKernel {}

                    @TensorProduct(in1 = "3x1o+2x2e", in2 = "3x1e+2x3o", kind = Kind.ELEMENTWISE,
                                   precision = Precision.FLOAT)
                    interface Elementwise extends TensorProductKernel {}

                    @TensorProduct(in1 = "2x0e+3x1o+1x2e", out = "3x0e+2x1o+2x2e+1x3o", kind = Kind.SQUARE,
                                   sharedWeights = false, precision = Precision.FLOAT)
                    interface WeightedSquare extends TensorProductKernel {}

                    @TensorProduct(in1 = "1x2e+2x3o", in2 = "1x1o+1x4e", kind = Kind.FULL, precision = Precision.FLOAT)
                    interface Full extends TensorProductKernel {}

                    @TensorProduct(in1 = "3x2e+2x1o", in2 = "2x2o+3x1e", out = "6x3o+3x3e+2x2o", kind = Kind.CUSTOM,
                                   sharedWeights = false, precision = Precision.FLOAT, paths = {
                                       @Path(in1 = 0, in2 = 0, out = 0, mode = "uvuv", pathWeight = "0.5"),
                                       @Path(in1 = 0, in2 = 1, out = 1, mode = "uuu", weighted = false),
                                       @Path(in1 = 1, in2 = 1, out = 2, mode = "uvw", pathWeight = "3/2"),
                                       @Path(in1 = 0, in2 = 0, out = 2, mode = "uvv")})
                    interface PathWeights extends TensorProductKernel {}
                }
                """);
    }

    private static TensorProductKernel referenceKernel(String prefix, Map<String, Object> c, Layout layout) {
        return referenceKernels.tensorProduct("dbl.Cases_" + prefix + ReferenceTensorProductTest.javaName(c)
                + suffix(layout) + "Impl");
    }

    /** The suffix of a reference kernel's name in {@code layout}. */
    private static String suffix(Layout layout) {
        return layout == Layout.MUL_IR ? "" : "IrMul";
    }

    private static TensorProductKernel unseen(String name) {
        return unseenKernels.tensorProduct("unseen.Specs_" + name + "Impl");
    }

    @ParameterizedTest
    @EnumSource(Layout.class)
    void everyReferenceCaseMatchesTorchAutograd(Layout layout) {
        int checked = 0;
        for (Map<String, Object> c : cases) {
            if (!(Boolean) c.get("square")) {
                checkReference(c, referenceKernel("Custom", c, layout), layout);
                checked++;
            }
            if ((Boolean) c.get("square") || ReferenceTensorProductTest.kindSpec(c) != null) {
                checkReference(c, referenceKernel("Kind", c, layout), layout);
                checked++;
            }
        }
        assertEquals(30, checked, "20 CUSTOM kernels, 10 through their kind (3 squares)");
    }

    /** The reference's {@code mul_ir} features of {@code key}, in {@code layout}. */
    private static double[] features(Map<String, Object> c, String key, Irreps irreps, Layout layout) {
        return ReferenceTensorProductTest.in(layout, irreps, asInt(c.get("batch")), asDoubles(c.get(key)));
    }

    private static void checkReference(Map<String, Object> c, TensorProductKernel kernel, Layout layout) {
        String name = c.get("name") + " (" + kernel.getClass().getSimpleName() + ")";
        boolean square = (Boolean) c.get("square");
        int batch = asInt(c.get("batch"));
        assertEquals(asInt(c.get("weight_numel")), kernel.weightNumel(), name);
        Irreps in1 = kernel.irrepsIn1();
        Irreps in2 = kernel.irrepsIn2();
        Irreps out = kernel.irrepsOut();
        double[] x1 = features(c, "x1", in1, layout);
        double[] x2 = square ? null : features(c, "x2", in2, layout);
        double[] weights = asDoubles(c.get("weights"));
        double[] gradOut = features(c, "grad_out", out, layout);
        double[] ggX1 = features(c, "gg_x1", in1, layout);
        double[] ggX2 = square ? null : features(c, "gg_x2", in2, layout);
        double[] ggWeights = asDoubles(c.get("gg_weights"));
        double[] expectedGX1 = features(c, "g_x1", in1, layout);
        double[] expectedGX2 = square ? null : features(c, "g_x2", in2, layout);
        double[] expectedGGradOut = features(c, "g_grad_out", out, layout);
        double[] gX1 = new double[x1.length];
        double[] gX2 = square ? null : new double[x2.length];
        double[] gWeights = new double[weights.length];
        double[] gGradOut = new double[gradOut.length];
        kernel.doubleBackward(batch, x1, x2, weights, gradOut, ggX1, ggX2, ggWeights, gX1, gX2, gWeights, gGradOut);
        ReferenceTensorProductTest.assertClose(expectedGX1, gX1, 1e-10, name + " g_x1");
        if (!square) {
            ReferenceTensorProductTest.assertClose(expectedGX2, gX2, 1e-10, name + " g_x2");
        }
        ReferenceTensorProductTest.assertClose(asDoubles(c.get("g_weights")), gWeights, 1e-10, name + " g_weights");
        ReferenceTensorProductTest.assertClose(expectedGGradOut, gGradOut, 1e-10, name + " g_grad_out");

        float[] gX1F = new float[x1.length];
        float[] gX2F = square ? null : new float[x2.length];
        float[] gWeightsF = new float[weights.length];
        float[] gGradOutF = new float[gradOut.length];
        kernel.doubleBackward(batch, toFloat(x1), toFloat(x2), toFloat(weights), toFloat(gradOut), toFloat(ggX1),
                toFloat(ggX2), toFloat(ggWeights), gX1F, gX2F, gWeightsF, gGradOutF);
        ReferenceTensorProductTest.assertClose(expectedGX1, toDouble(gX1F), 1e-4, name + " float g_x1");
        if (!square) {
            ReferenceTensorProductTest.assertClose(expectedGX2, toDouble(gX2F), 1e-4,
                    name + " float g_x2");
        }
        ReferenceTensorProductTest.assertClose(asDoubles(c.get("g_weights")), toDouble(gWeightsF), 1e-4,
                name + " float g_weights");
        ReferenceTensorProductTest.assertClose(expectedGGradOut, toDouble(gGradOutF), 1e-4,
                name + " float g_grad_out");
    }

    /** The arguments of one call: primal inputs, cotangents, and the gradients doubleBackward writes. */
    private record Point(double[] x1, double[] x2, double[] weights, double[] gradOut, double[] ggX1, double[] ggX2,
                         double[] ggWeights) {

        static Point random(TensorProductKernel kernel, boolean square, int batch, Random random) {
            int weights = kernel.sharedWeights() ? kernel.weightNumel() : batch * kernel.weightNumel();
            return new Point(gaussian(batch * kernel.irrepsIn1().dim(), random),
                    square ? null : gaussian(batch * kernel.irrepsIn2().dim(), random), gaussian(weights, random),
                    gaussian(batch * kernel.irrepsOut().dim(), random), gaussian(batch * kernel.irrepsIn1().dim(), random),
                    square ? null : gaussian(batch * kernel.irrepsIn2().dim(), random), gaussian(weights, random));
        }

        /**
         * {@code sum(ggX1 * gradX1) + sum(ggX2 * gradX2) + sum(ggWeights * gradWeights)} of {@code backward} at
         * {@code (x1, x2, weights, gradOut)}: what doubleBackward differentiates.
         */
        double contractedBackward(TensorProductKernel kernel, int batch, double[] x1, double[] x2, double[] weights,
                                  double[] gradOut) {
            double[] gradX1 = new double[x1.length];
            double[] gradX2 = x2 == null ? null : new double[x2.length];
            double[] gradWeights = new double[weights.length];
            kernel.backward(batch, x1, x2, weights, gradOut, gradX1, gradX2, gradWeights);
            return dot(ggX1, gradX1) + (x2 == null ? 0 : dot(ggX2, gradX2)) + dot(ggWeights, gradWeights);
        }
    }

    /**
     * Central differences of {@link Point#contractedBackward} along each argument in turn. It is linear in each of
     * {@code x2}, {@code weights} and {@code gradOut}, and at most quadratic in {@code x1} (a square), so the
     * difference quotient is exact up to rounding: the tolerance can be tight.
     */
    @Test
    void unseenProductsMatchCentralDifferencesOfBackward() {
        Random random = new Random(22);
        for (String name : UNSEEN) {
            TensorProductKernel kernel = unseen(name);
            boolean square = name.endsWith("Square");
            int batch = 3;
            Point p = Point.random(kernel, square, batch, random);
            double[] gX1 = new double[p.x1().length];
            double[] gX2 = square ? null : new double[p.x2().length];
            double[] gWeights = new double[p.weights().length];
            double[] gGradOut = new double[p.gradOut().length];
            kernel.doubleBackward(batch, p.x1(), p.x2(), p.weights(), p.gradOut(), p.ggX1(), p.ggX2(), p.ggWeights(),
                    gX1, gX2, gWeights, gGradOut);
            double h = 1e-3;
            for (int argument = 0; argument < 4; argument++) {
                if (argument == 1 && square) {
                    continue;
                }
                double[] primal = switch (argument) {
                    case 0 -> p.x1();
                    case 1 -> p.x2();
                    case 2 -> p.weights();
                    default -> p.gradOut();
                };
                double[] gradient = switch (argument) {
                    case 0 -> gX1;
                    case 1 -> gX2;
                    case 2 -> gWeights;
                    default -> gGradOut;
                };
                double[] direction = gaussian(primal.length, random);
                double[] plus = axpy(h, direction, primal);
                double[] minus = axpy(-h, direction, primal);
                double up = evaluate(kernel, p, batch, argument, plus, square);
                double down = evaluate(kernel, p, batch, argument, minus, square);
                double expected = (up - down) / (2 * h);
                double actual = dot(gradient, direction);
                assertEquals(expected, actual, 1e-8 * Math.max(1, Math.abs(expected)),
                        name + " argument " + argument);
                assertTrue(Math.abs(actual) > 1e-6 || primal.length == 0, name + " argument " + argument
                        + " contributes");
            }
            checkFloatAgainstDouble(name, kernel, square, batch, p, gX1, gX2, gWeights, gGradOut);
        }
    }

    private static double evaluate(TensorProductKernel kernel, Point p, int batch, int argument, double[] value,
                                   boolean square) {
        double[] x1 = argument == 0 ? value : p.x1();
        double[] x2 = square ? null : argument == 1 ? value : p.x2();
        double[] weights = argument == 2 ? value : p.weights();
        double[] gradOut = argument == 3 ? value : p.gradOut();
        return p.contractedBackward(kernel, batch, x1, x2, weights, gradOut);
    }

    /** The float overload on the same (float-rounded) arguments, to 1e-4 of each result's largest entry. */
    private static void checkFloatAgainstDouble(String name, TensorProductKernel kernel, boolean square, int batch,
                                                Point p, double[] gX1, double[] gX2, double[] gWeights,
                                                double[] gGradOut) {
        float[] gX1F = new float[gX1.length];
        float[] gX2F = square ? null : new float[gX2.length];
        float[] gWeightsF = new float[gWeights.length];
        float[] gGradOutF = new float[gGradOut.length];
        kernel.doubleBackward(batch, toFloat(p.x1()), toFloat(p.x2()), toFloat(p.weights()), toFloat(p.gradOut()),
                toFloat(p.ggX1()), toFloat(p.ggX2()), toFloat(p.ggWeights()), gX1F, gX2F, gWeightsF, gGradOutF);
        assertNear(gX1, gX1F, name + " float gX1");
        if (!square) {
            assertNear(gX2, gX2F, name + " float gX2");
        }
        assertNear(gWeights, gWeightsF, name + " float gWeights");
        assertNear(gGradOut, gGradOutF, name + " float gGradOut");
    }

    private static void assertNear(double[] expected, float[] actual, String what) {
        double scale = 0;
        for (double value : expected) {
            scale = Math.max(scale, Math.abs(value));
        }
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-4 * scale, what + "[" + i + "]");
        }
    }

    /**
     * A null cotangent is zero and a null gradient is skipped: each null call equals the full call with zeros, and
     * leaves the other gradients as they were.
     */
    @Test
    void nullCotangentsAreZeroAndNullGradientsAreSkipped() {
        TensorProductKernel kernel = unseen("ChannelLast");
        int batch = 2;
        Point p = Point.random(kernel, false, batch, new Random(5));
        double[][] full = call(kernel, batch, p.x1(), p.x2(), p.weights(), p.gradOut(), p.ggX1(), null,
                new double[p.ggWeights().length], true);
        double[][] withNulls = call(kernel, batch, p.x1(), p.x2(), p.weights(), p.gradOut(), p.ggX1(),
                null, null, true);
        double[][] zeros = call(kernel, batch, p.x1(), p.x2(), p.weights(), p.gradOut(), p.ggX1(),
                new double[p.x2().length], new double[p.ggWeights().length], true);
        for (int g = 0; g < 4; g++) {
            assertArrayEquals(zeros[g], full[g]);
            assertArrayEquals(zeros[g], withNulls[g]);
        }
        double[] gX2 = new double[p.x2().length];
        kernel.doubleBackward(batch, p.x1(), p.x2(), p.weights(), p.gradOut(), p.ggX1(), null, null, null, gX2,
                null, null);
        assertArrayEquals(zeros[1], gX2);
    }

    private static double[][] call(TensorProductKernel kernel, int batch, double[] x1, double[] x2, double[] weights,
                                   double[] gradOut, double[] ggX1, double[] ggX2, double[] ggWeights,
                                   boolean withX2) {
        double[][] g = {new double[x1.length], withX2 ? new double[x2.length] : null, new double[weights.length],
            new double[gradOut.length]};
        kernel.doubleBackward(batch, x1, x2, weights, gradOut, ggX1, ggX2, ggWeights, g[0], g[1], g[2], g[3]);
        return g;
    }

    /**
     * Shared weights sum their gradient over blocks of samples: a batch of many blocks gives the sum of the samples'
     * gradients, whatever the blocks.
     */
    @Test
    void sharedWeightGradientSumsOverBlocks() {
        TensorProductKernel kernel = unseen("WeightRows");
        int batch = 1200;
        Point p = Point.random(kernel, false, batch, new Random(7));
        double[][] all = call(kernel, batch, p.x1(), p.x2(), p.weights(), p.gradOut(), p.ggX1(), p.ggX2(),
                p.ggWeights(), true);
        double[] sum = new double[kernel.weightNumel()];
        int dim1 = kernel.irrepsIn1().dim();
        int dim2 = kernel.irrepsIn2().dim();
        int dimOut = kernel.irrepsOut().dim();
        for (int b = 0; b < batch; b += 97) {
            double[][] one = call(kernel, 1, slice(p.x1(), b, dim1), slice(p.x2(), b, dim2), p.weights(),
                    slice(p.gradOut(), b, dimOut), slice(p.ggX1(), b, dim1), slice(p.ggX2(), b, dim2), p.ggWeights(),
                    true);
            assertArrayEquals(one[0], slice(all[0], b, dim1), 1e-12, "gX1 of sample " + b);
            assertArrayEquals(one[3], slice(all[3], b, dimOut), 1e-12, "gGradOut of sample " + b);
        }
        for (int b = 0; b < batch; b++) {
            double[][] one = call(kernel, 1, slice(p.x1(), b, dim1), slice(p.x2(), b, dim2), p.weights(),
                    slice(p.gradOut(), b, dimOut), slice(p.ggX1(), b, dim1), slice(p.ggX2(), b, dim2), p.ggWeights(),
                    true);
            for (int i = 0; i < sum.length; i++) {
                sum[i] += one[2][i];
            }
        }
        assertArrayEquals(sum, all[2], 1e-9);
    }

    @Test
    void argumentsAreCheckedInTheKernelsMessageStyle() {
        TensorProductKernel kernel = unseen("HighDegree");
        int dim1 = kernel.irrepsIn1().dim();
        double[] x1 = new double[dim1];
        double[] x2 = new double[kernel.irrepsIn2().dim()];
        double[] w = new double[kernel.weightNumel()];
        double[] gradOut = new double[kernel.irrepsOut().dim()];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> kernel.doubleBackward(1, x1,
                x2, w, gradOut, new double[dim1 + 1], null, null, null, null, null, null));
        assertEquals("Specs_HighDegreeImpl.doubleBackward: ggX1 must have length " + dim1 + " (batch 1 x " + dim1
                + "), got " + (dim1 + 1), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> kernel.doubleBackward(1, x1, x2, w, gradOut, null,
                null, null, null, null, null, gradOut));
        assertEquals("Specs_HighDegreeImpl.doubleBackward: gGradOut must not be the same array as gradOut (each"
                + " output must be an array of its own)", e.getMessage());
        double[] gX1 = new double[dim1];
        e = assertThrows(IllegalArgumentException.class, () -> kernel.doubleBackward(1, x1, x2, w, gradOut, gX1,
                null, null, gX1, null, null, null));
        assertEquals("Specs_HighDegreeImpl.doubleBackward: gX1 must not be the same array as ggX1 (each output must"
                + " be an array of its own)", e.getMessage());
        TensorProductKernel square = unseen("WeightedSquare");
        double[] s1 = new double[square.irrepsIn1().dim()];
        double[] sw = new double[square.weightNumel()];
        double[] sOut = new double[square.irrepsOut().dim()];
        e = assertThrows(IllegalArgumentException.class, () -> square.doubleBackward(1, s1, null, sw, sOut, null,
                new double[s1.length], null, null, null, null, null));
        assertEquals("Specs_WeightedSquareImpl.doubleBackward: ggX2 must be null: a tensor square has one input, x1,"
                + " whose gradient's cotangent is ggX1", e.getMessage());
    }

    private static double[] slice(double[] values, int sample, int dim) {
        return java.util.Arrays.copyOfRange(values, sample * dim, (sample + 1) * dim);
    }

    private static double[] axpy(double a, double[] x, double[] y) {
        double[] result = y.clone();
        for (int i = 0; i < x.length; i++) {
            result[i] += a * x[i];
        }
        return result;
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }
}
