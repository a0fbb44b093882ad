package dev.e3j.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import dev.e3j.processor.testing.SpecSources;
import org.junit.jupiter.api.Test;

/** Impossible {@code @GatePointsNetwork} configurations are errors on the offending value, never a crash. */
class GatePointsDiagnosticsTest {

    private static final SpecSources SOURCES = new SpecSources("dev.e3j.annotations.GatePointsNetwork",
            "dev.e3j.runtime.model.PointsModel");

    private static final String REST = "layers = 2, maxRadius = 2.5, numberOfBasis = 10, radialLayers = 1,"
            + " radialNeurons = 16, numNeighbors = 5.0, numNodes = 8.0";

    private static Compilation assertError(String body, int bodyLine, String tag, String text) {
        Compilation compilation = SOURCES.assertError(body, bodyLine, tag);
        assertThat(compilation).hadErrorContaining(text);
        return compilation;
    }

    @Test
    void malformedIrreps() {
        assertError("@GatePointsNetwork(irrepsHidden = \"8x0e\", irrepsEdgeAttr = \"0e+1o\",\n"
                + "    irrepsOut = \"1x0q\", " + REST + ")\ninterface Net extends PointsModel {}\n", 2, "e3j.irreps",
                "irrepsOut");
    }

    @Test
    void edgeAttributesMustBeSphericalHarmonics() {
        assertError("@GatePointsNetwork(irrepsHidden = \"8x0e\", irrepsOut = \"1x0e\",\n"
                + "    irrepsEdgeAttr = \"0e+1e\", " + REST + ")\ninterface Net extends PointsModel {}\n", 2,
                "e3j.model", "entry 1x1e is not a spherical harmonic");
        assertError("@GatePointsNetwork(irrepsHidden = \"8x0e\", irrepsOut = \"1x0e\",\n"
                + "    irrepsEdgeAttr = \"0e+21o\", " + REST + ")\ninterface Net extends PointsModel {}\n", 2,
                "e3j.model", "entry 1x21o");
    }

    @Test
    void sizesOutOfRange() {
        assertError("@GatePointsNetwork(irrepsHidden = \"8x0e\", irrepsOut = \"1x0e\", irrepsEdgeAttr = \"0e\",\n"
                + "    layers = -1, maxRadius = 2.5, numberOfBasis = 10, radialLayers = 1, radialNeurons = 16,"
                + " numNeighbors = 5.0, numNodes = 8.0)\ninterface Net extends PointsModel {}\n", 2, "e3j.model",
                "layers = -1");
        Compilation compilation = SpecSources.compile(SOURCES.source(
                "@GatePointsNetwork(irrepsHidden = \"8x0e\", irrepsOut = \"1x0e\", irrepsEdgeAttr = \"0e\","
                + " layers = 1, maxRadius = 0.0, numberOfBasis = 0, radialLayers = 1, radialNeurons = 16,"
                + " numNeighbors = -5.0, numNodes = 8.0)\ninterface Net extends PointsModel {}\n"));
        assertThat(compilation).hadErrorCount(3);
        assertThat(compilation).hadErrorContaining("maxRadius = 0.0: expected a finite value > 0");
        assertThat(compilation).hadErrorContaining("numberOfBasis = 0");
        assertThat(compilation).hadErrorContaining("numNeighbors = -5.0");
    }

    @Test
    void hiddenIrrepsThatNoPathReaches() {
        assertError("@GatePointsNetwork(irrepsIn = \"1x0e\", irrepsOut = \"1x0e\", irrepsEdgeAttr = \"0e\",\n"
                + "    irrepsHidden = \"8x1o\", " + REST + ")\ninterface Net extends PointsModel {}\n", 2,
                "e3j.no-paths", "layer 0: no entry of irrepsHidden");
    }

    @Test
    void outputsThatNoPathReaches() {
        assertError("@GatePointsNetwork(irrepsHidden = \"8x0e\", irrepsEdgeAttr = \"0e+1o\",\n"
                + "    irrepsOut = \"1x3o\", " + REST + ")\ninterface Net extends PointsModel {}\n", 2,
                "e3j.no-paths", "no entry of irrepsOut = \"1x3o\"");
    }

    /** A derived product that the processor could not generate is reported on the model's annotation. */
    @Test
    void derivedProductsTooLarge() {
        Compilation compilation = assertError("@GatePointsNetwork(irrepsIn = \"50000x0e\", irrepsOut = \"1x0e\","
                + " irrepsEdgeAttr = \"0e\",\n    irrepsHidden = \"50000x0e\", " + REST + ")\n"
                + "interface Net extends PointsModel {}\n", 2, "e3j.model", "layers.0.first.sc, a product of the derived"
                + " layers (50000x0e x 1x0e -> 50000x0e), cannot be generated: [e3j.size]");
        assertThat(compilation).hadErrorContaining("more than an array holds");
    }

    @Test
    void wrongTargetInterface() {
        SOURCES.assertError("@GatePointsNetwork(irrepsHidden = \"8x0e\", irrepsOut = \"1x0e\", irrepsEdgeAttr = \"0e\","
                + " " + REST + ")\ninterface Net {}\n", 1, "e3j.target");
    }
}
