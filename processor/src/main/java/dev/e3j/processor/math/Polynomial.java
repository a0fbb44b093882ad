package dev.e3j.processor.math;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Immutable polynomial in {@code x, y, z} with exact {@link SqrtRational} coefficients. Terms are kept in descending
 * lexicographic order of the exponents {@code (x, y, z)}, zero coefficients dropped, like monomials merged.
 */
public final class Polynomial {

    /** {@code coefficient * x^xPower * y^yPower * z^zPower}. */
    public record Term(int xPower, int yPower, int zPower, SqrtRational coefficient) {
        public Term {
            if (xPower < 0 || yPower < 0 || zPower < 0) {
                throw new IllegalArgumentException("xPower, yPower, zPower: expected exponents >= 0, got ("
                        + xPower + ", " + yPower + ", " + zPower + ")");
            }
            Objects.requireNonNull(coefficient, "coefficient");
        }

        /** The sum of the exponents. */
        public int degree() {
            return xPower + yPower + zPower;
        }

        int power(int axis) {
            return axis == 0 ? xPower : axis == 1 ? yPower : zPower;
        }
    }

    private static final Comparator<Term> DESCENDING_EXPONENTS = Comparator.comparingInt(Term::xPower)
            .thenComparingInt(Term::yPower)
            .thenComparingInt(Term::zPower)
            .reversed();

    public static final Polynomial ZERO = new Polynomial(List.of());

    private final List<Term> terms;
    /** The coefficients rounded to double, computed on the first {@link #evaluate}. */
    private volatile double[] doubleCoefficients;

    private Polynomial(List<Term> sortedMergedTerms) {
        this.terms = Collections.unmodifiableList(sortedMergedTerms);
    }

    /**
     * The sum of {@code terms}; like monomials are added with {@link SqrtRational#add}.
     *
     * @throws ArithmeticException when two like monomials have coefficients with different radicals
     */
    public static Polynomial of(List<Term> terms) {
        Map<List<Integer>, Term> merged = new LinkedHashMap<>();
        for (Term term : terms) {
            merged.merge(List.of(term.xPower(), term.yPower(), term.zPower()), term,
                    (a, b) -> new Term(a.xPower(), a.yPower(), a.zPower(), a.coefficient().add(b.coefficient())));
        }
        List<Term> sorted = new ArrayList<>();
        for (Term term : merged.values()) {
            if (!term.coefficient().isZero()) {
                sorted.add(term);
            }
        }
        sorted.sort(DESCENDING_EXPONENTS);
        return new Polynomial(sorted);
    }

    /** The non-zero terms, descending lexicographic order of {@code (xPower, yPower, zPower)}. */
    public List<Term> terms() {
        return terms;
    }

    public boolean isZero() {
        return terms.isEmpty();
    }

    /** The largest total degree of a term; 0 for the zero polynomial. */
    public int degree() {
        return terms.stream().mapToInt(Term::degree).max().orElse(0);
    }

    /** The value at {@code (x, y, z)}, each coefficient rounded once to the nearest double. */
    public double evaluate(double x, double y, double z) {
        double[] coefficients = doubleCoefficients;
        if (coefficients == null) {
            coefficients = terms.stream().mapToDouble(t -> t.coefficient().doubleValue()).toArray();
            doubleCoefficients = coefficients;
        }
        double sum = 0.0;
        for (int t = 0; t < coefficients.length; t++) {
            Term term = terms.get(t);
            sum += coefficients[t] * power(x, term.xPower()) * power(y, term.yPower()) * power(z, term.zPower());
        }
        return sum;
    }

    private static double power(double base, int exponent) {
        double result = 1.0;
        for (int e = 0; e < exponent; e++) {
            result *= base;
        }
        return result;
    }

    /** The exact partial derivative along {@code axis} (0 = x, 1 = y, 2 = z). */
    public Polynomial derivative(int axis) {
        if (axis < 0 || axis > 2) {
            throw new IllegalArgumentException("axis: expected 0 (x), 1 (y) or 2 (z), got " + axis);
        }
        List<Term> result = new ArrayList<>();
        for (Term term : terms) {
            int power = term.power(axis);
            if (power > 0) {
                SqrtRational coefficient = term.coefficient().multiply(SqrtRational.of(power, 1));
                result.add(new Term(
                        term.xPower() - (axis == 0 ? 1 : 0),
                        term.yPower() - (axis == 1 ? 1 : 0),
                        term.zPower() - (axis == 2 ? 1 : 0),
                        coefficient));
            }
        }
        return of(result);
    }

    /** {@code ∂²/∂x² + ∂²/∂y² + ∂²/∂z²}, exact. */
    public Polynomial laplacian() {
        Polynomial sum = ZERO;
        for (int axis = 0; axis < 3; axis++) {
            sum = sum.add(derivative(axis).derivative(axis));
        }
        return sum;
    }

    /** {@code this + other}; like monomials must share a radical (see {@link SqrtRational#add}). */
    public Polynomial add(Polynomial other) {
        List<Term> all = new ArrayList<>(terms);
        all.addAll(other.terms);
        return of(all);
    }

    /** Every coefficient multiplied by {@code factor}. */
    public Polynomial scale(SqrtRational factor) {
        List<Term> result = new ArrayList<>();
        for (Term term : terms) {
            result.add(new Term(term.xPower(), term.yPower(), term.zPower(), term.coefficient().multiply(factor)));
        }
        return of(result);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Polynomial other && terms.equals(other.terms);
    }

    @Override
    public int hashCode() {
        return terms.hashCode();
    }

    /** Readable exact text, e.g. {@code sqrt(15)*x*z} or {@code -sqrt(5)/2*x^2 + sqrt(5)*y^2 - sqrt(5)/2*z^2}. */
    @Override
    public String toString() {
        if (terms.isEmpty()) {
            return "0";
        }
        StringBuilder text = new StringBuilder();
        for (Term term : terms) {
            SqrtRational coefficient = term.coefficient();
            if (text.length() == 0) {
                text.append(coefficient.signum() < 0 ? "-" : "");
            } else {
                text.append(coefficient.signum() < 0 ? " - " : " + ");
            }
            String magnitude = coefficient.abs().toString();
            String monomial = monomialText(term);
            if (monomial.isEmpty()) {
                text.append(magnitude);
            } else if (magnitude.equals("1")) {
                text.append(monomial);
            } else {
                text.append(magnitude).append('*').append(monomial);
            }
        }
        return text.toString();
    }

    private static String monomialText(Term term) {
        List<String> factors = new ArrayList<>();
        String[] names = {"x", "y", "z"};
        for (int axis = 0; axis < 3; axis++) {
            int power = term.power(axis);
            if (power == 1) {
                factors.add(names[axis]);
            } else if (power > 1) {
                factors.add(names[axis] + "^" + power);
            }
        }
        return String.join("*", factors);
    }
}
