package dev.e3j.runtime.nn;

/**
 * SiLU and its derivative on float data, in float arithmetic that HotSpot's C2 vectorizes (JDK 17 on AVX2: eight
 * lanes): {@link ScalarFunction#SILU}'s float bulk method, used by the float paths of the radial MLPs (MACE's and
 * e3nn's), which would otherwise widen each value to double and call {@link Math#exp}, one value at a time.
 *
 * <p>With {@code e = exp(-|x|)} and {@code p = 1 / (1 + e)}, the sigmoid {@code s = σ(x)} is {@code p} for
 * {@code x >= 0} and {@code e p} for {@code x < 0}, and {@code 1 - s} is the other of the two, so neither loses
 * digits to cancellation; the selection is a {@link Math#min} (vectorized, where a conditional is not). The
 * exponential is Cephes' {@code expf}: {@code -|x| = r - m ln 2}, {@code |r| <= ln 2 / 2}, a degree-7 polynomial
 * for {@code exp(r)}, times {@code 2^-m}; C2 on JDK 17 vectorizes no bit conversion between float and int, so
 * {@code 2^-m} ({@code m} in {@code [0, 126]}) is computed, exactly ({@link #powerOfTwo}: an approximation squared,
 * then rounded to the power of two; a third of the arithmetic of picking a power per bit of {@code m}, for the same
 * bits). Values and
 * derivatives are within a few float ulps of SiLU in double rounded to float; for {@code |x| >= 87.3}
 * the exponential is taken as 0, so that the results are {@code x} and 1 above (as in double) and {@code -0} below
 * (SiLU's are below {@code 1e-35} in magnitude there).
 */
final class FloatSilu {

    /** Adding and subtracting it rounds a float of magnitude below {@code 2^22} to an integer. */
    private static final float ROUNDER = 12582912f;
    private static final float LOG2E = 1.44269504088896341f;
    /** {@code ln 2} split so that {@code k * LN2_HIGH} is exact for the {@code k} here. */
    private static final float LN2_HIGH = 0.693359375f;
    private static final float LN2_LOW = -2.12194440e-4f;
    /** {@code -ln 2^-126}, rounded down: {@code exp(-MAX_ARGUMENT)} is normal. */
    private static final float MAX_ARGUMENT = 87.33654f;
    /** {@code 2^22 + 1}: Veltkamp's splitting with it rounds a float to its two leading bits. */
    private static final float SPLITTER = 0x1p22f + 1;
    /** Large enough that a positive float times it twice overflows or exceeds 1. */
    private static final float HUGE = 1e38f;

    private FloatSilu() {
    }

    /** Values per chunk when the arrays are not all indexed from 0 (a range, or {@code values} is {@code x}). */
    private static final int CHUNK = 1024;

    /**
     * {@code values[i] = silu(x[i])} and {@code derivatives[i] = silu'(x[i])} for {@code from <= i < to};
     * {@code values} may be {@code x}. A range from 0 into distinct arrays runs in place; anything else runs in
     * chunks through scratch arrays indexed from 0 (C2 does not vectorize a loop whose arrays sit at different
     * offsets), copied in and out with {@link System#arraycopy}: the same arithmetic, so the same bits.
     */
    static void valuesAndDerivatives(float[] x, float[] values, float[] derivatives, int from, int to) {
        if (from == 0 && x != values && x != derivatives) {
            valuesAndDerivatives(x, values, derivatives, to);
            return;
        }
        int chunk = Math.min(CHUNK, to - from);
        float[] input = new float[chunk];
        float[] chunkValues = new float[chunk];
        float[] chunkDerivatives = new float[chunk];
        for (int start = from; start < to; start += chunk) {
            int length = Math.min(chunk, to - start);
            System.arraycopy(x, start, input, 0, length);
            valuesAndDerivatives(input, chunkValues, chunkDerivatives, length);
            System.arraycopy(chunkValues, 0, values, start, length);
            System.arraycopy(chunkDerivatives, 0, derivatives, start, length);
        }
    }

    /**
     * {@code values[i] = silu(x[i])} and {@code derivatives[i] = silu'(x[i])} for {@code i < length}, into arrays
     * distinct from {@code x}; the arrays are indexed from 0 (C2 does not vectorize the loop with one of them at an
     * offset). The work is split into six loops over the rows, each small enough for C2 to unroll and vectorize
     * (a loop body over its {@code LoopUnrollLimit} stays scalar, about seven times slower); the outputs hold the
     * intermediates.
     */
    private static void valuesAndDerivatives(float[] x, float[] values, float[] derivatives, int length) {
        float[] exponent = derivatives;
        float[] exp = values;
        for (int i = 0; i < length; i++) {
            float b = Math.min(Math.max(x[i], -x[i]), MAX_ARGUMENT);
            float m = (b * LOG2E + ROUNDER) - ROUNDER;
            exponent[i] = m;
            exp[i] = (m * LN2_HIGH - b) + m * LN2_LOW;
        }
        for (int i = 0; i < length; i++) {
            float r = exp[i];
            float poly = 1.9875691500e-4f;
            poly = poly * r + 1.3981999507e-3f;
            poly = poly * r + 8.3334519073e-3f;
            poly = poly * r + 4.1665795894e-2f;
            poly = poly * r + 1.6666665459e-1f;
            poly = poly * r + 5.0000001201e-1f;
            exp[i] = poly * r * r + r + 1f;
        }
        // powerOfTwo in two loops: its seven squarings in one make a body that C2 unrolls less (twice the time).
        for (int i = 0; i < length; i++) {
            exponent[i] = cubedPowerOfTwo(exponent[i]);
        }
        for (int i = 0; i < length; i++) {
            exp[i] *= roundedPowerOfTwo(exponent[i]);
        }
        for (int i = 0; i < length; i++) {
            exp[i] *= Math.min(Math.max((MAX_ARGUMENT - Math.abs(x[i])) * HUGE, 0f), 1f);
        }
        for (int i = 0; i < length; i++) {
            float xi = x[i];
            float e = exp[i];
            float p = 1f / (1f + e);
            float ep = e * p;
            float s = Math.min(p, ep + Math.max(xi, 0f) * HUGE * HUGE);
            float oneMinusS = Math.min(p, ep + Math.min(xi, 0f) * -HUGE * HUGE);
            values[i] = xi * s;
            derivatives[i] = s * (1f + xi * oneMinusS);
        }
    }

    /**
     * {@code 2^-m} exactly, for an integer {@code m} in {@code [0, 126]}: {@code 2^(-m/128)} to a relative
     * {@code 1.3e-4} by a cubic, squared seven times (relative error below {@code 0.017}), rounded to two
     * significant bits by Veltkamp's splitting, which leaves exactly {@code 2^-m} (an error below {@code 1/8} would
     * do). Package-private for the test of every {@code m}.
     */
    static float powerOfTwo(float m) {
        return roundedPowerOfTwo(cubedPowerOfTwo(m));
    }

    /** {@link #powerOfTwo}'s first half: {@code 2^(-m/128)} by the cubic, squared three times ({@code 2^(-m/16)}). */
    private static float cubedPowerOfTwo(float m) {
        float y = ((-1.8660068e-08f * m + 1.4036326e-05f) * m - 5.3968702e-03f) * m + 0.99987224f;
        y *= y;
        y *= y;
        return y * y;
    }

    /** {@link #powerOfTwo}'s second half: {@code y} squared four more times, rounded to two significant bits. */
    private static float roundedPowerOfTwo(float y) {
        y *= y;
        y *= y;
        y *= y;
        y *= y;
        float split = y * SPLITTER;
        return split - (split - y);
    }
}
