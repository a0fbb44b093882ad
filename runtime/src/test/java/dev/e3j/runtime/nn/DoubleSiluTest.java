package dev.e3j.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.runtime.math.Normalize2Mom;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * SiLU's double methods against SiLU to 40 digits (BigDecimal): on a sweep of [-760, 760] (near every multiple of
 * {@code ln 2} there), on every binade of magnitudes from the least subnormal to the largest double, where the
 * results are subnormal, and at signed zeros, infinities and NaN; one at a time, in bulk, in place and over ranges
 * they give the same bits.
 */
class DoubleSiluTest {

    private static final MathContext DIGITS = new MathContext(40);
    private static final BigDecimal LN2 = new BigDecimal("0.6931471805599453094172321214581765680755");

    @Test
    void valuesAndDerivativesAreWithinUlpsOfSiluToFortyDigits() {
        double[] x = sweep();
        double[] values = new double[x.length];
        double[] derivatives = new double[x.length];
        ScalarFunction.SILU.valuesAndDerivatives(x, values, derivatives, 0, x.length);
        for (int i = 0; i < x.length; i++) {
            BigDecimal[] exact = silu(x[i]);
            assertWithin(exact[0], values[i], 2.5, 0, "silu(" + x[i] + ")");
            assertWithin(exact[1], derivatives[i], 2, 2 * Math.ulp(termScale(x[i])), "silu'(" + x[i] + ")");
        }
    }

    /**
     * The inputs: every 0.5 from -760 to 760 (jittered; every multiple of {@code ln 2} has one within 0.35), 400
     * magnitudes spread evenly over the binades from {@code 2^-1074} to {@code 2^1023} with both signs, and 400
     * points each where SiLU's results are subnormal ([-752, -708]) and around the derivative's zero ([-1.6, -1]).
     */
    private static double[] sweep() {
        Random random = new Random(11);
        double[] x = new double[3041 + 3 * 400];
        int n = 0;
        for (int i = 0; i <= 3040; i++) {
            x[n++] = -760 + 0.5 * i + 0.1 * random.nextDouble();
        }
        for (int i = 0; i < 400; i++) {
            x[n++] = (i % 2 == 0 ? 1 : -1) * Math.pow(2, -1074 + 2097 * random.nextDouble());
            x[n++] = -752 + 44 * random.nextDouble();
            x[n++] = -1.6 + 0.6 * random.nextDouble();
        }
        return x;
    }

    /**
     * Within {@code ulps} ulps of the correctly rounded result, plus {@code slack}, measured to 40 digits.
     */
    private static void assertWithin(BigDecimal exact, double actual, double ulps, double slack, String what) {
        double rounded = exact.doubleValue();
        double error = new BigDecimal(actual, DIGITS).subtract(exact, DIGITS).abs().doubleValue();
        assertTrue(error <= ulps * Math.ulp(rounded) + slack,
                what + ": expected " + rounded + ", got " + actual + " (" + error / Math.ulp(rounded) + " ulps)");
    }

    /**
     * The size of the terms of SiLU's derivative, {@code (1 + e + |x| e) / (1 + e)^2} for {@code x >= 0} and
     * {@code e (1 + e + |x|) / (1 + e)^2} below, {@code e = exp(-|x|)}: where they cancel (the derivative's zero near
     * {@code x = -1.28}) their rounding, not the derivative's ulp, bounds its error.
     */
    private static double termScale(double x) {
        double e = Math.exp(-Math.abs(x));
        double t = 1 + e;
        return (x >= 0 ? t + Math.abs(x) * e : e * (t + Math.abs(x))) / (t * t);
    }

    /** {@code silu(x)} and {@code silu'(x)} to 40 digits. */
    private static BigDecimal[] silu(double x) {
        BigDecimal v = new BigDecimal(x, DIGITS);
        BigDecimal e = Math.abs(x) > 800 ? BigDecimal.ZERO : expOfMinus(v.abs());
        BigDecimal t = BigDecimal.ONE.add(e, DIGITS);
        BigDecimal tt = t.multiply(t, DIGITS);
        if (x >= 0) {
            return new BigDecimal[] {v.divide(t, DIGITS), t.add(v.multiply(e), DIGITS).divide(tt, DIGITS)};
        }
        return new BigDecimal[] {v.multiply(e).divide(t, DIGITS), e.multiply(t.add(v, DIGITS)).divide(tt, DIGITS)};
    }

    /**
     * {@code exp(-b)} for {@code 0 <= b <= 800}: {@code 2^-k exp(-r)}, {@code r = b - k ln 2}, by 26 terms of its
     * series ({@code |r| <= 0.35}).
     */
    private static BigDecimal expOfMinus(BigDecimal b) {
        int k = b.divide(LN2, DIGITS).setScale(0, RoundingMode.HALF_EVEN).intValueExact();
        BigDecimal r = b.subtract(LN2.multiply(BigDecimal.valueOf(k)));
        BigDecimal sum = BigDecimal.ZERO;
        for (int n = SERIES.length - 1; n >= 0; n--) {
            sum = sum.multiply(r, DIGITS).add(SERIES[n], DIGITS);
        }
        return sum.multiply(POWERS_OF_ONE_HALF[k], DIGITS);
    }

    /** {@code 2^-k} to 40 digits, {@code k <= 1160} ({@code 800 / ln 2 < 1155}). */
    private static final BigDecimal[] POWERS_OF_ONE_HALF = new BigDecimal[1161];

    /** {@code (-1)^n / n!}, {@code n < 26}. */
    private static final BigDecimal[] SERIES = new BigDecimal[26];

    static {
        POWERS_OF_ONE_HALF[0] = BigDecimal.ONE;
        for (int k = 1; k < POWERS_OF_ONE_HALF.length; k++) {
            POWERS_OF_ONE_HALF[k] = POWERS_OF_ONE_HALF[k - 1].multiply(new BigDecimal("0.5"), DIGITS);
        }
        SERIES[0] = BigDecimal.ONE;
        for (int n = 1; n < SERIES.length; n++) {
            SERIES[n] = SERIES[n - 1].divide(BigDecimal.valueOf(-n), DIGITS);
        }
    }

    @Test
    void signedZerosInfinitiesAndNaN() {
        assertBits(0.0, 0.5, 0.0);
        assertBits(-0.0, 0.5, -0.0);
        assertBits(Double.MIN_VALUE, 0.5, 0.0);
        assertBits(-Double.MIN_VALUE, 0.5, -0.0);
        assertBits(Double.POSITIVE_INFINITY, 1.0, Double.POSITIVE_INFINITY);
        assertBits(Double.NEGATIVE_INFINITY, -0.0, -0.0);
        assertBits(Double.MAX_VALUE, 1.0, Double.MAX_VALUE);
        assertBits(-Double.MAX_VALUE, -0.0, -0.0);
        assertBits(Double.NaN, Double.NaN, Double.NaN);
    }

    private static void assertBits(double x, double derivative, double value) {
        double[] values = new double[1];
        double[] derivatives = new double[1];
        ScalarFunction.SILU.valuesAndDerivatives(new double[] {x}, values, derivatives, 0, 1);
        assertEquals(Double.doubleToLongBits(value), Double.doubleToLongBits(values[0]), "silu(" + x + ")");
        assertEquals(Double.doubleToLongBits(derivative), Double.doubleToLongBits(derivatives[0]), "silu'(" + x + ")");
        assertEquals(Double.doubleToLongBits(value), Double.doubleToLongBits(ScalarFunction.SILU.value(x)));
        assertEquals(Double.doubleToLongBits(derivative), Double.doubleToLongBits(ScalarFunction.SILU.derivative(x)));
    }

    @Test
    void oneAtATimeInBulkInPlaceAndOverRangesGiveTheSameBits() {
        Random random = new Random(5);
        int n = 2 * 1024 + 37;
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = random.nextGaussian() * (i % 3 == 0 ? 300 : 5);
        }
        double[] values = new double[n];
        double[] derivatives = new double[n];
        ScalarFunction.SILU.valuesAndDerivatives(x, values, derivatives, 0, n);
        double[] inPlace = x.clone();
        double[] inPlaceDerivatives = new double[n];
        ScalarFunction.SILU.valuesAndDerivatives(inPlace, inPlace, inPlaceDerivatives, 0, n);
        double[] ranged = new double[n];
        double[] rangedDerivatives = new double[n];
        ScalarFunction.SILU.valuesAndDerivatives(x, ranged, rangedDerivatives, 0, 7);
        ScalarFunction.SILU.valuesAndDerivatives(x, ranged, rangedDerivatives, 7, n);
        double[] valuesAlone = new double[n];
        double[] derivativesAlone = x.clone();
        ScalarFunction.SILU.values(x, valuesAlone, 0, n);
        ScalarFunction.SILU.derivatives(derivativesAlone, derivativesAlone, 3, n);
        for (int i = 0; i < n; i++) {
            long value = Double.doubleToRawLongBits(values[i]);
            long derivative = Double.doubleToRawLongBits(derivatives[i]);
            assertEquals(Double.doubleToRawLongBits(ScalarFunction.SILU.value(x[i])), value, "one at a time at " + i);
            assertEquals(Double.doubleToRawLongBits(ScalarFunction.SILU.derivative(x[i])), derivative,
                    "derivative one at a time at " + i);
            assertEquals(value, Double.doubleToRawLongBits(inPlace[i]), "in place at " + i);
            assertEquals(value, Double.doubleToRawLongBits(ranged[i]), "ranged at " + i);
            assertEquals(value, Double.doubleToRawLongBits(valuesAlone[i]), "values alone at " + i);
            assertEquals(derivative, Double.doubleToRawLongBits(inPlaceDerivatives[i]), "derivative in place at " + i);
            assertEquals(derivative, Double.doubleToRawLongBits(rangedDerivatives[i]), "derivative ranged at " + i);
            assertEquals(i < 3 ? Double.doubleToRawLongBits(x[i]) : derivative,
                    Double.doubleToRawLongBits(derivativesAlone[i]), "derivatives alone, in place, at " + i);
        }
    }

    @Test
    void normalize2MomScalesIt() {
        Normalize2Mom normalized = Normalize2Mom.of(ScalarFunction.SILU);
        double[] x = {-3, -0.5, 0.25, 2};
        double[] values = new double[4];
        double[] derivatives = new double[4];
        normalized.valuesAndDerivatives(x, values, derivatives, 0, 4);
        for (int i = 0; i < 4; i++) {
            assertEquals(normalized.constant() * ScalarFunction.SILU.value(x[i]), values[i], "value at " + x[i]);
            assertEquals(normalized.constant() * ScalarFunction.SILU.derivative(x[i]), derivatives[i],
                    "derivative at " + x[i]);
        }
    }
}
