package dev.e3j.samples.tetris;

import dev.e3j.annotations.GatePointsNetwork;
import dev.e3j.runtime.model.PointsModel;

/**
 * The tetris network, declared the way a user declares an e3nn model: e3nn's {@code gate_points_2101.Network} with
 * the arguments of e3nn's tetris example. e3j derives every layer from them and generates {@code TetrisModelImpl}:
 * <pre>
 *   layer 0: 1x0e                      -> conv -> 24x0e+8x1o+8x2e           -> gate -> 8x0e+8x1o+8x2e
 *   layer 1: 8x0e+8x1o+8x2e            -> conv -> 40x0e+8x1o+8x1e+8x2o+8x2e -> gate -> 8x0e+8x1o+8x1e+8x2o+8x2e
 *   layer 2: 8x0e+8x1o+8x1e+8x2o+8x2e  -> conv -> 1x0o+6x0e
 * </pre>
 * The pseudoscalar {@code 0o} first appears in the last layer, from {@code 1e x 1o} and {@code 2o x 2e}; the first
 * gated layer keeps only the hidden irreps that {@code 0e x (0e+1o+2e)} reaches. {@code numNeighbors} is the mean
 * number of neighbours of the eight training shapes ({@link TetrisNetwork#meanNeighbors}: 47 / 16).
 */
@GatePointsNetwork(irrepsHidden = "8x0e+8x1o+8x1e+8x2o+8x2e", irrepsOut = "1x0o+6x0e", irrepsEdgeAttr = "0e+1o+2e",
        layers = 2, maxRadius = 2.5, numberOfBasis = 10, radialLayers = 1, radialNeurons = 16,
        numNeighbors = 2.9375, numNodes = 4)
public interface TetrisModel extends PointsModel {
}
