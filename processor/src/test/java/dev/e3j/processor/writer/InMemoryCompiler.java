package dev.e3j.processor.writer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.TypeSpec;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;

/**
 * Compiles a writer's output together with the spec interface it implements, under {@code -Xlint:all -Werror},
 * and loads the generated class; keeps the class files for bytecode checks.
 */
final class InMemoryCompiler {

    private final Map<String, ByteArrayOutputStream> classFiles = new HashMap<>();

    /** Source of {@code spec} (a top-level interface extending {@code kernelInterface}) plus {@code impl}. */
    Class<?> compile(ClassName spec, Class<?> kernelInterface, TypeSpec impl) throws Exception {
        return compileAll(kernelInterface, Map.of(spec, impl)).get(0);
    }

    /** Several specs and their implementations in one javac run; the loaded implementations, in key order. */
    List<Class<?>> compileAll(Class<?> kernelInterface, Map<ClassName, TypeSpec> impls) throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        List<JavaFileObject> sources = new ArrayList<>();
        StringBuilder allSources = new StringBuilder();
        List<String> implNames = new ArrayList<>();
        for (Map.Entry<ClassName, TypeSpec> entry : new java.util.TreeMap<>(impls).entrySet()) {
            ClassName spec = entry.getKey();
            String specSource = "package " + spec.packageName() + ";\n"
                    + "public interface " + spec.simpleName() + " extends " + kernelInterface.getName() + " {}\n";
            String implSource = JavaFile.builder(spec.packageName(), entry.getValue()).build().toString();
            String implName = spec.packageName() + "." + entry.getValue().name();
            sources.add(source(spec.canonicalName(), specSource));
            sources.add(source(implName, implSource));
            implNames.add(implName);
            allSources.append(implSource);
        }
        JavaFileManager files = new ForwardingJavaFileManager<>(javac.getStandardFileManager(diagnostics, null, null)) {
            @Override
            public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind,
                                                       FileObject sibling) {
                return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/') + ".class"), kind) {
                    @Override
                    public OutputStream openOutputStream() {
                        return classFiles.computeIfAbsent(className, k -> new ByteArrayOutputStream());
                    }
                };
            }
        };
        StringWriter log = new StringWriter();
        boolean ok = javac.getTask(log, files, diagnostics,
                List.of("-Xlint:all", "-Werror", "--release", "17"), null, sources).call();
        assertTrue(ok, () -> diagnostics.getDiagnostics() + "\n" + log + "\n" + allSources);
        assertEquals(List.of(), diagnostics.getDiagnostics());
        ClassLoader loader = new ClassLoader(getClass().getClassLoader()) {
            @Override
            protected Class<?> findClass(String name) throws ClassNotFoundException {
                ByteArrayOutputStream bytes = classFiles.get(name);
                if (bytes == null) {
                    throw new ClassNotFoundException(name);
                }
                byte[] b = bytes.toByteArray();
                return defineClass(name, b, 0, b.length);
            }
        };
        List<Class<?>> out = new ArrayList<>();
        for (String name : implNames) {
            out.add(loader.loadClass(name));
        }
        return out;
    }

    /** The bytes of a compiled class, by binary name. */
    byte[] classFile(String binaryName) {
        return classFiles.get(binaryName).toByteArray();
    }

    private static JavaFileObject source(String name, String code) {
        return new SimpleJavaFileObject(URI.create("string:///" + name.replace('.', '/') + ".java"),
                JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return code;
            }
        };
    }
}
