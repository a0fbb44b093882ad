package dev.e3j.processor.model;

import dev.e3j.processor.math.SqrtRational;
import dev.e3j.runtime.Irreps.MulIrrep;
import java.util.List;
import org.apache.commons.numbers.fraction.BigFraction;

/**
 * One e3nn instruction with everything exact: which entries it connects, how, its normalization coefficient
 * {@code sqrt(alpha)} and its nonzero Clebsch–Gordan terms already multiplied by that coefficient.
 *
 * @param index        position in the instruction list (and in the weight layout)
 * @param in1          entry index into in1
 * @param in2          entry index into in2
 * @param out          entry index into out
 * @param entry1       {@code mul1 x ir1}
 * @param entry2       {@code mul2 x ir2}
 * @param entryOut     {@code mul_out x ir_out}
 * @param mode         connection mode
 * @param weighted     whether the path reads weights
 * @param pathWeight   the user's (or e3nn's, for SQUARE) path weight, multiplied into {@code alpha}
 * @param coefficient  {@code sqrt(alpha)}, e3nn's {@code path_normalization_coefficients} entry
 * @param weightOffset first weight of this path in the flat weight vector, {@code -1} when unweighted
 * @param terms        nonzero terms, row-major in {@code (i, j, k)}
 */
public record PathModel(
        int index,
        int in1,
        int in2,
        int out,
        MulIrrep entry1,
        MulIrrep entry2,
        MulIrrep entryOut,
        ConnectionMode mode,
        boolean weighted,
        BigFraction pathWeight,
        SqrtRational coefficient,
        int weightOffset,
        List<CgTerm> terms) {

    public PathModel {
        terms = List.copyOf(terms);
    }

    /** Number of weights this path reads (0 when unweighted). */
    public int weightCount() {
        return weighted ? mode.weightCount(entry1.mul(), entry2.mul(), entryOut.mul()) : 0;
    }

    /** Whether the path contributes nothing (a zero multiplicity or a zero coefficient), as e3nn's output mask. */
    public boolean isVacuous() {
        return coefficient.isZero() || mode.pairs(entry1.mul(), entry2.mul()) == 0 || entryOut.mul() == 0;
    }

    /** A readable identifier, e.g. {@code path0_2x0e_x_1x1o_to_2x1o}. */
    public String name() {
        return "path" + index + "_" + entry1 + "_x_" + entry2 + "_to_" + entryOut;
    }

    /** e.g. {@code 2x0e (in1[0]) x 1x1o (in2[1]) -> 2x1o (out[3]), uvu, weighted}. */
    public String describe() {
        return entry1 + " (in1[" + in1 + "]) x " + entry2 + " (in2[" + in2 + "]) -> " + entryOut + " (out[" + out
                + "]), " + mode.token() + (weighted ? ", weighted" : ", unweighted");
    }
}
