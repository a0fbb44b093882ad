package dev.e3j.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import dev.e3j.processor.testing.SpecSources;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * Every invalid {@code @SphericalHarmonics} and {@code @Linear} is an error with a stable tag on the offending
 * annotation value (down to the array element), never a crash.
 */
class LayerDiagnosticsTest {

    private static final SpecSources SOURCES = new SpecSources("dev.e3j.annotations.Linear",
            "dev.e3j.annotations.SphericalHarmonics", "dev.e3j.runtime.LinearKernel",
            "dev.e3j.runtime.SphericalHarmonicsKernel", "dev.e3j.runtime.TensorProductKernel");

    /** Compiles {@code body}, asserts one error tagged {@code tag} on its line {@code bodyLine}, no kernel. */
    private static Compilation assertError(String body, int bodyLine, String tag) {
        Compilation compilation = SOURCES.assertError(body, bodyLine, tag);
        assertThat(compilation).hadErrorCount(1);
        return compilation;
    }

    @Test
    void linearWeightsBeyondAnArray() {
        assertError("""
                @Linear(in = "70000x0e", out = "70000x0e")
                interface Spec extends LinearKernel {}
                """, 1, "e3j.size");
    }

    @Test
    void linearDegreeBeyondTheSupportedOne() {
        Compilation compilation = assertError("""
                @Linear(in = "2x0e + 1x1073741823e",
                    out = "2x0e")
                interface Spec extends LinearKernel {}
                """, 1, "e3j.size");
        assertThat(compilation).hadErrorContaining("in[1] = 1x1073741823e exceeds degree 100");
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

    /** e3nn's parity check of {@code SphericalHarmonics(irreps_out)}, and one way of giving the degrees. */
    @Test
    void harmonicsIrrepsWithTheWrongParity() {
        Compilation compilation = assertError("""
                @SphericalHarmonics(
                    irreps = "0e + 1e + 1o")
                interface Spec extends SphericalHarmonicsKernel {}
                """, 2, "e3j.irreps");
        assertThat(compilation).hadErrorContaining("are not the irreps of spherical harmonics");
        assertError("""
                @SphericalHarmonics(irreps = "0o")
                interface Spec extends SphericalHarmonicsKernel {}
                """, 1, "e3j.irreps");
        assertError("""
                @SphericalHarmonics(lmax = 2,
                    irreps = "0e+1o")
                interface Spec extends SphericalHarmonicsKernel {}
                """, 2, "e3j.ls");
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
        JavaFileObject file = SOURCES.source("""
                @SphericalHarmonics(lmax = 3, ls = {
                    -2,
                    30})
                interface Spec extends SphericalHarmonicsKernel {}
                """);
        Compilation compilation = SpecSources.compile(file);
        assertThat(compilation).hadErrorCount(3);
        assertThat(compilation).hadErrorContaining("give lmax or ls, not both").inFile(file).onLine(SOURCES.line(1));
        assertThat(compilation).hadErrorContaining("ls[0] = -2").inFile(file).onLine(SOURCES.line(2));
        assertThat(compilation).hadErrorContaining("ls[1] = 30").inFile(file).onLine(SOURCES.line(3));
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
        JavaFileObject file = SOURCES.source("""
                @Linear(in = "2x0e",
                    out = "0e + 1q")
                interface Spec extends SphericalHarmonicsKernel {}
                """);
        Compilation compilation = SpecSources.compile(file);
        assertThat(compilation).hadErrorCount(2);
        assertThat(compilation).hadErrorContaining("[e3j.target]").inFile(file).onLine(SOURCES.line(1));
        assertThat(compilation).hadErrorContaining("[e3j.irreps]").inFile(file).onLine(SOURCES.line(2));
    }
}
