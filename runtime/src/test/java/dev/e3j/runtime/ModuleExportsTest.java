package dev.e3j.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code module dev.e3j.runtime} exports every package it has but {@code dev.e3j.runtime.internal}, to everyone: a package added without its
 * {@code exports} line in {@code module-info.java} would be invisible to modular users.
 */
class ModuleExportsTest {

    @Test
    void everyPackageIsExported() throws URISyntaxException {
        Path classes = Path.of(Irreps.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ModuleDescriptor descriptor = ModuleFinder.of(classes).find("dev.e3j.runtime").orElseThrow().descriptor();
        Set<String> exported = descriptor.exports().stream()
                .filter(exports -> !exports.isQualified())
                .map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toSet());
        Set<String> packages = descriptor.packages().stream()
                .filter(name -> !name.equals("dev.e3j.runtime.internal"))
                .collect(Collectors.toSet());
        assertEquals(packages, exported);
    }
}
