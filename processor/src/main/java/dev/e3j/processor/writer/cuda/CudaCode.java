package dev.e3j.processor.writer.cuda;

/** A C++ source under construction: lines with four-space indentation, blocks opened and closed in pairs. */
final class CudaCode {

    private final StringBuilder text = new StringBuilder();
    private int depth;

    CudaCode line(String line) {
        if (!line.isEmpty()) {
            text.append("    ".repeat(depth)).append(line);
        }
        text.append('\n');
        return this;
    }

    CudaCode blank() {
        return line("");
    }

    /** The line {@code header} with an opening brace appended, then one level deeper. */
    CudaCode open(String header) {
        line(header + " {");
        depth++;
        return this;
    }

    /** One level shallower, then a closing brace followed by {@code suffix} (e.g. {@code ";"}). */
    CudaCode close(String suffix) {
        depth--;
        return line("}" + suffix);
    }

    CudaCode close() {
        return close("");
    }

    /** A {@code //} comment, one line per line of {@code comment}. */
    CudaCode comment(String comment) {
        for (String line : comment.split("\n", -1)) {
            line(line.isEmpty() ? "//" : "// " + line);
        }
        return this;
    }

    @Override
    public String toString() {
        return text.toString();
    }
}
