package dev.e3j.processor;

import static dev.e3j.processor.testing.TestArrays.toDouble;
import static dev.e3j.processor.testing.TestArrays.toFloat;
import static dev.e3j.testsupport.ReferenceData.asDoubles;
import static dev.e3j.testsupport.ReferenceData.asInt;
import static dev.e3j.testsupport.ReferenceData.asList;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.processor.model.TensorProductModel;
import dev.e3j.processor.model.TensorProductModels;
import dev.e3j.processor.model.TensorProductSpec;
import dev.e3j.processor.model.PathSpec;
import dev.e3j.processor.testing.GeneratedKernels;
import dev.e3j.testsupport.ReferenceData;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.Layouts;
import dev.e3j.runtime.TensorProductKernel;
import dev.e3j.annotations.CgConvention;
import dev.e3j.annotations.IrrepNormalization;
import dev.e3j.annotations.Layout;
import dev.e3j.annotations.PathNormalization;
import dev.e3j.annotations.Precision;
import dev.e3j.annotations.TensorProduct;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every case of {@code tensor_products.json}, twice: as a CUSTOM spec with the case's explicit instructions, and
 * through the matching kind where one exists. Forward and all three gradients must agree to 1e-12 relative (float
 * overloads: 1e-5), and the model's coefficients with e3nn's. Once per {@link CgConvention}: e3nn 0.5.4's cases
 * with the default, e3nn 0.4.4's ({@code reference/e3nn-0.4.4}, products whose paths couple triples such as
 * {@code (1, 2, 2)} that the versions sign differently) with {@code cgConvention = E3NN_0_4}. Once per {@link Layout}:
 * the {@code IR_MUL} kernels take and return the reference's features permuted by {@link Layouts}; every backward
 * also runs with each gradient on its own and with both input gradients.
 */
class ReferenceTensorProductTest {

    /** The cases of one convention's reference file and their kernels, compiled once. */
    private record ReferenceSet(List<Map<String, Object>> cases, GeneratedKernels kernels) {}

    /** A convention's reference in one layout. */
    private record SetKey(CgConvention convention, Layout layout) {}

    private static final Map<SetKey, ReferenceSet> SETS = new HashMap<>();

    static Stream<Arguments> conventionsAndLayouts() {
        return Stream.of(CgConvention.values())
                .flatMap(convention -> Stream.of(Layout.values()).map(layout -> Arguments.of(convention, layout)));
    }

    /** {@code annotation} with {@code layout = ...} before its closing parenthesis, unless the default. */
    static String withLayout(String annotation, Layout layout) {
        return layout == Layout.MUL_IR ? annotation
                : annotation.substring(0, annotation.length() - 1) + ", layout = Layout." + layout + ")";
    }

    /** The spec of each case through its kind, or null for plain e3nn TensorProducts (only CUSTOM applies). */
    static String kindSpec(Map<String, Object> c) {
        return kindSpec(c, CgConvention.E3NN_0_5);
    }

    static String kindSpec(Map<String, Object> c, CgConvention convention) {
        String name = (String) c.get("name");
        String in1 = (String) c.get("irreps_in1");
        String in2 = (String) c.get("irreps_in2");
        String out = (String) c.get("irreps_out");
        boolean shared = (Boolean) c.get("shared_weights");
        String kind = switch (name) {
            case "fc_small", "fc_l4_repeated_per_sample" -> annotation(in1, in2, out, "FULLY_CONNECTED", shared);
            case "mode_uvu", "nequip_conv_uvu_per_edge_weights", "mode_uvu_l4" ->
                    annotation(in1, in2, out, "CHANNELWISE", shared);
            case "full" -> annotation("2x1o+1x2e", "1x0e+1x1o", "", "FULL", shared);
            case "elementwise" -> annotation("3x0e+2x1o+1x2e", "2x0e+1x0o+3x1e", "0e+1e+1o+2e+2o", "ELEMENTWISE", shared);
            case "tensor_square" -> annotation("2x0e+2x1o+1x2e", "", "", "SQUARE", shared);
            case "fc_flipped" -> annotation(in1, in2, out, "FULLY_CONNECTED", shared);
            case "channelwise_flipped" -> annotation(in1, in2, out, "CHANNELWISE", shared);
            case "full_flipped" -> annotation(in1, in2, "", "FULL", shared);
            default -> null;
        };
        return kind == null ? null : withConvention(kind, convention);
    }

    private static String annotation(String in1, String in2, String out, String kind, boolean shared) {
        return "@TensorProduct(in1 = \"" + in1 + "\", in2 = \"" + in2 + "\", out = \"" + out + "\", kind = Kind."
                + kind + ", sharedWeights = " + shared + ", precision = Precision.FLOAT)";
    }

    /** {@code annotation} with {@code cgConvention = ...} before its closing parenthesis, unless the default. */
    private static String withConvention(String annotation, CgConvention convention) {
        return convention == CgConvention.E3NN_0_5 ? annotation
                : annotation.substring(0, annotation.length() - 1) + ", cgConvention = CgConvention." + convention
                        + ")";
    }

    /** e3nn's path weights, which the reference's instruction list does not carry: "path weights [1.0, 0.5, 2.0]". */
    private static List<String> pathWeights(Map<String, Object> c, int count) {
        Matcher m = Pattern.compile("path weights \\[([^]]*)]").matcher((String) c.get("e3nn"));
        List<String> weights = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            if (m.find(0)) {
                String[] cycle = m.group(1).split(",\\s*");
                weights.add(cycle[n % cycle.length].strip());
            } else {
                weights.add("1");
            }
        }
        return weights;
    }

    private static List<PathSpec> paths(Map<String, Object> c) {
        List<Object> instructions = asList(c.get("instructions"));
        List<String> weights = pathWeights(c, instructions.size());
        List<PathSpec> paths = new ArrayList<>();
        for (int n = 0; n < instructions.size(); n++) {
            List<Object> ins = asList(instructions.get(n));
            paths.add(new PathSpec(asInt(ins.get(0)), asInt(ins.get(1)), asInt(ins.get(2)), (String) ins.get(3),
                    (Boolean) ins.get(4), weights.get(n)));
        }
        return paths;
    }

    private static String irrepNormalization(Map<String, Object> c) {
        return ((String) c.get("e3nn")).contains("irrep_normalization='norm'") ? "NORM"
                : ((String) c.get("e3nn")).contains("irrep_normalization='none'") ? "NONE" : "COMPONENT";
    }

    private static String pathNormalization(Map<String, Object> c) {
        return ((String) c.get("e3nn")).contains("path_normalization='path'") ? "PATH"
                : ((String) c.get("e3nn")).contains("path_normalization='none'") ? "NONE" : "ELEMENT";
    }

    static String customSpec(Map<String, Object> c) {
        return customSpec(c, CgConvention.E3NN_0_5);
    }

    static String customSpec(Map<String, Object> c, CgConvention convention) {
        StringBuilder paths = new StringBuilder();
        for (PathSpec p : paths(c)) {
            paths.append(paths.length() == 0 ? "" : ",\n            ").append("@Path(in1 = ").append(p.in1())
                    .append(", in2 = ").append(p.in2()).append(", out = ").append(p.out()).append(", mode = \"")
                    .append(p.mode()).append("\", weighted = ").append(p.weighted()).append(", pathWeight = \"")
                    .append(p.pathWeight()).append("\")");
        }
        return "@TensorProduct(in1 = \"" + c.get("irreps_in1") + "\", in2 = \"" + c.get("irreps_in2")
                + "\", out = \"" + c.get("irreps_out") + "\", kind = Kind.CUSTOM, sharedWeights = "
                + c.get("shared_weights") + ", precision = Precision.FLOAT, irrepNormalization = IrrepNormalization."
                + irrepNormalization(c) + ", pathNormalization = PathNormalization." + pathNormalization(c)
                + (convention == CgConvention.E3NN_0_5 ? "" : ", cgConvention = CgConvention." + convention)
                + ",\n        paths = {" + paths + "})";
    }

    static String javaName(Map<String, Object> c) {
        StringBuilder name = new StringBuilder();
        for (String part : ((String) c.get("name")).split("_")) {
            name.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
        return name.toString();
    }

    /** The cases of {@code convention}'s reference and their kernels, in package {@code ref.<convention>}. */
    private static synchronized ReferenceSet referenceSet(CgConvention convention, Layout layout)
            throws IOException {
        SetKey key = new SetKey(convention, layout);
        ReferenceSet compiled = SETS.get(key);
        if (compiled == null) {
            compiled = compile(convention, layout);
            SETS.put(key, compiled);
        }
        return compiled;
    }

    private static ReferenceSet compile(CgConvention convention, Layout layout) throws IOException {
        List<Map<String, Object>> cases = ReferenceData.cases(convention, "tensor_products.json");
        String packageName = packageName(convention, layout);
        StringBuilder source = new StringBuilder("package " + packageName + ";\n").append("""

                import dev.e3j.annotations.CgConvention;
                import dev.e3j.annotations.IrrepNormalization;
                import dev.e3j.annotations.Layout;
                import dev.e3j.annotations.Path;
                import dev.e3j.annotations.PathNormalization;
                import dev.e3j.annotations.Precision;
                import dev.e3j.annotations.TensorProduct;
                import dev.e3j.annotations.TensorProduct.Kind;
                import dev.e3j.runtime.TensorProductKernel;

                // e3nn's cases include outputs no path reaches, which e3nn fills with zeros: so must the kernels
                @SuppressWarnings("e3j.unreachable")
                interface Cases {
                """);
        for (Map<String, Object> c : cases) {
            if (!(Boolean) c.get("square")) {
                source.append("    ").append(withLayout(customSpec(c, convention), layout))
                        .append("\n    interface Custom")
                        .append(javaName(c)).append(" extends TensorProductKernel {}\n\n");
            }
            String kind = kindSpec(c, convention);
            if (kind != null) {
                source.append("    ").append(withLayout(kind, layout)).append("\n    interface Kind").append(javaName(c))
                        .append(" extends TensorProductKernel {}\n\n");
            }
        }
        source.append("}\n");
        return new ReferenceSet(cases, GeneratedKernels.compile(packageName + ".Cases", source.toString()));
    }

    private static String packageName(CgConvention convention, Layout layout) {
        return "ref." + convention.name().toLowerCase(Locale.ROOT) + "." + layout.name().toLowerCase(Locale.ROOT);
    }

    @ParameterizedTest
    @MethodSource("conventionsAndLayouts")
    void everyCaseThroughCustomPathsAndItsKind(CgConvention convention, Layout layout) throws IOException {
        ReferenceSet set = referenceSet(convention, layout);
        String prefix = packageName(convention, layout) + ".Cases_";
        int checked = 0;
        for (Map<String, Object> c : set.cases()) {
            if (!(Boolean) c.get("square")) {
                check(c, set.kernels().tensorProduct(prefix + "Custom" + javaName(c) + "Impl"), layout);
                checked++;
            }
            if (kindSpec(c) != null) {
                check(c, set.kernels().tensorProduct(prefix + "Kind" + javaName(c) + "Impl"), layout);
                checked++;
            }
        }
        switch (convention) {
            case E3NN_0_5 -> assertEquals(17, checked,
                    "11 CUSTOM kernels (all but the square) and 6 through their kind");
            case E3NN_0_4 -> assertEquals(7, checked, "4 CUSTOM kernels and 3 through their kind");
        }
    }

    @ParameterizedTest
    @EnumSource(CgConvention.class)
    void modelReproducesIrrepsAndCoefficients(CgConvention convention) throws Exception {
        for (Map<String, Object> c : ReferenceData.cases(convention, "tensor_products.json")) {
            if ((Boolean) c.get("square")) {
                continue;
            }
            TensorProductSpec spec = new TensorProductSpec((String) c.get("irreps_in1"),
                    (String) c.get("irreps_in2"), (String) c.get("irreps_out"), TensorProduct.Kind.CUSTOM, paths(c),
                    IrrepNormalization.valueOf(irrepNormalization(c)), PathNormalization.valueOf(pathNormalization(c)),
                    (Boolean) c.get("shared_weights"), Precision.DOUBLE, convention);
            TensorProductModel model = TensorProductModels.build(spec);
            assertCoefficients(c, model);
            assertEquals(convention, model.cgConvention());
        }
        if (convention == CgConvention.E3NN_0_5) {
            Map<String, Object> square = ReferenceData.cases("tensor_products.json").stream()
                    .filter(c -> (Boolean) c.get("square")).findFirst().orElseThrow();
            assertCoefficients(square, TensorProductModels.build(
                    TensorProductSpec.of("2x0e+2x1o+1x2e", "", "", TensorProduct.Kind.SQUARE)));
        }
    }

    private static void assertCoefficients(Map<String, Object> c, TensorProductModel model) {
        String name = (String) c.get("name");
        assertEquals(c.get("irreps_out"), model.irrepsOut().toString(), name);
        assertEquals(asInt(c.get("weight_numel")), model.weightNumel(), name);
        double[] expected = asDoubles(c.get("path_normalization_coefficients"));
        assertEquals(expected.length, model.paths().size(), name);
        for (int n = 0; n < expected.length; n++) {
            assertEquals(expected[n], model.paths().get(n).coefficient().doubleValue(), 1e-15 * expected[n],
                    name + " path " + n);
        }
    }

    private static void check(Map<String, Object> c, TensorProductKernel kernel, Layout layout) {
        String name = c.get("name") + " (" + kernel.getClass().getName() + ")";
        int batch = asInt(c.get("batch"));
        boolean square = (Boolean) c.get("square");
        assertEquals(c.get("irreps_in1"), kernel.irrepsIn1().toString(), name);
        assertEquals(c.get("irreps_out"), kernel.irrepsOut().toString(), name);
        assertEquals(asInt(c.get("weight_numel")), kernel.weightNumel(), name);
        Irreps in1 = kernel.irrepsIn1();
        Irreps irrepsOut = kernel.irrepsOut();
        double[] x1 = in(layout, in1, batch, asDoubles(c.get("x1")));
        double[] x2 = square ? x1 : in(layout, kernel.irrepsIn2(), batch, asDoubles(c.get("x2")));
        double[] weights = asDoubles(c.get("weights"));
        double[] gradOut = in(layout, irrepsOut, batch, asDoubles(c.get("grad_out")));
        double[] expectedOut = in(layout, irrepsOut, batch, asDoubles(c.get("out")));
        double[] expectedGradX1 = in(layout, in1, batch, asDoubles(c.get("grad_x1")));
        double[] expectedGradX2 = square ? null : in(layout, kernel.irrepsIn2(), batch, asDoubles(c.get("grad_x2")));
        double[] expectedGradWeights = asDoubles(c.get("grad_weights"));
        double[] out = new double[batch * irrepsOut.dim()];
        kernel.forward(batch, x1, x2, weights, out);
        assertClose(expectedOut, out, 1e-12, name + " out");
        double[] gradX1 = new double[x1.length];
        double[] gradX2 = square ? null : new double[x2.length];
        double[] gradWeights = new double[weights.length];
        kernel.backward(batch, x1, x2, weights, gradOut, gradX1, gradX2, gradWeights);
        assertClose(expectedGradX1, gradX1, 1e-12, name + " grad_x1");
        if (!square) {
            assertClose(expectedGradX2, gradX2, 1e-12, name + " grad_x2");
        }
        assertClose(expectedGradWeights, gradWeights, 1e-12, name + " grad_weights");
        // each gradient on its own, and both input gradients (forces): the passes other than the fused one
        double[] aloneX1 = new double[x1.length];
        kernel.backward(batch, x1, x2, weights, gradOut, aloneX1, null, null);
        assertClose(expectedGradX1, aloneX1, 1e-12, name + " grad_x1 alone");
        if (!square) {
            double[] aloneX2 = new double[x2.length];
            kernel.backward(batch, x1, x2, weights, gradOut, null, aloneX2, null);
            assertClose(expectedGradX2, aloneX2, 1e-12, name + " grad_x2 alone");
            double[] inputsX1 = new double[x1.length];
            double[] inputsX2 = new double[x2.length];
            kernel.backward(batch, x1, x2, weights, gradOut, inputsX1, inputsX2, null);
            assertClose(expectedGradX1, inputsX1, 1e-12, name + " grad_x1 with grad_x2");
            assertClose(expectedGradX2, inputsX2, 1e-12, name + " grad_x2 with grad_x1");
        }
        if (weights.length > 0) {
            double[] aloneWeights = new double[weights.length];
            kernel.backward(batch, x1, x2, weights, gradOut, null, null, aloneWeights);
            assertClose(expectedGradWeights, aloneWeights, 1e-12, name + " grad_weights alone");
        }

        float[] outF = new float[out.length];
        float[] x1F = toFloat(x1);
        float[] x2F = square ? x1F : toFloat(x2);
        kernel.forward(batch, x1F, x2F, toFloat(weights), outF);
        assertClose(expectedOut, toDouble(outF), 1e-5, name + " float out");
        float[] gradX1F = new float[x1.length];
        float[] gradX2F = square ? null : new float[x2.length];
        float[] gradWeightsF = new float[weights.length];
        kernel.backward(batch, x1F, x2F, toFloat(weights), toFloat(gradOut), gradX1F, gradX2F, gradWeightsF);
        assertClose(expectedGradX1, toDouble(gradX1F), 1e-5, name + " float grad_x1");
        if (!square) {
            assertClose(expectedGradX2, toDouble(gradX2F), 1e-5, name + " float grad_x2");
        }
        assertClose(expectedGradWeights, toDouble(gradWeightsF), 1e-5, name + " float grad_weights");
    }

    /** e3nn's {@code mul_ir} features of {@code batch} samples, in {@code layout}. */
    static double[] in(Layout layout, Irreps irreps, int batch, double[] mulIr) {
        if (layout == Layout.MUL_IR) {
            return mulIr;
        }
        double[] irMul = new double[mulIr.length];
        Layouts.toIrMul(irreps, batch, mulIr, irMul);
        return irMul;
    }

    /** {@code |actual - expected| <= tolerance * max(1, |expected|)} elementwise. */
    static void assertClose(double[] expected, double[] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        for (int i = 0; i < expected.length; i++) {
            double error = Math.abs(actual[i] - expected[i]);
            assertTrue(error <= tolerance * Math.max(1, Math.abs(expected[i])),
                    what + "[" + i + "]: expected " + expected[i] + ", got " + actual[i]);
        }
    }
}
