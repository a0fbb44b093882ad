package dev.e3j.benchmarks;

import dev.e3j.annotations.Layout;
import dev.e3j.runtime.io.StateDict;
import dev.e3j.runtime.model.InteratomicPotential;
import dev.e3j.runtime.model.Structure;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Locale;

/**
 * The memory one energy-and-forces evaluation of {@link MaceBenchmark}'s copper MACE takes, per supercell size: the
 * bytes it allocates (the thread's allocation counter) and the heap's peak use while it runs (the heap pools' peaks
 * after a collection, summed: an upper bound, since it counts garbage the collector had not yet reclaimed), with the
 * heap in use before (the model's weights and the structure), and the CPU time per evaluation of the threads that
 * evaluate, the calling thread and the common fork/join pool's workers that run the parallel blocks (the mean of
 * {@link #TIMED} evaluations after {@link #WARMUP_SECONDS} of warm-up: on a machine other programs load, a fairer
 * measure than JMH's wall time; divided by JMH's wall time, the cores the evaluation kept busy). One JSON object a
 * line, for
 * {@code tools/mace_report.py}. Run {@code java -Xmx8g -cp benchmarks/target/benchmarks.jar dev.e3j.benchmarks.MaceHeap}
 * from the checkout; {@code -Xmx} bounds the peak a run may reach, so state it with the numbers.
 */
public final class MaceHeap {

    /** Evaluations before measuring, at least, so that the compiled code and the collector settle. */
    static final int WARMUP = 3;
    /** Seconds of evaluations before measuring, at least: a few evaluations of 64 atoms leave the JIT compiling. */
    static final int WARMUP_SECONDS = 10;
    /** Evaluations whose CPU time is averaged. */
    static final int TIMED = 3;

    private MaceHeap() {
    }

    /**
     * Measures 64, 512 and 4096 atoms (or the sizes given as arguments), in float64 and then float32, and prints one
     * line each; {@code --layout IR_MUL} first measures the channel-last model ({@code MUL_IR} by default), so that
     * runs of the two layouts, alternated, compare them by CPU time.
     */
    public static void main(String[] args) throws IOException {
        Layout layout = Layout.MUL_IR;
        String[] rest = args;
        if (args.length >= 2 && args[0].equals("--layout")) {
            layout = Layout.valueOf(args[1]);
            rest = java.util.Arrays.copyOfRange(args, 2, args.length);
        }
        StateDict stateDict = StateDict.read(MaceBenchmark.weightsFile());
        String[] sizes = rest.length > 0 ? rest : new String[] {"64", "512", "4096"};
        for (boolean float32 : new boolean[] {false, true}) {
            measure(MaceBenchmark.potential(stateDict, float32, layout), float32 ? "float32" : "float64", layout,
                    sizes);
        }
    }

    private static void measure(InteratomicPotential potential, String precision, Layout layout, String[] sizes) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (String size : sizes) {
            Structure structure = MaceBenchmark.copper(Integer.parseInt(size));
            long warmupStart = System.nanoTime();
            for (int i = 0; i < WARMUP || System.nanoTime() - warmupStart < WARMUP_SECONDS * 1_000_000_000L; i++) {
                potential.evaluate(structure);
            }
            System.gc();
            long before = heapUsed();
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                pool.resetPeakUsage();
            }
            long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
            potential.evaluate(structure);
            long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
            long peak = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    peak += pool.getPeakUsage().getUsed();
                }
            }
            long cpuBefore = evaluatingCpu(threads);
            for (int i = 0; i < TIMED; i++) {
                potential.evaluate(structure);
            }
            double cpuMillis = (evaluatingCpu(threads) - cpuBefore) / 1e6 / TIMED;
            System.out.printf(Locale.ROOT, "{\"atoms\": %d, \"precision\": \"%s\", \"layout\": \"%s\", "
                    + "\"allocated_mb\": %.2f, \"heap_before_mb\": %.2f, \"peak_heap_mb\": %.2f, \"max_heap_mb\": %.0f,"
                    + " \"cpu_ms\": %.2f}%n", structure.size(), precision, layout, allocated / 1e6, before / 1e6,
                    peak / 1e6,
                    Runtime.getRuntime().maxMemory() / 1e6, cpuMillis);
        }
    }

    /**
     * CPU time so far of the threads that evaluate: this one and the common fork/join pool's workers (not the JIT
     * compiler's or the garbage collector's threads).
     */
    private static long evaluatingCpu(com.sun.management.ThreadMXBean threads) {
        long total = threads.getCurrentThreadCpuTime();
        for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith("ForkJoinPool.commonPool")) {
                total += Math.max(threads.getThreadCpuTime(info.getThreadId()), 0);
            }
        }
        return total;
    }

    private static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
