package dev.e3j.benchmarks;

import dev.e3j.annotations.Layout;
import dev.e3j.annotations.Mace;
import dev.e3j.annotations.Precision;
import dev.e3j.runtime.graph.NeighborList;
import dev.e3j.runtime.io.StateDict;
import dev.e3j.runtime.model.ActivationConstants;
import dev.e3j.runtime.model.Evaluation;
import dev.e3j.runtime.model.InteratomicPotential;
import dev.e3j.runtime.model.Structure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Energy and forces of the MD sample's copper MACE ({@code mace-cu-emt}: ScaleShiftMACE, {@code 16x0e+16x1o},
 * {@code maxEll = 2}, correlation 3, two residual interactions, {@code rMax = 5}) on the rattled periodic fcc Cu
 * supercells {@code tools/bench_mace_torch.py} times mace-torch on (a = 3.6 Å, conventional cells repeated 2x2x4,
 * 4x4x8, 8x8x16, positions rattled by a normal 0.03 Å), called from one thread (the model runs its parallel blocks on
 * the common fork/join pool): with the neighbour list
 * ({@code energyAndForces}, what {@code evaluate(Structure)} costs), on a prepared graph
 * ({@code energyAndForcesOnGraph}) and the neighbour list alone ({@code neighbourList}), in float64
 * ({@link CopperMace}) and in float32 ({@link CopperMaceFloat32}, {@code precision = FLOAT}: the kernels and the
 * network in float, as mace-torch's {@code float32} model), which the report compares with mace-torch's float64 and
 * float32 times. Each in both layouts ({@code layout}): {@code MUL_IR}, e3nn's and {@code @Mace}'s default, and
 * {@code IR_MUL} ({@link CopperMaceChannelLast}, {@link CopperMaceFloat32ChannelLast}: the node features
 * channel-last inside); {@code -p layout=MUL_IR} narrows a run to the default.
 *
 * <p>Warm-up: 10 iterations of 2 s. One C2 compiler thread works through some 200 methods of the model (the
 * generated kernels' blocks, paths and chunks, the runtime's loops), and the node kernels (linears, products,
 * readouts: a few calls per evaluation over a 64-atom cell's nodes) reach its thresholds last: at 64 atoms in
 * float32 half of those methods were in C2 code after 12 s and all after 28 s (load 9, {@code -XX:+PrintCompilation},
 * 2026-12-07), and on a quiet machine the mean of each 2 s iteration fell until the sixth (61, 23, 21, 22, 17, 13.7,
 * then 12.8-13.7 ms): the 6 s of warm-up before measured a mix of interpreted, C1 and C2 code.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 10, time = 2)
@Measurement(iterations = 5, time = 2)
public class MaceBenchmark {

    /** {@code samples/.../md/mace-cu-emt.json}'s constructor arguments. */
    @Mace(rMax = 5.0, numBessel = 8, numPolynomialCutoff = 5, maxEll = 2, numInteractions = 2,
            interactionFirst = Mace.Interaction.REAL_AGNOSTIC_RESIDUAL,
            interaction = Mace.Interaction.REAL_AGNOSTIC_RESIDUAL, atomicNumbers = {29}, hiddenIrreps = "16x0e+16x1o",
            mlpIrreps = "16x0e", correlation = {3}, gate = Mace.Gate.SILU, radialMlp = {32, 32, 32},
            avgNumNeighbors = 44.71510416666667, scaleShift = true)
    public interface CopperMace extends InteratomicPotential {
    }

    /** {@link CopperMace} with {@code precision = FLOAT}: {@code evaluate} computes in float32. */
    @Mace(rMax = 5.0, numBessel = 8, numPolynomialCutoff = 5, maxEll = 2, numInteractions = 2,
            interactionFirst = Mace.Interaction.REAL_AGNOSTIC_RESIDUAL,
            interaction = Mace.Interaction.REAL_AGNOSTIC_RESIDUAL, atomicNumbers = {29}, hiddenIrreps = "16x0e+16x1o",
            mlpIrreps = "16x0e", correlation = {3}, gate = Mace.Gate.SILU, radialMlp = {32, 32, 32},
            avgNumNeighbors = 44.71510416666667, scaleShift = true, precision = Precision.FLOAT)
    public interface CopperMaceFloat32 extends InteratomicPotential {
    }

    /** {@link CopperMace} with {@code layout = IR_MUL}. */
    @Mace(rMax = 5.0, numBessel = 8, numPolynomialCutoff = 5, maxEll = 2, numInteractions = 2,
            interactionFirst = Mace.Interaction.REAL_AGNOSTIC_RESIDUAL,
            interaction = Mace.Interaction.REAL_AGNOSTIC_RESIDUAL, atomicNumbers = {29}, hiddenIrreps = "16x0e+16x1o",
            mlpIrreps = "16x0e", correlation = {3}, gate = Mace.Gate.SILU, radialMlp = {32, 32, 32},
            avgNumNeighbors = 44.71510416666667, scaleShift = true, layout = Layout.IR_MUL)
    public interface CopperMaceChannelLast extends InteratomicPotential {
    }

    /** {@link CopperMaceFloat32} with {@code layout = IR_MUL}. */
    @Mace(rMax = 5.0, numBessel = 8, numPolynomialCutoff = 5, maxEll = 2, numInteractions = 2,
            interactionFirst = Mace.Interaction.REAL_AGNOSTIC_RESIDUAL,
            interaction = Mace.Interaction.REAL_AGNOSTIC_RESIDUAL, atomicNumbers = {29}, hiddenIrreps = "16x0e+16x1o",
            mlpIrreps = "16x0e", correlation = {3}, gate = Mace.Gate.SILU, radialMlp = {32, 32, 32},
            avgNumNeighbors = 44.71510416666667, scaleShift = true, precision = Precision.FLOAT,
            layout = Layout.IR_MUL)
    public interface CopperMaceFloat32ChannelLast extends InteratomicPotential {
    }

    /** The lattice constant of the supercells (Å), as the training data's. */
    static final double LATTICE_CONSTANT = 3.6;
    /** Standard deviation of the rattle (Å), as {@code bench_mace_torch.py}'s. */
    static final double RATTLE = 0.03;

    @Param({"64", "512", "4096"})
    public int atoms;

    /** {@code float64} or {@code float32}: the type the model computes in. */
    @Param({"float64", "float32"})
    public String precision;

    /** {@code MUL_IR} or {@code IR_MUL}: how the model lays out its node features inside. */
    @Param({"MUL_IR", "IR_MUL"})
    public String layout;

    private InteratomicPotential potential;
    private boolean float32;
    private dev.e3j.runtime.model.Mace engine;
    private dev.e3j.runtime.model.Mace.Weights weights;
    private Structure structure;
    private dev.e3j.runtime.model.Mace.Graph graph;

    @Setup
    public void setUp() throws IOException {
        StateDict stateDict = StateDict.read(weightsFile());
        float32 = switch (precision) {
            case "float64" -> false;
            case "float32" -> true;
            default -> throw new IllegalArgumentException("precision must be float64 or float32, got " + precision);
        };
        Layout modelLayout = Layout.valueOf(layout);
        potential = potential(stateDict, float32, modelLayout);
        engine = architecture(ActivationConstants.of(stateDict), float32, modelLayout);
        weights = engine.weights(engine.parameters(stateDict));
        structure = copper(atoms);
        graph = graph(structure, engine.rMax());
    }

    /**
     * {@return the copper MACE with the weights of {@code stateDict}, computing in float32 or float64, its node
     * features in {@code layout}}
     */
    static InteratomicPotential potential(StateDict stateDict, boolean float32, Layout layout) {
        if (layout == Layout.IR_MUL) {
            return float32 ? new MaceBenchmark_CopperMaceFloat32ChannelLastImpl(stateDict)
                    : new MaceBenchmark_CopperMaceChannelLastImpl(stateDict);
        }
        return float32 ? new MaceBenchmark_CopperMaceFloat32Impl(stateDict)
                : new MaceBenchmark_CopperMaceImpl(stateDict);
    }

    /** {@return the engine of {@link #potential}'s model} */
    static dev.e3j.runtime.model.Mace architecture(Map<String, Double> activationConstants, boolean float32,
                                                  Layout layout) {
        if (layout == Layout.IR_MUL) {
            return float32 ? MaceBenchmark_CopperMaceFloat32ChannelLastImpl.architecture(activationConstants)
                    : MaceBenchmark_CopperMaceChannelLastImpl.architecture(activationConstants);
        }
        return float32 ? MaceBenchmark_CopperMaceFloat32Impl.architecture(activationConstants)
                : MaceBenchmark_CopperMaceImpl.architecture(activationConstants);
    }

    /** {@return the rattled fcc Cu supercell of {@code atoms} atoms (64, 512 or 4096)} */
    static Structure copper(int atoms) {
        int[] repeats = switch (atoms) {
            case 64 -> new int[] {2, 2, 4};
            case 512 -> new int[] {4, 4, 8};
            case 4096 -> new int[] {8, 8, 16};
            default -> throw new IllegalArgumentException("atoms must be 64, 512 or 4096, got " + atoms);
        };
        double[][] basis = {{0, 0, 0}, {0, 0.5, 0.5}, {0.5, 0, 0.5}, {0.5, 0.5, 0}};
        int[] numbers = new int[atoms];
        Arrays.fill(numbers, 29);
        double[] positions = new double[3 * atoms];
        SplittableRandom random = new SplittableRandom(Workload.SEED);
        int index = 0;
        for (int i = 0; i < repeats[0]; i++) {
            for (int j = 0; j < repeats[1]; j++) {
                for (int k = 0; k < repeats[2]; k++) {
                    int[] unitCell = {i, j, k};
                    for (double[] b : basis) {
                        for (int c = 0; c < 3; c++) {
                            positions[3 * index + c] = LATTICE_CONSTANT * (unitCell[c] + b[c])
                                    + RATTLE * gaussian(random);
                        }
                        index++;
                    }
                }
            }
        }
        double[] cell = new double[9];
        for (int k = 0; k < 3; k++) {
            cell[4 * k] = LATTICE_CONSTANT * repeats[k];
        }
        return Structure.periodic(numbers, positions, cell, new boolean[] {true, true, true});
    }

    /** A standard normal number (Box–Muller). */
    private static double gaussian(SplittableRandom random) {
        return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    /** {@code structure} (copper only) and its edges within {@code rMax}, as the engine takes them. */
    static dev.e3j.runtime.model.Mace.Graph graph(Structure structure, double rMax) {
        NeighborList neighbours = NeighborList.of(structure, rMax);
        int n = structure.size();
        return new dev.e3j.runtime.model.Mace.Graph(new int[n], structure.positions(), new int[n],
                neighbours.senders(), neighbours.receivers(), neighbours.shifts(), new double[] {structure.volume()});
    }

    /** {@return the shipped weights, {@code samples/.../md/mace-cu-emt.safetensors}, found from the working directory} */
    static Path weightsFile() {
        String path = "samples/src/main/resources/dev/e3j/samples/md/mace-cu-emt.safetensors";
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(path))) {
                return dir.resolve(path);
            }
        }
        throw new UncheckedIOException(new IOException(path + " not found from " + Path.of("").toAbsolutePath()
                + "; run from the e3j checkout"));
    }

    /** Energy, forces and stress from positions: the neighbour list, then the model. */
    @Benchmark
    public Evaluation energyAndForces() {
        return potential.evaluate(structure);
    }

    /** Energy, forces and stress of a graph whose edges are already listed. */
    @Benchmark
    public List<Evaluation> energyAndForcesOnGraph() {
        return float32 ? engine.evaluateFloat32(graph, weights) : engine.evaluate(graph, weights);
    }

    /** The neighbour list within the model's cutoff alone. */
    @Benchmark
    public NeighborList neighbourList() {
        return NeighborList.of(structure, engine.rMax());
    }
}
