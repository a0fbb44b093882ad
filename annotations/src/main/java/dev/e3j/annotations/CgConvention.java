package dev.e3j.annotations;

/**
 * Which e3nn version's Wigner 3j (Clebsch–Gordan) tensors a kernel couples irreps with. The versions agree in every
 * magnitude and differ in the sign of whole tensors {@code (l1, l2, l3)}: a model reproduces only with the
 * convention it was trained with.
 */
public enum CgConvention {
    /** e3nn 0.5 and later (the default): the real-basis SU(2) Clebsch–Gordan tensor divided by its norm. */
    E3NN_0_5,
    /**
     * e3nn 0.4.4, which MACE pins: for {@code l1 <= l2 <= l3} the tensor whose all-{@code m = 0} entry is positive (or,
     * when that entry is zero, whose first non-zero entry in row-major order is positive); other orderings by
     * transposition, times {@code (-1)^(l1 + l2 + l3)} for an odd permutation. It differs from e3nn 0.5's for
     * triples such as (1, l, l) with {@code l >= 2}, (3, 4, 6) and (4, 4, 5).
     */
    E3NN_0_4
}
