package dev.e3j.processor.testing;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import dev.e3j.processor.E3jProcessor;
import dev.e3j.processor.LocalSpecProcessor;
import javax.tools.JavaFileObject;

/**
 * Invalid spec sources for diagnostics tests: a body (annotated interface, lines counted from 1) under a fixed
 * {@code package bad;} header with the given imports, compiled with {@link E3jProcessor}, so that an error can be
 * asserted on the body line it concerns.
 */
public final class SpecSources {

    private final String header;
    private final int headerLines;

    /** @param imports canonical names imported by every source */
    public SpecSources(String... imports) {
        StringBuilder header = new StringBuilder("package bad;\n\n");
        for (String name : imports) {
            header.append("import ").append(name).append(";\n");
        }
        this.header = header.append('\n').toString();
        this.headerLines = (int) this.header.chars().filter(c -> c == '\n').count();
    }

    /** {@code body} under the header, as class {@code bad.Spec}. */
    public JavaFileObject source(String body) {
        return JavaFileObjects.forSourceString("bad.Spec", header + body);
    }

    /** The file line of line {@code bodyLine} (from 1) of a body. */
    public int line(int bodyLine) {
        return headerLines + bodyLine;
    }

    public static Compilation compile(JavaFileObject file) {
        return Compiler.javac().withProcessors(new E3jProcessor(), new LocalSpecProcessor()).compile(file);
    }

    /** Compiles {@code body} and asserts that it failed with an error tagged {@code tag} on its line {@code bodyLine}. */
    public Compilation assertError(String body, int bodyLine, String tag) {
        JavaFileObject file = source(body);
        Compilation compilation = compile(file);
        assertThat(compilation).failed();
        assertThat(compilation).hadErrorContaining("[" + tag + "]").inFile(file).onLine(line(bodyLine));
        return compilation;
    }
}
