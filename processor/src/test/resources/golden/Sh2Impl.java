package golden;

import dev.e3j.runtime.Irreps;
import java.lang.IllegalArgumentException;
import java.lang.Override;
import java.lang.String;

/**
 * e3nn's {@code o3.spherical_harmonics(ls = [0, 1, 2], x, normalize = True, normalization = 'component')}, as declared by {@link Sh2}.
 *
 * <p>Output {@code 1x0e+1x1o+1x2e} per point. Each component is {@code Y^l_m = N * P(x, y, z)}: the constant {@code Yl_i} ({@code i = m + l}) is {@code N}, exact in its Javadoc and rounded once; {@code P} has integer coefficients. Points are first divided by {@code max(|x|, 1e-12)}, as {@code torch.nn.functional.normalize}.
 */
public final class Sh2Impl implements Sh2 {
  private static final Irreps IRREPS_OUT = Irreps.parse("1x0e+1x1o+1x2e");

  /**
   * {@code Y^0_0 = 1}.
   */
  private static final double Y0_0 = 1.0;

  /**
   * {@code Y^1_-1 = sqrt(3) * (x)}.
   */
  private static final double Y1_0 = 1.7320508075688772;

  /**
   * {@code Y^1_0 = sqrt(3) * (y)}.
   */
  private static final double Y1_1 = 1.7320508075688772;

  /**
   * {@code Y^1_1 = sqrt(3) * (z)}.
   */
  private static final double Y1_2 = 1.7320508075688772;

  /**
   * {@code Y^2_-2 = sqrt(15) * (x z)}.
   */
  private static final double Y2_0 = 3.872983346207417;

  /**
   * {@code Y^2_-1 = sqrt(15) * (x y)}.
   */
  private static final double Y2_1 = 3.872983346207417;

  /**
   * {@code Y^2_0 = -sqrt(5)/2 * (x^2 - 2 y^2 + z^2)}.
   */
  private static final double Y2_2 = -1.118033988749895;

  /**
   * {@code Y^2_1 = sqrt(15) * (y z)}.
   */
  private static final double Y2_3 = 3.872983346207417;

  /**
   * {@code Y^2_2 = -sqrt(15)/2 * (x^2 - z^2)}.
   */
  private static final double Y2_4 = -1.9364916731037085;

  @Override
  public Irreps irrepsOut() {
    return IRREPS_OUT;
  }

  @Override
  public void forward(int n, double[] xyz, double[] out) {
    requireNonNegative("n", n);
    requireLength("xyz", xyz, n, 3);
    requireLength("out", out, n, 9);
    for (int p = 0; p < n; p++) {
      double norm = Math.sqrt(xyz[3 * p] * xyz[3 * p] + xyz[3 * p + 1] * xyz[3 * p + 1] + xyz[3 * p + 2] * xyz[3 * p + 2]);
      double scale = Math.max(norm, 1.0E-12);
      double x = xyz[3 * p] / scale;
      double y = xyz[3 * p + 1] / scale;
      double z = xyz[3 * p + 2] / scale;
      int o = p * 9;
      valuesDegrees0To2(x, y, z, out, o);
    }
  }

  @Override
  public void backward(int n, double[] xyz, double[] gradOut, double[] gradXyz) {
    requireNonNegative("n", n);
    requireLength("xyz", xyz, n, 3);
    requireLength("gradOut", gradOut, n, 9);
    requireLength("gradXyz", gradXyz, n, 3);
    for (int p = 0; p < n; p++) {
      double norm = Math.sqrt(xyz[3 * p] * xyz[3 * p] + xyz[3 * p + 1] * xyz[3 * p + 1] + xyz[3 * p + 2] * xyz[3 * p + 2]);
      double scale = Math.max(norm, 1.0E-12);
      double x = xyz[3 * p] / scale;
      double y = xyz[3 * p + 1] / scale;
      double z = xyz[3 * p + 2] / scale;
      int o = p * 9;
      int g = 3 * p;
      gradXyz[g] = 0.0;
      gradXyz[g + 1] = 0.0;
      gradXyz[g + 2] = 0.0;
      gradientDegrees1And2(x, y, z, gradOut, o, gradXyz, g);
      // chain rule of u = x / max(|x|, eps): (g - (g . u) u) / |x| above eps, g / eps below
      if (norm >= 1.0E-12) {
        double radial = gradXyz[g] * x + gradXyz[g + 1] * y + gradXyz[g + 2] * z;
        gradXyz[g] -= radial * x;
        gradXyz[g + 1] -= radial * y;
        gradXyz[g + 2] -= radial * z;
      }
      gradXyz[g] /= scale;
      gradXyz[g + 1] /= scale;
      gradXyz[g + 2] /= scale;
    }
  }

  private static void valuesDegrees0To2(double x, double y, double z, double[] out, int o) {
    double z2 = z * z;
    double yz = z * y;
    double y2 = y * y;
    double xz = z * x;
    double xy = y * x;
    double x2 = x * x;
    out[o + 0] = Y0_0;
    out[o + 1] = Y1_0 * x;
    out[o + 2] = Y1_1 * y;
    out[o + 3] = Y1_2 * z;
    out[o + 4] = Y2_0 * xz;
    out[o + 5] = Y2_1 * xy;
    out[o + 6] = Y2_2 * (x2 - 2 * y2 + z2);
    out[o + 7] = Y2_3 * yz;
    out[o + 8] = Y2_4 * (x2 - z2);
  }

  private static void gradientDegrees1And2(double x, double y, double z, double[] gradOut, int o,
      double[] gradXyz, int g) {
    double gx = 0.0;
    double gy = 0.0;
    double gz = 0.0;
    double g1_0 = Y1_0 * gradOut[o + 1];
    gx += g1_0;
    double g1_1 = Y1_1 * gradOut[o + 2];
    gy += g1_1;
    double g1_2 = Y1_2 * gradOut[o + 3];
    gz += g1_2;
    double g2_0 = Y2_0 * gradOut[o + 4];
    gx += g2_0 * z;
    gz += g2_0 * x;
    double g2_1 = Y2_1 * gradOut[o + 5];
    gx += g2_1 * y;
    gy += g2_1 * x;
    double g2_2 = Y2_2 * gradOut[o + 6];
    gx += g2_2 * (2 * x);
    gy += g2_2 * (-4 * y);
    gz += g2_2 * (2 * z);
    double g2_3 = Y2_3 * gradOut[o + 7];
    gy += g2_3 * z;
    gz += g2_3 * y;
    double g2_4 = Y2_4 * gradOut[o + 8];
    gx += g2_4 * (2 * x);
    gz += g2_4 * (-2 * z);
    gradXyz[g] += gx;
    gradXyz[g + 1] += gy;
    gradXyz[g + 2] += gz;
  }

  private static void requireLength(String name, double[] array, int rows, int rowLength) {
    long expected = (long) rows * rowLength;
    long actual = array == null ? 0 : array.length;
    if (actual != expected) {
      throw new IllegalArgumentException(name + ": expected length " + expected + " (" + rows + " x " + rowLength + "), got " + actual);
    }
  }

  private static void requireNonNegative(String name, int size) {
    if (size < 0) {
      throw new IllegalArgumentException(name + ": expected a size >= 0, got " + size);
    }
  }
}
