package dev.e3j.benchmarks;

import dev.e3j.annotations.Layout;
import dev.e3j.processor.writer.NumberType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Reads the result files of one benchmark run and prints markdown tables: every configuration, in each layout it ran
 * in, against its peer's timings from the same run (e3nn's for the products and harmonics, mace-torch's for the
 * symmetric contraction, each in a table of its own; the peers have only {@code MUL_IR}: an {@code IR_MUL} row
 * divides the peer's time by e3j's in {@code IR_MUL}), the useful flops per sample, the achieved GFLOP/s and their
 * fraction of the peak measured in the same run, the compulsory bytes per sample and the memory-bandwidth roofline they imply, spherical
 * harmonics per point against sphericart from the same run, and javac's time on the mace-medium spec with and
 * without the processor. A ratio whose peer number is missing prints as n/a: no peer time comes from anywhere else.
 *
 * <p>The files are JMH result files ({@code -rf json}, arrays) and peer timings (objects, {@link PeerTimings}), in
 * any order; {@code tools/bench_kernels.sh} writes them all and calls this.
 *
 * <pre>{@code
 * java -cp benchmarks/target/benchmarks.jar dev.e3j.benchmarks.Report jmh.json e3nn.json sphericart.json
 * }</pre>
 */
public final class Report {

    static final String E3NN = "e3nn";
    static final String SPHERICART = "sphericart";
    static final String MACE_TORCH = "mace-torch";

    /** What each peer other than e3nn times, for the heading of its table. */
    private static final Map<String, String> PEER_OPERATIONS = Map.of(MACE_TORCH,
            "MACE's symmetric contraction, mace.modules.symmetric_contraction.SymmetricContraction after"
                    + " reshape_irreps, on e3nn 0.4.4; samples are nodes");

    /** Parameters that results written before they existed ran with. */
    private static final Map<String, String> PARAMETER_DEFAULTS = Map.of("layout", Layout.MUL_IR.name());

    private final List<Map<String, Object>> results;
    private final Map<String, PeerTimings> peers;

    Report(List<Map<String, Object>> results, List<Map<String, Object>> peerFiles) {
        this.results = results;
        this.peers = PeerTimings.byPeer(peerFiles);
        Map<String, String> units = Map.of(E3NN, "ms", SPHERICART, "ns/point", MACE_TORCH, "ms");
        for (Map.Entry<String, String> expected : units.entrySet()) {
            PeerTimings timings = peers.get(expected.getKey());
            if (timings != null && !timings.unit().equals(expected.getValue())) {
                throw new IllegalArgumentException(expected.getKey() + "'s timings need the unit "
                        + expected.getValue() + ", got " + timings.unit());
            }
        }
    }

    /**
     * Prints the report of the given files to standard output.
     *
     * @param args JMH result files and peer timing files
     * @throws IOException if a file cannot be read
     */
    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: java -cp benchmarks.jar dev.e3j.benchmarks.Report <jmh-result.json>..."
                    + " [<peer-timings.json>...]");
            System.exit(2);
        }
        List<Map<String, Object>> results = new ArrayList<>();
        List<Map<String, Object>> peerFiles = new ArrayList<>();
        for (String arg : args) {
            Object json = Json.parse(Files.readString(Path.of(arg)));
            if (json instanceof List<?> list) {
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> jmh = (List<Map<String, Object>>) list;
                results.addAll(jmh);
            } else if (json instanceof Map<?, ?> map && map.containsKey("peer")) {
                @SuppressWarnings("unchecked")
                Map<String, Object> peer = (Map<String, Object>) map;
                peerFiles.add(peer);
            } else {
                throw new IOException(arg + ": expected a JMH result array or a peer timings object with 'peer'");
            }
        }
        System.out.print(new Report(results, peerFiles).markdown());
    }

    String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("Report written ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append(".\n\n");
        machine(out);
        sides(out);
        Optional<Double> peak64 = peak("fmaF64");
        Optional<Double> peak32 = peak("fmaF32");
        out.append(String.format(Locale.ROOT, "Measured peak (2 threads, vectorized FMA loop): f64 %s GFLOP/s,"
                + " f32 %s GFLOP/s.%n%n", peak64.map(Report::format1).orElse("n/a"),
                peak32.map(Report::format1).orElse("n/a")));
        Optional<Double> bandwidth = bandwidth();
        out.append(String.format(Locale.ROOT, "Measured memory bandwidth (2 threads, streaming read): %s GB/s. The"
                + " roofline is min(peak, bandwidth x flop/byte), flop/byte counting each array a pass reads or"
                + " writes once (a generous bound).%n%n", bandwidth.map(Report::format1).orElse("n/a")));
        kernelTable(out, E3NN, peak64, peak32, bandwidth);
        spread(out, E3NN);
        if (kernelTable(out, MACE_TORCH, peak64, peak32, bandwidth)) {
            spread(out, MACE_TORCH);
        }
        sphericalHarmonicsPerPoint(out);
        spread(out, SPHERICART);
        javac(out);
        return out.toString();
    }

    /**
     * The table of the configurations that {@code peer} times, each against that peer's best time of the same row;
     * whether it had a row. e3nn's header prints even without rows, mace-torch's table only with rows.
     */
    private boolean kernelTable(StringBuilder out, String peer, Optional<Double> peak64, Optional<Double> peak32,
                                Optional<Double> bandwidth) {
        StringBuilder rows = new StringBuilder();
        for (Configuration configuration : Configuration.values()) {
            if (!configuration.peer().equals(peer)) {
                continue;
            }
            for (NumberType precision : NumberType.values()) {
                for (Pass pass : Pass.values()) {
                    for (Layout layout : Layout.values()) {
                        Optional<Map<String, Object>> result = find("KernelBenchmark.batch", Map.of("config",
                                configuration.token(), "precision", precision.shortName(), "pass", pass.token(),
                                "layout", layout.name()));
                        if (result.isEmpty()) {
                            continue;
                        }
                        FlopCount flops = configuration.flops();
                        MemoryTraffic traffic = configuration.traffic();
                        double milliseconds = score(result.get());
                        Optional<Double> time = peerBest(peer, configuration.token(), precision.shortName(),
                                pass.token(), configuration.batch());
                        double gflops = flops.perSample(pass) * (double) configuration.batch() / (milliseconds * 1e6);
                        Optional<Double> peak = precision == NumberType.DOUBLE ? peak64 : peak32;
                        long bytes = traffic.bytesPerSample(pass, precision);
                        double intensity = flops.perSample(pass) / (double) bytes;
                        Optional<Double> roofline = peak.flatMap(p -> bandwidth.map(b -> Math.min(p, b * intensity)));
                        rows.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %.2f | %s | %s | %d | %.1f | %s"
                                        + " | %d | %s | %s |%n",
                                configuration.token(), precision.shortName(), pass.token(), layout, milliseconds,
                                time.map(Report::format1).orElse("n/a"),
                                time.map(t -> String.format(Locale.ROOT, "%.1f×", t / milliseconds)).orElse("n/a"),
                                flops.perSample(pass), gflops,
                                peak.map(p -> percent(gflops / p)).orElse("n/a"), bytes,
                                roofline.map(Report::format1).orElse("n/a"),
                                roofline.map(r -> percent(gflops / r)).orElse("n/a")));
                    }
                }
            }
        }
        if (rows.isEmpty() && !peer.equals(E3NN)) {
            return false;
        }
        if (!peer.equals(E3NN)) {
            out.append(String.format(Locale.ROOT, "%nAgainst %s (%s):%n%n", peer, PEER_OPERATIONS.get(peer)));
        }
        out.append(String.format(Locale.ROOT, "| config | precision | pass | layout | e3j ms | %1$s ms | %1$s / e3j"
                + " | flop/sample | GFLOP/s | %% of peak | byte/sample | roofline GFLOP/s | %% of roofline |%n", peer));
        out.append("| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        out.append(rows);
        return !rows.isEmpty();
    }

    private void machine(StringBuilder out) {
        String cpu = "unknown CPU";
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            cpu = lines.filter(line -> line.startsWith("model name")).findFirst()
                    .map(line -> line.substring(line.indexOf(':') + 1).trim()).orElse(cpu);
        } catch (IOException e) {
            // Not Linux: the JDK line below still identifies the run.
        }
        String jdk = results.isEmpty() ? "unknown JDK" : results.get(0).get("vmName") + " "
                + results.get(0).get("vmVersion") + " (JDK " + results.get(0).get("jdkVersion") + ")";
        out.append(String.format(Locale.ROOT, "Machine: %s, %d cores; %s.%n%n", cpu,
                Runtime.getRuntime().availableProcessors(), jdk));
    }

    /** GFLOP/s of all threads together: the score is microseconds per operation of one thread. */
    private Optional<Double> peak(String method) {
        return find("PeakFlopsBenchmark." + method, Map.of()).map(result -> {
            double threads = ((Number) result.get("threads")).doubleValue();
            return threads * PeakFlopsBenchmark.FLOPS_PER_OPERATION / (score(result) * 1e3);
        });
    }

    /** GB/s of both threads together: the score is milliseconds per array read by one thread. */
    private Optional<Double> bandwidth() {
        return find("BandwidthBenchmark.readF64", Map.of()).map(result -> {
            double threads = ((Number) result.get("threads")).doubleValue();
            return threads * BandwidthBenchmark.BYTES_PER_OPERATION / (score(result) * 1e6);
        });
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * fraction);
    }

    /** What ran on each side: e3j's JMH settings and the peers' versions and settings. */
    private void sides(StringBuilder out) {
        find("KernelBenchmark.batch", Map.of()).ifPresent(kernels -> out.append(String.format(Locale.ROOT,
                "- e3j: JMH %s, %s fork(s), warm-up %s × %s, measured %s × %s, JVM arguments %s%n",
                kernels.get("jmhVersion"), PeerTimings.plain(kernels.get("forks")),
                PeerTimings.plain(kernels.get("warmupIterations")), kernels.get("warmupTime"),
                PeerTimings.plain(kernels.get("measurementIterations")),
                kernels.get("measurementTime"), kernels.get("jvmArgs"))));
        for (String peer : List.of(E3NN, MACE_TORCH, SPHERICART)) {
            out.append(String.format(Locale.ROOT, "- %s: %s%n", peer, Optional.ofNullable(peers.get(peer))
                    .map(PeerTimings::describe).orElse("not run in this report's files (its ratios are n/a)")));
        }
        out.append('\n');
    }

    private Optional<Double> peerBest(String peer, String config, String precision, String pass, int batch) {
        return Optional.ofNullable(peers.get(peer)).flatMap(timings -> timings.best(config, precision, pass, batch));
    }

    /** How far the peer's runs before and after e3j's lay apart, when it ran more than once. */
    private void spread(StringBuilder out, String peer) {
        Optional.ofNullable(peers.get(peer)).flatMap(PeerTimings::largestSpread).ifPresent(spread -> out.append(
                String.format(Locale.ROOT, "%n%s's runs of one row differed by up to %.2f× (%s); the table uses"
                        + " each row's best.%n", peer, spread.ratio(), spread.row())));
    }

    private void sphericalHarmonicsPerPoint(StringBuilder out) {
        StringBuilder rows = new StringBuilder();
        for (Configuration configuration : Configuration.values()) {
            if (configuration.kind() != Configuration.Kind.SPHERICAL_HARMONICS) {
                continue;
            }
            for (NumberType precision : NumberType.values()) {
                for (Pass pass : Pass.values()) {
                    Optional<Map<String, Object>> result = find("SphericalHarmonicsPointBenchmark.oneThread",
                            Map.of("config", configuration.token(), "precision", precision.shortName(),
                                    "pass", pass.token()));
                    if (result.isEmpty()) {
                        continue;
                    }
                    double nanoseconds = score(result.get());
                    Optional<Double> sphericart = peerBest(SPHERICART, configuration.token(), precision.shortName(),
                            pass.token(), SphericalHarmonicsPointBenchmark.POINTS);
                    rows.append(String.format(Locale.ROOT, "| %s | %s | %s | %.1f | %s | %s |%n",
                            configuration.token(), precision.shortName(), pass.token(), nanoseconds,
                            sphericart.map(Report::format1).orElse("n/a"),
                            sphericart.map(s -> String.format(Locale.ROOT, "%.2f", nanoseconds / s)).orElse("n/a")));
                }
            }
        }
        if (!rows.isEmpty()) {
            out.append("\nSpherical harmonics per point, one thread (backward: e3j's forward and backward against a"
                    + " cotangent, sphericart's values and Jacobian):\n\n");
            out.append("| config | precision | pass | e3j ns/point | sphericart ns/point | e3j / sphericart |\n");
            out.append("| --- | --- | --- | ---: | ---: | ---: |\n");
            out.append(rows);
        }
    }

    private void javac(StringBuilder out) {
        Optional<Map<String, Object>> without = find("JavacBenchmark.compileMaceMedium", Map.of("processor", "none"));
        Optional<Map<String, Object>> with = find("JavacBenchmark.compileMaceMedium", Map.of("processor", "e3j"));
        if (without.isPresent() && with.isPresent()) {
            out.append(String.format(Locale.ROOT, "%njavac on the mace-medium spec (in-process, one compilation"
                            + " after the warm-up ones): %.0f ms without processing, %.0f ms with the e3j processor: generating adds %.0f ms.%n",
                    score(without.get()), score(with.get()), score(with.get()) - score(without.get())));
        }
    }

    /** The first result of {@code benchmark} with {@code params}; one run before the layout parameter is MUL_IR. */
    private Optional<Map<String, Object>> find(String benchmark, Map<String, String> params) {
        return results.stream()
                .filter(result -> ((String) result.get("benchmark")).endsWith(benchmark))
                .filter(result -> {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> actual = (Map<String, Object>) result.getOrDefault("params", Map.of());
                    return params.entrySet().stream().allMatch(p -> p.getValue().equals(
                            actual.getOrDefault(p.getKey(), PARAMETER_DEFAULTS.get(p.getKey()))));
                })
                .findFirst();
    }

    private static double score(Map<String, Object> result) {
        @SuppressWarnings("unchecked")
        Map<String, Object> metric = (Map<String, Object>) result.get("primaryMetric");
        return ((Number) metric.get("score")).doubleValue();
    }

    private static String format1(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }
}
