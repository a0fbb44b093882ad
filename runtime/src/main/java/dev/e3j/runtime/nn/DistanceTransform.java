package dev.e3j.runtime.nn;

import dev.e3j.runtime.internal.Checks;
import java.util.List;

/**
 * mace-torch v0.3.6's distance transforms ({@code mace/modules/radial.py}): the length {@code t(r)} a radial basis
 * sees for an edge of length {@code r} between atoms of covalent radii {@code ru} and {@code rv}, with its first and
 * second derivatives in {@code r} (forces, and training on them). Its constants are buffers of the model's
 * {@code state_dict}, passed to {@link #apply}.
 * <pre>{@code
 *   AGNESI: t = 1 / (1 + a s^q / (1 + s^(q - p)))        s = r / r0, r0 = (ru + rv) / 2     constants (q, p, a)
 *   SOFT:   t = r + tanh(-s - a s^b) / 2 + 1/2           s = r / r0, r0 = (ru + rv) / 4     constants (a, b)
 * }</pre>
 */
public enum DistanceTransform {

    /** {@code AgnesiTransform} (ACEpotentials.jl, JCP 2023): constants {@code q, p, a}. */
    AGNESI(List.of("q", "p", "a"), new double[] {0.9183, 4.5791, 1.0805}) {
        @Override
        double radius(double ru, double rv) {
            return 0.5 * (ru + rv);
        }

        @Override
        void transform(double r, double r0, double[] constants, double[] out, int at) {
            double q = constants[0];
            double p = constants[1];
            double a = constants[2];
            double s = r / r0;
            double sq = Math.pow(s, q);
            double sqp = Math.pow(s, q - p);
            double d = 1 + sqp;
            double f = a * sq / d;
            double t = Math.pow(1 + f, -1);
            // f = a s^q / (1 + s^(q-p)); its logarithmic derivative g = f'/f in r, and g'
            double g = (q / s - (q - p) * sqp / (s * d)) / r0;
            double gPrime = (-q / (s * s) - (q - p) * ((q - p - 1) * sqp / (s * s) * d - (q - p) * sqp * sqp
                    / (s * s)) / (d * d)) / (r0 * r0);
            double f1 = f * g;
            double f2 = f * (g * g + gPrime);
            out[at] = t;
            out[at + 1] = -f1 * t * t;
            out[at + 2] = -f2 * t * t + 2 * f1 * f1 * t * t * t;
        }
    },

    /** {@code SoftTransform}: constants {@code a, b}. */
    SOFT(List.of("a", "b"), new double[] {0.2, 3.0}) {
        @Override
        double radius(double ru, double rv) {
            return (ru + rv) / 4;
        }

        @Override
        void transform(double r, double r0, double[] constants, double[] out, int at) {
            double a = constants[0];
            double b = constants[1];
            double s = r / r0;
            double sb = Math.pow(s, b);
            double h = -s - a * sb;
            double tanh = Math.tanh(h);
            double h1 = (-1 - a * b * sb / s) / r0;
            double h2 = -a * b * (b - 1) * sb / (s * s) / (r0 * r0);
            double sech2 = 1 - tanh * tanh;
            out[at] = r + 0.5 * tanh + 0.5;
            out[at + 1] = 1 + 0.5 * sech2 * h1;
            out[at + 2] = 0.5 * (sech2 * h2 - 2 * tanh * sech2 * h1 * h1);
        }
    };

    private final List<String> constantNames;
    private final double[] initialConstants;

    DistanceTransform(List<String> constantNames, double[] initialConstants) {
        this.constantNames = constantNames;
        this.initialConstants = initialConstants;
    }

    /** Number of constants: 3 for {@link #AGNESI} ({@code q, p, a}), 2 for {@link #SOFT} ({@code a, b}). */
    public int constantCount() {
        return constantNames.size();
    }

    /** The constants' buffer names in mace-torch's module, in the order {@link #apply} takes them. */
    public List<String> constantNames() {
        return constantNames;
    }

    /** The constants mace-torch gives a new (untrained) transform, in the order of {@link #constantNames()}. */
    public double[] initialConstants() {
        return initialConstants.clone();
    }

    /** The scale {@code r0} of an edge between atoms of covalent radii {@code ru} and {@code rv}. */
    abstract double radius(double ru, double rv);

    abstract void transform(double r, double r0, double[] constants, double[] out, int at);

    /**
     * Writes {@code t(r)}, {@code t'(r)}, {@code t''(r)} of {@code n} edges into {@code out} ({@code [n][3]}), the
     * rows {@link RadialEmbedding#forward(int, double[], double[], double[], double[], double[], double[])} takes.
     *
     * @param n          number of edges
     * @param lengths    {@code [n]} edge lengths
     * @param senderRadii   {@code [n]} covalent radius of each edge's sender
     * @param receiverRadii {@code [n]} covalent radius of each edge's receiver
     * @param constants  {@link #constantCount()} constants, in the order of the constant names above
     * @param out        {@code [n][3]}, overwritten
     * @throws IllegalArgumentException if an array is missing or has the wrong length
     */
    public void apply(int n, double[] lengths, double[] senderRadii, double[] receiverRadii, double[] constants,
                      double[] out) {
        String where = "DistanceTransform.apply";
        Checks.requireNonNegative(where, "n", n);
        Checks.requireLength(where, "lengths", lengths, n);
        Checks.requireLength(where, "senderRadii", senderRadii, n);
        Checks.requireLength(where, "receiverRadii", receiverRadii, n);
        Checks.requireLength(where, "constants", constants, constantCount());
        Checks.requireShape(where, "out", out, "n", n, 3);
        for (int e = 0; e < n; e++) {
            transform(lengths[e], radius(senderRadii[e], receiverRadii[e]), constants, out, 3 * e);
        }
    }
}
