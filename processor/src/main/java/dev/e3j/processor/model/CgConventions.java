package dev.e3j.processor.model;

import dev.e3j.annotations.CgConvention;

/**
 * How generated sources and audit files name a {@link CgConvention}. A kernel with the default convention mentions
 * none, so that its files stay as they were before conventions existed; any other states it.
 */
public final class CgConventions {

    /** The audit files' key for a convention other than the default; its value is the constant's name. */
    public static final String AUDIT_KEY = "cg_convention";

    private CgConventions() {
    }

    /** Whether {@code convention} is the annotations' default, {@link CgConvention#E3NN_0_5}. */
    public static boolean isDefault(CgConvention convention) {
        return convention == CgConvention.E3NN_0_5;
    }

    /**
     * What follows "e3nn 0.5.4" in a generated description: nothing for the default, else {@code ", with e3nn
     * 0.4.4's Wigner 3j signs"}.
     */
    public static String suffix(CgConvention convention) {
        return switch (convention) {
            case E3NN_0_5 -> "";
            case E3NN_0_4 -> ", with e3nn 0.4.4's Wigner 3j signs";
        };
    }
}
