package dev.e3j.processor.writer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.palantir.javapoet.ClassName;
import dev.e3j.annotations.Precision;
import dev.e3j.annotations.ShNormalization;
import dev.e3j.processor.model.SphericalHarmonicsModel;
import dev.e3j.processor.model.TextbookSphericalHarmonics;
import dev.e3j.runtime.SphericalHarmonicsKernel;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SphericalHarmonicsWriterTest {

    private static final ClassName SPEC = ClassName.get("test.sh", "Sh");
    private static final ClassName IMPL = ClassName.get("test.sh", "ShImpl");

    static SphericalHarmonicsKernel kernel(List<Integer> ls, ShNormalization normalization, boolean normalize,
                                           Precision precision) throws Exception {
        int lmax = ls.stream().mapToInt(Integer::intValue).max().orElse(0);
        SphericalHarmonicsModel model = SphericalHarmonicsModel.of(ls, normalization, normalize,
                TextbookSphericalHarmonics.upTo(lmax));
        Class<?> impl = new InMemoryCompiler().compile(SPEC, SphericalHarmonicsKernel.class,
                SphericalHarmonicsWriter.write(model, precision, SPEC, IMPL));
        return (SphericalHarmonicsKernel) impl.getDeclaredConstructor().newInstance();
    }

    @Test
    void matchesE3nnValuesAndGradients() throws Exception {
        List<Map<String, Object>> cases = ReferenceJson.cast(
                ReferenceJson.load("spherical_harmonics.json").get("cases"));
        for (Map<String, Object> c : cases) {
            List<Double> lsDouble = ReferenceJson.cast(c.get("ls"));
            List<Integer> ls = lsDouble.stream().map(Double::intValue).toList();
            ShNormalization normalization = ShNormalization.valueOf(
                    ((String) c.get("normalization")).toUpperCase(Locale.ROOT));
            SphericalHarmonicsKernel kernel = kernel(ls, normalization, (Boolean) c.get("normalize"),
                    Precision.DOUBLE);
            assertEquals(c.get("irreps"), kernel.irrepsOut().toString());
            double[] xyz = ReferenceJson.flat(c.get("vectors"));
            int n = xyz.length / 3;
            double[] out = new double[n * kernel.irrepsOut().dim()];
            kernel.forward(n, xyz, out);
            String label = ls + " " + normalization + " normalize=" + c.get("normalize");
            LinearWriterTest.assertClose(ReferenceJson.flat(c.get("values")), out, 1e-12);
            double[] gradXyz = new double[xyz.length];
            kernel.backward(n, xyz, ReferenceJson.flat(c.get("grad_values")), gradXyz);
            LinearWriterTest.assertClose(ReferenceJson.flat(c.get("grad_vectors")), gradXyz, 1e-12);
            assertEquals(n * kernel.irrepsOut().dim(), out.length, label);
        }
    }
}
