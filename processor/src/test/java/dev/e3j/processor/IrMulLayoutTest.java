package dev.e3j.processor;

import static dev.e3j.processor.testing.TestArrays.gaussian;
import static dev.e3j.processor.testing.TestArrays.toDouble;
import static dev.e3j.processor.testing.TestArrays.toFloat;
import static dev.e3j.processor.ReferenceTensorProductTest.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.e3j.annotations.Layout;
import dev.e3j.processor.testing.GeneratedKernels;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.Layouts;
import dev.e3j.runtime.TensorProductKernel;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Kernels with {@code layout = IR_MUL} against the same specs in e3nn's {@code MUL_IR} (checked against e3nn, by
 * equivariance and by finite differences elsewhere), on products the references do not cover: every connection mode,
 * several x2 channels, higher degrees, each plan (channel-last, weight rows, helper methods), shared, per-sample and
 * no weights. Every result of {@code forward}, {@code backward} (all gradients, the inputs' together, each alone) and
 * {@code doubleBackward} (with and without null cotangents), in double and float, must be the {@code MUL_IR} result
 * permuted by {@link Layouts}.
 */
class IrMulLayoutTest {

    /** Specs without their layout, by name; each is compiled twice. */
    private static final Map<String, String> SPECS = new LinkedHashMap<>();

    static {
        String everyMode = "in1 = \"3x1o+3x2e\", in2 = \"3x1e+2x0e\","
                + " out = \"2x1o+3x2o+2x2e+4x0o+3x1o+9x2e+3x1o+2x3e\", kind = Kind.CUSTOM, paths = {"
                + "@Path(in1 = 0, in2 = 0, out = 0, mode = \"uvw\"),"
                + " @Path(in1 = 0, in2 = 0, out = 1, mode = \"uvu\"),"
                + " @Path(in1 = 1, in2 = 1, out = 2, mode = \"uvv\"),"
                + " @Path(in1 = 0, in2 = 0, out = 3, mode = \"uuw\"),"
                + " @Path(in1 = 0, in2 = 0, out = 4, mode = \"uuu\", weighted = false),"
                + " @Path(in1 = 1, in2 = 0, out = 5, mode = \"uvuv\"),"
                + " @Path(in1 = 0, in2 = 0, out = 6, mode = \"uvu<v\"),"
                + " @Path(in1 = 1, in2 = 0, out = 7, mode = \"u<vw\")}";
        SPECS.put("EveryModeShared", everyMode);
        SPECS.put("EveryModePerSample", everyMode + ", sharedWeights = false");
        SPECS.put("WeightRows", "in1 = \"8x0e+8x1o\", in2 = \"2x0e+1o\", out = \"9x0e+9x1o\"");
        // Every path uvw: the path methods index the ir_mul arrays in place (rows of 9 with rows of 2 and 5 mixed
        // in, backward by weight columns; single channels; per-sample weights with several x2 channels).
        SPECS.put("UvwInPlaceMixedRows", "in1 = \"8x0e+3x1o\", in2 = \"0e+2x1o\", out = \"9x0e+2x1o+5x1e\"");
        SPECS.put("UvwInPlaceSingleChannels", "in1 = \"0e+1o+2e\", in2 = \"0e+1o+2e\","
                + " out = \"10x0e+3x1o+9x2e+1x3o\"");
        // single channels with rows of 8 or more: the mul_ir kernel's fused backward goes by pairs on a transposed
        // copy of gradOut too (TensorProductPlan.backwardByPairs)
        SPECS.put("UvwSingleChannelRows", "in1 = \"0e+1o+2e\", in2 = \"0e+1o+2e\", out = \"10x0e+8x1o+9x2e\"");
        SPECS.put("UvwInPlacePerSample", "in1 = \"5x0e+3x1o+2x2e\", in2 = \"0e+2x1o\", out = \"4x0e+6x1o+3x2e\","
                + " sharedWeights = false");
        SPECS.put("ChannelLast", "in1 = \"5x0e+5x1o+3x2e\", in2 = \"0e+1o+2e+3o\", out = \"5x0e+5x1o+3x2e+3x3o\","
                + " kind = Kind.CHANNELWISE, sharedWeights = false");
        // 64 channels: the mul_ir kernel's forward, and its fused backward in float, run channel-last too, on
        // transposed copies (TensorProductPlan.MIN_MUL_IR_BACKWARD_CHANNELS)
        SPECS.put("ChannelLastTransposed", "in1 = \"64x0e+64x1o\", in2 = \"0e+1o+2e\","
                + " out = \"64x0e+64x1o+64x2e\", kind = Kind.CHANNELWISE, sharedWeights = false");
        SPECS.put("ChannelLastShared", "in1 = \"4x0e+4x1o+2x2e\", in2 = \"0e+1o+2e\", out = \"4x0e+4x1o+2x2e\","
                + " kind = Kind.CHANNELWISE");
        SPECS.put("ChannelLastUnweighted", "in1 = \"3x0e+3x1o\", in2 = \"0e+1o\", out = \"3x0e+3x1o+3x1e\","
                + " kind = Kind.CUSTOM, sharedWeights = false, paths = {"
                + "@Path(in1 = 0, in2 = 1, out = 1, mode = \"uvu\", weighted = false),"
                + " @Path(in1 = 1, in2 = 1, out = 0, mode = \"uvu\"),"
                + " @Path(in1 = 1, in2 = 1, out = 2, mode = \"uvu\", weighted = false),"
                + " @Path(in1 = 1, in2 = 0, out = 1, mode = \"uvu\")}");
        SPECS.put("ChannelwiseSeveralX2", "in1 = \"4x0e+4x1o\", in2 = \"2x0e+3x1o\", out = \"4x0e+4x1o+4x1e\","
                + " kind = Kind.CHANNELWISE");
        SPECS.put("HelperMethods", "in1 = \"6x0e+6x1o+6x2e+6x3o\", in2 = \"0e+1o+2e+3o\","
                + " out = \"6x0e+6x1o+6x2e+6x3o+6x1e+6x2o+6x3e\", kind = Kind.CHANNELWISE, sharedWeights = false");
        SPECS.put("HighDegree", "in1 = \"2x0e+2x1o+2x2e+2x3o\", in2 = \"2x1o+1x3o+2x4e\","
                + " out = \"2x0e+2x1o+2x2e+2x3o+1x4e+2x5o\", sharedWeights = false");
        SPECS.put("Elementwise", "in1 = \"3x1o+2x2e\", in2 = \"3x1e+2x3o\", kind = Kind.ELEMENTWISE");
        SPECS.put("Full", "in1 = \"2x2e+3x1o\", in2 = \"2x1o+1x2e\", kind = Kind.FULL");
        SPECS.put("Square", "in1 = \"2x0e+2x1o+1x2e\", kind = Kind.SQUARE");
        SPECS.put("WeightedSquare", "in1 = \"2x0e+3x1o+1x2e\", out = \"3x0e+2x1o+2x2e+1x3o\", kind = Kind.SQUARE,"
                + " sharedWeights = false");
    }

    private static GeneratedKernels kernels;

    @BeforeAll
    static void compile() {
        StringBuilder source = new StringBuilder("""
                package irmul;

                import dev.e3j.annotations.Layout;
                import dev.e3j.annotations.Path;
                import dev.e3j.annotations.Precision;
                import dev.e3j.annotations.TensorProduct;
                import dev.e3j.annotations.TensorProduct.Kind;
                import dev.e3j.runtime.TensorProductKernel;

                interface Specs {
                """);
        SPECS.forEach((name, spec) -> source
                .append("    @TensorProduct(").append(spec).append(", precision = Precision.FLOAT)\n")
                .append("    interface ").append(name).append(" extends TensorProductKernel {}\n")
                .append("    @TensorProduct(").append(spec).append(", precision = Precision.FLOAT,")
                .append(" layout = Layout.IR_MUL)\n")
                .append("    interface ").append(name).append("IrMul extends TensorProductKernel {}\n"));
        kernels = GeneratedKernels.compile("irmul.Specs", source.append("}\n").toString());
    }

    @Test
    void everyResultIsTheMulIrResultPermuted() {
        for (String name : SPECS.keySet()) {
            TensorProductKernel mulIr = kernels.tensorProduct("irmul.Specs_" + name + "Impl");
            TensorProductKernel irMul = kernels.tensorProduct("irmul.Specs_" + name + "IrMulImpl");
            Sample sample = Sample.random(mulIr, name.contains("Square"), 7, new Random(name.hashCode()));
            compare(name, sample, mulIr, irMul);
        }
    }

    /**
     * A {@code mul_ir} kernel that runs channel-last on transposed copies calls the same path methods on the same
     * numbers as its {@code ir_mul} twin: its forward (double and float) and its fused float backward must have the
     * same bits.
     */
    @Test
    void transposedChannelLastPassesHaveTheIrMulBits() {
        TensorProductKernel mulIr = kernels.tensorProduct("irmul.Specs_ChannelLastTransposedImpl");
        TensorProductKernel irMul = kernels.tensorProduct("irmul.Specs_ChannelLastTransposedIrMulImpl");
        Sample s = Sample.random(mulIr, false, 7, new Random(21));
        int batch = s.batch();
        double[] x1 = toIrMul(s.in1(), batch, s.x1());
        double[] gradOut = toIrMul(s.out(), batch, s.gradOut());
        boolean[] all = {true, true, true};

        double[] expectedOut = new double[batch * s.out().dim()];
        mulIr.forward(batch, s.x1(), s.x2(), s.weights(), expectedOut);
        double[] out = new double[expectedOut.length];
        irMul.forward(batch, x1, s.x2(), s.weights(), out);
        assertClose(toIrMul(s.out(), batch, expectedOut), out, 0, "out");

        float[] expectedOutF = new float[expectedOut.length];
        mulIr.forward(batch, toFloat(s.x1()), toFloat(s.x2()), toFloat(s.weights()), expectedOutF);
        float[] outF = new float[expectedOut.length];
        irMul.forward(batch, toFloat(x1), toFloat(s.x2()), toFloat(s.weights()), outF);
        assertClose(toIrMul(s.out(), batch, toDouble(expectedOutF)), toDouble(outF), 0, "float out");
        float[][] expectedF = backwardFloat(mulIr, s, s.x1(), s.x2(), s.gradOut(), all);
        float[][] actualF = backwardFloat(irMul, s, x1, s.x2(), gradOut, all);
        compareGradients(s, new double[][] {toDouble(expectedF[0]), toDouble(expectedF[1]), toDouble(expectedF[2])},
                new double[][] {toDouble(actualF[0]), toDouble(actualF[1]), toDouble(actualF[2])}, 0,
                "float backward");
    }

    /**
     * A {@code mul_ir} kernel of single-channel inputs whose fused backward goes by pairs reads a transposed copy of
     * {@code gradOut} with the path methods of its {@code ir_mul} twin: the same bits, in double and float.
     */
    @Test
    void mulIrBackwardByPairsHasTheIrMulBits() {
        TensorProductKernel mulIr = kernels.tensorProduct("irmul.Specs_UvwSingleChannelRowsImpl");
        TensorProductKernel irMul = kernels.tensorProduct("irmul.Specs_UvwSingleChannelRowsIrMulImpl");
        Sample s = Sample.random(mulIr, false, 7, new Random(23));
        double[] gradOut = toIrMul(s.out(), s.batch(), s.gradOut());
        boolean[] all = {true, true, true};
        compareGradients(s, backward(mulIr, s, s.x1(), s.x2(), s.gradOut(), all),
                backward(irMul, s, s.x1(), s.x2(), gradOut, all), 0, "backward");
        float[][] expectedF = backwardFloat(mulIr, s, s.x1(), s.x2(), s.gradOut(), all);
        float[][] actualF = backwardFloat(irMul, s, s.x1(), s.x2(), gradOut, all);
        compareGradients(s, new double[][] {toDouble(expectedF[0]), toDouble(expectedF[1]), toDouble(expectedF[2])},
                new double[][] {toDouble(actualF[0]), toDouble(actualF[1]), toDouble(actualF[2])}, 0,
                "float backward");
    }

    /** One call's inputs, in {@code mul_ir}, and their irreps. */
    private record Sample(int batch, boolean square, Irreps in1, Irreps in2, Irreps out, double[] x1, double[] x2,
                          double[] weights, double[] gradOut, double[] ggX1, double[] ggX2, double[] ggWeights) {

        static Sample random(TensorProductKernel kernel, boolean square, int batch, Random random) {
            int weights = kernel.sharedWeights() ? kernel.weightNumel() : batch * kernel.weightNumel();
            Irreps in1 = kernel.irrepsIn1();
            Irreps in2 = kernel.irrepsIn2();
            Irreps out = kernel.irrepsOut();
            return new Sample(batch, square, in1, in2, out, gaussian(batch * in1.dim(), random),
                    square ? null : gaussian(batch * in2.dim(), random), gaussian(weights, random),
                    gaussian(batch * out.dim(), random), gaussian(batch * in1.dim(), random),
                    square ? null : gaussian(batch * in2.dim(), random), gaussian(weights, random));
        }
    }

    private static void compare(String name, Sample s, TensorProductKernel mulIr, TensorProductKernel irMul) {
        int batch = s.batch();
        double[] x1 = toIrMul(s.in1(), batch, s.x1());
        double[] x2 = s.square() ? x1 : toIrMul(s.in2(), batch, s.x2());
        double[] gradOut = toIrMul(s.out(), batch, s.gradOut());
        double[] ggX1 = toIrMul(s.in1(), batch, s.ggX1());
        double[] ggX2 = s.square() ? null : toIrMul(s.in2(), batch, s.ggX2());
        double[] mulIrX2 = s.square() ? s.x1() : s.x2();

        double[] expectedOut = new double[batch * s.out().dim()];
        mulIr.forward(batch, s.x1(), mulIrX2, s.weights(), expectedOut);
        double[] out = new double[expectedOut.length];
        irMul.forward(batch, x1, x2, s.weights(), out);
        assertClose(toIrMul(s.out(), batch, expectedOut), out, 1e-12, name + " out");
        float[] outF = new float[out.length];
        float[] x1F = toFloat(x1);
        irMul.forward(batch, x1F, s.square() ? x1F : toFloat(x2), toFloat(s.weights()), outF);
        assertClose(out, toDouble(outF), 1e-4, name + " float out");

        // every gradient, both inputs', and each alone: the fused, the inputs' and the single passes
        boolean[][] wanted = {{true, true, true}, {true, true, false}, {true, false, false}, {false, true, false},
                {false, false, true}};
        for (boolean[] w : wanted) {
            if (s.square() && w[1] && !w[0] || w[2] && s.weights().length == 0) {
                continue;
            }
            String what = name + " backward " + (w[0] ? "x1 " : "") + (w[1] ? "x2 " : "") + (w[2] ? "weights" : "");
            double[][] expected = backward(mulIr, s, s.x1(), mulIrX2, s.gradOut(), w);
            double[][] actual = backward(irMul, s, x1, x2, gradOut, w);
            compareGradients(s, expected, actual, 1e-12, what);
            float[][] actualF = backwardFloat(irMul, s, x1, x2, gradOut, w);
            for (int g = 0; g < 3; g++) {
                if (actual[g] != null) {
                    assertClose(actual[g], toDouble(actualF[g]), 1e-4, what + " float gradient " + g);
                }
            }
        }

        for (boolean nullCotangents : new boolean[] {false, true}) {
            String what = name + " doubleBackward" + (nullCotangents ? " (null ggX1, ggWeights)" : "");
            double[][] expected = doubleBackward(mulIr, s, s.x1(), mulIrX2, s.gradOut(),
                    nullCotangents ? null : s.ggX1(), s.ggX2(), nullCotangents ? null : s.ggWeights());
            double[][] actual = doubleBackward(irMul, s, x1, x2, gradOut, nullCotangents ? null : ggX1, ggX2,
                    nullCotangents ? null : s.ggWeights());
            compareGradients(s, expected, actual, 1e-11, what);
            assertClose(toIrMul(s.out(), batch, expected[3]), actual[3], 1e-11, what + " gGradOut");
        }
    }

    /** gradX1, gradX2, gradWeights of {@code kernel}, each null where not wanted. */
    private static double[][] backward(TensorProductKernel kernel, Sample s, double[] x1, double[] x2,
                                       double[] gradOut, boolean[] wanted) {
        double[] gradX1 = wanted[0] ? new double[x1.length] : null;
        double[] gradX2 = wanted[1] && !s.square() ? new double[x2.length] : null;
        double[] gradWeights = wanted[2] ? new double[s.weights().length] : null;
        kernel.backward(s.batch(), x1, x2, s.weights(), gradOut, gradX1, gradX2, gradWeights);
        return new double[][] {gradX1, gradX2, gradWeights};
    }

    private static float[][] backwardFloat(TensorProductKernel kernel, Sample s, double[] x1, double[] x2,
                                           double[] gradOut, boolean[] wanted) {
        float[] x1F = toFloat(x1);
        float[] gradX1 = wanted[0] ? new float[x1.length] : null;
        float[] gradX2 = wanted[1] && !s.square() ? new float[x2.length] : null;
        float[] gradWeights = wanted[2] ? new float[s.weights().length] : null;
        kernel.backward(s.batch(), x1F, s.square() ? x1F : toFloat(x2), toFloat(s.weights()), toFloat(gradOut),
                gradX1, gradX2, gradWeights);
        return new float[][] {gradX1, gradX2, gradWeights};
    }

    /** gX1, gX2, gWeights, gGradOut of {@code kernel}. */
    private static double[][] doubleBackward(TensorProductKernel kernel, Sample s, double[] x1, double[] x2,
                                             double[] gradOut, double[] ggX1, double[] ggX2, double[] ggWeights) {
        double[] gX1 = new double[x1.length];
        double[] gX2 = s.square() ? null : new double[x2.length];
        double[] gWeights = new double[s.weights().length];
        double[] gGradOut = new double[gradOut.length];
        kernel.doubleBackward(s.batch(), x1, s.square() ? null : x2, s.weights(), gradOut, ggX1, ggX2, ggWeights,
                gX1, gX2, gWeights, gGradOut);
        return new double[][] {gX1, gX2, gWeights, gGradOut};
    }

    /** The first three of {@code expected} ({@code mul_ir}: x1's, x2's, the weights') against {@code actual}. */
    private static void compareGradients(Sample s, double[][] expected, double[][] actual, double tolerance,
                                         String what) {
        Irreps[] irreps = {s.in1(), s.in2()};
        for (int g = 0; g < 3; g++) {
            assertEquals(expected[g] == null, actual[g] == null, what + " gradient " + g);
            if (expected[g] != null) {
                double[] permuted = g < 2 ? toIrMul(irreps[g], s.batch(), expected[g]) : expected[g];
                assertClose(permuted, actual[g], tolerance, what + " gradient " + g);
            }
        }
    }

    private static double[] toIrMul(Irreps irreps, int batch, double[] mulIr) {
        return ReferenceTensorProductTest.in(Layout.IR_MUL, irreps, batch, mulIr);
    }
}
