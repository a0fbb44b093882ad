package dev.e3j.processor.testing;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import dev.e3j.processor.E3jProcessor;
import dev.e3j.processor.LocalSpecProcessor;
import dev.e3j.runtime.TensorProductKernel;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import javax.tools.JavaFileObject;

/**
 * Compiles spec sources in memory with {@link E3jProcessor} exactly as a user's build would, with {@code -Xlint:all
 * -Werror} so that any warning, in generated code or from annotation processing, fails; and loads the generated
 * classes.
 */
public final class GeneratedKernels {

    private final Compilation compilation;
    private final Map<String, byte[]> classFiles = new HashMap<>();
    private final ClassLoader loader;

    private GeneratedKernels(Compilation compilation) {
        this.compilation = compilation;
        for (JavaFileObject file : compilation.generatedFiles()) {
            if (file.getKind() == JavaFileObject.Kind.CLASS) {
                String name = file.getName();
                String binaryName = name.substring(name.indexOf("CLASS_OUTPUT/") + "CLASS_OUTPUT/".length(),
                        name.length() - ".class".length()).replace('/', '.');
                try (InputStream in = file.openInputStream()) {
                    classFiles.put(binaryName, in.readAllBytes());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        this.loader = new ClassLoader(GeneratedKernels.class.getClassLoader()) {
            @Override
            protected Class<?> findClass(String name) throws ClassNotFoundException {
                byte[] bytes = classFiles.get(name);
                if (bytes == null) {
                    throw new ClassNotFoundException(name);
                }
                return defineClass(name, bytes, 0, bytes.length);
            }
        };
    }

    /** Compiles {@code source} (class {@code qualifiedName}) and asserts success without warnings. */
    public static GeneratedKernels compile(String qualifiedName, String source) {
        Compilation compilation = compiler().compile(JavaFileObjects.forSourceString(qualifiedName, source));
        assertThat(compilation).succeededWithoutWarnings();
        return new GeneratedKernels(compilation);
    }

    /**
     * Compiles sources that a writer produced, without the processor, and asserts success without warnings
     * ({@code -Xlint:all -Werror}): for tests that drive a writer directly.
     */
    public static GeneratedKernels compileSources(JavaFileObject... sources) {
        Compilation compilation = Compiler.javac().withOptions("-Xlint:all", "-Werror").compile(sources);
        assertThat(compilation).succeededWithoutWarnings();
        return new GeneratedKernels(compilation);
    }

    /** Compiles {@code sources} (qualified name, source) and asserts success without warnings. */
    public static GeneratedKernels compile(Map<String, String> sources) {
        Compilation compilation = compiler().compile(sources.entrySet().stream()
                .map(source -> JavaFileObjects.forSourceString(source.getKey(), source.getValue())).toList());
        assertThat(compilation).succeededWithoutWarnings();
        return new GeneratedKernels(compilation);
    }

    /** Compiles without asserting anything, for tests of diagnostics. */
    public static Compilation compileExpectingErrors(String qualifiedName, String source) {
        return compiler().compile(JavaFileObjects.forSourceString(qualifiedName, source));
    }

    private static Compiler compiler() {
        return Compiler.javac().withProcessors(new E3jProcessor(), new LocalSpecProcessor()).withOptions("-Xlint:all", "-Werror");
    }

    public Compilation compilation() {
        return compilation;
    }

    /** Binary names of all generated classes mapped to their class files. */
    public Map<String, byte[]> classFiles() {
        return classFiles;
    }

    /** A new instance of the generated kernel {@code binaryName} (e.g. {@code test.Specs_FcImpl}). */
    public TensorProductKernel tensorProduct(String binaryName) {
        return kernel(binaryName, TensorProductKernel.class);
    }

    /** A new instance of the generated kernel {@code binaryName}, of any kernel interface. */
    public <T> T kernel(String binaryName, Class<T> kernelInterface) {
        try {
            return kernelInterface.cast(loader.loadClass(binaryName).getConstructor().newInstance());
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("cannot instantiate " + binaryName, e);
        }
    }

    /** The generated class {@code binaryName}, e.g. to call a constructor with arguments. */
    public Class<?> loadClass(String binaryName) {
        try {
            return loader.loadClass(binaryName);
        } catch (ClassNotFoundException e) {
            throw new AssertionError("no generated class " + binaryName, e);
        }
    }

    /** The text of a generated source file, e.g. {@code test/Specs_FcImpl.java}. */
    public String generatedSource(String relativePath) {
        for (JavaFileObject file : compilation.generatedSourceFiles()) {
            if (file.getName().endsWith("/" + relativePath)) {
                try {
                    return file.getCharContent(true).toString();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        throw new AssertionError("no generated source " + relativePath);
    }

    /** The text of a generated resource under CLASS_OUTPUT, e.g. {@code META-INF/e3j/test.Specs_FcImpl.json}. */
    public String generatedResource(String relativePath) {
        for (JavaFileObject file : compilation.generatedFiles()) {
            if (file.getName().endsWith("CLASS_OUTPUT/" + relativePath)) {
                try {
                    return file.getCharContent(true).toString();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        throw new AssertionError("no generated resource " + relativePath);
    }
}
