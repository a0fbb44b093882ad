package dev.e3j.annotations;

/** Floating-point types a generated kernel accepts. */
public enum Precision {
    /** {@code double[]} methods only. */
    DOUBLE,
    /** {@code double[]} methods plus {@code float[]} overloads (constants rounded once to float). */
    FLOAT
}
