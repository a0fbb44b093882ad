package dev.e3j.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@link Numbers#transpose} and {@link Numbers#untranspose} against their definitions, for widths through each of
 * their loops (eight, four and one rows per pass) and blocks of any length, in both precisions.
 */
class NumbersTransposeTest {

    /** Every width to 20 (four rows per pass, then single rows), and wide ones (eight, then four, then single). */
    private static final int[] WIDTHS = IntStream.concat(IntStream.rangeClosed(1, 20), IntStream.of(
            Numbers.EIGHT_ROWS_FROM, Numbers.EIGHT_ROWS_FROM + 5, Numbers.EIGHT_ROWS_FROM + 15)).toArray();

    @Test
    void float64TransposesAndUntransposesEveryWidthAndCount() {
        Random random = new Random(11);
        for (int width = 1; width <= 20; width++) {
            for (int count : new int[] {0, 1, 3, 8, 17}) {
                double[] x = random.doubles((long) width * count, -1, 1).toArray();
                double[][] rows = Numbers.FLOAT64.rows(width, count);
                Numbers.FLOAT64.transpose(x, count, width, 0.5, rows);
                for (int i = 0; i < width; i++) {
                    for (int b = 0; b < count; b++) {
                        assertEquals(x[b * width + i] * 0.5, rows[i][b], 0, "width " + width + ", row " + i);
                    }
                }
                double[] back = new double[width * count];
                Numbers.FLOAT64.untranspose(rows, width, count, back);
                for (int j = 0; j < back.length; j++) {
                    assertEquals(x[j] * 0.5, back[j], 0, "width " + width + ", entry " + j);
                }
            }
        }
    }

    @Test
    void float32TransposesAndUntransposesEveryWidthAndCount() {
        Random random = new Random(12);
        for (int width = 1; width <= 20; width++) {
            for (int count : new int[] {0, 1, 3, 8, 17}) {
                float[] x = new float[width * count];
                for (int j = 0; j < x.length; j++) {
                    x[j] = random.nextFloat() - 0.5f;
                }
                float[][] rows = Numbers.FLOAT32.rows(width, count);
                Numbers.FLOAT32.transpose(x, count, width, 2.0, rows);
                for (int i = 0; i < width; i++) {
                    for (int b = 0; b < count; b++) {
                        assertEquals(x[b * width + i] * 2.0f, rows[i][b], 0, "width " + width + ", row " + i);
                    }
                }
                float[] back = new float[width * count];
                Numbers.FLOAT32.untranspose(rows, width, count, back);
                for (int j = 0; j < back.length; j++) {
                    assertEquals(x[j] * 2.0f, back[j], 0, "width " + width + ", entry " + j);
                }
            }
        }
    }
}
