import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Paired A/B of two builds of e3j on the gate-points benchmark's forward + d/dpos, in one JVM, for a machine that
 * other jobs load: each {@code benchmarks.jar} in its own class loader (its own runtime and generated classes, JIT-ed
 * apart), the calls of A and B alternated (which one goes first alternating too), the calling thread's CPU time per
 * call. The load slows both sides of a pair alike, so the median of the per-pair ratios B / A says far more than the
 * minima of separate JVMs ({@code tools/ab_gate_points_cpu.sh}) when the load average is well above the cores.
 *
 * <pre>
 *   java -Djava.util.concurrent.ForkJoinPool.common.parallelism=0 tools/GatePointsPaired.java A.jar B.jar \
 *       [f64|f32, default f32] [pairs, default 300] [blocks|serial, default blocks]
 * </pre>
 *
 * {@code serial} runs each call inside {@code BatchBlocks.serially}, as each group of graphs runs when a batch is split
 * over threads (the two-thread benchmark); {@code blocks} runs the whole batch by parallel blocks in the calling
 * thread. Run it from the e3j checkout (the benchmark reads {@code reference/models/...}).
 */
public final class GatePointsPaired {

    private GatePointsPaired() {
    }

    /** One build's benchmark, called through its own class loader. */
    private static Runnable side(String jar, String precision, boolean serial) throws Exception {
        ClassLoader loader = new URLClassLoader(new URL[] {Path.of(jar).toUri().toURL()},
                ClassLoader.getPlatformClassLoader());
        Class<?> type = loader.loadClass("dev.e3j.benchmarks.GatePointsBenchmark");
        Object benchmark = type.getConstructor().newInstance();
        type.getField("pass").set(benchmark, "backward");
        type.getField("precision").set(benchmark, precision);
        type.getField("layout").set(benchmark, "MUL_IR");
        type.getMethod("setUp").invoke(benchmark);
        Method batch = type.getMethod("batch");
        Method serially = loader.loadClass("dev.e3j.runtime.BatchBlocks").getMethod("serially", Runnable.class);
        Runnable call = () -> invoke(batch, benchmark);
        return serial ? () -> invoke(serially, null, call) : call;
    }

    private static void invoke(Method method, Object target, Object... args) {
        try {
            method.invoke(target, args);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** See the class comment. */
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: GatePointsPaired A.jar B.jar [f64|f32] [pairs] [blocks|serial]");
            System.exit(1);
        }
        String precision = args.length > 2 ? args[2] : "f32";
        int pairs = args.length > 3 ? Integer.parseInt(args[3]) : 300;
        boolean serial = args.length > 4 && args[4].equals("serial");
        Runnable[] sides = {side(args[0], precision, serial), side(args[1], precision, serial)};
        for (int warmUp = 0; warmUp < 60; warmUp++) {
            sides[0].run();
            sides[1].run();
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[][] milliseconds = new double[2][pairs];
        double[] ratios = new double[pairs];
        for (int pair = 0; pair < pairs; pair++) {
            for (int k = 0; k < 2; k++) {
                int s = (pair + k) % 2;
                long start = threads.getCurrentThreadCpuTime();
                sides[s].run();
                milliseconds[s][pair] = (threads.getCurrentThreadCpuTime() - start) / 1e6;
            }
            ratios[pair] = milliseconds[1][pair] / milliseconds[0][pair];
        }
        Arrays.sort(ratios);
        for (double[] side : milliseconds) {
            Arrays.sort(side);
        }
        System.out.printf("%s %s, %d pairs, thread CPU ms per call: A min %.2f median %.2f, B min %.2f median %.2f;"
                        + " B / A median %.3f (quartiles %.3f, %.3f)%n", precision, serial ? "serial" : "blocks",
                pairs, milliseconds[0][0], milliseconds[0][pairs / 2], milliseconds[1][0],
                milliseconds[1][pairs / 2], ratios[pairs / 2], ratios[pairs / 4], ratios[3 * pairs / 4]);
    }
}
