package dev.e3j.runtime;

import java.util.stream.IntStream;

/**
 * Splits a batch into fixed blocks of consecutive samples and runs them on the common fork/join pool, so that
 * generated kernels use every core. The blocks depend only on the batch and the block size, never on the number
 * of threads or on scheduling, and each block owns its samples' outputs: results are bitwise the same however the
 * blocks are run. Anything summed over the batch (shared-weight gradients) goes into one partial array per block,
 * which the caller then adds up in block order.
 */
public final class BatchBlocks {

    /** The work of one block: samples {@code from} (inclusive) to {@code to} (exclusive). */
    @FunctionalInterface
    public interface Block {
        /** Runs block {@code index}, samples {@code from} (inclusive) to {@code to} (exclusive). */
        void run(int index, int from, int to);
    }

    private BatchBlocks() {
    }

    /** {@code ceil(batch / blockSize)}. */
    public static int count(int batch, int blockSize) {
        if (blockSize < 1) {
            throw new IllegalArgumentException("blockSize must be >= 1, got " + blockSize);
        }
        return (int) (((long) batch + blockSize - 1) / blockSize);
    }

    /** Runs every block once, in parallel when there are several; returns when all are done. */
    public static void run(int batch, int blockSize, Block block) {
        int count = count(batch, blockSize);
        if (count == 1) {
            block.run(0, 0, batch);
        } else if (count > 1) {
            IntStream.range(0, count).parallel().forEach(index ->
                    block.run(index, index * blockSize, Math.min(batch, (index + 1) * blockSize)));
        }
    }
}
