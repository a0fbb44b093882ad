package dev.e3j.spark;

import dev.e3j.runtime.model.InteratomicPotential;
import dev.e3j.runtime.model.Structure;
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
 * discarded by Spark's {@code noop} sink). Each figure is the best of three timed runs after one warm-up run. The
 * difference between the loop's and {@code local[1]}'s time per structure is Spark's overhead per structure.
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
        potential.evaluate(structures);
        double loop = Double.MAX_VALUE;
        for (int run = 0; run < RUNS; run++) {
            long start = System.nanoTime();
            potential.evaluate(structures);
            loop = Math.min(loop, (System.nanoTime() - start) * 1e-9);
        }
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
                double best = Double.MAX_VALUE;
                for (int run = 0; run <= RUNS; run++) {
                    long start = System.nanoTime();
                    sparkPotential.evaluate(input).write().format("noop").mode(SaveMode.Overwrite).save();
                    double seconds = (System.nanoTime() - start) * 1e-9;
                    best = run == 0 ? best : Math.min(best, seconds);
                }
                report("Spark " + master, count, best, loop);
            } finally {
                spark.stop();
            }
        }
    }

    private static void report(String what, int count, double seconds, double loopSeconds) {
        System.out.printf(Locale.ROOT, "%-22s %8.0f structures/s  %7.1f us/structure  %5.2fx the loop's rate%n",
                what, count / seconds, seconds / count * 1e6, loopSeconds / seconds);
    }
}
