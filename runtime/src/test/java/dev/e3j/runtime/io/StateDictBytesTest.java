package dev.e3j.runtime.io;

import static dev.e3j.runtime.io.SafetensorsFiles.doubles;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link StateDict#read(ByteBuffer, String)}: a file's bytes in memory read as the file itself is. */
class StateDictBytesTest {

    @TempDir
    Path dir;

    private static Path resource(String name) throws Exception {
        return Path.of(StateDictBytesTest.class.getResource("/io/" + name).toURI());
    }

    private static void assertSameTensors(StateDict expected, StateDict actual) {
        assertEquals(expected.names(), actual.names());
        for (String name : expected.names()) {
            assertEquals(expected.dtype(name), actual.dtype(name), name);
            assertArrayEquals(expected.shape(name), actual.shape(name), name);
            assertArrayEquals(expected.doubles(name), actual.doubles(name), name);
        }
        assertEquals(expected.metadata(), actual.metadata());
    }

    @Test
    void readsSafetensorsBytesAsTheFile() throws IOException {
        Path file = new SafetensorsFiles.Builder()
                .add("pair.epsilon", "F64", new long[] {2}, doubles(0.25, -1e-300))
                .add("pair.sigma", "F64", new long[] {1}, doubles(Math.PI))
                .metadata("{\"normalize2mom\": \"{\\\"act\\\": 1.5}\"}")
                .write(dir.resolve("pair.safetensors"));

        StateDict fromBytes = StateDict.read(ByteBuffer.wrap(Files.readAllBytes(file)), "pair weights");

        assertSameTensors(StateDict.read(file), fromBytes);
        assertEquals(Map.of("act", 1.5), fromBytes.metadataNumbers("normalize2mom"));
        assertEquals("StateDict(pair weights, 2 tensors)", fromBytes.toString());
    }

    @Test
    void readsTorchSaveBytesAsTheFile() throws Exception {
        Path file = resource("views.pt");
        assertSameTensors(StateDict.read(file), StateDict.read(ByteBuffer.wrap(Files.readAllBytes(file)), "views"));
    }

    @Test
    void readsFromThePositionToTheLimitAndLeavesThemAsTheyWere() throws Exception {
        byte[] file = Files.readAllBytes(resource("module.safetensors"));
        byte[] padded = new byte[file.length + 7];
        System.arraycopy(file, 0, padded, 3, file.length);
        ByteBuffer buffer = ByteBuffer.wrap(padded, 3, file.length);

        StateDict weights = StateDict.read(buffer, "module");

        assertSameTensors(StateDict.read(resource("module.safetensors")), weights);
        assertEquals(3, buffer.position());
        assertEquals(3 + file.length, buffer.limit());
    }

    @Test
    void malformedBytesThrowIoExceptionNamingThem() {
        ByteBuffer truncated = ByteBuffer.wrap(new byte[] {16, 0, 0, 0, 0, 0, 0, 0, '{'});
        IOException e = assertThrows(IOException.class, () -> StateDict.read(truncated, "shipped weights"));
        assertTrue(e.getMessage().startsWith("shipped weights"), e.getMessage());
    }

    @Test
    void nullArgumentsAreNamed() {
        IllegalArgumentException noBytes = assertThrows(IllegalArgumentException.class,
                () -> StateDict.read(null, "weights"));
        assertTrue(noBytes.getMessage().contains("null bytes"), noBytes.getMessage());
        IllegalArgumentException noName = assertThrows(IllegalArgumentException.class,
                () -> StateDict.read(ByteBuffer.allocate(0), null));
        assertTrue(noName.getMessage().contains("null name"), noName.getMessage());
    }
}
