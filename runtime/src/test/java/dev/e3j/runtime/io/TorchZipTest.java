package dev.e3j.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.runtime.io.TorchFiles.StoredTensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code torch.save} archives crafted byte by byte: layouts PyTorch writes, and hostile variations of them. */
class TorchZipTest {

    @TempDir
    Path dir;

    private static long[] dims(long... sizes) {
        return sizes;
    }

    private static byte[] floatStorage(ByteOrder order, float... values) {
        ByteBuffer bytes = ByteBuffer.allocate(4 * values.length).order(order);
        bytes.asFloatBuffer().put(values);
        return bytes.array();
    }

    private static byte[] doubleStorage(ByteOrder order, double... values) {
        ByteBuffer bytes = ByteBuffer.allocate(8 * values.length).order(order);
        bytes.asDoubleBuffer().put(values);
        return bytes.array();
    }

    /** Views of two storages: contiguous, transposed, strided with an offset, a scalar, a parameter. */
    private static final List<StoredTensor> VIEWS = List.of(
            new StoredTensor("layers.0.weight", "FloatStorage", "0", 6, 0, dims(2, 3), dims(3, 1)),
            new StoredTensor("layers.0.weight_t", "FloatStorage", "0", 6, 0, dims(3, 2), dims(1, 3)),
            new StoredTensor("column", "FloatStorage", "0", 6, 1, dims(2), dims(3)),
            new StoredTensor("bias", "DoubleStorage", "1", 3, 0, dims(3), dims(1), true),
            new StoredTensor("scale", "DoubleStorage", "1", 3, 2, dims(), dims()));

    private Path archive(String name, String folder, ByteOrder order, String byteorder) throws IOException {
        Map<String, byte[]> storages = new LinkedHashMap<>();
        storages.put("0", floatStorage(order, 0, 1, 2, 3, 4, 5));
        storages.put("1", doubleStorage(order, 1.5, 2.5, 3.5));
        Path file = dir.resolve(name);
        TorchFiles.writeArchive(file, folder, TorchFiles.stateDictPickle(VIEWS), storages, byteorder);
        return file;
    }

    private static void assertViews(StateDict weights) {
        assertEquals(List.of("layers.0.weight", "layers.0.weight_t", "column", "bias", "scale"), weights.names());
        assertEquals(DType.F32, weights.dtype("layers.0.weight"));
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, weights.floats("layers.0.weight"));
        assertArrayEquals(new long[] {3, 2}, weights.shape("layers.0.weight_t"));
        assertArrayEquals(new double[] {0, 3, 1, 4, 2, 5}, weights.doubles("layers.0.weight_t"));
        assertArrayEquals(new double[] {1, 4}, weights.doubles("column"));
        assertEquals(DType.F64, weights.dtype("bias"));
        assertArrayEquals(new double[] {1.5, 2.5, 3.5}, weights.doubles("bias"));
        assertArrayEquals(new long[0], weights.shape("scale"));
        assertArrayEquals(new double[] {3.5}, weights.doubles("scale"));
        assertEquals(Map.of(), weights.metadata());
    }

    @Test
    void readsViewsOfSharedStorages() throws IOException {
        assertViews(StateDict.read(archive("model.pt", "archive", ByteOrder.LITTLE_ENDIAN, "little")));
    }

    @Test
    void readsAnyFolderNameAndBothByteOrders() throws IOException {
        assertViews(StateDict.read(archive("old.pt", "old", ByteOrder.LITTLE_ENDIAN, null)));
        assertViews(StateDict.read(archive("big.pt", "big", ByteOrder.BIG_ENDIAN, "big")));
    }

    @Test
    void readsProtocolFourOpcodes() throws IOException {
        PickleWriter pickle = new PickleWriter().proto(4).op(0x95).bytes(new byte[8]).op('}').op(0x94).mark();
        shortString(pickle, "w");
        shortString(shortString(pickle, "torch._utils"), "_rebuild_tensor_v2").op(0x93).op(0x94);
        pickle.mark().mark();
        shortString(pickle, "storage");
        shortString(shortString(pickle, "torch"), "DoubleStorage").op(0x93);
        shortString(shortString(pickle, "0"), "cpu").integer(3).op('t').op('Q');
        pickle.integer(0).integer(3).op(0x85).integer(1).op(0x85).op(0x88);
        shortString(shortString(pickle, "collections"), "OrderedDict").op(0x93).op(')').op('R').op('t').op('R');
        byte[] data = pickle.op('u').stop().toByteArray();
        Path file = dir.resolve("protocol4.pt");
        TorchFiles.writeArchive(file, "archive", data, Map.of("0", doubleStorage(ByteOrder.LITTLE_ENDIAN, 7, 8, 9)),
                "little");
        assertArrayEquals(new double[] {7, 8, 9}, StateDict.read(file).doubles("w"));
    }

    private static PickleWriter shortString(PickleWriter pickle, String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        return pickle.op(0x8c).op(utf8.length).bytes(utf8);
    }

    private Path withPickle(byte[] pickle) throws IOException {
        Path file = dir.resolve("crafted.pt");
        TorchFiles.writeArchive(file, "archive", pickle, Map.of("0", floatStorage(ByteOrder.LITTLE_ENDIAN, 1, 2)),
                "little");
        return file;
    }

    private static void assertRejected(Path file, String... fragments) {
        IOException error = assertThrows(IOException.class, () -> StateDict.read(file));
        assertTrue(error.getMessage().startsWith(file + ": "), error.getMessage());
        for (String fragment : fragments) {
            assertTrue(error.getMessage().contains(fragment), () -> "'" + fragment + "' not in: " + error.getMessage());
        }
    }

    @Test
    void rejectsGlobalsOutsideTheAllowList() throws IOException {
        byte[] system = new PickleWriter().proto(2).global("os", "system").string("echo owned").op(0x85).op('R')
                .stop().toByteArray();
        assertRejected(withPickle(system), "archive/data.pkl: global os.system is outside the allow-list",
                "(at byte 2)");
        PickleWriter eval = new PickleWriter().proto(4);
        shortString(shortString(eval, "builtins"), "eval").op(0x93);
        assertRejected(withPickle(eval.stop().toByteArray()), "global builtins.eval is outside the allow-list",
                "(at byte 18)");
        byte[] complex = new PickleWriter().proto(2).global("torch", "ComplexFloatStorage").stop().toByteArray();
        assertRejected(withPickle(complex), "global torch.ComplexFloatStorage is outside the allow-list");
    }

    @Test
    void rejectsOpcodesOutsideTheAllowList() throws IOException {
        byte[] newobj = new PickleWriter().proto(2).global("collections", "OrderedDict").op(')').op(0x81).stop()
                .toByteArray();
        assertRejected(withPickle(newobj), "opcode 0x81 (NEWOBJ) is outside the allow-list", "(at byte 28)");
        byte[] inst = new PickleWriter().proto(2).mark().op('i').bytes("os\nsystem\n".getBytes(StandardCharsets.UTF_8))
                .stop().toByteArray();
        assertRejected(withPickle(inst), "opcode 0x69 'i' (INST) is outside the allow-list", "(at byte 3)");
        assertRejected(withPickle(new byte[] {(byte) 0x80, 2, 1}), "opcode 0x01 (not a pickle opcode)");
        assertRejected(withPickle(new byte[] {(byte) 0x80, 6}), "pickle protocol 6 is newer than the highest known");
    }

    @Test
    void callsNothingButTheRebuildFunctions() throws IOException {
        byte[] storageCall = new PickleWriter().proto(2).global("torch", "FloatStorage").op(')').op('R').stop()
                .toByteArray();
        assertRejected(withPickle(storageCall), "REDUCE calls storage class torch.FloatStorage");
        byte[] stringCall = new PickleWriter().proto(2).string("f").op(')').op('R').stop().toByteArray();
        assertRejected(withPickle(stringCall), "REDUCE calls str");
        byte[] buildList = new PickleWriter().proto(2).op(']').op('}').op('b').stop().toByteArray();
        assertRejected(withPickle(buildList), "BUILD of list with dict");
        byte[] notStorage = new PickleWriter().proto(2).mark().string("module").string("x").op('t').op('Q').stop()
                .toByteArray();
        assertRejected(withPickle(notStorage), "persistent id ('module', 'x') is not ('storage'");
        byte[] listKey = new PickleWriter().proto(2).op('}').op(']').integer(1).op('s').stop().toByteArray();
        assertRejected(withPickle(listKey), "a dict key is a list");
        byte[] badSize = new PickleWriter().proto(2).global("torch._utils", "_rebuild_tensor_v2").mark().mark()
                .string("storage").global("torch", "FloatStorage").string("0").string("cpu").integer(2).op('t')
                .op('Q').integer(0).string("2").op(0x85).integer(1).op(0x85).op(0x89).op('}').op('t').op('R').stop()
                .toByteArray();
        assertRejected(withPickle(badSize), "size must hold ints below 2^63, got str at index 0");
    }

    @Test
    void rejectsTruncatedAndInconsistentPickles() throws IOException {
        byte[] longString = new PickleWriter().proto(2).op('X').bytes(new byte[] {-24, 3, 0, 0}).bytes(new byte[3])
                .stop().toByteArray();
        assertRejected(withPickle(longString), "a string of 1000 bytes, 4 remain");
        byte[] hugeString = new PickleWriter().proto(2).op('X').bytes(new byte[] {-1, -1, -1, -1}).stop()
                .toByteArray();
        assertRejected(withPickle(hugeString), "a string of 4294967295 bytes, 1 remain");
        byte[] cut = new PickleWriter().proto(2).op('J').bytes(new byte[2]).toByteArray();
        assertRejected(withPickle(cut), "opcode 0x4a 'J' (BININT) needs 4 more bytes, 2 remain");
        assertRejected(withPickle(new byte[] {(byte) 0x80, 2, '}'}), "the pickle ends without a STOP opcode");
        assertRejected(withPickle(new byte[] {(byte) 0x80, 2, 'R'}), "opcode 0x52 'R' (REDUCE) pops an empty stack");
        assertRejected(withPickle(new byte[] {(byte) 0x80, 2, 'h', 5, '.'}), "memo entry 5 was never stored");
        assertRejected(withPickle(new byte[] {(byte) 0x80, 2, 'u', '.'}), "(SETITEMS) without a MARK");
        assertRejected(withPickle(new byte[] {(byte) 0x80, 2, ']', '.'}),
                "archive/data.pkl holds a Python list, not the dict of tensors");
        byte[] notTensor = new PickleWriter().proto(2).op('}').string("epoch").integer(3).op('s').stop()
                .toByteArray();
        assertRejected(withPickle(notTensor), "'epoch' holds a Python int, not a tensor");
    }

    private Path singleTensor(String storageType, long count, long offset, long[] shape, long[] strides,
            Map<String, byte[]> storages) throws IOException {
        Path file = dir.resolve("single.pt");
        byte[] pickle = TorchFiles.stateDictPickle(
                List.of(new StoredTensor("w", storageType, "0", count, offset, shape, strides)));
        TorchFiles.writeArchive(file, "archive", pickle, storages, "little");
        return file;
    }

    @Test
    void rejectsStoragesThatDisagreeWithTheirTensors() throws IOException {
        Map<String, byte[]> sixFloats = Map.of("0", new byte[24]);
        assertRejected(singleTensor("FloatStorage", 6, 0, dims(3, 3), dims(3, 1), sixFloats),
                "tensor 'w' with size [3, 3], stride [3, 1] and storage offset 0 reaches beyond its storage of 6");
        assertRejected(singleTensor("FloatStorage", 6, 5, dims(2), dims(1), sixFloats), "reaches beyond");
        assertRejected(singleTensor("FloatStorage", 6, 0, dims(1L << 62, 1L << 62), dims(1, 1), sixFloats),
                "reaches beyond");
        assertRejected(singleTensor("FloatStorage", 6, 0, dims(2, 3), dims(3, 1), Map.of("0", new byte[20])),
                "tensor 'w': storage archive/data/0 holds 20 bytes, but 6 x F32 elements need 6 x 4");
        assertRejected(singleTensor("FloatStorage", 1L << 62, 0, dims(2), dims(1), sixFloats), "holds 24 bytes");
        assertRejected(singleTensor("FloatStorage", 6, 0, dims(2, 3), dims(3, 1), Map.of()),
                "tensor 'w': its storage record archive/data/0 is missing");
        assertArrayEquals(new double[0],
                StateDict.read(singleTensor("FloatStorage", 6, 6, dims(0), dims(1), sixFloats)).doubles("w"));
    }

    /** The archive with both sizes of entry {@code name} in its central directory record set to {@code size}. */
    private static byte[] withCentralSizes(byte[] archive, String name, long size) {
        byte[] target = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer bytes = ByteBuffer.wrap(archive.clone()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i + 46 + target.length <= archive.length; i++) {
            if (bytes.getInt(i) == 0x02014b50 && (bytes.getShort(i + 28) & 0xFFFF) == target.length
                    && Arrays.equals(Arrays.copyOfRange(archive, i + 46, i + 46 + target.length), target)) {
                bytes.putInt(i + 20, (int) size).putInt(i + 24, (int) size);
                return bytes.array();
            }
        }
        throw new AssertionError(name + " not in the central directory");
    }

    @Test
    void rejectsArchivesTorchSaveDoesNotWrite() throws IOException {
        Path valid = archive("valid.pt", "archive", ByteOrder.LITTLE_ENDIAN, "little");
        byte[] bytes = Files.readAllBytes(valid);
        Path truncated = Files.write(dir.resolve("truncated.pt"), Arrays.copyOf(bytes, bytes.length - 10));
        assertRejected(truncated, "no end of central directory record");

        Path deflated = dir.resolve("deflated.pt");
        Map<String, byte[]> records = new LinkedHashMap<>();
        records.put("archive/data.pkl", TorchFiles.stateDictPickle(List.of()));
        TorchFiles.writeZip(deflated, records, ZipEntry.DEFLATED);
        assertRejected(deflated, "archive/data.pkl is compressed or encrypted (zip method 8");

        Path noPickle = dir.resolve("nopickle.pt");
        TorchFiles.writeZip(noPickle, Map.of("archive/version", new byte[] {'3'}), ZipEntry.STORED);
        assertRejected(noPickle, "holds no <folder>/data.pkl");

        Path hugePickle = Files.write(dir.resolve("hugepickle.pt"), withCentralSizes(bytes, "archive/data.pkl",
                TorchZipReader.MAX_PICKLE_BYTES + 1));
        assertRejected(hugePickle, "archive/data.pkl holds 100000001 bytes, more than the 100000000");

        ByteBuffer hugeDirectory = ByteBuffer.wrap(bytes.clone()).order(ByteOrder.LITTLE_ENDIAN);
        hugeDirectory.putInt(bytes.length - 22 + 12, (int) ZipDirectory.MAX_DIRECTORY_BYTES + 1);
        assertRejected(Files.write(dir.resolve("hugedirectory.pt"), hugeDirectory.array()),
                "the central directory holds 100000001 bytes, more than the 100000000");

        Path middle = dir.resolve("middle.pt");
        TorchFiles.writeArchive(middle, "archive", TorchFiles.stateDictPickle(List.of()), Map.of(), "middle");
        assertRejected(middle, "archive/byteorder says 'middle', expected 'little' or 'big'");
    }
}
