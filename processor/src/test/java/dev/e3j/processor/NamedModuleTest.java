package dev.e3j.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.annotations.TensorProduct;
import dev.e3j.runtime.TensorProductKernel;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Specs in a named module, compiled against the runtime and annotation modules on the module path with
 * {@code -Xlint:all -Werror} by the system compiler on files (compile-testing's in-memory file manager does not
 * compile modules). {@code @Generated} lives in {@code java.compiler}: the generated classes carry it only when the
 * module reads that module (directly or as {@code java.se} requires it, transitively) and, in an exported package,
 * requires it transitively; they compile without warnings either way. In an exported package every kernel needs an
 * explicit constructor.
 */
class NamedModuleTest {

    private static final String SPECS = """
            package kernels.api;

            import dev.e3j.annotations.Linear;
            import dev.e3j.annotations.SphericalHarmonics;
            import dev.e3j.annotations.TensorProduct;
            import dev.e3j.runtime.LinearKernel;
            import dev.e3j.runtime.SphericalHarmonicsKernel;
            import dev.e3j.runtime.TensorProductKernel;

            /** The kernels of this module. */
            public final class Specs {
                private Specs() {
                }

                /** A product. */
                @TensorProduct(in1 = "2x0e + 1x1o", in2 = "0e + 1o", out = "2x0e + 1x1o")
                public interface Fc extends TensorProductKernel {
                }

                /** Harmonics. */
                @SphericalHarmonics(lmax = 2)
                public interface Sh extends SphericalHarmonicsKernel {
                }

                /** A linear map. */
                @Linear(in = "2x0e + 1x1o", out = "3x0e + 1x1o")
                public interface Mix extends LinearKernel {
                }
            }
            """;

    @TempDir
    Path directory;

    @ParameterizedTest(name = "{index}: {0}")
    @CsvSource(delimiter = '|', value = {
            "requires dev.e3j.runtime; requires static dev.e3j.annotations; | false",
            "requires dev.e3j.runtime; requires static dev.e3j.annotations; requires static java.se; | true",
            "requires transitive dev.e3j.runtime; requires static transitive dev.e3j.annotations; "
                    + "exports kernels.api; | false",
            "requires transitive dev.e3j.runtime; requires static transitive dev.e3j.annotations; "
                    + "requires static java.compiler; exports kernels.api; | false",
            "requires transitive dev.e3j.runtime; requires static transitive dev.e3j.annotations; "
                    + "requires static transitive java.compiler; exports kernels.api; | true",
    })
    void compilesWithoutWarningsAndUsesGeneratedOnlyWhereUsable(String directives, boolean generatedExpected)
            throws IOException {
        Path sources = directory.resolve("src");
        Path specs = sources.resolve("kernels/api/Specs.java");
        Files.createDirectories(specs.getParent());
        Files.writeString(specs, SPECS);
        Files.writeString(sources.resolve("module-info.java"),
                "/** Kernels in a named module. */\nmodule kernels {\n    " + directives + "\n}\n");
        Path generated = directory.resolve("generated");
        Path classes = directory.resolve("classes");
        Files.createDirectories(generated);
        Files.createDirectories(classes);

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            JavaCompiler.CompilationTask task = javac.getTask(null, files, diagnostics,
                    List.of("-Xlint:all", "-Werror", "-d", classes.toString(), "-s", generated.toString(),
                            "--module-path", location(TensorProductKernel.class) + File.pathSeparator
                                    + location(TensorProduct.class)),
                    null, files.getJavaFileObjects(sources.resolve("module-info.java"), specs));
            task.setProcessors(List.of(new E3jProcessor()));
            boolean compiled = task.call();
            assertTrue(compiled && diagnostics.getDiagnostics().isEmpty(), diagnostics.getDiagnostics().toString());
        }
        for (String kernel : List.of("Specs_FcImpl", "Specs_ShImpl", "Specs_MixImpl")) {
            String source = Files.readString(generated.resolve("kernels/api/" + kernel + ".java"));
            assertEquals(generatedExpected, source.contains("@Generated("), kernel);
        }
    }

    /** The directory or jar that holds {@code type}: {@code target/classes} or the module's jar. */
    private static String location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
