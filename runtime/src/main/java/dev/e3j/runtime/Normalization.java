package dev.e3j.runtime;

/**
 * e3nn's {@code normalization} of irrep features ({@code Irreps.randn}, {@code nn.BatchNorm}): what has unit size,
 * one component or one irrep copy.
 */
public enum Normalization {
    /** Each component has unit variance: a copy of dimension {@code 2l + 1} has {@code E|x|^2 = 2l + 1}. */
    COMPONENT,
    /** Each irrep copy has unit (squared) norm: {@code |x|^2 = 1}. */
    NORM
}
