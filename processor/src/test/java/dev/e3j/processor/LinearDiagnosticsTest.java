package dev.e3j.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import dev.e3j.processor.testing.SpecSources;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** {@code @Linear}'s options: each bad value is a tagged error on its own line. */
class LinearDiagnosticsTest {

    private static final SpecSources SOURCES = new SpecSources("dev.e3j.annotations.Linear",
            "dev.e3j.annotations.LinearPath", "dev.e3j.runtime.LinearKernel");

    @Test
    void pathsOutOfRangeOrBetweenDifferentIrrepsAreErrorsOnTheirLines() {
        JavaFileObject file = SOURCES.source("""
                @Linear(in = "2x0e+1x1o", out = "3x0e+2x1o", paths = {
                    @LinearPath(in = 0, out = 0),
                    @LinearPath(in = 2, out = 0),
                    @LinearPath(in = 1, out = -1),
                    @LinearPath(in = 1, out = 0)})
                interface Spec extends LinearKernel {}
                """);
        Compilation compilation = SpecSources.compile(file);
        assertThat(compilation).hadErrorCount(3);
        assertThat(compilation).hadErrorContaining("[e3j.path-index] paths[1].in = 2 is out of range: in = \"2x0e+1x1o\""
                + " has 2 entries").inFile(file).onLine(SOURCES.line(3));
        assertThat(compilation).hadErrorContaining("[e3j.path-index] paths[2].out = -1").inFile(file)
                .onLine(SOURCES.line(4));
        assertThat(compilation).hadErrorContaining("[e3j.selection-rule] paths[3]: in[1] = 1x1o and out[0] = 3x0e"
                + " carry different irreps").inFile(file).onLine(SOURCES.line(5));
    }

    @Test
    void biasEntriesNeedOneFlagPerEntryOnScalarsOnly() {
        SOURCES.assertError("""
                @Linear(in = "2x0e", out = "3x0e+2x1o",
                    biasEntries = {true})
                interface Spec extends LinearKernel {}
                """, 2, "e3j.bias");
        JavaFileObject file = SOURCES.source("""
                @Linear(in = "2x0e+1x1o", out = "3x0e+2x1o", biasEntries = {
                    true,
                    true})
                interface Spec extends LinearKernel {}
                """);
        Compilation compilation = SpecSources.compile(file);
        assertThat(compilation).hadErrorCount(1);
        assertThat(compilation).hadErrorContaining("[e3j.bias] biasEntries[1] flags out[1] = 2x1o").inFile(file)
                .onLine(SOURCES.line(3));
        SOURCES.assertError("""
                @Linear(in = "2x0e", out = "3x0e", biases = true,
                    biasEntries = {true})
                interface Spec extends LinearKernel {}
                """, 2, "e3j.bias");
    }

    @Test
    void featuresMustBePositiveAndFitAnArray() {
        SOURCES.assertError("""
                @Linear(in = "2x0e", out = "3x0e",
                    fIn = 0)
                interface Spec extends LinearKernel {}
                """, 2, "e3j.features");
        SOURCES.assertError("""
                @Linear(in = "2x0e", out = "3x0e", fIn = 2,
                    fOut = -3)
                interface Spec extends LinearKernel {}
                """, 2, "e3j.features");
        JavaFileObject file = SOURCES.source("""
                @Linear(in = "1000x0e", out = "1000x0e", fIn = 100000, fOut = 100000)
                interface Spec extends LinearKernel {}
                """);
        assertThat(SpecSources.compile(file)).hadErrorContaining("[e3j.size] the paths would have 10000000000000000"
                + " weights");
    }
}
