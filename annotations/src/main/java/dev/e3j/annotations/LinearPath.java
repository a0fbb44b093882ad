package dev.e3j.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * One e3nn instruction {@code (i_in, i_out)} of a {@link Linear} map: input entry {@code in} feeds output entry
 * {@code out}, which must carry the same irrep, through a learned {@code [mul_in][mul_out]} weight block.
 */
@Documented
@Retention(RetentionPolicy.SOURCE)
@Target({})
public @interface LinearPath {

    /** {@return the index of the path's entry of {@code in}} */
    int in();

    /** {@return the index of the path's entry of {@code out}} */
    int out();
}
