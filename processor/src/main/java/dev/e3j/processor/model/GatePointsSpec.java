package dev.e3j.processor.model;

import dev.e3j.annotations.CgConvention;
import dev.e3j.annotations.Layout;
import dev.e3j.annotations.Precision;

/**
 * The values of one {@code @GatePointsNetwork}, as written, free of javac types: e3nn's
 * {@code gate_points_2101.Network} constructor arguments in camelCase ({@code ""} is e3nn's {@code None}), and the
 * precision, Wigner 3j signs and feature layout of every generated kernel.
 */
public record GatePointsSpec(String irrepsIn, String irrepsHidden, String irrepsOut, String irrepsNodeAttr,
                             String irrepsEdgeAttr, int layers, double maxRadius, int numberOfBasis,
                             int radialLayers, int radialNeurons, double numNeighbors, double numNodes,
                             boolean reduceOutput, Precision precision, CgConvention cgConvention,
                             Layout layout) {
}
