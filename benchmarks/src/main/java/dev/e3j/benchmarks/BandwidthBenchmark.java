package dev.e3j.benchmarks;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * This machine's memory bandwidth as the kernels see it: each of two threads (one per core, as the kernels run)
 * sums its own {@value #MEGABYTES} MB array, far larger than the caches, with independent partial sums so that
 * the loop is limited by memory, not by the adds. One operation reads {@link #BYTES_PER_OPERATION} bytes per
 * thread; {@link Report} turns the score into GB/s for the roofline of every configuration.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Threads(BandwidthBenchmark.THREADS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class BandwidthBenchmark {

    static final int THREADS = 2;
    static final int MEGABYTES = 256;
    static final long BYTES_PER_OPERATION = (long) MEGABYTES << 20;

    private final double[] values = new double[(int) (BYTES_PER_OPERATION / Double.BYTES)];

    {
        Arrays.fill(values, 1.0);
    }

    @Benchmark
    public double readF64() {
        double[] v = values;
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        for (int i = 0; i < v.length; i += 4) {
            s0 += v[i];
            s1 += v[i + 1];
            s2 += v[i + 2];
            s3 += v[i + 3];
        }
        return s0 + s1 + s2 + s3;
    }
}
