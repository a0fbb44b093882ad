package dev.e3j.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ReportTest {

    private static Map<String, Object> jmh(String benchmark, double score, String... params) {
        Map<String, Object> values = Arrays.stream(params).map(param -> param.split("="))
                .collect(Collectors.toMap(pair -> pair[0], pair -> pair[1]));
        return Map.of("benchmark", "dev.e3j.benchmarks." + benchmark, "params", values,
                "primaryMetric", Map.of("score", score));
    }

    private static Map<String, Object> peer(String peer, String started, List<Map<String, Object>> rows) {
        return Map.of("peer", peer, "versions", Map.of(peer, "1.0"), "settings", Map.of("threads", 2.0),
                "started", started, "unit", peer.equals(Report.SPHERICART) ? "ns/point" : "ms", "results", rows);
    }

    private static Map<String, Object> row(String config, String precision, String pass, int batch, double best) {
        return Map.of("config", config, "precision", precision, "pass", pass, "batch", (double) batch,
                "best", best);
    }

    private static void assertLine(String markdown, String start) {
        assertTrue(markdown.lines().anyMatch(line -> line.startsWith(start)),
                () -> "no line starting with " + start + " in\n" + markdown);
    }

    @Test
    void dividesThePeersBestRunOfThisRunByE3j() {
        List<Map<String, Object>> results = List.of(
                jmh("KernelBenchmark.batch", 5.0, "config=mace-medium-uvu", "precision=f64", "pass=forward"));
        List<Map<String, Object>> peers = List.of(
                peer("e3nn", "2026-12-06T14:10:00Z", List.of(row("mace-medium-uvu", "f64", "forward", 2000, 40.0))),
                peer("e3nn", "2026-12-06T14:00:00Z", List.of(row("mace-medium-uvu", "f64", "forward", 2000, 50.0))));

        String markdown = new Report(results, peers).markdown();

        assertLine(markdown, "| mace-medium-uvu | f64 | forward | MUL_IR | 5.00 | 40.0 | 8.0× |");
        assertTrue(markdown.contains("e3nn's runs of one row differed by up to 1.25× (mace-medium-uvu f64 forward)"),
                markdown);
        assertLine(markdown, "- e3nn: e3nn 1.0 (threads 2; 2 runs, 2026-12-06T14:00:00Z to 2026-12-06T14:10:00Z)");
        assertLine(markdown, "- sphericart: not run");
    }

    /** e3nn has only mul_ir: its time over e3j's in each layout, each row naming its layout. */
    @Test
    void dividesE3nnByE3jInEachLayout() {
        List<Map<String, Object>> results = List.of(
                jmh("KernelBenchmark.batch", 5.0, "config=mace-medium-uvu", "precision=f64", "pass=forward",
                        "layout=MUL_IR"),
                jmh("KernelBenchmark.batch", 2.0, "config=mace-medium-uvu", "precision=f64", "pass=forward",
                        "layout=IR_MUL"));
        List<Map<String, Object>> peers = List.of(
                peer("e3nn", "2026-12-06T14:00:00Z", List.of(row("mace-medium-uvu", "f64", "forward", 2000, 50.0))));

        String markdown = new Report(results, peers).markdown();

        assertLine(markdown, "| config | precision | pass | layout | e3j ms | e3nn ms | e3nn / e3j |");
        assertLine(markdown, "| mace-medium-uvu | f64 | forward | MUL_IR | 5.00 | 50.0 | 10.0× |");
        assertLine(markdown, "| mace-medium-uvu | f64 | forward | IR_MUL | 2.00 | 50.0 | 25.0× |");
    }

    /** The contraction against mace-torch, in a table of its own that names the peer; not in e3nn's. */
    @Test
    void dividesMaceTorchByE3jForTheContraction() {
        List<Map<String, Object>> results = List.of(
                jmh("KernelBenchmark.batch", 4.0, "config=mace-medium-product", "precision=f32", "pass=backward",
                        "layout=MUL_IR"));
        List<Map<String, Object>> peers = List.of(
                peer("mace-torch", "2026-12-06T14:00:00Z",
                        List.of(row("mace-medium-product", "f32", "backward", 256, 400.0))),
                peer("e3nn", "2026-12-06T14:00:00Z",
                        List.of(row("mace-medium-product", "f32", "backward", 256, 1.0))));

        String markdown = new Report(results, peers).markdown();

        assertLine(markdown, "| config | precision | pass | layout | e3j ms | mace-torch ms | mace-torch / e3j |");
        assertLine(markdown, "| mace-medium-product | f32 | backward | MUL_IR | 4.00 | 400.0 | 100.0× |");
        assertEquals(1, markdown.lines().filter(line -> line.startsWith("| mace-medium-product")).count(), markdown);
        assertLine(markdown, "- mace-torch: mace-torch 1.0 (threads 2; run started 2026-12-06T14:00:00Z)");
    }

    @Test
    void statesTheJmhSettingsOfTheKernelRun() {
        Map<String, Object> kernel = new HashMap<>(
                jmh("KernelBenchmark.batch", 5.0, "config=mace-medium-uvu", "precision=f64", "pass=forward"));
        kernel.putAll(Map.of("jmhVersion", "1.37", "forks", 1.0, "warmupIterations", 5.0, "warmupTime", "2 s",
                "measurementIterations", 3.0, "measurementTime", "1 s",
                "jvmArgs", List.of("-Djava.util.concurrent.ForkJoinPool.common.parallelism=2")));

        String markdown = new Report(List.of(kernel), List.of()).markdown();

        assertLine(markdown, "- e3j: JMH 1.37, 1 fork(s), warm-up 5 × 2 s, measured 3 × 1 s, JVM arguments"
                + " [-Djava.util.concurrent.ForkJoinPool.common.parallelism=2]");
    }

    @Test
    void printsNotAvailableWithoutAPeerNumberOfTheSameBatch() {
        List<Map<String, Object>> results = List.of(
                jmh("KernelBenchmark.batch", 5.0, "config=mace-medium-uvu", "precision=f32", "pass=backward"),
                jmh("KernelBenchmark.batch", 7.0, "config=tetris-poly-1-uvw", "precision=f32", "pass=backward"));
        List<Map<String, Object>> peers = List.of(peer("e3nn", "2026-12-06T14:00:00Z",
                List.of(row("mace-medium-uvu", "f32", "backward", 20, 50.0))));

        String markdown = new Report(results, peers).markdown();

        assertLine(markdown, "| mace-medium-uvu | f32 | backward | MUL_IR | 5.00 | n/a | n/a |");
        assertLine(markdown, "| tetris-poly-1-uvw | f32 | backward | MUL_IR | 7.00 | n/a | n/a |");
        assertFalse(markdown.contains("differed"), markdown);
    }

    @Test
    void comparesHarmonicsPerPointWithSphericart() {
        List<Map<String, Object>> results = List.of(
                jmh("SphericalHarmonicsPointBenchmark.oneThread", 100.0, "config=sh-lmax6", "precision=f32",
                        "pass=backward"),
                jmh("SphericalHarmonicsPointBenchmark.oneThread", 30.0, "config=sh-lmax3", "precision=f64",
                        "pass=forward"));
        List<Map<String, Object>> peers = List.of(peer("sphericart", "2026-12-06T14:00:00Z",
                List.of(row("sh-lmax6", "f32", "backward", SphericalHarmonicsPointBenchmark.POINTS, 80.0))));

        String markdown = new Report(results, peers).markdown();

        assertLine(markdown, "| sh-lmax6 | f32 | backward | 100.0 | 80.0 | 1.25 |");
        assertLine(markdown, "| sh-lmax3 | f64 | forward | 30.0 | n/a | n/a |");
        assertLine(markdown, "- e3nn: not run");
    }

    @Test
    void rejectsPeerTimingsWithoutResults() {
        Map<String, Object> incomplete = Map.of("peer", "e3nn", "versions", Map.of(), "settings", Map.of(),
                "started", "2026-12-06T14:00:00Z", "unit", "ms");

        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                () -> new Report(List.of(), List.of(incomplete)));

        assertTrue(thrown.getMessage().contains("'results'"), thrown.getMessage());
    }

    @Test
    void rejectsHarmonicsTimedInAnotherUnit() {
        Map<String, Object> milliseconds = new HashMap<>(peer("sphericart", "2026-12-06T14:00:00Z",
                List.of(row("sh-lmax3", "f64", "forward", SphericalHarmonicsPointBenchmark.POINTS, 1.5))));
        milliseconds.put("unit", "ms");

        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                () -> new Report(List.of(), List.of(milliseconds)));

        assertEquals("sphericart's timings need the unit ns/point, got ms", thrown.getMessage());
    }

    @Test
    void peerConfigurationsDefineEveryConfiguration() {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> definitions = (List<Map<String, Object>>) Json.parse(PeerConfigurations.json());

        assertEquals(Arrays.stream(Configuration.values()).map(Configuration::token).toList(),
                definitions.stream().map(definition -> definition.get("name")).toList());
        Map<String, Object> mace = definitions.get(Configuration.MACE_MEDIUM_UVU.ordinal());
        assertEquals(Map.of("name", "mace-medium-uvu", "batch", 2000.0, "layouts", List.of("MUL_IR", "IR_MUL"),
                "kind", "uvu", "irreps_in1", "128x0e+128x1o", "irreps_in2", "0e+1o+2e+3o",
                "irreps_out", "128x0e+128x1o+128x2e", "shared_weights", false), mace);
        assertEquals(Map.of("name", "sh-lmax6", "batch", 100000.0, "layouts", List.of("MUL_IR"),
                "kind", "spherical_harmonics", "lmax", 6.0), definitions.get(Configuration.SH_LMAX6.ordinal()));
        assertEquals("uvw", definitions.get(Configuration.TETRIS_POLY_1_UVW.ordinal()).get("kind"));
    }
}
