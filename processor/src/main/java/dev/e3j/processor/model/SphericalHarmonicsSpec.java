package dev.e3j.processor.model;

import dev.e3j.annotations.Precision;
import dev.e3j.annotations.ShNormalization;
import java.util.List;

/**
 * The values of one {@code @SphericalHarmonics}, as written, free of javac types.
 *
 * @param lmax degrees {@code 0..lmax}; {@code -1} (the default) when {@code ls} is given instead
 * @param ls   explicit degrees in output order, repeats allowed; empty when {@code lmax} is given instead
 * @param cuda whether CUDA sources are written beside the Java kernel
 */
public record SphericalHarmonicsSpec(int lmax, List<Integer> ls, String irreps, ShNormalization normalization,
                                     boolean normalize, Precision precision, boolean cuda) {

    public SphericalHarmonicsSpec {
        ls = List.copyOf(ls);
    }

    /** A spec for the Java back end only ({@code cuda = false}). */
    public SphericalHarmonicsSpec(int lmax, List<Integer> ls, String irreps, ShNormalization normalization,
                                  boolean normalize, Precision precision) {
        this(lmax, ls, irreps, normalization, normalize, precision, false);
    }

    /** Degrees {@code 0..lmax} with the annotation's defaults otherwise. */
    public static SphericalHarmonicsSpec upTo(int lmax) {
        return new SphericalHarmonicsSpec(lmax, List.of(), "", ShNormalization.COMPONENT, true, Precision.DOUBLE);
    }

    /** Explicit degrees with the annotation's defaults otherwise. */
    public static SphericalHarmonicsSpec of(List<Integer> ls) {
        return new SphericalHarmonicsSpec(-1, ls, "", ShNormalization.COMPONENT, true, Precision.DOUBLE);
    }
}
