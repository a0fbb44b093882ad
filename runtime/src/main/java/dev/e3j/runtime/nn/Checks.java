package dev.e3j.runtime.nn;

/**
 * Argument validation shared by the nn blocks. Every message has the shape of the generated kernels' checks,
 * {@code <Type>.<method>: <argument> must <requirement>, got <actual>}, e.g.
 * {@code Scatter.gather: nodes must have length 12 (numNodes 4 × 3), got 11}; {@code where} is the
 * {@code <Type>.<method>} part ({@code new <Type>} for a constructor).
 */
final class Checks {

    /** The longest array the JVM allocates ({@code jdk.internal.util.ArraysSupport.SOFT_MAX_ARRAY_LENGTH}). */
    static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

    private Checks() {
    }

    /**
     * Requires {@code array} to hold exactly {@code count × width} numbers, a row-major {@code [count][width]} array;
     * {@code countName} says what {@code count} is (e.g. {@code batch}).
     */
    static void requireShape(String where, String name, double[] array, String countName, int count, int width) {
        long expected = (long) count * width;
        if (array == null || array.length != expected) {
            throw new IllegalArgumentException(where + ": " + name + " must have length " + expected + " ("
                    + countName + " " + count + " × " + width + "), got " + (array == null ? "null" : array.length));
        }
    }

    /** Requires {@code array} to hold exactly {@code expected} numbers. */
    static void requireLength(String where, String name, double[] array, int expected) {
        if (array == null || array.length != expected) {
            throw new IllegalArgumentException(where + ": " + name + " must have length " + expected + ", got "
                    + (array == null ? "null" : array.length));
        }
    }

    /** Like {@link #requireLength(String, String, double[], int)} for index arrays. */
    static void requireLength(String where, String name, int[] array, int expected) {
        if (array == null || array.length != expected) {
            throw new IllegalArgumentException(where + ": " + name + " must have length " + expected + ", got "
                    + (array == null ? "null" : array.length));
        }
    }

    static void requireNonNegative(String where, String name, int value) {
        if (value < 0) {
            throw invalid(where, name, "be >= 0", value);
        }
    }

    static <T> T requireNonNull(String where, String name, T value) {
        if (value == null) {
            throw new IllegalArgumentException(where + ": " + name + " must not be null");
        }
        return value;
    }

    /**
     * {@code count × width}, the length of a {@code [count][width]} array that {@code where} needs, or an error when
     * that is more than an array holds ({@link #MAX_ARRAY_LENGTH}).
     */
    static int arrayLength(String where, String countName, int count, String widthName, int width) {
        long length = (long) count * width;
        if (length > MAX_ARRAY_LENGTH) {
            throw new IllegalArgumentException(where + ": " + countName + " × " + widthName + " must be at most "
                    + MAX_ARRAY_LENGTH + " (the length of one array), got " + count + " × " + width + " = " + length);
        }
        return (int) length;
    }

    /** {@code <where>: <name> must <requirement>, got <actual>}. */
    static IllegalArgumentException invalid(String where, String name, String requirement, Object actual) {
        return new IllegalArgumentException(where + ": " + name + " must " + requirement + ", got " + actual);
    }
}
