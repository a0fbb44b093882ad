package dev.e3j.runtime.nn;

import dev.e3j.runtime.internal.Checks;

/**
 * mace-torch v0.3.6's {@code ZBLBasis} ({@code pair_repulsion}): the Ziegler–Biersack–Littmark screened nuclear
 * repulsion of an edge of length {@code r} between atoms of atomic numbers {@code Zu}, {@code Zv} and covalent radii
 * {@code ru}, {@code rv}, half of it per edge (each pair is two edges), summed onto the edges' receivers:
 * <pre>{@code
 *   a      = aPrefactor 0.529 / (Zu^aExp + Zv^aExp)
 *   phi    = c0 exp(-3.2 r/a) + c1 exp(-0.9423 r/a) + c2 exp(-0.4028 r/a) + c3 exp(-0.2016 r/a)
 *   env    = 1 - (p+1)(p+2)/2 u^p + p(p+2) u^(p+1) - p(p+1)/2 u^(p+2)     u = r / (ru + rv), 0 for u >= 1
 *            (mace-torch's polynomial cutoff, {@link PolynomialCutoff})
 *   energy = 0.5 (14.3996 Zu Zv / r) phi env                                 (eV, lengths in Å)
 * }</pre>
 * The constants {@code c0..c3, p, aExp, aPrefactor} are buffers of the model's {@code state_dict}. Stateless.
 */
public final class ZblRepulsion {

    /** Number of constants: {@code c0, c1, c2, c3, p, aExp, aPrefactor}. */
    public static final int CONSTANTS = 7;

    private static final double[] EXPONENTS = {3.2, 0.9423, 0.4028, 0.2016};

    private ZblRepulsion() {
    }

    /**
     * The constants mace-torch gives a new {@code ZBLBasis} whose cutoff polynomial has degree {@code p}: {@code c}
     * (0.1818, 0.5099, 0.2802, 0.02817), {@code p}, {@code aExp} 0.300 and {@code aPrefactor} 0.4543.
     */
    public static double[] initialConstants(int p) {
        return new double[] {0.1818, 0.5099, 0.2802, 0.02817, p, 0.300, 0.4543};
    }

    /**
     * The energies of {@code n} edges and their derivatives with respect to the edge lengths.
     *
     * @param n              number of edges
     * @param lengths        {@code [n]} edge lengths
     * @param senderNumbers   {@code [n]} atomic number of each edge's sender
     * @param receiverNumbers {@code [n]} atomic number of each edge's receiver
     * @param senderRadii     {@code [n]} covalent radius of each edge's sender
     * @param receiverRadii   {@code [n]} covalent radius of each edge's receiver
     * @param constants      the {@link #CONSTANTS} constants
     * @param energies       {@code [n]}, overwritten
     * @param derivatives    {@code [n]} for {@code d energy / d r}, or null
     * @throws IllegalArgumentException if an array is missing or has the wrong length
     */
    public static void edges(int n, double[] lengths, int[] senderNumbers, int[] receiverNumbers,
                             double[] senderRadii, double[] receiverRadii, double[] constants, double[] energies,
                             double[] derivatives) {
        String where = "ZblRepulsion.edges";
        Checks.requireNonNegative(where, "n", n);
        Checks.requireLength(where, "lengths", lengths, n);
        Checks.requireLength(where, "senderNumbers", senderNumbers, n);
        Checks.requireLength(where, "receiverNumbers", receiverNumbers, n);
        Checks.requireLength(where, "senderRadii", senderRadii, n);
        Checks.requireLength(where, "receiverRadii", receiverRadii, n);
        Checks.requireLength(where, "constants", constants, CONSTANTS);
        Checks.requireLength(where, "energies", energies, n);
        if (derivatives != null) {
            Checks.requireLength(where, "derivatives", derivatives, n);
        }
        double p = constants[4];
        double aExp = constants[5];
        double aPrefactor = constants[6];
        double[] envelope = new double[3];
        for (int e = 0; e < n; e++) {
            double r = lengths[e];
            double zu = senderNumbers[e];
            double zv = receiverNumbers[e];
            double a = aPrefactor * 0.529 / (Math.pow(zu, aExp) + Math.pow(zv, aExp));
            double rOverA = r / a;
            double phi = 0;
            double dPhi = 0;
            for (int k = 0; k < EXPONENTS.length; k++) {
                double term = constants[k] * Math.exp(-EXPONENTS[k] * rOverA);
                phi += term;
                dPhi -= EXPONENTS[k] * term / a;
            }
            double charge = 14.3996 * zu * zv;
            double v = charge / r * phi;
            PolynomialCutoff.evaluate(r, senderRadii[e] + receiverRadii[e], p, false, envelope);
            energies[e] = 0.5 * v * envelope[0];
            if (derivatives != null) {
                double dV = charge * (dPhi / r - phi / (r * r));
                derivatives[e] = 0.5 * (dV * envelope[0] + v * envelope[1]);
            }
        }
    }
}
