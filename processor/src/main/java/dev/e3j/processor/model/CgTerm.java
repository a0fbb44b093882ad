package dev.e3j.processor.model;

import dev.e3j.processor.math.SqrtRational;

/**
 * One nonzero term of a path: {@code out_k += constant * x1_i * x2_j} (times the weight), where
 * {@code constant = coefficient * w3j[i][j][k]} is exact.
 *
 * @param i        component of the in1 irrep, {@code m1 + l1}
 * @param j        component of the in2 irrep, {@code m2 + l2}
 * @param k        component of the output irrep, {@code m_out + l_out}
 * @param cg       e3nn's {@code wigner_3j(l1, l2, l_out)[i][j][k]}
 * @param constant the path coefficient times {@code cg}: the number the kernel multiplies by
 */
public record CgTerm(int i, int j, int k, SqrtRational cg, SqrtRational constant) {
}
