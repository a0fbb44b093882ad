package golden;

import dev.e3j.runtime.Irreps;
import java.lang.IllegalArgumentException;
import java.lang.Override;
import java.lang.String;
import java.util.Arrays;

/**
 * e3nn's {@code o3.Linear("2x0e+1x1o" -> "1x0e+2x1o")}, path normalization {@code ELEMENT}, biases on the 0e outputs, as declared by {@link Mix}.
 *
 * <p>{@code out[w][i] = sum over paths of sqrt(alpha) * sum_u W[u][w] x[u][i]}, weights {@code W[mul_in][mul_out]} row-major:
 * <ul>
 * <li>path 0: in[0] {@code 2x0e} -> out[0] {@code 1x0e}, weights 0..1, alpha = 1 / 2</li>
 * <li>path 1: in[1] {@code 1x1o} -> out[1] {@code 2x1o}, weights 2..3, alpha = 1</li>
 * <li>bias of out[0] {@code 1x0e}: biases 0..0</li>
 * </ul>
 * Outputs without a path are zero.
 */
public final class MixImpl implements Mix {
  private static final Irreps IRREPS_IN = Irreps.parse("2x0e+1x1o");

  private static final Irreps IRREPS_OUT = Irreps.parse("1x0e+2x1o");

  /**
   * sqrt(2)/2 = sqrt(1 / 2), path 0.
   */
  private static final double PATH_0 = 0.7071067811865476;

  /**
   * 1 = sqrt(1), path 1.
   */
  private static final double PATH_1 = 1.0;

  @Override
  public Irreps irrepsIn() {
    return IRREPS_IN;
  }

  @Override
  public Irreps irrepsOut() {
    return IRREPS_OUT;
  }

  @Override
  public int weightNumel() {
    return 4;
  }

  @Override
  public int biasNumel() {
    return 1;
  }

  @Override
  public void forward(int batch, double[] x, double[] weights, double[] bias, double[] out) {
    requireNonNegative("batch", batch);
    requireLength("x", x, batch, 5);
    requireLength("weights", weights, 1, 4);
    requireLength("bias", bias, 1, 1);
    requireLength("out", out, batch, 7);
    for (int b = 0; b < batch; b++) {
      int xb = b * 5;
      int ob = b * 7;
      // out[0] 1x0e
      for (int w = 0; w < 1; w++) {
        double path0 = 0.0;
        for (int u = 0; u < 2; u++) {
          path0 += weights[u * 1 + w] * x[xb + u];
        }
        out[ob + w] = PATH_0 * path0 + bias[w];
      }
      // out[1] 2x1o
      for (int w = 0; w < 2; w++) {
        for (int i = 0; i < 3; i++) {
          double path1 = 0.0;
          for (int u = 0; u < 1; u++) {
            path1 += weights[u * 2 + w + 2] * x[xb + u * 3 + i + 2];
          }
          out[ob + w * 3 + i + 1] = PATH_1 * path1;
        }
      }
    }
  }

  @Override
  public void backward(int batch, double[] x, double[] weights, double[] gradOut, double[] gradX,
      double[] gradWeights, double[] gradBias) {
    requireNonNegative("batch", batch);
    requireLength("x", x, batch, 5);
    requireLength("weights", weights, 1, 4);
    requireLength("gradOut", gradOut, batch, 7);
    if (gradX != null) {
      requireLength("gradX", gradX, batch, 5);
      for (int b = 0; b < batch; b++) {
        int xb = b * 5;
        int ob = b * 7;
        // x[0] 2x0e
        for (int u = 0; u < 2; u++) {
          double path0 = 0.0;
          for (int w = 0; w < 1; w++) {
            path0 += weights[u * 1 + w] * gradOut[ob + w];
          }
          gradX[xb + u] = PATH_0 * path0;
        }
        // x[1] 1x1o
        for (int u = 0; u < 1; u++) {
          for (int i = 0; i < 3; i++) {
            double path1 = 0.0;
            for (int w = 0; w < 2; w++) {
              path1 += weights[u * 2 + w + 2] * gradOut[ob + w * 3 + i + 1];
            }
            gradX[xb + u * 3 + i + 2] = PATH_1 * path1;
          }
        }
      }
    }
    if (gradWeights != null) {
      requireLength("gradWeights", gradWeights, 1, 4);
      Arrays.fill(gradWeights, 0, 4, 0.0);
      for (int b = 0; b < batch; b++) {
        int xb = b * 5;
        int ob = b * 7;
        // path 0: x[0] -> out[0]
        for (int u = 0; u < 2; u++) {
          for (int w = 0; w < 1; w++) {
            gradWeights[u * 1 + w] += PATH_0 * x[xb + u] * gradOut[ob + w];
          }
        }
        // path 1: x[1] -> out[1]
        for (int u = 0; u < 1; u++) {
          for (int w = 0; w < 2; w++) {
            double dot = 0.0;
            for (int i = 0; i < 3; i++) {
              dot += x[xb + u * 3 + i + 2] * gradOut[ob + w * 3 + i + 1];
            }
            gradWeights[u * 2 + w + 2] += PATH_1 * dot;
          }
        }
      }
    }
    if (gradBias != null) {
      requireLength("gradBias", gradBias, 1, 1);
      Arrays.fill(gradBias, 0, 1, 0.0);
      for (int b = 0; b < batch; b++) {
        int ob = b * 7;
        for (int w = 0; w < 1; w++) {
          gradBias[w] += gradOut[ob + w];
        }
      }
    }
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
