package dev.e3j.benchmarks;

import dev.e3j.processor.writer.NumberType;
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
 * Spherical harmonics per point on one thread, sphericart's measure: values ({@code pass = forward}) or values and
 * the gradient with respect to the vectors ({@code backward}: forward, then the backward against a fixed cotangent,
 * where sphericart computes the full Jacobian), float64 or float32. The {@value #POINTS} points go through the
 * kernel in blocks of {@value #BLOCK}, small enough that the kernel does not split them over threads; the score is
 * nanoseconds per point.
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

    @Param({"f64", "f32"})
    public String precision;

    @Param({"forward", "backward"})
    public String pass;

    private Workload[] blocks;

    @Setup
    public void setUp() {
        SphericalHarmonicsKernel kernel = Configuration.of(config).sphericalHarmonicsKernel();
        NumberType numbers = NumberType.ofShortName(precision);
        Pass what = Pass.of(pass);
        SplittableRandom random = new SplittableRandom(Workload.SEED);
        blocks = new Workload[POINTS / BLOCK];
        for (int block = 0; block < blocks.length; block++) {
            blocks[block] = Workload.sphericalHarmonics(kernel, numbers, what, BLOCK, random);
        }
    }

    @Benchmark
    @OperationsPerInvocation(POINTS)
    public void oneThread() {
        for (Workload block : blocks) {
            block.run();
        }
    }
}
