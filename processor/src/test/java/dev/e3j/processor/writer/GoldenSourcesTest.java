package dev.e3j.processor.writer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.TypeSpec;
import dev.e3j.annotations.PathNormalization;
import dev.e3j.annotations.Precision;
import dev.e3j.annotations.ShNormalization;
import dev.e3j.processor.model.LinearModel;
import dev.e3j.processor.model.SphericalHarmonicsModel;
import dev.e3j.runtime.Irreps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The generated source of one small spec per writer, compared with {@code src/test/resources/golden/}; run with
 * {@code E3J_UPDATE_GOLDENS=1} to rewrite the goldens after an intended change.
 */
class GoldenSourcesTest {

    @Test
    void sphericalHarmonicsUpToDegree2() throws IOException {
        ClassName spec = ClassName.get("golden", "Sh2");
        check("Sh2Impl.java", SphericalHarmonicsWriter.write(
                SphericalHarmonicsModel.of(List.of(0, 1, 2), ShNormalization.COMPONENT, true), Precision.DOUBLE,
                spec, ClassName.get("golden", "Sh2Impl")));
    }

    @Test
    void linearWithBiases() throws IOException {
        ClassName spec = ClassName.get("golden", "Mix");
        check("MixImpl.java", LinearWriter.write(
                LinearModel.of(Irreps.parse("2x0e+1x1o"), Irreps.parse("1x0e+2x1o"), true, PathNormalization.ELEMENT),
                Precision.DOUBLE, spec, ClassName.get("golden", "MixImpl")));
    }

    private static void check(String name, TypeSpec type) throws IOException {
        String actual = JavaFile.builder("golden", type).build().toString();
        Path golden = Path.of("src/test/resources/golden", name);
        if (System.getenv("E3J_UPDATE_GOLDENS") != null) {
            Files.writeString(golden, actual);
        }
        assertEquals(Files.readString(golden), actual, "regenerate with E3J_UPDATE_GOLDENS=1 if intended");
    }
}
