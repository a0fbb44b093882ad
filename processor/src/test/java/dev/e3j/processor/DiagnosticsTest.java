package dev.e3j.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import dev.e3j.processor.testing.SpecSources;
import java.util.List;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** Every invalid spec is an error with a stable tag on the offending annotation value, never a crash. */
class DiagnosticsTest {

    private static final SpecSources SOURCES = new SpecSources("dev.e3j.annotations.Layout", "dev.e3j.annotations.Path",
            "dev.e3j.annotations.TensorProduct", "dev.e3j.annotations.TensorProduct.Kind",
            "dev.e3j.runtime.TensorProductKernel");

    private static Compilation assertError(String body, int bodyLine, String tag) {
        return SOURCES.assertError(body, bodyLine, tag);
    }

    @Test
    void malformedIrrepsQuotesThePosition() {
        assertError("""
                @TensorProduct(
                    in1 = "2x0e + 3x1q",
                    in2 = "1o", out = "1o")
                interface Spec extends TensorProductKernel {}
                """, 2, "e3j.irreps");
        JavaFileObject file = SOURCES.source("""
                @TensorProduct(in1 = "2x0e + 3x1q", in2 = "1o", out = "1o")
                interface Spec extends TensorProductKernel {}
                """);
        assertThat(SpecSources.compile(file)).hadErrorContaining("position 10");
    }

    @Test
    void selectionRuleViolation() {
        assertError("""
                @TensorProduct(in1 = "1o", in2 = "1o", out = "1o + 3e", kind = Kind.CUSTOM, paths = {
                    @Path(in1 = 0, in2 = 0, out = 0, mode = "uvw"),
                    @Path(in1 = 0, in2 = 0,
                          out = 1, mode = "uvw")})
                interface Spec extends TensorProductKernel {}
                """, 2, "e3j.selection-rule");
    }

    @Test
    void triangleViolationOnSecondPath() {
        assertError("""
                @TensorProduct(in1 = "1o", in2 = "1o", out = "2e + 3e", kind = Kind.CUSTOM, paths = {
                    @Path(in1 = 0, in2 = 0, out = 0),
                    @Path(in1 = 0, in2 = 0,
                          out = 1)})
                interface Spec extends TensorProductKernel {}
                """, 4, "e3j.selection-rule");
    }

    @Test
    void pathIndexOutOfRange() {
        assertError("""
                @TensorProduct(in1 = "1o", in2 = "1o", out = "0e", kind = Kind.CUSTOM, paths = {
                    @Path(in1 = 0,
                          in2 = 3, out = 0)})
                interface Spec extends TensorProductKernel {}
                """, 3, "e3j.path-index");
    }

    @Test
    void multiplicityTheModeDoesNotAllow() {
        assertError("""
                @TensorProduct(in1 = "2x1o", in2 = "1o", out = "3x0e", kind = Kind.CUSTOM, paths = {
                    @Path(in1 = 0, in2 = 0, out = 0,
                          mode = "uvu")})
                interface Spec extends TensorProductKernel {}
                """, 3, "e3j.multiplicity");
    }

    @Test
    void unknownMode() {
        assertError("""
                @TensorProduct(in1 = "1o", in2 = "1o", out = "0e", kind = Kind.CUSTOM, paths = {
                    @Path(in1 = 0, in2 = 0, out = 0,
                          mode = "uvx")})
                interface Spec extends TensorProductKernel {}
                """, 3, "e3j.mode");
    }

    @Test
    void unweightedUvw() {
        assertError("""
                @TensorProduct(in1 = "1o", in2 = "1o", out = "0e", kind = Kind.CUSTOM, paths = {
                    @Path(in1 = 0, in2 = 0, out = 0, mode = "uvw",
                          weighted = false)})
                interface Spec extends TensorProductKernel {}
                """, 3, "e3j.mode");
    }

    @Test
    void badPathWeight() {
        assertError("""
                @TensorProduct(in1 = "1o", in2 = "1o", out = "0e", kind = Kind.CUSTOM, paths = {
                    @Path(in1 = 0, in2 = 0, out = 0,
                          pathWeight = "one half")})
                interface Spec extends TensorProductKernel {}
                """, 3, "e3j.path-weight");
    }

    /** A weight whose constants would not be finite, normal floats: {@code 1e700} was written as {@code Infinity}. */
    @Test
    void pathWeightOutOfRange() {
        for (String weight : List.of("1e700", "1e-700", "2e18")) {
            assertError("""
                    @TensorProduct(in1 = "1o", in2 = "1o", out = "0e", kind = Kind.CUSTOM, paths = {
                        @Path(in1 = 0, in2 = 0, out = 0,
                              pathWeight = "%s")})
                    interface Spec extends TensorProductKernel {}
                    """.formatted(weight), 3, "e3j.path-weight");
        }
    }

    /** Sizes beyond an int were silently wrapped ({@code WEIGHT_NUMEL = 1410065408} for 10^10 weights). */
    @Test
    void sizesBeyondAnArray() {
        assertError("""
                @TensorProduct(in1 = "100000x0e", in2 = "100000x0e", out = "1x0e")
                interface Spec extends TensorProductKernel {}
                """, 1, "e3j.size");
        assertError("""
                @TensorProduct(in1 = "50000x0e", in2 = "50000x0e", kind = Kind.FULL)
                interface Spec extends TensorProductKernel {}
                """, 1, "e3j.size");
        assertError("""
                @TensorProduct(in1 = "2x0e", in2 = "1o",
                    out = "1000000000x1o")
                interface Spec extends TensorProductKernel {}
                """, 2, "e3j.irreps");
    }

    /**
     * Degrees beyond {@code 100} in any irreps attribute are {@code [e3j.size]} on that value: they ran for minutes,
     * ran out of memory, overflowed {@code 2l + 1} inside the processor or were reported on the whole annotation.
     */
    @Test
    void degreesBeyondTheSupportedOne() {
        for (String entry : List.of("1x101e", "1x1000e", "1x100000e", "1x1073741823e", "1x2147483646e",
                "2x1073741824e", "1x2147483647e", "0x5000o")) {
            Compilation compilation = assertError("""
                    @TensorProduct(in1 = "2x0e + 1o", in2 = "1o",
                        out = "0e + %s", kind = Kind.FULL)
                    interface Spec extends TensorProductKernel {}
                    """.formatted(entry), 2, "e3j.size");
            assertThat(compilation).hadErrorCount(1);
            assertThat(compilation).hadErrorContaining("out[1] = " + entry + " exceeds degree 100");
        }
        JavaFileObject file = SOURCES.source("""
                @TensorProduct(in1 = "1x1000e",
                    in2 = "3x2o + 1x100000e", kind = Kind.FULL)
                interface Spec extends TensorProductKernel {}
                """);
        Compilation both = SpecSources.compile(file);
        assertThat(both).hadErrorCount(2);
        assertThat(both).hadErrorContaining("in1[0] = 1x1000e").inFile(file).onLine(SOURCES.line(1));
        assertThat(both).hadErrorContaining("in2[1] = 1x100000e").inFile(file).onLine(SOURCES.line(2));
    }

    /** Degrees within the limit whose paths couple too many components are refused before any 3j symbol is computed. */
    @Test
    void productsBeyondTheSupportedSize() {
        Compilation full = assertError("""
                @TensorProduct(in1 = "1x100e", in2 = "1x100e", kind = Kind.FULL)
                interface Spec extends TensorProductKernel {}
                """, 1, "e3j.size");
        assertThat(full).hadErrorContaining("the largest: 100e x 100e -> 0e");
        assertError("""
                @TensorProduct(in1 = "1x21e", in2 = "1x21o", kind = Kind.FULL)
                interface Spec extends TensorProductKernel {}
                """, 1, "e3j.size");
        Compilation twice = assertError("""
                @TensorProduct(in1 = "1x20e + 1x20o", in2 = "1x20e", kind = Kind.FULL)
                interface Spec extends TensorProductKernel {}
                """, 1, "e3j.size");
        assertThat(twice).hadErrorContaining("couple 137842 component pairs");
    }

    /** Output entries no path reaches compile, with a warning on {@code out} naming each of them. */
    @Test
    void unreachableOutputsAreWarnedAbout() {
        JavaFileObject file = SOURCES.source("""
                @TensorProduct(in1 = "8x0e + 8x1o + 8x1e", in2 = "0e + 1o",
                    out = "8x0e + 8x1o + 8x1e + 8x3o")
                interface Spec extends TensorProductKernel {}
                """);
        Compilation compilation = SpecSources.compile(file);
        assertThat(compilation).succeeded();
        assertThat(compilation).hadWarningCount(1);
        assertThat(compilation).hadWarningContaining("[e3j.unreachable] no path reaches out[3] = 8x3o")
                .inFile(file).onLine(SOURCES.line(2));
        assertThat(compilation).generatedSourceFile("bad.SpecImpl");

        JavaFileObject several = SOURCES.source("""
                @TensorProduct(in1 = "4x1o", in2 = "4x1o", kind = Kind.CUSTOM,
                    out = "4x0e + 4x2e + 0x1e + 4x1e + 4x4e", paths = {
                        @Path(in1 = 0, in2 = 0, out = 0, mode = "uuu", weighted = false),
                        @Path(in1 = 0, in2 = 0, out = 1, mode = "uuu", weighted = false, pathWeight = "0")})
                interface Spec extends TensorProductKernel {}
                """);
        Compilation custom = SpecSources.compile(several);
        assertThat(custom).succeeded();
        assertThat(custom).hadWarningCount(1);
        assertThat(custom).hadWarningContaining("no path reaches out[1] = 4x2e, out[3] = 4x1e, out[4] = 4x4e")
                .inFile(several).onLine(SOURCES.line(2));
    }

    /** Under {@code -Werror} the warning fails the build, as every javac warning does: such a user asked for that. */
    @Test
    void unreachableOutputsFailUnderWerror() {
        JavaFileObject file = SOURCES.source("""
                @TensorProduct(in1 = "2x0e", in2 = "2x0e", out = "2x0e + 2x1o", kind = Kind.CHANNELWISE)
                interface Spec extends TensorProductKernel {}
                """);
        Compilation compilation = Compiler.javac().withProcessors(new E3jProcessor())
                .withOptions("-Xlint:all", "-Werror").compile(file);
        assertThat(compilation).failed();
        assertThat(compilation).hadWarningContaining("[e3j.unreachable] no path reaches out[1] = 2x1o");
    }

    /** A spec that means its zeros says so, on itself or on an enclosing type, and then compiles under -Werror. */
    @Test
    void unreachableOutputsCanBeSuppressed() {
        JavaFileObject file = SOURCES.source("""
                @SuppressWarnings("e3j.unreachable")
                interface Spec {
                    @TensorProduct(in1 = "2x0e", in2 = "2x0e", out = "2x0e + 2x1o", kind = Kind.CHANNELWISE)
                    interface Padded extends TensorProductKernel {}

                    @SuppressWarnings({"unchecked", "e3j.unreachable"})
                    @TensorProduct(in1 = "2x0e", in2 = "2x0e", out = "2x1o + 2x0e")
                    interface Own extends TensorProductKernel {}
                }
                """);
        Compilation compilation = Compiler.javac().withProcessors(new E3jProcessor())
                .withOptions("-Xlint:all", "-Werror").compile(file);
        assertThat(compilation).succeededWithoutWarnings();
        assertThat(compilation).generatedSourceFile("bad.Spec_PaddedImpl");
    }

    @Test
    void in2GivenForSquare() {
        assertError("""
                @TensorProduct(in1 = "2x1o", kind = Kind.SQUARE,
                    in2 = "1o")
                interface Spec extends TensorProductKernel {}
                """, 2, "e3j.square");
    }

    @Test
    void pathsGivenForNonCustomKind() {
        assertError("""
                @TensorProduct(in1 = "1o", in2 = "1o", out = "0e",
                    paths = {@Path(in1 = 0, in2 = 0, out = 0)})
                interface Spec extends TensorProductKernel {}
                """, 2, "e3j.paths");
    }

    @Test
    void outMissingForFullyConnected() {
        assertError("""
                @TensorProduct(in1 = "1o", in2 = "1o")
                interface Spec extends TensorProductKernel {}
                """, 1, "e3j.out");
    }

    /** The CUDA kernel reads mul_ir only: IR_MUL with cuda = true is an error on the layout, not wrong code. */
    @Test
    void irMulLayoutWithCuda() {
        Compilation compilation = assertError("""
                @TensorProduct(in1 = "2x1o", in2 = "1o", out = "2x0e", cuda = true,
                    layout = Layout.IR_MUL)
                interface Spec extends TensorProductKernel {}
                """, 2, "e3j.layout");
        assertThat(compilation).hadErrorContaining("layout = IR_MUL is not written for cuda = true");
    }

    /** A channel-wise product whose outputs do not keep in1's multiplicity says so. */
    @Test
    void channelwiseMultiplicityMismatchIsExplained() {
        Compilation compilation = SOURCES.assertError("""
                @TensorProduct(in1 = "32x0e", in2 = "1o", out = "16x1o", kind = Kind.CHANNELWISE)
                interface Spec extends TensorProductKernel {}
                """, 1, "e3j.no-paths");
        assertThat(compilation).hadErrorContaining("CHANNELWISE outputs keep in1's multiplicity (mul_out = mul1),"
                + " but in1[0] = 32x0e couples to out[0] = 16x1o");
    }

    @Test
    void noPathsAtAll() {
        assertError("""
                @TensorProduct(in1 = "1o", in2 = "1o", out = "1o + 3o")
                interface Spec extends TensorProductKernel {}
                """, 1, "e3j.no-paths");
    }

    @Test
    void elementwiseMismatch() {
        assertError("""
                @TensorProduct(in1 = "2x1o", kind = Kind.ELEMENTWISE,
                    in2 = "3x1o")
                interface Spec extends TensorProductKernel {}
                """, 2, "e3j.elementwise");
    }

    @Test
    void notAKernel() {
        assertError("""
                @TensorProduct(in1 = "1o", in2 = "1o", out = "0e")
                interface Spec {}
                """, 1, "e3j.target");
    }

    @Test
    void onAClass() {
        assertError("""
                @TensorProduct(in1 = "1o", in2 = "1o", out = "0e")
                abstract class Spec implements TensorProductKernel {}
                """, 1, "e3j.target");
    }

    @Test
    void collectsEveryErrorOfAnElement() {
        JavaFileObject file = SOURCES.source("""
                @TensorProduct(in1 = "1o", in2 = "1o", out = "0e + 2x0e", kind = Kind.CUSTOM, paths = {
                    @Path(in1 = 0, in2 = 0, out = 0, mode = "uvx"),
                    @Path(in1 = 0, in2 = 0, out = 1, mode = "uuu"),
                    @Path(in1 = 0, in2 = 5, out = 0, pathWeight = "-1/2")})
                interface Spec extends TensorProductKernel {}
                """);
        Compilation compilation = SpecSources.compile(file);
        assertThat(compilation).hadErrorCount(4);
        assertThat(compilation).hadErrorContaining("[e3j.mode]").inFile(file).onLine(SOURCES.line(2));
        assertThat(compilation).hadErrorContaining("[e3j.multiplicity]").inFile(file).onLine(SOURCES.line(3));
        assertThat(compilation).hadErrorContaining("[e3j.path-index]").inFile(file).onLine(SOURCES.line(4));
        assertThat(compilation).hadErrorContaining("[e3j.path-weight]").inFile(file).onLine(SOURCES.line(4));
    }
}
