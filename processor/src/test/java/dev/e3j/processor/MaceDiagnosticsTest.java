package dev.e3j.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import dev.e3j.processor.testing.SpecSources;
import org.junit.jupiter.api.Test;

/** Impossible {@code @Mace} configurations are errors on the offending value, never a crash. */
class MaceDiagnosticsTest {

    private static final SpecSources SOURCES = new SpecSources("dev.e3j.annotations.Mace",
            "dev.e3j.runtime.model.InteratomicPotential");

    private static final String HEAD = "@Mace(rMax = 5.0, numBessel = 8, numPolynomialCutoff = 5, maxEll = 3,"
            + " numInteractions = 2,\n    interactionFirst = Mace.Interaction.REAL_AGNOSTIC,"
            + " interaction = Mace.Interaction.REAL_AGNOSTIC_RESIDUAL, atomicNumbers = {1, 6, 8},"
            + " gate = Mace.Gate.SILU, avgNumNeighbors = 12.0,\n";

    private static Compilation assertError(String lastLine, String tag, String text) {
        Compilation compilation = SOURCES.assertError(HEAD + lastLine + ")\ninterface Potential extends"
                + " InteratomicPotential {}\n", 3, tag);
        assertThat(compilation).hadErrorContaining(text);
        return compilation;
    }

    @Test
    void malformedIrreps() {
        assertError("    hiddenIrreps = \"16x0e+16x1q\", mlpIrreps = \"16x0e\", correlation = 2", "e3j.irreps",
                "hiddenIrreps");
    }

    @Test
    void hiddenIrrepsThatTheProductsCannotGive() {
        assertError("    hiddenIrreps = \"16x0e+8x1o\", mlpIrreps = \"16x0e\", correlation = 2", "e3j.model",
                "entry 8x1o must have the 16 channels of the scalars");
        assertError("    hiddenIrreps = \"16x1o+16x0e\", mlpIrreps = \"16x0e\", correlation = 2", "e3j.model",
                "the first entry must be the even scalars");
        assertError("    hiddenIrreps = \"16x0e+16x1e\", mlpIrreps = \"16x0e\", correlation = 2", "e3j.model",
                "entry 16x1e must have l <= maxEll = 3 and parity (-1)^l");
        assertError("    hiddenIrreps = \"16x0e+16x4e\", mlpIrreps = \"16x0e\", correlation = 2", "e3j.model",
                "entry 16x4e must have l <= maxEll = 3");
    }

    @Test
    void mlpIrrepsMustBeOneEntryOfEvenScalars() {
        assertError("    hiddenIrreps = \"16x0e+16x1o\", mlpIrreps = \"16x0e+4x1o\", correlation = 2", "e3j.model",
                "mlpIrreps = \"16x0e+4x1o\": expected one entry of even scalars");
    }

    @Test
    void correlationOnePerInteractionOrOneForAll() {
        assertError("    hiddenIrreps = \"16x0e+16x1o\", mlpIrreps = \"16x0e\", correlation = {2, 3, 3}", "e3j.model",
                "correlation = [2, 3, 3]: expected one order for all interactions, or one per interaction"
                        + " (numInteractions = 2)");
        assertError("    hiddenIrreps = \"16x0e+16x1o\", mlpIrreps = \"16x0e\", correlation = {2, 0}", "e3j.model",
                "correlation = [2, 0]: expected orders from 1 to");
    }

    /** A Gaussian basis spaces its centres {@code rMax / (numBessel - 1)} apart: one function is an error. */
    @Test
    void gaussianBasisNeedsTwoFunctions() {
        Compilation compilation = SOURCES.assertError("@Mace(rMax = 5.0, numBessel = 1, numPolynomialCutoff = 5,"
                + " maxEll = 1, numInteractions = 2, radialType = Mace.RadialType.GAUSSIAN,\n"
                + "    interactionFirst = Mace.Interaction.REAL_AGNOSTIC,"
                + " interaction = Mace.Interaction.REAL_AGNOSTIC_RESIDUAL, atomicNumbers = {1, 8},"
                + " gate = Mace.Gate.SILU, avgNumNeighbors = 12.0,\n"
                + "    hiddenIrreps = \"8x0e+8x1o\", mlpIrreps = \"8x0e\", correlation = 2, pairRepulsion = true)\n"
                + "interface Potential extends InteratomicPotential {}\n", 1, "e3j.model");
        assertThat(compilation).hadErrorContaining("numBessel = 1: expected a value from 2 to");
    }

    @Test
    void everyProblemIsReported() {
        Compilation compilation = SpecSources.compile(SOURCES.source("@Mace(rMax = 0.0, numBessel = 0,"
                + " numPolynomialCutoff = 5, maxEll = 3, numInteractions = 2,"
                + " interactionFirst = Mace.Interaction.REAL_AGNOSTIC,"
                + " interaction = Mace.Interaction.REAL_AGNOSTIC, atomicNumbers = {1, 6, 1}, gate = Mace.Gate.SILU,"
                + " avgNumNeighbors = 12.0, hiddenIrreps = \"16x0e\", mlpIrreps = \"16x0e\", correlation = 2)\n"
                + "interface Potential extends InteratomicPotential {}\n"));
        assertThat(compilation).hadErrorCount(3);
        assertThat(compilation).hadErrorContaining("rMax = 0.0: expected a finite value > 0");
        assertThat(compilation).hadErrorContaining("numBessel = 0");
        assertThat(compilation).hadErrorContaining("atomicNumbers = [1, 6, 1]: 1 appears twice");
    }
}
