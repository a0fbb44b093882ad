package dev.e3j.benchmarks;

import dev.e3j.annotations.Layout;
import dev.e3j.annotations.Linear;
import dev.e3j.annotations.Precision;
import dev.e3j.processor.writer.NumberType;
import dev.e3j.runtime.LinearKernel;
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
 * A MACE-sized {@code @Linear} ({@code 128x0e+128x1o+128x2e} both ways, shared weights, as MACE's interaction
 * linears) on a batch of 2000 samples, in e3nn's layout ({@code MUL_IR}) and channel-last ({@code IR_MUL}): the same
 * arithmetic, so the two layouts differ only by how the features go in and out of the per-sample rows. Forward, and
 * forward plus every gradient.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
public class LinearBenchmark {

    /** Samples per call. */
    static final int BATCH = 2000;

    @Param({"MUL_IR", "IR_MUL"})
    public String layout;

    @Param({"f64", "f32"})
    public String precision;

    @Param({"forward", "backward"})
    public String pass;

    private Workload workload;

    @Linear(in = MaceSized.IRREPS, out = MaceSized.IRREPS, precision = Precision.FLOAT)
    interface MaceSized extends LinearKernel {
        String IRREPS = "128x0e+128x1o+128x2e";
    }

    @Linear(in = MaceSized.IRREPS, out = MaceSized.IRREPS, precision = Precision.FLOAT, layout = Layout.IR_MUL)
    interface MaceSizedChannelLast extends LinearKernel {
    }

    @Setup
    public void setUp() {
        LinearKernel kernel = switch (Layout.valueOf(layout)) {
            case MUL_IR -> new LinearBenchmark_MaceSizedImpl();
            case IR_MUL -> new LinearBenchmark_MaceSizedChannelLastImpl();
        };
        workload = workload(kernel, NumberType.ofShortName(precision), Pass.of(pass));
    }

    /** The pass on seeded inputs, uniform in [-1, 1). */
    static Workload workload(LinearKernel kernel, NumberType precision, Pass pass) {
        SplittableRandom random = new SplittableRandom(Workload.SEED);
        double[] x = Workload.uniform(random, BATCH * kernel.irrepsIn().dim());
        double[] weights = Workload.uniform(random, kernel.weightNumel());
        double[] gradOut = Workload.uniform(random, BATCH * kernel.irrepsOut().dim());
        if (precision == NumberType.DOUBLE) {
            double[] out = new double[gradOut.length];
            if (pass == Pass.FORWARD) {
                return () -> kernel.forward(BATCH, x, weights, null, out);
            }
            double[] gradX = new double[x.length];
            double[] gradWeights = new double[weights.length];
            return () -> {
                kernel.forward(BATCH, x, weights, null, out);
                kernel.backward(BATCH, x, weights, gradOut, gradX, gradWeights, null);
            };
        }
        float[] xf = Workload.toFloat(x);
        float[] weightsF = Workload.toFloat(weights);
        float[] gradOutF = Workload.toFloat(gradOut);
        float[] out = new float[gradOut.length];
        if (pass == Pass.FORWARD) {
            return () -> kernel.forward(BATCH, xf, weightsF, null, out);
        }
        float[] gradX = new float[x.length];
        float[] gradWeights = new float[weights.length];
        return () -> {
            kernel.forward(BATCH, xf, weightsF, null, out);
            kernel.backward(BATCH, xf, weightsF, gradOutF, gradX, gradWeights, null);
        };
    }

    @Benchmark
    public void batch() {
        workload.run();
    }
}
