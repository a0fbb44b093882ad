package dev.e3j.processor.model;

/** The values of one {@code @Path}, as written. */
public record PathSpec(int in1, int in2, int out, String mode, boolean weighted, String pathWeight) {
}
