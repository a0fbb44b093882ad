package dev.e3j.spark;

import com.sun.management.OperatingSystemMXBean;
import dev.e3j.runtime.model.InteratomicPotential;
import dev.e3j.runtime.model.Structure;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * Structures per second of the test pair potential on rattled copper cells (32 atoms): a plain loop over the
 * structures in this JVM, then Spark on {@code local[1]} and {@code local[2]} (input cached, results computed and
 * discarded by Spark's {@code noop} sink). Each figure is the best of three timed runs after one warm-up run, in
 * wall time and in the process's CPU time (all threads: Spark's, the JIT's and the garbage collector's), which a
 * machine shared with other work disturbs less. The difference between the loop's and {@code local[1]}'s CPU time
 * per structure is Spark's overhead per structure.
 *
 * <pre>java $(spark.jvm.options) -cp ... dev.e3j.spark.SparkThroughput [structures, default 20000]</pre>
 */
public final class SparkThroughput {

    private static final int RUNS = 3;

    private SparkThroughput() {
    }

    /** Runs the measurement; the optional argument is the number of structures. */
    public static void main(String[] args) {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        List<Structure> structures = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            structures.add(Screen.rattledCopper(1, i, 0.05));
        }
        InteratomicPotential potential = new PairPotential(PairPotential.COPPER);
        double[] loop = best(() -> potential.evaluate(structures));
        report("plain loop, 1 thread", count, loop, loop);
        GeneratedModel model = GeneratedModel.of(PairPotential.class.getName(),
                SafetensorsBytes.of(PairPotential.COPPER), "lj-cu.safetensors");
        for (String master : new String[] {"local[1]", "local[2]"}) {
            SparkSession spark = SparkSession.builder().master(master).appName("e3j-spark throughput")
                    .config("spark.ui.enabled", "false").getOrCreate();
            spark.sparkContext().setLogLevel("ERROR");
            try (SparkPotential sparkPotential = SparkPotential.broadcast(spark, model)) {
                Dataset<Row> input = Screen.rattledCopper(spark, count, 8, 1, 0.05).cache();
                input.count();
                double[] best = best(() -> sparkPotential.evaluate(input).write().format("noop")
                        .mode(SaveMode.Overwrite).save());
                report("Spark " + master, count, best, loop);
            } finally {
                spark.stop();
            }
        }
    }

    /** {@return the smallest wall and CPU seconds of {@link #RUNS} runs of {@code work} after a warm-up run} */
    private static double[] best(Runnable work) {
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        work.run();
        double[] best = {Double.MAX_VALUE, Double.MAX_VALUE};
        for (int run = 0; run < RUNS; run++) {
            long wall = System.nanoTime();
            long cpu = os.getProcessCpuTime();
            work.run();
            best[0] = Math.min(best[0], (System.nanoTime() - wall) * 1e-9);
            best[1] = Math.min(best[1], (os.getProcessCpuTime() - cpu) * 1e-9);
        }
        return best;
    }

    private static void report(String what, int count, double[] seconds, double[] loop) {
        System.out.printf(Locale.ROOT, "%-22s %7.0f structures/s (%4.2fx the loop's)  wall %7.1f us/structure"
                + "  CPU %7.1f us/structure (%+.1f over the loop)%n", what, count / seconds[0], loop[0] / seconds[0],
                seconds[0] / count * 1e6, seconds[1] / count * 1e6, (seconds[1] - loop[1]) / count * 1e6);
    }
}
