package dev.e3j.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * The work of {@link GatePointsBenchmark}'s forward + d/dpos, as the calling thread's CPU time per call, for A/B
 * comparisons of two builds on a machine that other jobs load (where wall-clock times say little): run it with
 * {@code -Djava.util.concurrent.ForkJoinPool.common.parallelism=0}, so that every block runs in the calling thread
 * and its CPU time is the whole pass's, and alternate the builds ({@code tools/ab_gate_points_cpu.sh}). Prints the
 * minimum, first quartile and median per precision, after a warm-up. The forward alone with {@code pass = forward},
 * the channel-last network with {@code layout = IR_MUL}.
 *
 * <pre>
 *   java -Djava.util.concurrent.ForkJoinPool.common.parallelism=0 -cp benchmarks.jar \
 *       dev.e3j.benchmarks.GatePointsCpuTime [rounds, default 6] [calls per round and precision, default 10] \
 *       [layout, default MUL_IR] [pass: backward (forward + d/dpos, the default) or forward]
 * </pre>
 */
public final class GatePointsCpuTime {

    private GatePointsCpuTime() {
    }

    private static GatePointsBenchmark benchmark(String precision, String layout, String pass) throws IOException {
        GatePointsBenchmark benchmark = new GatePointsBenchmark();
        benchmark.pass = pass;
        benchmark.precision = precision;
        benchmark.layout = layout;
        benchmark.setUp();
        return benchmark;
    }

    /** See the class comment. */
    public static void main(String[] args) throws IOException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        String layout = args.length > 2 ? args[2] : "MUL_IR";
        String pass = args.length > 3 ? args[3] : "backward";
        GatePointsBenchmark[] sides = {benchmark("f64", layout, pass), benchmark("f32", layout, pass)};
        for (int warmUp = 0; warmUp < 40; warmUp++) {
            for (GatePointsBenchmark side : sides) {
                side.batch();
            }
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[][] milliseconds = new double[sides.length][rounds * calls];
        for (int round = 0; round < rounds; round++) {
            for (int s = 0; s < sides.length; s++) {
                for (int call = 0; call < calls; call++) {
                    long start = threads.getCurrentThreadCpuTime();
                    sides[s].batch();
                    milliseconds[s][round * calls + call] = (threads.getCurrentThreadCpuTime() - start) / 1e6;
                }
            }
        }
        for (int s = 0; s < sides.length; s++) {
            double[] sorted = milliseconds[s].clone();
            Arrays.sort(sorted);
            System.out.printf("%s %s %s, thread CPU ms per call: min %.2f, p25 %.2f, median %.2f%n", layout,
                    sides[s].precision, pass.equals("forward") ? "forward" : "forward + d/dpos", sorted[0],
                    sorted[sorted.length / 4], sorted[sorted.length / 2]);
        }
    }
}
