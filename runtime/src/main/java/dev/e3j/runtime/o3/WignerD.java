package dev.e3j.runtime.o3;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Real-basis Wigner D matrices of SO(3), e3nn's {@code o3.wigner_D(l, alpha, beta, gamma)}: the
 * {@code (2l+1) x (2l+1)} orthogonal matrix with {@code x' = D x}, in e3nn's real basis (index {@code m + l},
 * {@code m = -l..l}, y the polar axis; for {@code l = 1} the basis is {@code (x, y, z)} and {@code D} equals
 * {@link Rotations#anglesToMatrix}). e3nn defines {@code D = exp(alpha Ly) exp(beta Lx) exp(gamma Ly)} with its
 * real generators {@code L = Q^H L_complex Q} ({@code Q = change_basis_real_to_complex(l)}).
 *
 * <p>Method. A rotation about y is sparse in this basis, {@code Y(t)[m][m] = cos(m t)},
 * {@code Y(t)[m][-m] = -sin(m t)} ({@code m != 0}). A rotation about x is conjugate to one about y,
 * {@code Rx(b) = Ry(-pi/2) Rx(-pi/2) Ry(b) Rx(pi/2) Ry(pi/2)}, so {@code X(b) = A^T Y(b) A} with the fixed orthogonal
 * {@code A = X(pi/2) Y(pi/2)}, and {@code D = Y(alpha) A^T Y(beta) A Y(gamma)}: one dense product per call.
 * {@code X(pi/2) = Re(Q^H d(pi/2) Q)} comes from Wigner's small d at a right angle,
 * {@code d[m'][m] = 2^-l (-1)^(m'-m) sqrt(C(2l, l+m) / C(2l, l+m')) sum_k (-1)^k C(l+m, k) C(l-m, l-m'-k)},
 * whose integer sum is exact in {@code long} for {@code l <= }{@value #MAX_L}, so {@code A} is accurate to a few
 * units in the last place. It is computed once per {@code l} and cached.
 */
public final class WignerD {

    /** Largest supported degree: {@code C(2l, l)} and the sum above still fit in a {@code long}. */
    public static final int MAX_L = 30;

    private static final long[][] BINOMIAL = pascalTriangle(2 * MAX_L);

    private static final AtomicReferenceArray<double[][]> CHANGE_OF_AXES = new AtomicReferenceArray<>(MAX_L + 1);

    private WignerD() {
    }

    /** {@code D^l(alpha, beta, gamma) = D^l(Ry(alpha) Rx(beta) Ry(gamma))}, a new {@code (2l+1) x (2l+1)} matrix. */
    public static double[][] of(int l, double alpha, double beta, double gamma) {
        requireDegree("WignerD.of", l);
        double[][] a = changeOfAxes(l);
        int n = 2 * l + 1;
        // M = Y(beta) A, then D = Y(alpha) (A^T M) Y(gamma); the Y products touch two entries per row or column.
        double[][] yBetaA = rotateRowsAboutY(l, beta, a);
        double[][] d = new double[n][n];
        for (int k = 0; k < n; k++) {
            double[] ak = a[k];
            double[] mk = yBetaA[k];
            for (int i = 0; i < n; i++) {
                double aki = ak[i];
                double[] di = d[i];
                for (int j = 0; j < n; j++) {
                    di[j] += aki * mk[j];
                }
            }
        }
        return rotateColumnsAboutY(l, gamma, rotateRowsAboutY(l, alpha, d));
    }

    /** {@code D^l} of a rotation matrix (determinant 1), through {@link Rotations#matrixToAngles}. */
    public static double[][] of(int l, double[][] rotation) {
        double[] angles = Rotations.matrixToAngles(rotation);
        return of(l, angles[0], angles[1], angles[2]);
    }

    /** {@code D^l} of the rotation by {@code angle} about y: {@code exp(angle Ly)}, e3nn's {@code _z_rot_mat}. */
    public static double[][] aboutY(int l, double angle) {
        requireDegree("WignerD.aboutY", l);
        return rotateRowsAboutY(l, angle, identity(2 * l + 1));
    }

    /** {@code D^l} of the rotation by {@code angle} about x: {@code exp(angle Lx) = A^T Y(angle) A}. */
    public static double[][] aboutX(int l, double angle) {
        return of(l, 0, angle, 0);
    }

    /** {@code Y(t) M}: row {@code m} of {@code M} becomes {@code cos(m t) row(m) - sin(m t) row(-m)}. */
    private static double[][] rotateRowsAboutY(int l, double angle, double[][] matrix) {
        int n = 2 * l + 1;
        double[][] out = new double[n][];
        out[l] = matrix[l].clone();
        for (int m = 1; m <= l; m++) {
            double c = Math.cos(m * angle);
            double s = Math.sin(m * angle);
            double[] plus = matrix[l + m];
            double[] minus = matrix[l - m];
            double[] outPlus = new double[n];
            double[] outMinus = new double[n];
            for (int j = 0; j < n; j++) {
                outPlus[j] = c * plus[j] - s * minus[j];
                outMinus[j] = c * minus[j] + s * plus[j];
            }
            out[l + m] = outPlus;
            out[l - m] = outMinus;
        }
        return out;
    }

    /** {@code M Y(t)}, in place: column {@code m} of {@code M} becomes {@code cos(m t) col(m) + sin(m t) col(-m)}. */
    private static double[][] rotateColumnsAboutY(int l, double angle, double[][] matrix) {
        double[] cos = new double[l + 1];
        double[] sin = new double[l + 1];
        for (int m = 0; m <= l; m++) {
            cos[m] = Math.cos(m * angle);
            sin[m] = Math.sin(m * angle);
        }
        return rotateColumnsAboutY(l, cos, sin, matrix);
    }

    /** {@code M Y(t)} in place, given {@code cos[m] = cos(m t)} and {@code sin[m] = sin(m t)}. */
    private static double[][] rotateColumnsAboutY(int l, double[] cos, double[] sin, double[][] matrix) {
        for (int m = 1; m <= l; m++) {
            double c = cos[m];
            double s = sin[m];
            for (double[] row : matrix) {
                double plus = row[l + m];
                double minus = row[l - m];
                row[l + m] = c * plus + s * minus;
                row[l - m] = c * minus - s * plus;
            }
        }
        return matrix;
    }

    /** The cached {@code A = X(pi/2) Y(pi/2)} with {@code X(b) = A^T Y(b) A}. */
    private static double[][] changeOfAxes(int l) {
        double[][] a = CHANGE_OF_AXES.get(l);
        if (a == null) {
            a = rotateColumnsAboutY(l, quarterTurnCosines(l), quarterTurnSines(l), aboutXQuarterTurn(l));
            CHANGE_OF_AXES.compareAndSet(l, null, a);
            a = CHANGE_OF_AXES.get(l);
        }
        return a;
    }

    /** {@code cos(m pi/2)} for {@code m = 0..l}, exactly 0 or ±1 (Math.cos(pi/2) would leave 6e-17). */
    private static double[] quarterTurnCosines(int l) {
        double[] cos = new double[l + 1];
        for (int m = 0; m <= l; m++) {
            cos[m] = switch (m % 4) {
                case 0 -> 1;
                case 2 -> -1;
                default -> 0;
            };
        }
        return cos;
    }

    /** {@code sin(m pi/2)} for {@code m = 0..l}, exactly 0 or ±1. */
    private static double[] quarterTurnSines(int l) {
        double[] sin = new double[l + 1];
        for (int m = 0; m <= l; m++) {
            sin[m] = switch (m % 4) {
                case 1 -> 1;
                case 3 -> -1;
                default -> 0;
            };
        }
        return sin;
    }

    /**
     * {@code X(pi/2) = Re(Q^H d(pi/2) Q)}. Without its global phase {@code (-i)^l}, which cancels here, e3nn's
     * {@code Q[l+m][l+|m|]} and {@code Q[l+m][l-|m|]} are {@code 1/sqrt2, -i/sqrt2} for {@code m < 0},
     * {@code (-1)^m/sqrt2, i(-1)^m/sqrt2} for {@code m > 0}, and {@code Q[l][l] = 1}; so {@code Q = Qr + i Qi} with
     * real {@code Qr, Qi} and the real part is {@code Qr^T d Qr + Qi^T d Qi}.
     */
    private static double[][] aboutXQuarterTurn(int l) {
        int n = 2 * l + 1;
        double[][] qr = new double[n][n];
        double[][] qi = new double[n][n];
        double h = Math.sqrt(0.5);
        qr[l][l] = 1;
        for (int m = 1; m <= l; m++) {
            double sign = m % 2 == 0 ? 1 : -1;
            qr[l - m][l + m] = h;
            qi[l - m][l - m] = -h;
            qr[l + m][l + m] = sign * h;
            qi[l + m][l - m] = sign * h;
        }
        double[][] d = smallDRightAngle(l);
        double[][] real = Rotations.matmul(Rotations.transpose(qr), Rotations.matmul(d, qr));
        double[][] imag = Rotations.matmul(Rotations.transpose(qi), Rotations.matmul(d, qi));
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                real[i][j] += imag[i][j];
            }
        }
        return real;
    }

    /**
     * Wigner's small {@code d^l(pi/2)[m'][m] = <l m'| exp(-i (pi/2) J_y) |l m>} (the complex basis of e3nn's
     * {@code su2_generators}, where {@code exp(beta X_0)} is this {@code d(beta)}).
     */
    private static double[][] smallDRightAngle(int l) {
        int n = 2 * l + 1;
        double[][] d = new double[n][n];
        double scale = Math.scalb(1.0, -l);
        for (int mp = -l; mp <= l; mp++) {
            for (int m = -l; m <= l; m++) {
                long sum = 0;
                for (int k = Math.max(0, m - mp); k <= Math.min(l + m, l - mp); k++) {
                    long term = BINOMIAL[l + m][k] * BINOMIAL[l - m][l - mp - k];
                    sum += (k % 2 == 0) ? term : -term;
                }
                double sign = ((mp - m) % 2 == 0) ? 1 : -1;
                double ratio = (double) BINOMIAL[2 * l][l + m] / (double) BINOMIAL[2 * l][l + mp];
                d[mp + l][m + l] = sign * scale * Math.sqrt(ratio) * sum;
            }
        }
        return d;
    }

    private static void requireDegree(String where, int l) {
        if (l < 0 || l > MAX_L) {
            throw new IllegalArgumentException(where + ": l must be in [0, " + MAX_L + "], got " + l);
        }
    }

    private static long[][] pascalTriangle(int maxN) {
        long[][] c = new long[maxN + 1][];
        for (int n = 0; n <= maxN; n++) {
            c[n] = new long[n + 1];
            c[n][0] = 1;
            c[n][n] = 1;
            for (int k = 1; k < n; k++) {
                c[n][k] = c[n - 1][k - 1] + c[n - 1][k];
            }
        }
        return c;
    }

    private static double[][] identity(int n) {
        double[][] id = new double[n][n];
        for (int i = 0; i < n; i++) {
            id[i][i] = 1;
        }
        return id;
    }
}
