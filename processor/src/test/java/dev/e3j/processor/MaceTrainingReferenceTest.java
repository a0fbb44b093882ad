package dev.e3j.processor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.annotations.Layout;
import dev.e3j.runtime.io.StateDict;
import dev.e3j.runtime.model.ActivationConstants;
import dev.e3j.runtime.model.EnergyForceLoss;
import dev.e3j.runtime.model.Mace;
import dev.e3j.runtime.model.Structure;
import dev.e3j.runtime.model.TrainingStructure;
import dev.e3j.testsupport.ReferenceData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The parameter gradient of MACE's energy/force(/stress) loss ({@link Mace#lossGradient}) against mace-torch v0.3.6
 * with torch autograd on the seven reference models ({@code reference/models/<model>/training.json}, written by
 * {@code tools/make_mace_training_reference.py}): the loss to 1e-10 relative; per parameter tensor the gradient's
 * norm and three entries to 1e-9 of the norm, and its inner products with two seeded pseudo-random vectors (which any
 * wrong entry moves) to 1e-9 of the sum of the products' magnitudes; every buffer's entries 0. Then the gradient
 * against central finite differences of the loss along random directions, and on one thread against four.
 */
class MaceTrainingReferenceTest {

    /** A model of {@code reference/models}, its training reference, and the batch and loss that reference uses. */
    private record Case(Mace mace, double[] params, Map<String, Object> training, List<TrainingStructure> batch,
                        EnergyForceLoss loss) {
    }

    private static Case load(String name) throws Exception {
        return load(name, Layout.MUL_IR);
    }

    /** {@link #load(String)} with the model generated in {@code layout}. */
    @SuppressWarnings("unchecked")
    private static Case load(String name, Layout layout) throws Exception {
        Path folder = GatePointsReferenceTest.modelsDirectory().resolve(name);
        Map<String, Object> reference = (Map<String, Object>) ReferenceData.parse(
                Files.readString(folder.resolve("reference.json")));
        Map<String, Object> training = (Map<String, Object>) ReferenceData.parse(
                Files.readString(folder.resolve("training.json")));
        StateDict stateDict = StateDict.read(folder.resolve("state_dict.safetensors"));
        Mace mace = architecture(MaceReferenceTest.specSource((Map<String, Object>) reference.get("constructor"),
                false, layout), ActivationConstants.of(stateDict));
        Map<String, Object> targets = (Map<String, Object>) training.get("targets");
        double[] weight = ReferenceData.asDoubles(targets.get("weight"));
        double[] energy = ReferenceData.asDoubles(targets.get("energy"));
        double[] forces = ReferenceData.asDoubles(targets.get("forces"));
        double[] stress = targets.get("stress") == null ? null : ReferenceData.asDoubles(targets.get("stress"));
        List<Structure> structures = MaceReferenceTest.structures(reference);
        List<TrainingStructure> batch = new ArrayList<>();
        int atom = 0;
        for (int g = 0; g < structures.size(); g++) {
            int n = structures.get(g).size();
            batch.add(new TrainingStructure(structures.get(g), energy[g],
                    Arrays.copyOfRange(forces, 3 * atom, 3 * (atom + n)),
                    stress == null ? null : Arrays.copyOfRange(stress, 9 * g, 9 * g + 9), weight[g]));
            atom += n;
        }
        EnergyForceLoss loss = new EnergyForceLoss((Double) training.get("energy_weight"),
                (Double) training.get("forces_weight"), (Double) training.get("stress_weight"));
        return new Case(mace, mace.parameters(stateDict), training, batch, loss);
    }

    /** The engine of the generated {@code test.PotentialImpl} of {@code specSource}. */
    private static Mace architecture(String specSource, Map<String, Double> activationConstants) throws Exception {
        return (Mace) MaceReferenceTest.compile(specSource).loadClass("test.PotentialImpl")
                .getMethod("architecture", Map.class).invoke(null, activationConstants);
    }

    /** Every training reference model in both layouts. */
    static Stream<Arguments> modelsInBothLayouts() {
        return Stream.of("mace-public", "mace-periodic", "mace-plain", "mace-l2-corr3", "mace-tanh-l3",
                        "mace-zbl-agnesi", "mace-gaussian-soft")
                .flatMap(name -> Stream.of(Layout.values()).map(layout -> Arguments.of(name, layout)));
    }

    /** In both layouts: the channel-last model's training pass keeps its features channel-last too. */
    @ParameterizedTest
    @MethodSource("modelsInBothLayouts")
    @SuppressWarnings("unchecked")
    void lossAndParameterGradientEqualTorchAutograd(String name, Layout layout) throws Exception {
        Case c = load(name, layout);
        Mace.LossGradient result = c.mace().lossGradient(c.batch(), c.mace().weights(c.params()), c.loss());
        double expectedLoss = (Double) c.training().get("loss_value");
        assertEquals(expectedLoss, result.loss(), 1e-10 * expectedLoss, "loss");

        double[] gradient = result.gradient();
        Set<Integer> trained = new HashSet<>();
        List<Object> tensors = ReferenceData.asList(c.training().get("gradient"));
        for (int j = 0; j < tensors.size(); j++) {
            Map<String, Object> tensor = (Map<String, Object>) tensors.get(j);
            String tensorName = (String) tensor.get("name");
            int offset = c.mace().parameterOffset(tensorName);
            int numel = ReferenceData.asInt(tensor.get("numel"));
            double norm = 0;
            for (int i = 0; i < numel; i++) {
                norm += gradient[offset + i] * gradient[offset + i];
                trained.add(offset + i);
            }
            norm = Math.sqrt(norm);
            double expectedNorm = (Double) tensor.get("norm");
            assertEquals(expectedNorm, norm, 1e-9 * expectedNorm, tensorName + ": norm");
            for (Object item : ReferenceData.asList(tensor.get("entries"))) {
                List<Object> entry = ReferenceData.asList(item);
                int index = ReferenceData.asInt(entry.get(0));
                assertEquals((Double) entry.get(1), gradient[offset + index], 1e-9 * expectedNorm,
                        tensorName + ": entry " + index);
            }
            double[] projections = ReferenceData.asDoubles(tensor.get("projections"));
            for (int k = 0; k < projections.length; k++) {
                double[] r = splitmix64Uniform(7919L * (j + 1) + k, numel);
                double projection = 0;
                double magnitude = 0;
                for (int i = 0; i < numel; i++) {
                    projection += r[i] * gradient[offset + i];
                    magnitude += Math.abs(r[i] * gradient[offset + i]);
                }
                assertEquals(projections[k], projection, 1e-9 * magnitude, tensorName + ": projection " + k);
            }
        }
        for (int i = 0; i < gradient.length; i++) {
            if (!trained.contains(i)) {
                assertEquals(0.0, gradient[i], "buffer entry " + i + " of the flat parameters");
            }
        }
    }

    /** The loss along three random directions in the trained parameters: central differences of second order. */
    @Test
    void parameterGradientEqualsFiniteDifferencesOfTheLoss() throws Exception {
        Case c = load("mace-periodic");
        Mace mace = c.mace();
        double[] params = c.params();
        double[] gradient = mace.lossGradient(c.batch(), mace.weights(params), c.loss()).gradient();
        Random random = new Random(22);
        for (int trial = 0; trial < 3; trial++) {
            double[] direction = new double[params.length];
            double length = 0;
            for (int i = 0; i < params.length; i++) {
                if (gradient[i] != 0) {
                    direction[i] = random.nextGaussian();
                    length += direction[i] * direction[i];
                }
            }
            double slope = 0;
            for (int i = 0; i < params.length; i++) {
                direction[i] /= Math.sqrt(length);
                slope += gradient[i] * direction[i];
            }
            double step = 1e-4;
            double difference = (loss(c, params, direction, step) - loss(c, params, direction, -step)) / (2 * step);
            assertEquals(slope, difference, 1e-6 * Math.abs(slope) + 1e-10, "direction " + trial);
            assertTrue(Math.abs(slope) > 1e-6, "a direction the loss moves along");
        }
    }

    /**
     * The channel-last model equals the e3nn-layout model off the reference models too (the constructor arguments as
     * JSON numbers, doubles): hidden irreps up to
     * {@code l = 2} with {@code maxEll = 2} (whose second {@code irreps_mid} repeats each irrep up to four times), six
     * channels (fewer than the contraction's parallel blocks), correlations 1 then 2, a tanh readout, fresh
     * parameters, generated with {@code precision = FLOAT} (both types). Energies, forces and stress to 1e-12 relative
     * (float32: 1e-5), the loss to 1e-12 relative and its gradient to 1e-12 of its largest entry.
     */
    @Test
    @SuppressWarnings("unchecked")
    void channelLastEqualsTheE3nnLayoutOffTheReferenceModels() throws Exception {
        Case c = load("mace-periodic");
        Map<String, Object> args = new LinkedHashMap<>((Map<String, Object>) ((Map<String, Object>) ReferenceData
                .parse(Files.readString(GatePointsReferenceTest.modelsDirectory().resolve("mace-periodic")
                        .resolve("reference.json")))).get("constructor"));
        args.put("hidden_irreps", "6x0e+6x1o+6x2e");
        args.put("max_ell", 2.0);
        args.put("correlation", List.of(1.0, 2.0));
        args.put("MLP_irreps", "8x0e");
        args.put("gate", "tanh");
        Mace mulIr = architecture(MaceReferenceTest.specSource(args, true, Layout.MUL_IR), Map.of());
        Mace irMul = architecture(MaceReferenceTest.specSource(args, true, Layout.IR_MUL), Map.of());
        double[] params = mulIr.initialParameters(new Random(3), new double[] {-2041.93, -1640.12}, 1.3, -3.1);
        assertEquals(mulIr.parameterCount(), irMul.parameterCount());
        List<Structure> structures = c.batch().stream().map(TrainingStructure::structure).toList();
        MaceReferenceTest.assertSameEvaluations(mulIr.evaluate(structures, mulIr.weights(params)),
                irMul.evaluate(structures, irMul.weights(params)), MaceReferenceTest.LAYOUT_TOLERANCE, "float64");
        MaceReferenceTest.assertSameEvaluations(mulIr.evaluateFloat32(structures, mulIr.weights(params)),
                irMul.evaluateFloat32(structures, irMul.weights(params)), MaceReferenceTest.FLOAT32_LAYOUT_TOLERANCE,
                "float32");
        Mace.LossGradient expected = mulIr.lossGradient(c.batch(), mulIr.weights(params), c.loss());
        Mace.LossGradient actual = irMul.lossGradient(c.batch(), irMul.weights(params), c.loss());
        assertEquals(expected.loss(), actual.loss(), 1e-12 * expected.loss(), "loss");
        double largest = Arrays.stream(expected.gradient()).map(Math::abs).max().orElseThrow();
        assertArrayEquals(expected.gradient(), actual.gradient(), 1e-12 * largest, "gradient");
    }

    /** The edge blocks and every sum are fixed by the graph: the gradient has the same bits on 1 and 4 threads. */
    @Test
    void parameterGradientDoesNotDependOnTheNumberOfThreads() throws Exception {
        Case c = load("mace-periodic");
        Mace.Weights weights = c.mace().weights(c.params());
        assertArrayEquals(gradientOn(1, c, weights), gradientOn(4, c, weights), 0.0);
    }

    private static double[] gradientOn(int threads, Case c, Mace.Weights weights) throws Exception {
        ForkJoinPool pool = new ForkJoinPool(threads);
        try {
            return pool.submit(() -> c.mace().lossGradient(c.batch(), weights, c.loss()).gradient()).get();
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void badArgumentsAreNamed() throws Exception {
        Case c = load("mace-periodic");
        Mace.Weights weights = c.mace().weights(c.params());
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> c.mace().lossGradient(List.of(), weights, c.loss()));
        assertTrue(empty.getMessage().contains("non-empty batch"), empty.getMessage());
        Case other = load("mace-public");
        IllegalArgumentException foreign = assertThrows(IllegalArgumentException.class,
                () -> c.mace().lossGradient(c.batch(), other.mace().weights(other.params()), c.loss()));
        assertTrue(foreign.getMessage().contains("another model's weights"), foreign.getMessage());
        IllegalArgumentException element = assertThrows(IllegalArgumentException.class,
                () -> other.mace().lossGradient(c.batch(), other.mace().weights(other.params()), c.loss()));
        assertTrue(element.getMessage().contains("atomic number 29"), element.getMessage());
        IllegalArgumentException energies = assertThrows(IllegalArgumentException.class,
                () -> c.mace().initialParameters(new Random(1), new double[1], 1.0, 0.0));
        assertTrue(energies.getMessage().contains("2 atomic energies"), energies.getMessage());
    }

    /** Fresh parameters keep the buffers given and draw the weights; the gradient of their loss is finite. */
    @Test
    void initialParametersTrain() throws Exception {
        Case c = load("mace-periodic");
        Mace mace = c.mace();
        double[] params = mace.initialParameters(new Random(5), new double[] {-2041.93, -1640.12}, 1.3, -3.1);
        assertEquals(-1640.12, params[mace.parameterOffset("atomic_energies_fn.atomic_energies") + 1]);
        assertEquals(1.3, params[mace.parameterOffset("scale_shift.scale")]);
        assertEquals(Math.PI / 4.0, params[mace.parameterOffset("radial_embedding.bessel_fn.bessel_weights")], 1e-15);
        Mace.LossGradient result = mace.lossGradient(c.batch(), mace.weights(params), c.loss());
        assertTrue(Arrays.stream(result.gradient()).allMatch(Double::isFinite) && result.loss() > 0);
    }

    private static double loss(Case c, double[] params, double[] direction, double step) {
        double[] moved = params.clone();
        for (int i = 0; i < moved.length; i++) {
            moved[i] += step * direction[i];
        }
        List<Structure> structures = c.batch().stream().map(TrainingStructure::structure).toList();
        return c.loss().value(c.batch(), c.mace().evaluate(structures, c.mace().weights(moved)));
    }

    /** {@code 2 u - 1} for splitmix64's successive outputs from {@code seed}, {@code u} their top 53 bits / 2^53. */
    private static double[] splitmix64Uniform(long seed, int count) {
        double[] values = new double[count];
        long state = seed;
        for (int i = 0; i < count; i++) {
            state += 0x9E3779B97F4A7C15L;
            long z = state;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z ^= z >>> 31;
            values[i] = 2.0 * ((z >>> 11) * 0x1.0p-53) - 1.0;
        }
        return values;
    }
}
