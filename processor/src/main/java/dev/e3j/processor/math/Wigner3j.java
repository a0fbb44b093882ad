package dev.e3j.processor.math;

import dev.e3j.annotations.CgConvention;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.commons.numbers.fraction.BigFraction;

/**
 * e3nn's {@code o3.wigner_3j(l1, l2, l3)}: real basis, Frobenius norm 1, entry {@code [i][j][k]}, {@code i = m1 + l1}
 * in e3nn's real basis ordering {@code m = -l..l}. Cached (thread-safe).
 *
 * <p>As in e3nn 0.5.4: {@code C[j][l][m] = Σ_{i,k,n} Q1[i][j] Q2[k][l] conj(Q3[n][m]) CG[i][k][n]} with {@code Qx =
 * change_basis_real_to_complex(lx)} and {@code CG} the SU(2) Clebsch–Gordan tensor ({@link ClebschGordan}), then
 * divided by its Frobenius norm. Every Q entry is a power of {@code i} times 1 or {@code 1/sqrt(2)}, so each sum is
 * computed exactly as rational multiples of square roots of square-free integers ({@link RadicalSum}), and the result
 * is checked to be real with every entry a single {@code ±sqrt(p/q)}.
 */
public final class Wigner3j {

    private static final ConcurrentMap<List<Integer>, Wigner3j> CACHE = new ConcurrentHashMap<>();
    private static final ConcurrentMap<List<Integer>, Wigner3j> CACHE_044_FLIPPED = new ConcurrentHashMap<>();
    private static final BigInteger TWO = BigInteger.TWO;

    private final int l1;
    private final int l2;
    private final int l3;
    private final SqrtRational[] values;
    private final List<Entry> nonzero;

    /** One non-zero entry {@code C[i][j][k] = value}. */
    public record Entry(int i, int j, int k, SqrtRational value) {}

    private Wigner3j(int l1, int l2, int l3, SqrtRational[] values) {
        this.l1 = l1;
        this.l2 = l2;
        this.l3 = l3;
        this.values = values;
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < 2 * l1 + 1; i++) {
            for (int j = 0; j < 2 * l2 + 1; j++) {
                for (int k = 0; k < 2 * l3 + 1; k++) {
                    SqrtRational value = values[flatIndex(i, j, k)];
                    if (!value.isZero()) {
                        entries.add(new Entry(i, j, k, value));
                    }
                }
            }
        }
        this.nonzero = Collections.unmodifiableList(entries);
    }

    /**
     * The tensor for {@code (l1, l2, l3)}.
     *
     * @throws IllegalArgumentException for a negative l or when {@code |l1 - l2| <= l3 <= l1 + l2} fails
     */
    public static Wigner3j of(int l1, int l2, int l3) {
        if (l1 < 0 || l2 < 0 || l3 < 0) {
            throw new IllegalArgumentException(
                    "l1, l2, l3: expected non-negative degrees, got (" + l1 + ", " + l2 + ", " + l3 + ")");
        }
        if (l3 < Math.abs(l1 - l2) || l3 > l1 + l2) {
            throw new IllegalArgumentException("l1, l2, l3: expected |l1 - l2| <= l3 <= l1 + l2, got ("
                    + l1 + ", " + l2 + ", " + l3 + ")");
        }
        return CACHE.computeIfAbsent(List.of(l1, l2, l3), key -> compute(l1, l2, l3));
    }

    /**
     * The tensor for {@code (l1, l2, l3)} in the given e3nn version's sign convention: {@link #of(int, int, int)}
     * for {@link CgConvention#E3NN_0_5}, that tensor times {@link #e3nn044Sign(int, int, int)} for
     * {@link CgConvention#E3NN_0_4}.
     *
     * @throws IllegalArgumentException for a negative l or when {@code |l1 - l2| <= l3 <= l1 + l2} fails
     */
    public static Wigner3j of(int l1, int l2, int l3, CgConvention convention) {
        Wigner3j tensor = of(l1, l2, l3);
        if (convention == CgConvention.E3NN_0_5 || e3nn044Sign(l1, l2, l3) > 0) {
            return tensor;
        }
        return CACHE_044_FLIPPED.computeIfAbsent(List.of(l1, l2, l3), key -> tensor.negate());
    }

    /**
     * {@code +1} or {@code -1}: e3nn 0.4.4's {@code wigner_3j(l1, l2, l3)} divided by e3nn 0.5's. e3nn 0.4.4 stores
     * the tensor for the sorted degrees {@code a <= b <= c}, signed so that its all-{@code m = 0} entry {@code [a][b][c]}
     * is positive or, when that entry is zero, its first non-zero entry in row-major order is; other orderings are
     * that tensor transposed, times {@code (-1)^(l1 + l2 + l3)} for an odd permutation.
     *
     * @throws IllegalArgumentException for a negative l or when {@code |l1 - l2| <= l3 <= l1 + l2} fails
     */
    public static int e3nn044Sign(int l1, int l2, int l3) {
        Wigner3j tensor = of(l1, l2, l3);
        int[] degrees = {l1, l2, l3};
        Integer[] order = {0, 1, 2};
        Arrays.sort(order, (x, y) -> Integer.compare(degrees[x], degrees[y]));
        Wigner3j sorted = of(degrees[order[0]], degrees[order[1]], degrees[order[2]]);
        int sortedSign = sorted.get(sorted.l1, sorted.l2, sorted.l3).isZero()
                ? sorted.nonzero.get(0).value().signum()
                : sorted.get(sorted.l1, sorted.l2, sorted.l3).signum();
        int inversions = (order[0] > order[1] ? 1 : 0) + (order[0] > order[2] ? 1 : 0) + (order[1] > order[2] ? 1 : 0);
        boolean oddPermutation = inversions % 2 == 1;
        int permutationSign = oddPermutation && (l1 + l2 + l3) % 2 == 1 ? -1 : 1;
        // Compare the transposed sorted tensor with this ordering's e3nn 0.5 tensor at its first non-zero entry.
        Entry first = tensor.nonzero.get(0);
        int[] index = {first.i(), first.j(), first.k()};
        SqrtRational transposed = sorted.get(index[order[0]], index[order[1]], index[order[2]]);
        int relative = transposed.signum() * first.value().signum();
        return sortedSign * permutationSign * relative;
    }

    private Wigner3j negate() {
        SqrtRational[] negated = new SqrtRational[values.length];
        for (int index = 0; index < values.length; index++) {
            negated[index] = values[index].negate();
        }
        return new Wigner3j(l1, l2, l3, negated);
    }

    public int l1() {
        return l1;
    }

    public int l2() {
        return l2;
    }

    public int l3() {
        return l3;
    }

    /** {@code C[i][j][k]}, {@code 0 <= i <= 2 l1} and likewise for j, k. */
    public SqrtRational get(int i, int j, int k) {
        checkIndex("i", i, l1);
        checkIndex("j", j, l2);
        checkIndex("k", k, l3);
        return values[flatIndex(i, j, k)];
    }

    /** The non-zero entries in row-major order of {@code (i, j, k)}. */
    public List<Entry> nonzero() {
        return nonzero;
    }

    /** Every entry, correctly rounded, flattened row-major as {@code [i][j][k]} (e3nn's layout). */
    public double[] toDoubleArray() {
        double[] result = new double[values.length];
        for (int index = 0; index < values.length; index++) {
            result[index] = values[index].doubleValue();
        }
        return result;
    }

    private int flatIndex(int i, int j, int k) {
        return (i * (2 * l2 + 1) + j) * (2 * l3 + 1) + k;
    }

    private static void checkIndex(String name, int index, int l) {
        if (index < 0 || index > 2 * l) {
            throw new IllegalArgumentException(
                    name + ": expected 0 <= " + name + " < " + (2 * l + 1) + ", got " + index);
        }
    }

    /**
     * One non-zero entry of {@code change_basis_real_to_complex(l)}: {@code q[complexRow][realColumn] =
     * i^iPower * (1/sqrt(2))^(halfRoot ? 1 : 0)}.
     */
    private record BasisEntry(int complexRow, int iPower, boolean halfRoot) {}

    /**
     * The non-zero entries of column {@code realIndex} of e3nn's {@code change_basis_real_to_complex(l)}. For real
     * {@code m > 0}: rows {@code -m} (value {@code 1/sqrt2}) and {@code +m} ({@code (-1)^m/sqrt2}); for {@code m < 0}:
     * rows {@code m} ({@code -i/sqrt2}) and {@code |m|} ({@code i (-1)^m/sqrt2}); {@code m = 0}: row 0, value 1; all
     * times {@code (-i)^l = i^(3l)}.
     */
    private static List<BasisEntry> basisColumn(int l, int realIndex) {
        int m = realIndex - l;
        int global = 3 * l;
        if (m == 0) {
            return List.of(new BasisEntry(l, global % 4, false));
        }
        int a = Math.abs(m);
        int signPower = 2 * (a % 2); // (-1)^|m| = i^(2|m|)
        if (m > 0) {
            return List.of(
                    new BasisEntry(l - a, global % 4, true),
                    new BasisEntry(l + a, (global + signPower) % 4, true));
        }
        return List.of(
                new BasisEntry(l - a, (global + 3) % 4, true),
                new BasisEntry(l + a, (global + 1 + signPower) % 4, true));
    }

    private static Wigner3j compute(int l1, int l2, int l3) {
        int d1 = 2 * l1 + 1;
        int d2 = 2 * l2 + 1;
        int d3 = 2 * l3 + 1;
        ClebschGordan.RadicalForm[][] su2 = new ClebschGordan.RadicalForm[d1][d2];
        for (int a = 0; a < d1; a++) {
            for (int b = 0; b < d2; b++) {
                int m3 = (a - l1) + (b - l2);
                if (Math.abs(m3) <= l3) {
                    su2[a][b] = ClebschGordan.radicalForm(l1, a - l1, l2, b - l2, l3, m3);
                }
            }
        }
        List<List<BasisEntry>> q1 = columns(l1);
        List<List<BasisEntry>> q2 = columns(l2);
        List<List<BasisEntry>> q3 = columns(l3);

        RadicalSum[] real = new RadicalSum[d1 * d2 * d3];
        for (int i = 0; i < d1; i++) {
            for (int j = 0; j < d2; j++) {
                for (int k = 0; k < d3; k++) {
                    // Most entries have no term at all (m3 = m1 + m2 fails for every basis row): they stay null.
                    RadicalSum re = null;
                    RadicalSum im = null;
                    for (BasisEntry e1 : q1.get(i)) {
                        for (BasisEntry e2 : q2.get(j)) {
                            for (BasisEntry e3 : q3.get(k)) {
                                ClebschGordan.RadicalForm cg = su2[e1.complexRow][e2.complexRow];
                                if (cg == null || e3.complexRow - l3 != (e1.complexRow - l1) + (e2.complexRow - l2)) {
                                    continue;
                                }
                                // conj(Q3) contributes i^(-iPower).
                                int iPower = Math.floorMod(e1.iPower + e2.iPower - e3.iPower, 4);
                                int halfRoots = (e1.halfRoot ? 1 : 0) + (e2.halfRoot ? 1 : 0) + (e3.halfRoot ? 1 : 0);
                                if (re == null) {
                                    re = new RadicalSum();
                                    im = new RadicalSum();
                                }
                                accumulate(re, im, iPower, halfRoots, cg);
                            }
                        }
                    }
                    if (im != null && !im.isZero()) {
                        throw new ArithmeticException("wigner_3j(" + l1 + ", " + l2 + ", " + l3
                                + ") has a non-real entry [" + i + "][" + j + "][" + k + "]: i*(" + im + ")");
                    }
                    real[(i * d2 + j) * d3 + k] = re;
                }
            }
        }

        SqrtRational[] unnormalized = new SqrtRational[real.length];
        BigFraction normSquared = BigFraction.ZERO;
        for (int index = 0; index < real.length; index++) {
            unnormalized[index] = real[index] == null ? SqrtRational.ZERO : real[index].toSingleRadical(
                    "wigner_3j(" + l1 + ", " + l2 + ", " + l3 + ") entry " + index);
            if (!unnormalized[index].isZero()) {
                normSquared = normSquared.add(unnormalized[index].square());
            }
        }
        SqrtRational norm = SqrtRational.sqrtOf(normSquared);
        SqrtRational[] values = new SqrtRational[real.length];
        for (int index = 0; index < real.length; index++) {
            values[index] = unnormalized[index].isZero() ? SqrtRational.ZERO : unnormalized[index].divide(norm);
        }
        return new Wigner3j(l1, l2, l3, values);
    }

    private static List<List<BasisEntry>> columns(int l) {
        List<List<BasisEntry>> columns = new ArrayList<>();
        for (int realIndex = 0; realIndex < 2 * l + 1; realIndex++) {
            columns.add(basisColumn(l, realIndex));
        }
        return columns;
    }

    /**
     * Adds {@code i^iPower * 2^(-halfRoots/2) * cg} to {@code re + i*im}. For odd {@code halfRoots} the extra
     * {@code sqrt(2)} joins the radical: {@code sqrt(2) sqrt(f) = 2 sqrt(f/2)} for even square-free {@code f}, else
     * {@code sqrt(2f)}.
     */
    private static void accumulate(RadicalSum re, RadicalSum im, int iPower, int halfRoots, ClebschGordan.RadicalForm cg) {
        if (cg.rational().isZero()) {
            return;
        }
        BigFraction rational = cg.rational().divide(TWO.pow((halfRoots + 1) / 2));
        BigInteger squareFree = cg.squareFree();
        if (halfRoots % 2 == 1) {
            if (squareFree.testBit(0)) {
                squareFree = squareFree.shiftLeft(1);
            } else {
                squareFree = squareFree.shiftRight(1);
                rational = rational.multiply(2);
            }
        }
        switch (iPower) {
            case 0 -> re.add(rational, squareFree);
            case 1 -> im.add(rational, squareFree);
            case 2 -> re.add(rational.negate(), squareFree);
            default -> im.add(rational.negate(), squareFree);
        }
    }
}
