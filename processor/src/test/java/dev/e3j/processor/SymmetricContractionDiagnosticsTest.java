package dev.e3j.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import dev.e3j.processor.testing.SpecSources;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** {@code @SymmetricContraction}: each bad value is a tagged error on its own line. */
class SymmetricContractionDiagnosticsTest {

    private static final SpecSources SOURCES = new SpecSources("dev.e3j.annotations.SymmetricContraction",
            "dev.e3j.runtime.SymmetricContractionKernel");

    @Test
    void malformedOrEmptyIrrepsAreErrorsOnTheirValues() {
        SOURCES.assertError("""
                @SymmetricContraction(
                    in = "2x0e+2xq", out = "2x0e", correlation = 2, elements = 1)
                interface Spec extends SymmetricContractionKernel {}
                """, 2, "e3j.irreps");
        SOURCES.assertError("""
                @SymmetricContraction(in = "2x0e", correlation = 2, elements = 1,
                    out = "")
                interface Spec extends SymmetricContractionKernel {}
                """, 2, "e3j.irreps");
    }

    @Test
    void channelsMustAgreeAcrossInAndOut() {
        JavaFileObject file = SOURCES.source("""
                @SymmetricContraction(
                    in = "4x0e+4x1o+2x2e",
                    out = "3x0e", correlation = 2, elements = 1)
                interface Spec extends SymmetricContractionKernel {}
                """);
        Compilation compilation = SpecSources.compile(file);
        assertThat(compilation).hadErrorCount(2);
        assertThat(compilation).hadErrorContaining("[e3j.channels] in = \"4x0e+4x1o+2x2e\": entry 2 (2x2e) has"
                + " multiplicity 2, but in's first entry has 4").inFile(file).onLine(SOURCES.line(2));
        assertThat(compilation).hadErrorContaining("[e3j.channels] out = \"3x0e\"").inFile(file)
                .onLine(SOURCES.line(3));
    }

    @Test
    void correlationAndElementsMustBeInRange() {
        SOURCES.assertError("""
                @SymmetricContraction(in = "2x0e+2x1o", out = "2x0e", elements = 1,
                    correlation = 0)
                interface Spec extends SymmetricContractionKernel {}
                """, 2, "e3j.correlation");
        SOURCES.assertError("""
                @SymmetricContraction(in = "2x0e+2x1o", out = "2x0e", elements = 1,
                    correlation = 5)
                interface Spec extends SymmetricContractionKernel {}
                """, 2, "e3j.correlation");
        SOURCES.assertError("""
                @SymmetricContraction(in = "2x0e+2x1o", out = "2x0e", correlation = 2,
                    elements = 0)
                interface Spec extends SymmetricContractionKernel {}
                """, 2, "e3j.elements");
    }

    @Test
    void basesTooLargeToComputeAreSizeErrors() {
        JavaFileObject file = SOURCES.source("""
                @SymmetricContraction(in = "1x0e+1x1o+1x2e+1x3o", out = "1x0e+1x1o", correlation = 4, elements = 1)
                interface Spec extends SymmetricContractionKernel {}
                """);
        assertThat(SpecSources.compile(file)).hadErrorContaining("[e3j.size] the bases of correlation 4 from one"
                + " channel of 16 components (0e+1o+2e+3o) to out = \"1x0e+1x1o\" would have 262144 entries");
    }

    @Test
    void anOutputNoDegreeReachesIsAnError() {
        JavaFileObject file = SOURCES.source("""
                @SymmetricContraction(in = "2x0e+2x1o", correlation = 2, elements = 1,
                    out = "2x0e+2x2e")
                interface Spec extends SymmetricContractionKernel {}
                """);
        Compilation compilation = SpecSources.compile(file);
        assertThat(compilation).hadErrorCount(1);
        assertThat(compilation).hadErrorContaining("[e3j.unreachable] out[1] = 2e: no product of 1 of the input irreps"
                + " 0e+1o couples to 2e").inFile(file).onLine(SOURCES.line(2));
    }
}
