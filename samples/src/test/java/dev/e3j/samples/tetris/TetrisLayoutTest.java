package dev.e3j.samples.tetris;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.annotations.GatePointsNetwork;
import dev.e3j.annotations.Layout;
import dev.e3j.runtime.model.GatePoints;
import dev.e3j.runtime.model.PointsModel;
import dev.e3j.testsupport.Closeness;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link TetrisModel} with channel-last hidden features computes what the sample's network computes: outputs, node
 * outputs, d/dpos and the parameter gradient of training, to 1e-12 relative, on every shape, jittered.
 */
class TetrisLayoutTest {

    /** {@link TetrisModel}'s arguments with {@code layout = IR_MUL}. */
    @GatePointsNetwork(irrepsHidden = "8x0e+8x1o+8x1e+8x2o+8x2e", irrepsOut = "1x0o+6x0e", irrepsEdgeAttr = "0e+1o+2e",
            layers = 2, maxRadius = 2.5, numberOfBasis = 10, radialLayers = 1, radialNeurons = 16,
            numNeighbors = 2.9375, numNodes = 4, layout = Layout.IR_MUL)
    interface TetrisModelIrMul extends PointsModel {
    }

    @Test
    void channelLastNetworkEqualsTheSamplesNetwork() {
        GatePoints mulIr = TetrisModelImpl.architecture(Map.of());
        GatePoints irMul = TetrisLayoutTest_TetrisModelIrMulImpl.architecture(Map.of());
        assertTrue(irMul.channelLast());
        Random random = new Random(6);
        double[] params = new TetrisNetwork().initialParameters(random);
        List<double[]> clouds = new ArrayList<>();
        for (Tetromino shape : Tetromino.values()) {
            clouds.add(shape.positions());
        }
        int numNodes = clouds.size() * Tetromino.POINTS;
        double[] pos = new double[3 * numNodes];
        int[] batch = new int[numNodes];
        for (int c = 0; c < clouds.size(); c++) {
            System.arraycopy(clouds.get(c), 0, pos, 3 * c * Tetromino.POINTS, 3 * Tetromino.POINTS);
            Arrays.fill(batch, c * Tetromino.POINTS, (c + 1) * Tetromino.POINTS, c);
        }
        for (int i = 0; i < pos.length; i++) {
            pos[i] += 0.1 * random.nextGaussian();
        }
        assertClose("outputs", mulIr.forward(numNodes, pos, batch, null, null, params),
                irMul.forward(numNodes, pos, batch, null, null, params));
        assertClose("node outputs", mulIr.nodeOutputs(numNodes, pos, batch, null, null, params),
                irMul.nodeOutputs(numNodes, pos, batch, null, null, params));
        double[] gradOut = new double[clouds.size() * TetrisNetwork.IRREPS_OUT.dim()];
        for (int i = 0; i < gradOut.length; i++) {
            gradOut[i] = random.nextGaussian();
        }
        double[][] expected = {new double[pos.length], new double[params.length]};
        mulIr.backward(numNodes, pos, batch, null, null, params, gradOut, expected[0], null, null, expected[1]);
        double[][] actual = {new double[pos.length], new double[params.length]};
        irMul.backward(numNodes, pos, batch, null, null, params, gradOut, actual[0], null, null, actual[1]);
        assertClose("d/dpos", expected[0], actual[0]);
        assertClose("d/dparams", expected[1], actual[1]);
    }

    /** Equal to 1e-12 of the largest expected value, which must not be zero. */
    private static void assertClose(String what, double[] expected, double[] actual) {
        Closeness.assertCloseToScale(what, expected, actual, 1e-12);
    }
}
