package dev.e3j.runtime.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Crafts safetensors files byte by byte. */
final class SafetensorsFiles {

    private SafetensorsFiles() {
    }

    /** Lays out tensors one after another, as safetensors writers do, and writes the file. */
    static final class Builder {
        private final StringBuilder header = new StringBuilder();
        private final ByteArrayOutputStream data = new ByteArrayOutputStream();
        private String metadata;

        Builder add(String name, String dtype, long[] shape, byte[] bytes) {
            header.append(header.length() == 0 ? "" : ", ").append('"').append(name).append("\": {\"dtype\": \"")
                    .append(dtype).append("\", \"shape\": ").append(Arrays.toString(shape))
                    .append(", \"data_offsets\": [").append(data.size()).append(", ")
                    .append(data.size() + bytes.length).append("]}");
            data.writeBytes(bytes);
            return this;
        }

        /** The {@code __metadata__} object, as JSON text. */
        Builder metadata(String json) {
            metadata = json;
            return this;
        }

        Path write(Path file) throws IOException {
            String meta = metadata == null ? "" : "\"__metadata__\": " + metadata + (header.length() == 0 ? "" : ", ");
            return SafetensorsFiles.write(file, "{" + meta + header + "}", data.toByteArray());
        }
    }

    /** The 8-byte little-endian length of {@code header}, {@code header} (UTF-8), then {@code data}. */
    static Path write(Path file, String header, byte[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        return write(file, json.length, json, data);
    }

    /** Like {@link #write(Path, String, byte[])} with a declared header length that may lie. */
    static Path write(Path file, long declaredLength, byte[] header, byte[] data) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putLong(declaredLength).put(header).put(data);
        return Files.write(file, bytes.array());
    }

    static byte[] doubles(double... values) {
        ByteBuffer bytes = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asDoubleBuffer().put(values);
        return bytes.array();
    }

    /** Little-endian bytes of {@code values}, each {@code size} bytes wide (1, 2, 4 or 8). */
    static byte[] integers(int size, long... values) {
        ByteBuffer bytes = ByteBuffer.allocate(size * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long value : values) {
            switch (size) {
                case 1 -> bytes.put((byte) value);
                case 2 -> bytes.putShort((short) value);
                case 4 -> bytes.putInt((int) value);
                default -> bytes.putLong(value);
            }
        }
        return bytes.array();
    }

    static byte[] floats(float... values) {
        ByteBuffer bytes = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return bytes.array();
    }
}
