package dev.e3j.processor.writer;

import static dev.e3j.processor.testing.TestArrays.toDouble;
import static dev.e3j.processor.testing.TestArrays.toFloat;
import static dev.e3j.processor.writer.LinearWriterTest.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.e3j.processor.testing.FiniteDifferences;
import dev.e3j.processor.testing.GeneratedKernels;
import dev.e3j.runtime.TensorProductKernel;
import dev.e3j.runtime.WeightView;
import dev.e3j.testsupport.ReferenceData;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** e3nn's {@code right(x2, weights)} and {@code weight_views} of generated tensor products. */
class TensorProductRightTest {

    private static TensorProductKernel kernel(String annotation) {
        String source = String.format(Locale.ROOT, """
                package test.right;

                import dev.e3j.annotations.Path;
                import dev.e3j.annotations.Precision;
                import dev.e3j.annotations.TensorProduct;
                import dev.e3j.annotations.TensorProduct.Kind;
                import dev.e3j.runtime.TensorProductKernel;

                %s
                interface Tp extends TensorProductKernel {}
                """, annotation);
        return GeneratedKernels.compile("test.right.Tp", source).tensorProduct("test.right.TpImpl");
    }

    @SuppressWarnings("unchecked")
    private static String annotation(Map<String, Object> c) {
        StringBuilder a = new StringBuilder(String.format(Locale.ROOT,
                "@TensorProduct(in1 = \"%s\", in2 = \"%s\", out = \"%s\", kind = Kind.%s, sharedWeights = %s",
                c.get("irreps_in1"), c.get("irreps_in2"), c.get("irreps_out"), c.get("kind"),
                c.getOrDefault("shared_weights", true)));
        if (c.get("instructions") instanceof List<?> instructions) {
            a.append(", paths = {").append(instructions.stream().map(i -> (List<Object>) i)
                    .map(i -> String.format(Locale.ROOT, "@Path(in1 = %d, in2 = %d, out = %d, mode = \"%s\")",
                            ReferenceData.asInt(i.get(0)), ReferenceData.asInt(i.get(1)),
                            ReferenceData.asInt(i.get(2)), i.get(3)))
                    .collect(Collectors.joining(", "))).append("}");
        }
        return a.append(")").toString();
    }

    @Test
    @SuppressWarnings("unchecked")
    void rightAndWeightViewsMatchE3nn() throws IOException {
        Map<String, Object> document = (Map<String, Object>) ReferenceData.load("linear_parity.json");
        List<Map<String, Object>> cases = (List<Map<String, Object>>) document.get("tensor_product_right");
        assertEquals(2, cases.size());
        for (Map<String, Object> c : cases) {
            TensorProductKernel kernel = kernel(annotation(c));
            assertEquals(ReferenceData.asInt(c.get("weight_numel")), kernel.weightNumel());
            int batch = ReferenceData.asInt(c.get("batch"));
            double[] x2 = ReferenceData.asDoubles(c.get("x2"));
            double[] weights = ReferenceData.asDoubles(c.get("weights"));
            double[] right = new double[batch * kernel.irrepsIn1().dim() * kernel.irrepsOut().dim()];
            kernel.right(batch, x2, weights, right);
            assertClose(ReferenceData.asDoubles(c.get("right")), right, 1e-12);
            List<WeightView> expected = ((List<Object>) c.get("weight_views")).stream()
                    .map(v -> (List<Object>) v)
                    .map(v -> new WeightView(ReferenceData.asInt(v.get(0)), ReferenceData.asInt(v.get(1)),
                            ReferenceData.asInt(v.get(2)), ReferenceData.asInt(v.get(3)), (String) v.get(4),
                            ReferenceData.asInt(v.get(5)), ((List<Object>) v.get(6)).stream()
                                    .map(ReferenceData::asInt).toList()))
                    .toList();
            assertEquals(expected, kernel.weightViews());
        }
    }

    /** {@code forward(x1, x2)[b] = x1[b] . right(x2)[b]}, for several modes, per-sample weights and floats. */
    @Test
    void rightContractedWithX1IsTheForwardPass() {
        TensorProductKernel kernel = kernel("@TensorProduct(in1 = \"2x0e+2x1o+1x2e\", in2 = \"2x0e+2x1o\","
                + " out = \"2x0e+2x1o+2x1e+2x2e\", kind = Kind.CUSTOM, sharedWeights = false,"
                + " precision = Precision.FLOAT, paths = {@Path(in1 = 1, in2 = 1, out = 0, mode = \"uvw\"),"
                + " @Path(in1 = 1, in2 = 0, out = 1, mode = \"uvu\"), @Path(in1 = 1, in2 = 1, out = 2, mode = \"uuu\","
                + " weighted = false), @Path(in1 = 0, in2 = 1, out = 1, mode = \"uvv\"),"
                + " @Path(in1 = 2, in2 = 0, out = 3, mode = \"uvw\", pathWeight = \"1/3\")})");
        int batch = 3;
        int dim1 = kernel.irrepsIn1().dim();
        int dim2 = kernel.irrepsIn2().dim();
        int dimOut = kernel.irrepsOut().dim();
        Random random = new Random(9);
        double[] x1 = FiniteDifferences.gaussian(random, batch * dim1);
        double[] x2 = FiniteDifferences.gaussian(random, batch * dim2);
        double[] weights = FiniteDifferences.gaussian(random, batch * kernel.weightNumel());
        double[] out = new double[batch * dimOut];
        kernel.forward(batch, x1, x2, weights, out);
        double[] right = new double[batch * dim1 * dimOut];
        kernel.right(batch, x2, weights, right);
        double[] contracted = new double[batch * dimOut];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < dim1; i++) {
                for (int k = 0; k < dimOut; k++) {
                    contracted[b * dimOut + k] += x1[b * dim1 + i] * right[(b * dim1 + i) * dimOut + k];
                }
            }
        }
        assertClose(out, contracted, 1e-12);
        float[] rightFloat = new float[right.length];
        kernel.right(batch, toFloat(x2), toFloat(weights), rightFloat);
        assertClose(right, toDouble(rightFloat), 1e-4);
        int offset = 0;
        for (WeightView view : kernel.weightViews()) {
            assertEquals(offset, view.offset(), view.toString());
            offset += view.numel();
        }
        assertEquals(kernel.weightNumel(), offset);
        assertEquals(List.of(0, 1, 3, 4), kernel.weightViews().stream().map(WeightView::path).toList());
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                () -> kernel.right(batch, x2, weights, new double[right.length - 1]));
        assertEquals(true, thrown.getMessage().contains("out must have length"), thrown.getMessage());
    }

    @Test
    void squaresHaveNoRightOperator() {
        TensorProductKernel kernel = kernel("@TensorProduct(in1 = \"2x1o\", kind = Kind.SQUARE)");
        assertThrows(UnsupportedOperationException.class,
                () -> kernel.right(1, new double[6], new double[0], new double[0]));
    }
}
