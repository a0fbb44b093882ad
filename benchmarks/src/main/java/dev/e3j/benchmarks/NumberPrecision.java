package dev.e3j.benchmarks;

/** The floating-point type a benchmark runs the kernel in. */
enum NumberPrecision {
    F64("f64"),
    F32("f32");

    private final String token;

    NumberPrecision(String token) {
        this.token = token;
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
