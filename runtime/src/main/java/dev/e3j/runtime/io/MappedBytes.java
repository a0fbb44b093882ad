package dev.e3j.runtime.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * Read-only bytes addressed by {@code long} positions: a file mapped into memory (the operating system pages it in on
 * access; nothing is copied onto the heap), or a heap buffer. A {@link ByteBuffer} holds at most 2 GiB, so a file is
 * mapped as segments of {@code segmentSize} bytes, each extended by {@link #OVERLAP} bytes into the next: every
 * element (at most 8 bytes) that starts in a segment then lies wholly inside it.
 */
final class MappedBytes {

    /** Segment size for files: 1 GiB. */
    static final int FILE_SEGMENT_SIZE = 1 << 30;

    /** Bytes each segment extends into the next, the size of the largest element. */
    static final int OVERLAP = 8;

    /** Receives consecutive elements of a range: {@code slice} holds {@code count} whole elements from position 0. */
    interface SliceConsumer {
        void accept(ByteBuffer slice, int firstElement, int count);
    }

    private final ByteBuffer[] segments;
    private final long segmentSize;
    private final long size;

    private MappedBytes(ByteBuffer[] segments, long segmentSize, long size) {
        this.segments = segments;
        this.segmentSize = segmentSize;
        this.size = size;
    }

    /** Maps bytes {@code [0, size)} of {@code channel} read-only; the mapping outlives the channel. */
    static MappedBytes map(FileChannel channel, long size, int segmentSize) throws IOException {
        if (segmentSize <= OVERLAP) {
            throw new IllegalArgumentException("segment size must exceed " + OVERLAP + ", got " + segmentSize);
        }
        int count = (int) ((size + segmentSize - 1) / segmentSize);
        ByteBuffer[] segments = new ByteBuffer[count];
        for (int k = 0; k < count; k++) {
            long start = (long) k * segmentSize;
            long length = Math.min(size - start, (long) segmentSize + OVERLAP);
            segments[k] = channel.map(FileChannel.MapMode.READ_ONLY, start, length);
        }
        return new MappedBytes(segments, segmentSize, size);
    }

    /** The remaining bytes of {@code buffer} (not copied: later changes to it show through). */
    static MappedBytes wrap(ByteBuffer buffer) {
        ByteBuffer slice = buffer.slice();
        return new MappedBytes(new ByteBuffer[] {slice}, Math.max(slice.capacity(), 1), slice.capacity());
    }

    long size() {
        return size;
    }

    /**
     * Bytes {@code [position, position + length)} as a little-endian buffer: a view when they lie in one segment, else
     * a copy (only structures that straddle a segment boundary of a file over 1 GiB are copied).
     */
    ByteBuffer range(long position, int length) {
        if (position < 0 || length < 0 || position > size - length) {
            throw new IndexOutOfBoundsException("bytes [" + position + ", " + (position + length)
                    + ") outside [0, " + size + ")");
        }
        if (length == 0) {
            return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
        }
        int k = (int) (position / segmentSize);
        int offset = (int) (position - k * segmentSize);
        if (offset + length <= segments[k].capacity()) {
            return segments[k].duplicate().position(offset).limit(offset + length).slice()
                    .order(ByteOrder.LITTLE_ENDIAN);
        }
        ByteBuffer copy = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (copy.hasRemaining()) {
            long at = position + copy.position();
            int segment = (int) (at / segmentSize);
            int from = (int) (at - segment * segmentSize);
            int count = (int) Math.min(copy.remaining(), segmentSize - from);
            copy.put(segments[segment].duplicate().position(from).limit(from + count));
        }
        return copy.flip();
    }

    /**
     * Hands {@code consumer} the {@code count} elements of {@code elementSize} bytes that start at {@code position},
     * in order and in as few slices as the segments allow, each slice in byte order {@code order}.
     */
    void forEachSlice(long position, int count, int elementSize, ByteOrder order, SliceConsumer consumer) {
        if (position < 0 || count < 0 || position + (long) count * elementSize > size) {
            throw new IndexOutOfBoundsException("elements [" + position + ", " + (position + (long) count * elementSize)
                    + ") outside bytes [0, " + size + ")");
        }
        int done = 0;
        while (done < count) {
            long start = position + done * elementSize;
            int k = (int) (start / segmentSize);
            long segmentEnd = (k + 1L) * segmentSize;
            long startingHere = (segmentEnd - start + elementSize - 1) / elementSize;
            int elements = (int) Math.min(count - done, startingHere);
            int offset = (int) (start - k * segmentSize);
            ByteBuffer slice = segments[k].duplicate().position(offset).limit(offset + elements * elementSize)
                    .slice().order(order);
            consumer.accept(slice, done, elements);
            done += elements;
        }
    }
}
