package dev.e3j.runtime.nn;

import dev.e3j.runtime.Irreps;
import java.util.Random;

/**
 * The O(3) action on features with {@code l <= 1} only, written out directly so that the layer tests do not depend on
 * Wigner D code: {@code 0e} is invariant, {@code 0o} changes sign under inversion, and a {@code 1o}/{@code 1e} copy
 * in e3nn's {@code (x, y, z)} basis transforms as {@code p^k R v}.
 */
final class LowOrderRotations {

    private LowOrderRotations() {
    }

    /** A uniformly random rotation matrix from a normalized Gaussian quaternion. */
    static double[][] randomRotation(Random random) {
        double w = random.nextGaussian();
        double x = random.nextGaussian();
        double y = random.nextGaussian();
        double z = random.nextGaussian();
        double n = Math.sqrt(w * w + x * x + y * y + z * z);
        w /= n;
        x /= n;
        y /= n;
        z /= n;
        return new double[][] {
            {1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)},
            {2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)},
            {2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)},
        };
    }

    /** {@code D(R, k) x} for every row of {@code x} ({@code [batch][irreps.dim()]}). */
    static double[] apply(Irreps irreps, double[][] rotation, int k, int batch, double[] x) {
        double[] out = new double[x.length];
        int dim = irreps.dim();
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < irreps.size(); i++) {
                Irreps.MulIrrep entry = irreps.get(i);
                int l = entry.ir().l();
                if (l > 1) {
                    throw new IllegalArgumentException("irreps: expected l <= 1 for this helper, got " + entry);
                }
                double sign = k == 1 ? entry.ir().p() : 1.0;
                for (int u = 0; u < entry.mul(); u++) {
                    int start = b * dim + irreps.offset(i) + u * entry.ir().dim();
                    if (l == 0) {
                        out[start] = sign * x[start];
                        continue;
                    }
                    for (int r = 0; r < 3; r++) {
                        double s = 0;
                        for (int c = 0; c < 3; c++) {
                            s += rotation[r][c] * x[start + c];
                        }
                        out[start + r] = sign * s;
                    }
                }
            }
        }
        return out;
    }
}
