package dev.e3j.processor;

import dev.e3j.runtime.io.StateDict;
import dev.e3j.runtime.model.Evaluation;
import dev.e3j.runtime.model.InteratomicPotential;
import dev.e3j.runtime.model.Structure;
import dev.e3j.testsupport.ReferenceData;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

/**
 * A timing driver for the {@code @Mace} engine (not a test): the trained Cu model of the MD sample
 * ({@code samples/.../md/mace-cu-emt.json} and {@code .safetensors}) compiled from its constructor arguments, and
 * energy + forces + stress on the rattled periodic fcc Cu supercells that {@code tools/bench_mace_torch.py} times
 * (a = 3.6 A, conventional cells repeated 2x2x4, 4x4x8, 8x8x16 for 64, 512, 4096 atoms; rattled by 0.03 A, here
 * under Java's own fixed seed). Prints, per size, after as many CPU seconds of warm-up as of timed runs (CPU time of
 * the evaluating threads, so that a loaded machine still warms the JIT and times enough runs): the median and
 * minimum wall time of the timed runs; the CPU time of the evaluating threads per evaluation (on a loaded machine
 * the steadier measure); the bytes allocated per evaluation by all threads; the sum of the heap pools' peak use
 * over the timed runs (an upper bound of the peak heap: the pools peak at different times); and the energy and a
 * force checksum, so that two builds can be compared; {@code --float32} compiles the spec with
 * {@code precision = FLOAT}, so that {@code evaluate} computes in float32:
 * <pre>
 *   java -cp (processor test classpath) dev.e3j.processor.MaceTiming [sizes...] [--seconds s] [--float32]
 * </pre>
 */
public final class MaceTiming {

    private static final Path MODEL = Path.of("samples/src/main/resources/dev/e3j/samples/md");
    private static final double LATTICE = 3.6;
    private static final double RATTLE = 0.03;

    private MaceTiming() {
    }

    /**
     * Runs the timings; arguments: atom counts (64, 512, 4096), {@code --seconds} of CPU time for the timed runs per size and
     * {@code --float32}.
     */
    @SuppressWarnings("unchecked")
    public static void main(String[] args) throws Exception {
        double seconds = 5;
        boolean float32 = false;
        int[] sizes = {64, 512};
        int[] given = new int[args.length];
        int count = 0;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--seconds")) {
                seconds = Double.parseDouble(args[++i]);
            } else if (args[i].equals("--float32")) {
                float32 = true;
            } else {
                given[count++] = Integer.parseInt(args[i]);
            }
        }
        if (count > 0) {
            sizes = Arrays.copyOf(given, count);
        }
        Map<String, Object> description = (Map<String, Object>) ReferenceData.parse(
                Files.readString(MODEL.resolve("mace-cu-emt.json")));
        InteratomicPotential potential = MaceReferenceTest.load(MaceReferenceTest.specSource(
                (Map<String, Object>) description.get("constructor"), float32),
                StateDict.read(MODEL.resolve("mace-cu-emt.safetensors")));
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int size : sizes) {
            Structure structure = copper(size);
            long budget = (long) (seconds * 1e9);
            long warmupStart = computeCpu(threads);
            Evaluation result = potential.evaluate(structure);
            while (computeCpu(threads) - warmupStart < budget) {
                result = potential.evaluate(structure);
            }
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                pool.resetPeakUsage();
            }
            double[] times = new double[10_000];
            int runs = 0;
            long before = allocated(threads);
            long cpuBefore = computeCpu(threads);
            while ((runs < 3 || computeCpu(threads) - cpuBefore < budget) && runs < times.length) {
                long start = System.nanoTime();
                result = potential.evaluate(structure);
                times[runs++] = (System.nanoTime() - start) * 1e-6;
            }
            long bytes = (allocated(threads) - before) / runs;
            double cpu = (computeCpu(threads) - cpuBefore) * 1e-6 / runs;
            long peak = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    peak += pool.getPeakUsage().getUsed();
                }
            }
            double[] sorted = Arrays.copyOf(times, runs);
            Arrays.sort(sorted);
            double forceSum = 0;
            for (double f : result.forces()) {
                forceSum += Math.abs(f);
            }
            System.out.printf("atoms %5d  runs %4d  median %9.3f ms  min %9.3f ms  cpu %9.3f ms/eval  "
                    + "alloc %8.2f MB/eval  heap peaks %6.0f MB  energy %.12f  sum|F| %.12f%n", size, runs,
                    sorted[runs / 2], sorted[0], cpu, bytes / 1e6, peak / 1e6, result.energy(), forceSum);
        }
    }

    /**
     * CPU time so far of the threads that evaluate: the caller and the common fork/join pool's workers (not the
     * JIT compiler's or the garbage collector's threads).
     */
    private static long computeCpu(com.sun.management.ThreadMXBean threads) {
        long total = 0;
        for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && (info.getThreadName().equals("main")
                    || info.getThreadName().startsWith("ForkJoinPool.commonPool"))) {
                total += Math.max(threads.getThreadCpuTime(info.getThreadId()), 0);
            }
        }
        return total;
    }

    /** Bytes allocated so far by all live threads (the fork/join workers included). */
    private static long allocated(com.sun.management.ThreadMXBean threads) {
        long total = 0;
        for (long bytes : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
            total += Math.max(bytes, 0);
        }
        return total;
    }

    /** The rattled periodic fcc Cu supercell of {@code size} atoms (64, 512 or 4096). */
    static Structure copper(int size) {
        int[] repeats = switch (size) {
            case 64 -> new int[] {2, 2, 4};
            case 512 -> new int[] {4, 4, 8};
            case 4096 -> new int[] {8, 8, 16};
            default -> throw new IllegalArgumentException("size: expected 64, 512 or 4096, got " + size);
        };
        double[][] basis = {{0, 0, 0}, {0, 0.5, 0.5}, {0.5, 0, 0.5}, {0.5, 0.5, 0}};
        double[] positions = new double[3 * size];
        Random random = new Random(64);
        int atom = 0;
        for (int i = 0; i < repeats[0]; i++) {
            for (int j = 0; j < repeats[1]; j++) {
                for (int k = 0; k < repeats[2]; k++) {
                    for (double[] b : basis) {
                        positions[3 * atom] = (i + b[0]) * LATTICE + RATTLE * random.nextGaussian();
                        positions[3 * atom + 1] = (j + b[1]) * LATTICE + RATTLE * random.nextGaussian();
                        positions[3 * atom + 2] = (k + b[2]) * LATTICE + RATTLE * random.nextGaussian();
                        atom++;
                    }
                }
            }
        }
        int[] numbers = new int[size];
        Arrays.fill(numbers, 29);
        double[] cell = {repeats[0] * LATTICE, 0, 0, 0, repeats[1] * LATTICE, 0, 0, 0, repeats[2] * LATTICE};
        return Structure.periodic(numbers, positions, cell, new boolean[] {true, true, true});
    }
}
