package dev.e3j.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.runtime.model.Evaluation;
import dev.e3j.runtime.model.Structure;
import dev.e3j.testsupport.ReferenceData;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExtXyzTest {

    private static final Structure COPPER = Structure.periodic(new int[] {29, 29},
            new double[] {0.1, -0.2, 0.3, 1.8, 1.9, 1.0 / 3}, new double[] {0, 3.61, 3.61, 1.805, 0, 1.805, 1.8, 1.8, 0},
            new boolean[] {true, true, false});
    private static final Structure WATER = Structure.of(new int[] {8, 1, 1},
            new double[] {0, 0, 0, 0.7575, 0.5871, 0, -0.7575, 0.5871, 1e-17});

    /** Two frames written by ASE 3.22 (tools/make_ase_reference.py), with the values ASE wrote. */
    @Test
    void readsAFileAseWrote() throws IOException {
        List<ExtXyz.Frame> frames = ExtXyz.read(ReferenceData.directory().resolveSibling("ase")
                .resolve("ase_written.extxyz"));
        assertEquals(2, frames.size());
        ExtXyz.Frame copper = frames.get(0);
        assertArrayEquals(new int[] {29, 29}, copper.structure().atomicNumbers());
        assertArrayEquals(new double[] {0, 3.61, 3.61, 1.805, 0, 1.805, 1.805, 1.805, 0}, copper.structure().cell());
        assertArrayEquals(new boolean[] {true, true, true}, copper.structure().pbc());
        assertArrayEquals(new double[] {0.02206137, -0.01654351, 0.12153856},
                java.util.Arrays.copyOf(copper.structure().positions(), 3));
        assertEquals(-0.39080097723465473, copper.energy().getAsDouble());
        assertArrayEquals(new double[] {0.48194539, -0.23855361, 0.95775870},
                java.util.Arrays.copyOf(copper.forces(), 3));
        assertEquals(0.5451055226876446, copper.stress()[0]);
        assertEquals(-0.2696203273419135, copper.stress()[1]);
        assertEquals(copper.stress()[1], copper.stress()[3]);
        assertEquals(Map.of(), copper.info());
        ExtXyz.Frame methane = frames.get(1);
        assertArrayEquals(new int[] {6, 1, 1, 1, 1}, methane.structure().atomicNumbers());
        assertFalse(methane.structure().hasCell());
        assertNull(methane.stress());
        assertEquals(15, methane.forces().length);
    }

    @Test
    void roundTripsExactly(@TempDir Path dir) throws IOException {
        Evaluation evaluation = new Evaluation(-7.25, new double[2], new double[] {1e-12, -2, 3, 4, 5, -6.5},
                new double[] {1, 2, 3, 2, 5, 6, 3, 6, 9.125});
        ExtXyz.Frame copper = ExtXyz.Frame.of(COPPER, evaluation);
        ExtXyz.Frame water = new ExtXyz.Frame(WATER, OptionalDouble.empty(), null, null,
                Map.of("config_type", "water dimer \"A\"", "step", "3"));
        Path file = dir.resolve("frames.extxyz");
        ExtXyz.write(file, List.of(copper, water));
        List<ExtXyz.Frame> read = ExtXyz.read(file);
        assertEquals(2, read.size());
        assertSameStructure(COPPER, read.get(0).structure());
        assertEquals(-7.25, read.get(0).energy().getAsDouble());
        assertArrayEquals(evaluation.forces(), read.get(0).forces());
        assertArrayEquals(evaluation.stress(), read.get(0).stress());
        assertSameStructure(WATER, read.get(1).structure());
        assertTrue(read.get(1).energy().isEmpty());
        assertNull(read.get(1).forces());
        assertEquals(water.info(), read.get(1).info());
        assertEquals(List.of(COPPER.toString(), WATER.toString()),
                ExtXyz.readStructures(file).stream().map(Structure::toString).toList());
        String text = Files.readString(file);
        assertTrue(text.startsWith("2\nLattice=\"0.0 3.61 3.61 1.805 0.0 1.805 1.8 1.8 0.0\" "
                + "Properties=species:S:1:pos:R:3:forces:R:3 energy=-7.25 stress=\"1.0 2.0 3.0 2.0 5.0 6.0 3.0 6.0 "
                + "9.125\" pbc=\"T T F\"\nCu 0.1 -0.2 0.3 1.0E-12 -2.0 3.0\n"), text);
    }

    private static void assertSameStructure(Structure expected, Structure actual) {
        assertArrayEquals(expected.atomicNumbers(), actual.atomicNumbers());
        assertArrayEquals(expected.positions(), actual.positions());
        assertArrayEquals(expected.cell(), actual.cell());
        assertArrayEquals(expected.pbc(), actual.pbc());
    }

    @Test
    void readsAsesOtherSpellings() throws IOException {
        String text = """
                2
                Lattice=[4,0,0,0,4,0,0,0,4] Properties=Z:I:1:pos:R:3:tags:I:1 note='a b' free flag=T\\ F
                8 0 0 0 1
                1 1 0 0 2
                1
                Properties=species:S:1:pos:R:3 pbc="F F F"
                cu 1 2 3


                """;
        List<ExtXyz.Frame> frames = ExtXyz.read(new BufferedReader(new StringReader(text)), "inline");
        assertEquals(2, frames.size());
        assertArrayEquals(new boolean[] {true, true, true}, frames.get(0).structure().pbc(), "Lattice alone: periodic");
        assertArrayEquals(new int[] {8, 1}, frames.get(0).structure().atomicNumbers());
        assertEquals(Map.of("note", "a b", "free", "T", "flag", "T F"), frames.get(0).info());
        assertArrayEquals(new int[] {29}, frames.get(1).structure().atomicNumbers());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "x\\nProperties=species:S:1:pos:R:3\\nH 0 0 0 | bad:1: expected an atom count (an integer >= 0), got 'x'",
        "2\\nProperties=species:S:1:pos:R:3\\nH 0 0 0 | bad:3: expected 2 atom lines after line 2, got 1 atom lines "
                + "and the end of the file",
        "1\\nProperties=species:S:1:pos:R:3\\nH 0 0 | bad:3: expected 4 columns (species:S:1:pos:R:3), got 3 in "
                + "'H 0 0'",
        "1\\nProperties=species:S:1:pos:R:3\\nXx 0 0 0 | bad:3: expected a chemical symbol in the species column, "
                + "got 'Xx'",
        "1\\nProperties=species:S:1:pos:R:3\\nH 0 nan 0 | bad:3: expected a finite number for pos, got 'nan'",
        "1\\nLattice=\"1 0 0 0 1 0\"\\nH 0 0 0 | bad:2: expected Lattice with 9 numbers, got '1 0 0 0 1 0'",
        "1\\npbc=\"T T T\"\\nH 0 0 0 | bad:2: expected a Lattice for pbc with T, got no Lattice",
        "1\\nProperties=species:S:1:pos:R | bad:2: expected Properties as name:type:count triples, got "
                + "'species:S:1:pos:R'",
        "1\\nProperties=species:S:1:pos:X:3 | bad:2: expected a Properties type R, I, S or L and a count >= 1 for "
                + "'pos', got 'X:3'",
        "1\\nProperties=species:S:1 | bad:2: expected Properties with a species (or Z) and a pos column, got "
                + "'species:S:1'",
        "1\\nnote=\"open | bad:2: expected a closing \", got the end of the line",
        "1\\nenergy=1 energy=2 | bad:2: expected each key once, got 'energy' again",
        "1 | bad:1: expected a comment line after the atom count, got the end of the file",
        "1\\n\\nH 0 0 0\\n\\n1 | bad:4: expected an atom count, got an empty line",
    })
    void rejectsMalformedFilesNamingTheLine(String text, String message) {
        IOException e = assertThrows(IOException.class, () -> ExtXyz.read(
                new BufferedReader(new StringReader(text.replace("\\n", "\n"))), "bad"));
        assertEquals(message, e.getMessage());
    }

    @Test
    void aFrameChecksItsShapes() {
        assertEquals("ExtXyz.Frame: forces must have length 6 (2 atoms x 3), got 3",
                assertThrows(IllegalArgumentException.class, () -> new ExtXyz.Frame(COPPER, OptionalDouble.empty(),
                        new double[3], null, Map.of())).getMessage());
        assertEquals("ExtXyz.Frame: info keys must be non-empty and none of [Lattice, Properties, energy, stress, "
                + "pbc], got 'pbc'", assertThrows(IllegalArgumentException.class, () -> new ExtXyz.Frame(COPPER,
                        OptionalDouble.empty(), null, null, Map.of("pbc", "T"))).getMessage());
    }
}
