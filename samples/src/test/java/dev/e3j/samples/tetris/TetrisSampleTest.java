package dev.e3j.samples.tetris;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

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
}
