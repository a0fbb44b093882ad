package dev.e3j.annotations;

/**
 * How a feature vector {@code mul1 x ir1 + mul2 x ir2 + ...} lays out its entries, one irrep block after another.
 * Within the block of {@code mul x ir} (dimension {@code d = 2l + 1}) at offset {@code o}, channel {@code u} and
 * component {@code m} sit at
 * <ul>
 * <li>{@link #MUL_IR}: {@code o + u * d + m} (e3nn's layout, channel-major), or</li>
 * <li>{@link #IR_MUL}: {@code o + m * mul + u} (cuEquivariance's {@code ir_mul}, channel-last: the channels of one
 * component are contiguous, so loops over them vectorize).</li>
 * </ul>
 * Weights keep e3nn's layout in both. A block of multiplicity 1 (e.g. spherical harmonics) is the same in both.
 */
public enum Layout {
    /** e3nn's {@code mul_ir}: {@code [mul][2l+1]} per irrep block. The default. */
    MUL_IR,
    /** cuEquivariance's {@code ir_mul}: {@code [2l+1][mul]} per irrep block. */
    IR_MUL
}
