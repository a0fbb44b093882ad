package dev.e3j.processor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.processor.math.SqrtRational;
import dev.e3j.processor.math.Wigner3j;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class E3jCliTest {

    private record Result(int status, String out, String err) {
        List<String> outLines() {
            return out.lines().toList();
        }
    }

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = E3jCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void w3jTablePrintsEveryNonzeroEntryAlignedWithExactAndRoundTrippingDouble() {
        Result r = run("w3j", "1", "1", "2");
        assertEquals(0, r.status());
        assertEquals("", r.err());
        List<String> lines = r.outLines();
        assertEquals(2 + 11, lines.size(), r.out());
        assertTrue(lines.get(0).startsWith("wigner_3j(1, 1, 2): 11 non-zero of 45 entries"), lines.get(0));
        assertEquals("i  j  k  exact         double", lines.get(1));
        assertEquals("0  0  2  -sqrt(30)/30  -0.18257418583505536", lines.get(2));
        int exactColumn = lines.get(1).indexOf("exact");
        int doubleColumn = lines.get(1).indexOf("double");
        Pattern row = Pattern.compile("\\s*(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)\\s+(\\S+)");
        Wigner3j w = Wigner3j.of(1, 1, 2);
        for (int n = 0; n < 11; n++) {
            String line = lines.get(n + 2);
            Matcher m = row.matcher(line);
            assertTrue(m.matches(), line);
            assertEquals(exactColumn, line.indexOf(m.group(4), 7), "aligned: " + line);
            assertEquals(doubleColumn, line.lastIndexOf(m.group(5)), "aligned: " + line);
            Wigner3j.Entry e = w.nonzero().get(n);
            assertEquals(List.of(e.i(), e.j(), e.k()),
                    List.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))));
            assertEquals(e.value(), SqrtRational.parse(m.group(4)));
            assertEquals(e.value().doubleValue(), Double.parseDouble(m.group(5)));
        }
    }

    @Test
    void w3jJsonListsNonzeroEntriesWithExactStrings() {
        Result r = run("w3j", "0", "1", "1", "--json");
        assertEquals(0, r.status());
        assertEquals("{\"l1\":0,\"l2\":1,\"l3\":1,\"nonzero\":[[0,0,0,\"sqrt(3)/3\"],[0,1,1,\"sqrt(3)/3\"],"
                + "[0,2,2,\"sqrt(3)/3\"]]}", r.out().strip());
        Result flagFirst = run("--json", "w3j", "0", "1", "1");
        assertEquals(r.out(), flagFirst.out());
    }

    /** (1, 2, 2) is a triple e3nn 0.4.4 signs otherwise than 0.5: every entry changes sign, nothing else. */
    @Test
    void w3jConventionE3nn044NegatesFlippedTriples() {
        Result e3nn05 = run("w3j", "1", "2", "2");
        Result e3nn044 = run("w3j", "1", "2", "2", "--convention", "e3nn-0.4");
        assertEquals(0, e3nn044.status(), e3nn044.err());
        assertEquals(e3nn05.out(), run("w3j", "1", "2", "2", "--convention", "e3nn-0.5").out());
        List<String> lines05 = e3nn05.outLines();
        List<String> lines044 = e3nn044.outLines();
        assertTrue(lines044.get(0).startsWith("wigner_3j(1, 2, 2), e3nn-0.4 signs: 16 non-zero of 75 entries"),
                lines044.get(0));
        assertEquals(lines05.size(), lines044.size());
        Pattern row = Pattern.compile("\\s*(\\d+\\s+\\d+\\s+\\d+)\\s+(\\S+)\\s+(\\S+)");
        for (int n = 2; n < lines05.size(); n++) {
            Matcher m05 = row.matcher(lines05.get(n));
            Matcher m044 = row.matcher(lines044.get(n));
            assertTrue(m05.matches() && m044.matches(), lines044.get(n));
            assertEquals(m05.group(1), m044.group(1));
            assertEquals(SqrtRational.parse(m05.group(2)).negate(), SqrtRational.parse(m044.group(2)));
            assertEquals(-Double.parseDouble(m05.group(3)), Double.parseDouble(m044.group(3)));
        }
        Result unflipped = run("w3j", "1", "1", "2", "--convention", "e3nn-0.4");
        assertEquals(run("w3j", "1", "1", "2").outLines().subList(1, 13), unflipped.outLines().subList(1, 13));
        assertEquals("{\"l1\":0,\"l2\":1,\"l3\":1,\"convention\":\"e3nn-0.4\",\"nonzero\":[[0,0,0,\"sqrt(3)/3\"],"
                + "[0,1,1,\"sqrt(3)/3\"],[0,2,2,\"sqrt(3)/3\"]]}",
                run("w3j", "0", "1", "1", "--json", "--convention", "e3nn-0.4").out().strip());
    }

    @Test
    void shPrintsOnePolynomialPerM() {
        Result r = run("sh", "2");
        assertEquals(0, r.status());
        assertEquals(List.of("Y(2,-2) = sqrt(15)*x*z", "Y(2,-1) = sqrt(15)*x*y",
                "Y(2,0) = -sqrt(5)/2*x^2 + sqrt(5)*y^2 - sqrt(5)/2*z^2", "Y(2,1) = sqrt(15)*y*z",
                "Y(2,2) = -sqrt(15)/2*x^2 + sqrt(15)/2*z^2"), r.outLines());
        Result json = run("sh", "1", "--json");
        assertEquals(0, json.status());
        assertEquals("{\"l\":1,\"normalization\":\"component\",\"components\":[{\"m\":-1,\"terms\":[[1,0,0,"
                + "\"sqrt(3)\"]]},{\"m\":0,\"terms\":[[0,1,0,\"sqrt(3)\"]]},{\"m\":1,\"terms\":[[0,0,1,\"sqrt(3)\"]]}]}",
                json.out().strip());
    }

    @Test
    void helpAndNoArgumentsPrintUsage() {
        Result help = run("--help");
        assertEquals(0, help.status());
        assertTrue(help.out().startsWith("usage: e3j"), help.out());
        assertTrue(help.out().contains("--convention C the signs w3j prints: e3nn-0.5 (the default"), help.out());
        assertEquals("", help.err());
        Result none = run();
        assertEquals(2, none.status());
        assertTrue(none.out().startsWith("usage: e3j"), none.out());
    }

    @Test
    void badArgumentsPrintOneErrorLineAndExitTwo() {
        assertUsageError("triangle rule", "w3j", "1", "1", "3");
        assertUsageError("L2: expected a non-negative integer, got -1", "w3j", "1", "-1", "1");
        assertUsageError("L1: expected a non-negative integer, got 'x'", "w3j", "x", "1", "1");
        assertUsageError("too large", "sh", "99999999999");
        assertUsageError("unknown command 'foo'", "foo");
        assertUsageError("unexpected extra argument '3'", "sh", "2", "3");
        assertUsageError("expected 3 arguments (L1 L2 L3), got 2", "w3j", "1", "1");
        assertUsageError("unknown option '--yaml'", "sh", "2", "--yaml");
        assertUsageError("expected a command", "--json");
        // degrees that ran out of memory or for minutes, and a triangle check that overflowed int
        assertUsageError("L1 = 100000 exceeds 100", "w3j", "100000", "100000", "0");
        assertUsageError("L1 = 2147483647 exceeds 100", "w3j", "2147483647", "2147483647", "0");
        assertUsageError("L = 21 exceeds 20", "sh", "21");
        assertUsageError("--convention: expected e3nn-0.5 or e3nn-0.4, got 'e3nn-0.6'", "w3j", "1", "2", "2",
                "--convention", "e3nn-0.6");
        assertUsageError("--convention: expected e3nn-0.5 or e3nn-0.4, got nothing", "w3j", "1", "2", "2",
                "--convention");
        assertUsageError("sh: --convention applies only to w3j", "sh", "2", "--convention", "e3nn-0.4");
    }

    private static void assertUsageError(String expectedFragment, String... args) {
        Result r = run(args);
        assertEquals(2, r.status(), String.join(" ", args));
        assertEquals("", r.out(), String.join(" ", args));
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), r.err());
        assertTrue(lines.get(0).startsWith("e3j: error: "), lines.get(0));
        assertTrue(lines.get(0).contains(expectedFragment), lines.get(0));
    }

    @Test
    void versionIsTheProjectVersion() throws IOException {
        Matcher parent = Pattern.compile("<parent>.*?<version>([^<]+)</version>", Pattern.DOTALL)
                .matcher(Files.readString(Path.of("pom.xml")));
        assertTrue(parent.find(), "the processor's pom.xml names its parent's version");
        Result r = run("--version");
        assertEquals(0, r.status());
        assertEquals("", r.err());
        assertEquals(List.of("e3j " + parent.group(1)), r.outLines());
        assertTrue(run("--help").out().contains("--version"));
    }
}
