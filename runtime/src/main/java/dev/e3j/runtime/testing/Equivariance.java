package dev.e3j.runtime.testing;

import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.internal.Checks;
import dev.e3j.runtime.o3.Rotations;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * e3nn's {@code util.test.assert_equivariant} / {@code equivariance_error}: checks {@code f(g x) = g f(x)} for random
 * {@code g} in O(3) (and, for functions of points, translations).
 *
 * <p>Each argument and each result is a row-major {@code [batch][dim]} array typed by an {@link Argument}: irreps
 * (transformed by {@code D(g)}, {@link Irreps#wignerD(double, double, double, int)}), Cartesian points
 * ({@code [batch][3]}, {@code x -> ±R x + t}: a {@code 1o} vector plus the translation), Cartesian vectors
 * ({@code ±R x}, never translated) or invariant data (left alone). Cases: a rotation without ({@code k = 0}) and with
 * ({@code k = 1}) the inversion, each also with a translation {@code t ~ 10 N(0, 1)} when some argument is points
 * and the function is declared translation-equivariant. The error of a result in a case is
 * {@code max |f(g x) - g f(x)|} over its components.
 */
public final class Equivariance {

    /** e3nn's float64 tolerance. */
    public static final double DEFAULT_TOLERANCE = 1e-10;

    /** Where the checks of {@link #equivarianceError} (which the assertions call) report their errors. */
    private static final String WHERE = "Equivariance.equivarianceError";

    /** How one argument or result transforms. */
    public record Argument(Kind kind, Irreps irreps) {

        /** The kinds of data e3nn's test knows. */
        public enum Kind {
            /** Features in given irreps. */
            IRREPS,
            /** Points in space. */
            CARTESIAN_POINTS,
            /** Vectors in space. */
            CARTESIAN_VECTORS,
            /** Data that no rotation or translation changes. */
            INVARIANT
        }

        /** Checks that {@code irreps} is given exactly for {@link Kind#IRREPS}. */
        public Argument {
            Checks.requireNonNull("new Argument", "kind", kind);
            if ((kind == Kind.IRREPS) != (irreps != null)) {
                throw Checks.invalid("new Argument", "irreps", (kind == Kind.IRREPS ? "not be null" : "be null")
                        + " for " + kind, irreps);
            }
        }

        /** Features in {@code irreps}, rotated by their Wigner D matrices. */
        public static Argument irreps(Irreps irreps) {
            return new Argument(Kind.IRREPS, Checks.requireNonNull("Argument.irreps", "irreps", irreps));
        }

        /** Features in {@code irreps} (e3nn syntax), rotated by their Wigner D matrices. */
        public static Argument irreps(String irreps) {
            return irreps(Irreps.parse(irreps));
        }

        /** Points {@code [batch][3]}: {@code x -> ±R x}, plus a translation in the translated cases. */
        public static Argument cartesianPoints() {
            return new Argument(Kind.CARTESIAN_POINTS, null);
        }

        /** Vectors {@code [batch][3]}: {@code x -> ±R x}, never translated. */
        public static Argument cartesianVectors() {
            return new Argument(Kind.CARTESIAN_VECTORS, null);
        }

        /** Data that must not be transformed; its width is the argument's own business. */
        public static Argument invariant() {
            return new Argument(Kind.INVARIANT, null);
        }

        /** Row width, or -1 for invariant data (not checked). */
        int width() {
            return switch (kind) {
                case IRREPS -> irreps.dim();
                case CARTESIAN_POINTS, CARTESIAN_VECTORS -> 3;
                case INVARIANT -> -1;
            };
        }

        @Override
        public String toString() {
            return kind == Kind.IRREPS ? irreps.toString() : kind.name().toLowerCase(Locale.ROOT);
        }
    }

    /** The function under test: {@code inputs[i]} is {@code [batch][width_i]}, the results likewise. */
    @FunctionalInterface
    public interface IrrepsFunction {
        /** The results of the function on {@code batch} samples of {@code inputs}. */
        double[][] apply(int batch, double[][] inputs);
    }

    /** The largest error of each result in one case ({@code parityK} inversions, translated or not). */
    public record Case(int parityK, boolean translated, double[] errors) {

        /** The largest error over the results of this case. */
        public double maxError() {
            double max = 0;
            for (double e : errors) {
                max = Math.max(max, e);
            }
            return max;
        }
    }

    /** All cases; {@link #toString()} is a readable table. */
    public record Report(List<Argument> outputs, List<Case> cases) {

        /** The largest error over all cases and results. */
        public double maxError() {
            double max = 0;
            for (Case c : cases) {
                max = Math.max(max, c.maxError());
            }
            return max;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("equivariance errors (max |f(g x) - g f(x)|):");
            for (Case c : cases) {
                sb.append(String.format(Locale.ROOT, "%n  parity_k=%d, translated=%-5s:", c.parityK(), c.translated()));
                for (int i = 0; i < outputs.size(); i++) {
                    sb.append(String.format(Locale.ROOT, "  out[%d] %s -> %.3e", i, outputs.get(i), c.errors()[i]));
                }
            }
            return sb.toString();
        }
    }

    private Equivariance() {
    }

    /**
     * {@link #assertEquivariant(IrrepsFunction, List, List, double[][], int, boolean, double, RandomGenerator)} on
     * random inputs {@code ~ N(0, 1)} with a batch of 3 and the default tolerance; throws if there are invariant
     * inputs (random data cannot be made up for them).
     */
    public static Report assertEquivariant(IrrepsFunction f, List<Argument> inputs, List<Argument> outputs,
                                           boolean translationEquivariant, RandomGenerator rng) {
        return assertEquivariant(f, inputs, outputs, null, 3, translationEquivariant, DEFAULT_TOLERANCE, rng);
    }

    /**
     * Runs {@link #equivarianceError} and throws an {@link AssertionError} carrying the report when any error exceeds
     * {@code tolerance}.
     *
     * @param args the inputs, or {@code null} for random ones (batch {@code batch})
     */
    public static Report assertEquivariant(IrrepsFunction f, List<Argument> inputs, List<Argument> outputs,
                                           double[][] args, int batch, boolean translationEquivariant,
                                           double tolerance, RandomGenerator rng) {
        Report report = equivarianceError(f, inputs, outputs, args, batch, translationEquivariant, rng);
        if (!(report.maxError() <= tolerance)) {
            throw new AssertionError("not equivariant: largest error " + String.format(Locale.ROOT, "%.3e",
                    report.maxError()) + " > tolerance " + tolerance + "\n" + report);
        }
        return report;
    }

    /** The errors of every case, without judging them. */
    public static Report equivarianceError(IrrepsFunction f, List<Argument> inputs, List<Argument> outputs,
                                           double[][] args, int batch, boolean translationEquivariant,
                                           RandomGenerator rng) {
        Checks.requireNonNull(WHERE, "f", f);
        Checks.requireNonNull(WHERE, "inputs", inputs);
        Checks.requireNonNull(WHERE, "outputs", outputs);
        Checks.requireNonNull(WHERE, "rng", rng);
        Checks.requireNonNegative(WHERE, "batch", batch);
        double[][] x = args != null ? args : randomArguments(inputs, batch, rng);
        if (x.length != inputs.size()) {
            throw Checks.invalid(WHERE, "args", "hold " + inputs.size() + " arrays (one per input)", x.length);
        }
        for (int i = 0; i < x.length; i++) {
            if (inputs.get(i).width() >= 0) {
                Checks.requireShape(WHERE, "args[" + i + "]", x[i], "batch", batch, inputs.get(i).width());
            }
        }
        boolean hasPoints = inputs.stream().anyMatch(a -> a.kind() == Argument.Kind.CARTESIAN_POINTS);
        List<Case> cases = new ArrayList<>();
        for (int k = 0; k <= 1; k++) {
            for (boolean translate : translationEquivariant && hasPoints ? new boolean[] {false, true}
                    : new boolean[] {false}) {
                double[] angles = Rotations.randomAngles(rng);
                double[] translation = new double[3];
                if (translate) {
                    for (int c = 0; c < 3; c++) {
                        translation[c] = 10 * rng.nextGaussian();
                    }
                }
                Transform g = new Transform(angles, k, translation);
                double[][] resultOfTransformed = call(f, batch, g.applyAll(inputs, x, batch), outputs);
                double[][] transformedResult = g.applyAll(outputs, call(f, batch, x, outputs), batch);
                double[] errors = new double[outputs.size()];
                for (int o = 0; o < errors.length; o++) {
                    for (int i = 0; i < resultOfTransformed[o].length; i++) {
                        errors[o] = Math.max(errors[o], Math.abs(resultOfTransformed[o][i] - transformedResult[o][i]));
                    }
                }
                cases.add(new Case(k, translate, errors));
            }
        }
        return new Report(List.copyOf(outputs), List.copyOf(cases));
    }

    private static double[][] call(IrrepsFunction f, int batch, double[][] x, List<Argument> outputs) {
        double[][] y = f.apply(batch, x);
        if (y == null || y.length != outputs.size()) {
            throw Checks.invalid(WHERE, "f", "return " + outputs.size() + " results (one per output)",
                    y == null ? "null" : y.length);
        }
        for (int o = 0; o < y.length; o++) {
            if (outputs.get(o).width() >= 0) {
                Checks.requireShape(WHERE, "f result [" + o + "]", y[o], "batch", batch, outputs.get(o).width());
            }
        }
        return y;
    }

    private static double[][] randomArguments(List<Argument> inputs, int batch, RandomGenerator rng) {
        double[][] x = new double[inputs.size()][];
        for (int i = 0; i < x.length; i++) {
            if (inputs.get(i).kind() == Argument.Kind.INVARIANT) {
                throw Checks.invalid(WHERE, "args", "be given, since inputs[" + i + "] is invariant data of unknown "
                        + "size", "null");
            }
            x[i] = new double[Checks.arrayLength(WHERE, "batch", batch, "inputs[" + i + "] width",
                    inputs.get(i).width())];
            for (int j = 0; j < x[i].length; j++) {
                x[i][j] = rng.nextGaussian();
            }
        }
        return x;
    }

    /** One group element: rotation {@code R(alpha, beta, gamma)}, {@code k} inversions, a translation for points. */
    private static final class Transform {
        private final double[] angles;
        private final int k;
        private final double[] translation;
        private final double[][] matrix;

        Transform(double[] angles, int k, double[] translation) {
            this.angles = angles;
            this.k = k;
            this.translation = translation;
            this.matrix = Rotations.anglesToMatrix(angles[0], angles[1], angles[2]);
            if (k == 1) {
                for (double[] row : matrix) {
                    for (int c = 0; c < 3; c++) {
                        row[c] = -row[c];
                    }
                }
            }
        }

        double[][] applyAll(List<Argument> kinds, double[][] data, int batch) {
            double[][] out = new double[data.length][];
            for (int i = 0; i < data.length; i++) {
                out[i] = apply(kinds.get(i), data[i], batch);
            }
            return out;
        }

        private double[] apply(Argument kind, double[] data, int batch) {
            return switch (kind.kind()) {
                case INVARIANT -> data.clone();
                case CARTESIAN_VECTORS -> multiply(matrix, data, batch, null);
                case CARTESIAN_POINTS -> multiply(matrix, data, batch, translation);
                case IRREPS -> multiply(kind.irreps().wignerD(angles[0], angles[1], angles[2], k), data, batch, null);
            };
        }

        /** Each row {@code x_b} becomes {@code m x_b (+ shift)}. */
        private static double[] multiply(double[][] m, double[] data, int batch, double[] shift) {
            int n = m.length;
            double[] out = new double[data.length];
            for (int b = 0; b < batch; b++) {
                for (int r = 0; r < n; r++) {
                    double s = shift == null ? 0 : shift[r];
                    for (int c = 0; c < n; c++) {
                        s += m[r][c] * data[b * n + c];
                    }
                    out[b * n + r] = s;
                }
            }
            return out;
        }
    }
}
