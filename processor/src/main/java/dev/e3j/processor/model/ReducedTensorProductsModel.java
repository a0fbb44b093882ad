package dev.e3j.processor.model;

import dev.e3j.processor.diagnostics.Location;
import dev.e3j.processor.diagnostics.Message;
import dev.e3j.processor.diagnostics.Problem;
import dev.e3j.processor.math.ReducedTensorProducts;
import dev.e3j.runtime.Irrep;
import dev.e3j.runtime.Irreps;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A validated {@code @ReducedTensorProducts} or {@code @CartesianTensor}: the formula, the irreps of its indices and
 * e3nn's change of basis ({@link ReducedTensorProducts}, {@value ReducedTensorProducts#DIGITS}-digit arithmetic).
 *
 * @param formula    the formula as written
 * @param products   the change of basis
 * @param magnitudes the distinct magnitudes of its non-zero entries, to {@value #MAGNITUDE_DIGITS} digits, in order
 *                   of first appearance
 * @param entries    its non-zero entries, row by row and column by column
 */
public record ReducedTensorProductsModel(String formula, ReducedTensorProducts products, List<BigDecimal> magnitudes,
                                         List<Entry> entries) {

    /** Significant digits of each magnitude (the computation carries {@value ReducedTensorProducts#DIGITS}). */
    public static final int MAGNITUDE_DIGITS = 50;

    /**
     * {@code Q[row][column] = sign * magnitudes[magnitude]}, {@code column} row-major over the tensor's shape.
     *
     * @param row       the irreps component
     * @param column    the flat tensor index
     * @param sign      {@code +1} or {@code -1}
     * @param magnitude index into {@link #magnitudes()}
     */
    public record Entry(int row, int column, int sign, int magnitude) {}

    public ReducedTensorProductsModel {
        magnitudes = List.copyOf(magnitudes);
        entries = List.copyOf(entries);
    }

    /**
     * The most entries a tensor may have ({@code 3^6}, a rank-6 Cartesian tensor): the high-precision reduction grows
     * with the square of the entries times the number of coupling paths.
     */
    public static final int MAX_SIZE = 729;

    /** {@code spec} validated, with e3nn's change of basis; every problem is positioned on its attribute. */
    public static ReducedTensorProductsModel build(ReducedTensorProductsSpec spec) throws InvalidSpecException {
        List<Problem> problems = new ArrayList<>();
        String formula = spec.formula();
        Map<Character, Irreps> irreps = new LinkedHashMap<>();
        if (spec.cartesian()) {
            for (char index : formula.split("=", -1)[0].toCharArray()) {
                irreps.put(index, Irreps.parse("1o"));
            }
        }
        for (int e = 0; e < spec.irreps().size(); e++) {
            readEntry(spec.irreps().get(e), e, irreps, problems);
        }
        Set<Irrep> filterOut = readFilter(spec.filterIrOut(), "filterIrOut", problems);
        Set<Irrep> filterMid = readFilter(spec.filterIrMid(), "filterIrMid", problems);
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(problems);
        }
        List<Irreps> irrepsIn;
        try {
            irrepsIn = ReducedTensorProducts.inferIrreps(formula, irreps);
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException(List.of(Problem.at(Location.attribute("formula"), Message.FORMULA, formula,
                    e.getMessage())));
        }
        long size = 1;
        for (Irreps index : irrepsIn) {
            size = Math.min(size * index.dim(), Integer.MAX_VALUE);
        }
        if (size > MAX_SIZE) {
            throw new InvalidSpecException(List.of(Problem.at(Location.attribute("formula"), Message.TOO_LARGE,
                    "formula = \"" + formula + "\" with irreps " + irrepsIn + " has tensors of " + size
                            + " entries, more than the " + MAX_SIZE + " e3j reduces (a rank-6 Cartesian tensor)")));
        }
        ReducedTensorProducts products = ReducedTensorProducts.of(formula, irreps, filterOut, filterMid,
                spec.cgConvention());
        if (products.irrepsOut().dim() == 0) {
            throw new InvalidSpecException(List.of(Problem.at(Location.attribute("formula"), Message.FORMULA, formula,
                    "with irreps " + irrepsIn + " the symmetries leave no non-zero tensor, so there is nothing to"
                            + " reduce (e3nn raises too)")));
        }
        return withEntries(formula, products);
    }

    /**
     * The irreps of a filter attribute ({@code "0e"}, one per element), or {@code null} (no filter) when it is empty;
     * a malformed element is an {@code [e3j.irreps]} problem on it.
     */
    private static Set<Irrep> readFilter(List<String> entries, String attribute, List<Problem> problems) {
        if (entries.isEmpty()) {
            return null;
        }
        Set<Irrep> filter = new LinkedHashSet<>();
        for (int e = 0; e < entries.size(); e++) {
            try {
                filter.add(Irrep.parse(entries.get(e).strip()));
            } catch (IllegalArgumentException ex) {
                problems.add(Problem.at(new Location(attribute, e, null), Message.MALFORMED_IRREPS,
                        attribute + "[" + e + "]", ex.getMessage()));
            }
        }
        return filter;
    }

    /** The non-zero entries of {@code products} (magnitudes rounded to {@value #MAGNITUDE_DIGITS} digits). */
    private static ReducedTensorProductsModel withEntries(String formula, ReducedTensorProducts products) {
        MathContext digits = new MathContext(MAGNITUDE_DIGITS, RoundingMode.HALF_EVEN);
        Map<BigDecimal, Integer> indexOf = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        int size = Arrays.stream(products.shape()).reduce(1, (a, b) -> a * b);
        for (int row = 0; row < products.irrepsOut().dim(); row++) {
            for (int column = 0; column < size; column++) {
                BigDecimal value = products.get(row, column).round(digits);
                if (value.signum() != 0) {
                    BigDecimal magnitude = value.abs().stripTrailingZeros();
                    int index = indexOf.computeIfAbsent(magnitude, k -> indexOf.size());
                    entries.add(new Entry(row, column, value.signum(), index));
                }
            }
        }
        return new ReducedTensorProductsModel(formula, products, List.copyOf(indexOf.keySet()), entries);
    }

    private static void readEntry(String entry, int e, Map<Character, Irreps> irreps, List<Problem> problems) {
        Location at = Location.member("irreps", e, null);
        int equals = entry.indexOf('=');
        if (equals < 0) {
            problems.add(Problem.at(at, Message.INDEX_IRREPS, e, entry, "expected index=irreps, e.g. \"i=1o\""));
            return;
        }
        String index = entry.substring(0, equals).strip();
        if (index.length() != 1 || !Character.isLetter(index.charAt(0))) {
            problems.add(Problem.at(at, Message.INDEX_IRREPS, e, entry, "the index must be one letter, got \""
                    + index + "\""));
            return;
        }
        if (irreps.containsKey(index.charAt(0))) {
            problems.add(Problem.at(at, Message.INDEX_IRREPS, e, entry, "index " + index + " is given twice"));
            return;
        }
        try {
            Irreps parsed = Irreps.parse(entry.substring(equals + 1));
            if (parsed.dim() == 0) {
                problems.add(Problem.at(at, Message.INDEX_IRREPS, e, entry, "the irreps must have a dimension"));
                return;
            }
            irreps.put(index.charAt(0), parsed);
        } catch (IllegalArgumentException ex) {
            problems.add(Problem.at(at, Message.INDEX_IRREPS, e, entry, ex.getMessage()));
        }
    }
}
