package dev.e3j.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.TypeElement;
import org.junit.jupiter.api.Test;

/**
 * A spec whose annotation values name a constant that another processor generates waits for the round in which the
 * constant exists (javac hands processors {@code "<error>"} for it until then), instead of failing the build with a
 * misleading irreps error or a ClassCastException. A value that never resolves is one positioned error.
 */
class DeferredSpecsTest {

    private static final String SPECS = """
            package deferred;

            import dev.e3j.annotations.Linear;
            import dev.e3j.annotations.Path;
            import dev.e3j.annotations.SphericalHarmonics;
            import dev.e3j.annotations.TensorProduct;
            import dev.e3j.runtime.LinearKernel;
            import dev.e3j.runtime.SphericalHarmonicsKernel;
            import dev.e3j.runtime.TensorProductKernel;

            interface Specs {
                @Linear(in = Constants.IN, out = "1x0e", biases = Constants.BIASES)
                interface Mix extends LinearKernel {}

                @SphericalHarmonics(ls = {1, Constants.L})
                interface Sh extends SphericalHarmonicsKernel {}

                @TensorProduct(in1 = "2x1o", in2 = "1x1o", out = "2x0e", kind = TensorProduct.Kind.CUSTOM,
                        paths = {@Path(in1 = 0, in2 = 0, out = 0, mode = "uvu", pathWeight = Constants.WEIGHT)})
                interface Product extends TensorProductKernel {}
            }
            """;

    /** Generates {@code deferred.Constants} in the first round, as a code generator of the user's build would. */
    private static final class ConstantsProcessor extends AbstractProcessor {
        private boolean written;

        @Override
        public Set<String> getSupportedAnnotationTypes() {
            return Set.of("*");
        }

        @Override
        public SourceVersion getSupportedSourceVersion() {
            return SourceVersion.latestSupported();
        }

        @Override
        public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
            if (!written) {
                written = true;
                try (Writer writer = processingEnv.getFiler().createSourceFile("deferred.Constants").openWriter()) {
                    writer.write("package deferred;\n\ninterface Constants {\n    String IN = \"2x0e\";\n"
                            + "    boolean BIASES = true;\n    int L = 2;\n    String WEIGHT = \"1/2\";\n}\n");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return false;
        }
    }

    @Test
    void specsWaitForGeneratedConstants() {
        Compilation compilation = Compiler.javac()
                .withProcessors(new ConstantsProcessor(), new E3jProcessor())
                .withOptions("-Xlint:all", "-Werror")
                .compile(JavaFileObjects.forSourceString("deferred.Specs", SPECS));
        assertThat(compilation).succeededWithoutWarnings();
        assertThat(compilation).generatedSourceFile("deferred/Specs_MixImpl");
        assertThat(compilation).generatedSourceFile("deferred/Specs_ShImpl");
        assertThat(compilation).generatedSourceFile("deferred/Specs_ProductImpl");
    }

    @Test
    void aValueThatNeverResolvesIsOneError() {
        Compilation compilation = Compiler.javac()
                .withProcessors(new E3jProcessor())
                .compile(JavaFileObjects.forSourceString("deferred.Specs", SPECS));
        assertThat(compilation).failed();
        assertThat(compilation).hadErrorContaining("[e3j.unresolved] @Linear on deferred.Specs.Mix");
        assertThat(compilation).hadErrorContaining("[e3j.unresolved] @SphericalHarmonics on deferred.Specs.Sh");
        assertThat(compilation).hadErrorContaining("[e3j.unresolved] @TensorProduct on deferred.Specs.Product");
        assertThat(compilation).hadErrorContaining("cannot find symbol");
    }
}
