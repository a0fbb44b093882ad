package dev.e3j.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DistanceTransformTest {

    /** mace-torch's formulas written out: AgnesiTransform and SoftTransform of one edge (H-O, covalent radii). */
    @Test
    void valuesFollowMaceFormulas() {
        double r = 1.2;
        double ru = 0.31;
        double rv = 0.66;
        double[] out = new double[3];
        DistanceTransform.AGNESI.apply(1, new double[] {r}, new double[] {ru}, new double[] {rv},
                new double[] {0.9183, 4.5791, 1.0805}, out);
        double s = r / (0.5 * (ru + rv));
        assertEquals(1 / (1 + 1.0805 * Math.pow(s, 0.9183) / (1 + Math.pow(s, 0.9183 - 4.5791))), out[0], 1e-15);
        DistanceTransform.SOFT.apply(1, new double[] {r}, new double[] {ru}, new double[] {rv},
                new double[] {0.2, 3.0}, out);
        double q = r / ((ru + rv) / 4);
        assertEquals(r + 0.5 * Math.tanh(-q - 0.2 * Math.pow(q, 3.0)) + 0.5, out[0], 1e-15);
    }

    @Test
    void derivativesEqualCentralDifferences() {
        double[] lengths = {0.5, 0.9, 1.7, 3.4};
        double[] ru = {0.31, 0.76, 1.32, 0.66};
        double[] rv = {0.31, 0.66, 1.32, 0.76};
        double[][] constants = {{0.9183, 4.5791, 1.0805}, {0.2, 3.0}};
        DistanceTransform[] transforms = DistanceTransform.values();
        for (int t = 0; t < transforms.length; t++) {
            double[] rows = new double[12];
            transforms[t].apply(4, lengths, ru, rv, constants[t], rows);
            double h = 1e-5;
            for (int e = 0; e < 4; e++) {
                double[] plus = new double[3];
                double[] minus = new double[3];
                transforms[t].apply(1, new double[] {lengths[e] + h}, new double[] {ru[e]}, new double[] {rv[e]},
                        constants[t], plus);
                transforms[t].apply(1, new double[] {lengths[e] - h}, new double[] {ru[e]}, new double[] {rv[e]},
                        constants[t], minus);
                double slope = (plus[0] - minus[0]) / (2 * h);
                double curvature = (plus[1] - minus[1]) / (2 * h);
                String what = transforms[t] + " edge " + e;
                assertEquals(slope, rows[3 * e + 1], 1e-8 * (1 + Math.abs(slope)), what);
                assertEquals(curvature, rows[3 * e + 2], 1e-7 * (1 + Math.abs(curvature)), what);
            }
        }
    }

    @Test
    void badArgumentsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DistanceTransform.AGNESI.apply(1, new double[1], new double[1], new double[1], new double[2],
                        new double[3]));
        assertTrue(e.getMessage().contains("constants"), e.getMessage());
        assertEquals(3, DistanceTransform.AGNESI.constantCount());
        assertEquals(2, DistanceTransform.SOFT.constantCount());
    }
}
