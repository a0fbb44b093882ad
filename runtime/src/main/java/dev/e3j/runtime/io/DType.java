package dev.e3j.runtime.io;

/**
 * The element type of a stored tensor. Constant names are safetensors' dtype names; each also knows the PyTorch storage
 * class that {@code torch.save} records for it ({@code torch.DoubleStorage} for {@link #F64}).
 */
public enum DType {
    /** IEEE 754 binary64, {@code torch.float64}. */
    F64(8, true, "DoubleStorage"),
    /** IEEE 754 binary32, {@code torch.float32}. */
    F32(4, true, "FloatStorage"),
    /** IEEE 754 binary16, {@code torch.float16}. */
    F16(2, true, "HalfStorage"),
    /** bfloat16 (the upper half of a binary32), {@code torch.bfloat16}. */
    BF16(2, true, "BFloat16Storage"),
    /** Signed 64-bit integer, {@code torch.int64}. */
    I64(8, false, "LongStorage"),
    /** Signed 32-bit integer, {@code torch.int32}. */
    I32(4, false, "IntStorage"),
    /** Signed 16-bit integer, {@code torch.int16}. */
    I16(2, false, "ShortStorage"),
    /** Signed 8-bit integer, {@code torch.int8}. */
    I8(1, false, "CharStorage"),
    /** Unsigned 8-bit integer, {@code torch.uint8}. */
    U8(1, false, "ByteStorage"),
    /** Boolean stored in one byte (0 false, anything else true), {@code torch.bool}. */
    BOOL(1, false, "BoolStorage");

    private final int byteSize;
    private final boolean floatingPoint;
    private final String torchStorage;

    DType(int byteSize, boolean floatingPoint, String torchStorage) {
        this.byteSize = byteSize;
        this.floatingPoint = floatingPoint;
        this.torchStorage = torchStorage;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** Whether elements are floating-point numbers (false for integers and booleans). */
    public boolean isFloatingPoint() {
        return floatingPoint;
    }

    /** The class name of PyTorch's storage of this type ({@code "DoubleStorage"}). */
    String torchStorage() {
        return torchStorage;
    }

    /** The dtype that safetensors names {@code name} ({@code "F64"}), or null if it is not one of these. */
    static DType ofSafetensorsName(String name) {
        for (DType type : values()) {
            if (type.name().equals(name)) {
                return type;
            }
        }
        return null;
    }

    /** The dtype of the PyTorch storage class {@code torch.<className>}, or null if it is not one of these. */
    static DType ofTorchStorage(String className) {
        for (DType type : values()) {
            if (type.torchStorage.equals(className)) {
                return type;
            }
        }
        return null;
    }
}
