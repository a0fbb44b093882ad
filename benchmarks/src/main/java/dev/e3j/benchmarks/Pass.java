package dev.e3j.benchmarks;

/** What one benchmark operation computes. */
enum Pass {
    /** The kernel's forward. */
    FORWARD("forward"),
    /** Forward, then the gradients with respect to every input and the weights (e3nn's "fwd+bwd"). */
    BACKWARD("backward");

    private final String token;

    Pass(String token) {
        this.token = token;
    }

    String token() {
        return token;
    }

    static Pass of(String token) {
        for (Pass pass : values()) {
            if (pass.token.equals(token)) {
                return pass;
            }
        }
        throw new IllegalArgumentException("pass must be forward or backward, got " + token);
    }
}
