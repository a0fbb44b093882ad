package dev.e3j.samples.tetris;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A short run of the tetris sample: the loss falls and the trained network stays equivariant. */
class TetrisSampleTest {

    @Test
    void shortTrainingLowersTheLossAndKeepsEquivariance() {
        TetrisSample sample = new TetrisSample(TetrisSample.SEED);
        double[] losses = sample.train(40, null);
        double first = losses[0];
        double last = losses[losses.length - 1];
        assertTrue(last < 0.5 * first, "loss " + first + " -> " + last);

        List<TetrisSample.ShapeReport> reports = sample.evaluate(5, new Random(1));
        assertEquals(Tetromino.values().length, reports.size());
        for (TetrisSample.ShapeReport report : reports) {
            assertTrue(report.equivarianceError() < 1e-10, report.shape() + ": " + report.equivarianceError());
        }
        double nodeError = sample.nodeEquivarianceError(new Random(2));
        assertTrue(nodeError < 1e-10, "per-node equivariance error " + nodeError);
    }

    /** {@link TetrisModel}'s {@code numNeighbors} is e3nn's value for the training shapes, as e3nn's example computes it. */
    @Test
    void numNeighborsIsTheTrainingShapesMean() {
        List<double[]> poses = new java.util.ArrayList<>();
        for (Tetromino shape : Tetromino.values()) {
            poses.add(shape.positions());
        }
        assertEquals(47.0 / 16, TetrisNetwork.meanNeighbors(poses));
        assertTrue(new TetrisModelImpl(new TetrisNetwork().initialParameters(new Random(0))).reduceOutput());
    }

    @Test
    void theChiralPairAreMirrorImagesWithOppositeTargets() {
        double[] a = Tetromino.CHIRAL_A.positions();
        double[] b = Tetromino.CHIRAL_B.positions();
        for (int p = 0; p < Tetromino.POINTS; p++) {
            assertEquals(a[3 * p], b[3 * p]);
            assertEquals(0.0, a[3 * p + 1] + b[3 * p + 1], "y -> -y");
            assertEquals(a[3 * p + 2], b[3 * p + 2]);
        }
        assertEquals(1.0, Tetromino.CHIRAL_A.target()[0]);
        assertEquals(-1.0, Tetromino.CHIRAL_B.target()[0]);
        assertEquals(Tetromino.CHIRAL_B, Tetromino.CHIRAL_A.mirrorImage());
        assertEquals(Tetromino.LINE, Tetromino.LINE.mirrorImage());
    }

    private record Run(int status, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = TetrisSample.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpAndBadCommandLines() {
        Run help = run("--help");
        assertEquals(0, help.status());
        assertEquals(TetrisOptions.USAGE, help.out());
        assertEquals("", help.err());
        Run bad = run("--steps", "many");
        assertEquals(TetrisSample.USAGE_ERROR, bad.status());
        assertEquals("", bad.out());
        assertEquals(List.of("e3j-tetris: --steps must be an integer from 1 to 1000000, got 'many' (see --help)"),
                bad.err().lines().toList());
    }

    @Test
    void aShortRunWritesTheLossCurveAndSaysWhere(@TempDir Path directory) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Run run = run("--steps", "3", "--seed", "3", "--out", directory.toString());
        assertEquals(0, run.status(), run.out() + run.err());
        assertEquals("", run.err());
        assertTrue(run.out().contains("seed 3"), run.out());
        Path csv = directory.resolve(LossCurve.CSV).toAbsolutePath();
        Path png = directory.resolve(LossCurve.PNG).toAbsolutePath();
        assertTrue(run.out().contains("loss curve: " + csv + " and " + png), run.out());
        assertEquals(1 + 3, Files.readAllLines(csv).size());
        assertTrue(Files.size(png) > 0);
    }
}
