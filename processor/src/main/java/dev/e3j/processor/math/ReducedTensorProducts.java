package dev.e3j.processor.math;

import dev.e3j.annotations.CgConvention;
import dev.e3j.runtime.Irrep;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.Irreps.MulIrrep;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * e3nn 0.5.4's {@code o3.ReducedTensorProducts(formula, **irreps)}: the change of basis {@code Q[irrepsOut.dim][d1]
 * ...[dn]} from tensors with the index symmetries of {@code formula} (e.g. {@code ijkl=jikl=klij}) to irreps, with
 * e3nn's irreps order and signs.
 *
 * <p>The computation follows e3nn's steps one by one in {@value #DIGITS}-digit decimal arithmetic, from the exact
 * Wigner 3j symbols: the coupling paths of {@code _wigner_nj} (component normalization, sorted stably by irrep); for
 * each output irrep, the block over the path multiplicities of the orthogonal projector onto the solutions {@code (x,
 * y)} of {@code x R = y P} ({@code R}: the paths' first components, {@code P}: an orthonormal basis of the symmetric
 * tensors; e3nn finds it with an eigendecomposition, here it is the closed form {@code B (B^T (1 + R R^T) B)^-1 B^T}
 * for a basis {@code B} of the admissible {@code x}, the same matrix); then e3nn's {@code orthonormalize} of that
 * block's rows (Gram-Schmidt in row order, entries under 1e-9 set to zero, each vector's first non-zero entry made
 * positive), each row combining the paths into one output irrep normalized to squared norm {@code 2l+1}. The decisions
 * e3nn takes with a tolerance (1e-9: kept vectors, zero entries, signs) are taken with the same tolerance on values
 * {@value #DIGITS} digits exact, so the result is e3nn's basis, rounded once to double by the caller.
 */
public final class ReducedTensorProducts {

    /** Significant decimal digits of every intermediate value. */
    public static final int DIGITS = 60;

    private static final MathContext MC = new MathContext(DIGITS);
    /** e3nn's {@code eps}: the tolerance of its decisions. */
    private static final BigDecimal EPS = new BigDecimal("1e-9");
    /**
     * Below this, a value is zero: a pivot of the elimination, an entry of the change of basis (values are exact to
     * about 1e-55, and exact zeros come out as such residues).
     */
    private static final BigDecimal NUMERICAL_ZERO = new BigDecimal("1e-40");

    private final String formula;
    private final List<Irreps> irrepsIn;
    private final Irreps irrepsOut;
    private final BigDecimal[][] changeOfBasis;
    private final CgConvention cgConvention;

    private ReducedTensorProducts(String formula, List<Irreps> irrepsIn, Irreps irrepsOut,
                                  BigDecimal[][] changeOfBasis, CgConvention cgConvention) {
        this.formula = formula;
        this.irrepsIn = irrepsIn;
        this.irrepsOut = irrepsOut;
        this.changeOfBasis = changeOfBasis;
        this.cgConvention = cgConvention;
    }

    /** One signed permutation of the formula's indices: {@code T[x] = sign T[x permuted]}. */
    private record SignedPermutation(int sign, List<Integer> permutation) {

        SignedPermutation compose(SignedPermutation other) {
            Integer[] composed = new Integer[permutation.size()];
            for (int i = 0; i < composed.length; i++) {
                composed[i] = permutation.get(other.permutation.get(i));
            }
            return new SignedPermutation(sign * other.sign, List.of(composed));
        }
    }

    /** The group the formula's terms generate: every signed permutation that leaves the tensor unchanged. */
    private static Set<SignedPermutation> group(String formula) {
        String[] terms = formula.split("=", -1);
        if (terms[0].startsWith("-")) {
            throw new IllegalArgumentException("formula " + formula + ": the first term must not have a sign");
        }
        String f0 = terms[0];
        Set<SignedPermutation> group = new HashSet<>();
        for (String term : terms) {
            int sign = term.startsWith("-") ? -1 : 1;
            String indices = sign < 0 ? term.substring(1) : term;
            if (indices.length() != f0.length() || indices.chars().distinct().count() != indices.length()
                    || !indices.chars().allMatch(c -> f0.indexOf(c) >= 0) || indices.isEmpty()
                    || !indices.chars().allMatch(Character::isLetter)) {
                throw new IllegalArgumentException("formula " + formula + ": " + term
                        + " is not a permutation of " + f0 + " (distinct letters)");
            }
            Integer[] permutation = new Integer[f0.length()];
            for (int i = 0; i < permutation.length; i++) {
                permutation[i] = indices.indexOf(f0.charAt(i));
            }
            group.add(new SignedPermutation(sign, List.of(permutation)));
        }
        closeGroup(group);
        return group;
    }

    /**
     * The irreps of each index of {@code formula} in the order of its first term (e3nn's {@code irreps_in}): those
     * given, and the others inferred from the symmetries, as e3nn does.
     *
     * @throws IllegalArgumentException naming the problem, where e3nn raises
     */
    public static List<Irreps> inferIrreps(String formula, Map<Character, Irreps> irreps) {
        return indexIrreps(formula, formula.split("=", -1)[0], group(formula), irreps);
    }

    /**
     * The reduced tensor products of {@code formula} (letters, {@code =} and {@code -}, as e3nn) with {@code irreps}
     * naming the irreps of some of its indices; the others are inferred from the symmetries, as e3nn does.
     *
     * @throws IllegalArgumentException naming the problem, where e3nn raises
     */
    public static ReducedTensorProducts of(String formula, Map<Character, Irreps> irreps) {
        return of(formula, irreps, null, null, CgConvention.E3NN_0_5);
    }

    /**
     * {@link #of(String, Map)} with e3nn's {@code filter_ir_out} (only these output irreps are kept) and
     * {@code filter_ir_mid} (every coupling step keeps only these irreps), {@code null} keeping all, and the Wigner 3j
     * signs of {@code convention} (e3nn 0.4.4's algorithm is 0.5.4's; only its Wigner 3j signs differ).
     */
    public static ReducedTensorProducts of(String formula, Map<Character, Irreps> irreps, Set<Irrep> filterOut,
                                           Set<Irrep> filterMid, CgConvention convention) {
        Set<SignedPermutation> group = group(formula);
        List<Irreps> irrepsIn = indexIrreps(formula, formula.split("=", -1)[0], group, irreps);
        int[] dims = irrepsIn.stream().mapToInt(Irreps::dim).toArray();
        int[][] symmetricOrbits = symmetricOrbits(group, dims);

        Map<Irrep, List<BigDecimal[][]>> paths = new LinkedHashMap<>();
        for (Path path : wignerNj(irrepsIn, filterMid, convention)) {
            if (filterOut == null || filterOut.contains(path.ir())) {
                paths.computeIfAbsent(path.ir(), k -> new ArrayList<>()).add(path.tensor());
            }
        }
        List<MulIrrep> out = new ArrayList<>();
        List<BigDecimal[]> rows = new ArrayList<>();
        for (Map.Entry<Irrep, List<BigDecimal[][]>> entry : paths.entrySet()) {
            Irrep ir = entry.getKey();
            List<BigDecimal[][]> base = entry.getValue();
            for (BigDecimal[] x : orthonormalize(multiplicityProjector(base, symmetricOrbits))) {
                BigDecimal[][] c = combine(x, base);
                BigDecimal squaredNorm = BigDecimal.ZERO;
                for (BigDecimal[] row : c) {
                    for (BigDecimal v : row) {
                        squaredNorm = squaredNorm.add(v.multiply(v, MC), MC);
                    }
                }
                BigDecimal correction = BigDecimal.valueOf(ir.dim()).divide(squaredNorm, MC).sqrt(MC);
                for (BigDecimal[] row : c) {
                    for (int w = 0; w < row.length; w++) {
                        BigDecimal corrected = row[w].multiply(correction, MC);
                        row[w] = corrected.abs().compareTo(NUMERICAL_ZERO) < 0 ? BigDecimal.ZERO : corrected;
                    }
                    rows.add(row);
                }
                out.add(MulIrrep.of(1, ir));
            }
        }
        return new ReducedTensorProducts(formula, List.copyOf(irrepsIn), Irreps.of(out).simplify(),
                rows.toArray(new BigDecimal[0][]), convention);
    }

    /** The formula as given. */
    public String formula() {
        return formula;
    }

    /** The irreps of each index of the formula, in the order of its first term (e3nn's {@code irreps_in}). */
    public List<Irreps> irrepsIn() {
        return irrepsIn;
    }

    /** The e3nn version whose Wigner 3j signs the coupling paths carry. */
    public CgConvention cgConvention() {
        return cgConvention;
    }

    /** e3nn's {@code irreps_out} (simplified). */
    public Irreps irrepsOut() {
        return irrepsOut;
    }

    /** The Cartesian shape {@code [d1, ..., dn]}: each index's irreps dimension. */
    public int[] shape() {
        return irrepsIn.stream().mapToInt(Irreps::dim).toArray();
    }

    /**
     * Entry {@code Q[out][flat]} of the change of basis, {@code flat} the row-major index over {@link #shape()}: exact
     * to about {@code 1e-55}, and exactly zero where the entry is.
     */
    public BigDecimal get(int out, int flat) {
        return changeOfBasis[out][flat];
    }

    /** The change of basis {@code [irrepsOut.dim][d1 * ... * dn]}, each entry correctly rounded once to double. */
    public double[][] toDoubleArrays() {
        double[][] q = new double[changeOfBasis.length][];
        for (int i = 0; i < q.length; i++) {
            q[i] = Arrays.stream(changeOfBasis[i]).mapToDouble(v -> Double.parseDouble(v.toString())).toArray();
        }
        return q;
    }

    private static void closeGroup(Set<SignedPermutation> group) {
        while (true) {
            int n = group.size();
            List<SignedPermutation> current = new ArrayList<>(group);
            for (SignedPermutation p : current) {
                Integer[] inverse = new Integer[p.permutation().size()];
                for (int i = 0; i < inverse.length; i++) {
                    inverse[p.permutation().get(i)] = i;
                }
                group.add(new SignedPermutation(p.sign(), List.of(inverse)));
            }
            current = new ArrayList<>(group);
            for (SignedPermutation a : current) {
                for (SignedPermutation b : current) {
                    group.add(a.compose(b));
                }
            }
            if (group.size() == n) {
                return;
            }
        }
    }

    private static List<Irreps> indexIrreps(String formula, String f0, Set<SignedPermutation> group,
                                            Map<Character, Irreps> given) {
        for (char index : given.keySet()) {
            if (f0.indexOf(index) < 0) {
                throw new IllegalArgumentException("formula " + formula + ": index " + index
                        + " has irreps but does not appear in the formula");
            }
        }
        Irreps[] irreps = new Irreps[f0.length()];
        for (int i = 0; i < irreps.length; i++) {
            irreps[i] = given.get(f0.charAt(i));
        }
        for (SignedPermutation p : group) {
            for (int i = 0; i < irreps.length; i++) {
                int j = p.permutation().get(i);
                if (irreps[i] != null && irreps[j] != null && !irreps[i].equals(irreps[j])) {
                    throw new IllegalArgumentException("formula " + formula + ": irreps of " + f0.charAt(i)
                            + " and " + f0.charAt(j) + " must be the same, got " + irreps[i] + " and " + irreps[j]);
                }
                if (irreps[i] == null) {
                    irreps[i] = irreps[j];
                }
                if (irreps[j] == null) {
                    irreps[j] = irreps[i];
                }
            }
        }
        for (int i = 0; i < irreps.length; i++) {
            if (irreps[i] == null) {
                throw new IllegalArgumentException("formula " + formula + ": index " + f0.charAt(i)
                        + " has no irreps (give it or a symmetric index one)");
            }
        }
        return Arrays.asList(irreps);
    }

    /**
     * The symmetric tensors as orbits of flat indices: {@code orbit[0]} the flat indices, {@code orbit[1]} their
     * signs; each orbit is one orthogonal direction {@code sum_y sign_y e_y} of e3nn's {@code reduce_permutation}.
     * Orbits where a coefficient equals its own negative are dropped, as e3nn drops them.
     */
    private static int[][] symmetricOrbits(Set<SignedPermutation> group, int[] dims) {
        int total = Arrays.stream(dims).reduce(1, (a, b) -> a * b);
        int[] orbitOf = new int[total];
        Arrays.fill(orbitOf, -1);
        int[] signOf = new int[total];
        int orbits = 0;
        for (int flat = 0; flat < total; flat++) {
            if (orbitOf[flat] >= 0) {
                continue;
            }
            int[] x = unflatten(flat, dims);
            Map<Integer, Integer> signs = new LinkedHashMap<>();
            boolean vanishes = false;
            for (SignedPermutation p : group) {
                int[] y = new int[x.length];
                for (int i = 0; i < x.length; i++) {
                    y[i] = x[p.permutation().get(i)];
                }
                int yFlat = flatten(y, dims);
                Integer previous = signs.put(yFlat, p.sign());
                if (previous != null && previous != p.sign()) {
                    vanishes = true;
                }
            }
            for (Map.Entry<Integer, Integer> e : signs.entrySet()) {
                orbitOf[e.getKey()] = vanishes ? Integer.MAX_VALUE : orbits;
                signOf[e.getKey()] = e.getValue();
            }
            if (!vanishes) {
                orbits++;
            }
        }
        int[][] result = new int[2][];
        result[0] = orbitOf;
        result[1] = signOf;
        return result;
    }

    private static int[] unflatten(int flat, int[] dims) {
        int[] x = new int[dims.length];
        for (int i = dims.length - 1; i >= 0; i--) {
            x[i] = flat % dims[i];
            flat /= dims[i];
        }
        return x;
    }

    private static int flatten(int[] x, int[] dims) {
        int flat = 0;
        for (int i = 0; i < dims.length; i++) {
            flat = flat * dims[i] + x[i];
        }
        return flat;
    }

    /** One coupling path of {@code _wigner_nj}: its output irrep and tensor {@code [ir.dim][d1 * ... * dk]}. */
    private record Path(Irrep ir, BigDecimal[][] tensor) {}

    private static List<Path> wignerNj(List<Irreps> irrepss, Set<Irrep> filterMid, CgConvention convention) {
        Irreps first = irrepss.get(0);
        List<Path> paths = new ArrayList<>();
        int offset = 0;
        for (MulIrrep mi : first) {
            for (int u = 0; u < mi.mul(); u++) {
                BigDecimal[][] e = zeros(mi.ir().dim(), first.dim());
                for (int m = 0; m < mi.ir().dim(); m++) {
                    e[m][offset + m] = BigDecimal.ONE;
                }
                paths.add(new Path(mi.ir(), e));
                offset += mi.ir().dim();
            }
        }
        int leftDim = first.dim();
        for (Irreps right : irrepss.subList(1, irrepss.size())) {
            List<Path> next = new ArrayList<>();
            for (Path left : paths) {
                int start = 0;
                for (MulIrrep mi : right) {
                    Irrep ir = mi.ir();
                    for (Irrep irOut : left.ir().times(ir)) {
                        if (filterMid != null && !filterMid.contains(irOut)) {
                            continue;
                        }
                        BigDecimal[][] coupled = couple(left, ir, irOut, leftDim, convention);
                        for (int u = 0; u < mi.mul(); u++) {
                            BigDecimal[][] e = zeros(irOut.dim(), leftDim * right.dim());
                            int slice = start + u * ir.dim();
                            for (int i = 0; i < irOut.dim(); i++) {
                                for (int w = 0; w < leftDim; w++) {
                                    for (int k = 0; k < ir.dim(); k++) {
                                        e[i][w * right.dim() + slice + k] = coupled[i][w * ir.dim() + k];
                                    }
                                }
                            }
                            next.add(new Path(irOut, e));
                        }
                    }
                    start += mi.mul() * ir.dim();
                }
            }
            next.sort(Comparator.comparing(Path::ir));
            paths = next;
            leftDim *= right.dim();
        }
        return paths;
    }

    /** {@code sqrt(2 l_out + 1) * einsum("jw,ijk->iwk", left, w3j(l_out, l_left, l))}, flattened {@code [i][w k]}. */
    private static BigDecimal[][] couple(Path left, Irrep ir, Irrep irOut, int leftDim, CgConvention convention) {
        Wigner3j w3j = Wigner3j.of(irOut.l(), left.ir().l(), ir.l(), convention);
        BigDecimal scale = BigDecimal.valueOf(irOut.dim()).sqrt(MC);
        BigDecimal[][] c = zeros(irOut.dim(), leftDim * ir.dim());
        for (Wigner3j.Entry entry : w3j.nonzero()) {
            BigDecimal value = entry.value().toBigDecimal(MC).multiply(scale, MC);
            BigDecimal[] leftRow = left.tensor()[entry.j()];
            BigDecimal[] outRow = c[entry.i()];
            for (int w = 0; w < leftDim; w++) {
                if (leftRow[w].signum() != 0) {
                    int at = w * ir.dim() + entry.k();
                    outRow[at] = outRow[at].add(leftRow[w].multiply(value, MC), MC);
                }
            }
        }
        return c;
    }

    /**
     * The block over the multiplicities of the orthogonal projector onto {@code {(x, y) : x R = y P}}, {@code R} the
     * first components of the paths of one irrep: {@code B (B^T (1 + R R^T) B)^-1 B^T} where the columns of {@code B}
     * span the {@code x} with {@code x R} symmetric.
     */
    private static BigDecimal[][] multiplicityProjector(List<BigDecimal[][]> base, int[][] orbits) {
        int mul = base.size();
        BigDecimal[][] r = new BigDecimal[mul][];
        BigDecimal[][] asymmetric = new BigDecimal[mul][];
        for (int u = 0; u < mul; u++) {
            r[u] = base.get(u)[0];
            asymmetric[u] = subtract(r[u], symmetrize(r[u], orbits));
        }
        List<BigDecimal[]> basis = nullSpace(gram(asymmetric));
        int k = basis.size();
        BigDecimal[][] rrt = gram(r);
        BigDecimal[][] metric = zeros(k, k);
        for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) {
                BigDecimal sum = BigDecimal.ZERO;
                for (int u = 0; u < mul; u++) {
                    for (int v = 0; v < mul; v++) {
                        BigDecimal w = rrt[u][v].add(u == v ? BigDecimal.ONE : BigDecimal.ZERO, MC);
                        sum = sum.add(basis.get(a)[u].multiply(w, MC).multiply(basis.get(b)[v], MC), MC);
                    }
                }
                metric[a][b] = sum;
            }
        }
        BigDecimal[][] inverse = invert(metric);
        BigDecimal[][] projector = zeros(mul, mul);
        for (int u = 0; u < mul; u++) {
            for (int v = 0; v < mul; v++) {
                BigDecimal sum = BigDecimal.ZERO;
                for (int a = 0; a < k; a++) {
                    for (int b = 0; b < k; b++) {
                        sum = sum.add(basis.get(a)[u].multiply(inverse[a][b], MC).multiply(basis.get(b)[v], MC), MC);
                    }
                }
                projector[u][v] = sum;
            }
        }
        return projector;
    }

    /** The orthogonal projection of {@code v} onto the symmetric tensors. */
    private static BigDecimal[] symmetrize(BigDecimal[] v, int[][] orbits) {
        int[] orbitOf = orbits[0];
        int[] signOf = orbits[1];
        Map<Integer, BigDecimal> sums = new LinkedHashMap<>();
        Map<Integer, Integer> sizes = new LinkedHashMap<>();
        for (int y = 0; y < v.length; y++) {
            if (orbitOf[y] != Integer.MAX_VALUE) {
                BigDecimal signed = signOf[y] > 0 ? v[y] : v[y].negate();
                sums.merge(orbitOf[y], signed, (a, b) -> a.add(b, MC));
                sizes.merge(orbitOf[y], 1, Integer::sum);
            }
        }
        BigDecimal[] projected = new BigDecimal[v.length];
        for (int y = 0; y < v.length; y++) {
            if (orbitOf[y] == Integer.MAX_VALUE) {
                projected[y] = BigDecimal.ZERO;
            } else {
                BigDecimal mean = sums.get(orbitOf[y]).divide(BigDecimal.valueOf(sizes.get(orbitOf[y])), MC);
                projected[y] = signOf[y] > 0 ? mean : mean.negate();
            }
        }
        return projected;
    }

    /**
     * e3nn's {@code orthonormalize(original, eps)}: Gram-Schmidt over the rows in order, keeping a row whose residual
     * norm exceeds {@code 2 eps}, zeroing entries under {@code eps}, and making the first non-zero entry positive.
     */
    private static List<BigDecimal[]> orthonormalize(BigDecimal[][] original) {
        List<BigDecimal[]> result = new ArrayList<>();
        BigDecimal twoEps = EPS.add(EPS);
        for (BigDecimal[] row : original) {
            BigDecimal[] x = row.clone();
            for (BigDecimal[] y : result) {
                x = subtract(x, scale(y, dot(x, y)));
            }
            BigDecimal norm = dot(x, x).sqrt(MC);
            if (norm.compareTo(twoEps) > 0) {
                x = scale(x, BigDecimal.ONE.divide(norm, MC));
                int firstNonZero = -1;
                for (int i = 0; i < x.length; i++) {
                    if (x[i].abs().compareTo(EPS) < 0) {
                        x[i] = BigDecimal.ZERO;
                    } else if (firstNonZero < 0) {
                        firstNonZero = i;
                    }
                }
                if (x[firstNonZero].signum() < 0) {
                    x = scale(x, BigDecimal.ONE.negate());
                }
                result.add(x);
            }
        }
        return result;
    }

    private static BigDecimal[][] combine(BigDecimal[] x, List<BigDecimal[][]> base) {
        BigDecimal[][] first = base.get(0);
        BigDecimal[][] c = zeros(first.length, first[0].length);
        for (int u = 0; u < x.length; u++) {
            if (x[u].signum() == 0) {
                continue;
            }
            for (int i = 0; i < c.length; i++) {
                c[i] = add(c[i], scale(base.get(u)[i], x[u]));
            }
        }
        return c;
    }

    /** Basis of the null space of the symmetric positive semi-definite {@code g}, by Gauss-Jordan elimination. */
    private static List<BigDecimal[]> nullSpace(BigDecimal[][] g) {
        int n = g.length;
        BigDecimal[][] a = new BigDecimal[n][];
        for (int i = 0; i < n; i++) {
            a[i] = g[i].clone();
        }
        int[] pivotColumn = new int[n];
        boolean[] isPivot = new boolean[n];
        int rank = 0;
        for (int col = 0; col < n && rank < n; col++) {
            int best = rank;
            for (int i = rank + 1; i < n; i++) {
                if (a[i][col].abs().compareTo(a[best][col].abs()) > 0) {
                    best = i;
                }
            }
            if (a[best][col].abs().compareTo(NUMERICAL_ZERO) <= 0) {
                continue;
            }
            BigDecimal[] swap = a[rank];
            a[rank] = a[best];
            a[best] = swap;
            a[rank] = scale(a[rank], BigDecimal.ONE.divide(a[rank][col], MC));
            for (int i = 0; i < n; i++) {
                if (i != rank && a[i][col].signum() != 0) {
                    a[i] = subtract(a[i], scale(a[rank], a[i][col]));
                }
            }
            pivotColumn[rank] = col;
            isPivot[col] = true;
            rank++;
        }
        List<BigDecimal[]> basis = new ArrayList<>();
        for (int free = 0; free < n; free++) {
            if (isPivot[free]) {
                continue;
            }
            BigDecimal[] v = zeros(1, n)[0];
            v[free] = BigDecimal.ONE;
            for (int p = 0; p < rank; p++) {
                v[pivotColumn[p]] = a[p][free].negate();
            }
            basis.add(v);
        }
        return Collections.unmodifiableList(basis);
    }

    private static BigDecimal[][] invert(BigDecimal[][] m) {
        int n = m.length;
        BigDecimal[][] a = new BigDecimal[n][];
        for (int i = 0; i < n; i++) {
            a[i] = new BigDecimal[2 * n];
            for (int j = 0; j < n; j++) {
                a[i][j] = m[i][j];
                a[i][n + j] = i == j ? BigDecimal.ONE : BigDecimal.ZERO;
            }
        }
        for (int col = 0; col < n; col++) {
            int best = col;
            for (int i = col + 1; i < n; i++) {
                if (a[i][col].abs().compareTo(a[best][col].abs()) > 0) {
                    best = i;
                }
            }
            BigDecimal[] swap = a[col];
            a[col] = a[best];
            a[best] = swap;
            a[col] = scale(a[col], BigDecimal.ONE.divide(a[col][col], MC));
            for (int i = 0; i < n; i++) {
                if (i != col && a[i][col].signum() != 0) {
                    a[i] = subtract(a[i], scale(a[col], a[i][col]));
                }
            }
        }
        BigDecimal[][] inverse = new BigDecimal[n][];
        for (int i = 0; i < n; i++) {
            inverse[i] = Arrays.copyOfRange(a[i], n, 2 * n);
        }
        return inverse;
    }

    private static BigDecimal[][] gram(BigDecimal[][] rows) {
        BigDecimal[][] g = new BigDecimal[rows.length][rows.length];
        for (int u = 0; u < rows.length; u++) {
            for (int v = 0; v < rows.length; v++) {
                g[u][v] = dot(rows[u], rows[v]);
            }
        }
        return g;
    }

    private static BigDecimal dot(BigDecimal[] a, BigDecimal[] b) {
        BigDecimal sum = BigDecimal.ZERO;
        for (int i = 0; i < a.length; i++) {
            if (a[i].signum() != 0 && b[i].signum() != 0) {
                sum = sum.add(a[i].multiply(b[i], MC), MC);
            }
        }
        return sum;
    }

    private static BigDecimal[] scale(BigDecimal[] a, BigDecimal factor) {
        BigDecimal[] out = new BigDecimal[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i].multiply(factor, MC);
        }
        return out;
    }

    private static BigDecimal[] add(BigDecimal[] a, BigDecimal[] b) {
        BigDecimal[] out = new BigDecimal[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i].add(b[i], MC);
        }
        return out;
    }

    private static BigDecimal[] subtract(BigDecimal[] a, BigDecimal[] b) {
        BigDecimal[] out = new BigDecimal[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i].subtract(b[i], MC);
        }
        return out;
    }

    private static BigDecimal[][] zeros(int rows, int columns) {
        BigDecimal[][] z = new BigDecimal[rows][columns];
        for (BigDecimal[] row : z) {
            Arrays.fill(row, BigDecimal.ZERO);
        }
        return z;
    }
}
