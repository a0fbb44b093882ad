package dev.e3j.runtime.nn;

/** Argument validation shared by the nn blocks: every message names the argument, the expected and the actual size. */
final class Checks {

    private Checks() {
    }

    /** Requires {@code array} to hold exactly {@code count * width} numbers (a {@code [count][width]} row-major array). */
    static void requireShape(String name, double[] array, int count, int width) {
        if (array == null) {
            throw new IllegalArgumentException(name + " is null (expected length " + count + " x " + width + ")");
        }
        long expected = (long) count * width;
        if (array.length != expected) {
            throw new IllegalArgumentException(name + ": expected length " + expected + " (" + count + " x " + width
                    + "), got " + array.length);
        }
    }

    /** Requires {@code array} to hold exactly {@code expected} numbers. */
    static void requireLength(String name, double[] array, int expected) {
        if (array == null) {
            throw new IllegalArgumentException(name + " is null (expected length " + expected + ")");
        }
        if (array.length != expected) {
            throw new IllegalArgumentException(name + ": expected length " + expected + ", got " + array.length);
        }
    }

    /** Like {@link #requireLength} for index arrays. */
    static void requireLength(String name, int[] array, int expected) {
        if (array == null) {
            throw new IllegalArgumentException(name + " is null (expected length " + expected + ")");
        }
        if (array.length != expected) {
            throw new IllegalArgumentException(name + ": expected length " + expected + ", got " + array.length);
        }
    }

    static void requireNonNegative(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + ": expected >= 0, got " + value);
        }
    }

    static <T> T requireNonNull(String name, T value) {
        if (value == null) {
            throw new IllegalArgumentException(name + " is null");
        }
        return value;
    }
}
