package dev.e3j.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import dev.e3j.processor.testing.SpecSources;
import org.junit.jupiter.api.Test;

/** Invalid {@code @ReducedTensorProducts} and {@code @CartesianTensor} specs: positioned errors, never a crash. */
class ReducedTensorProductsDiagnosticsTest {

    private static final SpecSources SOURCES = new SpecSources("dev.e3j.annotations.ReducedTensorProducts",
            "dev.e3j.annotations.CartesianTensor", "dev.e3j.runtime.CartesianTensorKernel");

    @Test
    void formulaThatIsNotAPermutation() {
        Compilation compilation = SOURCES.assertError("""
                @CartesianTensor(
                    formula = "ij=jk")
                interface Spec extends CartesianTensorKernel {}
                """, 2, "e3j.formula");
        assertThat(compilation).hadErrorContaining("jk is not a permutation of ij");
    }

    @Test
    void malformedFilterIrrep() {
        Compilation compilation = SOURCES.assertError("""
                @ReducedTensorProducts(formula = "ij=ji", irreps = "i=1o",
                    filterIrOut = {"0e", "2x"})
                interface Spec extends CartesianTensorKernel {}
                """, 2, "e3j.irreps");
        assertThat(compilation).hadErrorContaining("filterIrOut[1]");
    }

    @Test
    void indexWithoutIrreps() {
        Compilation compilation = SOURCES.assertError("""
                @ReducedTensorProducts(
                    formula = "ijk=jik", irreps = "i=1o")
                interface Spec extends CartesianTensorKernel {}
                """, 2, "e3j.formula");
        assertThat(compilation).hadErrorContaining("index k has no irreps");
    }

    @Test
    void symmetricIndicesWithDifferentIrreps() {
        Compilation compilation = SOURCES.assertError("""
                @ReducedTensorProducts(
                    formula = "ij=ji", irreps = {"i=1o", "j=1e"})
                interface Spec extends CartesianTensorKernel {}
                """, 2, "e3j.formula");
        assertThat(compilation).hadErrorContaining("irreps of i and j must be the same");
    }

    @Test
    void malformedIrrepsEntryIsPositionedOnItsElement() {
        Compilation compilation = SOURCES.assertError("""
                @ReducedTensorProducts(formula = "ij", irreps = {"i=1o",
                    "j=1q"})
                interface Spec extends CartesianTensorKernel {}
                """, 2, "e3j.irreps");
        assertThat(compilation).hadErrorContaining("irreps[1] = \"j=1q\"");
        SOURCES.assertError("""
                @ReducedTensorProducts(formula = "ij", irreps = {
                    "1o"})
                interface Spec extends CartesianTensorKernel {}
                """, 2, "e3j.irreps");
    }

    @Test
    void symmetriesThatLeaveOnlyZero() {
        Compilation compilation = SOURCES.assertError("""
                @ReducedTensorProducts(
                    formula = "ijk=-jik=-ikj", irreps = "i=0e")
                interface Spec extends CartesianTensorKernel {}
                """, 2, "e3j.formula");
        assertThat(compilation).hadErrorContaining("no non-zero tensor");
    }

    @Test
    void tensorsBeyondTheSizeLimit() {
        Compilation compilation = SOURCES.assertError("""
                @CartesianTensor(
                    formula = "ijklmnp")
                interface Spec extends CartesianTensorKernel {}
                """, 2, "e3j.size");
        assertThat(compilation).hadErrorContaining("2187 entries");
    }

    @Test
    void targetMustExtendTheKernel() {
        SOURCES.assertError("""
                @CartesianTensor(formula = "ij=ji")
                interface Spec {}
                """, 1, "e3j.target");
    }
}
