package dev.e3j.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RadialEmbeddingTest {

    private final RadialEmbedding radial = new RadialEmbedding(5.0, 8, 5);

    /** MACE's formulas written out for one length: Bessel function n times the polynomial envelope. */
    @Test
    void valuesFollowMaceFormulas() {
        double r = 1.7;
        double[] out = new double[8];
        radial.forward(1, new double[] {r}, radial.initialBesselWeights(), out, null);
        double u = r / 5.0;
        double envelope = 1 - 21 * Math.pow(u, 5) + 35 * Math.pow(u, 6) - 15 * Math.pow(u, 7);
        for (int n = 1; n <= 8; n++) {
            double bessel = Math.sqrt(2 / 5.0) * Math.sin(n * Math.PI / 5.0 * r) / r;
            assertEquals(bessel * envelope, out[n - 1], 1e-15, "n = " + n);
        }
    }

    @Test
    void derivativesEqualCentralDifferences() {
        double[] weights = radial.initialBesselWeights();
        double[] lengths = {0.3, 1.1, 2.9, 4.99};
        double[] values = new double[32];
        double[] derivatives = new double[32];
        radial.forward(4, lengths, weights, values, derivatives);
        double h = 1e-6;
        for (int e = 0; e < lengths.length; e++) {
            double[] plus = new double[8];
            double[] minus = new double[8];
            radial.forward(1, new double[] {lengths[e] + h}, weights, plus, null);
            radial.forward(1, new double[] {lengths[e] - h}, weights, minus, null);
            for (int k = 0; k < 8; k++) {
                assertEquals((plus[k] - minus[k]) / (2 * h), derivatives[8 * e + k], 1e-7, "edge " + e + " k " + k);
            }
        }
    }

    /** Second derivatives are the slopes of the first ones, for several cutoff degrees; the values stay the same. */
    @Test
    void secondDerivativesEqualCentralDifferencesOfTheFirst() {
        double[] lengths = {0.3, 1.1, 2.9, 4.99};
        for (int p : new int[] {2, 5, 6}) {
            RadialEmbedding embedding = new RadialEmbedding(5.0, 8, p);
            double[] weights = embedding.initialBesselWeights();
            double[] values = new double[32];
            double[] derivatives = new double[32];
            double[] second = new double[32];
            embedding.forward(4, lengths, weights, values, derivatives, second);
            double[] valuesOnly = new double[32];
            embedding.forward(4, lengths, weights, valuesOnly, null, null);
            assertArrayEquals(valuesOnly, values, 0.0);
            double h = 1e-5;
            for (int e = 0; e < lengths.length; e++) {
                double[] plus = new double[8];
                double[] minus = new double[8];
                embedding.forward(1, new double[] {lengths[e] + h}, weights, new double[8], plus);
                embedding.forward(1, new double[] {lengths[e] - h}, weights, new double[8], minus);
                for (int k = 0; k < 8; k++) {
                    double numeric = (plus[k] - minus[k]) / (2 * h);
                    assertEquals(numeric, second[8 * e + k], 1e-8 * (1 + Math.abs(numeric)),
                            "p " + p + " edge " + e + " k " + k);
                }
            }
        }
    }

    @Test
    void zeroAtAndBeyondTheCutoff() {
        double[] values = new double[16];
        double[] derivatives = new double[16];
        double[] second = new double[16];
        radial.forward(2, new double[] {5.0, 6.0}, radial.initialBesselWeights(), values, derivatives, second);
        assertArrayEquals(new double[16], values, 0.0);
        assertArrayEquals(new double[16], derivatives, 0.0);
        assertArrayEquals(new double[16], second, 0.0);
    }

    @Test
    void badArgumentsAreNamed() {
        assertThrows(IllegalArgumentException.class, () -> new RadialEmbedding(0, 8, 5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> radial.forward(1, new double[1], new double[3], new double[8], null));
        assertEquals(true, e.getMessage().contains("besselWeights"), e.getMessage());
    }
}
