package dev.e3j.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares an equivariant linear map (e3nn's {@code o3.Linear}) on an interface extending
 * {@code dev.e3j.runtime.LinearKernel}; generates {@code <Spec>Impl}.
 *
 * <pre>{@code
 * @Linear(in = "4x0e+2x1o+1x2e", out = "3x0e+3x1o+2x2e", biases = true)
 * interface Mix extends LinearKernel {}
 * }</pre>
 *
 * <p>Degrees up to {@code l = 100} are supported in {@code in} and {@code out}; the processor reports
 * {@code [e3j.size]} on the value above.
 */
@Documented
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.TYPE)
public @interface Linear {

    /** {@return the irreps of the input, e3nn syntax (e.g. {@code "4x0e + 2x1o"})} */
    String in();

    /** {@return the irreps of the output, e3nn syntax} Outputs that no input entry of their irrep reaches are zero. */
    String out();

    /** {@return whether every {@code 0e} output channel gets a learned bias, in an array of its own} */
    boolean biases() default false;

    /** {@return how each output's fan-in is divided out, as e3nn's {@code path_normalization}} */
    PathNormalization pathNormalization() default PathNormalization.ELEMENT;

    /** {@return the floating-point types the generated kernel accepts} */
    Precision precision() default Precision.DOUBLE;
}
