package dev.e3j.benchmarks;

import dev.e3j.processor.writer.NumberType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Reads a JMH result file ({@code -rf json}) and prints markdown tables: every configuration against e3nn's
 * timings (shared/bench/README.md), the useful flops per sample, the achieved GFLOP/s and their fraction of the
 * peak measured in the same run, the compulsory bytes per sample and the memory-bandwidth roofline they imply,
 * spherical harmonics per point against sphericart, and javac's time on the
 * mace-medium spec with and without the processor.
 *
 * <pre>{@code java -cp benchmarks/target/benchmarks.jar dev.e3j.benchmarks.Report results.json}</pre>
 */
public final class Report {

    /** sphericart, values only, float64, one thread, on a machine of this kind (shared/bench/README.md). */
    private static final Map<String, Double> SPHERICART_NANOSECONDS = Map.of("sh-lmax3", 16.0, "sh-lmax6", 43.0);

    private final List<Map<String, Object>> results;

    private Report(List<Map<String, Object>> results) {
        this.results = results;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: java -cp benchmarks.jar dev.e3j.benchmarks.Report <jmh-result.json>");
            System.exit(2);
        }
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> results = (List<Map<String, Object>>) Json.parse(Files.readString(Path.of(args[0])));
        System.out.print(new Report(results).markdown());
    }

    String markdown() {
        StringBuilder out = new StringBuilder();
        machine(out);
        Optional<Double> peak64 = peak("fmaF64");
        Optional<Double> peak32 = peak("fmaF32");
        out.append(String.format(Locale.ROOT, "Measured peak (2 threads, vectorized FMA loop): f64 %s GFLOP/s,"
                + " f32 %s GFLOP/s.%n%n", peak64.map(Report::format1).orElse("n/a"),
                peak32.map(Report::format1).orElse("n/a")));
        Optional<Double> bandwidth = bandwidth();
        out.append(String.format(Locale.ROOT, "Measured memory bandwidth (2 threads, streaming read): %s GB/s. The"
                + " roofline is min(peak, bandwidth x flop/byte), flop/byte counting each array a pass reads or"
                + " writes once (a generous bound).%n%n", bandwidth.map(Report::format1).orElse("n/a")));
        out.append("| config | precision | pass | e3j ms | e3nn ms | e3nn / e3j | flop/sample | GFLOP/s | % of peak"
                + " | byte/sample | roofline GFLOP/s | % of roofline |\n");
        out.append("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Configuration configuration : Configuration.values()) {
            FlopCount flops = configuration.flops();
            MemoryTraffic traffic = configuration.traffic();
            for (NumberType precision : NumberType.values()) {
                for (Pass pass : Pass.values()) {
                    Optional<Map<String, Object>> result = find("KernelBenchmark.batch", Map.of("config",
                            configuration.token(), "precision", precision.shortName(), "pass", pass.token()));
                    if (result.isEmpty()) {
                        continue;
                    }
                    double milliseconds = score(result.get());
                    double e3nn = configuration.e3nnMilliseconds(precision, pass);
                    double gflops = flops.perSample(pass) * (double) configuration.batch() / (milliseconds * 1e6);
                    Optional<Double> peak = precision == NumberType.DOUBLE ? peak64 : peak32;
                    long bytes = traffic.bytesPerSample(pass, precision);
                    double intensity = flops.perSample(pass) / (double) bytes;
                    Optional<Double> roofline = peak.flatMap(p -> bandwidth.map(b -> Math.min(p, b * intensity)));
                    boolean timed = !Double.isNaN(e3nn);
                    out.append(String.format(Locale.ROOT, "| %s | %s | %s | %.2f | %s | %s | %d | %.1f | %s"
                                    + " | %d | %s | %s |%n",
                            configuration.token(), precision.shortName(), pass.token(), milliseconds,
                            timed ? format1(e3nn) : "n/a",
                            timed ? String.format(Locale.ROOT, "%.1f×", e3nn / milliseconds) : "n/a",
                            flops.perSample(pass), gflops,
                            peak.map(p -> percent(gflops / p)).orElse("n/a"), bytes,
                            roofline.map(Report::format1).orElse("n/a"),
                            roofline.map(r -> percent(gflops / r)).orElse("n/a")));
                }
            }
        }
        sphericalHarmonicsPerPoint(out);
        javac(out);
        return out.toString();
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

    private void sphericalHarmonicsPerPoint(StringBuilder out) {
        StringBuilder rows = new StringBuilder();
        for (Map.Entry<String, Double> reference : new TreeMap<>(SPHERICART_NANOSECONDS).entrySet()) {
            find("SphericalHarmonicsPointBenchmark.valuesOneThread", Map.of("config", reference.getKey()))
                    .ifPresent(result -> rows.append(String.format(Locale.ROOT, "| %s | %.1f | %.0f | %.2f |%n",
                            reference.getKey(), score(result), reference.getValue(),
                            score(result) / reference.getValue())));
        }
        if (!rows.isEmpty()) {
            out.append("\nSpherical harmonics per point, values only, f64, one thread:\n\n");
            out.append("| config | e3j ns/point | sphericart ns/point | e3j / sphericart |\n");
            out.append("| --- | ---: | ---: | ---: |\n");
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

    private Optional<Map<String, Object>> find(String benchmark, Map<String, String> params) {
        return results.stream()
                .filter(result -> ((String) result.get("benchmark")).endsWith(benchmark))
                .filter(result -> {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> actual = (Map<String, Object>) result.getOrDefault("params", Map.of());
                    return params.entrySet().stream().allMatch(p -> p.getValue().equals(actual.get(p.getKey())));
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
