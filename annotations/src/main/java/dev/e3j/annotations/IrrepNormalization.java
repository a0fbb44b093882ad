package dev.e3j.annotations;

/** e3nn's {@code irrep_normalization}. */
public enum IrrepNormalization {
    /** Each output component has unit variance for unit-variance inputs: {@code alpha = 2 l_out + 1}. */
    COMPONENT,
    /** Each output irrep has unit norm: {@code alpha = (2 l1 + 1)(2 l2 + 1)}. */
    NORM,
    /** No normalization, {@code alpha = 1}. */
    NONE
}
