package dev.e3j.processor.math;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.annotations.CgConvention;
import dev.e3j.runtime.io.StateDict;
import dev.e3j.testsupport.ReferenceData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Clebsch–Gordan buffers of a MACE v0.3.6 model ({@code reference/models/mace-public}, built with e3nn 0.4.4)
 * against {@link Wigner3j#of(int, int, int, CgConvention)} with {@link CgConvention#E3NN_0_4}.
 *
 * <p>e3nn's code generation registers {@code wigner_3j(l1, l2, l3)} as a buffer {@code _w3j_<l1>_<l2>_<l3>} of the
 * compiled product for every path in which no degree is 0 (it computes the others without one). In this model that is
 * only the second interaction's {@code conv_tp}, {@code 16x0e+16x1o x 0e+1o+2e+3o -> irreps_mid}: its {@code 1o}
 * paths into {@code 1o}, {@code 2e} (twice) and {@code 3o}. The first interaction's {@code conv_tp} has only {@code 0e}
 * inputs, and the {@code skip_tp}s couple with the one-hot {@code 0e} node attributes. None of these four triples is
 * one that e3nn 0.4.4 signs otherwise than 0.5 (the first flipped ones are (1, 2, 2) and (1, 3, 3)), so the buffers
 * check the tensors' values and layout under the 0.4.4 convention, not its flips; {@code reference/e3nn-0.4.4} does.
 */
class MaceWigner3jBuffersTest {

    private static final Pattern W3J_BUFFER =
            Pattern.compile("(.*)\\._compiled_main_left_right\\._w3j_(\\d+)_(\\d+)_(\\d+)");

    private static Path stateDict() {
        return ReferenceData.directory().resolveSibling("models").resolve("mace-public")
                .resolve("state_dict.safetensors");
    }

    @Test
    void everyW3jBufferIsE3nn044sTensor() throws IOException {
        StateDict state = StateDict.read(stateDict());
        List<String> checked = new ArrayList<>();
        for (String name : state.names()) {
            if (!name.contains("._w3j_")) {
                continue;
            }
            Matcher m = W3J_BUFFER.matcher(name);
            assertTrue(m.matches(), "a w3j buffer outside a compiled product: " + name);
            // The degrees follow from the shape [2 l1 + 1][2 l2 + 1][2 l3 + 1]; the name must agree.
            long[] shape = state.shape(name);
            assertEquals(3, shape.length, name + ": shape " + Arrays.toString(shape));
            int l1 = (int) (shape[0] - 1) / 2;
            int l2 = (int) (shape[1] - 1) / 2;
            int l3 = (int) (shape[2] - 1) / 2;
            assertEquals(List.of(m.group(2), m.group(3), m.group(4)),
                    List.of(Integer.toString(l1), Integer.toString(l2), Integer.toString(l3)), name);
            double[] expected = Wigner3j.of(l1, l2, l3, CgConvention.E3NN_0_4).toDoubleArray();
            assertArrayEquals(expected, state.doubles(name), 1e-15, name);
            checked.add(m.group(1) + " (" + l1 + ", " + l2 + ", " + l3 + ")");
        }
        assertEquals(List.of("interactions.1.conv_tp (1, 2, 1)", "interactions.1.conv_tp (1, 1, 2)",
                "interactions.1.conv_tp (1, 3, 2)", "interactions.1.conv_tp (1, 2, 3)"), checked);
    }
}
