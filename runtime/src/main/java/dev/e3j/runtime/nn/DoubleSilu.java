package dev.e3j.runtime.nn;

/**
 * SiLU and its derivative in double, in arithmetic that HotSpot's C2 vectorizes (JDK 17 on AVX2: four lanes):
 * {@link ScalarFunction#SILU}'s double methods, bulk and scalar (the same operations, so the same bits), used by the
 * radial MLPs (MACE's and e3nn's), which would otherwise call {@link Math#exp}, a scalar stub, one value at a time.
 *
 * <p>With {@code b = |x|} and {@code e = exp(-b)}, {@code x >= 0} has {@code silu(x) = x / (1 + e)} and
 * {@code silu'(x) = (1 + e + x e) / (1 + e)^2}, {@code x < 0} has {@code silu(x) = x e / (1 + e)} and
 * {@code silu'(x) = e (1 + e + x) / (1 + e)^2}: no difference of close values but the derivative's own zero near
 * {@code x = -1.28}. The branch between the two is arithmetic on a 0/1 indicator of {@code x > 0} (C2 vectorizes no
 * conditional).
 *
 * <p>The exponential: {@code b = k ln 2 + r}, {@code k} the nearest integer, {@code |r| <= ln 2 / 2} (Cody and Waite's
 * two-part {@code ln 2}, exact for the {@code k} here), {@code exp(-r)} a degree-12 polynomial (relative error below
 * {@code 4e-19}; by Estrin's scheme, whose dependency chains are half as long as Horner's: 8% faster here), times
 * {@code 2^-k}. C2 on JDK 17 vectorizes no bit conversion between double and long, so
 * {@code 2^-k} is computed: {@code 2^-m} for {@code m = floor(k / 2)} is a cubic approximation of
 * {@code 2^(-m/1024)} squared ten times (relative error below 0.01) and rounded to two significant bits by Veltkamp's
 * splitting, which leaves exactly {@code 2^-m}; then {@code 2^-k = 2^-m 2^-(k-m)}. The exponential is kept as
 * {@code e 2^(k-m)} (normal for every {@code b} here) and the results of {@code x < 0} are computed from it and
 * multiplied by {@code 2^-(k-m)} last, so that a subnormal SiLU is rounded once (the {@link Math#exp} formula rounds
 * {@code e} to a subnormal first, and loses digits in the product). {@code b} is clamped at 760, where SiLU of
 * {@code -b} and its derivative round to {@code -0} and those of {@code b} to {@code b} and 1; {@code x} is clamped
 * in the products with the exponential, so that {@code silu(±∞) = ±∞ or -0} and {@code silu'(±∞) = 1 or -0} (the
 * limits, where {@code x σ(x)} gives NaN at {@code -∞}); NaN gives NaN.
 *
 * <p>Accuracy against SiLU to 40 digits (200,000 inputs over {@code [-760, 760]}, every binade and the subnormal
 * results): values within 2.3 ulps of the correctly rounded result, derivatives within 2 ulps plus 1.3 ulps of the
 * size of their terms ({@code (1 + e + |x| e) / (1 + e)^2}, {@code e (1 + e + |x|) / (1 + e)^2}), which bounds the
 * error near the derivative's zero; the {@link Math#exp} formula measured 2.6 and 18 ulps away from that zero, and
 * hundreds of ulps on subnormal results. About twice as fast as that formula in bulk (4.4-4.6 against 8.5-9.4 ns
 * per value over 256 values, thread CPU time on a loaded AVX2 machine).
 */
final class DoubleSilu {

    private static final double LOG2E = 1.4426950408889634;
    /** {@code ln 2}'s leading 32 bits: {@code k LN2_HIGH} is exact for {@code k < 2^21}. */
    private static final double LN2_HIGH = 6.93147180369123816490e-01;
    /** {@code ln 2 - LN2_HIGH}. */
    private static final double LN2_LOW = 1.90821492927058770002e-10;
    /** The clamp on {@code |x|}: {@code 760 e^-760} is below half the least subnormal. */
    private static final double MAX_ARGUMENT = 760;
    /** {@code 2^51 + 1}: Veltkamp's splitting with it rounds a double to its two leading bits. */
    private static final double SPLITTER = 0x1p51 + 1;
    /** Its square overflows any positive double of at least {@code 2^-1074} past 1. */
    private static final double HUGE = 0x1p1000;

    /** Values per chunk when the arrays are not all distinct and indexed from 0. */
    private static final int CHUNK = 1024;

    private DoubleSilu() {
    }

    /** {@code silu(x)}, the same bits as the bulk methods. */
    static double value(double x) {
        double k = nearestMultipleOfLn2(x);
        double m = half(k);
        double g = powerOfTwo(m);
        return value(x, exp(x, k) * g, g * oddFactor(k, m));
    }

    /** {@code silu'(x)}, the same bits as the bulk methods. */
    static double derivative(double x) {
        double k = nearestMultipleOfLn2(x);
        double m = half(k);
        double g = powerOfTwo(m);
        return derivative(x, exp(x, k) * g, g * oddFactor(k, m));
    }

    /** {@code out[i] = silu(x[i])} for {@code from <= i < to}; {@code out} may be {@code x}. */
    static void values(double[] x, double[] out, int from, int to) {
        run(x, out, null, from, to);
    }

    /** {@code out[i] = silu'(x[i])} for {@code from <= i < to}; {@code out} may be {@code x}. */
    static void derivatives(double[] x, double[] out, int from, int to) {
        run(x, null, out, from, to);
    }

    /**
     * {@code values[i] = silu(x[i])} and {@code derivatives[i] = silu'(x[i])} for {@code from <= i < to};
     * {@code values} may be {@code x}.
     */
    static void valuesAndDerivatives(double[] x, double[] values, double[] derivatives, int from, int to) {
        run(x, values, derivatives, from, to);
    }

    /**
     * The bulk methods: {@code values} or {@code derivatives} null where not wanted. A range from 0 into arrays
     * distinct from {@code x} and from each other runs in place (with a scratch array for the output not wanted);
     * anything else runs in chunks through scratch arrays indexed from 0 (C2 does not vectorize a loop whose arrays
     * sit at different offsets), copied with {@link System#arraycopy}: the same arithmetic, so the same bits.
     */
    private static void run(double[] x, double[] values, double[] derivatives, int from, int to) {
        if (from == 0 && values != derivatives && x != values && x != derivatives) {
            kernel(x, values != null ? values : new double[to], derivatives != null ? derivatives : new double[to], to);
            return;
        }
        int chunk = Math.min(CHUNK, to - from);
        double[] input = new double[chunk];
        double[] chunkValues = new double[chunk];
        double[] chunkDerivatives = new double[chunk];
        for (int start = from; start < to; start += chunk) {
            int length = Math.min(chunk, to - start);
            System.arraycopy(x, start, input, 0, length);
            kernel(input, chunkValues, chunkDerivatives, length);
            if (values != null) {
                System.arraycopy(chunkValues, 0, values, start, length);
            }
            if (derivatives != null) {
                System.arraycopy(chunkDerivatives, 0, derivatives, start, length);
            }
        }
    }

    /**
     * {@code values[i] = silu(x[i])} and {@code derivatives[i] = silu'(x[i])} for {@code i < length}, three
     * distinct arrays indexed from 0. The work is split into loops small enough for C2 to unroll and vectorize (a
     * loop body over its {@code LoopUnrollLimit} stays scalar); the outputs hold the intermediates: {@code values}
     * {@code exp(-r)}, then {@code exp(-r) 2^-m}; {@code derivatives} {@code k}, then the power of two kept apart.
     */
    private static void kernel(double[] x, double[] values, double[] derivatives, int length) {
        double[] exp = values;
        double[] scale = derivatives;
        for (int i = 0; i < length; i++) {
            double k = nearestMultipleOfLn2(x[i]);
            scale[i] = k;
            exp[i] = exp(x[i], k);
        }
        for (int i = 0; i < length; i++) {
            double k = scale[i];
            double m = half(k);
            double g = powerOfTwo(m);
            exp[i] *= g;
            scale[i] = g * oddFactor(k, m);
        }
        for (int i = 0; i < length; i++) {
            double xi = x[i];
            double e = exp[i];
            double g = scale[i];
            values[i] = value(xi, e, g);
            derivatives[i] = derivative(xi, e, g);
        }
    }

    /** {@code k}, the integer nearest {@code b / ln 2} for {@code b = min(|x|, MAX_ARGUMENT)}, in {@code [0, 1096]}. */
    private static double nearestMultipleOfLn2(double x) {
        return Math.floor(Math.fma(clampedMagnitude(x), LOG2E, 0.5));
    }

    private static double clampedMagnitude(double x) {
        return Math.min(Math.abs(x), MAX_ARGUMENT);
    }

    /** {@code exp(-(b - k ln 2))} for {@code b = min(|x|, MAX_ARGUMENT)}: {@code b - k ln 2} is within {@code ln 2 / 2}. */
    private static double exp(double x, double k) {
        double r = Math.fma(k, -LN2_LOW, Math.fma(k, -LN2_HIGH, clampedMagnitude(x)));
        double r2 = r * r;
        double r4 = r2 * r2;
        double q01 = Math.fma(-1.666666666666667e-01, r, 0.5);
        double q23 = Math.fma(-8.333333333326141e-03, r, 4.166666666666667e-02);
        double q45 = Math.fma(-1.9841269874801073e-04, r, 1.3888888888883752e-03);
        double q67 = Math.fma(-2.7557255425009614e-06, r, 2.480158732553378e-05);
        double q89 = Math.fma(-2.510520668068106e-08, r, 2.7557273660822466e-07);
        double q03 = Math.fma(q23, r2, q01);
        double q47 = Math.fma(q67, r2, q45);
        double q810 = Math.fma(2.0914679595617734e-09, r2, q89);
        double q = Math.fma(q810, r4 * r4, Math.fma(q47, r4, q03));
        return Math.fma(r, Math.fma(r, q, -1), 1);
    }

    /** {@code floor(k / 2)}. */
    private static double half(double k) {
        return Math.floor(k * 0.5);
    }

    /** {@code 2^-(k - 2m)}, 1 or 1/2, for {@code m = floor(k / 2)}. */
    private static double oddFactor(double k, double m) {
        return Math.fma(Math.fma(m, -2, k), -0.5, 1);
    }

    /**
     * {@code 2^-m} exactly, for an integer {@code m} in {@code [0, 548]}: {@code 2^(-m/1024)} to a relative
     * {@code 8e-6}, squared ten times (relative error below {@code 0.01}), rounded to two bits.
     */
    private static double powerOfTwo(double m) {
        double y = Math.fma(Math.fma(Math.fma(-4.284422632254645e-11, m, 2.261003139969746e-07), m,
                -6.765701661546745e-04), m, 0.9999942149490759);
        y *= y;
        y *= y;
        y *= y;
        y *= y;
        y *= y;
        y *= y;
        y *= y;
        y *= y;
        y *= y;
        y *= y;
        double split = y * SPLITTER;
        return split - (split - y);
    }

    /**
     * {@code 1} for {@code x > 0} (including {@code +∞}), {@code 0} for {@code x <= 0}; NaN for NaN.
     */
    private static double positive(double x) {
        return Math.min(Math.max(x, 0) * HUGE * HUGE, 1);
    }

    /**
     * SiLU from {@code x}, {@code e = exp(-|x|) 2^j} and {@code g = 2^-j}: {@code x / (1 + e g)} or
     * {@code x e / (1 + e g) g}.
     */
    private static double value(double x, double e, double g) {
        double pos = positive(x);
        double neg = 1 - pos;
        return Math.max(x, -MAX_ARGUMENT) * Math.fma(neg, e, pos) / (1 + e * g) * Math.fma(neg, g, pos);
    }

    /**
     * SiLU's derivative from {@code x}, {@code e = exp(-|x|) 2^j} and {@code g = 2^-j}: {@code (t + x e g) / t^2} or
     * {@code e (t + x) / t^2 g} with {@code t = 1 + e g}.
     */
    private static double derivative(double x, double e, double g) {
        double pos = positive(x);
        double neg = 1 - pos;
        double eg = e * g;
        double t = 1 + eg;
        double clamped = Math.min(Math.max(x, -MAX_ARGUMENT), MAX_ARGUMENT);
        return Math.fma(neg, e, pos) * Math.fma(clamped, Math.fma(pos, eg, neg), t) / (t * t) * Math.fma(neg, g, pos);
    }
}
