package dev.e3j.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A paired A/B of two builds on {@link MaceBenchmark#energyAndForces} (the neighbour list, energy, forces and stress
 * of the copper MACE) by the calling thread's CPU time, for a machine that other jobs load, where wall-clock times
 * and even separate processes' CPU times differ by more than the change being measured: both builds are loaded in
 * one JVM, each by a class loader of its own over its class path (a benchmarks jar, optionally preceded by other
 * class folders, e.g. {@code runtime/target/classes} to try a runtime change on the kernels generated before it),
 * warmed up together, then called in pairs, A and B in alternating order, so that both see the same load. Run it
 * with {@code -Djava.util.concurrent.ForkJoinPool.common.parallelism=0}, so that every block runs in the calling
 * thread and its CPU time is the whole evaluation's. Prints, per build, the minimum, first quartile and median CPU
 * milliseconds per call, the median (and quartiles) of the paired ratios B / A, and each build's last energy (equal
 * energies: the same bits).
 *
 * <pre>
 *   java -Djava.util.concurrent.ForkJoinPool.common.parallelism=0 -cp benchmarks/target/benchmarks.jar \
 *       dev.e3j.benchmarks.MaceCpuTime atoms(64, 512 or 4096) precision(float64 or float32) seconds \
 *       classPathA classPathB [layout, default MUL_IR]
 * </pre>
 */
public final class MaceCpuTime {

    private MaceCpuTime() {
    }

    /** One build's benchmark state, set up, and its {@code energyAndForces} method. */
    private record Side(Object benchmark, Method energyAndForces) {
        Object call() throws ReflectiveOperationException {
            return energyAndForces.invoke(benchmark);
        }
    }

    private static Side side(String classPath, int atoms, String precision, String layout)
            throws ReflectiveOperationException, MalformedURLException {
        List<URL> urls = new ArrayList<>();
        for (String entry : classPath.split(":")) {
            urls.add(Path.of(entry).toUri().toURL());
        }
        ClassLoader loader = new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
        Class<?> type = loader.loadClass(MaceBenchmark.class.getName());
        Object benchmark = type.getConstructor().newInstance();
        type.getField("atoms").setInt(benchmark, atoms);
        type.getField("precision").set(benchmark, precision);
        type.getField("layout").set(benchmark, layout);
        type.getMethod("setUp").invoke(benchmark);
        return new Side(benchmark, type.getMethod("energyAndForces"));
    }

    /** See the class comment. */
    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            throw new IllegalArgumentException("arguments: expected atoms precision seconds classPathA classPathB "
                    + "[layout], got " + Arrays.toString(args));
        }
        int atoms = Integer.parseInt(args[0]);
        String precision = args[1];
        double seconds = Double.parseDouble(args[2]);
        String layout = args.length > 5 ? args[5] : "MUL_IR";
        Side[] sides = {side(args[3], atoms, precision, layout), side(args[4], atoms, precision, layout)};
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long warmUpEnd = threads.getCurrentThreadCpuTime() + (long) (seconds * 0.5e9);
        while (threads.getCurrentThreadCpuTime() < warmUpEnd) {
            sides[0].call();
            sides[1].call();
        }
        List<double[]> pairs = new ArrayList<>();
        Object[] last = new Object[2];
        long end = threads.getCurrentThreadCpuTime() + (long) (seconds * 1e9);
        while (threads.getCurrentThreadCpuTime() < end) {
            double[] milliseconds = new double[2];
            for (int k = 0; k < 2; k++) {
                int s = (pairs.size() + k) % 2;
                long start = threads.getCurrentThreadCpuTime();
                last[s] = sides[s].call();
                milliseconds[s] = (threads.getCurrentThreadCpuTime() - start) / 1e6;
            }
            pairs.add(milliseconds);
        }
        double[] a = pairs.stream().mapToDouble(p -> p[0]).sorted().toArray();
        double[] b = pairs.stream().mapToDouble(p -> p[1]).sorted().toArray();
        double[] ratio = pairs.stream().mapToDouble(p -> p[1] / p[0]).sorted().toArray();
        int n = pairs.size();
        System.out.printf("%d atoms %s %s, %d pairs, thread CPU ms per call: A min %.2f p25 %.2f median %.2f | "
                        + "B min %.2f p25 %.2f median %.2f | B / A median %.3f (quartiles %.3f, %.3f)%n", atoms,
                precision, layout, n, a[0], a[n / 4], a[n / 2], b[0], b[n / 4], b[n / 2], ratio[n / 2],
                ratio[n / 4], ratio[3 * n / 4]);
        for (int s = 0; s < 2; s++) {
            System.out.printf("%s energy %.15f%n", s == 0 ? "A" : "B",
                    (double) last[s].getClass().getMethod("energy").invoke(last[s]));
        }
    }
}
