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
        double big = (p + 1.0) * (p + 2.0) / 2.0;
        double mid = p * (p + 2.0);
        double small = p * (p + 1.0) / 2;
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
            double range = senderRadii[e] + receiverRadii[e];
            double u = r / range;
            double inside = r < range ? 1.0 : 0.0;
            double envelope = (1.0 - big * Math.pow(u, p) + mid * Math.pow(u, p + 1) - small * Math.pow(u, p + 2))
                    * inside;
            energies[e] = 0.5 * v * envelope;
            if (derivatives != null) {
                double dV = charge * (dPhi / r - phi / (r * r));
                double dEnvelope = inside * (-big * p * Math.pow(u, p - 1) + mid * (p + 1) * Math.pow(u, p)
                        - small * (p + 2) * Math.pow(u, p + 1)) / range;
                derivatives[e] = 0.5 * (dV * envelope + v * dEnvelope);
            }
        }
    }
}
