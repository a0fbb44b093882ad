package demo.modular;

import dev.e3j.annotations.Linear;
import dev.e3j.annotations.SphericalHarmonics;
import dev.e3j.annotations.TensorProduct;
import dev.e3j.runtime.LinearKernel;
import dev.e3j.runtime.SphericalHarmonicsKernel;
import dev.e3j.runtime.TensorProductKernel;

/** One kernel of each kind, generated into this named module, chained on one vector. */
public final class Pipeline {

    /** {@code Y^0, Y^1} of the normalized vector: {@code 1} and {@code sqrt(3) (x, y, z) / |r|}. */
    @SphericalHarmonics(lmax = 1)
    interface Harmonics extends SphericalHarmonicsKernel {
    }

    /** One weight per irrep: {@code (w0 Y^0, w1 Y^1)}. */
    @Linear(in = "1x0e + 1x1o", out = "1x0e + 1x1o")
    interface Scale extends LinearKernel {
    }

    /** {@code w (x1 . x2) / sqrt(3)}. */
    @TensorProduct(in1 = "1x1o", in2 = "1x1o", out = "1x0e")
    interface Invariant extends TensorProductKernel {
    }

    private Pipeline() {
    }

    /**
     * For {@code r = (0, 0, 2)}: {@code Y^1 = sqrt(3) e_z}, scaled by 3, and its invariant with the unscaled
     * {@code Y^1} is {@code 3 sqrt(3) sqrt(3) / sqrt(3) = 3 sqrt(3)}. Prints it; fails if it is not that.
     */
    public static void main(String[] args) {
        double[] harmonics = new double[4];
        new Pipeline_HarmonicsImpl().forward(1, new double[] {0, 0, 2}, harmonics);
        double[] scaled = new double[4];
        new Pipeline_ScaleImpl().forward(1, harmonics, new double[] {2, 3}, new double[0], scaled);
        double[] invariant = new double[1];
        new Pipeline_InvariantImpl().forward(1, new double[] {scaled[1], scaled[2], scaled[3]},
                new double[] {harmonics[1], harmonics[2], harmonics[3]}, new double[] {1}, invariant);
        double expected = 3 * Math.sqrt(3);
        if (Math.abs(invariant[0] - expected) > 1e-12 || Math.abs(scaled[0] - 2) > 1e-15) {
            throw new AssertionError("expected " + expected + " and 2, got " + invariant[0] + " and " + scaled[0]);
        }
        System.out.println("invariant = " + invariant[0]);
    }
}
