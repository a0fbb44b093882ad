package dev.e3j.runtime.internal;

/**
 * Argument validation shared by the runtime's blocks; not API (the package is not exported). Every message has the shape of the generated kernels' checks,
 * {@code <Type>.<method>: <argument> must <requirement>, got <actual>}, e.g.
 * {@code Scatter.gather: nodes must have length 12 (numNodes 4 × 3), got 11}; {@code where} is the
 * {@code <Type>.<method>} part ({@code new <Type>} for a constructor).
 */
public final class Checks {

    /** The longest array the JVM allocates ({@code jdk.internal.util.ArraysSupport.SOFT_MAX_ARRAY_LENGTH}). */
    public static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

    private Checks() {
    }

    /**
     * Requires {@code array} to hold exactly {@code count × width} numbers, a row-major {@code [count][width]} array;
     * {@code countName} says what {@code count} is (e.g. {@code batch}).
     */
    public static void requireShape(String where, String name, double[] array, String countName, int count, int width) {
        long expected = (long) count * width;
        if (array == null || array.length != expected) {
            throw new IllegalArgumentException(where + ": " + name + " must have length " + expected + " ("
                    + countName + " " + count + " × " + width + "), got " + (array == null ? "null" : array.length));
        }
    }

    /** Float overload of {@link #requireShape(String, String, double[], String, int, int)}. */
    public static void requireShape(String where, String name, float[] array, String countName, int count, int width) {
        long expected = (long) count * width;
        if (array == null || array.length != expected) {
            throw new IllegalArgumentException(where + ": " + name + " must have length " + expected + " ("
                    + countName + " " + count + " × " + width + "), got " + (array == null ? "null" : array.length));
        }
    }

    /** Requires {@code array} to hold exactly {@code expected} numbers. */
    public static void requireLength(String where, String name, double[] array, int expected) {
        if (array == null || array.length != expected) {
            throw new IllegalArgumentException(where + ": " + name + " must have length " + expected + ", got "
                    + (array == null ? "null" : array.length));
        }
    }

    /** Like {@link #requireLength(String, String, double[], int)} for index arrays. */
    public static void requireLength(String where, String name, int[] array, int expected) {
        if (array == null || array.length != expected) {
            throw new IllegalArgumentException(where + ": " + name + " must have length " + expected + ", got "
                    + (array == null ? "null" : array.length));
        }
    }

    public static void requireNonNegative(String where, String name, int value) {
        if (value < 0) {
            throw invalid(where, name, "be >= 0", value);
        }
    }

    public static <T> T requireNonNull(String where, String name, T value) {
        if (value == null) {
            throw new IllegalArgumentException(where + ": " + name + " must not be null");
        }
        return value;
    }

    /**
     * {@code count × width}, the length of a {@code [count][width]} array that {@code where} needs, or an error when
     * that is more than an array holds ({@link #MAX_ARRAY_LENGTH}).
     */
    public static int arrayLength(String where, String countName, int count, String widthName, int width) {
        long length = (long) count * width;
        if (length > MAX_ARRAY_LENGTH) {
            throw new IllegalArgumentException(where + ": " + countName + " × " + widthName + " must be at most "
                    + MAX_ARRAY_LENGTH + " (the length of one array), got " + count + " × " + width + " = " + length);
        }
        return (int) length;
    }

    /** {@code <where>: <name> must <requirement>, got <actual>}. */
    public static IllegalArgumentException invalid(String where, String name, String requirement, Object actual) {
        return new IllegalArgumentException(where + ": " + name + " must " + requirement + ", got " + actual);
    }

    /** Requires {@code r} to be a 3x3 matrix; messages start with {@code where}, e.g. {@code Rotations.determinant}. */
    public static void requireShape3x3(String where, double[][] r, String name) {
        if (r == null) {
            throw new IllegalArgumentException(where + ": " + name + " must be a 3x3 matrix, got null");
        }
        if (r.length != 3) {
            throw new IllegalArgumentException(where + ": " + name + " must have 3 rows, got " + r.length);
        }
        for (int i = 0; i < 3; i++) {
            if (r[i] == null || r[i].length != 3) {
                throw new IllegalArgumentException(where + ": " + name + " row " + i + " must have 3 entries, got "
                        + (r[i] == null ? "null" : String.valueOf(r[i].length)));
            }
        }
    }
}
