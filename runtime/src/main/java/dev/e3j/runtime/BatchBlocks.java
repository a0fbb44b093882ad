package dev.e3j.runtime;

import java.util.stream.IntStream;

/**
 * Splits a batch into fixed blocks of consecutive samples and runs them on the common fork/join pool, so that
 * generated kernels use every core. The blocks depend only on the batch and the block size, never on the number
 * of threads or on scheduling, and each block owns its samples' outputs: results are bitwise the same however the
 * blocks are run. Anything summed over the batch (shared-weight gradients) goes into one partial array per block,
 * which the caller then adds up in block order.
 *
 * <p>Code that already runs one task per core (independent parts of a batch, each a whole pipeline of stages) can
 * turn the blocks of its stages serial with {@link #serially}: each stage then runs its blocks in order in the
 * calling thread, with the same results and without a fork and join per stage.
 */
public final class BatchBlocks {

    /** The work of one block: samples {@code from} (inclusive) to {@code to} (exclusive). */
    @FunctionalInterface
    public interface Block {
        /** Runs block {@code index}, samples {@code from} (inclusive) to {@code to} (exclusive). */
        void run(int index, int from, int to);
    }

    /** Whether {@link #run} runs its blocks in the calling thread, set by {@link #serially}. */
    private static final ThreadLocal<Boolean> SERIAL = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private BatchBlocks() {
    }

    /**
     * Runs {@code task} in the calling thread with every {@link #run} that it makes in this thread running its blocks
     * in order, in this thread (other threads are not affected); the previous mode is restored afterwards, also when
     * {@code task} throws. Results are the same as in parallel, bit for bit.
     */
    public static void serially(Runnable task) {
        if (task == null) {
            throw new IllegalArgumentException("BatchBlocks.serially: task must not be null");
        }
        Boolean previous = SERIAL.get();
        SERIAL.set(Boolean.TRUE);
        try {
            task.run();
        } finally {
            SERIAL.set(previous);
        }
    }

    /** Whether {@link #run} runs its blocks in order in the calling thread (inside {@link #serially}). */
    static boolean isSerial() {
        return SERIAL.get();
    }

    /** {@code ceil(batch / blockSize)}. */
    public static int count(int batch, int blockSize) {
        return count("BatchBlocks.count", batch, blockSize);
    }

    /**
     * Runs every block once, in parallel when there are several (in order in the calling thread inside
     * {@link #serially}); returns when all are done. Block ends are computed without overflow, so any {@code batch}
     * up to {@link Integer#MAX_VALUE} is split exactly.
     */
    public static void run(int batch, int blockSize, Block block) {
        int count = count("BatchBlocks.run", batch, blockSize);
        if (block == null) {
            throw new IllegalArgumentException("BatchBlocks.run: block must not be null");
        }
        if (count == 1) {
            block.run(0, 0, batch);
        } else if (count > 1 && SERIAL.get()) {
            for (int index = 0; index < count; index++) {
                block.run(index, index * blockSize, (int) Math.min(batch, (index + 1L) * blockSize));
            }
        } else if (count > 1) {
            IntStream.range(0, count).parallel().forEach(index -> block.run(index, index * blockSize,
                    (int) Math.min(batch, (index + 1L) * blockSize)));
        }
    }

    private static int count(String where, int batch, int blockSize) {
        if (batch < 0) {
            throw new IllegalArgumentException(where + ": batch must be >= 0, got " + batch);
        }
        if (blockSize < 1) {
            throw new IllegalArgumentException(where + ": blockSize must be >= 1, got " + blockSize);
        }
        return (int) (((long) batch + blockSize - 1) / blockSize);
    }
}
