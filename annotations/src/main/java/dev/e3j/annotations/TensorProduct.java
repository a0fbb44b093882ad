package dev.e3j.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a Clebsch–Gordan tensor product kernel. Put it on an interface that extends
 * {@code dev.e3j.runtime.TensorProductKernel}; the processor generates {@code <Spec>Impl} in the same package
 * ({@code Outer_SpecImpl} for a nested {@code Outer.Spec}) with e3nn's numbers, basis, ordering and weight layout.
 *
 * <pre>{@code
 * @TensorProduct(in1 = "32x0e + 32x1o", in2 = "0e + 1o + 2e", out = "32x0e + 32x1o + 32x2e",
 *                kind = TensorProduct.Kind.CHANNELWISE, sharedWeights = false)
 * interface EdgeProduct extends TensorProductKernel {}
 * }</pre>
 *
 * <p>Supported sizes: degrees {@code l <= 100} in {@code in1}, {@code in2} and {@code out}, and paths that couple at
 * most 70,000 component pairs, {@code (2 l1 + 1)(2 l2 + 1)} summed over the paths ({@link Kind#FULL} of {@code 1x20e}
 * with itself couples 68,921); beyond either the processor reports {@code [e3j.size]} on the annotation. Output
 * entries that no path reaches are a warning, {@code [e3j.unreachable]}, which
 * {@code @SuppressWarnings("e3j.unreachable")} on the spec silences.
 */
@Documented
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.TYPE)
public @interface TensorProduct {

    /** {@return the irreps of the first input, e3nn syntax (e.g. {@code "32x0e + 16x1o"})} */
    String in1();

    /** {@return the irreps of the second input} It must stay empty for {@link Kind#SQUARE}. */
    String in2() default "";

    /**
     * {@return the irreps of the output} Optional for {@link Kind#ELEMENTWISE}, {@link Kind#FULL} and unweighted
     * {@link Kind#SQUARE}, where it acts as e3nn's {@code filter_ir_out}.
     */
    String out() default "";

    /** {@return which e3nn tensor product the paths follow} */
    Kind kind() default Kind.FULLY_CONNECTED;

    /** {@return the explicit instructions, only for {@link Kind#CUSTOM}} */
    Path[] paths() default {};

    /** {@return how each output irrep is normalized, as e3nn's {@code irrep_normalization}} */
    IrrepNormalization irrepNormalization() default IrrepNormalization.COMPONENT;

    /** {@return how each output's fan-in is divided out, as e3nn's {@code path_normalization}} */
    PathNormalization pathNormalization() default PathNormalization.ELEMENT;

    /** {@return whether one weight vector serves the whole batch (true) or each sample has its own (false)} */
    boolean sharedWeights() default true;

    /** {@return the floating-point types the generated kernel accepts} */
    Precision precision() default Precision.DOUBLE;

    /** {@return whether CUDA C++ source for this kernel is also emitted} */
    boolean cuda() default false;

    /**
     * {@return which e3nn version's Wigner 3j signs the paths couple with} {@link CgConvention#E3NN_0_4} for a model
     * trained with e3nn 0.4.4, such as MACE: its tensors differ from e3nn 0.5's in the sign of some {@code (l1, l2,
     * l_out)}, e.g. {@code 1o x 2e -> 2o}.
     */
    CgConvention cgConvention() default CgConvention.E3NN_0_5;

    /**
     * {@return how {@code x1}, {@code x2}, {@code out} and their gradients lay out each sample} {@link Layout#IR_MUL}
     * puts the channels of one component next to each other, so that the loops over them vectorize; the weights keep
     * e3nn's layout, and sample {@code b} still occupies {@code [b * dim, (b + 1) * dim)}. Not yet with
     * {@code cuda = true} ({@code [e3j.layout]}).
     */
    Layout layout() default Layout.MUL_IR;

    /** Which e3nn tensor product the paths follow. */
    enum Kind {
        /** e3nn {@code FullyConnectedTensorProduct}: every allowed path, mode {@code uvw}, weighted. */
        FULLY_CONNECTED,
        /**
         * Every path {@code (i1, i2, out)} with {@code ir_out in ir1 x ir2} and {@code mul_out = mul1}, mode
         * {@code uvu}, weighted, in loop order i1, i2, out (NequIP/MACE convolution).
         */
        CHANNELWISE,
        /** e3nn {@code ElementwiseTensorProduct} (mode {@code uuu}, unweighted). */
        ELEMENTWISE,
        /** e3nn {@code FullTensorProduct} (mode {@code uvuv}, unweighted). */
        FULL,
        /** e3nn {@code TensorSquare}: unweighted without {@code out}, weighted with it; {@code in2} stays empty. */
        SQUARE,
        /** Explicit {@link TensorProduct#paths()}. */
        CUSTOM
    }
}
