package dev.e3j.spark;

import dev.e3j.runtime.io.DType;
import dev.e3j.runtime.io.StateDict;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Writes a state dict of {@code F64} and {@code I64} tensors as the bytes of a safetensors file. */
final class SafetensorsBytes {

    private SafetensorsBytes() {
    }

    static byte[] of(StateDict weights) {
        StringBuilder header = new StringBuilder("{");
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (String name : weights.names()) {
            DType dtype = weights.dtype(name);
            byte[] bytes;
            if (dtype == DType.F64) {
                double[] values = weights.doubles(name);
                ByteBuffer buffer = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
                buffer.asDoubleBuffer().put(values);
                bytes = buffer.array();
            } else if (dtype == DType.I64) {
                long[] values = weights.longs(name);
                ByteBuffer buffer = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
                buffer.asLongBuffer().put(values);
                bytes = buffer.array();
            } else {
                throw new IllegalArgumentException("only F64 and I64 tensors are written, got " + dtype + " for "
                        + name);
            }
            header.append(header.length() == 1 ? "" : ", ").append('"').append(name).append("\": {\"dtype\": \"")
                    .append(dtype).append("\", \"shape\": ").append(Arrays.toString(weights.shape(name)))
                    .append(", \"data_offsets\": [").append(data.size()).append(", ")
                    .append(data.size() + bytes.length).append("]}");
            data.writeBytes(bytes);
        }
        byte[] json = header.append('}').toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer file = ByteBuffer.allocate(8 + json.length + data.size()).order(ByteOrder.LITTLE_ENDIAN);
        file.putLong(json.length).put(json).put(data.toByteArray());
        return file.array();
    }
}
