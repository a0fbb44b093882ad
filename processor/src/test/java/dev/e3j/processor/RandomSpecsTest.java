package dev.e3j.processor;

import static dev.e3j.processor.testing.TestArrays.toFloat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.processor.testing.FiniteDifferences;
import dev.e3j.processor.testing.GeneratedKernels;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.TensorProductKernel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Specs nobody wrote by hand: random irreps up to l = 3, 5, 7 and 10, every kind, every connection mode in custom
 * paths, random normalizations and weight sharing, float overloads. Each generated kernel must compile, be
 * equivariant under rotations with and without inversion, have gradients that match central finite differences, and
 * agree in float with its double result. The seeds are fixed so that a failure reproduces; the generator is the test.
 */
class RandomSpecsTest {

    private static final String[] KINDS = {"FULLY_CONNECTED", "CHANNELWISE", "ELEMENTWISE", "FULL", "SQUARE",
            "CUSTOM"};
    private static final String[] MODES = {"uvw", "uvu", "uvv", "uuw", "uuu", "uvuv", "uvu<v", "u<vw"};
    private static final int SPECS_PER_SEED = 8;
    /** The largest l of an input irrep in this invocation (outputs reach twice that). */
    private int lmax;

    private record Entry(int mul, int l, boolean even) {
        @Override
        public String toString() {
            return mul + "x" + l + (even ? "e" : "o");
        }
    }

    @ParameterizedTest(name = "seed {0}, l <= {1}")
    @CsvSource({"1, 3", "2, 5", "3, 7", "4, 10"})
    void randomSpecsAreEquivariantWithExactGradients(long seed, int lmax) {
        this.lmax = lmax;
        Random random = new Random(seed);
        StringBuilder source = new StringBuilder("""
                package random;

                import dev.e3j.annotations.IrrepNormalization;
                import dev.e3j.annotations.Path;
                import dev.e3j.annotations.PathNormalization;
                import dev.e3j.annotations.Precision;
                import dev.e3j.annotations.TensorProduct;
                import dev.e3j.annotations.TensorProduct.Kind;
                import dev.e3j.runtime.TensorProductKernel;

                // random outputs that no path reaches are part of the test: their zeros are checked too
                @SuppressWarnings("e3j.unreachable")
                interface Specs {
                """);
        List<String> squares = new ArrayList<>();
        for (int n = 0; n < SPECS_PER_SEED; n++) {
            String kind = KINDS[random.nextInt(KINDS.length)];
            source.append("    ").append(annotation(random, kind)).append('\n')
                    .append("    interface K").append(n).append(" extends TensorProductKernel {}\n");
            if (kind.equals("SQUARE")) {
                squares.add("K" + n);
            }
        }
        source.append("}\n");
        GeneratedKernels kernels = GeneratedKernels.compile("random.Specs", source.toString());
        for (int n = 0; n < SPECS_PER_SEED; n++) {
            String name = "K" + n;
            TensorProductKernel kernel = kernels.tensorProduct("random.Specs_" + name + "Impl");
            check(kernel, squares.contains(name), "seed " + seed + " " + name + " " + describe(kernel) + "\n"
                    + source);
        }
    }

    /**
     * Valid e3nn irreps the random specs do not draw: zero multiplicities, repeated and unsorted entries, a
     * channel-wise product with two {@code in2} channels, one wide channel-wise product, an unweighted
     * {@code uuw} path, and l = 30 (the runtime's rotations stop there), whose long sums are split below javac's
     * nesting limit. All in float too: {@link #check} compares the float overloads with double.
     */
    @Test
    void unusualIrrepsAreEquivariantWithExactGradients() {
        List<String> annotations = List.of(
                "@TensorProduct(in1 = \"2x0e + 0x1o + 3x1o\", in2 = \"1x1o + 0x2e\", out = \"0x0e + 2x1e + 3x2e\","
                        + " precision = Precision.FLOAT)",
                "@TensorProduct(in1 = \"0x0e + 3x1o + 1x0e + 1x0e\", in2 = \"1x0e + 1x1o\","
                        + " out = \"3x1o + 1x0e + 1x1o + 1x0e + 3x0e\", kind = Kind.CHANNELWISE, sharedWeights = false,"
                        + " precision = Precision.FLOAT)",
                "@TensorProduct(in1 = \"3x1o\", in2 = \"2x1o\", out = \"3x0e + 3x1e + 3x2e\", kind = Kind.CHANNELWISE,"
                        + " precision = Precision.FLOAT)",
                "@TensorProduct(in1 = \"1x0e + 0x1o + 2x1o + 1x0e\", kind = Kind.SQUARE, precision = Precision.FLOAT)",
                "@TensorProduct(in1 = \"2x1o + 0x2e + 1x2e\", in2 = \"1x1o + 1x0e + 1x2e\", kind = Kind.ELEMENTWISE,"
                        + " precision = Precision.FLOAT)",
                "@TensorProduct(in1 = \"1x1o + 1x1o\", in2 = \"1x1e + 0x0e + 1x1e\", kind = Kind.FULL,"
                        + " precision = Precision.FLOAT)",
                "@TensorProduct(in1 = \"300x0e + 20x1o\", in2 = \"0e + 1o\", out = \"300x0e + 20x1o + 20x1e\","
                        + " kind = Kind.CHANNELWISE, sharedWeights = false, precision = Precision.FLOAT)",
                // an unweighted uuw path sums the channel pairs into one output channel
                "@TensorProduct(in1 = \"3x1o\", in2 = \"3x1o\", out = \"1x1e + 2x0e\", kind = Kind.CUSTOM,"
                        + " paths = {@Path(in1 = 0, in2 = 0, out = 0, mode = \"uuw\", weighted = false),"
                        + " @Path(in1 = 0, in2 = 0, out = 1, mode = \"uuw\")}, precision = Precision.FLOAT)",
                // sums of more than PathWriter.MAX_FMA_DEPTH products (the x2 gradient sums 61): at l = 100 the
                // nested Math.fma calls overflowed javac's stack
                "@TensorProduct(in1 = \"1x30e\", in2 = \"1x0e\", out = \"1x30e\", precision = Precision.FLOAT)");
        StringBuilder source = new StringBuilder("""
                package unusual;

                import dev.e3j.annotations.Path;
                import dev.e3j.annotations.Precision;
                import dev.e3j.annotations.TensorProduct;
                import dev.e3j.annotations.TensorProduct.Kind;
                import dev.e3j.runtime.TensorProductKernel;

                interface Specs {
                """);
        for (int n = 0; n < annotations.size(); n++) {
            source.append("    ").append(annotations.get(n)).append('\n')
                    .append("    interface K").append(n).append(" extends TensorProductKernel {}\n");
        }
        GeneratedKernels kernels = GeneratedKernels.compile("unusual.Specs", source.append("}\n").toString());
        for (int n = 0; n < annotations.size(); n++) {
            TensorProductKernel kernel = kernels.tensorProduct("unusual.Specs_K" + n + "Impl");
            check(kernel, annotations.get(n).contains("SQUARE"), annotations.get(n) + " " + describe(kernel));
        }
    }

    /**
     * Shared {@code uvw} weights read by rows ({@code _weightRows} path methods): odd and even input multiplicities
     * (a last channel alone; a pair without a loop), two x2 channels, a single input channel, rows shorter than
     * {@code PathWriter.MIN_WEIGHT_ROW} mixed in (those paths add to {@code out} after the rows are copied out), and
     * a custom product mixing {@code uvw} with other modes. Equivariance, finite differences (the forward by rows
     * against the fused backward by weight columns and gradient rows), and float against double.
     */
    @Test
    void sharedWeightRowsAreEquivariantWithExactGradients() {
        List<String> annotations = List.of(
                "@TensorProduct(in1 = \"9x0e + 3x1o + 2x2e\", in2 = \"2x0e + 1x1o\","
                        + " out = \"8x0e + 12x1o + 3x2e + 9x1e\", precision = Precision.FLOAT)",
                "@TensorProduct(in1 = \"1x0e + 1x1o + 1x2e\", in2 = \"1x0e + 1x1o\", out = \"16x0e + 8x1o + 8x1e\","
                        + " precision = Precision.FLOAT)",
                "@TensorProduct(in1 = \"3x1o + 2x0e\", in2 = \"3x1o\", out = \"10x0e + 10x1e + 2x2e + 8x1o\","
                        + " kind = Kind.CUSTOM, paths = {@Path(in1 = 0, in2 = 0, out = 0, mode = \"uvw\"),"
                        + " @Path(in1 = 0, in2 = 0, out = 1, mode = \"uvw\", pathWeight = \"3/7\"),"
                        + " @Path(in1 = 0, in2 = 0, out = 2, mode = \"uuw\"),"
                        + " @Path(in1 = 1, in2 = 0, out = 3, mode = \"uvw\", weighted = true)},"
                        + " precision = Precision.FLOAT)");
        StringBuilder source = new StringBuilder("""
                package rows;

                import dev.e3j.annotations.Path;
                import dev.e3j.annotations.Precision;
                import dev.e3j.annotations.TensorProduct;
                import dev.e3j.annotations.TensorProduct.Kind;
                import dev.e3j.runtime.TensorProductKernel;

                interface Specs {
                """);
        for (int n = 0; n < annotations.size(); n++) {
            source.append("    ").append(annotations.get(n)).append('\n')
                    .append("    interface K").append(n).append(" extends TensorProductKernel {}\n");
        }
        GeneratedKernels kernels = GeneratedKernels.compile("rows.Specs", source.append("}\n").toString());
        for (int n = 0; n < annotations.size(); n++) {
            String name = "rows.Specs_K" + n + "Impl";
            String generated = kernels.generatedSource("rows/Specs_K" + n + "Impl.java");
            assertTrue(generated.contains("_weightRows(x1, x1Offset, x2, x2Offset, weightRows, outT)"),
                    name + " does not read its weights by rows");
            // by columns from eight channel pairs on: not the single-channel K1 (tetris-like)
            assertEquals(n != 1, generated.contains(
                    "_backwardRows(x1, x1Offset, x2, x2Offset, weightColumns, gradOutT, gT,"),
                    name + " fused backward by weight columns");
            TensorProductKernel kernel = kernels.tensorProduct(name);
            check(kernel, false, annotations.get(n) + " " + describe(kernel));
        }
    }

    private String annotation(Random random, String kind) {
        List<Entry> in1 = new ArrayList<>(entries(random, 1 + random.nextInt(3), 4));
        List<Entry> in2 = entries(random, 1 + random.nextInt(3), kind.equals("CHANNELWISE") ? 1 : 3);
        String customPaths = kind.equals("CUSTOM") ? custom(random, in1) : "";
        StringBuilder a = new StringBuilder("@TensorProduct(in1 = \"").append(join(in1)).append('"');
        switch (kind) {
            case "ELEMENTWISE" -> {
                // same multiplicities on both sides, entry by entry
                List<Entry> other = new ArrayList<>();
                in1.forEach(e -> other.add(new Entry(e.mul(), random.nextInt(lmax + 1), random.nextBoolean())));
                a.append(", in2 = \"").append(join(other)).append('"');
            }
            case "SQUARE" -> {
                if (random.nextBoolean()) {
                    a.append(", out = \"").append(join(outputs(random, in1, in1, 4))).append('"');
                }
            }
            case "FULL" -> a.append(", in2 = \"").append(join(in2)).append('"');
            case "CUSTOM" -> a.append(customPaths);
            case "CHANNELWISE" -> {
                // every path keeps its in1 entry's multiplicity
                List<Entry> out = new ArrayList<>();
                for (Entry e : outputs(random, in1, in2, 1)) {
                    out.add(new Entry(in1.get(random.nextInt(in1.size())).mul(), e.l(), e.even()));
                }
                a.append(", in2 = \"").append(join(in2)).append("\", out = \"").append(join(in1.subList(0, 1)))
                        .append('+').append(join(out)).append('"');
            }
            default -> a.append(", in2 = \"").append(join(in2)).append("\", out = \"")
                    .append(join(outputs(random, in1, in2, 4))).append('"');
        }
        a.append(", kind = Kind.").append(kind);
        if (!kind.equals("FULL") && !kind.equals("ELEMENTWISE")) {
            a.append(", sharedWeights = ").append(random.nextBoolean());
        }
        a.append(", irrepNormalization = IrrepNormalization.").append(random.nextBoolean() ? "NORM" : "COMPONENT");
        a.append(", pathNormalization = PathNormalization.")
                .append(new String[] {"ELEMENT", "PATH", "NONE"}[random.nextInt(3)]);
        return a.append(", precision = Precision.FLOAT)").toString();
    }

    /**
     * {@code , in2 = ..., out = ..., paths = {...}} for custom kinds: one to four paths in random modes, each on an
     * {@code in1} entry (appended to {@code in1}) and an {@code in2} entry of its own whose multiplicities the mode
     * allows, with an output entry the mode's multiplicity rule and the selection rules admit.
     */
    private String custom(Random random, List<Entry> in1) {
        List<Entry> in2 = new ArrayList<>();
        List<Entry> out = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        int first = in1.size();
        int count = 1 + random.nextInt(4);
        for (int p = 0; p < count; p++) {
            String mode = MODES[random.nextInt(MODES.length)];
            boolean upper = mode.contains("<");
            Entry a = new Entry((upper ? 2 : 1) + random.nextInt(3), random.nextInt(lmax + 1), random.nextBoolean());
            // uvw and u<vw always carry weights (e3nn)
            boolean weighted = mode.endsWith("w") && !mode.equals("uuw") || random.nextInt(4) > 0;
            boolean sameMul = upper || mode.startsWith("uu");
            Entry b = new Entry(sameMul ? a.mul() : 1 + random.nextInt(3), random.nextInt(lmax + 1),
                    random.nextBoolean());
            int mul = switch (mode) {
                case "uvu", "uuu" -> a.mul();
                case "uvv" -> b.mul();
                case "uvuv" -> a.mul() * b.mul();
                case "uvu<v" -> a.mul() * (a.mul() - 1) / 2;
                // w mixes channels through the weights; unweighted, everything sums into one channel
                default -> weighted ? 1 + random.nextInt(3) : 1;
            };
            int lowest = Math.abs(a.l() - b.l());
            int l = lowest + random.nextInt(a.l() + b.l() - lowest + 1);
            in1.add(a);
            in2.add(b);
            out.add(new Entry(mul, l, a.even() == b.even()));
            paths.add(String.format("@Path(in1 = %d, in2 = %d, out = %d, mode = \"%s\"%s)", first + p, p, p, mode,
                    weighted ? "" : ", weighted = false"));
        }
        return ", in2 = \"" + join(in2) + "\", out = \"" + join(out) + "\", paths = {" + String.join(", ", paths)
                + "}";
    }

    /** Some irreps the product actually reaches, and one at random (which may be unreachable: zero output). */
    private List<Entry> outputs(Random random, List<Entry> in1, List<Entry> in2, int maxMul) {
        List<Entry> reachable = new ArrayList<>();
        for (Entry a : in1) {
            for (Entry b : in2) {
                for (int l = Math.abs(a.l() - b.l()); l <= a.l() + b.l(); l++) {
                    reachable.add(new Entry(1 + random.nextInt(maxMul), l, a.even() == b.even()));
                }
            }
        }
        List<Entry> out = new ArrayList<>();
        int count = 1 + random.nextInt(3);
        for (int n = 0; n < count; n++) {
            out.add(reachable.get(random.nextInt(reachable.size())));
        }
        out.addAll(entries(random, 1, maxMul));
        return out;
    }

    private List<Entry> entries(Random random, int count, int maxMul) {
        List<Entry> entries = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            entries.add(new Entry(1 + random.nextInt(maxMul), random.nextInt(lmax + 1), random.nextBoolean()));
        }
        return entries;
    }

    private static String join(List<Entry> entries) {
        return String.join("+", entries.stream().map(Entry::toString).toList());
    }

    private static String describe(TensorProductKernel kernel) {
        return kernel.irrepsIn1() + " x " + kernel.irrepsIn2() + " -> " + kernel.irrepsOut();
    }

    private static void check(TensorProductKernel kernel, boolean square, String what) {
        Random random = new Random(17);
        int batch = 3;
        int weightLength = kernel.sharedWeights() ? kernel.weightNumel() : batch * kernel.weightNumel();
        double[] x1 = FiniteDifferences.gaussian(random, batch * kernel.irrepsIn1().dim());
        double[] x2 = square ? x1 : FiniteDifferences.gaussian(random, batch * kernel.irrepsIn2().dim());
        double[] weights = FiniteDifferences.gaussian(random, weightLength);
        double[] out = new double[batch * kernel.irrepsOut().dim()];
        kernel.forward(batch, x1, x2, weights, out);
        for (int k = 0; k < 2; k++) {
            double alpha = 2 * Math.PI * random.nextDouble();
            double beta = Math.PI * random.nextDouble();
            double gamma = 2 * Math.PI * random.nextDouble();
            double[] rotated1 = rotate(kernel.irrepsIn1(), alpha, beta, gamma, k, x1, batch);
            double[] rotated2 = square ? rotated1 : rotate(kernel.irrepsIn2(), alpha, beta, gamma, k, x2, batch);
            double[] rotatedOut = new double[out.length];
            kernel.forward(batch, rotated1, rotated2, weights, rotatedOut);
            ReferenceTensorProductTest.assertClose(rotate(kernel.irrepsOut(), alpha, beta, gamma, k, out, batch),
                    rotatedOut, 1e-9, what + " equivariance (k = " + k + ")");
        }
        double[] gradOut = FiniteDifferences.gaussian(random, out.length);
        double[] gradX1 = new double[x1.length];
        double[] gradX2 = square ? null : new double[x2.length];
        double[] gradWeights = new double[weights.length];
        kernel.backward(batch, x1, x2, weights, gradOut, gradX1, gradX2, gradWeights);
        DoubleSupplier objective = () -> {
            double[] value = new double[gradOut.length];
            kernel.forward(batch, x1, x2, weights, value);
            return FiniteDifferences.dot(value, gradOut);
        };
        assertDirectionalDerivatives(what + " gradX1", x1, gradX1, objective, random);
        if (!square) {
            assertDirectionalDerivatives(what + " gradX2", x2, gradX2, objective, random);
        }
        if (weights.length > 0) {
            assertDirectionalDerivatives(what + " gradWeights", weights, gradWeights, objective, random);
        }
        float[] floatX1 = toFloat(x1);
        float[] floatOut = new float[out.length];
        kernel.forward(batch, floatX1, square ? floatX1 : toFloat(x2), toFloat(weights), floatOut);
        double scale = 1;
        for (double value : out) {
            scale = Math.max(scale, Math.abs(value));
        }
        for (int i = 0; i < out.length; i++) {
            assertTrue(Math.abs(floatOut[i] - out[i]) <= 1e-4 * scale,
                    what + " float out[" + i + "]: " + floatOut[i] + " against " + out[i]);
        }
    }

    /**
     * {@code (f(x + h d) - f(x - h d)) / 2h = <gradient, d>} along random directions {@code d}: exact up to rounding,
     * as {@code f} is at most quadratic in {@code x}, and a wrong entry of the gradient shows in every direction.
     */
    private static void assertDirectionalDerivatives(String what, double[] x, double[] gradient,
                                                     DoubleSupplier objective, Random random) {
        double h = 1e-3;
        double[] saved = x.clone();
        for (int trial = 0; trial < 3; trial++) {
            double[] direction = FiniteDifferences.gaussian(random, x.length);
            for (int i = 0; i < x.length; i++) {
                x[i] = saved[i] + h * direction[i];
            }
            double plus = objective.getAsDouble();
            for (int i = 0; i < x.length; i++) {
                x[i] = saved[i] - h * direction[i];
            }
            double minus = objective.getAsDouble();
            System.arraycopy(saved, 0, x, 0, x.length);
            double numeric = (plus - minus) / (2 * h);
            double analytic = FiniteDifferences.dot(gradient, direction);
            double scale = 0;
            for (int i = 0; i < x.length; i++) {
                scale += Math.abs(gradient[i] * direction[i]);
            }
            assertTrue(Math.abs(numeric - analytic) <= 1e-7 * Math.max(1, scale),
                    what + " along direction " + trial + ": finite difference " + numeric + ", gradient " + analytic);
        }
    }

    private static double[] rotate(Irreps irreps, double alpha, double beta, double gamma, int k, double[] x,
                                   int batch) {
        return KernelPropertiesTest.rotate(irreps, irreps.wignerD(alpha, beta, gamma, k), x, batch);
    }
}
