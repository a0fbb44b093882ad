package dev.e3j.spark;

import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.io.StateDict;
import dev.e3j.runtime.model.PointsModel;

/**
 * A small {@link PointsModel} for the tests, built from a state dict holding its {@code radius}: per graph, the
 * scalar {@code sum over pairs i != j closer than the radius of z_i z_j (1 - r/radius)^2} and the vector
 * {@code sum_i z_i (pos_i - centroid)}, where {@code z} is one scalar attribute per node.
 */
public final class CentroidPointsModel implements PointsModel {

    private final double radius;

    /** The model whose radius is {@code weights}' scalar tensor {@code radius}. */
    public CentroidPointsModel(StateDict weights) {
        this.radius = weights.doubles("radius")[0];
    }

    @Override
    public Irreps irrepsIn() {
        return Irreps.parse("1x0e");
    }

    @Override
    public Irreps irrepsNodeAttr() {
        return Irreps.parse("1x0e");
    }

    @Override
    public Irreps irrepsOut() {
        return Irreps.parse("1x0e + 1x1o");
    }

    @Override
    public boolean hasNodeInput() {
        return false;
    }

    @Override
    public boolean hasNodeAttributes() {
        return true;
    }

    @Override
    public boolean reduceOutput() {
        return true;
    }

    @Override
    public double[] forward(int numNodes, double[] pos, int[] batch, double[] x, double[] z) {
        if (pos.length != 3 * numNodes || batch.length != numNodes || z == null || z.length != numNodes) {
            throw new IllegalArgumentException("pos, batch and z must hold " + numNodes + " nodes");
        }
        int graphs = batch[numNodes - 1] + 1;
        double[] out = new double[4 * graphs];
        int start = 0;
        while (start < numNodes) {
            int g = batch[start];
            int end = start;
            while (end < numNodes && batch[end] == g) {
                end++;
            }
            double[] centroid = new double[3];
            for (int i = start; i < end; i++) {
                for (int c = 0; c < 3; c++) {
                    centroid[c] += pos[3 * i + c] / (end - start);
                }
            }
            for (int i = start; i < end; i++) {
                for (int j = start; j < end; j++) {
                    double dx = pos[3 * j] - pos[3 * i];
                    double dy = pos[3 * j + 1] - pos[3 * i + 1];
                    double dz = pos[3 * j + 2] - pos[3 * i + 2];
                    double r = Math.sqrt(dx * dx + dy * dy + dz * dz);
                    if (i != j && r < radius) {
                        out[4 * g] += z[i] * z[j] * (1 - r / radius) * (1 - r / radius);
                    }
                }
                for (int c = 0; c < 3; c++) {
                    out[4 * g + 1 + c] += z[i] * (pos[3 * i + c] - centroid[c]);
                }
            }
            start = end;
        }
        return out;
    }

    /** Not used by the Spark evaluator, which calls forward only. */
    @Override
    public void backward(int numNodes, double[] pos, int[] batch, double[] x, double[] z, double[] gradOut,
                         double[] gradPos, double[] gradX, double[] gradZ) {
        throw new UnsupportedOperationException("CentroidPointsModel has no backward pass");
    }
}
