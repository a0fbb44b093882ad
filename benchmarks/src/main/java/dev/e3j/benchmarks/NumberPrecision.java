package dev.e3j.benchmarks;

/** The floating-point type a benchmark runs the kernel in. */
enum NumberPrecision {
    F64("f64", Double.BYTES),
    F32("f32", Float.BYTES);

    private final String token;
    private final int bytes;

    NumberPrecision(String token, int bytes) {
        this.token = token;
        this.bytes = bytes;
    }

    /** Bytes of one element. */
    int bytes() {
        return bytes;
    }

    String token() {
        return token;
    }

    static NumberPrecision of(String token) {
        for (NumberPrecision precision : values()) {
            if (precision.token.equals(token)) {
                return precision;
            }
        }
        throw new IllegalArgumentException("precision must be f64 or f32, got " + token);
    }
}
