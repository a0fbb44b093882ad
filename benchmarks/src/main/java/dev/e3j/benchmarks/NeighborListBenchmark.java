package dev.e3j.benchmarks;

import dev.e3j.runtime.graph.NeighborList;
import dev.e3j.runtime.model.Structure;
import java.util.Arrays;
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
 * The periodic neighbour list of fcc copper supercells (a = 3.61 Å, rattled by 0.1 Å) with MACE's usual 5 Å cutoff,
 * about 55 neighbours per atom, from 64 atoms ({@code 2x2x4} conventional cells, thinner than twice the cutoff) to
 * 4096 ({@code 8x8x16}). The search is linear in the atoms: the time per atom ({@code score / atoms}) should stay
 * about flat.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class NeighborListBenchmark {

    static final double LATTICE_CONSTANT = 3.61;
    static final double CUTOFF = 5.0;

    /** Atoms: 4 per conventional cell, the cells repeated 2x2x4, 4x4x4, 4x8x8 or 8x8x16. */
    @Param({"64", "256", "1024", "4096"})
    public int atoms;

    private Structure structure;

    @Setup
    public void setUp() {
        int[] repeats = switch (atoms) {
            case 64 -> new int[] {2, 2, 4};
            case 256 -> new int[] {4, 4, 4};
            case 1024 -> new int[] {4, 8, 8};
            case 4096 -> new int[] {8, 8, 16};
            default -> throw new IllegalArgumentException("atoms must be 64, 256, 1024 or 4096, got " + atoms);
        };
        structure = fcc(repeats, new SplittableRandom(Workload.SEED));
    }

    /** Rattled fcc copper, {@code repeats[k]} conventional cells along axis {@code k}. */
    static Structure fcc(int[] repeats, SplittableRandom random) {
        double[][] basis = {{0, 0, 0}, {0, 0.5, 0.5}, {0.5, 0, 0.5}, {0.5, 0.5, 0}};
        int count = 4 * repeats[0] * repeats[1] * repeats[2];
        int[] numbers = new int[count];
        Arrays.fill(numbers, 29);
        double[] positions = new double[3 * count];
        int index = 0;
        for (int i = 0; i < repeats[0]; i++) {
            for (int j = 0; j < repeats[1]; j++) {
                for (int k = 0; k < repeats[2]; k++) {
                    for (double[] b : basis) {
                        int[] unitCell = {i, j, k};
                        for (int c = 0; c < 3; c++) {
                            positions[3 * index + c] = LATTICE_CONSTANT * (unitCell[c] + b[c])
                                    + 0.1 * (random.nextDouble() - 0.5);
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
        return Structure.periodic(numbers, positions, cell,
                new boolean[] {true, true, true});
    }

    @Benchmark
    public NeighborList build() {
        return NeighborList.of(structure, CUTOFF);
    }
}
