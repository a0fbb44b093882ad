package dev.e3j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.runtime.model.Structure;
import java.util.List;
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
                H  1 2 3 9 9 9
                1
                Properties=id:I:1:Z:I:1:pos:R:3 free
                7 8 1.5 0 0
                """;
        List<Row> frames = ExtXyzFrames.parse("/data/set/a.xyz", text);

        assertEquals(2, frames.size());
        Row first = frames.get(0);
        assertEquals("a.xyz:0", first.get(0));
        assertArrayEquals(new int[] {29, 1}, (int[]) first.get(1));
        assertArrayEquals(new double[] {0.5, 1e-3, -2.25, 1, 2, 3}, (double[]) first.get(2));
        assertArrayEquals(new double[] {4, 0, 0, 0, 5, 0, 0, 0, 6}, (double[]) first.get(3));
        assertArrayEquals(new boolean[] {true, false, true}, (boolean[]) first.get(4));
        assertNull(first.get(5));
        Row second = frames.get(1);
        assertArrayEquals(new int[] {8}, (int[]) second.get(1));
        assertArrayEquals(new double[] {1.5, 0, 0}, (double[]) second.get(2));
        assertNull(second.get(3));
        assertNull(second.get(4));
    }

    @Test
    void aFrameThatIsNotValidBecomesAnErrorRowAndTheOthersAreRead() {
        Structure cell = Screen.rattledCopper(1, 0, 0.05);
        String[] nan = frame(cell, "Cu").split("\n");
        nan[2] = "Cu nan 0 0";
        String text = frame(cell, "Cu") + frame(cell, "Xx") + String.join("\n", nan) + "\n" + frame(cell, "Cu");
        List<Row> frames = ExtXyzFrames.parse("set.xyz", text);

        assertEquals(4, frames.size());
        for (int k : new int[] {0, 3}) {
            assertArrayEquals(cell.positions(), (double[]) frames.get(k).get(2));
            assertNull(frames.get(k).get(5));
        }
        assertEquals("set.xyz:1", frames.get(1).get(0));
        assertNull(frames.get(1).get(1));
        assertEquals("set.xyz frame 1 (from line 35):3: expected a chemical symbol in the species column, got 'Xx'",
                frames.get(1).get(5));
        assertTrue(((String) frames.get(2).get(5)).contains("expected a finite number"), (String) frames.get(2).get(5));
    }

    @Test
    void textThatCannotBeCutIntoFramesFailsWithExtXyzsMessage() {
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> ExtXyzFrames.parse("c.xyz", "1\n\nH 0 0 0\nthree\n"));
        assertTrue(count.getMessage().startsWith("c.xyz:4: expected an atom count"), count.getMessage());
        IllegalArgumentException truncated = assertThrows(IllegalArgumentException.class,
                () -> ExtXyzFrames.parse("d.xyz", "3\n\nH 0 0 0\n"));
        assertTrue(truncated.getMessage().startsWith("d.xyz:"), truncated.getMessage());
    }
}
