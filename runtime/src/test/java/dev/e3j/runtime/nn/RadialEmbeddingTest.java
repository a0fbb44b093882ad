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

    /** mace-torch's GaussianBasis: exp(coeff (r - μ_n)²), coeff = -0.5 / (rMax / (N - 1))², μ = linspace(0, rMax, N). */
    @Test
    void gaussianValuesFollowMaceFormulas() {
        RadialEmbedding gaussian = new RadialEmbedding(4.2, 7, 6, RadialEmbedding.Basis.GAUSSIAN);
        double[] centres = gaussian.initialWeights();
        assertEquals(0.0, centres[0], 0.0);
        assertEquals(4.2, centres[6], 0.0);
        assertEquals(0.7, centres[1], 1e-15);
        double r = 1.3;
        double[] out = new double[7];
        gaussian.forward(1, new double[] {r}, centres, out, null);
        double u = r / 4.2;
        double envelope = 1 - 28 * Math.pow(u, 6) + 48 * Math.pow(u, 7) - 21 * Math.pow(u, 8);
        double coeff = -0.5 / Math.pow(4.2 / 6, 2);
        for (int n = 0; n < 7; n++) {
            assertEquals(Math.exp(coeff * Math.pow(r - centres[n], 2)) * envelope, out[n], 1e-15, "n = " + n);
        }
    }

    /**
     * The chain rule through a distance transform, both bases: the first and second derivatives in the length equal
     * central differences of the values and of the first derivatives of basis(t(r)) cutoff(r).
     */
    @Test
    void transformedDerivativesEqualCentralDifferences() {
        double[] lengths = {0.4, 1.1, 2.3, 3.9};
        double[] senderRadii = {0.31, 0.76, 1.32, 0.66};
        double[] receiverRadii = {0.66, 0.76, 0.31, 1.32};
        double[][] constants = {{0.9183, 4.5791, 1.0805}, {0.2, 3.0}};
        DistanceTransform[] transforms = {DistanceTransform.AGNESI, DistanceTransform.SOFT};
        for (RadialEmbedding.Basis basis : RadialEmbedding.Basis.values()) {
            RadialEmbedding embedding = new RadialEmbedding(4.0, 6, 5, basis);
            double[] weights = embedding.initialWeights();
            for (int t = 0; t < transforms.length; t++) {
                DistanceTransform transform = transforms[t];
                double[] c = constants[t];
                double[] rows = new double[12];
                transform.apply(4, lengths, senderRadii, receiverRadii, c, rows);
                double[] values = new double[24];
                double[] first = new double[24];
                double[] second = new double[24];
                embedding.forward(4, lengths, rows, weights, values, first, second);
                double h = 1e-5;
                for (int e = 0; e < 4; e++) {
                    double[] plus = embed(embedding, transform, c, lengths[e] + h, senderRadii[e], receiverRadii[e]);
                    double[] minus = embed(embedding, transform, c, lengths[e] - h, senderRadii[e],
                            receiverRadii[e]);
                    for (int k = 0; k < 6; k++) {
                        String what = basis + " " + transform + " edge " + e + " k " + k;
                        double slope = (plus[k] - minus[k]) / (2 * h);
                        assertEquals(slope, first[6 * e + k], 1e-8 * (1 + Math.abs(slope)), what);
                        double curvature = (plus[6 + k] - minus[6 + k]) / (2 * h);
                        assertEquals(curvature, second[6 * e + k], 1e-7 * (1 + Math.abs(curvature)), what);
                    }
                }
            }
        }
    }

    /** Values then first derivatives of one edge's transformed embedding. */
    private static double[] embed(RadialEmbedding embedding, DistanceTransform transform, double[] constants, double r,
                                  double senderRadius, double receiverRadius) {
        double[] rows = new double[3];
        transform.apply(1, new double[] {r}, new double[] {senderRadius}, new double[] {receiverRadius}, constants,
                rows);
        double[] both = new double[12];
        double[] values = new double[6];
        double[] first = new double[6];
        embedding.forward(1, new double[] {r}, rows, embedding.initialWeights(), values, first, null);
        System.arraycopy(values, 0, both, 0, 6);
        System.arraycopy(first, 0, both, 6, 6);
        return both;
    }

    @Test
    void badArgumentsAreNamed() {
        assertThrows(IllegalArgumentException.class, () -> new RadialEmbedding(0, 8, 5));
        IllegalArgumentException one = assertThrows(IllegalArgumentException.class,
                () -> new RadialEmbedding(5.0, 1, 5, RadialEmbedding.Basis.GAUSSIAN));
        assertEquals(true, one.getMessage().contains("numBasis"), one.getMessage());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> radial.forward(1, new double[1], new double[3], new double[8], null));
        assertEquals(true, e.getMessage().contains("besselWeights"), e.getMessage());
    }
}
