package dev.e3j.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares real spherical harmonics (e3nn's {@code o3.spherical_harmonics}) on an interface extending
 * {@code dev.e3j.runtime.SphericalHarmonicsKernel}; generates {@code <Spec>Impl}.
 *
 * <pre>{@code
 * @SphericalHarmonics(lmax = 3, normalization = ShNormalization.COMPONENT, normalize = true)
 * interface Sh extends SphericalHarmonicsKernel {}
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.TYPE)
public @interface SphericalHarmonics {

    /** {@return the largest degree: degrees 0..lmax} Give this or {@link #ls()}, not both. */
    int lmax() default -1;

    /** {@return explicit degrees, any order, repeats allowed (as e3nn)} Give this or {@link #lmax()}, not both. */
    int[] ls() default {};

    /**
     * {@return the output irreps, as e3nn's {@code SphericalHarmonics(irreps_out, ...)}: each entry {@code mul x l}
     * adds {@code mul} copies of degree {@code l}} Every parity must be {@code (-1)^l} (harmonics of a vector,
     * {@code 1o}) or, when some odd {@code l} is even, {@code +1} (of a pseudovector, {@code 1e}), e3nn's check. Give
     * this, {@link #lmax()} or {@link #ls()}, one of them.
     */
    String irreps() default "";

    /** {@return the normalization of the harmonics, as e3nn's {@code normalization}} */
    ShNormalization normalization() default ShNormalization.COMPONENT;

    /** {@return whether the input vectors are divided by their norm first (as e3nn, with a floor of 1e-12)} */
    boolean normalize() default true;

    /** {@return the floating-point types the generated kernel accepts} */
    Precision precision() default Precision.DOUBLE;

    /** {@return whether CUDA C++ source for this kernel is also emitted} */
    boolean cuda() default false;
}
