package dev.e3j.runtime.nn;

import dev.e3j.runtime.internal.Checks;

/**
 * MACE's {@code RadialEmbeddingBlock} ({@code mace/modules/radial.py}, equations 7 and 8 of the MACE paper): a radial
 * basis of (a transform of) the edge length times a polynomial cutoff of the length. For an edge length {@code r}
 * and the basis' argument {@code t} ({@code r} itself, or a {@link DistanceTransform} of it),
 * <pre>{@code
 *   bessel_n(t)   = sqrt(2 / rMax) sin(w_n t) / t                   w_n = n π / rMax, n = 1..numBessel (bessel_weights)
 *   gaussian_n(t) = exp(coeff (t - μ_n)²)                           μ_n = linspace(0, rMax, numBessel) (gaussian_weights),
 *                                                                    coeff = -1 / (2 (rMax / (numBessel - 1))²)
 *   cutoff(r)     = 1 - (p+1)(p+2)/2 u^p + p(p+2) u^(p+1) - p(p+1)/2 u^(p+2)    u = r / rMax, and 0 for r >= rMax
 *   out_n(r)      = basis_n(t) cutoff(r)
 * }</pre>
 * The basis weights (Bessel frequencies {@code w_n} or Gaussian centres {@code μ_n}, MACE's buffers) are passed to
 * each call. Derivatives with respect to {@code r}, first and second (for training on forces), come with the values;
 * as in autograd, the cutoff's step at {@code rMax} is a constant factor. Stateless and thread-safe.
 */
public final class RadialEmbedding {

    /** mace-torch's {@code radial_type}s (its Chebyshev basis has no autograd derivative and is left out). */
    public enum Basis {
        /** {@code BesselBasis}: weights are the frequencies {@code bessel_weights}. */
        BESSEL,
        /** {@code GaussianBasis}: weights are the centres {@code gaussian_weights}; at least two functions. */
        GAUSSIAN
    }

    private final double rMax;
    private final int numBessel;
    private final double p;
    private final Basis basis;
    private final double prefactor;
    private final double coeff;

    /**
     * A Bessel embedding.
     *
     * @param rMax               the cutoff radius
     * @param numBessel          number of Bessel functions
     * @param numPolynomialCutoff the cutoff polynomial's degree {@code p}
     * @throws IllegalArgumentException if {@code rMax} is not finite and positive, or a count is below 1
     */
    public RadialEmbedding(double rMax, int numBessel, int numPolynomialCutoff) {
        this(rMax, numBessel, numPolynomialCutoff, Basis.BESSEL);
    }

    /**
     * @param rMax               the cutoff radius
     * @param numBasis           number of basis functions (at least 2 for {@link Basis#GAUSSIAN})
     * @param numPolynomialCutoff the cutoff polynomial's degree {@code p}
     * @param basis              the radial basis
     * @throws IllegalArgumentException if {@code rMax} is not finite and positive, a count is below its minimum, or
     *                                  {@code basis} is null
     */
    public RadialEmbedding(double rMax, int numBasis, int numPolynomialCutoff, Basis basis) {
        String where = "new RadialEmbedding";
        if (!(rMax > 0 && rMax < Double.POSITIVE_INFINITY)) {
            throw Checks.invalid(where, "rMax", "be finite and > 0", rMax);
        }
        if (basis == null) {
            throw Checks.invalid(where, "basis", "be BESSEL or GAUSSIAN", "null");
        }
        int fewest = basis == Basis.GAUSSIAN ? 2 : 1;
        if (numBasis < fewest) {
            throw Checks.invalid(where, "numBasis", "be >= " + fewest + " for a " + basis + " basis", numBasis);
        }
        if (numPolynomialCutoff < 1) {
            throw Checks.invalid(where, "numPolynomialCutoff", "be >= 1", numPolynomialCutoff);
        }
        this.rMax = rMax;
        this.numBessel = numBasis;
        this.p = numPolynomialCutoff;
        this.basis = basis;
        this.prefactor = Math.sqrt(2.0 / rMax);
        double spacing = rMax / (numBasis - 1);
        this.coeff = -0.5 / (spacing * spacing);
    }

    /** The cutoff radius. */
    public double rMax() {
        return rMax;
    }

    /** Number of basis functions: the width of the output. */
    public int numBessel() {
        return numBessel;
    }

    /** The radial basis. */
    public Basis basis() {
        return basis;
    }

    /** The cutoff polynomial's degree {@code p}. */
    public int numPolynomialCutoff() {
        return (int) p;
    }

    /** MACE's {@code prefactor} buffer of a Bessel basis, {@code sqrt(2 / rMax)}. */
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
     * The basis weights a new model starts with: {@link #initialBesselWeights()}, or the Gaussian centres
     * {@code torch.linspace(0, rMax, numBessel)} (its first half stepped up from 0, its second down from {@code rMax},
     * as torch computes them).
     */
    public double[] initialWeights() {
        if (basis == Basis.BESSEL) {
            return initialBesselWeights();
        }
        double[] centres = new double[numBessel];
        double step = rMax / (numBessel - 1);
        int half = numBessel / 2;
        for (int n = 0; n < numBessel; n++) {
            centres[n] = n < half ? step * n : rMax - step * (numBessel - 1 - n);
        }
        return centres;
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
     *   out'' = basis'' cutoff + 2 basis' cutoff' + basis cutoff''
     *   bessel_n''(r)   = sqrt(2 / rMax) (2 sin(w r) / r³ - 2 w cos(w r) / r² - w² sin(w r) / r)
     *   gaussian_n''(r) = gaussian_n(r) (2 coeff + (2 coeff (r - μ_n))²)
     *   cutoff''(r)     = (-(p+1)(p+2)/2 p (p-1) u^(p-2) + p(p+2)(p+1) p u^(p-1) - p(p+1)/2 (p+2)(p+1) u^p) / rMax²
     * }</pre>
     * The second derivatives of an energy through the embedding with respect to the edge lengths: the gradient of
     * {@code sum(gradOut * out')} (a force term) with respect to {@code r} is {@code sum_n gradOut_n out_n''}.
     */
    public void forward(int n, double[] lengths, double[] besselWeights, double[] out, double[] derivatives,
                        double[] secondDerivatives) {
        forward(n, lengths, null, besselWeights, out, derivatives, secondDerivatives);
    }

    /**
     * The embedding of {@code n} edges whose basis sees transformed lengths ({@code transformed}: per edge
     * {@code t(r), t'(r), t''(r)}, as {@link DistanceTransform#apply} writes them; null for {@code t(r) = r}); the
     * cutoff sees the lengths. The derivatives with respect to {@code r} follow the chain rule:
     * {@code out' = basis'(t) t' cutoff + basis(t) cutoff'} and
     * {@code out'' = (basis''(t) t'² + basis'(t) t'') cutoff + 2 basis'(t) t' cutoff' + basis(t) cutoff''}.
     *
     * @param n                 number of edges
     * @param lengths           {@code [n]} edge lengths
     * @param transformed       {@code [n][3]}, or null
     * @param weights           {@code [numBessel]} basis weights (frequencies or centres)
     * @param out               {@code [n][numBessel]}, overwritten
     * @param derivatives       {@code [n][numBessel]} for {@code d out / d r}, or null
     * @param secondDerivatives {@code [n][numBessel]} for {@code d² out / d r²}, or null
     * @throws IllegalArgumentException if an array is missing or has the wrong length
     */
    public void forward(int n, double[] lengths, double[] transformed, double[] weights, double[] out,
                        double[] derivatives, double[] secondDerivatives) {
        String where = "RadialEmbedding.forward";
        Checks.requireNonNegative(where, "n", n);
        Checks.requireLength(where, "lengths", lengths, n);
        if (transformed != null) {
            Checks.requireShape(where, "transformed", transformed, "n", n, 3);
        }
        Checks.requireLength(where, basis == Basis.BESSEL ? "besselWeights" : "gaussianWeights", weights, numBessel);
        Checks.requireShape(where, "out", out, "n", n, numBessel);
        if (derivatives != null) {
            Checks.requireShape(where, "derivatives", derivatives, "n", n, numBessel);
        }
        if (secondDerivatives != null) {
            Checks.requireShape(where, "secondDerivatives", secondDerivatives, "n", n, numBessel);
        }
        boolean slopes = derivatives != null || secondDerivatives != null;
        double[] values = new double[3];
        double[] cutoffs = new double[3];
        for (int e = 0; e < n; e++) {
            double r = lengths[e];
            double t = transformed == null ? r : transformed[3 * e];
            double t1 = transformed == null ? 1.0 : transformed[3 * e + 1];
            double t2 = transformed == null ? 0.0 : transformed[3 * e + 2];
            PolynomialCutoff.evaluate(r, rMax, p, secondDerivatives != null, cutoffs);
            double cutoff = cutoffs[0];
            double dCutoff = cutoffs[1];
            double d2Cutoff = cutoffs[2];
            for (int k = 0; k < numBessel; k++) {
                basis(t, weights[k], slopes, secondDerivatives != null, values);
                out[e * numBessel + k] = values[0] * cutoff;
                if (derivatives != null) {
                    derivatives[e * numBessel + k] = values[1] * t1 * cutoff + values[0] * dCutoff;
                }
                if (secondDerivatives != null) {
                    secondDerivatives[e * numBessel + k] = (values[2] * t1 * t1 + values[1] * t2) * cutoff
                            + 2 * values[1] * t1 * dCutoff + values[0] * d2Cutoff;
                }
            }
        }
    }

    /** One basis function of weight {@code w} at {@code t}: value, and its first and second derivatives if asked. */
    private void basis(double t, double w, boolean first, boolean second, double[] values) {
        if (basis == Basis.GAUSSIAN) {
            double d = t - w;
            double value = Math.exp(coeff * (d * d));
            double slope = 2 * coeff * d;
            values[0] = value;
            values[1] = value * slope;
            values[2] = second ? value * (2 * coeff + slope * slope) : 0.0;
            return;
        }
        double sin = Math.sin(w * t);
        values[0] = prefactor * (sin / t);
        if (first || second) {
            double cos = Math.cos(w * t);
            values[1] = prefactor * (w * cos * t - sin) / (t * t);
            values[2] = second ? prefactor * (2 * sin / (t * t * t) - 2 * w * cos / (t * t) - w * w * sin / t) : 0.0;
        }
    }
}
