package dev.e3j.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The edge blocks of the MACE edge pass: whole receivers, {@code edges / 256} blocks as even as receivers allow. */
class MaceBlocksTest {

    /** The first edge of each receiver and, last, the number of edges, for receivers of {@code degrees} edges. */
    private static int[] receiverStart(int... degrees) {
        int[] start = new int[degrees.length + 1];
        for (int i = 0; i < degrees.length; i++) {
            start[i + 1] = start[i] + degrees[i];
        }
        return start;
    }

    @Test
    void splitsSixtyFourReceiversOfFortyTwoEdgesIntoTenBlocksOfSixOrSevenReceivers() {
        int[] degrees = new int[64];
        Arrays.fill(degrees, 42);
        int[] start = receiverStart(degrees);
        int[] blocks = Mace.blocks(start);
        assertEquals(11, blocks.length, Arrays.toString(blocks));
        assertEquals(0, blocks[0]);
        assertEquals(64 * 42, blocks[10]);
        for (int b = 0; b < 10; b++) {
            int receivers = (blocks[b + 1] - blocks[b]) / 42;
            assertEquals(0, blocks[b] % 42, "whole receivers");
            assertTrue(receivers == 6 || receivers == 7, "block " + b + ": " + receivers + " receivers");
        }
    }

    @Test
    void keepsFewEdgesInOneBlockAndNoEdgesInNone() {
        assertArrayEquals(new int[] {0, 300}, Mace.blocks(receiverStart(100, 100, 100)));
        assertArrayEquals(new int[] {0, 255}, Mace.blocks(receiverStart(255)));
        assertArrayEquals(new int[] {0}, Mace.blocks(receiverStart(0, 0)));
        assertArrayEquals(new int[] {0}, Mace.blocks(receiverStart()));
    }

    @Test
    void neverSplitsAReceiverNorMakesAnEmptyBlock() {
        // 1024 edges want four blocks; the receiver of 1000 edges keeps them in one, the others form a second.
        assertArrayEquals(new int[] {0, 1000, 1024}, Mace.blocks(receiverStart(1000, 8, 8, 8)));
        assertArrayEquals(new int[] {0, 24, 1024}, Mace.blocks(receiverStart(8, 8, 8, 1000)));
    }
}
