package dev.e3j.processor.writer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.annotations.Precision;
import dev.e3j.annotations.ShNormalization;
import dev.e3j.processor.math.SqrtRational;
import dev.e3j.processor.model.SphericalHarmonicsModel;
import dev.e3j.processor.model.TextbookSphericalHarmonics;
import dev.e3j.processor.testing.ClassFiles;
import dev.e3j.processor.testing.FiniteDifferences;
import dev.e3j.processor.testing.GeneratedKernels;
import dev.e3j.processor.testing.TestArrays;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.SphericalHarmonicsKernel;
import dev.e3j.runtime.o3.Rotations;
import dev.e3j.testsupport.ReferenceData;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.commons.numbers.fraction.BigFraction;
import org.junit.jupiter.api.Test;

class SphericalHarmonicsWriterTest {

    private static final List<Integer> UP_TO_11 = IntStream.rangeClosed(0, 11).boxed().toList();

    private record Spec(List<Integer> ls, ShNormalization normalization, boolean normalize, Precision precision) {
    }

    /**
     * Compiles all specs in one javac run through {@link dev.e3j.processor.E3jProcessor}, as a user's build would:
     * spec {@code i} is {@code test.sh.Specs.ShNNN} with {@code NNN = i}.
     */
    private static GeneratedKernels compile(List<Spec> specs) {
        StringBuilder source = new StringBuilder("""
                package test.sh;

                import dev.e3j.annotations.Precision;
                import dev.e3j.annotations.ShNormalization;
                import dev.e3j.annotations.SphericalHarmonics;
                import dev.e3j.runtime.SphericalHarmonicsKernel;

                interface Specs {
                """);
        for (int i = 0; i < specs.size(); i++) {
            Spec s = specs.get(i);
            source.append(String.format(Locale.ROOT, """
                        @SphericalHarmonics(ls = {%s}, normalization = ShNormalization.%s, normalize = %b,
                                            precision = Precision.%s)
                        interface Sh%03d extends SphericalHarmonicsKernel {}
                    """, s.ls().stream().map(String::valueOf).collect(Collectors.joining(", ")), s.normalization(),
                    s.normalize(), s.precision(), i));
        }
        return GeneratedKernels.compile("test.sh.Specs", source.append("}\n").toString());
    }

    private static List<SphericalHarmonicsKernel> kernels(List<Spec> specs) {
        GeneratedKernels compiled = compile(specs);
        return IntStream.range(0, specs.size())
                .mapToObj(i -> compiled.kernel(implementation(i), SphericalHarmonicsKernel.class))
                .toList();
    }

    private static String implementation(int i) {
        return String.format(Locale.ROOT, "test.sh.Specs_Sh%03dImpl", i);
    }

    private static SphericalHarmonicsKernel kernel(Spec spec) {
        return kernels(List.of(spec)).get(0);
    }

    /**
     * {@code irreps}, as e3nn's {@code SphericalHarmonics(irreps_out)}: the same numbers as the degrees it lists, its
     * irreps as written, and harmonics of a pseudovector ({@code 1e}) when an odd degree is even.
     */
    @Test
    void irrepsGiveTheSameHarmonicsAsTheirDegrees() {
        dev.e3j.processor.testing.GeneratedKernels compiled = dev.e3j.processor.testing.GeneratedKernels.compile(
                "test.sh.Specs", """
                package test.sh;

                import dev.e3j.annotations.SphericalHarmonics;
                import dev.e3j.runtime.SphericalHarmonicsKernel;

                interface Specs {
                    @SphericalHarmonics(irreps = "2x1o+0e+2e") interface Vector extends SphericalHarmonicsKernel {}
                    @SphericalHarmonics(irreps = "0e+1e+2e") interface Pseudovector extends SphericalHarmonicsKernel {}
                    @SphericalHarmonics(ls = {1, 1, 0, 2}) interface Vectors extends SphericalHarmonicsKernel {}
                    @SphericalHarmonics(lmax = 2) interface UpTo2 extends SphericalHarmonicsKernel {}
                }
                """);
        SphericalHarmonicsKernel vector = compiled.kernel("test.sh.Specs_VectorImpl", SphericalHarmonicsKernel.class);
        SphericalHarmonicsKernel pseudovector = compiled.kernel("test.sh.Specs_PseudovectorImpl",
                SphericalHarmonicsKernel.class);
        assertEquals(Irreps.parse("2x1o+0e+2e"), vector.irrepsOut());
        assertEquals(Irreps.parse("0e+1e+2e"), pseudovector.irrepsOut());
        double[] xyz = {0.3, -1.2, 0.7, 2.0, 0.1, -0.4};
        assertArrayEquals(values(compiled.kernel("test.sh.Specs_VectorsImpl", SphericalHarmonicsKernel.class), xyz),
                values(vector, xyz));
        assertArrayEquals(values(compiled.kernel("test.sh.Specs_UpTo2Impl", SphericalHarmonicsKernel.class), xyz),
                values(pseudovector, xyz));
    }

    private static double[] values(SphericalHarmonicsKernel kernel, double[] xyz) {
        double[] out = new double[xyz.length / 3 * kernel.irrepsOut().dim()];
        kernel.forward(xyz.length / 3, xyz, out);
        return out;
    }

    @Test
    void matchesE3nnValuesAndGradients() throws IOException {
        List<Map<String, Object>> cases = ReferenceData.cases("spherical_harmonics.json");
        List<Spec> specs = new ArrayList<>();
        for (Map<String, Object> c : cases) {
            specs.add(new Spec(ReferenceData.asInts(c.get("ls")),
                    ShNormalization.valueOf(((String) c.get("normalization")).toUpperCase(Locale.ROOT)),
                    (Boolean) c.get("normalize"), Precision.DOUBLE));
        }
        List<SphericalHarmonicsKernel> kernels = kernels(specs);
        assertEquals(36, cases.size());
        for (int i = 0; i < cases.size(); i++) {
            Map<String, Object> c = cases.get(i);
            SphericalHarmonicsKernel kernel = kernels.get(i);
            assertEquals(c.get("irreps"), kernel.irrepsOut().toString());
            double[] xyz = ReferenceData.asDoubles(c.get("vectors"));
            int n = xyz.length / 3;
            double[] out = new double[n * kernel.irrepsOut().dim()];
            kernel.forward(n, xyz, out);
            LinearWriterTest.assertClose(ReferenceData.asDoubles(c.get("values")), out, 1e-12);
            double[] gradXyz = new double[xyz.length];
            kernel.backward(n, xyz, ReferenceData.asDoubles(c.get("grad_values")), gradXyz);
            LinearWriterTest.assertClose(ReferenceData.asDoubles(c.get("grad_vectors")), gradXyz, 1e-12);
        }
    }

    /** The math module's polynomials (built from Wigner 3j) and the textbook closed form give the same plan. */
    @Test
    void polynomialsAgreeWithTextbookClosedForm() {
        assertEquals(coefficients(SphericalHarmonicsModel.of(UP_TO_11, ShNormalization.COMPONENT, true,
                        TextbookSphericalHarmonics.upTo(11))),
                coefficients(SphericalHarmonicsModel.of(UP_TO_11, ShNormalization.COMPONENT, true)));
    }

    /** Per component, each monomial's exact coefficient {@code N * n}. */
    private static List<Map<List<Integer>, SqrtRational>> coefficients(SphericalHarmonicsModel model) {
        List<Map<List<Integer>, SqrtRational>> out = new ArrayList<>();
        for (SphericalHarmonicsModel.Degree degree : model.degrees()) {
            for (SphericalHarmonicsModel.Component component : degree.components()) {
                Map<List<Integer>, SqrtRational> terms = new java.util.HashMap<>();
                for (SphericalHarmonicsModel.Term t : component.terms()) {
                    terms.put(List.of(t.xPower(), t.yPower(), t.zPower()), component.scale().multiply(
                            SqrtRational.of(BigFraction.of(t.coefficient()))));
                }
                out.add(terms);
            }
        }
        assertEquals(144, out.size());
        return out;
    }

    /** {@code Y(R x) = D(R) Y(x)} for rotations and the inversion, l <= 11, every normalization. */
    @Test
    void isEquivariantUpToDegree11() {
        List<Spec> specs = new ArrayList<>();
        for (ShNormalization normalization : ShNormalization.values()) {
            specs.add(new Spec(UP_TO_11, normalization, true, Precision.DOUBLE));
            specs.add(new Spec(UP_TO_11, normalization, false, Precision.DOUBLE));
        }
        List<SphericalHarmonicsKernel> kernels = kernels(specs);
        Random random = new Random(5);
        Irreps irreps = kernels.get(0).irrepsOut();
        for (SphericalHarmonicsKernel kernel : kernels) {
            for (int k = 0; k <= 1; k++) {
                double[] angles = Rotations.randomAngles(random);
                double[][] rotation = Rotations.anglesToMatrix(angles[0], angles[1], angles[2]);
                double[] point = {random.nextGaussian(), random.nextGaussian(), random.nextGaussian()};
                double[] moved = Rotations.apply(rotation, point);
                if (k == 1) {
                    moved = new double[] {-moved[0], -moved[1], -moved[2]};
                }
                double[] y = new double[irreps.dim()];
                double[] yMoved = new double[irreps.dim()];
                kernel.forward(1, point, y);
                kernel.forward(1, moved, yMoved);
                LinearWriterTest.assertClose(Rotations.apply(irreps.wignerD(angles[0], angles[1], angles[2], k), y),
                        yMoved, 1e-10);
            }
        }
    }

    /**
     * At {@link SphericalHarmonicsModel#MAX_DEGREE} the integer coefficients reach 38 bits and cancel on the sphere;
     * the kernel must still be equivariant to well under single precision.
     */
    @Test
    void highestSupportedDegreeStaysAccurate() {
        int l = SphericalHarmonicsModel.MAX_DEGREE;
        SphericalHarmonicsKernel kernel = kernel(new Spec(List.of(l), ShNormalization.COMPONENT, true,
                Precision.DOUBLE));
        Random random = new Random(20);
        double worst = 0;
        for (int trial = 0; trial < 5; trial++) {
            double[] angles = Rotations.randomAngles(random);
            double[] point = {random.nextGaussian(), random.nextGaussian(), random.nextGaussian()};
            double[] moved = Rotations.apply(Rotations.anglesToMatrix(angles[0], angles[1], angles[2]), point);
            double[] y = new double[2 * l + 1];
            double[] yMoved = new double[2 * l + 1];
            kernel.forward(1, point, y);
            kernel.forward(1, moved, yMoved);
            double[] expected = Rotations.apply(kernel.irrepsOut().wignerD(angles[0], angles[1], angles[2], 0), y);
            for (int i = 0; i < y.length; i++) {
                worst = Math.max(worst, Math.abs(expected[i] - yMoved[i]));
            }
        }
        System.out.println("SphericalHarmonicsWriterTest: l = " + l + " equivariance error " + worst);
        assertTrue(worst < 1e-8, "l = " + l + ": equivariance error " + worst);
    }

    /**
     * The values and gradients go through blocks of 4096 points and, within a block, chunks of 256 held points-last
     * (512 in float from lmax 4, and in both precisions where the backward goes through the degree below): a batch of two blocks whose chunks end in a partial one, with a zero and a tiny
     * vector (the normalization's floor), gives every point the same bits as evaluating it alone, for the monomial
     * (lmax 3) and the factored and points-last (lmax 6) code, in double and float.
     */
    @Test
    void everyPointOfAChunkedBatchEqualsThatPointAlone() {
        List<SphericalHarmonicsKernel> kernels = kernels(List.of(
                new Spec(List.of(0, 1, 2, 3), ShNormalization.COMPONENT, true, Precision.FLOAT),
                new Spec(List.of(3, 0, 6, 3), ShNormalization.NORM, true, Precision.FLOAT)));
        int n = 4096 + 600;
        Random random = new Random(11);
        double[] xyz = new double[3 * n];
        float[] xyzFloat = new float[3 * n];
        for (int i = 0; i < xyz.length; i++) {
            xyz[i] = i / 3 == 5 ? 0 : i / 3 == 4200 ? 1e-14 * random.nextGaussian() : random.nextGaussian();
            xyzFloat[i] = (float) xyz[i];
        }
        for (SphericalHarmonicsKernel kernel : kernels) {
            int dim = kernel.irrepsOut().dim();
            double[] out = new double[n * dim];
            float[] outFloat = new float[n * dim];
            kernel.forward(n, xyz, out);
            kernel.forward(n, xyzFloat, outFloat);
            double[] gradOut = FiniteDifferences.gaussian(random, n * dim);
            float[] gradOutFloat = TestArrays.toFloat(gradOut);
            double[] grad = new double[3 * n];
            float[] gradFloat = new float[3 * n];
            kernel.backward(n, xyz, gradOut, grad);
            kernel.backward(n, xyzFloat, gradOutFloat, gradFloat);
            for (int p = 0; p < n; p += p < 300 || p > 4000 ? 1 : 37) {
                double[] one = new double[dim];
                float[] oneFloat = new float[dim];
                kernel.forward(1, Arrays.copyOfRange(xyz, 3 * p, 3 * p + 3), one);
                kernel.forward(1, Arrays.copyOfRange(xyzFloat, 3 * p, 3 * p + 3), oneFloat);
                assertArrayEquals(one, Arrays.copyOfRange(out, p * dim, (p + 1) * dim), "point " + p);
                assertArrayEquals(oneFloat, Arrays.copyOfRange(outFloat, p * dim, (p + 1) * dim),
                        "float point " + p);
                double[] gradOne = new double[3];
                float[] gradOneFloat = new float[3];
                kernel.backward(1, Arrays.copyOfRange(xyz, 3 * p, 3 * p + 3),
                        Arrays.copyOfRange(gradOut, p * dim, (p + 1) * dim), gradOne);
                kernel.backward(1, Arrays.copyOfRange(xyzFloat, 3 * p, 3 * p + 3),
                        Arrays.copyOfRange(gradOutFloat, p * dim, (p + 1) * dim), gradOneFloat);
                assertArrayEquals(gradOne, Arrays.copyOfRange(grad, 3 * p, 3 * p + 3), "gradient of point " + p);
                assertArrayEquals(gradOneFloat, Arrays.copyOfRange(gradFloat, 3 * p, 3 * p + 3),
                        "float gradient of point " + p);
            }
        }
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        List<SphericalHarmonicsKernel> kernels = kernels(List.of(
                new Spec(UP_TO_11, ShNormalization.NORM, true, Precision.DOUBLE),
                new Spec(List.of(3, 0, 7, 3), ShNormalization.COMPONENT, false, Precision.DOUBLE),
                // points-last gradient through the degree below: lmax 5, and lmax 4 with a repeated degree
                new Spec(List.of(0, 1, 2, 3, 4, 5), ShNormalization.INTEGRAL, true, Precision.DOUBLE),
                new Spec(List.of(2, 1, 4, 3, 4, 0), ShNormalization.COMPONENT, true, Precision.DOUBLE)));
        Random random = new Random(9);
        for (SphericalHarmonicsKernel kernel : kernels) {
            int n = 4;
            double[] xyz = FiniteDifferences.gaussian(random, 3 * n);
            double[] gradOut = FiniteDifferences.gaussian(random, n * kernel.irrepsOut().dim());
            double[] gradXyz = new double[3 * n];
            kernel.backward(n, xyz, gradOut, gradXyz);
            double h = 1e-6;
            FiniteDifferences.assertGradient("gradXyz", xyz, gradXyz, h, 1e-6,
                    () -> objective(kernel, n, xyz, gradOut));
        }
    }

    private static double objective(SphericalHarmonicsKernel kernel, int n, double[] xyz, double[] gradOut) {
        double[] out = new double[gradOut.length];
        kernel.forward(n, xyz, out);
        return FiniteDifferences.dot(out, gradOut);
    }

    /** Any order, repeats: each block equals the matching block of the plain 0..lmax kernel. */
    @Test
    void explicitDegreesInAnyOrderWithRepeats() {
        List<SphericalHarmonicsKernel> kernels = kernels(List.of(
                new Spec(List.of(2, 0, 2, 1), ShNormalization.INTEGRAL, true, Precision.DOUBLE),
                new Spec(List.of(0, 1, 2), ShNormalization.INTEGRAL, true, Precision.DOUBLE)));
        SphericalHarmonicsKernel picked = kernels.get(0);
        SphericalHarmonicsKernel range = kernels.get(1);
        assertEquals("1x2e+1x0e+1x2e+1x1o", picked.irrepsOut().toString());
        double[] xyz = {0.3, -1.2, 0.7};
        double[] all = new double[9];
        range.forward(1, xyz, all);
        double[] out = new double[14];
        picked.forward(1, xyz, out);
        double[] expected = new double[14];
        System.arraycopy(all, 4, expected, 0, 5);
        expected[5] = all[0];
        System.arraycopy(all, 4, expected, 6, 5);
        System.arraycopy(all, 1, expected, 11, 3);
        assertArrayEquals(expected, out);
        double[] gradOut = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
        double[] summed = new double[9];
        summed[0] = 6;
        for (int i = 0; i < 3; i++) {
            summed[1 + i] = 12 + i;
        }
        for (int i = 0; i < 5; i++) {
            summed[4 + i] = gradOut[i] + gradOut[6 + i];
        }
        double[] grad = new double[3];
        double[] gradRange = new double[3];
        picked.backward(1, xyz, gradOut, grad);
        range.backward(1, xyz, summed, gradRange);
        LinearWriterTest.assertClose(gradRange, grad, 1e-14);
    }

    /** A zero vector normalizes to zero (torch's eps floor): Y^0 and zeros, finite gradient. */
    @Test
    void zeroVectorGivesTheConstantHarmonic() {
        SphericalHarmonicsKernel kernel = kernel(new Spec(List.of(0, 1, 2, 3), ShNormalization.COMPONENT, true,
                Precision.DOUBLE));
        double[] out = new double[16];
        kernel.forward(1, new double[3], out);
        double[] expected = new double[16];
        expected[0] = 1;
        assertArrayEquals(expected, out, 0.0);
        double[] grad = new double[3];
        double[] gradOut = new double[16];
        gradOut[1] = 1;
        kernel.backward(1, new double[3], gradOut, grad);
        assertArrayEquals(new double[] {Math.sqrt(3) * 1e12, 0, 0}, grad, 1e-3, "d(sqrt(3) x / 1e-12)/dx");
    }

    /** HotSpot compiles no method over 8000 bytes of bytecode; the largest kernel stays under it. */
    @Test
    void everyMethodStaysUnder8000BytesAtDegree11() {
        GeneratedKernels compiled = compile(List.of(
                new Spec(UP_TO_11, ShNormalization.INTEGRAL, true, Precision.FLOAT)));
        List<SphericalHarmonicsKernel> kernels = List.of(compiled.kernel(implementation(0),
                SphericalHarmonicsKernel.class));
        Map<String, Integer> sizes = ClassFiles.codeLengths(compiled.classFiles().get(implementation(0)));
        assertTrue(sizes.size() > 10, sizes::toString);
        sizes.forEach((method, size) -> assertTrue(size < 8000, method + " has " + size + " bytes"));
        float[] xyz = {0.3f, -1.2f, 0.7f};
        float[] outFloat = new float[144];
        kernels.get(0).forward(1, xyz, outFloat);
        double[] out = new double[144];
        kernels.get(0).forward(1, new double[] {0.3f, -1.2f, 0.7f}, out);
        LinearWriterTest.assertClose(out, TestArrays.toDouble(outFloat), 1e-4);
        float[] gradFloat = new float[3];
        double[] grad = new double[3];
        float[] gradOutFloat = new float[144];
        double[] gradOut = new double[144];
        java.util.Arrays.fill(gradOutFloat, 0.5f);
        java.util.Arrays.fill(gradOut, 0.5);
        kernels.get(0).backward(1, xyz, gradOutFloat, gradFloat);
        kernels.get(0).backward(1, new double[] {0.3f, -1.2f, 0.7f}, gradOut, grad);
        LinearWriterTest.assertClose(grad, TestArrays.toDouble(gradFloat), 1e-4);
    }

    /**
     * The float backward up to lmax 3 (one polynomial per axis, point by point, as the double one) gives the double
     * gradients to float precision, normalized or not, under each normalization, with a degree listed twice (its
     * cotangents summed), and at the zero vector.
     */
    @Test
    void floatGradientUpToDegree3FollowsTheDoubleOne() {
        List<Spec> specs = List.of(
                new Spec(List.of(0, 1, 2, 3), ShNormalization.COMPONENT, true, Precision.FLOAT),
                new Spec(List.of(3, 1, 3), ShNormalization.INTEGRAL, false, Precision.FLOAT),
                new Spec(List.of(2), ShNormalization.NORM, true, Precision.FLOAT));
        List<SphericalHarmonicsKernel> kernels = kernels(specs);
        Random random = new Random(23);
        int n = 300;
        double[] xyz = FiniteDifferences.gaussian(random, 3 * n);
        for (int i = 0; i < xyz.length; i++) {
            xyz[i] = (float) xyz[i];
        }
        for (SphericalHarmonicsKernel kernel : kernels) {
            int dim = kernel.irrepsOut().dim();
            double[] gradOut = FiniteDifferences.gaussian(random, n * dim);
            for (int i = 0; i < gradOut.length; i++) {
                gradOut[i] = (float) gradOut[i];
            }
            double[] grad = new double[3 * n];
            kernel.backward(n, xyz, gradOut, grad);
            float[] gradFloat = new float[3 * n];
            kernel.backward(n, TestArrays.toFloat(xyz), TestArrays.toFloat(gradOut), gradFloat);
            LinearWriterTest.assertClose(grad, TestArrays.toDouble(gradFloat), 1e-4);
            double[] atZero = new double[3];
            kernel.backward(1, new double[3], Arrays.copyOf(gradOut, dim), atZero);
            float[] atZeroFloat = new float[3];
            kernel.backward(1, new float[3], TestArrays.toFloat(Arrays.copyOf(gradOut, dim)), atZeroFloat);
            LinearWriterTest.assertClose(atZero, TestArrays.toDouble(atZeroFloat), 1e-4);
        }
    }

    @Test
    void wrongLengthsNameTheArgument() {
        SphericalHarmonicsKernel kernel = kernel(new Spec(List.of(0, 1), ShNormalization.COMPONENT, true,
                Precision.DOUBLE));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> kernel.forward(2, new double[5], new double[8]));
        String name = kernel.getClass().getSimpleName();
        assertEquals(name + ".forward: xyz must have length 6 (n 2 x 3), got 5", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> kernel.forward(2, new double[6], new double[7]));
        assertEquals(name + ".forward: out must have length 8 (n 2 x 4), got 7", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> kernel.backward(1, new double[3], new double[4], new double[2]));
        assertEquals(name + ".backward: gradXyz must have length 3 (n 1 x 3), got 2", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> kernel.forward(-1, new double[0], new double[0]));
        assertEquals(name + ".forward: n must be >= 0, got -1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> kernel.backward(1, null, new double[4], new double[3]));
        assertEquals(name + ".backward: xyz must have length 3 (n 1 x 3), got null", e.getMessage());
        assertThrows(UnsupportedOperationException.class, () -> kernel.forward(1, new float[3], new float[4]));
    }

    /**
     * Normalized harmonics of huge vectors: {@code |v|^2} overflowed ({@code (1e200, 0, 0)} gave {@code [1, 0, 0, 0]},
     * in float already {@code 3e19}), so the values are compared with those of the same directions at unit scale, and
     * the gradients, which scale as {@code 1/s}, likewise; tiny vectors give the harmonics of the zero vector, as
     * torch's {@code normalize} does below its floor. Both the points-last gradient (lmax 3) and the scalar one (lmax
     * 8), in double and float; nine points, so that groups of four end in a remainder, and a NaN point beside a huge
     * one.
     */
    @Test
    void hugeAndTinyVectorsNormalize() {
        List<Integer> upTo3 = List.of(0, 1, 2, 3);
        List<Integer> upTo8 = List.of(0, 1, 2, 3, 4, 5, 6, 7, 8);
        List<SphericalHarmonicsKernel> kernels = kernels(List.of(
                new Spec(upTo3, ShNormalization.COMPONENT, true, Precision.FLOAT),
                new Spec(upTo8, ShNormalization.NORM, true, Precision.FLOAT)));
        Random random = new Random(17);
        int n = 9;
        double[] xyz = FiniteDifferences.gaussian(random, 3 * n);
        for (SphericalHarmonicsKernel kernel : kernels) {
            int dim = kernel.irrepsOut().dim();
            double[] gradOut = FiniteDifferences.gaussian(random, n * dim);
            double[] expected = new double[n * dim];
            double[] expectedGrad = new double[3 * n];
            kernel.forward(n, xyz, expected);
            kernel.backward(n, xyz, gradOut, expectedGrad);
            for (double scale : new double[] {1e154, 1e200, 1e300, 0x1p1000}) {
                double[] huge = Arrays.stream(xyz).map(c -> c * scale).toArray();
                double[] out = new double[n * dim];
                double[] grad = new double[3 * n];
                kernel.forward(n, huge, out);
                kernel.backward(n, huge, gradOut, grad);
                LinearWriterTest.assertClose(expected, out, 1e-12);
                LinearWriterTest.assertClose(expectedGrad, Arrays.stream(grad).map(g -> g * scale).toArray(), 1e-12);
            }
            float[] xyzFloat = TestArrays.toFloat(xyz);
            float[] expectedFloat = new float[n * dim];
            float[] expectedGradFloat = new float[3 * n];
            kernel.forward(n, xyzFloat, expectedFloat);
            kernel.backward(n, xyzFloat, TestArrays.toFloat(gradOut), expectedGradFloat);
            for (float scale : new float[] {3e19f, 1e30f, 0x1p100f}) {
                float[] huge = new float[3 * n];
                for (int i = 0; i < huge.length; i++) {
                    huge[i] = xyzFloat[i] * scale;
                }
                float[] out = new float[n * dim];
                float[] grad = new float[3 * n];
                kernel.forward(n, huge, out);
                kernel.backward(n, huge, TestArrays.toFloat(gradOut), grad);
                // the unit vectors may differ in their last bit, a few float roundings after degree 8
                LinearWriterTest.assertClose(TestArrays.toDouble(expectedFloat), TestArrays.toDouble(out),
                        1e-4);
                double[] scaledGrad = Arrays.stream(TestArrays.toDouble(grad)).map(g -> g * scale).toArray();
                LinearWriterTest.assertClose(TestArrays.toDouble(expectedGradFloat), scaledGrad, 1e-4);
            }
            double[] zero = new double[dim];
            kernel.forward(1, new double[3], zero);
            double[] tiny = new double[dim];
            kernel.forward(1, new double[] {1e-200, -3e-201, 2e-200}, tiny);
            LinearWriterTest.assertClose(zero, tiny, 1e-12);
            double[] nanBesideHuge = {Double.NaN, 0, 0, 1e200, 2e200, -1e200};
            double[] out = new double[2 * dim];
            kernel.forward(2, nanBesideHuge, out);
            double[] single = new double[dim];
            kernel.forward(1, new double[] {1, 2, -1}, single);
            assertTrue(Double.isNaN(out[1]), "the NaN point stays NaN");
            LinearWriterTest.assertClose(single, Arrays.copyOfRange(out, dim, 2 * dim), 1e-12);
        }
    }

    /** The gradient may be neither input: {@code backward(n, xyz, gradOut, xyz)} would read what it overwrote. */
    @Test
    void aliasedArraysAreRejected() {
        SphericalHarmonicsKernel kernel = kernel(new Spec(List.of(1), ShNormalization.COMPONENT, true,
                Precision.FLOAT));
        String name = kernel.getClass().getSimpleName();
        double[] xyz = {0.3, -1.2, 0.7};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> kernel.backward(1, xyz, new double[3], xyz));
        assertEquals(name + ".backward: gradXyz must not be the same array as xyz (each output must be an array of"
                + " its own)", e.getMessage());
        float[] gradOut = new float[3];
        e = assertThrows(IllegalArgumentException.class, () -> kernel.backward(1, new float[3], gradOut, gradOut));
        assertEquals(name + ".backward: gradXyz must not be the same array as gradOut (each output must be an array"
                + " of its own)", e.getMessage());
        float[] both = new float[3];
        e = assertThrows(IllegalArgumentException.class, () -> kernel.forward(1, both, both));
        assertTrue(e.getMessage().startsWith(name + ".forward: out must not be the same array as xyz"));
    }
}
