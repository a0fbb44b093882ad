package dev.e3j.runtime.io;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.e3j.runtime.io.TorchFiles.StoredTensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every truncation of valid files, and 400 random changes of one to four bytes of them and of a real torch.save
 * file: reading either succeeds (and every tensor then reads) or fails with an {@link IOException}; never another
 * exception, an error or a hang.
 */
class CorruptFilesTest {

    @TempDir
    Path dir;

    private byte[] safetensors() throws IOException {
        Path file = new SafetensorsFiles.Builder().metadata("{\"normalize2mom\": \"{\\\"a\\\": 1.5}\"}")
                .add("a.weight", "F64", new long[] {2, 3}, SafetensorsFiles.doubles(1, 2, 3, 4, 5, 6))
                .add("b", "F16", new long[] {2}, SafetensorsFiles.integers(2, 0x3C00, 0x4000))
                .add("c", "I64", new long[] {}, SafetensorsFiles.integers(8, 7))
                .add("d", "BOOL", new long[] {0}, new byte[0])
                .write(dir.resolve("valid.safetensors"));
        return Files.readAllBytes(file);
    }

    private byte[] torch() throws IOException {
        ByteBuffer storage = ByteBuffer.allocate(48).order(ByteOrder.LITTLE_ENDIAN);
        storage.asDoubleBuffer().put(new double[] {1, 2, 3, 4, 5, 6});
        List<StoredTensor> tensors = List.of(
                new StoredTensor("w", "DoubleStorage", "0", 6, 0, new long[] {2, 3}, new long[] {3, 1}),
                new StoredTensor("w_t", "DoubleStorage", "0", 6, 1, new long[] {2, 2}, new long[] {1, 3}, true));
        Path file = dir.resolve("valid.pt");
        TorchFiles.writeArchive(file, "archive", TorchFiles.stateDictPickle(tensors), Map.of("0", storage.array()),
                "little");
        return Files.readAllBytes(file);
    }

    @Test
    void everyTruncationIsAnIOException() throws IOException {
        for (byte[] valid : List.of(safetensors(), torch())) {
            StateDict.read(Files.write(dir.resolve("whole"), valid));
            for (int length = 0; length < valid.length; length++) {
                Path file = Files.write(dir.resolve("cut"), Arrays.copyOf(valid, length));
                assertThrows(IOException.class, () -> StateDict.read(file), "truncated to " + length + " bytes");
            }
        }
    }

    @Test
    void randomByteChangesGiveIOExceptionsOrValidFiles() throws Exception {
        Random random = new Random(18);
        byte[] realTorch = Files.readAllBytes(Path.of(getClass().getResource("/io/module.pt").toURI()));
        for (byte[] valid : List.of(safetensors(), torch(), realTorch)) {
            for (int trial = 0; trial < 400; trial++) {
                byte[] bytes = valid.clone();
                int changes = 1 + random.nextInt(4);
                StringBuilder description = new StringBuilder();
                for (int c = 0; c < changes; c++) {
                    int position = random.nextInt(bytes.length);
                    bytes[position] = (byte) random.nextInt(256);
                    description.append(" byte ").append(position).append(" = ").append(bytes[position]);
                }
                Path file = Files.write(dir.resolve("mutated"), bytes);
                try {
                    StateDict weights = StateDict.read(file);
                    for (String name : weights.names()) {
                        Tensor tensor = weights.tensor(name);
                        tensor.doubles();
                        tensor.floats();
                        if (!tensor.dtype().isFloatingPoint()) {
                            tensor.longs();
                        }
                    }
                } catch (IOException expected) {
                    continue;
                } catch (RuntimeException | Error e) {
                    throw new AssertionError("trial " + trial + " with" + description + ": " + e, e);
                }
            }
        }
    }

    @Test
    void missingFilesAndDirectoriesAreIOExceptions() {
        assertThrows(IOException.class, () -> StateDict.read(dir.resolve("missing.safetensors")));
        assertThrows(IOException.class, () -> StateDict.read(dir));
    }
}
