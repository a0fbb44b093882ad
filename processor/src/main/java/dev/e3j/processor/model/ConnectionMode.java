package dev.e3j.processor.model;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * e3nn's connection modes: how the channels {@code u} of in1, {@code v} of in2 and {@code w} of the output are
 * tied together by one path, the shape of its weight tensor, and its fan-in ({@code num_elements}).
 */
public enum ConnectionMode {
    /** {@code out[w] += sum_uv W[u][v][w] x1[u] x2[v]}. */
    UVW("uvw"),
    /** {@code out[u] += sum_v W[u][v] x1[u] x2[v]}. */
    UVU("uvu"),
    /** {@code out[v] += sum_u W[u][v] x1[u] x2[v]}. */
    UVV("uvv"),
    /** {@code out[w] += sum_u W[u][w] x1[u] x2[u]}. */
    UUW("uuw"),
    /** {@code out[u] += W[u] x1[u] x2[u]}. */
    UUU("uuu"),
    /** {@code out[u mul2 + v] += W[u][v] x1[u] x2[v]}. */
    UVUV("uvuv"),
    /** {@code out[pair(u, v)] += W[pair] x1[u] x2[v]} for {@code u < v}, pairs in lexicographic order. */
    UVU_LT_V("uvu<v"),
    /** {@code out[w] += sum_{u < v} W[pair(u, v)][w] x1[u] x2[v]}. */
    U_LT_VW("u<vw");

    private final String token;

    ConnectionMode(String token) {
        this.token = token;
    }

    /** e3nn's spelling, e.g. {@code "uvu<v"}. */
    public String token() {
        return token;
    }

    public static Optional<ConnectionMode> fromToken(String token) {
        return Arrays.stream(values()).filter(mode -> mode.token.equals(token)).findFirst();
    }

    /** All tokens separated by spaces, for messages. */
    public static String allTokens() {
        return Arrays.stream(values()).map(ConnectionMode::token).collect(Collectors.joining(" "));
    }

    /** Whether the output channel index {@code w} is summed over by a weight matrix (modes ending in w). */
    public boolean mixesChannels() {
        return this == UVW || this == UUW || this == U_LT_VW;
    }

    /** Whether the path visits only {@code v = u} (modes {@code uu*}). */
    public boolean diagonal() {
        return this == UUW || this == UUU;
    }

    /** Whether the path visits only {@code v > u} (modes with {@code u<v}). */
    public boolean strictlyUpper() {
        return this == UVU_LT_V || this == U_LT_VW;
    }

    /** Whether e3nn only accepts this mode with weights ({@code uvw} and {@code u<vw}). */
    public boolean requiresWeights() {
        return this == UVW || this == U_LT_VW;
    }

    /**
     * The multiplicity rule {@code (mul1, mul2, mulOut)} breaks, or {@code null} when allowed; as e3nn's codegen
     * asserts (an unweighted {@code uuw} sums over {@code u} into a single channel).
     */
    public String multiplicityViolation(int mul1, int mul2, int mulOut, boolean weighted) {
        return switch (this) {
            case UVW -> null;
            case UVU -> mulOut == mul1 ? null : "mul_out = mul1";
            case UVV -> mulOut == mul2 ? null : "mul_out = mul2";
            case UUW -> weighted ? (mul1 == mul2 ? null : "mul1 = mul2")
                    : (mul1 == mul2 && mulOut == 1 ? null : "mul1 = mul2 and, unweighted, mul_out = 1");
            case UUU -> mul1 == mul2 && mulOut == mul1 ? null : "mul1 = mul2 = mul_out";
            case UVUV -> mulOut == mul1 * mul2 ? null : "mul_out = mul1 * mul2";
            case UVU_LT_V -> mul1 == mul2 && mulOut == pairCount(mul1) ? null : "mul1 = mul2 and mul_out = mul1 (mul1 - 1) / 2";
            case U_LT_VW -> mul1 == mul2 ? null : "mul1 = mul2";
        };
    }

    /** Number of {@code (u, v)} combinations a path visits; also the leading weight dimension. */
    public int pairs(int mul1, int mul2) {
        return switch (this) {
            case UVW, UVU, UVV, UVUV -> mul1 * mul2;
            case UUW, UUU -> mul1;
            case UVU_LT_V, U_LT_VW -> mul1 * (mul2 - 1) / 2;
        };
    }

    /** Number of weights of a weighted path: the product of e3nn's {@code path_shape}. */
    public int weightCount(int mul1, int mul2, int mulOut) {
        return mixesChannels() ? pairs(mul1, mul2) * mulOut : pairs(mul1, mul2);
    }

    /** {@link #weightCount(int, int, int)} without overflow, to check that a kernel's weights fit an array. */
    public long exactWeightCount(long mul1, long mul2, long mulOut) {
        long pairs = switch (this) {
            case UVW, UVU, UVV, UVUV -> mul1 * mul2;
            case UUW, UUU -> mul1;
            case UVU_LT_V, U_LT_VW -> mul1 * (mul2 - 1) / 2;
        };
        return mixesChannels() ? pairs * mulOut : pairs;
    }

    /** e3nn's {@code num_elements}: how many products one output component sums, for path normalization. */
    public int fanIn(int mul1, int mul2) {
        return switch (this) {
            case UVW -> mul1 * mul2;
            case UVU -> mul2;
            case UVV, UUW -> mul1;
            case UUU, UVUV, UVU_LT_V -> 1;
            case U_LT_VW -> mul1 * (mul2 - 1) / 2;
        };
    }

    private static int pairCount(int mul) {
        return mul * (mul - 1) / 2;
    }
}
