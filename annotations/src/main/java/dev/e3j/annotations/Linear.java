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
 * <p>The other options follow e3nn's {@code o3.Linear(irreps_in, irreps_out, f_in, f_out, shared_weights,
 * instructions, biases)}: {@link #paths()} lists the instructions, {@link #sharedWeights()} {@code = false} takes one
 * weight vector per sample, {@link #fIn()} and {@link #fOut()} mix {@code f_in} input features into {@code f_out}
 * output features, and {@link #biasEntries()} chooses the biased output entries one by one.
 *
 * <p>{@link #layout()} {@code = IR_MUL} takes and returns the features channel-last (cuEquivariance's {@code ir_mul}),
 * whose loops over channels vectorize; the weights and biases keep e3nn's layout.
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

    /**
     * {@return which output entries get biases, one flag per entry of {@code out} (e3nn's {@code biases} as a list)}
     * Only {@code 0e} entries may be flagged; empty (the default) leaves the choice to {@link #biases()}, and the two
     * cannot be combined.
     */
    boolean[] biasEntries() default {};

    /**
     * {@return e3nn's {@code instructions}: the paths, in weight order} Empty (the default) connects every pair of
     * entries with the same irrep, input entries in the outer loop. The path normalization counts only these paths.
     */
    LinearPath[] paths() default {};

    /**
     * {@return whether all samples share one weight vector} {@code false} (e3nn's {@code shared_weights=False}) takes
     * the weights {@code [batch][weightNumel()]}, one vector per sample; biases stay shared.
     */
    boolean sharedWeights() default true;

    /**
     * {@return e3nn's {@code f_in}: the input features per sample} Each sample's input is {@code [fIn][dim(in)]}, the
     * weights {@code [fIn][fOut][weights of one feature pair]}, and every path's fan-in is multiplied by {@code fIn}.
     * 1 (the default) is e3nn's {@code None}.
     */
    int fIn() default 1;

    /**
     * {@return e3nn's {@code f_out}: the output features per sample} Each sample's output is
     * {@code [fOut][dim(out)]}, the biases {@code [fOut][biases of one feature]}. 1 (the default) is e3nn's
     * {@code None}.
     */
    int fOut() default 1;

    /** {@return how each output's fan-in is divided out, as e3nn's {@code path_normalization}} */
    PathNormalization pathNormalization() default PathNormalization.ELEMENT;

    /**
     * {@return how the features lay out their irrep blocks} It applies to the input, the output and their gradients
     * (and to {@code doubleBackward}'s cotangents and results), each sample's features one after another. With
     * {@link #fIn()} or {@link #fOut()} above 1, each feature's {@code [dim]} vector is laid out in this layout, the
     * features one after another ({@code [fIn][dim(in)]}). {@link Layout#MUL_IR} (the default) is e3nn's; weights and
     * biases keep e3nn's layout in both.
     */
    Layout layout() default Layout.MUL_IR;

    /** {@return the floating-point types the generated kernel accepts} */
    Precision precision() default Precision.DOUBLE;
}
