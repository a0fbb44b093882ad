package dev.e3j.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class BatchBlocksTest {

    /** Every block {@code run} hands out, as {@code {index, from, to}}, in index order. */
    private static List<int[]> blocks(int batch, int blockSize) {
        List<int[]> blocks = Collections.synchronizedList(new ArrayList<>());
        BatchBlocks.run(batch, blockSize, (index, from, to) -> blocks.add(new int[] {index, from, to}));
        blocks.sort(Comparator.comparingInt(block -> block[0]));
        return blocks;
    }

    @Test
    void splitsABatchIntoConsecutiveBlocks() {
        List<int[]> blocks = blocks(10, 4);
        assertEquals(3, blocks.size());
        assertArrayEquals(new int[] {0, 0, 4}, blocks.get(0));
        assertArrayEquals(new int[] {1, 4, 8}, blocks.get(1));
        assertArrayEquals(new int[] {2, 8, 10}, blocks.get(2));
        assertEquals(3, BatchBlocks.count(10, 4));
        assertEquals(0, BatchBlocks.count(0, 4));
        assertEquals(0, blocks(0, 4).size());
    }

    @Test
    void blocksOfTheLargestBatchEndWithoutOverflow() {
        // (index + 1) * blockSize overflowed: the last block ended at a negative sample.
        List<int[]> blocks = blocks(Integer.MAX_VALUE, 1 << 30);
        assertEquals(2, blocks.size());
        assertArrayEquals(new int[] {0, 0, 1 << 30}, blocks.get(0));
        assertArrayEquals(new int[] {1, 1 << 30, Integer.MAX_VALUE}, blocks.get(1));
        assertEquals(1, BatchBlocks.count(Integer.MAX_VALUE, Integer.MAX_VALUE));
    }

    @Test
    void rejectsNegativeBatchesAndEmptyBlocks() {
        IllegalArgumentException batch = assertThrows(IllegalArgumentException.class, () -> BatchBlocks.count(-1, 4));
        assertEquals("BatchBlocks.count: batch must be >= 0, got -1", batch.getMessage());
        IllegalArgumentException blockSize = assertThrows(IllegalArgumentException.class,
                () -> BatchBlocks.run(4, 0, (index, from, to) -> { }));
        assertEquals("BatchBlocks.run: blockSize must be >= 1, got 0", blockSize.getMessage());
    }

    @Test
    void seriallyRunsEveryBlockInOrderInTheCallingThread() {
        Thread caller = Thread.currentThread();
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = Collections.synchronizedList(new ArrayList<>());
        BatchBlocks.serially(() -> BatchBlocks.run(640, 10, (index, from, to) -> {
            assertEquals(10 * index, from);
            assertEquals(from + 10, to);
            order.add(index);
            threads.add(Thread.currentThread());
        }));
        assertEquals(64, order.size());
        for (int index = 0; index < order.size(); index++) {
            assertEquals(index, order.get(index));
            assertSame(caller, threads.get(index));
        }
    }

    @Test
    void seriallyRestoresTheModeAfterNestingAndExceptions() {
        assertFalse(BatchBlocks.isSerial());
        BatchBlocks.serially(() -> {
            BatchBlocks.serially(() -> assertTrue(BatchBlocks.isSerial()));
            assertTrue(BatchBlocks.isSerial(), "the inner call restores serial, not parallel");
        });
        assertFalse(BatchBlocks.isSerial());
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> BatchBlocks.serially(() -> {
            throw new IllegalStateException("in the task");
        }));
        assertEquals("in the task", thrown.getMessage());
        assertFalse(BatchBlocks.isSerial(), "restored after the exception");
        AtomicBoolean otherThreadSerial = new AtomicBoolean(true);
        BatchBlocks.serially(() -> {
            Thread other = new Thread(() -> otherThreadSerial.set(BatchBlocks.isSerial()));
            other.start();
            try {
                other.join();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertFalse(otherThreadSerial.get(), "another thread keeps its own mode");
        IllegalArgumentException noTask = assertThrows(IllegalArgumentException.class,
                () -> BatchBlocks.serially(null));
        assertEquals("BatchBlocks.serially: task must not be null", noTask.getMessage());
    }
}
