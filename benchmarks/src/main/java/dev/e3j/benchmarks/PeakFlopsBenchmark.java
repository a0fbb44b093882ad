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
 * This machine's floating-point peak as Java reaches it: on each core, a loop over an L1-resident array applying
 * {@value #CHAIN} dependent FMAs to every element, {@code v = fma(v, a, c)}. HotSpot vectorizes the loop over the
 * elements, so the independent elements fill the FMA pipelines; one operation does {@code 2 * CHAIN * LENGTH}
 * flops per thread. Two threads, one per core, as the kernels use.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(PeakFlopsBenchmark.THREADS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PeakFlopsBenchmark {

    static final int THREADS = 2;
    static final int LENGTH = 1024;
    static final int CHAIN = 16;
    /** Flops of one operation of one thread. */
    static final long FLOPS_PER_OPERATION = 2L * CHAIN * LENGTH;

    /** {@code v -> a v + c} converges to {@code c / (1 - a)}, so values stay bounded however long it runs. */
    private static final double A = 0.999;
    private static final double C = 1e-3;

    private final double[] doubles = new double[LENGTH];
    private final float[] floats = new float[LENGTH];

    {
        Arrays.fill(doubles, 0.5);
        Arrays.fill(floats, 0.5f);
    }

    @Benchmark
    public double[] fmaF64() {
        double[] values = doubles;
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            v = Math.fma(v, A, C);
            v = Math.fma(v, A, C);
            v = Math.fma(v, A, C);
            v = Math.fma(v, A, C);
            v = Math.fma(v, A, C);
            v = Math.fma(v, A, C);
            v = Math.fma(v, A, C);
            v = Math.fma(v, A, C);
            v = Math.fma(v, A, C);
            v = Math.fma(v, A, C);
            v = Math.fma(v, A, C);
            v = Math.fma(v, A, C);
            v = Math.fma(v, A, C);
            v = Math.fma(v, A, C);
            v = Math.fma(v, A, C);
            v = Math.fma(v, A, C);
            values[i] = v;
        }
        return values;
    }

    @Benchmark
    public float[] fmaF32() {
        float[] values = floats;
        float a = (float) A;
        float c = (float) C;
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            v = Math.fma(v, a, c);
            v = Math.fma(v, a, c);
            v = Math.fma(v, a, c);
            v = Math.fma(v, a, c);
            v = Math.fma(v, a, c);
            v = Math.fma(v, a, c);
            v = Math.fma(v, a, c);
            v = Math.fma(v, a, c);
            v = Math.fma(v, a, c);
            v = Math.fma(v, a, c);
            v = Math.fma(v, a, c);
            v = Math.fma(v, a, c);
            v = Math.fma(v, a, c);
            v = Math.fma(v, a, c);
            v = Math.fma(v, a, c);
            v = Math.fma(v, a, c);
            values[i] = v;
        }
        return values;
    }
}
