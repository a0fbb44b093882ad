package dev.e3j.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares e3nn's {@code o3.ReducedTensorProducts(formula, **irreps)} on an interface extending
 * {@code dev.e3j.runtime.CartesianTensorKernel}; generates {@code <Spec>Impl} with e3nn 0.5.4's change of basis (same
 * irreps order and signs) computed at compile time, and its audit file.
 *
 * <pre>{@code
 * @ReducedTensorProducts(formula = "ijkl=jikl=klij", irreps = "i=1o")
 * interface Elasticity extends CartesianTensorKernel {}
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.TYPE)
public @interface ReducedTensorProducts {

    /**
     * {@return the index symmetries, as e3nn: letters, {@code =} and {@code -}} For instance {@code "ij=ji"} (a
     * symmetric matrix), {@code "ij=-ji"} (antisymmetric), {@code "ijkl=jikl=klij"} (elasticity).
     */
    String formula();

    /**
     * {@return the irreps of the indices, each {@code "index=irreps"} (e3nn's keyword arguments)} An index may be left
     * out when the symmetries give it the irreps of another, e.g. {@code irreps = "i=1o"} for {@code "ij=ji"}.
     */
    String[] irreps();

    /**
     * {@return e3nn's {@code filter_ir_out}: the output irreps kept, one per element, e.g. {@code {"0e", "2e"}}}
     * Empty (the default) keeps every output irrep, as e3nn's {@code None}.
     */
    String[] filterIrOut() default {};

    /**
     * {@return e3nn's {@code filter_ir_mid}: the irreps every coupling step keeps, one per element} Empty (the
     * default) keeps all, as e3nn's {@code None}.
     */
    String[] filterIrMid() default {};

    /**
     * {@return which e3nn version's Wigner 3j signs the coupling paths use} e3nn 0.4.4's ({@link
     * CgConvention#E3NN_0_4}) change the signs of some output irreps, e.g. of {@code "ij"} with {@code i=1o, j=2e}.
     */
    CgConvention cgConvention() default CgConvention.E3NN_0_5;
}
