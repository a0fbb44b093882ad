package dev.e3j.processor.writer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.e3j.annotations.Layout;
import dev.e3j.processor.testing.FeatureLayouts;
import dev.e3j.processor.testing.GeneratedKernels;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.LinearKernel;
import dev.e3j.runtime.SphericalHarmonicsKernel;
import dev.e3j.runtime.SymmetricContractionKernel;
import dev.e3j.testsupport.ReferenceData;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The generated {@code doubleBackward} of harmonics, linear (in both layouts) and symmetric-contraction kernels against
 * torch autograd's second derivatives ({@code create_graph=True}) of e3nn 0.5.4's {@code o3.spherical_harmonics} and
 * {@code o3.Linear} and mace-torch 0.3.6's {@code SymmetricContraction}, float64 to 1e-10 ({@code
 * tools/make_double_backward_kernels_reference.py}).
 */
class DoubleBackwardReferenceTest {

    private static final double TOLERANCE = 1e-10;

    private static List<Map<String, Object>> harmonics;
    private static List<Map<String, Object>> linears;
    private static List<Map<String, Object>> contractions;
    private static GeneratedKernels kernels;

    @BeforeAll
    static void compile() {
        Map<String, Object> e3nn = ReferenceData.object(ReferenceData.load("double_backward_kernels.json"));
        harmonics = cases(e3nn.get("spherical_harmonics"));
        linears = cases(e3nn.get("linear"));
        contractions = cases(ReferenceData.object(ReferenceData.load(ReferenceData.directory()
                .resolveSibling("mace-0.3.6").resolve("double_backward_kernels.json"))).get("symmetric_contraction"));
        StringBuilder source = new StringBuilder("""
                package test.dbref;

                import dev.e3j.annotations.*;
                import dev.e3j.runtime.*;

                interface Specs {
                """);
        for (int i = 0; i < harmonics.size(); i++) {
            Map<String, Object> c = harmonics.get(i);
            source.append(String.format(Locale.ROOT, """
                        @SphericalHarmonics(ls = {%s}, normalize = %s, normalization = ShNormalization.%s)
                        interface Sh%d extends SphericalHarmonicsKernel {}
                    """, ReferenceData.asInts(c.get("ls")).stream().map(String::valueOf)
                            .collect(Collectors.joining(", ")), c.get("normalize"),
                    ((String) c.get("normalization")).toUpperCase(Locale.ROOT), i));
        }
        for (Layout layout : Layout.values()) {
            for (int i = 0; i < linears.size(); i++) {
                Map<String, Object> c = linears.get(i);
                source.append(String.format(Locale.ROOT, """
                            @Linear(in = "%s", out = "%s", biases = %s, sharedWeights = %s, fIn = %d, fOut = %d,
                                    layout = Layout.%s)
                            interface %s extends LinearKernel {}
                        """, c.get("irreps_in"), c.get("irreps_out"), c.getOrDefault("biases", false),
                        c.getOrDefault("shared_weights", true), features(c.get("f_in")), features(c.get("f_out")),
                        layout, linearName(layout, i)));
            }
        }
        for (Layout layout : Layout.values()) {
            for (int i = 0; i < contractions.size(); i++) {
                Map<String, Object> c = contractions.get(i);
                source.append(String.format(Locale.ROOT, """
                            @SymmetricContraction(in = "%s", out = "%s", correlation = %d, elements = %d,
                                                  cgConvention = CgConvention.E3NN_0_4, layout = Layout.%s)
                            interface %s extends SymmetricContractionKernel {}
                        """, c.get("irreps_in"), c.get("irreps_out"), ReferenceData.asInt(c.get("correlation")),
                        ReferenceData.asInt(c.get("elements")), layout, contractionName(layout, i)));
            }
        }
        kernels = GeneratedKernels.compile("test.dbref.Specs", source.append("}\n").toString());
    }

    private static List<Map<String, Object>> cases(Object list) {
        List<Map<String, Object>> cases = new ArrayList<>();
        ReferenceData.asList(list).forEach(c -> cases.add(ReferenceData.object(c)));
        return cases;
    }

    /** The spec of linear case {@code i} in {@code layout}: {@code Lin0}, {@code LinIR_MUL0}. */
    private static String linearName(Layout layout, int i) {
        return "Lin" + (layout == Layout.MUL_IR ? "" : layout.name()) + i;
    }

    /** The spec of symmetric contraction case {@code i} in {@code layout}: {@code Sc0}, {@code ScIR_MUL0}. */
    private static String contractionName(Layout layout, int i) {
        return "Sc" + (layout == Layout.MUL_IR ? "" : layout.name()) + i;
    }

    /** e3nn's {@code f_in} / {@code f_out}: null stands for 1. */
    private static int features(Object value) {
        return value == null ? 1 : ReferenceData.asInt(value);
    }

    private static double[] doubles(Map<String, Object> c, String key) {
        return ReferenceData.asDoubles(c.get(key));
    }

    @Test
    void harmonicsEqualTorchSecondDerivatives() {
        assertEquals(5, harmonics.size());
        for (int i = 0; i < harmonics.size(); i++) {
            Map<String, Object> c = harmonics.get(i);
            SphericalHarmonicsKernel kernel = kernels.kernel("test.dbref.Specs_Sh" + i + "Impl",
                    SphericalHarmonicsKernel.class);
            double[] xyz = doubles(c, "xyz");
            int n = xyz.length / 3;
            double[] gXyz = new double[xyz.length];
            double[] gGradOut = new double[n * kernel.irrepsOut().dim()];
            kernel.doubleBackward(n, xyz, doubles(c, "grad_out"), doubles(c, "gg_xyz"), gXyz, gGradOut);
            String name = "harmonics " + c.get("ls") + " normalize " + c.get("normalize") + " " + c.get("normalization");
            // per point: the last lies below normalize's floor, where the derivatives are some 1e12 times larger
            int dim = kernel.irrepsOut().dim();
            for (int p = 0; p < n; p++) {
                assertPointClose(doubles(c, "g_xyz"), gXyz, 3 * p, 3, name + ": g_xyz of point " + p);
                assertPointClose(doubles(c, "g_grad_out"), gGradOut, p * dim, dim, name + ": g_grad_out of point " + p);
            }
        }
    }

    /** In both layouts: the features (and their cotangents and results) go through {@link FeatureLayouts}. */
    @ParameterizedTest
    @EnumSource(Layout.class)
    void linearEqualsTorchSecondDerivatives(Layout layout) {
        assertEquals(3, linears.size());
        for (int i = 0; i < linears.size(); i++) {
            Map<String, Object> c = linears.get(i);
            LinearKernel kernel = kernels.kernel("test.dbref.Specs_" + linearName(layout, i) + "Impl",
                    LinearKernel.class);
            Irreps in = kernel.irrepsIn();
            Irreps out = kernel.irrepsOut();
            double[] x = FeatureLayouts.fromE3nn(layout, in, doubles(c, "x"));
            double[] weights = doubles(c, "weights");
            double[] gradOut = FeatureLayouts.fromE3nn(layout, out, doubles(c, "grad_out"));
            double[] gX = new double[x.length];
            double[] gWeights = new double[weights.length];
            double[] gGradOut = new double[gradOut.length];
            double[] ggBias = doubles(c, "gg_bias");
            kernel.doubleBackward(ReferenceData.asInt(c.get("batch")), x, weights, gradOut,
                    FeatureLayouts.fromE3nn(layout, in, doubles(c, "gg_x")), doubles(c, "gg_weights"),
                    ggBias.length == 0 ? null : ggBias, gX, gWeights, gGradOut);
            String name = "linear " + c.get("irreps_in") + " -> " + c.get("irreps_out") + " " + layout;
            assertPointClose(doubles(c, "g_x"), FeatureLayouts.toE3nn(layout, in, gX), 0, gX.length, name + ": g_x");
            assertPointClose(doubles(c, "g_weights"), gWeights, 0, gWeights.length, name + ": g_weights");
            assertPointClose(doubles(c, "g_grad_out"), FeatureLayouts.toE3nn(layout, out, gGradOut), 0,
                    gGradOut.length, name + ": g_grad_out");
        }
    }

    /** In both layouts, as {@link #linearEqualsTorchSecondDerivatives}. */
    @ParameterizedTest
    @EnumSource(Layout.class)
    void symmetricContractionEqualsTorchSecondDerivatives(Layout layout) {
        assertEquals(4, contractions.size());
        for (int i = 0; i < contractions.size(); i++) {
            Map<String, Object> c = contractions.get(i);
            SymmetricContractionKernel kernel = kernels.kernel("test.dbref.Specs_" + contractionName(layout, i)
                    + "Impl", SymmetricContractionKernel.class);
            Irreps in = kernel.irrepsIn();
            Irreps out = kernel.irrepsOut();
            double[] x = FeatureLayouts.fromE3nn(layout, in, doubles(c, "x"));
            int[] elements = ReferenceData.asInts(c.get("node_elements")).stream().mapToInt(Integer::intValue)
                    .toArray();
            double[] weights = doubles(c, "weights");
            double[] gradOut = FeatureLayouts.fromE3nn(layout, out, doubles(c, "grad_out"));
            double[] gX = new double[x.length];
            double[] gWeights = new double[weights.length];
            double[] gGradOut = new double[gradOut.length];
            kernel.doubleBackward(elements.length, x, elements, weights, gradOut,
                    FeatureLayouts.fromE3nn(layout, in, doubles(c, "gg_x")), doubles(c, "gg_weights"), gX, gWeights,
                    gGradOut);
            String name = "symmetric contraction " + c.get("irreps_in") + " -> " + c.get("irreps_out")
                    + ", correlation " + c.get("correlation") + " " + layout;
            assertPointClose(doubles(c, "g_x"), FeatureLayouts.toE3nn(layout, in, gX), 0, gX.length, name + ": g_x");
            assertPointClose(doubles(c, "g_weights"), gWeights, 0, gWeights.length, name + ": g_weights");
            assertPointClose(doubles(c, "g_grad_out"), FeatureLayouts.toE3nn(layout, out, gGradOut), 0,
                    gGradOut.length, name + ": g_grad_out");
        }
    }

    /**
     * {@code actual[from .. from + length)} equals {@code expected} there within {@link #TOLERANCE} of the range's
     * largest magnitude (at least 1).
     */
    private static void assertPointClose(double[] expected, double[] actual, int from, int length, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        double scale = 1;
        for (int i = from; i < from + length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        for (int i = from; i < from + length; i++) {
            assertEquals(expected[i], actual[i], TOLERANCE * scale, what + "[" + (i - from) + "]");
        }
    }
}
