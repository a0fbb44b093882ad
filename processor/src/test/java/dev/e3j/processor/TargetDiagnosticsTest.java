package dev.e3j.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import dev.e3j.processor.testing.SpecSources;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * An interface that the generated {@code public final class <Spec>Impl implements <Spec>} could not implement is an
 * {@code [e3j.target]} error on the annotation, and nothing is generated: never an error in generated code, nor a
 * warning there.
 */
class TargetDiagnosticsTest {

    private static final SpecSources SOURCES = new SpecSources("dev.e3j.annotations.Linear",
            "dev.e3j.annotations.SphericalHarmonics", "dev.e3j.annotations.TensorProduct",
            "dev.e3j.runtime.LinearKernel", "dev.e3j.runtime.SphericalHarmonicsKernel",
            "dev.e3j.runtime.TensorProductKernel");

    /** Compiles {@code body} and asserts exactly one error, tagged {@code e3j.target} on its line {@code bodyLine}. */
    private static Compilation assertTargetError(String body, int bodyLine, String containing) {
        Compilation compilation = SOURCES.assertError(body, bodyLine, "e3j.target");
        assertThat(compilation).hadErrorCount(1);
        assertThat(compilation).hadErrorContaining(containing);
        assertThat(compilation).hadWarningCount(0);
        return compilation;
    }

    @Test
    void privateNestedInterface() {
        assertTargetError("""
                class Spec {
                    @SphericalHarmonics(lmax = 2)
                    private interface Sh extends SphericalHarmonicsKernel {}
                }
                """, 2, "Sh is private");
    }

    @Test
    void interfaceInsideAPrivateClass() {
        assertTargetError("""
                class Spec {
                    private static final class Hidden {
                        @TensorProduct(in1 = "2x1o", in2 = "1o", out = "2x0e")
                        interface Product extends TensorProductKernel {}
                    }
                }
                """, 3, "Hidden is private (it encloses bad.Spec.Hidden.Product)");
    }

    /** A member type named as a type the generated class uses by its simple name would shadow it there. */
    @Test
    void memberTypeShadowingANameOfTheGeneratedClass() {
        assertTargetError("""
                @Linear(in = "2x0e", out = "1x0e")
                interface Spec extends LinearKernel {
                    enum Math { UP }
                }
                """, 1, "the member type Math of bad.Spec (or of a supertype) would shadow Math");
    }

    @Test
    void genericInterface() {
        assertTargetError("""
                @Linear(in = "2x0e", out = "3x0e")
                interface Spec<T> extends LinearKernel {}
                """, 1, "declares type parameters T;");
    }

    @Test
    void sealedInterface() {
        assertTargetError("""
                @SphericalHarmonics(lmax = 1)
                sealed interface Spec extends SphericalHarmonicsKernel permits Spec.Only {
                    final class Only implements Spec {
                        public dev.e3j.runtime.Irreps irrepsOut() { return null; }
                        public void forward(int n, double[] xyz, double[] out) {}
                        public void backward(int n, double[] xyz, double[] gradOut, double[] gradXyz) {}
                    }
                }
                """, 1, "Spec is sealed");
    }

    @Test
    void abstractMethodOfItsOwn() {
        assertTargetError("""
                @SphericalHarmonics(lmax = 2)
                interface Spec extends SphericalHarmonicsKernel {
                    int cutoff();
                }
                """, 1, "declares the abstract method cutoff()");
    }

    @Test
    void ownMethodsWithBodiesAndRedeclaredKernelMethodsAreFine() {
        JavaFileObject file = SOURCES.source("""
                interface Named {
                    String name();
                }

                @SphericalHarmonics(lmax = 2)
                interface Spec extends SphericalHarmonicsKernel, Named {
                    dev.e3j.runtime.Irreps irrepsOut();

                    @Override
                    String toString();

                    @Override
                    default String name() {
                        return "sh";
                    }

                    default int width() {
                        return irrepsOut().dim();
                    }
                }
                """);
        Compilation compilation = SpecSources.compile(file);
        assertThat(compilation).succeededWithoutWarnings();
        assertThat(compilation).generatedSourceFile("bad.SpecImpl");
    }

    @Test
    void deprecatedSpecsGenerateWarningFreeCode() {
        JavaFileObject file = SOURCES.source("""
                @Deprecated(forRemoval = true)
                class Spec {
                    @TensorProduct(in1 = "2x1o", in2 = "1o", out = "2x0e")
                    interface Product extends TensorProductKernel {}

                    @Deprecated
                    @Linear(in = "2x0e", out = "3x0e")
                    interface Mix extends LinearKernel {}
                }
                """);
        Compilation compilation = Compiler.javac().withProcessors(new E3jProcessor()).withOptions("-Xlint:all")
                .compile(file);
        assertThat(compilation).succeededWithoutWarnings();
        assertThat(compilation).generatedSourceFile("bad.Spec_ProductImpl");
        assertThat(compilation).generatedSourceFile("bad.Spec_MixImpl");
    }

    @Test
    void twoKernelAnnotationsOnOneInterface() {
        JavaFileObject file = SOURCES.source("""
                @SphericalHarmonics(lmax = 1)
                @Linear(in = "1o", out = "1o")
                interface Spec extends SphericalHarmonicsKernel, LinearKernel {}
                """);
        Compilation compilation = SpecSources.compile(file);
        assertThat(compilation).hadErrorCount(2);
        for (int line = 1; line <= 2; line++) {
            assertThat(compilation).hadErrorContaining("[e3j.target] bad.Spec carries @")
                    .inFile(file).onLine(SOURCES.line(line));
        }
        assertThat(compilation).hadWarningCount(0);
    }

    /** A spec declared inside a method is never handed to processors: it was ignored, now it is an error. */
    @Test
    void interfaceDeclaredInAMethod() {
        assertTargetError("""
                class Spec {
                    void run() {
                        @TensorProduct(in1 = "2x1o", in2 = "1o", out = "2x0e")
                        interface Local extends TensorProductKernel {}
                    }
                }
                """, 3, "@TensorProduct on Local, a type declared inside a method");
    }

    /** Local types anywhere: in a constructor, an initializer, a lambda, an anonymous class, nested in a local one. */
    @Test
    void specsOutOfTheProcessorsReach() {
        JavaFileObject file = SOURCES.source("""
                class Spec {
                    static final Runnable TASK = () -> {
                        @dev.e3j.annotations.Linear(in = "1o", out = "1o") interface InLambda extends LinearKernel {}
                    };
                    static {
                        @SphericalHarmonics(lmax = 1) interface InInitializer extends SphericalHarmonicsKernel {}
                    }
                    Spec() {
                        class Local {
                            @Linear(in = "1o", out = "1o") interface Member extends LinearKernel {}
                        }
                    }
                    final Object anonymous = new Object() {
                        @SphericalHarmonics(lmax = 2) interface InAnonymous extends SphericalHarmonicsKernel {}
                    };
                    void run() {
                        @Deprecated interface NotASpec {}
                        @SphericalHarmonics(lmax = 1) record NotAnInterface(int n) {}
                    }
                }
                """);
        Compilation compilation = SpecSources.compile(file);
        assertThat(compilation).hadErrorCount(5);
        for (int line : new int[] {3, 6, 10, 14, 18}) {
            assertThat(compilation).hadErrorContaining("[e3j.target] @").inFile(file).onLine(SOURCES.line(line));
        }
    }

    /** {@code Outer_Mid.Inner} and {@code Outer.Mid_Inner} both generate {@code Outer_Mid_InnerImpl}. */
    @Test
    void specsWhoseGeneratedNamesCollide() {
        JavaFileObject file = SOURCES.source("""
                class Spec {}
                interface Outer_Mid {
                    @TensorProduct(in1 = "2x1o", in2 = "1o", out = "2x0e")
                    interface Inner extends TensorProductKernel {}
                }
                interface Outer {
                    @Linear(in = "1o", out = "1o")
                    interface Mid_Inner extends LinearKernel {}
                }
                interface A_B {
                    @SphericalHarmonics(lmax = 1)
                    interface C extends SphericalHarmonicsKernel {}
                }
                @SphericalHarmonics(lmax = 2)
                interface A_B_C extends SphericalHarmonicsKernel {}
                """);
        Compilation compilation = SpecSources.compile(file);
        assertThat(compilation).hadErrorCount(2);
        assertThat(compilation).hadErrorContaining(
                "[e3j.target] bad.Outer.Mid_Inner and bad.Outer_Mid.Inner would both generate bad.Outer_Mid_InnerImpl");
        assertThat(compilation).hadErrorContaining("would both generate bad.A_B_CImpl");
    }
}
