package dev.e3j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.runtime.model.Structure;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

class ExtXyzFramesTest {

    /** {@return {@code structure} as an extended XYZ frame, every atom named {@code symbol}, numbers exact} */
    static String frame(Structure structure, String symbol) {
        StringBuilder text = new StringBuilder().append(structure.size()).append('\n');
        double[] cell = structure.cell();
        text.append("Lattice=\"");
        for (int k = 0; k < 9; k++) {
            text.append(k == 0 ? "" : " ").append(cell[k]);
        }
        text.append("\" Properties=species:S:1:pos:R:3 energy=-1.5 pbc=\"T T T\"\n");
        double[] pos = structure.positions();
        for (int i = 0; i < structure.size(); i++) {
            text.append(symbol).append(' ').append(pos[3 * i]).append(' ').append(pos[3 * i + 1]).append(' ')
                    .append(pos[3 * i + 2]).append('\n');
        }
        return text.toString();
    }

    @Test
    void readsCellPbcSpeciesAndPositionsAmongOtherColumns() {
        String text = """
                2
                Lattice="4 0 0 0 5 0 0 0 6" Properties=species:S:1:pos:R:3:forces:R:3 pbc="T F T" note=a
                Cu 0.5 1e-3 -2.25 9 9 9
                H  1 2 nan 9 9 9
                1
                Properties=id:I:1:Z:I:1:pos:R:3 free
                7 8 1.5D+00 0 0
                """;
        List<Row> frames = ExtXyzFrames.parse("/data/set/a.xyz", text);

        assertEquals(2, frames.size());
        Row first = frames.get(0);
        assertEquals("a.xyz:0", first.get(0));
        assertArrayEquals(new int[] {29, 1}, (int[]) first.get(1));
        assertArrayEquals(new double[] {0.5, 1e-3, -2.25, 1, 2, Double.NaN}, (double[]) first.get(2));
        assertArrayEquals(new double[] {4, 0, 0, 0, 5, 0, 0, 0, 6}, (double[]) first.get(3));
        assertArrayEquals(new boolean[] {true, false, true}, (boolean[]) first.get(4));
        Row second = frames.get(1);
        assertArrayEquals(new int[] {8}, (int[]) second.get(1));
        assertArrayEquals(new double[] {1.5, 0, 0}, (double[]) second.get(2));
        assertNull(second.get(3));
        assertNull(second.get(4));
    }

    @Test
    void aLatticeWithoutPbcIsPeriodicAndUnknownSymbolsAreZero() {
        Row frame = ExtXyzFrames.parse("b.xyz", "1\nLattice=\"1 0 0 0 1 0 0 0 1\"\nUnobtainium 0 0 0\n").get(0);
        assertArrayEquals(new boolean[] {true, true, true}, (boolean[]) frame.get(4));
        assertArrayEquals(new int[] {0}, (int[]) frame.get(1));
    }

    @Test
    void quotedValuesMayHoldSpacesAndFlagsStandAlone() {
        assertEquals(Map.of("a", "1 2", "b", "x", "flag", "T"), ExtXyzFrames.keyValues(" a=\"1 2\"  b=x flag"));
    }

    @Test
    void textThatIsNotExtXyzNamesTheFileAndLine() {
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> ExtXyzFrames.parse("c.xyz", "1\n\nH 0 0 0\nthree\n"));
        assertTrue(count.getMessage().startsWith("c.xyz:4: expected the atom count of frame 1"), count.getMessage());
        IllegalArgumentException truncated = assertThrows(IllegalArgumentException.class,
                () -> ExtXyzFrames.parse("d.xyz", "3\n\nH 0 0 0\n"));
        assertTrue(truncated.getMessage().contains("declares 3 atoms"), truncated.getMessage());
        IllegalArgumentException position = assertThrows(IllegalArgumentException.class,
                () -> ExtXyzFrames.parse("e.xyz", "1\n\nH 0 zero 0\n"));
        assertTrue(position.getMessage().startsWith("e.xyz:3:"), position.getMessage());
        IllegalArgumentException columns = assertThrows(IllegalArgumentException.class,
                () -> ExtXyzFrames.parse("f.xyz", "1\n\nH 0 0\n"));
        assertTrue(columns.getMessage().startsWith("f.xyz:3: expected 4 columns"), columns.getMessage());
    }
}
