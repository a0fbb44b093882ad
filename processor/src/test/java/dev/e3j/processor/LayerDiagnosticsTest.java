package dev.e3j.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * Every invalid {@code @SphericalHarmonics} and {@code @Linear} is an error with a stable tag on the offending
 * annotation value (down to the array element), never a crash.
 */
class LayerDiagnosticsTest {

    private static final String HEADER = """
            package bad;

            import dev.e3j.annotations.Linear;
            import dev.e3j.annotations.SphericalHarmonics;
            import dev.e3j.runtime.LinearKernel;
            import dev.e3j.runtime.SphericalHarmonicsKernel;
            import dev.e3j.runtime.TensorProductKernel;

            """;

    /** Lines of the header: the first line of a body is line HEADER_LINES + 1. */
    private static final int HEADER_LINES = 8;

    private static JavaFileObject source(String body) {
        return JavaFileObjects.forSourceString("bad.Spec", HEADER + body);
    }

    private static Compilation compile(JavaFileObject file) {
        return Compiler.javac().withProcessors(new E3jProcessor()).compile(file);
    }

    /** Compiles {@code body}, asserts one error tagged {@code tag} on its line {@code bodyLine}, no kernel. */
    private static Compilation assertError(String body, int bodyLine, String tag) {
        JavaFileObject file = source(body);
        Compilation compilation = compile(file);
        assertThat(compilation).failed();
        assertThat(compilation).hadErrorCount(1);
        assertThat(compilation).hadErrorContaining("[" + tag + "]").inFile(file).onLine(HEADER_LINES + bodyLine);
        return compilation;
    }

    @Test
    void neitherLmaxNorLs() {
        assertError("""
                @SphericalHarmonics(
                    normalize = false)
                interface Spec extends SphericalHarmonicsKernel {}
                """, 1, "e3j.lmax");
        assertError("""
                @SphericalHarmonics(ls = {})
                interface Spec extends SphericalHarmonicsKernel {}
                """, 1, "e3j.lmax");
    }

    @Test
    void lmaxAboveTheSupportedDegree() {
        Compilation compilation = assertError("""
                @SphericalHarmonics(normalize = false,
                    lmax = 21)
                interface Spec extends SphericalHarmonicsKernel {}
                """, 2, "e3j.lmax");
        assertThat(compilation).hadErrorContaining("lmax = 21 exceeds 20");
    }

    @Test
    void lmaxAndLsTogether() {
        assertError("""
                @SphericalHarmonics(lmax = 2,
                    ls = {0, 1, 2})
                interface Spec extends SphericalHarmonicsKernel {}
                """, 2, "e3j.ls");
    }

    @Test
    void negativeDegreeInLsPointsAtTheElement() {
        Compilation compilation = assertError("""
                @SphericalHarmonics(ls = {0,
                    -1,
                    2})
                interface Spec extends SphericalHarmonicsKernel {}
                """, 2, "e3j.ls");
        assertThat(compilation).hadErrorContaining("ls[1] = -1 is negative");
    }

    @Test
    void degreeInLsAboveTheSupportedDegree() {
        assertError("""
                @SphericalHarmonics(ls = {0, 1,
                    25})
                interface Spec extends SphericalHarmonicsKernel {}
                """, 2, "e3j.ls");
    }

    @Test
    void collectsEveryDegreeError() {
        JavaFileObject file = source("""
                @SphericalHarmonics(lmax = 3, ls = {
                    -2,
                    30})
                interface Spec extends SphericalHarmonicsKernel {}
                """);
        Compilation compilation = compile(file);
        assertThat(compilation).hadErrorCount(3);
        assertThat(compilation).hadErrorContaining("give lmax or ls, not both").inFile(file).onLine(HEADER_LINES + 1);
        assertThat(compilation).hadErrorContaining("ls[0] = -2").inFile(file).onLine(HEADER_LINES + 2);
        assertThat(compilation).hadErrorContaining("ls[1] = 30").inFile(file).onLine(HEADER_LINES + 3);
    }

    @Test
    void sphericalHarmonicsOnTheWrongKernel() {
        assertError("""
                @SphericalHarmonics(lmax = 2)
                interface Spec extends TensorProductKernel {}
                """, 1, "e3j.target");
        assertError("""
                @SphericalHarmonics(lmax = 2)
                abstract class Spec implements SphericalHarmonicsKernel {}
                """, 1, "e3j.target");
    }

    @Test
    void malformedLinearIrrepsQuotesThePosition() {
        Compilation compilation = assertError("""
                @Linear(
                    in = "2x0e + 3x1q",
                    out = "1x0e")
                interface Spec extends LinearKernel {}
                """, 2, "e3j.irreps");
        assertThat(compilation).hadErrorContaining("position 10");
        assertError("""
                @Linear(in = "2x0e",
                    out = "1x0e + x")
                interface Spec extends LinearKernel {}
                """, 2, "e3j.irreps");
    }

    @Test
    void linearWithoutPathOrBias() {
        Compilation compilation = assertError("""
                @Linear(in = "2x1o", out = "1x1e + 2x2e",
                        biases = true)
                interface Spec extends LinearKernel {}
                """, 1, "e3j.no-paths");
        assertThat(compilation).hadErrorContaining("no 0e output to bias");
    }

    @Test
    void linearOnTheWrongKernelStillChecksItsIrreps() {
        JavaFileObject file = source("""
                @Linear(in = "2x0e",
                    out = "0e + 1q")
                interface Spec extends SphericalHarmonicsKernel {}
                """);
        Compilation compilation = compile(file);
        assertThat(compilation).hadErrorCount(2);
        assertThat(compilation).hadErrorContaining("[e3j.target]").inFile(file).onLine(HEADER_LINES + 1);
        assertThat(compilation).hadErrorContaining("[e3j.irreps]").inFile(file).onLine(HEADER_LINES + 2);
    }
}
