package dev.e3j.processor.model;

/** The values of one {@code @Path}, as written. */
public record PathSpec(int in1, int in2, int out, String mode, boolean weighted, String pathWeight) {

    /** A weighted path with path weight 1. */
    public static PathSpec of(int in1, int in2, int out, String mode) {
        return new PathSpec(in1, in2, out, mode, true, "1");
    }
}
