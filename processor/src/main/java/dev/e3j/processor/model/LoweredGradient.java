package dev.e3j.processor.model;

import dev.e3j.processor.model.SphericalHarmonicsModel.Component;
import dev.e3j.processor.model.SphericalHarmonicsModel.Term;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.numbers.fraction.BigFraction;

/**
 * The gradient of a spherical-harmonic polynomial in the basis of the degree below: {@code d P^l_k / d axis =
 * sum_i c[axis][k][i] P^{l-1}_i}. Each {@code P} is homogeneous and harmonic, so its derivative is homogeneous and
 * harmonic of degree {@code l - 1}, a combination of the {@code P^{l-1}_i}; with integer polynomials on both sides
 * the coefficients are rationals, found here by exact elimination over the monomials (and checked: every monomial
 * must match). A gradient evaluated this way needs the {@code 2l - 1} values {@code P^{l-1}} once for all three axes,
 * instead of {@code 3 (2l + 1)} derivative polynomials.
 */
public final class LoweredGradient {

    private LoweredGradient() {
    }

    /**
     * {@code result.get(axis).get(k)}: the nonzero coefficients {@code i -> c[axis][k][i]} of {@code d upper_k /
     * d axis} ({@code 0 = x, 1 = y, 2 = z}) in the basis {@code lower}.
     *
     * @throws IllegalArgumentException if a derivative is not a combination of {@code lower}
     */
    public static List<List<Map<Integer, BigFraction>>> of(List<Component> upper, List<Component> lower) {
        Map<List<Integer>, Integer> rowOf = new LinkedHashMap<>();
        for (Component c : lower) {
            for (Term t : c.terms()) {
                rowOf.putIfAbsent(monomial(t), rowOf.size());
            }
        }
        // One elimination for all right-hand sides [lower | d upper_k / d axis for every (axis, k)].
        int columns = lower.size();
        int targets = 3 * upper.size();
        BigFraction[][] matrix = new BigFraction[rowOf.size()][columns + targets];
        for (BigFraction[] row : matrix) {
            Arrays.fill(row, BigFraction.ZERO);
        }
        for (int i = 0; i < columns; i++) {
            for (Term t : lower.get(i).terms()) {
                matrix[rowOf.get(monomial(t))][i] = BigFraction.of(t.coefficient());
            }
        }
        for (int axis = 0; axis < 3; axis++) {
            for (int k = 0; k < upper.size(); k++) {
                for (Term t : upper.get(k).derivative(axis)) {
                    Integer row = rowOf.get(monomial(t));
                    if (row == null) {
                        throw new IllegalArgumentException("d P_" + k + " / d axis " + axis + " has a monomial"
                                + " outside the lower degree's polynomials: " + monomial(t));
                    }
                    matrix[row][columns + axis * upper.size() + k] = BigFraction.of(t.coefficient());
                }
            }
        }
        eliminate(matrix, columns);
        for (int r = columns; r < matrix.length; r++) {
            for (int c = columns; c < columns + targets; c++) {
                if (!matrix[r][c].isZero()) {
                    throw new IllegalArgumentException("a derivative is not a combination of the lower degree");
                }
            }
        }
        List<List<Map<Integer, BigFraction>>> result = new ArrayList<>();
        for (int axis = 0; axis < 3; axis++) {
            List<Map<Integer, BigFraction>> byK = new ArrayList<>();
            for (int k = 0; k < upper.size(); k++) {
                Map<Integer, BigFraction> coefficients = new TreeMap<>();
                for (int i = 0; i < columns; i++) {
                    BigFraction value = matrix[i][columns + axis * upper.size() + k];
                    if (!value.isZero()) {
                        coefficients.put(i, value);
                    }
                }
                byK.add(coefficients);
            }
            result.add(byK);
        }
        return result;
    }

    private static List<Integer> monomial(Term t) {
        return List.of(t.xPower(), t.yPower(), t.zPower());
    }

    /**
     * Gauss-Jordan elimination of the first {@code columns} columns, in place: afterwards row {@code i < columns}
     * has a 1 in column {@code i} and zeros in the other first columns, and the rows below are zero there.
     *
     * @throws IllegalArgumentException if the first columns are linearly dependent
     */
    private static void eliminate(BigFraction[][] matrix, int columns) {
        int width = matrix.length == 0 ? 0 : matrix[0].length;
        for (int column = 0; column < columns; column++) {
            int found = -1;
            for (int r = column; r < matrix.length && found < 0; r++) {
                if (!matrix[r][column].isZero()) {
                    found = r;
                }
            }
            if (found < 0) {
                throw new IllegalArgumentException("the lower degree's polynomials are linearly dependent");
            }
            BigFraction[] swap = matrix[found];
            matrix[found] = matrix[column];
            matrix[column] = swap;
            BigFraction pivot = matrix[column][column];
            for (int c = column; c < width; c++) {
                matrix[column][c] = matrix[column][c].divide(pivot);
            }
            for (int r = 0; r < matrix.length; r++) {
                BigFraction factor = matrix[r][column];
                if (r != column && !factor.isZero()) {
                    for (int c = column; c < width; c++) {
                        matrix[r][c] = matrix[r][c].subtract(factor.multiply(matrix[column][c]));
                    }
                }
            }
        }
    }
}
