package dev.e3j.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.testing.compile.Compilation;
import dev.e3j.annotations.CgConvention;
import dev.e3j.annotations.ShNormalization;
import dev.e3j.processor.testing.FiniteDifferences;
import dev.e3j.processor.testing.GeneratedKernels;
import dev.e3j.processor.testing.NativeTools;
import dev.e3j.processor.writer.cuda.CudaFiles;
import dev.e3j.runtime.TensorProductKernel;
import dev.e3j.testsupport.Goldens;
import dev.e3j.testsupport.ReferenceData;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CUDA sources of {@code cuda = true}, without a GPU: every tensor-product case of {@code tensor_products.json}
 * (as CUSTOM paths; the square through its kind), e3nn 0.4.4's cases with {@code cgConvention = E3NN_0_4}, the
 * benchmark configurations of {@code /work/shared/bench} and
 * the spherical-harmonics cases of degree up to 8 (all normalizations, normalized or not) and the two benchmark
 * configurations of {@code spherical_harmonics.json} are emitted and written, with their check cases, to
 * {@code target/e3j-cuda-check/} (the input of {@code samples/cuda/run-gpu-check.sh}). With g++, the sources are
 * built against {@code e3j_cuda_host_shim.h} and must reproduce e3nn (reference cases) and the Java kernels
 * (benchmark configurations, whose multiplicities up to 128 exercise every lane striding) to 1e-12 in double and
 * 1e-5 in float. With nvcc, a few of them must compile for sm_80 and sm_90 with every warning an error.
 */
class CudaKernelsTest {

    private static final Path BUNDLE = Path.of("target", "e3j-cuda-check").toAbsolutePath();

    /** name, in1, in2, out, kind, shared weights, benchmark batch: /work/shared/bench/README.md. */
    private static final List<List<String>> BENCHMARKS = List.of(
            List.of("NequipWaterUvu", "32x0o+32x0e+32x1o+32x1e", "0e+1o", "32x0o+32x0e+32x1o+32x1e", "CHANNELWISE",
                    "false", "20000"),
            List.of("Revmd17TolueneUvu", "64x0o+64x0e+64x1o+64x1e+64x2o+64x2e", "0e+1o+2e",
                    "64x0o+64x0e+64x1o+64x1e+64x2o+64x2e", "CHANNELWISE", "false", "5000"),
            List.of("MaceMediumUvu", "128x0e+128x1o", "0e+1o+2e+3o", "128x0e+128x1o+128x2e", "CHANNELWISE", "false",
                    "2000"),
            List.of("TetrisPoly1Uvw", "1x0e+1x1o+1x2e+1x3o", "1x0e+1x1o+1x2e+1x3o",
                    "64x0e+24x1e+24x1o+16x2e+16x2o", "FULLY_CONNECTED", "true", "20000"),
            List.of("DiffdockL1UvwPerSample", "10x1o+10x1e+48x0e+48x0o", "0e+1o", "10x1o+10x1e+48x0e+48x0o",
                    "FULLY_CONNECTED", "false", "5000"));
    /** Samples of each benchmark configuration checked against the Java kernel. */
    private static final int BENCHMARK_CHECK_BATCH = 3;
    private static final int SH_BENCH_POINTS = 100000;

    private static GeneratedKernels kernels;
    /** Case file name to the binary name of its kernel. */
    private static final Map<String, String> CASES = new LinkedHashMap<>();

    @BeforeAll
    static void emitKernelsAndCases() throws IOException {
        List<Map<String, Object>> cases = ReferenceData.cases("tensor_products.json");
        List<Map<String, Object>> cases044 = ReferenceData.cases(CgConvention.E3NN_0_4, "tensor_products.json");
        StringBuilder source = new StringBuilder("""
                package cuda;

                import dev.e3j.annotations.CgConvention;
                import dev.e3j.annotations.IrrepNormalization;
                import dev.e3j.annotations.Path;
                import dev.e3j.annotations.PathNormalization;
                import dev.e3j.annotations.Precision;
                import dev.e3j.annotations.ShNormalization;
                import dev.e3j.annotations.SphericalHarmonics;
                import dev.e3j.annotations.TensorProduct;
                import dev.e3j.annotations.TensorProduct.Kind;
                import dev.e3j.runtime.SphericalHarmonicsKernel;
                import dev.e3j.runtime.TensorProductKernel;

                // e3nn's cases include outputs no path reaches, which e3nn fills with zeros: so must the kernels
                @SuppressWarnings("e3j.unreachable")
                interface Cases {
                    @TensorProduct(in1 = "1x0e", in2 = "1x0e", out = "1x0e")
                    interface WithoutCuda extends TensorProductKernel {}

                """);
        for (Map<String, Object> c : cases) {
            String annotation = (Boolean) c.get("square") ? ReferenceTensorProductTest.kindSpec(c)
                    : ReferenceTensorProductTest.customSpec(c);
            source.append("    ").append(annotation.replace("@TensorProduct(", "@TensorProduct(cuda = true, "))
                    .append("\n    interface ").append(ReferenceTensorProductTest.javaName(c))
                    .append(" extends TensorProductKernel {}\n\n");
        }
        for (Map<String, Object> c : cases044) {
            source.append("    ").append(ReferenceTensorProductTest.customSpec(c, CgConvention.E3NN_0_4)
                            .replace("@TensorProduct(", "@TensorProduct(cuda = true, "))
                    .append("\n    interface ").append(ReferenceTensorProductTest.javaName(c))
                    .append(" extends TensorProductKernel {}\n\n");
        }
        for (List<String> b : BENCHMARKS) {
            source.append("    @TensorProduct(cuda = true, in1 = \"").append(b.get(1)).append("\", in2 = \"")
                    .append(b.get(2)).append("\", out = \"").append(b.get(3)).append("\", kind = Kind.")
                    .append(b.get(4)).append(", sharedWeights = ").append(b.get(5)).append(")\n    interface ")
                    .append(b.get(0)).append(" extends TensorProductKernel {}\n\n");
        }
        List<Map<String, Object>> harmonics = new ArrayList<>();
        for (Map<String, Object> c : ReferenceData.cases("spherical_harmonics.json")) {
            // lmax 8 holds every lower degree's values; lmax 3 and 6 are the benchmark configurations.
            if (((List<?>) c.get("ls")).size() == 9 || isHarmonicsBenchmark(c)) {
                harmonics.add(c);
                source.append("    @SphericalHarmonics(cuda = true, lmax = ").append(((List<?>) c.get("ls")).size() - 1)
                        .append(", normalization = ShNormalization.").append(normalization(c)).append(", normalize = ")
                        .append(c.get("normalize")).append(")\n    interface ").append(harmonicsName(c))
                        .append(" extends SphericalHarmonicsKernel {}\n\n");
            }
        }
        source.append("}\n");
        kernels = GeneratedKernels.compile("cuda.Cases", source.toString());

        deleteRecursively(BUNDLE);
        Files.createDirectories(BUNDLE.resolve("kernels"));
        Files.createDirectories(BUNDLE.resolve("cases"));
        try (InputStream shim = CudaKernelsTest.class.getClassLoader().getResourceAsStream(CudaFiles.HOST_SHIM)) {
            Files.write(BUNDLE.resolve("kernels/e3j_cuda_host_shim.h"), shim.readAllBytes());
        }
        for (Map<String, Object> c : Stream.concat(cases.stream(), cases044.stream()).toList()) {
            String binaryName = "cuda.Cases_" + ReferenceTensorProductTest.javaName(c) + "Impl";
            writeKernel(binaryName, kernels.generatedResource(CudaFiles.resourceName(binaryName)));
            writeReferenceCase(c, binaryName);
        }
        Random random = new Random(7);
        for (List<String> b : BENCHMARKS) {
            String binaryName = "cuda.Cases_" + b.get(0) + "Impl";
            writeKernel(binaryName, kernels.generatedResource(CudaFiles.resourceName(binaryName)));
            writeBenchmarkCase(b, binaryName, kernels.tensorProduct(binaryName), random);
        }
        for (Map<String, Object> c : harmonics) {
            writeHarmonics(c);
        }
    }

    private static void writeKernel(String binaryName, String source) throws IOException {
        Files.writeString(BUNDLE.resolve("kernels/" + binaryName + ".cu"), source);
    }

    private static void writeReferenceCase(Map<String, Object> c, String binaryName) throws IOException {
        boolean square = (Boolean) c.get("square");
        int batch = ReferenceData.asInt(c.get("batch"));
        StringBuilder text = new StringBuilder();
        text.append(String.join(" ", "tensor_product", CudaFiles.symbolPrefix(binaryName), (String) c.get("name"),
                Integer.toString(batch), dim(c.get("x1"), batch), square ? "0" : dim(c.get("x2"), batch),
                dim(c.get("out"), batch), Integer.toString(ReferenceData.asInt(c.get("weight_numel"))),
                (Boolean) c.get("shared_weights") ? "1" : "0", square ? "1" : "0", "0")).append('\n');
        for (String array : square ? List.of("x1", "weights", "grad_out", "out", "grad_x1", "grad_weights")
                : List.of("x1", "x2", "weights", "grad_out", "out", "grad_x1", "grad_x2", "grad_weights")) {
            appendValues(text, ReferenceData.asDoubles(c.get(array)));
        }
        writeCase((String) c.get("name"), binaryName, text);
    }

    /** Random inputs; the expected values are the Java kernel's (double). */
    private static void writeBenchmarkCase(List<String> b, String binaryName, TensorProductKernel kernel,
                                           Random random) throws IOException {
        int batch = BENCHMARK_CHECK_BATCH;
        int dim1 = kernel.irrepsIn1().dim();
        int dim2 = kernel.irrepsIn2().dim();
        int dimOut = kernel.irrepsOut().dim();
        boolean shared = kernel.sharedWeights();
        double[] x1 = FiniteDifferences.gaussian(random, batch * dim1);
        double[] x2 = FiniteDifferences.gaussian(random, batch * dim2);
        double[] weights = FiniteDifferences.gaussian(random, (shared ? 1 : batch) * kernel.weightNumel());
        double[] gradOut = FiniteDifferences.gaussian(random, batch * dimOut);
        double[] out = new double[batch * dimOut];
        double[] gradX1 = new double[x1.length];
        double[] gradX2 = new double[x2.length];
        double[] gradWeights = new double[weights.length];
        kernel.forward(batch, x1, x2, weights, out);
        kernel.backward(batch, x1, x2, weights, gradOut, gradX1, gradX2, gradWeights);
        StringBuilder text = new StringBuilder(String.join(" ", "tensor_product",
                CudaFiles.symbolPrefix(binaryName), b.get(0), Integer.toString(batch), Integer.toString(dim1),
                Integer.toString(dim2), Integer.toString(dimOut), Integer.toString(kernel.weightNumel()),
                shared ? "1" : "0", "0", b.get(6))).append('\n');
        for (double[] array : List.of(x1, x2, weights, gradOut, out, gradX1, gradX2, gradWeights)) {
            appendValues(text, array);
        }
        writeCase(b.get(0), binaryName, text);
    }

    private static ShNormalization normalization(Map<String, Object> c) {
        return ShNormalization.valueOf(((String) c.get("normalization")).toUpperCase(Locale.ROOT));
    }

    /** e.g. {@code Sh8ComponentNormalized}. */
    private static String harmonicsName(Map<String, Object> c) {
        String normalization = normalization(c).name();
        return "Sh" + (((List<?>) c.get("ls")).size() - 1) + normalization.charAt(0)
                + normalization.substring(1).toLowerCase(Locale.ROOT) + ((Boolean) c.get("normalize") ? "Normalized"
                : "Raw");
    }

    private static void writeHarmonics(Map<String, Object> c) throws IOException {
        String name = harmonicsName(c);
        String binaryName = "cuda.Cases_" + name + "Impl";
        writeKernel(binaryName, kernels.generatedResource(CudaFiles.resourceName(binaryName)));
        int n = ((List<?>) c.get("vectors")).size();
        int dim = ReferenceData.asDoubles(c.get("values")).length / n;
        StringBuilder text = new StringBuilder(String.join(" ", "spherical_harmonics",
                CudaFiles.symbolPrefix(binaryName), name, Integer.toString(n), Integer.toString(dim),
                isHarmonicsBenchmark(c) ? Integer.toString(SH_BENCH_POINTS) : "0")).append('\n');
        for (String array : List.of("vectors", "grad_values", "values", "grad_vectors")) {
            appendValues(text, ReferenceData.asDoubles(c.get(array)));
        }
        writeCase(name, binaryName, text);
    }

    /** sh-lmax3 and sh-lmax6: normalized, component normalization. */
    private static boolean isHarmonicsBenchmark(Map<String, Object> c) {
        int size = ((List<?>) c.get("ls")).size();
        return (Boolean) c.get("normalize") && "component".equals(c.get("normalization")) && (size == 4 || size == 7);
    }

    private static void writeCase(String name, String binaryName, StringBuilder text) throws IOException {
        String file = name + ".case";
        Files.writeString(BUNDLE.resolve("cases/" + file), text);
        CASES.put(file, binaryName);
    }

    @Test
    void emitsOneCudaSourcePerCudaSpecOnly() {
        Compilation compilation = kernels.compilation();
        List<String> sources = compilation.generatedFiles().stream().map(JavaFileObject::getName)
                .filter(name -> name.endsWith(".cu")).toList();
        assertEquals(12 + 4 + BENCHMARKS.size() + 8, sources.size(), "12 reference cases, 4 of e3nn 0.4.4, the"
                + " benchmarks, 8 harmonics: " + sources);
        assertTrue(sources.stream().anyMatch(n -> n.endsWith("CLASS_OUTPUT/META-INF/e3j/cuda/cuda.Cases_FcSmallImpl.cu")),
                sources.toString());
        assertFalse(sources.stream().anyMatch(n -> n.contains("WithoutCuda")), sources.toString());
    }

    @Test
    void hostShimBuildMatchesE3nnAndJavaKernels() throws IOException {
        Optional<Path> gxx = NativeTools.find("g++");
        assumeTrue(gxx.isPresent(), "g++ is not on the PATH: skipping the CPU build of the CUDA sources");
        Path build = Files.createDirectories(BUNDLE.resolve("host"));
        List<List<String>> compiles = new ArrayList<>();
        List<String> objects = new ArrayList<>();
        try (var files = Files.list(BUNDLE.resolve("kernels"))) {
            for (Path kernel : files.filter(f -> f.toString().endsWith(".cu")).sorted().toList()) {
                String object = build.resolve(kernel.getFileName() + ".o").toString();
                objects.add(object);
                compiles.add(List.of(gxx.get().toString(), "-std=c++17", "-O1", "-Wall", "-Werror", "-fPIC",
                        "-pthread", "-I" + BUNDLE.resolve("kernels"), "-x", "c++", "-c", kernel.toString(), "-o",
                        object));
            }
        }
        compiles.add(List.of(gxx.get().toString(), "-std=c++17", "-O1", "-Wall", "-Werror", "-pthread",
                driver().toString(), "-o", build.resolve("e3j_cuda_check").toString(), "-ldl"));
        NativeTools.runAll(build, 300, compiles);
        List<String> link = new ArrayList<>(List.of(gxx.get().toString(), "-shared", "-pthread", "-o",
                build.resolve("libe3j_kernels.so").toString()));
        link.addAll(objects);
        NativeTools.run(build, 60, link).requireSuccess();

        List<String> check = new ArrayList<>(List.of(build.resolve("e3j_cuda_check").toString(),
                build.resolve("libe3j_kernels.so").toString()));
        CASES.keySet().forEach(file -> check.add(BUNDLE.resolve("cases/" + file).toString()));
        NativeTools.Result result = NativeTools.run(build, 300, check);
        System.out.println(result.output());
        result.requireSuccess();
        assertTrue(result.output().contains("ALL PASSED"), result.output());
        long lines = result.output().lines().filter(l -> l.contains(" f32 ") || l.contains(" f64 ")).count();
        assertEquals(2L * CASES.size(), lines, "one line per case and precision");
    }

    @Test
    void nvccCompilesForSm80AndSm90WithWarningsAsErrors() throws IOException {
        Optional<Path> nvcc = NativeTools.find("nvcc");
        assumeTrue(nvcc.isPresent(), "nvcc is not on the PATH: skipping the CUDA compile check");
        Path build = Files.createDirectories(BUNDLE.resolve("nvcc"));
        // Small specs covering both reductions (shared and per-sample weight gradients), the square, and harmonics
        // with and without normalizing the points (which alone reads the norm floor).
        List<String> files = List.of("cuda.Cases_FcSmallImpl.cu", "cuda.Cases_TensorSquareImpl.cu",
                "cuda.Cases_NequipConvUvuPerEdgeWeightsImpl.cu", "cuda.Cases_Sh3ComponentNormalizedImpl.cu",
                "cuda.Cases_Sh8ComponentRawImpl.cu");
        List<List<String>> compiles = new ArrayList<>();
        for (String file : files) {
            compiles.add(List.of(nvcc.get().toString(), "-std=c++17", "-c",
                    "-gencode", "arch=compute_80,code=sm_80", "-gencode", "arch=compute_90,code=sm_90",
                    "--Werror", "all-warnings", "-Xcompiler", "-Wall,-Werror",
                    BUNDLE.resolve("kernels/" + file).toString(), "-o", build.resolve(file + ".o").toString()));
        }
        NativeTools.runAll(build, 300, compiles);
    }

    @Test
    void goldenCudaSource() throws IOException {
        String actual = kernels.generatedResource(CudaFiles.resourceName("cuda.Cases_FcSmallImpl"));
        Goldens.compare(GoldenSourceTest.goldenDirectory().resolve("cuda.Cases_FcSmallImpl.cu"), actual);
    }

    /** samples/cuda/e3j_cuda_check.cpp, found from the reference directory (the repository root's child). */
    private static Path driver() {
        return ReferenceData.directory().toAbsolutePath().getParent().getParent()
                .resolve("samples/cuda/e3j_cuda_check.cpp");
    }

    private static String dim(Object rows, int batch) {
        return Integer.toString(ReferenceData.asDoubles(rows).length / batch);
    }

    private static void appendValues(StringBuilder text, double[] values) {
        for (int n = 0; n < values.length; n++) {
            text.append(n == 0 ? "" : " ").append(Double.toHexString(values[n]));
        }
        text.append('\n');
    }

    private static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (var paths = Files.walk(directory)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
