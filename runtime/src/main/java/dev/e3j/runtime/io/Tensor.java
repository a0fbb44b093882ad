package dev.e3j.runtime.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One stored tensor: its {@link DType}, its shape, and its elements, read on demand into row-major Java arrays
 * converted from the stored type. A tensor read from a file is a view of the mapped file: nothing is copied until
 * {@link #doubles()}, {@link #floats()} or {@link #longs()} fills a new array, and PyTorch views (transposed, sliced:
 * any strides and storage offset) come out in row-major order of their shape. Instances are immutable.
 */
public final class Tensor {

    /** Largest array length the JVM reliably allocates. */
    private static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

    private final DType dtype;
    private final long[] shape;
    private final long[] strides;
    private final long elementCount;
    private final MappedBytes bytes;
    private final long position;
    private final ByteOrder order;
    private final String origin;

    /**
     * A tensor whose element {@code (i0, ..., ik)} is stored at byte
     * {@code position + (i0 * strides[0] + ... + ik * strides[k]) * dtype.byteSize()} of {@code bytes}. The reader
     * has checked every element lies inside {@code bytes}; {@code origin} names the tensor in messages.
     */
    Tensor(DType dtype, long[] shape, long[] strides, MappedBytes bytes, long position, ByteOrder order,
            String origin) {
        this.dtype = dtype;
        this.shape = shape.clone();
        this.strides = strides.clone();
        this.elementCount = elementCount(shape);
        this.bytes = bytes;
        this.position = position;
        this.order = order;
        this.origin = origin;
    }

    /** A {@link DType#F64} tensor holding a copy of {@code values} (row-major) with the given shape. */
    public static Tensor ofDoubles(long[] shape, double[] values) {
        ByteBuffer buffer = allocate(shape, values.length, DType.F64);
        buffer.asDoubleBuffer().put(values);
        return inMemory(DType.F64, shape, buffer);
    }

    /** A {@link DType#F32} tensor holding a copy of {@code values} (row-major) with the given shape. */
    public static Tensor ofFloats(long[] shape, float[] values) {
        ByteBuffer buffer = allocate(shape, values.length, DType.F32);
        buffer.asFloatBuffer().put(values);
        return inMemory(DType.F32, shape, buffer);
    }

    /** A {@link DType#I64} tensor holding a copy of {@code values} (row-major) with the given shape. */
    public static Tensor ofLongs(long[] shape, long[] values) {
        ByteBuffer buffer = allocate(shape, values.length, DType.I64);
        buffer.asLongBuffer().put(values);
        return inMemory(DType.I64, shape, buffer);
    }

    private static ByteBuffer allocate(long[] shape, int length, DType dtype) {
        for (long size : shape) {
            if (size < 0) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has a negative size");
            }
        }
        long expected = elementCount(shape);
        if (expected != length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds "
                    + (expected < 0 ? "more than 2^63" : expected) + " elements, but values has length " + length);
        }
        return ByteBuffer.allocate(length * dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static Tensor inMemory(DType dtype, long[] shape, ByteBuffer buffer) {
        return new Tensor(dtype, shape, contiguousStrides(shape), MappedBytes.wrap(buffer), 0, ByteOrder.LITTLE_ENDIAN,
                "in-memory tensor " + dtype + Arrays.toString(shape));
    }

    /** The element type as stored. */
    public DType dtype() {
        return dtype;
    }

    /** The sizes of the dimensions (a copy); empty for a scalar. */
    public long[] shape() {
        return shape.clone();
    }

    /** The number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** The number of elements, the product of the shape (1 for a scalar). */
    public long elementCount() {
        return elementCount;
    }

    /** The elements in row-major order as doubles (exact for every dtype but {@link DType#I64} beyond 2^53). */
    public double[] doubles() {
        double[] out = new double[arrayLength()];
        forEachRun((slice, at, count) -> {
            if (dtype == DType.F64) {
                slice.asDoubleBuffer().get(out, at, count);
            } else {
                for (int i = 0; i < count; i++) {
                    out[at + i] = doubleAt(slice, i);
                }
            }
        });
        return out;
    }

    /** The elements in row-major order as floats ({@link DType#F64} and wide integers rounded to nearest). */
    public float[] floats() {
        float[] out = new float[arrayLength()];
        forEachRun((slice, at, count) -> {
            if (dtype == DType.F32) {
                slice.asFloatBuffer().get(out, at, count);
            } else if (dtype == DType.I64) {
                for (int i = 0; i < count; i++) {
                    out[at + i] = slice.getLong(8 * i);
                }
            } else {
                for (int i = 0; i < count; i++) {
                    out[at + i] = (float) doubleAt(slice, i);
                }
            }
        });
        return out;
    }

    /**
     * The elements in row-major order as longs, for integer and boolean tensors (false 0, true 1).
     *
     * @throws IllegalStateException if the tensor holds floating-point numbers
     */
    public long[] longs() {
        if (dtype.isFloatingPoint()) {
            throw new IllegalStateException(origin + " holds " + dtype
                    + " numbers: longs() reads integer and bool tensors; use doubles() or floats()");
        }
        long[] out = new long[arrayLength()];
        forEachRun((slice, at, count) -> {
            for (int i = 0; i < count; i++) {
                out[at + i] = dtype == DType.I64 ? slice.getLong(8 * i) : (long) doubleAt(slice, i);
            }
        });
        return out;
    }

    /** {@code F64[10, 16]}. */
    @Override
    public String toString() {
        return dtype + Arrays.toString(shape);
    }

    private int arrayLength() {
        if (elementCount > MAX_ARRAY_LENGTH) {
            throw new IllegalStateException(origin + " has " + elementCount
                    + " elements, more than a Java array holds (" + MAX_ARRAY_LENGTH + ")");
        }
        return (int) elementCount;
    }

    private double doubleAt(ByteBuffer slice, int i) {
        switch (dtype) {
            case F64:
                return slice.getDouble(8 * i);
            case F32:
                return slice.getFloat(4 * i);
            case F16:
                return halfToFloat(slice.getShort(2 * i));
            case BF16:
                return Float.intBitsToFloat(slice.getShort(2 * i) << 16);
            case I64:
                return slice.getLong(8 * i);
            case I32:
                return slice.getInt(4 * i);
            case I16:
                return slice.getShort(2 * i);
            case I8:
                return slice.get(i);
            case U8:
                return slice.get(i) & 0xFF;
            case BOOL:
                return slice.get(i) != 0 ? 1 : 0;
            default:
                throw new AssertionError(dtype);
        }
    }

    /** IEEE 754 binary16 to binary32, exactly (JDK 17 has no {@code Float.float16ToFloat}). */
    static float halfToFloat(short half) {
        int bits = half & 0xFFFF;
        int sign = (bits >>> 15) << 31;
        int exponent = (bits >>> 10) & 0x1F;
        int mantissa = bits & 0x3FF;
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float magnitude = mantissa * 0x1p-24f;
            return sign != 0 ? -magnitude : magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 127 - 15) << 23) | (mantissa << 13));
    }

    /**
     * Hands {@code consumer} the elements in row-major order as runs that are contiguous in storage: the trailing
     * dimensions whose strides are row-major form one run, and the leading dimensions are walked like an odometer.
     */
    private void forEachRun(MappedBytes.SliceConsumer consumer) {
        int total = arrayLength();
        if (total == 0) {
            return;
        }
        int leading = shape.length;
        long runLength = 1;
        while (leading > 0 && (shape[leading - 1] == 1 || strides[leading - 1] == runLength)) {
            runLength *= shape[leading - 1];
            leading--;
        }
        int run = (int) runLength;
        long[] index = new long[leading];
        long element = 0;
        for (int done = 0; ; ) {
            int first = done;
            bytes.forEachSlice(position + element * dtype.byteSize(), run, dtype.byteSize(), order,
                    (slice, at, count) -> consumer.accept(slice, first + at, count));
            done += run;
            if (done == total) {
                return;
            }
            int k = leading - 1;
            while (++index[k] == shape[k]) {
                element -= (shape[k] - 1) * strides[k];
                index[k] = 0;
                k--;
            }
            element += strides[k];
        }
    }

    /** Row-major strides (in elements) of a contiguous tensor of this shape. */
    static long[] contiguousStrides(long[] shape) {
        long[] strides = new long[shape.length];
        long stride = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            strides[d] = stride;
            stride *= Math.max(shape[d], 1);
        }
        return strides;
    }

    /** The product of {@code shape} (non-negative sizes), or -1 if it exceeds a {@code long}. */
    static long elementCount(long[] shape) {
        long count = 1;
        for (long size : shape) {
            if (size == 0) {
                return 0;
            }
        }
        for (long size : shape) {
            if (count > Long.MAX_VALUE / size) {
                return -1;
            }
            count *= size;
        }
        return count;
    }

    /**
     * The storage elements a tensor of this shape and these strides (non-negative) spans from its first element,
     * {@code 1 + sum((size - 1) * stride)}: 0 if it is empty, -1 if that exceeds a {@code long}.
     */
    static long storageSpan(long[] shape, long[] strides) {
        if (elementCount(shape) == 0) {
            return 0;
        }
        long span = 1;
        for (int d = 0; d < shape.length; d++) {
            long size = shape[d] - 1;
            if (size != 0 && strides[d] > (Long.MAX_VALUE - span) / size) {
                return -1;
            }
            span += size * strides[d];
        }
        return span;
    }
}
