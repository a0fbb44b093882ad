package dev.e3j.benchmarks;

import dev.e3j.annotations.Layout;
import dev.e3j.processor.writer.NumberType;
import dev.e3j.runtime.TensorProductKernel;
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
 * {@code doubleBackward} against forward plus backward of the same kernel, on the tensor-product configurations of
 * {@link KernelBenchmark}: issue 22 asks the second derivatives to cost at most three times the first pass and its
 * gradients. Both passes compute every output ({@code doubleBackward}: every cotangent given, every gradient wanted,
 * as in training on forces), in e3nn's {@code MUL_IR} layout and in the channel-last {@code IR_MUL} (the same
 * uniform random features read in either layout). {@code tools/bench_double_backward.py} times e3nn's autograd double backward on the same
 * configurations.
 *
 * <p>Warm-up: 15 iterations of 2 s. C2 compiles the path methods of a large kernel one by one while the benchmark
 * threads hold both cores: after 9 s revmd17-toluene-uvu's float32 {@code IR_MUL} double backward had 6 of its 30
 * channel-last path methods in C2 code (16 before their loops were split), and its mean after 10 s of warm-up was 3 to
 * 6 times its mean after 30 s (683 against 103 ms, 2026-12-07).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 15, time = 2)
@Measurement(iterations = 5, time = 1)
public class DoubleBackwardBenchmark {

    @Param({"nequip-water-uvu", "revmd17-toluene-uvu", "mace-medium-uvu", "tetris-poly-1-uvw",
            "diffdock-l1-uvw-per-sample", "fc-64-shared-uvw"})
    public String config;

    @Param({"f64", "f32"})
    public String precision;

    /** {@code forward+backward} (the reference cost) or {@code doubleBackward}. */
    @Param({"forward+backward", "doubleBackward"})
    public String pass;

    /** The features' layout, as {@link KernelBenchmark#layout}. */
    @Param({"MUL_IR", "IR_MUL"})
    public String layout;

    private Runnable workload;

    @Setup
    public void setUp() {
        Configuration configuration = Configuration.of(config);
        if (!configuration.isTensorProduct()) {
            throw new IllegalArgumentException("config must be a tensor product, got " + config);
        }
        if (!pass.equals("forward+backward") && !pass.equals("doubleBackward")) {
            throw new IllegalArgumentException("pass must be forward+backward or doubleBackward, got " + pass);
        }
        TensorProductKernel kernel = configuration.tensorProductKernel(Layout.valueOf(layout));
        int batch = configuration.batch();
        SplittableRandom random = new SplittableRandom(Workload.SEED);
        int weights = kernel.sharedWeights() ? kernel.weightNumel() : batch * kernel.weightNumel();
        double[][] arrays = new double[7][];
        int[] lengths = {batch * kernel.irrepsIn1().dim(), batch * kernel.irrepsIn2().dim(), weights,
            batch * kernel.irrepsOut().dim()};
        for (int a = 0; a < arrays.length; a++) {
            // x1, x2, weights, gradOut, then the cotangents of x1, x2 and the weights
            arrays[a] = Workload.uniform(random, lengths[a < 4 ? a : a - 4]);
        }
        boolean doubleBackward = pass.equals("doubleBackward");
        workload = NumberType.ofShortName(precision) == NumberType.DOUBLE
                ? doubles(kernel, batch, arrays, doubleBackward)
                : floats(kernel, batch, arrays, doubleBackward);
    }

    private static Runnable doubles(TensorProductKernel kernel, int batch, double[][] a, boolean doubleBackward) {
        double[] x1 = a[0];
        double[] x2 = a[1];
        double[] w = a[2];
        double[] gradOut = a[3];
        double[] g1 = new double[x1.length];
        double[] g2 = new double[x2.length];
        double[] gw = new double[w.length];
        if (doubleBackward) {
            double[] gGradOut = new double[gradOut.length];
            return () -> kernel.doubleBackward(batch, x1, x2, w, gradOut, a[4], a[5], a[6], g1, g2, gw, gGradOut);
        }
        double[] out = new double[gradOut.length];
        return () -> {
            kernel.forward(batch, x1, x2, w, out);
            kernel.backward(batch, x1, x2, w, gradOut, g1, g2, gw);
        };
    }

    private static Runnable floats(TensorProductKernel kernel, int batch, double[][] a, boolean doubleBackward) {
        float[] x1 = Workload.toFloat(a[0]);
        float[] x2 = Workload.toFloat(a[1]);
        float[] w = Workload.toFloat(a[2]);
        float[] gradOut = Workload.toFloat(a[3]);
        float[] g1 = new float[x1.length];
        float[] g2 = new float[x2.length];
        float[] gw = new float[w.length];
        if (doubleBackward) {
            float[] ggX1 = Workload.toFloat(a[4]);
            float[] ggX2 = Workload.toFloat(a[5]);
            float[] ggW = Workload.toFloat(a[6]);
            float[] gGradOut = new float[gradOut.length];
            return () -> kernel.doubleBackward(batch, x1, x2, w, gradOut, ggX1, ggX2, ggW, g1, g2, gw, gGradOut);
        }
        float[] out = new float[gradOut.length];
        return () -> {
            kernel.forward(batch, x1, x2, w, out);
            kernel.backward(batch, x1, x2, w, gradOut, g1, g2, gw);
        };
    }

    @Benchmark
    public void batch() {
        workload.run();
    }
}
