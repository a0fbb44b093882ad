package dev.e3j.benchmarks;

import dev.e3j.annotations.Mace;
import dev.e3j.annotations.Precision;
import dev.e3j.runtime.io.StateDict;
import dev.e3j.runtime.model.Evaluation;
import dev.e3j.runtime.model.InteratomicPotential;
import dev.e3j.runtime.model.Structure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Energy and forces of a MACE the size of MACE-MP-0 "medium", the foundation model people deploy (ScaleShiftMACE,
 * 89 elements, {@code 128x0e+128x1o}, {@code maxEll = 3}, correlation 3, two residual interactions, radial MLP
 * {@code [64, 64, 64]} on 10 Bessel functions, {@code rMax = 6}: {@code tools/data/mace-mp-medium.json}) on
 * {@link MaceBenchmark}'s rattled fcc Cu supercells, called from one thread (the model's parallel blocks on the common
 * fork/join pool), in float64 and float32. The weights are a file
 * ({@code weights}): {@code tools/bench_mace_mp.sh} writes seeded random weights with
 * {@code tools/export_mace.py} and times mace-torch on the same file, so both sides compute the same numbers; the
 * time does not depend on the weights' values.
 *
 * <p>Warm-up: 10 iterations of 2 s, as {@link MaceBenchmark}'s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 10, time = 2)
@Measurement(iterations = 5, time = 2)
public class MaceMpMediumBenchmark {

    /** MACE-MP-0 medium's constructor arguments ({@code tools/data/mace-mp-medium.json}). */
    @Mace(rMax = 6.0, numBessel = 10, numPolynomialCutoff = 5, maxEll = 3, numInteractions = 2,
            interactionFirst = Mace.Interaction.REAL_AGNOSTIC_RESIDUAL,
            interaction = Mace.Interaction.REAL_AGNOSTIC_RESIDUAL,
            atomicNumbers = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
                26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51,
                52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77,
                78, 79, 80, 81, 82, 83, 89, 90, 91, 92, 93, 94},
            hiddenIrreps = "128x0e+128x1o", mlpIrreps = "16x0e", correlation = {3}, gate = Mace.Gate.SILU,
            radialMlp = {64, 64, 64}, avgNumNeighbors = 61.96, scaleShift = true)
    public interface MpMedium extends InteratomicPotential {
    }

    /** {@link MpMedium} with {@code precision = FLOAT}. */
    @Mace(rMax = 6.0, numBessel = 10, numPolynomialCutoff = 5, maxEll = 3, numInteractions = 2,
            interactionFirst = Mace.Interaction.REAL_AGNOSTIC_RESIDUAL,
            interaction = Mace.Interaction.REAL_AGNOSTIC_RESIDUAL,
            atomicNumbers = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
                26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51,
                52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77,
                78, 79, 80, 81, 82, 83, 89, 90, 91, 92, 93, 94},
            hiddenIrreps = "128x0e+128x1o", mlpIrreps = "16x0e", correlation = {3}, gate = Mace.Gate.SILU,
            radialMlp = {64, 64, 64}, avgNumNeighbors = 61.96, scaleShift = true, precision = Precision.FLOAT)
    public interface MpMediumFloat32 extends InteratomicPotential {
    }

    @Param({"64", "512"})
    public int atoms;

    /** {@code float64} or {@code float32}: the type the model computes in. */
    @Param({"float64", "float32"})
    public String precision;

    /** The model's safetensors file ({@code tools/export_mace.py}'s layout): {@code tools/bench_mace_mp.sh}'s. */
    @Param({"target/bench-mace-mp/mp-medium.safetensors"})
    public String weights;

    private InteratomicPotential potential;
    private Structure structure;

    @Setup
    public void setUp() throws IOException {
        Path file = Path.of(weights);
        if (!Files.isRegularFile(file)) {
            throw new IOException("weights: " + file.toAbsolutePath() + " not found; tools/bench_mace_mp.sh writes it "
                    + "(tools/export_mace.py --constructor tools/data/mace-mp-medium.json ...), or pass -p weights=FILE");
        }
        StateDict stateDict = StateDict.read(file);
        potential = switch (precision) {
            case "float64" -> new MaceMpMediumBenchmark_MpMediumImpl(stateDict);
            case "float32" -> new MaceMpMediumBenchmark_MpMediumFloat32Impl(stateDict);
            default -> throw new IllegalArgumentException("precision must be float64 or float32, got " + precision);
        };
        structure = MaceBenchmark.copper(atoms);
    }

    /** Energy, forces and stress from positions: the neighbour list, then the model. */
    @Benchmark
    public Evaluation energyAndForces() {
        return potential.evaluate(structure);
    }
}
