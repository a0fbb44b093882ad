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

    /** Degrees 0..lmax; ignored when {@link #ls()} is given. */
    int lmax() default -1;

    /** Explicit degrees, any order, repeats allowed (as e3nn). */
    int[] ls() default {};

    ShNormalization normalization() default ShNormalization.COMPONENT;

    /** Divide the input vectors by their norm first (as e3nn, with a floor of 1e-12). */
    boolean normalize() default true;

    Precision precision() default Precision.DOUBLE;

    /** Also emit CUDA C++ source for this kernel. */
    boolean cuda() default false;
}
