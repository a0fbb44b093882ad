package dev.e3j.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares e3nn's {@code io.CartesianTensor(formula)} on an interface extending
 * {@code dev.e3j.runtime.CartesianTensorKernel}: a Cartesian tensor with the index symmetries of {@code formula}, each
 * index a vector ({@code 1o}), to and from irreps. Generates {@code <Spec>Impl} with e3nn 0.5.4's change of basis and
 * its audit file, as {@link ReducedTensorProducts} with {@code 1o} for every index.
 *
 * <pre>{@code
 * @CartesianTensor(formula = "ij=ji")
 * interface Stress extends CartesianTensorKernel {}
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.TYPE)
public @interface CartesianTensor {

    /** {@return the index symmetries, as e3nn: letters, {@code =} and {@code -}, e.g. {@code "ij=ji"}} */
    String formula();

    /**
     * {@return which e3nn version's Wigner 3j signs the coupling paths use} e3nn 0.4.4's ({@link
     * CgConvention#E3NN_0_4}) change the signs of some output irreps from rank 3 on, e.g. of {@code "ijk"}.
     */
    CgConvention cgConvention() default CgConvention.E3NN_0_5;
}
