package dev.e3j.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ZblRepulsionTest {

    /** mace-torch's defaults: c, p = 5, aExp = 0.3, aPrefactor = 0.4543. */
    private static final double[] CONSTANTS = {0.1818, 0.5099, 0.2802, 0.02817, 5, 0.300, 0.4543};

    /** mace-torch's ZBLBasis written out for a C-O edge. */
    @Test
    void valueFollowsMaceFormula() {
        double r = 0.9;
        double[] energy = new double[1];
        ZblRepulsion.edges(1, new double[] {r}, new int[] {6}, new int[] {8}, new double[] {0.76},
                new double[] {0.66}, CONSTANTS, energy, null);
        double a = 0.4543 * 0.529 / (Math.pow(6, 0.3) + Math.pow(8, 0.3));
        double x = r / a;
        double phi = 0.1818 * Math.exp(-3.2 * x) + 0.5099 * Math.exp(-0.9423 * x) + 0.2802 * Math.exp(-0.4028 * x)
                + 0.02817 * Math.exp(-0.2016 * x);
        double u = r / (0.76 + 0.66);
        double envelope = 1 - 21 * Math.pow(u, 5) + 35 * Math.pow(u, 6) - 15 * Math.pow(u, 7);
        assertEquals(0.5 * 14.3996 * 6 * 8 / r * phi * envelope, energy[0], 1e-13);
    }

    @Test
    void derivativesEqualCentralDifferencesAndVanishBeyondTheRadii() {
        double[] lengths = {0.4, 0.8, 1.3, 1.5};
        int[] zu = {1, 6, 8, 8};
        int[] zv = {1, 8, 29, 8};
        double[] ru = {0.31, 0.76, 0.66, 0.66};
        double[] rv = {0.31, 0.66, 1.32, 0.66};
        double[] energies = new double[4];
        double[] slopes = new double[4];
        ZblRepulsion.edges(4, lengths, zu, zv, ru, rv, CONSTANTS, energies, slopes);
        double h = 1e-6;
        for (int e = 0; e < 4; e++) {
            double[] plus = new double[1];
            double[] minus = new double[1];
            ZblRepulsion.edges(1, new double[] {lengths[e] + h}, new int[] {zu[e]}, new int[] {zv[e]},
                    new double[] {ru[e]}, new double[] {rv[e]}, CONSTANTS, plus, null);
            ZblRepulsion.edges(1, new double[] {lengths[e] - h}, new int[] {zu[e]}, new int[] {zv[e]},
                    new double[] {ru[e]}, new double[] {rv[e]}, CONSTANTS, minus, null);
            double slope = (plus[0] - minus[0]) / (2 * h);
            assertEquals(slope, slopes[e], 1e-7 * (1 + Math.abs(slope)), "edge " + e);
        }
        assertTrue(energies[0] > 0 && energies[1] > 0 && energies[2] > 0, "repulsive within the covalent radii");
        assertEquals(0.0, energies[3], 0.0, "O-O at 1.5 A is beyond 0.66 + 0.66");
        assertEquals(0.0, slopes[3], 0.0);
    }

    @Test
    void badArgumentsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ZblRepulsion.edges(1, new double[1], new int[1], new int[1], new double[1], new double[1],
                        new double[6], new double[1], null));
        assertTrue(e.getMessage().contains("constants"), e.getMessage());
    }
}
