package dev.e3j.runtime.io;

import static dev.e3j.runtime.io.SafetensorsFiles.doubles;
import static dev.e3j.runtime.io.SafetensorsFiles.floats;
import static dev.e3j.runtime.io.SafetensorsFiles.integers;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {

    @TempDir
    Path dir;

    private static long[] shape(long... sizes) {
        return sizes;
    }

    @Test
    void readsEveryDtypeConverted() throws IOException {
        Path file = new SafetensorsFiles.Builder()
                .add("f64", "F64", shape(2, 2), doubles(1.5, -2.25, 1e-300, Math.PI))
                .add("f32", "F32", shape(3), floats(0.1f, -3.5f, Float.MAX_VALUE))
                .add("f16", "F16", shape(8), integers(2, 0x3C00, 0xC000, 0x7BFF, 0x0001, 0x7C00, 0xFC00, 0x8000,
                        0x3555))
                .add("bf16", "BF16", shape(2), integers(2, 0x3F80, 0xC049))
                .add("i64", "I64", shape(2), integers(8, Long.MAX_VALUE, -5))
                .add("i32", "I32", shape(2), integers(4, -7, 123456))
                .add("i16", "I16", shape(1), integers(2, -300))
                .add("i8", "I8", shape(2), integers(1, -128, 127))
                .add("u8", "U8", shape(2), integers(1, 200, 0))
                .add("bool", "BOOL", shape(3), integers(1, 1, 0, 1))
                .write(dir.resolve("all.safetensors"));
        StateDict weights = StateDict.read(file);

        assertEquals(List.of("f64", "f32", "f16", "bf16", "i64", "i32", "i16", "i8", "u8", "bool"), weights.names());
        assertEquals(DType.F16, weights.dtype("f16"));
        assertArrayEquals(new long[] {2, 2}, weights.shape("f64"));
        assertArrayEquals(new double[] {1.5, -2.25, 1e-300, Math.PI}, weights.doubles("f64"));
        assertArrayEquals(new float[] {1.5f, -2.25f, 0f, (float) Math.PI}, weights.floats("f64"));
        assertArrayEquals(new double[] {0.1f, -3.5f, Float.MAX_VALUE}, weights.doubles("f32"));
        assertArrayEquals(new double[] {1, -2, 65504, 0x1p-24, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
            -0.0, 0.333251953125}, weights.doubles("f16"));
        assertArrayEquals(new float[] {1f, -3.140625f}, weights.floats("bf16"));
        assertArrayEquals(new long[] {Long.MAX_VALUE, -5}, weights.longs("i64"));
        assertArrayEquals(new float[] {9.223372E18f, -5f}, weights.floats("i64"));
        assertArrayEquals(new double[] {-7, 123456}, weights.doubles("i32"));
        assertArrayEquals(new long[] {-300}, weights.longs("i16"));
        assertArrayEquals(new double[] {-128, 127}, weights.doubles("i8"));
        assertArrayEquals(new long[] {200, 0}, weights.longs("u8"));
        assertArrayEquals(new double[] {1, 0, 1}, weights.doubles("bool"));
        assertArrayEquals(new long[] {1, 0, 1}, weights.longs("bool"));
        IllegalStateException floating = assertThrows(IllegalStateException.class, () -> weights.longs("f32"));
        assertTrue(floating.getMessage().contains("tensor 'f32' of " + file + " holds F32"), floating.getMessage());
    }

    /** A metadata entry that is a JSON object of any values (the exporters' constructor arguments). */
    @Test
    void readsMetadataObjects() throws IOException {
        Path file = new SafetensorsFiles.Builder()
                .metadata("{\"constructor\": \"{\\\"gate\\\": \\\"silu\\\", \\\"avg\\\": 4.5, "
                        + "\\\"hs\\\": [64, 64], \\\"shift\\\": true}\", \"list\": \"[1, 2]\"}")
                .add("scalar", "F64", shape(), doubles(2.5))
                .write(dir.resolve("constructor.safetensors"));
        StateDict weights = StateDict.read(file);
        Map<String, Object> constructor = weights.metadataObject("constructor");
        assertEquals(List.of("gate", "avg", "hs", "shift"), List.copyOf(constructor.keySet()));
        assertEquals("silu", constructor.get("gate"));
        assertEquals(4.5, constructor.get("avg"));
        assertEquals(List.of(64L, 64L), constructor.get("hs"));
        assertEquals(Boolean.TRUE, constructor.get("shift"));
        IllegalArgumentException notObject = assertThrows(IllegalArgumentException.class,
                () -> weights.metadataObject("list"));
        assertTrue(notObject.getMessage().contains("metadata 'list' of " + file + " must be a JSON object"),
                notObject.getMessage());
    }

    @Test
    void readsScalarsEmptyTensorsAndMetadata() throws IOException {
        Path file = new SafetensorsFiles.Builder()
                .metadata("{\"format\": \"pt\", "
                        + "\"normalize2mom\": \"{\\\"act\\\": 1.6791767923989418, \\\"g\\\": 2}\"}")
                .add("empty", "F32", shape(0, 3), new byte[0])
                .add("scalar", "F64", shape(), doubles(2.5))
                .write(dir.resolve("small.safetensors"));
        StateDict weights = StateDict.read(file);
        assertEquals(Map.of("format", "pt", "normalize2mom", "{\"act\": 1.6791767923989418, \"g\": 2}"),
                weights.metadata());
        assertEquals(Map.of("act", 1.6791767923989418, "g", 2.0), weights.metadataNumbers("normalize2mom"));
        assertEquals(Map.of(), weights.metadataNumbers("absent"));
        IllegalArgumentException notNumbers = assertThrows(IllegalArgumentException.class,
                () -> weights.metadataNumbers("format"));
        assertTrue(notNumbers.getMessage().contains("metadata 'format' of " + file + " is not JSON"),
                notNumbers.getMessage());
        assertEquals(Map.of("act", 1.6791767923989418, "g", 2L), weights.metadataObject("normalize2mom"));
        assertEquals(Map.of(), weights.metadataObject("absent"));
        assertThrows(IllegalArgumentException.class, () -> weights.metadataObject("format"));
        assertEquals(0, weights.tensor("empty").elementCount());
        assertEquals(0, weights.doubles("empty").length);
        assertEquals(0, weights.tensor("scalar").rank());
        assertArrayEquals(new double[] {2.5}, weights.doubles("scalar"));
        assertTrue(weights.contains("scalar"));
        assertFalse(weights.contains("missing"));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> weights.shape("x"));
        assertEquals("no tensor 'x' in " + file + ", which holds 2 tensors: empty, scalar", missing.getMessage());
    }

    @Test
    void readsTheGatePointsReferenceModel() throws Exception {
        Path file = Path.of(getClass().getResource("/io/gate_points_public.safetensors").toURI());
        StateDict weights = StateDict.read(file);
        assertEquals(46, weights.size());
        assertEquals("layers.0.first.sc.weight", weights.names().get(0));
        assertArrayEquals(new long[] {10, 16}, weights.shape("layers.0.first.fc.layer0.weight"));
        double[] fc = weights.doubles("layers.0.first.fc.layer0.weight");
        assertEquals(0.78387444286363, fc[0]);
        assertEquals(0.5278479488507702, fc[159]);
        assertArrayEquals(new long[] {0}, weights.shape("layers.0.first.tp.weight"));
        double[] w3j = weights.doubles("layers.1.first.tp._compiled_main_left_right._w3j_1_1_2");
        assertEquals(45, w3j.length);
        assertEquals(0.3162277660168379, w3j[44]);
        assertEquals("e3nn.nn.models.gate_points_2101.Network", weights.metadata().get("model"));
        Map<String, Double> constants = weights.metadataNumbers("normalize2mom");
        assertEquals(11, constants.size());
        assertEquals(1.6791767923989418, constants.get("layers.0.first.fc.layer0.act"));
        assertEquals(1.8467055342154763, constants.get("layers.1.second.act_gates.acts.3"));
    }

    private void assertRejected(String header, byte[] data, String... fragments) throws IOException {
        Path file = SafetensorsFiles.write(dir.resolve("bad.safetensors"), header, data);
        assertRejected(file, fragments);
    }

    private static void assertRejected(Path file, String... fragments) {
        IOException error = assertThrows(IOException.class, () -> StateDict.read(file));
        assertTrue(error.getMessage().startsWith(file + ": "), error.getMessage());
        for (String fragment : fragments) {
            assertTrue(error.getMessage().contains(fragment), () -> "'" + fragment + "' not in: " + error.getMessage());
        }
    }

    private static String tensor(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\": {\"dtype\": \"" + dtype + "\", \"shape\": " + shape + ", \"data_offsets\": ["
                + begin + ", " + end + "]}";
    }

    @Test
    void rejectsFilesShorterThanTheHeaderLength() throws IOException {
        Path file = Files.write(dir.resolve("tiny.safetensors"), new byte[] {1, 2, 3});
        assertRejected(file, "holds 3 bytes, fewer than the 8-byte header length");
    }

    @Test
    void rejectsHeaderLengthsBeyondTheFileWithoutAllocating() throws IOException {
        byte[] header = "{}".getBytes(StandardCharsets.UTF_8);
        Path beyond = SafetensorsFiles.write(dir.resolve("beyond.safetensors"), 1000, header, new byte[0]);
        assertRejected(beyond, "the header length 1000 exceeds the 2 bytes that follow it");
        Path absurd = SafetensorsFiles.write(dir.resolve("absurd.safetensors"), -2, header, new byte[0]);
        assertRejected(absurd, "the header length 18446744073709551614 exceeds");
        Path huge = dir.resolve("huge.safetensors");
        SafetensorsFiles.write(huge, SafetensorsReader.MAX_HEADER_BYTES + 1, header, new byte[0]);
        try (RandomAccessFile sparse = new RandomAccessFile(huge.toFile(), "rw")) {
            sparse.setLength(SafetensorsReader.MAX_HEADER_BYTES + 100);
        }
        assertRejected(huge, "exceeds the safetensors limit of 100000000 bytes");
    }

    @Test
    void rejectsMalformedHeaders() throws IOException {
        assertRejected("{\"a\": {\"dtype\": \"F64\",}}", new byte[0], "malformed JSON header: expected a string key");
        assertRejected("[1, 2]", new byte[0], "does not start with '{'");
        Path file = SafetensorsFiles.write(dir.resolve("latin1.safetensors"), 3, new byte[] {'{', (byte) 0xE9, '}'},
                new byte[0]);
        assertRejected(file, "not valid UTF-8");
        assertRejected("{\"a\": [1]}", new byte[0],
                "tensor 'a': expected an object with dtype, shape and data_offsets");
        assertRejected("{\"a\": {\"shape\": [], \"data_offsets\": [0, 8]}}", doubles(1), "tensor 'a': dtype must be");
        assertRejected("{\"__metadata__\": {\"k\": 1}}", new byte[0], "__metadata__ entry 'k' must be a string, got 1");
    }

    @Test
    void rejectsUnknownDtypes() throws IOException {
        assertRejected("{" + tensor("w", "F8_E4M3", "[2]", 0, 2) + "}", new byte[2],
                "tensor 'w': unsupported dtype 'F8_E4M3', expected one of [F64, F32, F16, BF16, I64, I32, I16, I8, U8,"
                        + " BOOL]");
    }

    @Test
    void rejectsShapesThatDisagreeWithTheirByteCount() throws IOException {
        assertRejected("{" + tensor("w", "F64", "[3]", 0, 16) + "}", new byte[16],
                "tensor 'w': data_offsets [0, 16] hold 16 bytes, but shape [3] of F64 needs 3 x 8");
        assertRejected("{" + tensor("w", "F64", "[4611686018427387904, 4]", 0, 16) + "}", new byte[16],
                "needs more than 2^63 elements");
        assertRejected("{" + tensor("w", "F64", "[-2]", 0, 16) + "}", new byte[16],
                "tensor 'w': shape must be an array of non-negative integers, got [-2]");
        assertRejected("{" + tensor("w", "F64", "[1.5]", 0, 16) + "}", new byte[16], "got [1.5]");
        assertRejected("{\"w\": {\"dtype\": \"F64\", \"shape\": [2], \"data_offsets\": [0]}}", new byte[16],
                "data_offsets must be an array of 2 non-negative integers, got [0]");
        assertRejected("{" + tensor("w", "F64", "[0]", 16, 8) + "}", new byte[16], "end before they begin");
    }

    @Test
    void rejectsOffsetsThatOverlapLeaveGapsOrLeaveTheData() throws IOException {
        assertRejected("{" + tensor("a", "F64", "[2]", 0, 16) + ", " + tensor("b", "F64", "[2]", 8, 24) + "}",
                new byte[24], "tensor 'b': data_offsets [8, 24] overlap tensor 'a' [0, 16]");
        assertRejected("{" + tensor("a", "F64", "[1]", 0, 8) + ", " + tensor("b", "F64", "[1]", 16, 24) + "}",
                new byte[24], "bytes [8, 16) of the data section before tensor 'b' belong to no tensor");
        assertRejected("{" + tensor("a", "F64", "[4]", 0, 32) + "}", new byte[20],
                "tensor 'a': data_offsets [0, 32] leave the data section, which holds 20 bytes: the file is truncated");
        assertRejected("{" + tensor("a", "F64", "[1]", 0, 8) + "}", new byte[12],
                "the data section holds 12 bytes, but the tensors end at byte 8");
    }

    @Test
    void rejectsLegacyTorchFiles() throws IOException {
        Path file = Files.write(dir.resolve("legacy.pt"), new byte[] {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c,
            (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19, '.'});
        assertRejected(file, "the legacy torch.save format of PyTorch before 1.6 is not supported");
    }

    @Test
    void convertsHalfPrecisionExactly() {
        for (int bits = 0; bits < 0x10000; bits++) {
            float value = Tensor.halfToFloat((short) bits);
            int exponent = (bits >>> 10) & 0x1F;
            if (exponent == 0x1F && (bits & 0x3FF) != 0) {
                assertTrue(Float.isNaN(value));
                continue;
            }
            double magnitude = exponent == 0x1F ? Double.POSITIVE_INFINITY
                    : exponent == 0 ? (bits & 0x3FF) * 0x1p-24
                    : (1 + (bits & 0x3FF) / 1024.0) * Math.pow(2, exponent - 15);
            double expected = (bits & 0x8000) != 0 ? -magnitude : magnitude;
            assertEquals(expected, value, 0.0, "half 0x" + Integer.toHexString(bits));
            assertEquals(Math.copySign(1.0, expected), Math.copySign(1.0, value));
        }
    }
}
