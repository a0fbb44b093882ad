package dev.e3j.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LayoutsTest {

    private static final Irreps IRREPS = Irreps.parse("2x0e+3x1o+1x2e+2x2o");

    @Test
    void channelOfOneComponentIsContiguous() {
        // mul_ir values encode (entry offset, u, m): 100 * u + m plus 1000 per entry
        int dim = IRREPS.dim();
        double[] mulIr = new double[2 * dim];
        for (int b = 0; b < 2; b++) {
            for (int e = 0; e < IRREPS.size(); e++) {
                int mul = IRREPS.get(e).mul();
                int d = IRREPS.get(e).ir().dim();
                for (int u = 0; u < mul; u++) {
                    for (int m = 0; m < d; m++) {
                        mulIr[b * dim + IRREPS.offset(e) + u * d + m] = 10000 * b + 1000 * e + 100 * u + m;
                    }
                }
            }
        }
        double[] irMul = new double[mulIr.length];
        Layouts.toIrMul(IRREPS, 2, mulIr, irMul);
        // 3x1o at offset 2: component m = 1 of channel u = 2 at 2 + 1 * 3 + 2
        assertEquals(1000 + 200 + 1, irMul[2 + 1 * 3 + 2]);
        // the second sample's 2x2o block at offset 2 + 9 + 5 = 16: m = 4, u = 1
        assertEquals(10000 + 3000 + 100 + 4, irMul[dim + 16 + 4 * 2 + 1]);
        // scalars and the single 2e stay in place
        assertEquals(100, irMul[1]);
        assertEquals(2000 + 3, irMul[11 + 3]);
    }

    /** Only entries of several channels of {@code l > 0} move; irreps without them convert to themselves. */
    @Test
    void sameInBothLayoutsWhereNoEntryHasSeveralChannelsOfPositiveDegree() {
        assertFalse(Layouts.sameInBothLayouts(IRREPS));
        Irreps same = Irreps.parse("8x0e+4x0o+1x1o+1x2e+1x1o");
        assertTrue(Layouts.sameInBothLayouts(same));
        double[] mulIr = new double[3 * same.dim()];
        Arrays.setAll(mulIr, i -> i);
        double[] irMul = new double[mulIr.length];
        Layouts.toIrMul(same, 3, mulIr, irMul);
        assertArrayEquals(mulIr, irMul, 0.0);
        assertThrows(IllegalArgumentException.class, () -> Layouts.sameInBothLayouts(null));
    }

    @Test
    void roundTripsInDoubleAndFloat() {
        Random random = new Random(7);
        int batch = 3;
        double[] mulIr = random.doubles(batch * IRREPS.dim()).toArray();
        double[] irMul = new double[mulIr.length];
        double[] back = new double[mulIr.length];
        Layouts.toIrMul(IRREPS, batch, mulIr, irMul);
        Layouts.toMulIr(IRREPS, batch, irMul, back);
        assertArrayEquals(mulIr, back);
        assertFalse(Arrays.equals(mulIr, irMul));
        float[] mulIrF = new float[mulIr.length];
        for (int i = 0; i < mulIr.length; i++) {
            mulIrF[i] = (float) mulIr[i];
        }
        float[] irMulF = new float[mulIr.length];
        float[] backF = new float[mulIr.length];
        Layouts.toIrMul(IRREPS, batch, mulIrF, irMulF);
        for (int i = 0; i < mulIr.length; i++) {
            assertEquals((float) irMul[i], irMulF[i]);
        }
        Layouts.toMulIr(IRREPS, batch, irMulF, backF);
        assertArrayEquals(mulIrF, backF);
    }

    @Test
    void rejectsBadArgumentsNamingThem() {
        double[] data = new double[IRREPS.dim()];
        IllegalArgumentException shortDst = assertThrows(IllegalArgumentException.class,
                () -> Layouts.toIrMul(IRREPS, 2, new double[2 * IRREPS.dim()], data));
        assertTrue(shortDst.getMessage().contains("dst must hold batch * dim = 2 * 26 = 52 entries"),
                shortDst.getMessage());
        IllegalArgumentException same = assertThrows(IllegalArgumentException.class,
                () -> Layouts.toMulIr(IRREPS, 1, data, data));
        assertTrue(same.getMessage().contains("distinct"), same.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> Layouts.toMulIr(IRREPS, -1, data, new double[0]));
        assertTrue(negative.getMessage().contains("batch must be >= 0, got -1"), negative.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Layouts.toIrMul(IRREPS, 1, (float[]) null, new float[26]));
    }
}
