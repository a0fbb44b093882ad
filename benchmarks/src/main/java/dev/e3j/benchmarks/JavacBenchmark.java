package dev.e3j.benchmarks;

import dev.e3j.processor.E3jProcessor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What generating code costs javac: one in-process javac run on a spec, without annotation processing
 * ({@code processor = none}) and with the e3j processor, which then also compiles the generated classes. The
 * difference is the time the processor adds to a build. Two specs: the mace-medium interaction's tensor product
 * ({@code compileMaceMedium}) and a whole MACE-MP-medium-sized {@code @Mace} potential ({@code compileMaceMpMedium}:
 * {@code 128x0e+128x1o+128x2e} hidden, {@code maxEll = 3}, correlation 3, 89 elements, two interactions).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
public class JavacBenchmark {

    static final String SPEC = """
            package bench.javac;

            import dev.e3j.annotations.TensorProduct;
            import dev.e3j.runtime.TensorProductKernel;

            @TensorProduct(in1 = "128x0e+128x1o", in2 = "0e+1o+2e+3o", out = "128x0e+128x1o+128x2e",
                    kind = TensorProduct.Kind.CHANNELWISE, sharedWeights = false)
            interface MaceMedium extends TensorProductKernel {
            }
            """;

    static final String MACE_MP_SPEC = """
            package bench.javac;

            import dev.e3j.annotations.Mace;
            import dev.e3j.runtime.model.InteratomicPotential;

            @Mace(rMax = 6.0, numBessel = 10, numPolynomialCutoff = 5, maxEll = 3, numInteractions = 2,
                    interactionFirst = Mace.Interaction.REAL_AGNOSTIC_RESIDUAL,
                    interaction = Mace.Interaction.REAL_AGNOSTIC_RESIDUAL,
                    atomicNumbers = {%s},
                    hiddenIrreps = "128x0e+128x1o+128x2e", mlpIrreps = "16x0e", correlation = {3},
                    gate = Mace.Gate.SILU, radialMlp = {64, 64, 64}, avgNumNeighbors = 61.96, scaleShift = true)
            interface MaceMpMedium extends InteratomicPotential {
            }
            """.formatted(IntStream.rangeClosed(1, 89).mapToObj(Integer::toString)
            .collect(Collectors.joining(", ")));

    @Param({"none", "e3j"})
    public String processor;

    private JavaCompiler compiler;
    private Path output;

    @Setup
    public void setUp() throws IOException {
        compiler = ToolProvider.getSystemJavaCompiler();
        output = Files.createTempDirectory("e3j-javac-benchmark");
    }

    @TearDown
    public void tearDown() throws IOException {
        try (Stream<Path> files = Files.walk(output)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    /** The mace-medium interaction's tensor product, {@code @TensorProduct}. */
    @Benchmark
    public boolean compileMaceMedium() {
        return compile("bench/javac/MaceMedium.java", SPEC);
    }

    /** A whole MACE-MP-medium-sized potential, {@code @Mace}. */
    @Benchmark
    public boolean compileMaceMpMedium() {
        return compile("bench/javac/MaceMpMedium.java", MACE_MP_SPEC);
    }

    private boolean compile(String path, String source) {
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, null, null)) {
            List<String> options = new ArrayList<>(List.of("-classpath", System.getProperty("java.class.path"),
                    "-d", output.toString(), "-s", output.toString(), "-implicit:none"));
            if (processor.equals("none")) {
                options.add("-proc:none");
            }
            JavaCompiler.CompilationTask task = compiler.getTask(null, files, diagnostics, options, null,
                    List.of(new Source(path, source)));
            if (processor.equals("e3j")) {
                task.setProcessors(List.of(new E3jProcessor()));
            }
            if (!task.call()) {
                throw new IllegalStateException("javac failed: " + diagnostics.getDiagnostics());
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final class Source extends SimpleJavaFileObject {
        private final String text;

        Source(String path, String text) {
            super(URI.create("string:///" + path), Kind.SOURCE);
            this.text = text;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return text;
        }
    }
}
