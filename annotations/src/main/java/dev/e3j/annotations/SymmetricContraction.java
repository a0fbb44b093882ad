package dev.e3j.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares MACE's symmetric contraction (mace-torch's {@code SymmetricContraction}, the product basis of the MACE
 * paper's equations 10 and 11) on an interface extending {@code dev.e3j.runtime.SymmetricContractionKernel};
 * generates {@code <Spec>Impl}.
 *
 * <pre>{@code
 * @SymmetricContraction(in = "16x0e+16x1o+16x2e+16x3o", out = "16x0e+16x1o", correlation = 3, elements = 3,
 *                      cgConvention = CgConvention.E3NN_0_4)
 * interface Product extends SymmetricContractionKernel {}
 * }</pre>
 *
 * <p>For each node, channel and output irrep {@code L}, the kernel computes
 * {@code Σ_ν Σ_k w_ν[element][k][channel] Σ U_ν[m][i1]...[iν][k] x[i1]...x[iν]} over {@code ν = 1..correlation}, with
 * {@code x} the channel's features (one copy of each input irrep) and MACE's bases {@code U_ν}
 * ({@code U_matrix_real}) computed exactly. MACE pins e3nn 0.4.4: a MACE model's contraction reproduces only with
 * {@code cgConvention = CgConvention.E3NN_0_4}.
 *
 * <p>{@link #layout()} {@code = IR_MUL} takes and returns the features channel-last (cuEquivariance's {@code ir_mul}):
 * a node's features are then one {@code [D][channels]} matrix, which the kernel reads and writes in place in loops over
 * contiguous channels; the weights keep MACE's layout.
 */
@Documented
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.TYPE)
public @interface SymmetricContraction {

    /** {@return the irreps of a node's features, every entry with the same multiplicity (the channels)} */
    String in();

    /** {@return the output irreps, each entry with the channels of {@link #in()} as multiplicity} */
    String out();

    /** {@return the highest degree {@code ν} of the polynomial, MACE's {@code correlation}, from 1 to 4} */
    int correlation();

    /** {@return the number of chemical elements, MACE's {@code num_elements}: the rows of every weight tensor} */
    int elements();

    /** {@return the Wigner 3j signs the bases are coupled with; MACE models need {@link CgConvention#E3NN_0_4}} */
    CgConvention cgConvention() default CgConvention.E3NN_0_5;

    /**
     * {@return how the features lay out their irrep blocks} It applies to the input, the output and their gradients
     * (and to {@code doubleBackward}'s cotangents and results), each node's features one after another.
     * {@link Layout#MUL_IR} (the default) is e3nn's; the weights {@code [elements][K][channels]} are the same in both.
     */
    Layout layout() default Layout.MUL_IR;

    /** {@return the floating-point types the generated kernel accepts} */
    Precision precision() default Precision.DOUBLE;
}
