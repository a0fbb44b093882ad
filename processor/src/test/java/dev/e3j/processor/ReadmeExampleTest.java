package dev.e3j.processor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.processor.testing.GeneratedKernels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The README's complete example compiles with the processor under {@code -Xlint:all -Werror} and runs. */
class ReadmeExampleTest {

    @Test
    void readmeExampleCompilesAndRuns() throws Exception {
        String readme = Files.readString(readme());
        int start = readme.indexOf("```java\nimport ");
        assertTrue(start >= 0, "README.md has no complete Java example (a java block starting with imports)");
        start += "```java\n".length();
        String source = readme.substring(start, readme.indexOf("```", start));
        GeneratedKernels generated = GeneratedKernels.compile(Map.of("Demo", source));
        generated.loadClass("Demo").getMethod("main", String[].class).invoke(null, (Object) new String[0]);
    }

    private static Path readme() throws IOException {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("processor"))) {
                return dir.resolve("README.md");
            }
        }
        throw new IOException("README.md not found from " + Path.of("").toAbsolutePath());
    }
}
