package dev.e3j.benchmarks;

import dev.e3j.runtime.SphericalHarmonicsKernel;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Spherical harmonics per point on one thread, values only, float64: sphericart's measure (16 ns per point for
 * l = 0..3, 43 ns for l = 0..6). The {@value #POINTS} points go through the kernel in blocks of {@value #BLOCK},
 * small enough that the kernel does not split them over threads; the score is nanoseconds per point.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
public class SphericalHarmonicsPointBenchmark {

    static final int POINTS = 100_000;
    static final int BLOCK = 1000;

    @Param({"sh-lmax3", "sh-lmax6"})
    public String config;

    private SphericalHarmonicsKernel kernel;
    private double[][] xyz;
    private double[][] out;

    @Setup
    public void setUp() {
        kernel = Configuration.of(config).sphericalHarmonicsKernel();
        SplittableRandom random = new SplittableRandom(Workload.SEED);
        xyz = new double[POINTS / BLOCK][];
        out = new double[POINTS / BLOCK][];
        for (int block = 0; block < xyz.length; block++) {
            xyz[block] = Workload.uniform(random, 3 * BLOCK);
            out[block] = new double[BLOCK * kernel.irrepsOut().dim()];
        }
    }

    @Benchmark
    @OperationsPerInvocation(POINTS)
    public void valuesOneThread() {
        for (int block = 0; block < xyz.length; block++) {
            kernel.forward(BLOCK, xyz[block], out[block]);
        }
    }
}
