package dev.e3j.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One peer's timings from the runs of one benchmark command: the JSON objects that {@code tools/bench_e3nn_kernels.py}
 * and the sphericart driver write,
 *
 * <pre>{@code
 * {"peer": "e3nn", "versions": {"e3nn": "0.5.4", ...}, "settings": {"threads": 2, ...}, "started": "...Z",
 *  "unit": "ms", "results": [{"config": ..., "precision": ..., "pass": ..., "batch": ..., "best": ..., ...}]}
 * }</pre>
 *
 * When the peer ran more than once (interleaved with e3j: before and after it), a row's time is the best of its
 * runs, and {@link #largestSpread()} says how far the runs of one row lay apart.
 */
final class PeerTimings {

    private final List<Map<String, Object>> runs;

    private PeerTimings(List<Map<String, Object>> runs) {
        this.runs = runs;
    }

    /** The runs in {@code files}, grouped by their {@code peer}, in the order the peers first appear. */
    static Map<String, PeerTimings> byPeer(List<Map<String, Object>> files) {
        Map<String, List<Map<String, Object>>> runs = new LinkedHashMap<>();
        for (Map<String, Object> file : files) {
            for (String key : List.of("peer", "versions", "settings", "started", "unit", "results")) {
                if (!file.containsKey(key)) {
                    throw new IllegalArgumentException("peer timings need the key '" + key + "', got the keys "
                            + file.keySet());
                }
            }
            List<Map<String, Object>> same = runs.computeIfAbsent((String) file.get("peer"), peer -> new ArrayList<>());
            if (!same.isEmpty() && !same.get(0).get("unit").equals(file.get("unit"))) {
                throw new IllegalArgumentException("the runs of " + file.get("peer") + " need one unit, got "
                        + same.get(0).get("unit") + " and " + file.get("unit"));
            }
            same.add(file);
        }
        Map<String, PeerTimings> peers = new LinkedHashMap<>();
        runs.forEach((peer, list) -> peers.put(peer, new PeerTimings(List.copyOf(list))));
        return peers;
    }

    /**
     * The best time over all runs of one row, in the peer's {@code unit}; empty if no run timed it on {@code batch}
     * samples (a narrowed or shortened run is not compared).
     */
    Optional<Double> best(String config, String precision, String pass, int batch) {
        return bestPerRun(config, precision, pass, batch).stream().min(Double::compare);
    }

    /** The largest ratio, over the rows timed more than once, of a row's slowest run to its fastest. */
    Optional<Spread> largestSpread() {
        Map<List<Object>, Map<String, Object>> distinct = new LinkedHashMap<>();
        for (Map<String, Object> run : runs) {
            for (Map<String, Object> row : rows(run)) {
                distinct.putIfAbsent(List.of(row.get("config"), row.get("precision"), row.get("pass"),
                        row.get("batch")), row);
            }
        }
        Optional<Spread> largest = Optional.empty();
        for (Map<String, Object> row : distinct.values()) {
            List<Double> times = bestPerRun((String) row.get("config"), (String) row.get("precision"),
                    (String) row.get("pass"), ((Number) row.get("batch")).intValue());
            if (times.size() < 2) {
                continue;
            }
            double ratio = times.stream().max(Double::compare).orElseThrow()
                    / times.stream().min(Double::compare).orElseThrow();
            if (largest.isEmpty() || ratio > largest.get().ratio()) {
                largest = Optional.of(new Spread(row.get("config") + " " + row.get("precision") + " "
                        + row.get("pass"), ratio));
            }
        }
        return largest;
    }

    /** How far apart one row's runs lay: the slowest run's best over the fastest's. */
    record Spread(String row, double ratio) {
    }

    /**
     * One line for the report: the versions, the settings and when the runs started, e.g. {@code e3nn 0.5.4, torch
     * 1.13.1, python 3.11.2 (threads 2, warmup 3, repeats 5; 2 runs, 2026-12-06T14:00:00Z to
     * 2026-12-06T14:20:00Z)}.
     */
    String describe() {
        Map<String, Object> first = runs.get(0);
        // ISO-8601 UTC instants sort as strings: the earliest and the latest start, whatever order the files came in.
        List<String> starts = runs.stream().map(run -> String.valueOf(run.get("started"))).sorted().toList();
        String started = runs.size() == 1 ? "run started " + starts.get(0)
                : runs.size() + " runs, " + starts.get(0) + " to " + starts.get(starts.size() - 1);
        return String.format(Locale.ROOT, "%s (%s; %s)", entries(first.get("versions")),
                entries(first.get("settings")), started);
    }

    /** The unit of every run's times, e.g. {@code ms} for the whole batch or {@code ns/point}. */
    String unit() {
        return (String) runs.get(0).get("unit");
    }

    private List<Double> bestPerRun(String config, String precision, String pass, int batch) {
        List<Double> times = new ArrayList<>();
        for (Map<String, Object> run : runs) {
            rows(run).stream()
                    .filter(row -> config.equals(row.get("config")) && precision.equals(row.get("precision"))
                            && pass.equals(row.get("pass")) && ((Number) row.get("batch")).intValue() == batch)
                    .map(row -> ((Number) row.get("best")).doubleValue())
                    .min(Double::compare)
                    .ifPresent(times::add);
        }
        return times;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rows(Map<String, Object> run) {
        return (List<Map<String, Object>>) run.get("results");
    }

    @SuppressWarnings("unchecked")
    private static String entries(Object map) {
        return ((Map<String, Object>) map).entrySet().stream()
                .map(entry -> entry.getKey() + " " + plain(entry.getValue()))
                .collect(Collectors.joining(", "));
    }

    /** JSON numbers arrive as doubles: prints integral ones without a fraction, anything else as it is. */
    static String plain(Object value) {
        if (value instanceof Double number && number == Math.rint(number) && Math.abs(number) < 1e15) {
            return Long.toString(number.longValue());
        }
        return String.valueOf(value);
    }
}
