package dev.e3j.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Files mapped in small segments, so that elements and runs cross segment boundaries at every alignment. */
class MappedBytesTest {

    @TempDir
    Path dir;

    private static final int PREFIX = 3;
    private static final int COUNT = 60;

    private MappedBytes mapDoubles(int segmentSize) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(PREFIX + 8 * COUNT).order(ByteOrder.LITTLE_ENDIAN);
        bytes.position(PREFIX);
        for (int i = 0; i < COUNT; i++) {
            bytes.putDouble(i + 0.5);
        }
        Path file = Files.write(dir.resolve("doubles.bin"), bytes.array());
        try (FileChannel channel = FileChannel.open(file)) {
            return MappedBytes.map(channel, channel.size(), segmentSize);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {9, 10, 16, 17, 24, 100, 1 << 20})
    void slicesHoldWholeElementsAcrossSegments(int segmentSize) throws IOException {
        MappedBytes bytes = mapDoubles(segmentSize);
        for (int first = 0; first < COUNT; first += 7) {
            int count = COUNT - first;
            double[] read = new double[count];
            int[] covered = {0};
            bytes.forEachSlice(PREFIX + 8L * first, count, 8, ByteOrder.LITTLE_ENDIAN, (slice, at, n) -> {
                assertEquals(covered[0], at);
                assertEquals(8 * n, slice.remaining());
                slice.asDoubleBuffer().get(read, at, n);
                covered[0] += n;
            });
            assertEquals(count, covered[0]);
            for (int i = 0; i < count; i++) {
                assertEquals(first + i + 0.5, read[i]);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {9, 10, 16, 1 << 20})
    void rangesAreViewsOrCopiesAcrossSegments(int segmentSize) throws IOException {
        MappedBytes bytes = mapDoubles(segmentSize);
        byte[] file = Files.readAllBytes(dir.resolve("doubles.bin"));
        for (int position = 0; position < file.length; position += 5) {
            int length = Math.min(37, file.length - position);
            ByteBuffer range = bytes.range(position, length);
            byte[] read = new byte[length];
            range.get(read);
            assertArrayEquals(Arrays.copyOfRange(file, position, position + length), read, "at " + position);
        }
        assertEquals(0, bytes.range(file.length, 0).remaining());
    }

    @ParameterizedTest
    @ValueSource(ints = {9, 13, 16, 1 << 20})
    void tensorsReadStridedViewsAcrossSegments(int segmentSize) throws IOException {
        MappedBytes bytes = mapDoubles(segmentSize);
        long[] shape = {4, 5};
        Tensor matrix = new Tensor(DType.F64, shape, Tensor.contiguousStrides(shape), bytes, PREFIX,
                ByteOrder.LITTLE_ENDIAN, "matrix");
        Tensor transposed = new Tensor(DType.F64, new long[] {5, 4}, new long[] {1, 5}, bytes, PREFIX + 8 * 2,
                ByteOrder.LITTLE_ENDIAN, "transposed");
        double[] expected = new double[20];
        double[] expectedTransposed = new double[20];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 5; j++) {
                expected[5 * i + j] = 5 * i + j + 0.5;
                expectedTransposed[4 * j + i] = 2 + 5 * i + j + 0.5;
            }
        }
        assertArrayEquals(expected, matrix.doubles());
        assertArrayEquals(expectedTransposed, transposed.doubles());
        float[] floats = transposed.floats();
        for (int i = 0; i < 20; i++) {
            assertEquals((float) expectedTransposed[i], floats[i]);
        }
    }
}
