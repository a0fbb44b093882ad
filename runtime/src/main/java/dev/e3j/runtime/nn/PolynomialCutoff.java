package dev.e3j.runtime.nn;

/**
 * mace-torch's {@code PolynomialCutoff} (equation 8 of the MACE paper), shared by the radial embedding and the ZBL
 * repulsion's envelope: with {@code u = r / range},
 * <pre>{@code
 *   f(r) = 1 - (p+1)(p+2)/2 u^p + p(p+2) u^(p+1) - p(p+1)/2 u^(p+2)    for r < range, else 0
 * }</pre>
 * and its first and second derivatives in {@code r}; as in autograd, the step at {@code range} is a constant factor.
 */
final class PolynomialCutoff {

    private PolynomialCutoff() {
    }

    /**
     * Writes {@code f(r)}, {@code f'(r)} and, when {@code second}, {@code f''(r)} (else 0) into {@code out[0..2]}.
     */
    static void evaluate(double r, double range, double p, boolean second, double[] out) {
        double a = (p + 1.0) * (p + 2.0) / 2.0;
        double b = p * (p + 2.0);
        double c = p * (p + 1.0) / 2;
        double u = r / range;
        double inside = r < range ? 1.0 : 0.0;
        double up = Math.pow(u, p);
        double up1 = Math.pow(u, p + 1);
        double up2 = Math.pow(u, p + 2);
        out[0] = (1.0 - a * up + b * up1 - c * up2) * inside;
        out[1] = inside * (-a * p * Math.pow(u, p - 1) + b * (p + 1) * up - c * (p + 2) * up1) / range;
        out[2] = second ? inside * (-a * p * (p - 1) * Math.pow(u, p - 2) + b * (p + 1) * p * Math.pow(u, p - 1)
                - c * (p + 2) * (p + 1) * up) / (range * range) : 0.0;
    }
}
