package dev.e3j.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Files written by real {@code torch.save} (PyTorch 1.13, {@code tools/make_io_fixtures.py}). */
class TorchFixturesTest {

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(TorchFixturesTest.class.getResource("/io/" + name).toURI());
    }

    @Test
    void readsEveryDtypeAndViewTorchSaves() throws Exception {
        StateDict weights = StateDict.read(resource("views.pt"));
        assertEquals(List.of("f64", "f32", "f16", "bf16", "i64", "i32", "i8", "u8", "bool", "scalar", "empty",
                "layers.0.weight", "layers.0.weight_t", "layers.1.grid", "layers.1.grid_slice"), weights.names());
        double[] f64 = new double[12];
        for (int i = 0; i < 12; i++) {
            f64[i] = i * 0.5 - 1;
        }
        assertArrayEquals(new long[] {3, 4}, weights.shape("f64"));
        assertArrayEquals(f64, weights.doubles("f64"));
        assertEquals(DType.F32, weights.dtype("f32"));
        assertArrayEquals(new float[] {0.1f, -2.5f, 3e38f}, weights.floats("f32"));
        assertEquals(DType.F16, weights.dtype("f16"));
        assertArrayEquals(new double[] {1, -2, 65504, 0x1p-24, Double.POSITIVE_INFINITY, 0.333251953125},
                weights.doubles("f16"));
        assertEquals(DType.BF16, weights.dtype("bf16"));
        assertArrayEquals(new float[] {1, -3.140625f, 256}, weights.floats("bf16"));
        assertEquals(DType.I64, weights.dtype("i64"));
        assertArrayEquals(new long[] {1L << 62, -5, 0}, weights.longs("i64"));
        assertArrayEquals(new long[] {2, 1}, weights.shape("i32"));
        assertArrayEquals(new double[] {-7, 123456}, weights.doubles("i32"));
        assertArrayEquals(new long[] {-128, 127}, weights.longs("i8"));
        assertArrayEquals(new long[] {200, 0}, weights.longs("u8"));
        assertEquals(DType.BOOL, weights.dtype("bool"));
        assertArrayEquals(new double[] {1, 0, 1}, weights.doubles("bool"));
        assertArrayEquals(new long[0], weights.shape("scalar"));
        assertArrayEquals(new double[] {2.5}, weights.doubles("scalar"));
        assertArrayEquals(new long[] {0, 3}, weights.shape("empty"));
        assertEquals(0, weights.doubles("empty").length);
    }

    @Test
    void materializesParametersTransposedAndSlicedViews() throws Exception {
        StateDict weights = StateDict.read(resource("views.pt"));
        assertArrayEquals(new float[] {0, 0.25f, 0.5f, 0.75f, 1, 1.25f}, weights.floats("layers.0.weight"));
        assertArrayEquals(new long[] {3, 2}, weights.shape("layers.0.weight_t"));
        assertArrayEquals(new float[] {0, 0.75f, 0.25f, 1, 0.5f, 1.25f}, weights.floats("layers.0.weight_t"));
        assertArrayEquals(new long[] {3, 3}, weights.shape("layers.1.grid_slice"));
        assertArrayEquals(new double[] {5, 7, 9, 10, 12, 14, 15, 17, 19}, weights.doubles("layers.1.grid_slice"));
    }

    @Test
    void aModuleStateDictReadsTheSameFromEveryFormat() throws Exception {
        StateDict safetensors = StateDict.read(resource("module.safetensors"));
        List<String> names = List.of("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                "1.num_batches_tracked", "2.weight");
        assertEquals(names, safetensors.names());
        assertEquals(DType.I64, safetensors.dtype("1.num_batches_tracked"));
        assertArrayEquals(new long[] {1}, safetensors.longs("1.num_batches_tracked"));
        assertEquals(DType.F32, safetensors.dtype("2.weight"));
        assertEquals("tools/make_io_fixtures.py", safetensors.metadata().get("source"));
        for (String file : List.of("module.pt", "module_protocol4.pt")) {
            StateDict torch = StateDict.read(resource(file));
            assertEquals(names, torch.names(), file);
            for (String name : names) {
                assertEquals(safetensors.dtype(name), torch.dtype(name), file + " " + name);
                assertArrayEquals(safetensors.shape(name), torch.shape(name), file + " " + name);
                assertArrayEquals(safetensors.doubles(name), torch.doubles(name), file + " " + name);
            }
        }
    }
}
