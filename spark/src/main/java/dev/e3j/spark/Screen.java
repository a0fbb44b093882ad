package dev.e3j.spark;

import dev.e3j.runtime.model.Structure;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * The screening sample: evaluates a potential on rattled copies of a copper cell (fcc, a = 3.61 Å, the 2x2x2
 * conventional cell of 32 atoms, periodic, each coordinate displaced by a normal deviate of {@code --rattle} Å) and
 * writes energies, forces, stress and errors as Parquet.
 *
 * <pre>
 * Screen --potential CLASS --weights FILE [--structures 100000] [--master local[*]] [--out screen.parquet]
 *        [--partitions 2 x cores] [--batch-size 64] [--rattle 0.05] [--seed 1]
 * </pre>
 *
 * <p>{@code --potential} names a generated {@link dev.e3j.runtime.model.InteratomicPotential} class on the class
 * path and {@code --weights} its state dict (safetensors or {@code torch.save}). Without {@code --master}, the
 * master is spark-submit's, or {@code local[*]} when run directly. Structure {@code i} depends only on
 * {@code --seed} and {@code i}, so runs with any partitioning screen the same structures.
 */
public final class Screen {

    /** Copper's lattice constant in Å. */
    static final double COPPER_LATTICE_CONSTANT = 3.61;

    private static final Map<String, String> DEFAULTS = defaults();

    private Screen() {
    }

    private static Map<String, String> defaults() {
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("--structures", "100000");
        defaults.put("--out", "screen.parquet");
        defaults.put("--batch-size", String.valueOf(SparkPotential.DEFAULT_BATCH_SIZE));
        defaults.put("--rattle", "0.05");
        defaults.put("--seed", "1");
        defaults.put("--master", null);
        defaults.put("--partitions", null);
        defaults.put("--potential", null);
        defaults.put("--weights", null);
        return defaults;
    }

    /**
     * Runs the sample; see the class documentation for the arguments.
     *
     * @throws IOException if the weights cannot be read
     */
    public static void main(String[] args) throws IOException {
        Map<String, String> options = parse(args);
        if (options == null) {
            System.err.println("usage: Screen --potential CLASS --weights FILE [--structures N] [--master URL]"
                    + " [--out PATH] [--partitions P] [--batch-size B] [--rattle ANGSTROM] [--seed S]");
            System.exit(2);
            return;
        }
        long count = Long.parseLong(options.get("--structures"));
        GeneratedModel model = GeneratedModel.of(options.get("--potential"), Path.of(options.get("--weights")));
        SparkSession.Builder builder = SparkSession.builder().appName("e3j screen");
        String master = options.get("--master");
        if (master != null) {
            builder.master(master);
        } else if (System.getProperty("spark.master") == null) {
            builder.master("local[*]");
        }
        SparkSession spark = builder.getOrCreate();
        try (SparkPotential potential = SparkPotential.broadcast(spark, model)
                .withBatchSize(Integer.parseInt(options.get("--batch-size")))) {
            int partitions = options.get("--partitions") != null ? Integer.parseInt(options.get("--partitions"))
                    : 2 * spark.sparkContext().defaultParallelism();
            Dataset<Row> structures = rattledCopper(spark, count, partitions, Long.parseLong(options.get("--seed")),
                    Double.parseDouble(options.get("--rattle")));
            long start = System.nanoTime();
            potential.evaluate(structures).write().mode(SaveMode.Overwrite).parquet(options.get("--out"));
            double seconds = (System.nanoTime() - start) * 1e-9;
            Dataset<Row> screened = spark.read().parquet(options.get("--out"));
            long errors = screened.filter(functions.col(Structures.ERROR).isNotNull()).count();
            System.out.printf(Locale.ROOT, "screened %d structures with %s on %s in %.1f s (%.0f structures/s),"
                    + " %d errors, written to %s%n", count, model.className(), spark.sparkContext().master(), seconds,
                    count / seconds, errors, options.get("--out"));
            List<Row> lowest = screened.filter(functions.col(Structures.ERROR).isNull())
                    .orderBy(SparkPotential.ENERGY).select(Structures.ID, SparkPotential.ENERGY).limit(3)
                    .collectAsList();
            System.out.println("lowest energies: " + lowest);
        } finally {
            spark.stop();
        }
    }

    /** {@return the options, defaults filled in, or null if an argument is unknown or a required one missing} */
    static Map<String, String> parse(String[] args) {
        Map<String, String> options = new LinkedHashMap<>(DEFAULTS);
        for (int i = 0; i < args.length; i += 2) {
            if (!options.containsKey(args[i]) || i + 1 >= args.length) {
                return null;
            }
            options.put(args[i], args[i + 1]);
        }
        return options.get("--potential") == null || options.get("--weights") == null ? null : options;
    }

    /**
     * {@return {@code count} rattled copper cells in {@code partitions} partitions, made on the executors; row
     * {@code i} is {@link #rattledCopper(long, long, double) rattledCopper(seed, i, amplitude)}, named {@code i}}
     */
    public static Dataset<Row> rattledCopper(SparkSession spark, long count, int partitions, long seed,
                                             double amplitude) {
        MapFunction<Long, Row> structure = i -> Structures.toRow(String.valueOf(i), rattledCopper(seed, i, amplitude));
        return spark.range(0, count, 1, partitions).map(structure, Encoders.row(Structures.SCHEMA));
    }

    /**
     * {@return copy {@code index} of the 2x2x2 conventional fcc copper cell (32 atoms, periodic), each coordinate
     * displaced by a normal deviate of standard deviation {@code amplitude} Å drawn from {@code seed} and
     * {@code index} alone}
     */
    public static Structure rattledCopper(long seed, long index, double amplitude) {
        double a = COPPER_LATTICE_CONSTANT;
        double[][] basis = {{0, 0, 0}, {0, 0.5, 0.5}, {0.5, 0, 0.5}, {0.5, 0.5, 0}};
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
        int[] numbers = new int[32];
        double[] positions = new double[96];
        int atom = 0;
        for (int x = 0; x < 2; x++) {
            for (int y = 0; y < 2; y++) {
                for (int z = 0; z < 2; z++) {
                    for (double[] b : basis) {
                        numbers[atom] = 29;
                        positions[3 * atom] = a * (x + b[0]) + amplitude * random.nextGaussian();
                        positions[3 * atom + 1] = a * (y + b[1]) + amplitude * random.nextGaussian();
                        positions[3 * atom + 2] = a * (z + b[2]) + amplitude * random.nextGaussian();
                        atom++;
                    }
                }
            }
        }
        double side = 2 * a;
        return Structure.periodic(numbers, positions, new double[] {side, 0, 0, 0, side, 0, 0, 0, side},
                new boolean[] {true, true, true});
    }
}
