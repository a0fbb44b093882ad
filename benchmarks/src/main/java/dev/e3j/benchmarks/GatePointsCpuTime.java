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
 * minimum, first quartile and median per precision, after a warm-up.
 *
 * <pre>
 *   java -Djava.util.concurrent.ForkJoinPool.common.parallelism=0 -cp benchmarks.jar \
 *       dev.e3j.benchmarks.GatePointsCpuTime [rounds, default 6] [calls per round and precision, default 10]
 * </pre>
 */
public final class GatePointsCpuTime {

    private GatePointsCpuTime() {
    }

    private static GatePointsBenchmark forwardAndBackward(String precision) throws IOException {
        GatePointsBenchmark benchmark = new GatePointsBenchmark();
        benchmark.pass = "backward";
        benchmark.precision = precision;
        benchmark.setUp();
        return benchmark;
    }

    /** See the class comment. */
    public static void main(String[] args) throws IOException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        GatePointsBenchmark[] sides = {forwardAndBackward("f64"), forwardAndBackward("f32")};
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
            System.out.printf("%s forward + d/dpos, thread CPU ms per call: min %.2f, p25 %.2f, median %.2f%n",
                    sides[s].precision, sorted[0], sorted[sorted.length / 4], sorted[sorted.length / 2]);
        }
    }
}
