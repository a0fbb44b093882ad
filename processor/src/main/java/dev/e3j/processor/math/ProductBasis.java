package dev.e3j.processor.math;

import dev.e3j.annotations.CgConvention;
import dev.e3j.runtime.Irrep;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.commons.numbers.fraction.BigFraction;

/**
 * MACE's product basis {@code U_matrix_real(irreps_in, irrep_out, correlation)} ({@code mace/tools/cg.py}), exactly:
 * the tensor {@code U[m][i1]...[iν][k]} whose column {@code k} couples {@code ν} copies of one channel's features
 * ({@code D} components: one copy of each input irrep, in order) to the output irrep.
 *
 * <p>As e3nn's {@code _wigner_nj} (component normalization): one factor is the identity on each irrep's block; each
 * further factor couples the paths so far ({@code ir_left}) with each input irrep ({@code ir}) to every
 * {@code ir_out} in {@code ir_left × ir}, by {@code C[m_out][m_left][m_ir] = sqrt(2 l_out + 1) wigner_3j(l_out,
 * l_left, l_ir)[m_out][m_left][m_ir]} contracted with the left path over {@code m_left}; the paths of each level but
 * the first are sorted stably by their irrep. The columns of {@code U} are the paths that end in the output irrep, in
 * that order, without orthogonalization. For {@code ν = 4}, as MACE, every coupled irrep must have the parity
 * {@code (-1)^l} and {@code l <= 11}. Every entry is a sum of products of Wigner 3j entries, exact as a
 * {@link SqrtSum}.
 */
public final class ProductBasis {

    /** MACE's {@code filter_ir_mid} for correlation 4: the irreps {@code (l, (-1)^l)} with {@code l <= 11}. */
    private static final int FILTERED_DEGREE = 4;
    private static final int FILTER_LMAX = 11;

    private final List<Irrep> coupling;
    private final Irrep out;
    private final int degree;
    private final int dim;
    /** Column k: row m maps the flat index {@code ((i1 D + i2) D + ...) D + iν} to its non-zero entry. */
    private final List<List<TreeMap<Integer, SqrtSum>>> columns;

    private ProductBasis(List<Irrep> coupling, Irrep out, int degree, int dim,
                         List<List<TreeMap<Integer, SqrtSum>>> columns) {
        this.coupling = coupling;
        this.out = out;
        this.degree = degree;
        this.dim = dim;
        this.columns = columns;
    }

    /** A path of {@code _wigner_nj}: its irrep and its tensor, row {@code m} sparse over the flat input index. */
    private record Path(Irrep ir, List<TreeMap<Integer, SqrtSum>> rows) {}

    /**
     * {@code U_matrix_real(coupling, out, degree)[-1]}.
     *
     * @param coupling  the irreps of one channel, in order (MACE's {@code coupling_irreps})
     * @param degree    {@code ν >= 1}, the number of coupled copies
     * @param convention the Wigner 3j signs
     */
    public static ProductBasis of(List<Irrep> coupling, Irrep out, int degree, CgConvention convention) {
        if (degree < 1) {
            throw new IllegalArgumentException("degree: expected >= 1, got " + degree);
        }
        int dim = coupling.stream().mapToInt(Irrep::dim).sum();
        List<Path> paths = paths(coupling, degree, degree == FILTERED_DEGREE, convention, dim, out);
        List<List<TreeMap<Integer, SqrtSum>>> columns = paths.stream()
                .filter(path -> path.ir().equals(out))
                .map(Path::rows)
                .toList();
        return new ProductBasis(List.copyOf(coupling), out, degree, dim, columns);
    }

    /**
     * The irreps that the paths of {@code degree} copies end in (the irreps {@link #of} has columns for), found without
     * computing a tensor.
     */
    public static Set<Irrep> reachable(List<Irrep> coupling, int degree) {
        Set<Irrep> irreps = new LinkedHashSet<>(coupling);
        for (int level = 2; level <= degree; level++) {
            Set<Irrep> next = new LinkedHashSet<>();
            for (Irrep left : irreps) {
                for (Irrep ir : coupling) {
                    for (Irrep product : left.times(ir)) {
                        if (passesFilter(product, degree == FILTERED_DEGREE)) {
                            next.add(product);
                        }
                    }
                }
            }
            irreps = next;
        }
        return irreps;
    }

    private static boolean passesFilter(Irrep irrep, boolean filtered) {
        return !filtered || irrep.l() <= FILTER_LMAX && irrep.p() == Irrep.shParity(irrep.l());
    }

    /**
     * The paths of {@code _wigner_nj} with {@code factors} copies: one per input irrep for one copy, else sorted stably
     * by irrep; only those ending in {@code last} when it is given (dropping others keeps the order of the rest).
     */
    private static List<Path> paths(List<Irrep> coupling, int factors, boolean filtered, CgConvention convention,
                                    int dim, Irrep last) {
        List<Path> result = new ArrayList<>();
        if (factors == 1) {
            int offset = 0;
            for (Irrep ir : coupling) {
                List<TreeMap<Integer, SqrtSum>> rows = new ArrayList<>();
                for (int m = 0; m < ir.dim(); m++) {
                    TreeMap<Integer, SqrtSum> row = new TreeMap<>();
                    row.put(offset + m, SqrtSum.of(SqrtRational.ONE));
                    rows.add(row);
                }
                result.add(new Path(ir, rows));
                offset += ir.dim();
            }
            return result;
        }
        for (Path left : paths(coupling, factors - 1, filtered, convention, dim, null)) {
            int offset = 0;
            for (Irrep ir : coupling) {
                for (Irrep irOut : left.ir().times(ir)) {
                    boolean kept = passesFilter(irOut, filtered)
                            && (last == null || irOut.equals(last));
                    if (kept) {
                        result.add(new Path(irOut, couple(left, ir, offset, irOut, dim, convention)));
                    }
                }
                offset += ir.dim();
            }
        }
        result.sort(Comparator.comparing(Path::ir));
        return result;
    }

    /**
     * {@code T[m_out][left index * D + offset + m_ir] = Σ_{m_left} C[m_out][m_left][m_ir] left[m_left][left index]}.
     */
    private static List<TreeMap<Integer, SqrtSum>> couple(Path left, Irrep ir, int offset, Irrep irOut, int dim,
                                                          CgConvention convention) {
        SqrtRational scale = SqrtRational.sqrtOf(BigFraction.of(irOut.dim()));
        Wigner3j w3j = Wigner3j.of(irOut.l(), left.ir().l(), ir.l(), convention);
        List<TreeMap<Integer, SqrtSum>> rows = new ArrayList<>();
        for (int m = 0; m < irOut.dim(); m++) {
            rows.add(new TreeMap<>());
        }
        for (Wigner3j.Entry entry : w3j.nonzero()) {
            SqrtRational c = entry.value().multiply(scale);
            TreeMap<Integer, SqrtSum> row = rows.get(entry.i());
            for (Map.Entry<Integer, SqrtSum> leftEntry : left.rows().get(entry.j()).entrySet()) {
                int index = leftEntry.getKey() * dim + offset + entry.k();
                SqrtSum sum = row.getOrDefault(index, SqrtSum.ZERO).add(leftEntry.getValue().multiply(c));
                if (sum.isZero()) {
                    row.remove(index);
                } else {
                    row.put(index, sum);
                }
            }
        }
        return rows;
    }

    public List<Irrep> coupling() {
        return coupling;
    }

    public Irrep out() {
        return out;
    }

    /** {@code ν}, the number of coupled copies. */
    public int degree() {
        return degree;
    }

    /** {@code D}, the components of one channel. */
    public int dim() {
        return dim;
    }

    /** {@code K_ν}, the number of columns (MACE's {@code num_params}, the weights per element and channel). */
    public int columns() {
        return columns.size();
    }

    /** One non-zero entry {@code U[m][indices...][k]}. */
    public record Entry(int m, List<Integer> indices, int k, SqrtSum value) {}

    /** The non-zero entries, in MACE's row-major order {@code [m][i1]...[iν][k]}. */
    public List<Entry> entries() {
        List<Entry> entries = new ArrayList<>();
        for (int m = 0; m < out.dim(); m++) {
            TreeMap<Integer, List<Entry>> byIndex = new TreeMap<>();
            for (int k = 0; k < columns.size(); k++) {
                for (Map.Entry<Integer, SqrtSum> e : columns.get(k).get(m).entrySet()) {
                    byIndex.computeIfAbsent(e.getKey(), i -> new ArrayList<>())
                            .add(new Entry(m, indices(e.getKey()), k, e.getValue()));
                }
            }
            byIndex.values().forEach(entries::addAll);
        }
        return entries;
    }

    /** The row-major flat index {@code ((m D + i1) D + ...) D + iν) K + k} of MACE's tensor. */
    public long flatIndex(Entry entry) {
        long index = entry.m();
        for (int i : entry.indices()) {
            index = index * dim + i;
        }
        return index * columns.size() + entry.k();
    }

    /**
     * One coefficient of the polynomial {@code P_k[m](x) = Σ U[m][i1]...[iν][k] x[i1]...x[iν]} in the monomial basis:
     * the sum of {@code U} over the orderings of one multiset of indices.
     *
     * @param indices the monomial's indices, non-decreasing
     */
    public record Monomial(int m, int k, List<Integer> indices, SqrtSum coefficient) {}

    /** The non-zero coefficients of the polynomials {@code P_k[m]}, by {@code k}, then {@code m}, then indices. */
    public List<Monomial> polynomials() {
        List<Monomial> monomials = new ArrayList<>();
        for (int k = 0; k < columns.size(); k++) {
            for (int m = 0; m < out.dim(); m++) {
                TreeMap<List<Integer>, SqrtSum> sums = new TreeMap<>(ProductBasis::compareIndices);
                for (Map.Entry<Integer, SqrtSum> e : columns.get(k).get(m).entrySet()) {
                    List<Integer> sorted = indices(e.getKey()).stream().sorted().toList();
                    sums.merge(sorted, e.getValue(), SqrtSum::add);
                }
                for (Map.Entry<List<Integer>, SqrtSum> sum : sums.entrySet()) {
                    if (!sum.getValue().isZero()) {
                        monomials.add(new Monomial(m, k, sum.getKey(), sum.getValue()));
                    }
                }
            }
        }
        return monomials;
    }

    /** The monomials of each column that has any, split from {@link #polynomials}' order. */
    public static List<List<Monomial>> byColumn(List<Monomial> monomials) {
        List<List<Monomial>> columns = new ArrayList<>();
        for (Monomial monomial : monomials) {
            if (columns.isEmpty() || columns.get(columns.size() - 1).get(0).k() != monomial.k()) {
                columns.add(new ArrayList<>());
            }
            columns.get(columns.size() - 1).add(monomial);
        }
        return columns;
    }

    /**
     * {@code ρ} with {@code column = ρ first} exactly, monomial by monomial, when {@code ρ} is one {@code ±sqrt(p/q)}
     * (the ratios of MACE's columns are); else empty.
     */
    public static Optional<SqrtRational> proportion(List<Monomial> column, List<Monomial> first) {
        if (column.size() != first.size()) {
            return Optional.empty();
        }
        Optional<SqrtRational> numerator = column.get(0).coefficient().asSqrtRational();
        Optional<SqrtRational> denominator = first.get(0).coefficient().asSqrtRational();
        if (numerator.isEmpty() || denominator.isEmpty()) {
            return Optional.empty();
        }
        SqrtRational ratio = numerator.get().divide(denominator.get());
        for (int i = 0; i < column.size(); i++) {
            Monomial a = column.get(i);
            Monomial b = first.get(i);
            if (a.m() != b.m() || !a.indices().equals(b.indices())
                    || !b.coefficient().multiply(ratio).equals(a.coefficient())) {
                return Optional.empty();
            }
        }
        return Optional.of(ratio);
    }

    private List<Integer> indices(int flat) {
        Integer[] indices = new Integer[degree];
        for (int j = degree - 1; j >= 0; j--) {
            indices[j] = flat % dim;
            flat /= dim;
        }
        return List.of(indices);
    }

    private static int compareIndices(List<Integer> a, List<Integer> b) {
        for (int j = 0; j < a.size(); j++) {
            int c = Integer.compare(a.get(j), b.get(j));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    @Override
    public String toString() {
        return "U_matrix_real(" + coupling.stream().map(Irrep::toString).collect(Collectors.joining("+")) + ", " + out
                + ", " + degree + ")";
    }
}
