/**
 * Scalar functions of e3nn's {@code math}: {@link dev.e3j.runtime.math.SoftOneHot} (radial bases and the soft unit
 * step), {@link dev.e3j.runtime.math.Normalize2Mom} (second-moment normalization of activations) and {@link
 * dev.e3j.runtime.math.NormalExpectation} (Gauss–Hermite expectations under a standard normal).
 */
package dev.e3j.runtime.math;
