package dev.e3j.annotations;

/** e3nn's normalizations of spherical harmonics. */
public enum ShNormalization {
    /** {@code ||Y^l(x)||^2 = 2l + 1} on the unit sphere (e3nn's default). */
    COMPONENT,
    /** {@code ||Y^l(x)|| = 1} on the unit sphere. */
    NORM,
    /** Orthonormal on the sphere: the integral of {@code Y^l_m Y^l_m} is 1. */
    INTEGRAL
}
