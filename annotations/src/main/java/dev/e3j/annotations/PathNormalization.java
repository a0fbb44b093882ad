package dev.e3j.annotations;

/** e3nn's {@code path_normalization}: how the fan-in of each output is divided out. */
public enum PathNormalization {
    /** Divide by the number of input elements summed into the output (sum over its paths). */
    ELEMENT,
    /** Divide by each path's fan-in times the number of paths into that output. */
    PATH,
    /** No fan-in normalization. */
    NONE
}
