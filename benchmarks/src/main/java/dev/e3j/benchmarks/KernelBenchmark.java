package dev.e3j.benchmarks;

import dev.e3j.annotations.Layout;
import dev.e3j.processor.writer.NumberType;
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
 * Every {@link Configuration} (shared/bench/README.md's and the model issues'), f64 and f32, forward and forward plus
 * all gradients, the products in e3nn's {@code MUL_IR} layout and in the channel-last {@code IR_MUL}, the symmetric
 * contraction in the layouts it has ({@link Configuration#layouts()}: {@code MUL_IR}; its {@code IR_MUL} setup fails
 * until it has one). The score is the time for the whole batch, comparable row by row with the peers' tables; the
 * kernels split the batch over the machine's cores themselves (the peers' numbers use two threads), so JMH runs one
 * calling thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
public class KernelBenchmark {

    @Param({"nequip-water-uvu", "revmd17-toluene-uvu", "mace-medium-uvu", "tetris-poly-1-uvw",
            "diffdock-l1-uvw-per-sample", "fc-64-shared-uvw", "gate-points-tp-uvu", "mace-medium-conv-uvu",
            "mace-medium-product", "sh-lmax3", "sh-lmax6"})
    public String config;

    @Param({"f64", "f32"})
    public String precision;

    @Param({"forward", "backward"})
    public String pass;

    /** The products' feature layout; the harmonics have one channel per degree, the same in both. */
    @Param({"MUL_IR", "IR_MUL"})
    public String layout;

    private Workload workload;

    @Setup
    public void setUp() {
        workload = Workload.of(Configuration.of(config), NumberType.ofShortName(precision), Pass.of(pass),
                Layout.valueOf(layout));
    }

    @Benchmark
    public void batch() {
        workload.run();
    }
}
