package dev.e3j.runtime.md;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.e3j.testsupport.ReferenceData;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Symbols, masses and units against ASE's ({@code reference/ase/elements.json}, tools/make_ase_reference.py). */
class ElementsTest {

    static Map<String, Object> reference() throws IOException {
        return ReferenceData.object(ReferenceData.parse(Files.readString(
                ReferenceData.directory().resolveSibling("ase").resolve("elements.json"))));
    }

    @Test
    void symbolsAndMassesAreAses() throws IOException {
        Map<String, Object> ase = reference();
        List<Object> symbols = ReferenceData.asList(ase.get("symbols"));
        double[] masses = ReferenceData.asDoubles(ase.get("masses"));
        assertEquals(Elements.MAX_ATOMIC_NUMBER, symbols.size());
        int[] all = new int[Elements.MAX_ATOMIC_NUMBER];
        for (int z = 1; z <= Elements.MAX_ATOMIC_NUMBER; z++) {
            assertEquals(symbols.get(z - 1), Elements.symbol(z));
            assertEquals(z, Elements.atomicNumber(Elements.symbol(z)));
            assertEquals(masses[z - 1], Elements.mass(z), 0.0, Elements.symbol(z));
            all[z - 1] = z;
        }
        assertArrayEquals(masses, Elements.masses(all), 0.0);
    }

    @Test
    void unitsAreAses() throws IOException {
        Map<String, Object> ase = reference();
        assertEquals(((Number) ase.get("fs")).doubleValue(), Units.FS, 1e-16 * Units.FS);
        assertEquals(((Number) ase.get("kB")).doubleValue(), Units.KB, 1e-16 * Units.KB);
    }

    @Test
    void rejectsUnknownElements() {
        assertEquals("Elements: atomic number must be in 1..118, got 0",
                assertThrows(IllegalArgumentException.class, () -> Elements.mass(0)).getMessage());
        assertEquals("Elements.atomicNumber: symbol must be a chemical symbol from H to Og, got 'CU'",
                assertThrows(IllegalArgumentException.class, () -> Elements.atomicNumber("CU")).getMessage());
        assertEquals("Elements.masses: atomic numbers must be in 1..118, got 119 for atom 1",
                assertThrows(IllegalArgumentException.class, () -> Elements.masses(new int[] {1, 119})).getMessage());
    }
}
