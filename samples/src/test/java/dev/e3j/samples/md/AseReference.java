package dev.e3j.samples.md;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** {@code reference/ase/} (tools/make_ase_reference.py), next to the e3nn reference the build points at. */
final class AseReference {

    private AseReference() {
    }

    static Path file(String name) {
        String configured = System.getProperty("e3j.reference.dir");
        if (configured != null && Files.isDirectory(Paths.get(configured))) {
            return Paths.get(configured).resolveSibling("ase").resolve(name);
        }
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("reference").resolve("ase"))) {
                return dir.resolve("reference").resolve("ase").resolve(name);
            }
        }
        throw new IllegalStateException("reference/ase not found (set -De3j.reference.dir)");
    }
}
