package dev.e3j.runtime.nn;

import dev.e3j.runtime.internal.Checks;

/**
 * MACE's {@code RadialEmbeddingBlock} with its Bessel basis and polynomial cutoff ({@code mace/modules/radial.py},
 * equations 7 and 8 of the MACE paper): for an edge length {@code r},
 * <pre>{@code
 *   bessel_n(r) = sqrt(2 / rMax) sin(w_n r) / r                       w_n = n π / rMax, n = 1..numBessel (bessel_weights)
 *   cutoff(r)   = 1 - (p+1)(p+2)/2 u^p + p(p+2) u^(p+1) - p(p+1)/2 u^(p+2)    u = r / rMax, and 0 for r >= rMax
 *   out_n(r)    = bessel_n(r) cutoff(r)
 * }</pre>
 * The frequencies {@code w_n} are MACE's {@code bessel_weights} (a buffer, or a parameter when trained), passed to
 * each call. Derivatives with respect to {@code r}, first and second (for training on forces), come with the values;
 * as in autograd, the cutoff's step at {@code rMax} is a constant factor. Stateless and thread-safe.
 */
public final class RadialEmbedding {

    private final double rMax;
    private final int numBessel;
    private final double p;
    private final double prefactor;

    /**
     * @param rMax               the cutoff radius
     * @param numBessel          number of Bessel functions
     * @param numPolynomialCutoff the cutoff polynomial's degree {@code p}
     * @throws IllegalArgumentException if {@code rMax} is not finite and positive, or a count is below 1
     */
    public RadialEmbedding(double rMax, int numBessel, int numPolynomialCutoff) {
        String where = "new RadialEmbedding";
        if (!(rMax > 0 && rMax < Double.POSITIVE_INFINITY)) {
            throw Checks.invalid(where, "rMax", "be finite and > 0", rMax);
        }
        if (numBessel < 1) {
            throw Checks.invalid(where, "numBessel", "be >= 1", numBessel);
        }
        if (numPolynomialCutoff < 1) {
            throw Checks.invalid(where, "numPolynomialCutoff", "be >= 1", numPolynomialCutoff);
        }
        this.rMax = rMax;
        this.numBessel = numBessel;
        this.p = numPolynomialCutoff;
        this.prefactor = Math.sqrt(2.0 / rMax);
    }

    /** The cutoff radius. */
    public double rMax() {
        return rMax;
    }

    /** Number of Bessel functions: the width of the output. */
    public int numBessel() {
        return numBessel;
    }

    /** The cutoff polynomial's degree {@code p}. */
    public int numPolynomialCutoff() {
        return (int) p;
    }

    /** MACE's {@code prefactor} buffer, {@code sqrt(2 / rMax)}. */
    public double prefactor() {
        return prefactor;
    }

    /** MACE's initial {@code bessel_weights}: {@code π / rMax × (1, 2, ..., numBessel)}, as torch computes them. */
    public double[] initialBesselWeights() {
        double[] weights = new double[numBessel];
        double step = Math.PI / rMax;
        for (int n = 0; n < numBessel; n++) {
            weights[n] = step * (n + 1.0);
        }
        return weights;
    }

    /**
     * The embedding of {@code n} edge lengths, {@code out} {@code [n][numBessel]} overwritten; with
     * {@code derivatives} non-null, also {@code d out / d r} there ({@code [n][numBessel]}).
     */
    public void forward(int n, double[] lengths, double[] besselWeights, double[] out, double[] derivatives) {
        forward(n, lengths, besselWeights, out, derivatives, null);
    }

    /**
     * {@link #forward(int, double[], double[], double[], double[])} with, when {@code secondDerivatives} is non-null,
     * also {@code d² out / d r²} there ({@code [n][numBessel]}):
     * <pre>{@code
     *   out'' = bessel'' cutoff + 2 bessel' cutoff' + bessel cutoff''
     *   bessel_n''(r) = sqrt(2 / rMax) (2 sin(w r) / r³ - 2 w cos(w r) / r² - w² sin(w r) / r)
     *   cutoff''(r)   = (-(p+1)(p+2)/2 p (p-1) u^(p-2) + p(p+2)(p+1) p u^(p-1) - p(p+1)/2 (p+2)(p+1) u^p) / rMax²
     * }</pre>
     * The second derivatives of an energy through the embedding with respect to the edge lengths: the gradient of
     * {@code sum(gradOut * out')} (a force term) with respect to {@code r} is {@code sum_n gradOut_n out_n''}.
     */
    public void forward(int n, double[] lengths, double[] besselWeights, double[] out, double[] derivatives,
                        double[] secondDerivatives) {
        String where = "RadialEmbedding.forward";
        Checks.requireNonNegative(where, "n", n);
        Checks.requireLength(where, "lengths", lengths, n);
        Checks.requireLength(where, "besselWeights", besselWeights, numBessel);
        Checks.requireShape(where, "out", out, "n", n, numBessel);
        if (derivatives != null) {
            Checks.requireShape(where, "derivatives", derivatives, "n", n, numBessel);
        }
        if (secondDerivatives != null) {
            Checks.requireShape(where, "secondDerivatives", secondDerivatives, "n", n, numBessel);
        }
        double a = (p + 1.0) * (p + 2.0) / 2.0;
        double b = p * (p + 2.0);
        double c = p * (p + 1.0) / 2;
        for (int e = 0; e < n; e++) {
            double r = lengths[e];
            double u = r / rMax;
            double inside = r < rMax ? 1.0 : 0.0;
            double up = Math.pow(u, p);
            double up1 = Math.pow(u, p + 1);
            double up2 = Math.pow(u, p + 2);
            double cutoff = (1.0 - a * up + b * up1 - c * up2) * inside;
            double dCutoff = inside * (-a * p * Math.pow(u, p - 1) + b * (p + 1) * up - c * (p + 2) * up1) / rMax;
            double d2Cutoff = secondDerivatives == null ? 0.0 : inside * (-a * p * (p - 1) * Math.pow(u, p - 2)
                    + b * (p + 1) * p * Math.pow(u, p - 1) - c * (p + 2) * (p + 1) * up) / (rMax * rMax);
            for (int k = 0; k < numBessel; k++) {
                double w = besselWeights[k];
                double sin = Math.sin(w * r);
                double bessel = prefactor * (sin / r);
                out[e * numBessel + k] = bessel * cutoff;
                if (derivatives != null || secondDerivatives != null) {
                    double cos = Math.cos(w * r);
                    double dBessel = prefactor * (w * cos * r - sin) / (r * r);
                    if (derivatives != null) {
                        derivatives[e * numBessel + k] = dBessel * cutoff + bessel * dCutoff;
                    }
                    if (secondDerivatives != null) {
                        double d2Bessel = prefactor * (2 * sin / (r * r * r) - 2 * w * cos / (r * r) - w * w * sin / r);
                        secondDerivatives[e * numBessel + k] = d2Bessel * cutoff + 2 * dBessel * dCutoff
                                + bessel * d2Cutoff;
                    }
                }
            }
        }
    }
}
