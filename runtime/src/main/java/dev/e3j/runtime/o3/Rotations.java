package dev.e3j.runtime.o3;

import dev.e3j.runtime.internal.Checks;
import java.util.random.RandomGenerator;

/**
 * Rotations of 3-space in e3nn's conventions ({@code e3nn/o3/_rotation.py}): active rotations acting on column
 * vectors ({@code x' = R x}), {@code y} is the polar axis, and Euler angles are Y-X-Y:
 * {@code R(alpha, beta, gamma) = Ry(alpha) Rx(beta) Ry(gamma)}. Quaternions are {@code {w, x, y, z}} with
 * {@code q = (cos(theta/2), n sin(theta/2))} for a rotation by {@code theta} about the unit axis {@code n}, composed
 * by the Hamilton product. Axis-angle pairs are {@code {x, y, z, angle}} with a unit axis.
 *
 * <p>Matrices are {@code double[3][3]}, row-major ({@code r[row][column]}). Every method returns fresh arrays.
 */
public final class Rotations {

    /** Slack on {@code det R = 1}, as loose as e3nn's {@code torch.allclose} check. */
    private static final double DETERMINANT_TOLERANCE = 1e-5;

    /** Floor on a norm before dividing, as {@code torch.nn.functional.normalize} (its {@code eps}). */
    private static final double NORMALIZE_EPS = 1e-12;

    private Rotations() {
    }

    /** Rotation by {@code angle} about x: {@code [[1,0,0],[0,c,-s],[0,s,c]]}. */
    public static double[][] matrixX(double angle) {
        double c = Math.cos(angle);
        double s = Math.sin(angle);
        return new double[][] {{1, 0, 0}, {0, c, -s}, {0, s, c}};
    }

    /** Rotation by {@code angle} about y: {@code [[c,0,s],[0,1,0],[-s,0,c]]}. */
    public static double[][] matrixY(double angle) {
        double c = Math.cos(angle);
        double s = Math.sin(angle);
        return new double[][] {{c, 0, s}, {0, 1, 0}, {-s, 0, c}};
    }

    /** Rotation by {@code angle} about z: {@code [[c,-s,0],[s,c,0],[0,0,1]]}. */
    public static double[][] matrixZ(double angle) {
        double c = Math.cos(angle);
        double s = Math.sin(angle);
        return new double[][] {{c, -s, 0}, {s, c, 0}, {0, 0, 1}};
    }

    /** {@code Ry(alpha) Rx(beta) Ry(gamma)}, e3nn's {@code angles_to_matrix}. */
    public static double[][] anglesToMatrix(double alpha, double beta, double gamma) {
        return matmul(matmul(matrixY(alpha), matrixX(beta)), matrixY(gamma));
    }

    /**
     * Euler angles of a rotation with e3nn's branch choices ({@code matrix_to_angles}): {@code (alpha, beta)} are the
     * angles of {@code R e_y} (see {@link #xyzToAngles}), so {@code alpha} is in {@code [-pi, pi]} and {@code beta} in
     * {@code [0, pi]}; then {@code gamma = atan2(M[0][2], M[0][0])} with {@code M = R(alpha, beta, 0)^T R}.
     *
     * @throws IllegalArgumentException if {@code r} is not 3x3 or its determinant is not 1
     */
    public static double[] matrixToAngles(double[][] r) {
        requireRotation("Rotations.matrixToAngles", r, "r");
        double[] ab = xyzToAngles(r[0][1], r[1][1], r[2][1]);
        double[][] rest = matmul(transpose(anglesToMatrix(ab[0], ab[1], 0)), r);
        return new double[] {ab[0], ab[1], Math.atan2(rest[0][2], rest[0][0])};
    }

    /**
     * Angles of a direction, e3nn's {@code xyz_to_angles}: the vector is normalized (a zero vector stays zero, as in
     * {@code torch.nn.functional.normalize}), then {@code beta = acos(y)} and {@code alpha = atan2(x, z)}, so that
     * {@code anglesToXyz(alpha, beta)} is the unit vector.
     *
     * @return {@code {alpha, beta}}
     */
    public static double[] xyzToAngles(double x, double y, double z) {
        double norm = Math.max(Math.sqrt(x * x + y * y + z * z), NORMALIZE_EPS);
        double unitY = Math.max(-1, Math.min(1, y / norm));
        return new double[] {Math.atan2(x / norm, z / norm), Math.acos(unitY)};
    }

    /** The unit vector {@code (sin(beta) sin(alpha), cos(beta), sin(beta) cos(alpha)) = R(alpha, beta, 0) e_y}. */
    public static double[] anglesToXyz(double alpha, double beta) {
        double sinBeta = Math.sin(beta);
        return new double[] {sinBeta * Math.sin(alpha), Math.cos(beta), sinBeta * Math.cos(alpha)};
    }

    /** {@code q(alpha about y) * q(beta about x) * q(gamma about y)}, e3nn's {@code angles_to_quaternion}. */
    public static double[] anglesToQuaternion(double alpha, double beta, double gamma) {
        double[] qa = {Math.cos(alpha / 2), 0, Math.sin(alpha / 2), 0};
        double[] qb = {Math.cos(beta / 2), Math.sin(beta / 2), 0, 0};
        double[] qc = {Math.cos(gamma / 2), 0, Math.sin(gamma / 2), 0};
        return composeQuaternions(qa, composeQuaternions(qb, qc));
    }

    /** Euler angles of the rotation of {@code q}, e3nn's {@code quaternion_to_angles}. */
    public static double[] quaternionToAngles(double[] q) {
        return matrixToAngles(quaternionToMatrix(q));
    }

    /**
     * Hamilton product {@code q1 q2}: the rotation {@code q2} followed by {@code q1}, so that
     * {@code quaternionToMatrix(q1 q2) = quaternionToMatrix(q1) quaternionToMatrix(q2)}.
     */
    public static double[] composeQuaternions(double[] q1, double[] q2) {
        requireLength("Rotations.composeQuaternions", q1, 4, "q1");
        requireLength("Rotations.composeQuaternions", q2, 4, "q2");
        return new double[] {
            q1[0] * q2[0] - q1[1] * q2[1] - q1[2] * q2[2] - q1[3] * q2[3],
            q1[0] * q2[1] + q1[1] * q2[0] + q1[2] * q2[3] - q1[3] * q2[2],
            q1[0] * q2[2] - q1[1] * q2[3] + q1[2] * q2[0] + q1[3] * q2[1],
            q1[0] * q2[3] + q1[1] * q2[2] - q1[2] * q2[1] + q1[3] * q2[0],
        };
    }

    /**
     * Rotation matrix of a quaternion {@code {w, x, y, z}}, normalized first, e.g.
     * {@code R[0][1] = 2(xy - wz)}; equal to e3nn's {@code quaternion_to_matrix} for unit quaternions.
     *
     * @throws IllegalArgumentException if {@code q} does not have 4 entries or is zero
     */
    public static double[][] quaternionToMatrix(double[] q) {
        requireLength("Rotations.quaternionToMatrix", q, 4, "q");
        double norm = Math.sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
        if (!(norm > 0)) {
            throw new IllegalArgumentException("Rotations.quaternionToMatrix: q must be nonzero and finite, got norm "
                    + norm);
        }
        double w = q[0] / norm;
        double x = q[1] / norm;
        double y = q[2] / norm;
        double z = q[3] / norm;
        return new double[][] {
            {1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)},
            {2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)},
            {2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)},
        };
    }

    /**
     * Unit quaternion of a rotation with {@code w >= 0} (rotation angle in {@code [0, pi]}), as e3nn's
     * {@code matrix_to_quaternion}. Computed by Shepperd's method (from the largest of {@code w, x, y, z}), which
     * stays accurate near a half turn where e3nn's route through the antisymmetric part of {@code R} degenerates;
     * for a half turn the axis is the one whose first nonzero component is positive.
     *
     * @throws IllegalArgumentException if {@code r} is not 3x3 or its determinant is not 1
     */
    public static double[] matrixToQuaternion(double[][] r) {
        requireRotation("Rotations.matrixToQuaternion", r, "r");
        double trace = r[0][0] + r[1][1] + r[2][2];
        double[] q = new double[4];
        // 4 w^2 = 1 + tr, 4 x^2 = 1 + 2 r00 - tr, ...; divide the off-diagonal sums by the largest of them.
        if (trace >= r[0][0] && trace >= r[1][1] && trace >= r[2][2]) {
            double s = 2 * Math.sqrt(1 + trace);
            q[0] = s / 4;
            q[1] = (r[2][1] - r[1][2]) / s;
            q[2] = (r[0][2] - r[2][0]) / s;
            q[3] = (r[1][0] - r[0][1]) / s;
        } else if (r[0][0] >= r[1][1] && r[0][0] >= r[2][2]) {
            double s = 2 * Math.sqrt(1 + 2 * r[0][0] - trace);
            q[0] = (r[2][1] - r[1][2]) / s;
            q[1] = s / 4;
            q[2] = (r[0][1] + r[1][0]) / s;
            q[3] = (r[0][2] + r[2][0]) / s;
        } else if (r[1][1] >= r[2][2]) {
            double s = 2 * Math.sqrt(1 + 2 * r[1][1] - trace);
            q[0] = (r[0][2] - r[2][0]) / s;
            q[1] = (r[0][1] + r[1][0]) / s;
            q[2] = s / 4;
            q[3] = (r[1][2] + r[2][1]) / s;
        } else {
            double s = 2 * Math.sqrt(1 + 2 * r[2][2] - trace);
            q[0] = (r[1][0] - r[0][1]) / s;
            q[1] = (r[0][2] + r[2][0]) / s;
            q[2] = (r[1][2] + r[2][1]) / s;
            q[3] = s / 4;
        }
        if (q[0] < 0 || (q[0] == 0 && firstNonzero(q[1], q[2], q[3]) < 0)) {
            for (int i = 0; i < 4; i++) {
                q[i] = -q[i];
            }
        }
        double norm = Math.sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
        for (int i = 0; i < 4; i++) {
            q[i] /= norm;
        }
        return q;
    }

    private static double firstNonzero(double x, double y, double z) {
        return x != 0 ? x : (y != 0 ? y : z);
    }

    /**
     * Rotation by {@code angle} about {@code axis} (normalized first), Rodrigues' formula
     * {@code R = I + sin(t) K + (1 - cos(t)) K^2} with {@code K} the cross-product matrix of the unit axis; e3nn's
     * {@code axis_angle_to_matrix}.
     *
     * @throws IllegalArgumentException if {@code axis} does not have 3 entries or is zero
     */
    public static double[][] axisAngleToMatrix(double[] axis, double angle) {
        requireLength("Rotations.axisAngleToMatrix", axis, 3, "axis");
        double norm = Math.sqrt(axis[0] * axis[0] + axis[1] * axis[1] + axis[2] * axis[2]);
        if (!(norm > 0)) {
            throw new IllegalArgumentException("Rotations.axisAngleToMatrix: axis must be nonzero and finite, got norm "
                    + norm);
        }
        double x = axis[0] / norm;
        double y = axis[1] / norm;
        double z = axis[2] / norm;
        double s = Math.sin(angle);
        double t = 1 - Math.cos(angle);
        return new double[][] {
            {1 - t * (y * y + z * z), t * x * y - s * z, t * x * z + s * y},
            {t * x * y + s * z, 1 - t * (x * x + z * z), t * y * z - s * x},
            {t * x * z - s * y, t * y * z + s * x, 1 - t * (x * x + y * y)},
        };
    }

    /**
     * Axis and angle of a rotation, {@code {x, y, z, angle}} with {@code angle} in {@code [0, pi]}, as e3nn's
     * {@code matrix_to_axis_angle}; the identity gives the zero axis, as e3nn does. Taken from
     * {@link #matrixToQuaternion}, {@code angle = 2 atan2(|v|, w)}, which is accurate at every angle.
     *
     * @throws IllegalArgumentException if {@code r} is not 3x3 or its determinant is not 1
     */
    public static double[] matrixToAxisAngle(double[][] r) {
        double[] q = matrixToQuaternion(r);
        double sinHalf = Math.sqrt(q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
        double scale = Math.max(sinHalf, NORMALIZE_EPS);
        return new double[] {q[1] / scale, q[2] / scale, q[3] / scale, 2 * Math.atan2(sinHalf, q[0])};
    }

    /**
     * Haar-uniform random Euler angles, as e3nn's {@code rand_angles}: {@code alpha, gamma} uniform in
     * {@code [0, 2 pi)} and {@code beta = acos(u)} with {@code u} uniform in {@code [-1, 1)}.
     */
    public static double[] randomAngles(RandomGenerator rng) {
        if (rng == null) {
            throw new IllegalArgumentException("Rotations.randomAngles: rng must not be null");
        }
        double alpha = 2 * Math.PI * rng.nextDouble();
        double gamma = 2 * Math.PI * rng.nextDouble();
        double beta = Math.acos(2 * rng.nextDouble() - 1);
        return new double[] {alpha, beta, gamma};
    }

    /** A Haar-uniform random rotation matrix, e3nn's {@code rand_matrix}. */
    public static double[][] randomMatrix(RandomGenerator rng) {
        double[] angles = randomAngles(rng);
        return anglesToMatrix(angles[0], angles[1], angles[2]);
    }

    /** A Haar-uniform random unit quaternion, e3nn's {@code rand_quaternion} (its sign is not normalized). */
    public static double[] randomQuaternion(RandomGenerator rng) {
        double[] angles = randomAngles(rng);
        return anglesToQuaternion(angles[0], angles[1], angles[2]);
    }

    /** Matrix product {@code a b} of an {@code n x k} and a {@code k x m} matrix. */
    public static double[][] matmul(double[][] a, double[][] b) {
        int n = a.length;
        int k = b.length;
        int m = k == 0 ? 0 : b[0].length;
        for (double[] row : a) {
            if (row.length != k) {
                throw new IllegalArgumentException(
                        "Rotations.matmul: rows of a must have b.length = " + k + " entries, got " + row.length);
            }
        }
        double[][] out = new double[n][m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                double aij = a[i][j];
                if (aij == 0) {
                    continue;
                }
                double[] bj = b[j];
                double[] outI = out[i];
                for (int c = 0; c < m; c++) {
                    outI[c] += aij * bj[c];
                }
            }
        }
        return out;
    }

    /** Transpose of a rectangular matrix. */
    public static double[][] transpose(double[][] a) {
        int n = a.length;
        int m = n == 0 ? 0 : a[0].length;
        double[][] out = new double[m][n];
        for (int i = 0; i < n; i++) {
            if (a[i].length != m) {
                throw new IllegalArgumentException(
                        "Rotations.transpose: row " + i + " of a must have " + m + " entries, got " + a[i].length);
            }
            for (int j = 0; j < m; j++) {
                out[j][i] = a[i][j];
            }
        }
        return out;
    }

    /** Matrix-vector product {@code m v}. */
    public static double[] apply(double[][] m, double[] v) {
        double[] out = new double[m.length];
        for (int i = 0; i < m.length; i++) {
            if (m[i].length != v.length) {
                throw new IllegalArgumentException(
                        "Rotations.apply: rows of m must have v.length = " + v.length + " entries, got " + m[i].length);
            }
            double sum = 0;
            for (int j = 0; j < v.length; j++) {
                sum += m[i][j] * v[j];
            }
            out[i] = sum;
        }
        return out;
    }

    /** Determinant of a 3x3 matrix (cofactor expansion along the first row). */
    public static double determinant(double[][] r) {
        Checks.requireShape3x3("Rotations.determinant", r, "r");
        return r[0][0] * (r[1][1] * r[2][2] - r[1][2] * r[2][1])
                - r[0][1] * (r[1][0] * r[2][2] - r[1][2] * r[2][0])
                + r[0][2] * (r[1][0] * r[2][1] - r[1][1] * r[2][0]);
    }


    private static void requireRotation(String where, double[][] r, String name) {
        Checks.requireShape3x3(where, r, name);
        double det = determinant(r);
        if (!(Math.abs(det - 1) <= DETERMINANT_TOLERANCE)) {
            throw new IllegalArgumentException(where + ": " + name + " must be a rotation (determinant 1), got "
                    + "determinant " + det);
        }
    }

    private static void requireLength(String where, double[] v, int length, String name) {
        if (v == null || v.length != length) {
            throw new IllegalArgumentException(where + ": " + name + " must have " + length + " entries, got "
                    + (v == null ? "null" : v.length));
        }
    }
}
