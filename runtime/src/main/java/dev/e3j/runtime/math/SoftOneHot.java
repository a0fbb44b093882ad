package dev.e3j.runtime.math;

import dev.e3j.runtime.internal.Checks;
import java.util.Arrays;

/**
 * e3nn's radial bases: {@code math.soft_one_hot_linspace} and {@code math.soft_unit_step}, each with its first and
 * second derivatives for backward and double backward passes (as autograd takes them: a basis cut off by a mask
 * has the masked derivatives).
 *
 * <p>{@code softOneHotLinspace(x, start, end, N, basis, cutoff)} returns {@code y_i(x)}, {@code i = 0..N-1}, for
 * every {@code x}. With {@code cutoff = false} the centers are {@code linspace(start, end, N)}; with
 * {@code cutoff = true} they are {@code linspace(start, end, N + 2)} without its two ends, so every basis function
 * vanishes (smoothly for {@code smooth_finite}) outside {@code (start, end)}. With {@code step} the spacing of those
 * points and {@code d_i = (x - c_i) / step}:
 * <pre>{@code
 *   GAUSSIAN       exp(-d_i^2) / 1.12
 *   COSINE         cos(pi/2 d_i)                      for -1 < d_i < 1, else 0
 *   SMOOTH_FINITE  1.14136 e^2 u(d_i + 1) u(1 - d_i)  (u = softUnitStep)
 *   FOURIER        t = (x - start)/(end - start):  cos(pi i t) / sqrt(1/4 + N/2)      (no cutoff, i = 0..N-1)
 *                                                 sin(pi i t) / sqrt(1/4 + N/2), 0 < t < 1   (cutoff, i = 1..N)
 *   BESSEL         r = x - start, c = end - start:  sqrt(2/c) sin(i pi r / c) / r   (i = 1..N; 0 < r < c with cutoff)
 * }</pre>
 * As in e3nn, {@code BESSEL} at {@code x = start} is {@code 0/0 = NaN}, and without cutoff {@code N >= 2} is
 * required (the spacing needs two centers). e3nn computes the {@code smooth_finite} constant {@code e^2} in the
 * default dtype; under float32 it is rounded to float32 (about 1e-8 relative), here it is exact in double.
 * Outputs are {@code [x.length][N]}.
 */
public final class SoftOneHot {

    /** The basis families of {@code soft_one_hot_linspace}. */
    public enum Basis {
        /** Gaussians around the centers. */
        GAUSSIAN,
        /** Cosine bumps around the centers, zero beyond the neighbouring ones. */
        COSINE,
        /** Smooth bumps of finite support, built from {@link #softUnitStep(double)}. */
        SMOOTH_FINITE,
        /** A cosine series on {@code [start, end]}; sines with cutoff. */
        FOURIER,
        /** Bessel functions {@code sin(i pi r / c) / r} of {@code r = x - start}. */
        BESSEL
    }

    /** e3nn's Gaussians are {@code exp(-d^2) / 1.12}. */
    private static final double GAUSSIAN_SCALE = 1.12;
    private static final double SMOOTH_FINITE_SCALE = 1.14136 * Math.exp(2.0);

    private SoftOneHot() {
    }

    /** {@code u(x) = e^{-1/x}} for {@code x > 0}, else 0: a C-infinity unit step. */
    public static double softUnitStep(double x) {
        return x > 0 ? Math.exp(-1 / x) : 0.0;
    }

    /**
     * {@code u'(x) = e^{-1/x} / x^2} for {@code x > 0}, else 0 (also 0 where {@code e^{-1/x}} underflows, below
     * {@code x ≈ 0.0013}, instead of {@code 0 / 0} once {@code x^2} underflows too).
     */
    public static double softUnitStepDerivative(double x) {
        double step = softUnitStep(x);
        return step == 0 ? 0.0 : step / (x * x);
    }

    /**
     * {@code u''(x) = e^{-1/x} (1 - 2x) / x^4} for {@code x > 0}, else 0: the derivative of
     * {@link #softUnitStepDerivative(double)}, as autograd differentiates e3nn's backward {@code exp(-1/x) / x^2}
     * (negative beyond {@code x = 1/2}, where the step's slope peaks).
     */
    public static double softUnitStepSecondDerivative(double x) {
        double step = softUnitStep(x);
        if (step == 0) {
            return 0.0;
        }
        double squared = x * x;
        return step * (1 - 2 * x) / (squared * squared);
    }

    /** The values {@code y_i(x)}, {@code [x.length][number]}. */
    public static double[] softOneHotLinspace(double[] x, double start, double end, int number, Basis basis,
                                              boolean cutoff) {
        return evaluate("SoftOneHot.softOneHotLinspace", x, start, end, number, basis, cutoff, 0);
    }

    /**
     * The values {@code y_i(x)} and the derivatives {@code dy_i/dx} together, each overwritten into a
     * {@code [x.length][number]} array: the same numbers as {@link #softOneHotLinspace} and
     * {@link #softOneHotLinspaceDerivative}, with each Gaussian's exponential computed once for both (a forward pass
     * that keeps the derivatives for its backward).
     */
    public static void softOneHotLinspaceWithDerivative(double[] x, double start, double end, int number, Basis basis,
                                                        boolean cutoff, double[] values, double[] derivatives) {
        String where = "SoftOneHot.softOneHotLinspaceWithDerivative";
        Checks.requireNonNull(where, "x", x);
        Checks.requireShape(where, "values", values, "x.length", x.length, number);
        Checks.requireShape(where, "derivatives", derivatives, "x.length", x.length, number);
        if (basis != Basis.GAUSSIAN) {
            double[] computed = evaluate(where, x, start, end, number, basis, cutoff, 0);
            System.arraycopy(computed, 0, values, 0, computed.length);
            computed = evaluate(where, x, start, end, number, basis, cutoff, 1);
            System.arraycopy(computed, 0, derivatives, 0, computed.length);
            return;
        }
        checkGrid(where, start, end, number, basis, cutoff);
        double[] grid = linspace(start, end, cutoff ? number + 2 : number);
        double step = grid[1] - grid[0];
        int first = cutoff ? 1 : 0;
        // Gaussians exp(-d_i^2), d_i = (x - c_i) / step, from the nearest center c_m outwards: with u = d_m and
        // i = m + j, d_i = u - j and exp(-d_i^2) = exp(-u^2) exp(2u)^j exp(-j^2): two exponentials per x instead of
        // one per center. Past the last center (or before the first) u grows, but only the decaying powers are taken,
        // so nothing overflows. The values differ from the direct formula's in the last bits (relative 1e-15 per unit
        // of d_i^2, whose rounding that formula carries too).
        double[] decay = new double[number];
        for (int j = 0; j < number; j++) {
            decay[j] = Math.exp(-(double) j * j);
        }
        double inverseStep = 1 / step;
        double slope = -2 * inverseStep * inverseStep;
        for (int k = 0; k < x.length; k++) {
            double t = (x[k] - grid[first]) * inverseStep;
            int nearest = (int) Math.max(0, Math.min(number - 1, Math.rint(t)));
            double u = (x[k] - grid[first + nearest]) * inverseStep;
            double peak = Math.exp(-u * u) / GAUSSIAN_SCALE;
            double up = Math.exp(2 * u);
            double down = 1 / up;
            int row = k * number;
            double power = peak;
            for (int i = nearest; i < number; i++) {
                double value = power * decay[i - nearest];
                values[row + i] = value;
                derivatives[row + i] = (x[k] - grid[first + i]) * slope * value;
                power *= up;
            }
            power = peak * down;
            for (int i = nearest - 1; i >= 0; i--) {
                double value = power * decay[nearest - i];
                values[row + i] = value;
                derivatives[row + i] = (x[k] - grid[first + i]) * slope * value;
                power *= down;
            }
        }
    }

    /** The derivatives {@code dy_i/dx}, {@code [x.length][number]}. */
    public static double[] softOneHotLinspaceDerivative(double[] x, double start, double end, int number, Basis basis,
                                                        boolean cutoff) {
        return evaluate("SoftOneHot.softOneHotLinspaceDerivative", x, start, end, number, basis, cutoff, 1);
    }

    /**
     * The second derivatives {@code d²y_i/dx²}, {@code [x.length][number]}: with {@code d_i = (x - c_i) / step},
     * <pre>{@code
     *   GAUSSIAN       (4 d_i^2 - 2) / step^2 exp(-d_i^2) / 1.12
     *   COSINE         -(pi / (2 step))^2 cos(pi/2 d_i)                                  for -1 < d_i < 1
     *   SMOOTH_FINITE  1.14136 e^2 / step^2 (u''(d+1) u(1-d) - 2 u'(d+1) u'(1-d) + u(d+1) u''(1-d))
     *   FOURIER        -(pi i / (end - start))^2 y_i                                     (i = 1..N with cutoff)
     *   BESSEL         sqrt(2/c) (2 sin(k r) / r^3 - 2 k cos(k r) / r^2 - k^2 sin(k r) / r),  k = i pi / c
     * }</pre>
     */
    public static double[] softOneHotLinspaceSecondDerivative(double[] x, double start, double end, int number,
                                                              Basis basis, boolean cutoff) {
        return evaluate("SoftOneHot.softOneHotLinspaceSecondDerivative", x, start, end, number, basis, cutoff, 2);
    }

    /**
     * Backward of {@link #softOneHotLinspace}: {@code gradX[k] = sum_i gradOut[k][i] dy_i/dx(x[k])}.
     */
    public static double[] softOneHotLinspaceBackward(double[] x, double start, double end, int number, Basis basis,
                                                      boolean cutoff, double[] gradOut) {
        String where = "SoftOneHot.softOneHotLinspaceBackward";
        Checks.requireNonNull(where, "x", x);
        Checks.requireShape(where, "gradOut", gradOut, "x.length", x.length, number);
        double[] derivative = evaluate(where, x, start, end, number, basis, cutoff, 1);
        double[] gradX = new double[x.length];
        for (int k = 0; k < x.length; k++) {
            double sum = 0;
            for (int i = 0; i < number; i++) {
                sum += gradOut[k * number + i] * derivative[k * number + i];
            }
            gradX[k] = sum;
        }
        return gradX;
    }

    /**
     * The second derivatives of {@link #softOneHotLinspaceBackward}: given a cotangent {@code ggX} of its
     * {@code gradX} ({@code [x.length]}, {@code null} = zero), the gradients of {@code sum(ggX * gradX)}
     * <pre>{@code
     *   gX[k]          = ggX[k] sum_i gradOut[k][i] y_i''(x[k])
     *   gGradOut[k][i] = ggX[k] y_i'(x[k])          (the tangent of the values along ggX)
     * }</pre>
     * each overwritten ({@code gX} {@code [x.length]}, {@code gGradOut} {@code [x.length][number]}), {@code null} to
     * skip.
     */
    public static void softOneHotLinspaceDoubleBackward(double[] x, double start, double end, int number,
                                                        Basis basis, boolean cutoff, double[] gradOut, double[] ggX,
                                                        double[] gX, double[] gGradOut) {
        String where = "SoftOneHot.softOneHotLinspaceDoubleBackward";
        Checks.requireNonNull(where, "x", x);
        Checks.requireShape(where, "gradOut", gradOut, "x.length", x.length, number);
        if (ggX != null) {
            Checks.requireLength(where, "ggX", ggX, x.length);
        }
        if (gX != null) {
            Checks.requireLength(where, "gX", gX, x.length);
        }
        if (gGradOut != null) {
            Checks.requireShape(where, "gGradOut", gGradOut, "x.length", x.length, number);
        }
        if (ggX == null) {
            if (gX != null) {
                Arrays.fill(gX, 0.0);
            }
            if (gGradOut != null) {
                Arrays.fill(gGradOut, 0.0);
            }
            return;
        }
        if (gGradOut != null) {
            double[] derivative = evaluate(where, x, start, end, number, basis, cutoff, 1);
            for (int k = 0; k < x.length; k++) {
                for (int i = 0; i < number; i++) {
                    gGradOut[k * number + i] = ggX[k] * derivative[k * number + i];
                }
            }
        }
        if (gX != null) {
            double[] second = evaluate(where, x, start, end, number, basis, cutoff, 2);
            for (int k = 0; k < x.length; k++) {
                double sum = 0;
                for (int i = 0; i < number; i++) {
                    sum += gradOut[k * number + i] * second[k * number + i];
                }
                gX[k] = ggX[k] * sum;
            }
        }
    }

    /**
     * {@code torch.linspace(start, end, steps)}: the first half counted from {@code start}, the second from
     * {@code end}, which makes both ends exact.
     */
    static double[] linspace(double start, double end, int steps) {
        double[] values = new double[steps];
        if (steps == 1) {
            values[0] = start;
            return values;
        }
        double step = (end - start) / (steps - 1);
        int halfway = steps / 2;
        for (int i = 0; i < steps; i++) {
            values[i] = i < halfway ? start + step * i : end - step * (steps - i - 1);
        }
        return values;
    }

    /** Checks the basis and its grid: {@code number} centers, apart, on a finite {@code [start, end]}. */
    private static void checkGrid(String where, double start, double end, int number, Basis basis, boolean cutoff) {
        Checks.requireNonNull(where, "basis", basis);
        if (number < (cutoff ? 1 : 2)) {
            throw Checks.invalid(where, "number", "be >= " + (cutoff ? 1 : 2) + (cutoff ? "" : " without cutoff"),
                    number);
        }
        int points = cutoff ? number + 2 : number;
        if (points < 0 || points > Checks.MAX_ARRAY_LENGTH) {
            throw Checks.invalid(where, "number", "be at most " + (Checks.MAX_ARRAY_LENGTH - (cutoff ? 2 : 0))
                    + (cutoff ? " with cutoff (number + 2 grid points in one array)" : " (the grid's points)"), number);
        }
        if (!Double.isFinite(start)) {
            throw Checks.invalid(where, "start", "be finite", start);
        }
        if (!Double.isFinite(end)) {
            throw Checks.invalid(where, "end", "be finite", end);
        }
        if (!(end > start)) {
            throw Checks.invalid(where, "end", "be > start " + start, end);
        }
        if (!Double.isFinite(end - start)) {
            throw Checks.invalid(where, "end - start", "be finite", end + " - " + start + " = " + (end - start));
        }
        // A spacing below the doubles' own spacing there would round centers together (and divide by 0).
        double spacing = (end - start) / (points - 1);
        double resolution = Math.ulp(Math.max(Math.abs(start), Math.abs(end)));
        if (!(spacing >= resolution)) {
            throw Checks.invalid(where, "number", "leave the centers apart: their spacing (end - start) / "
                    + (points - 1) + " must be at least " + resolution + ", the spacing of doubles near [start "
                    + start + ", end " + end + "]", number + " (spacing " + spacing + ")");
        }
    }

    private static double[] evaluate(String where, double[] x, double start, double end, int number, Basis basis,
                                     boolean cutoff, int order) {
        Checks.requireNonNull(where, "x", x);
        checkGrid(where, start, end, number, basis, cutoff);
        double[] out = new double[Checks.arrayLength(where, "x.length", x.length, "number", number)];
        if (out.length == 0) {
            return out;
        }
        double[] grid = linspace(start, end, cutoff ? number + 2 : number);
        double step = grid[1] - grid[0];
        double[] centers = new double[number];
        System.arraycopy(grid, cutoff ? 1 : 0, centers, 0, number);
        for (int k = 0; k < x.length; k++) {
            for (int i = 0; i < number; i++) {
                out[k * number + i] = switch (order) {
                    case 0 -> value(x[k], i, centers[i], step, start, end, number, basis, cutoff);
                    case 1 -> derivative(x[k], i, centers[i], step, start, end, number, basis, cutoff);
                    default -> secondDerivative(x[k], i, centers[i], step, start, end, number, basis, cutoff);
                };
            }
        }
        return out;
    }

    private static double value(double x, int i, double center, double step, double start, double end, int number,
                                Basis basis, boolean cutoff) {
        double d = (x - center) / step;
        switch (basis) {
            case GAUSSIAN:
                return Math.exp(-d * d) / GAUSSIAN_SCALE;
            case COSINE:
                return -1 < d && d < 1 ? Math.cos(Math.PI / 2 * d) : 0.0;
            case SMOOTH_FINITE:
                return SMOOTH_FINITE_SCALE * softUnitStep(d + 1) * softUnitStep(1 - d);
            case FOURIER: {
                double t = (x - start) / (end - start);
                double norm = Math.sqrt(0.25 + number / 2.0);
                if (!cutoff) {
                    return Math.cos(Math.PI * i * t) / norm;
                }
                return 0 < t && t < 1 ? Math.sin(Math.PI * (i + 1) * t) / norm : 0.0;
            }
            case BESSEL: {
                double r = x - start;
                double c = end - start;
                double root = (i + 1) * Math.PI;
                double y = Math.sqrt(2 / c) * Math.sin(root * r / c) / r;
                return !cutoff || (r / c < 1 && 0 < r) ? y : 0.0 * y;
            }
            default:
                throw new AssertionError(basis);
        }
    }

    private static double derivative(double x, int i, double center, double step, double start, double end,
                                     int number, Basis basis, boolean cutoff) {
        double d = (x - center) / step;
        switch (basis) {
            case GAUSSIAN:
                return -2 * d / step * Math.exp(-d * d) / GAUSSIAN_SCALE;
            case COSINE:
                return -1 < d && d < 1 ? -Math.PI / 2 / step * Math.sin(Math.PI / 2 * d) : 0.0;
            case SMOOTH_FINITE:
                return SMOOTH_FINITE_SCALE / step * (softUnitStepDerivative(d + 1) * softUnitStep(1 - d)
                        - softUnitStep(d + 1) * softUnitStepDerivative(1 - d));
            case FOURIER: {
                double length = end - start;
                double t = (x - start) / length;
                double norm = Math.sqrt(0.25 + number / 2.0);
                if (!cutoff) {
                    return -Math.PI * i / length * Math.sin(Math.PI * i * t) / norm;
                }
                double k = Math.PI * (i + 1);
                return 0 < t && t < 1 ? k / length * Math.cos(k * t) / norm : 0.0;
            }
            case BESSEL: {
                double r = x - start;
                double c = end - start;
                double k = (i + 1) * Math.PI / c;
                double dy = Math.sqrt(2 / c) * (k * Math.cos(k * r) / r - Math.sin(k * r) / (r * r));
                return !cutoff || (r / c < 1 && 0 < r) ? dy : 0.0 * dy;
            }
            default:
                throw new AssertionError(basis);
        }
    }

    private static double secondDerivative(double x, int i, double center, double step, double start, double end,
                                           int number, Basis basis, boolean cutoff) {
        double d = (x - center) / step;
        switch (basis) {
            case GAUSSIAN:
                return (4 * d * d - 2) / (step * step) * Math.exp(-d * d) / GAUSSIAN_SCALE;
            case COSINE: {
                double k = Math.PI / 2 / step;
                return -1 < d && d < 1 ? -k * k * Math.cos(Math.PI / 2 * d) : 0.0;
            }
            case SMOOTH_FINITE:
                return SMOOTH_FINITE_SCALE / (step * step) * (softUnitStepSecondDerivative(d + 1) * softUnitStep(1 - d)
                        - 2 * softUnitStepDerivative(d + 1) * softUnitStepDerivative(1 - d)
                        + softUnitStep(d + 1) * softUnitStepSecondDerivative(1 - d));
            case FOURIER: {
                double length = end - start;
                double t = (x - start) / length;
                double norm = Math.sqrt(0.25 + number / 2.0);
                if (!cutoff) {
                    double k = Math.PI * i / length;
                    return -k * k * Math.cos(Math.PI * i * t) / norm;
                }
                double k = Math.PI * (i + 1);
                return 0 < t && t < 1 ? -(k / length) * (k / length) * Math.sin(k * t) / norm : 0.0;
            }
            case BESSEL: {
                double r = x - start;
                double c = end - start;
                double k = (i + 1) * Math.PI / c;
                double sin = Math.sin(k * r);
                double d2y = Math.sqrt(2 / c) * (2 * sin / (r * r * r) - 2 * k * Math.cos(k * r) / (r * r)
                        - k * k * sin / r);
                return !cutoff || (r / c < 1 && 0 < r) ? d2y : 0.0 * d2y;
            }
            default:
                throw new AssertionError(basis);
        }
    }
}
