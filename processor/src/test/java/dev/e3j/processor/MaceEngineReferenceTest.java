package dev.e3j.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.processor.testing.DenseSymmetricContraction;
import dev.e3j.processor.testing.GeneratedKernels;
import dev.e3j.processor.testing.ReferenceData;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.LinearKernel;
import dev.e3j.runtime.SphericalHarmonicsKernel;
import dev.e3j.runtime.TensorProductKernel;
import dev.e3j.runtime.io.StateDict;
import dev.e3j.runtime.model.ActivationConstants;
import dev.e3j.runtime.model.Evaluation;
import dev.e3j.runtime.model.Mace;
import dev.e3j.runtime.model.Structure;
import dev.e3j.runtime.nn.ScalarFunction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The runtime engine {@link Mace} against mace-torch v0.3.6 on {@code reference/models/mace-public}, assembled by
 * hand from generated kernels (written from the reference's derived irreps and instructions) and
 * {@link DenseSymmetricContraction}s on the {@code state_dict}'s own {@code U_matrix_ν} bases: energies to 1e-10
 * relative, node energies to 1e-10 relative, forces to 1e-9 absolute.
 */
class MaceEngineReferenceTest {

    private static final String SH = "1x0e+1x1o+1x2e+1x3o";
    private static final String TARGET = "16x0e+16x1o+16x2e+16x3o";

    @Test
    @SuppressWarnings("unchecked")
    void publicModelEqualsMaceTorch() throws Exception {
        Path folder = GatePointsReferenceTest.modelsDirectory().resolve("mace-public");
        Map<String, Object> reference = (Map<String, Object>) ReferenceData.parse(
                Files.readString(folder.resolve("reference.json")));
        StateDict stateDict = StateDict.read(folder.resolve("state_dict.safetensors"));
        Map<String, Object> derived = (Map<String, Object>) reference.get("derived");
        List<Object> mids = ReferenceData.asList(derived.get("irreps_mid conv_tp per interaction"));
        List<Object> instructions = ReferenceData.asList(derived.get("conv_tp instructions per interaction"));

        StringBuilder source = new StringBuilder("package test;\n\n"
                + "import dev.e3j.annotations.Linear;\n"
                + "import dev.e3j.annotations.Path;\n"
                + "import dev.e3j.annotations.SphericalHarmonics;\n"
                + "import dev.e3j.annotations.TensorProduct;\n"
                + "import dev.e3j.runtime.LinearKernel;\n"
                + "import dev.e3j.runtime.SphericalHarmonicsKernel;\n"
                + "import dev.e3j.runtime.TensorProductKernel;\n\n"
                + "interface Blocks {\n"
                + "    @SphericalHarmonics(lmax = 3) interface Sh extends SphericalHarmonicsKernel {}\n");
        linear(source, "Embedding", "3x0e", "16x0e");
        String[] hidden = {"16x0e+16x1o", "16x0e"};
        String[] inputs = {"16x0e", "16x0e+16x1o"};
        for (int t = 0; t < 2; t++) {
            String mid = (String) mids.get(t);
            linear(source, "Up" + t, inputs[t], inputs[t]);
            source.append("    @TensorProduct(in1 = \"").append(inputs[t]).append("\", in2 = \"").append(SH)
                    .append("\", out = \"").append(mid).append("\", kind = TensorProduct.Kind.CUSTOM, "
                            + "sharedWeights = false, paths = {");
            List<Object> paths = ReferenceData.asList(instructions.get(t));
            for (int p = 0; p < paths.size(); p++) {
                List<Object> path = ReferenceData.asList(paths.get(p));
                source.append(p == 0 ? "" : ", ").append("@Path(in1 = ").append(ReferenceData.asInt(path.get(0)))
                        .append(", in2 = ").append(ReferenceData.asInt(path.get(1))).append(", out = ")
                        .append(ReferenceData.asInt(path.get(2))).append(", mode = \"uvu\")");
            }
            source.append("}) interface Conv").append(t).append(" extends TensorProductKernel {}\n");
            linear(source, "Mix" + t, Irreps.parse(mid).simplify().toString(), TARGET);
            String skipIn = t == 0 ? TARGET : inputs[t];
            String skipOut = t == 0 ? TARGET : hidden[t];
            source.append("    @TensorProduct(in1 = \"").append(skipIn).append("\", in2 = \"3x0e\", out = \"")
                    .append(skipOut).append("\") interface Skip").append(t).append(" extends TensorProductKernel {}\n");
            linear(source, "ProductLinear" + t, hidden[t], hidden[t]);
        }
        linear(source, "Readout0", hidden[0], "0e");
        linear(source, "Readout1First", hidden[1], "16x0e");
        linear(source, "Readout1Second", "16x0e", "0e");
        source.append("}\n");
        GeneratedKernels kernels = GeneratedKernels.compile("test.Blocks", source.toString());

        Mace.Builder builder = Mace.builder(kernels.kernel("test.Blocks_ShImpl", SphericalHarmonicsKernel.class),
                        linear(kernels, "Embedding"))
                .radial(5.0, 8, 5)
                .atomicNumbers(1, 6, 8)
                .avgNumNeighbors(12.25)
                .radialMlp(64, 64, 64)
                .scaleShift(true);
        for (int t = 0; t < 2; t++) {
            builder.interaction(t > 0, linear(kernels, "Up" + t), product(kernels, "Conv" + t),
                    linear(kernels, "Mix" + t), product(kernels, "Skip" + t));
            builder.product(new DenseSymmetricContraction(Irreps.parse(TARGET), Irreps.parse(hidden[t]), 2, 3,
                    stateDict, "products." + t + ".symmetric_contractions"), linear(kernels, "ProductLinear" + t));
        }
        builder.linearReadout(linear(kernels, "Readout0"));
        builder.nonLinearReadout(linear(kernels, "Readout1First"), ScalarFunction.SILU,
                linear(kernels, "Readout1Second"));
        Mace mace = builder.build(ActivationConstants.of(stateDict));

        List<Structure> structures = new ArrayList<>();
        for (Object item : ReferenceData.asList(reference.get("structures"))) {
            Map<String, Object> structure = (Map<String, Object>) item;
            structures.add(Structure.of(ReferenceData.asInts(structure.get("atomic_numbers")).stream()
                    .mapToInt(Integer::intValue).toArray(), ReferenceData.asDoubles(structure.get("positions"))));
        }
        List<Evaluation> results = mace.evaluate(structures, mace.parameters(stateDict));

        Map<String, Object> outputs = (Map<String, Object>) reference.get("outputs");
        double[] energy = ReferenceData.asDoubles(outputs.get("energy"));
        double[] nodeEnergy = ReferenceData.asDoubles(outputs.get("node_energy"));
        double[] forces = ReferenceData.asDoubles(outputs.get("forces"));
        int atom = 0;
        double worstEnergy = 0;
        double worstForce = 0;
        for (int g = 0; g < structures.size(); g++) {
            Evaluation result = results.get(g);
            worstEnergy = Math.max(worstEnergy, Math.abs(result.energy() - energy[g]) / Math.abs(energy[g]));
            int n = structures.get(g).size();
            for (int i = 0; i < n; i++) {
                assertEquals(nodeEnergy[atom + i], result.nodeEnergies()[i], 1e-10 * Math.abs(nodeEnergy[atom + i]),
                        "node energy " + (atom + i));
            }
            for (int k = 0; k < 3 * n; k++) {
                worstForce = Math.max(worstForce, Math.abs(result.forces()[k] - forces[3 * atom + k]));
            }
            atom += n;
        }
        assertTrue(worstEnergy <= 1e-10, "energy: largest relative error " + worstEnergy);
        assertTrue(worstForce <= 1e-9, "forces: largest absolute error " + worstForce);
    }

    private static void linear(StringBuilder source, String name, String in, String out) {
        source.append("    @Linear(in = \"").append(in).append("\", out = \"").append(out).append("\") interface ")
                .append(name).append(" extends LinearKernel {}\n");
    }

    private static LinearKernel linear(GeneratedKernels kernels, String name) {
        return kernels.kernel("test.Blocks_" + name + "Impl", LinearKernel.class);
    }

    private static TensorProductKernel product(GeneratedKernels kernels, String name) {
        return kernels.kernel("test.Blocks_" + name + "Impl", TensorProductKernel.class);
    }
}
