package dev.e3j.runtime.o3;

import static dev.e3j.runtime.MatrixAssertions.assertMatrixEquals;
import static dev.e3j.runtime.MatrixAssertions.assertOrthogonal;
import static dev.e3j.runtime.MatrixAssertions.assertVectorEquals;
import static dev.e3j.runtime.MatrixAssertions.identity;
import static dev.e3j.runtime.o3.Rotations.matmul;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RotationsTest {

    private static final double TOLERANCE = 1e-12;

    @Test
    void elementaryRotationsAreRightHanded() {
        double t = 0.4;
        double c = Math.cos(t);
        double s = Math.sin(t);
        // About x, y turns towards z; about y, z turns towards x; about z, x turns towards y.
        assertVectorEquals(new double[] {0, c, s}, Rotations.apply(Rotations.matrixX(t), new double[] {0, 1, 0}),
                0, "Rx e_y");
        assertVectorEquals(new double[] {s, 0, c}, Rotations.apply(Rotations.matrixY(t), new double[] {0, 0, 1}),
                0, "Ry e_z");
        assertVectorEquals(new double[] {c, s, 0}, Rotations.apply(Rotations.matrixZ(t), new double[] {1, 0, 0}),
                0, "Rz e_x");
        assertMatrixEquals(matmul(matmul(Rotations.matrixY(0.1), Rotations.matrixX(0.2)), Rotations.matrixY(0.3)),
                Rotations.anglesToMatrix(0.1, 0.2, 0.3), 0, "Ry Rx Ry");
    }

    @Test
    void randomRotationsAreProperAndOrthogonal() {
        SplittableRandom rng = new SplittableRandom(2);
        for (int trial = 0; trial < 1000; trial++) {
            double[][] r = Rotations.randomMatrix(rng);
            assertOrthogonal(r, 1e-14, "random matrix");
            assertEquals(1, Rotations.determinant(r), 1e-14);
            double[] q = Rotations.randomQuaternion(rng);
            assertEquals(1, Math.sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]), 1e-14);
            double[] a = Rotations.randomAngles(rng);
            assertTrue(a[0] >= 0 && a[0] < 2 * Math.PI && a[1] >= 0 && a[1] <= Math.PI
                    && a[2] >= 0 && a[2] < 2 * Math.PI, "angle ranges");
        }
    }

    /** Haar: E[R] = 0 and E[R_ij^2] = 1/3 (uniform beta instead of acos(u) would give E[R_yy^2] = 1/2). */
    @Test
    void randomRotationsLookHaarUniform() {
        SplittableRandom rng = new SplittableRandom(3);
        int samples = 20000;
        double[][] mean = new double[3][3];
        double[][] meanSquare = new double[3][3];
        for (int n = 0; n < samples; n++) {
            double[][] r = Rotations.randomMatrix(rng);
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    mean[i][j] += r[i][j] / samples;
                    meanSquare[i][j] += r[i][j] * r[i][j] / samples;
                }
            }
        }
        // Standard error of each mean is about sqrt(1/3 / 20000) = 0.004 (0.0021 for the squares); allow ~5 of them.
        assertMatrixEquals(new double[3][3], mean, 0.02, "mean of R");
        double third = 1.0 / 3;
        assertMatrixEquals(new double[][] {{third, third, third}, {third, third, third}, {third, third, third}},
                meanSquare, 0.01, "mean of R^2");
    }

    @Test
    void anglesRoundTripWithE3nnBranches() {
        SplittableRandom rng = new SplittableRandom(4);
        for (int trial = 0; trial < 1000; trial++) {
            double alpha = Math.PI * (2 * rng.nextDouble() - 1);
            double beta = Math.PI * rng.nextDouble();
            double gamma = Math.PI * (2 * rng.nextDouble() - 1);
            double[][] r = Rotations.anglesToMatrix(alpha, beta, gamma);
            assertVectorEquals(new double[] {alpha, beta, gamma}, Rotations.matrixToAngles(r), 1e-9,
                    "angles of R(" + alpha + ", " + beta + ", " + gamma + ")");
            double[] back = Rotations.matrixToAngles(r);
            assertMatrixEquals(r, Rotations.anglesToMatrix(back[0], back[1], back[2]), TOLERANCE, "R of its angles");
        }
        assertVectorEquals(new double[] {0, 0, 0}, Rotations.matrixToAngles(identity(3)), 0, "identity");
    }

    @Test
    void directionsRoundTrip() {
        SplittableRandom rng = new SplittableRandom(5);
        for (int trial = 0; trial < 1000; trial++) {
            double[] a = Rotations.randomAngles(rng);
            double[] xyz = Rotations.anglesToXyz(a[0], a[1]);
            assertVectorEquals(Rotations.apply(Rotations.anglesToMatrix(a[0], a[1], 0), new double[] {0, 1, 0}), xyz,
                    1e-15, "R(alpha, beta, 0) e_y");
            double scale = 0.1 + 10 * rng.nextDouble();
            double[] angles = Rotations.xyzToAngles(scale * xyz[0], scale * xyz[1], scale * xyz[2]);
            assertVectorEquals(xyz, Rotations.anglesToXyz(angles[0], angles[1]), TOLERANCE, "direction");
        }
        assertVectorEquals(new double[] {0, Math.PI / 2}, Rotations.xyzToAngles(0, 0, 0), 0, "zero vector");
        assertVectorEquals(new double[] {0, 0}, Rotations.xyzToAngles(0, 3, 0), 0, "north pole");
        assertVectorEquals(new double[] {Math.PI / 2, Math.PI / 2}, Rotations.xyzToAngles(2, 0, 0), 1e-15, "x axis");
    }

    @Test
    void quaternionsAgreeWithMatricesAndAngles() {
        SplittableRandom rng = new SplittableRandom(6);
        for (int trial = 0; trial < 1000; trial++) {
            double[] a = Rotations.randomAngles(rng);
            double[] q = Rotations.anglesToQuaternion(a[0], a[1], a[2]);
            double[][] r = Rotations.anglesToMatrix(a[0], a[1], a[2]);
            assertMatrixEquals(r, Rotations.quaternionToMatrix(q), TOLERANCE, "R(q(angles))");
            double[] fromMatrix = Rotations.matrixToQuaternion(r);
            double sign = Math.signum(q[0]);
            assertVectorEquals(new double[] {sign * q[0], sign * q[1], sign * q[2], sign * q[3]}, fromMatrix,
                    TOLERANCE, "q(R) with w >= 0");
            double[] angles = Rotations.quaternionToAngles(q);
            assertMatrixEquals(r, Rotations.anglesToMatrix(angles[0], angles[1], angles[2]), TOLERANCE,
                    "angles(q)");
            double[] q2 = Rotations.randomQuaternion(rng);
            assertMatrixEquals(matmul(Rotations.quaternionToMatrix(q), Rotations.quaternionToMatrix(q2)),
                    Rotations.quaternionToMatrix(Rotations.composeQuaternions(q, q2)), TOLERANCE, "q1 q2");
        }
        assertVectorEquals(new double[] {1, 0, 0, 0}, Rotations.matrixToQuaternion(identity(3)), 0, "identity");
    }

    @Test
    void axisAngleAgreesWithMatrices() {
        SplittableRandom rng = new SplittableRandom(7);
        assertMatrixEquals(Rotations.matrixX(0.7), Rotations.axisAngleToMatrix(new double[] {2, 0, 0}, 0.7), 1e-16,
                "about x");
        assertMatrixEquals(Rotations.matrixY(0.7), Rotations.axisAngleToMatrix(new double[] {0, 1, 0}, 0.7), 1e-16,
                "about y");
        assertMatrixEquals(Rotations.matrixZ(0.7), Rotations.axisAngleToMatrix(new double[] {0, 0, 5}, 0.7), 1e-16,
                "about z");
        for (int trial = 0; trial < 1000; trial++) {
            double[] axis = Rotations.anglesToXyz(2 * Math.PI * rng.nextDouble(), Math.acos(2 * rng.nextDouble() - 1));
            double angle = Math.PI * rng.nextDouble();
            double[][] r = Rotations.axisAngleToMatrix(axis, angle);
            assertOrthogonal(r, 1e-14, "axis-angle matrix");
            assertVectorEquals(axis, Rotations.apply(r, axis), 1e-15, "the axis is fixed");
            assertVectorEquals(new double[] {axis[0], axis[1], axis[2], angle}, Rotations.matrixToAxisAngle(r),
                    TOLERANCE, "axis-angle of R");
        }
        assertVectorEquals(new double[] {0, 0, 0, 0}, Rotations.matrixToAxisAngle(identity(3)), 0, "identity");
    }

    /** Near a half turn the antisymmetric part of R vanishes; the axis must still come out to full precision. */
    @Test
    void axisAngleIsAccurateNearAHalfTurn() {
        double[] axis = {0.36, -0.48, 0.8};
        for (double angle : new double[] {Math.PI - 1e-9, Math.PI}) {
            double[] result = Rotations.matrixToAxisAngle(Rotations.axisAngleToMatrix(axis, angle));
            assertVectorEquals(new double[] {axis[0], axis[1], axis[2], angle}, result, TOLERANCE,
                    "angle " + angle);
        }
        // Exact half turns (w = 0): the axis whose first nonzero component is positive.
        double[] halfTurnAboutX = Rotations.matrixToAxisAngle(new double[][] {{1, 0, 0}, {0, -1, 0}, {0, 0, -1}});
        assertVectorEquals(new double[] {1, 0, 0, Math.PI}, halfTurnAboutX, 0, "half turn about x");
        double[] halfTurnAboutY = Rotations.matrixToAxisAngle(new double[][] {{-1, 0, 0}, {0, 1, 0}, {0, 0, -1}});
        assertVectorEquals(new double[] {0, 1, 0, Math.PI}, halfTurnAboutY, 0, "half turn about y");
        double[] halfTurnAboutXMinusY = Rotations.matrixToAxisAngle(
                new double[][] {{0, -1, 0}, {-1, 0, 0}, {0, 0, -1}});
        double h = Math.sqrt(0.5);
        assertVectorEquals(new double[] {h, -h, 0, Math.PI}, halfTurnAboutXMinusY, 1e-15, "sign of the axis");
    }

    @Test
    void matrixHelpers() {
        double[][] a = {{1, 2, 3}, {4, 5, 6}};
        double[][] b = {{1, 0}, {0, 1}, {1, 1}};
        assertMatrixEquals(new double[][] {{4, 5}, {10, 11}}, matmul(a, b), 0, "matmul");
        assertMatrixEquals(new double[][] {{1, 4}, {2, 5}, {3, 6}}, Rotations.transpose(a), 0, "transpose");
        assertVectorEquals(new double[] {14, 32}, Rotations.apply(a, new double[] {1, 2, 3}), 0, "apply");
        assertEquals(-1, Rotations.determinant(new double[][] {{0, 1, 0}, {1, 0, 0}, {0, 0, 1}}));
        IllegalArgumentException mismatch = assertThrows(IllegalArgumentException.class, () -> matmul(a, a));
        assertTrue(mismatch.getMessage().contains("b.length = 2 entries, got 3"), mismatch.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Rotations.apply(a, new double[] {1, 2}));
    }

    @Test
    void rejectsBadArguments() {
        IllegalArgumentException reflection = assertThrows(IllegalArgumentException.class,
                () -> Rotations.matrixToAngles(new double[][] {{-1, 0, 0}, {0, 1, 0}, {0, 0, 1}}));
        assertEquals("Rotations.matrixToAngles: r must be a rotation (determinant 1), got determinant -1.0",
                reflection.getMessage());
        IllegalArgumentException rows = assertThrows(IllegalArgumentException.class,
                () -> Rotations.matrixToQuaternion(new double[2][3]));
        assertEquals("Rotations.matrixToQuaternion: r must have 3 rows, got 2", rows.getMessage());
        IllegalArgumentException row = assertThrows(IllegalArgumentException.class,
                () -> Rotations.matrixToAxisAngle(new double[][] {{1, 0, 0}, {0, 1}, {0, 0, 1}}));
        assertTrue(row.getMessage().contains("r row 1 must have 3 entries, got 2"), row.getMessage());
        IllegalArgumentException quaternion = assertThrows(IllegalArgumentException.class,
                () -> Rotations.quaternionToMatrix(new double[] {1, 0, 0}));
        assertEquals("Rotations.quaternionToMatrix: q must have 4 entries, got 3", quaternion.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Rotations.quaternionToMatrix(new double[4]));
        IllegalArgumentException axis = assertThrows(IllegalArgumentException.class,
                () -> Rotations.axisAngleToMatrix(new double[3], 1));
        assertTrue(axis.getMessage().contains("axis must be nonzero"), axis.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Rotations.randomAngles(null));
    }
}
