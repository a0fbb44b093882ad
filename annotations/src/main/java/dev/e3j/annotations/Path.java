package dev.e3j.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * One e3nn instruction {@code (i_in1, i_in2, i_out, mode, has_weight, path_weight)} of a
 * {@link TensorProduct.Kind#CUSTOM} tensor product.
 */
@Documented
@Retention(RetentionPolicy.SOURCE)
@Target({})
public @interface Path {

    /** {@return the index of the path's entry of {@code in1}} */
    int in1();

    /** {@return the index of the path's entry of {@code in2}} */
    int in2();

    /** {@return the index of the path's entry of {@code out}} */
    int out();

    /** {@return the connection mode: {@code uvw uvu uvv uuw uuu uvuv uvu<v u<vw}} */
    String mode() default "uvw";

    /** {@return whether the path has learned weights (e3nn's {@code has_weight})} */
    boolean weighted() default true;

    /** {@return the exact multiplier of the path, a rational ({@code "1/2"}) or decimal ({@code "0.25"}) string} */
    String pathWeight() default "1";
}
