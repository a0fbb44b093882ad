package dev.e3j.runtime.model;

import dev.e3j.runtime.Irreps;

/**
 * A whole network on batches of point clouds (e3nn's {@code gate_points_2101.Network} and the like): node positions,
 * the graph each node belongs to, optional node inputs and attributes in; per-graph or per-node features out.
 * Generated implementations ({@code @GatePointsNetwork}) load a PyTorch {@code state_dict} in their constructor and
 * are then immutable and thread-safe.
 *
 * <p>Arrays are row-major: {@code pos} is {@code [numNodes][3]}, {@code batch} has one 0-based graph index per node,
 * non-decreasing (nodes of a graph are contiguous), {@code x} is {@code [numNodes][irrepsIn().dim()]} and {@code z}
 * is {@code [numNodes][irrepsNodeAttr().dim()]}, both in e3nn's {@code mul_ir} layout and both {@code null} when the
 * model has none ({@link #hasNodeInput()}, {@link #hasNodeAttributes()}). Edges join the nodes of a graph closer than
 * the model's radius.
 *
 * <p>To train one, take the generated class's {@code architecture(activationConstants)} (a {@link GatePoints}, whose
 * methods take the flat parameters), compute parameter gradients with {@link GatePoints#backward} (outputs) or
 * {@link GatePointsLoss} and {@link GatePoints#parameterGradient} (energies and forces), step them with
 * {@code optim.Adam}, and build the trained model with the generated constructor that takes the flat parameters.
 */
public interface PointsModel {

    /** Irreps of the node inputs {@code x} (e3nn's {@code irreps_in}), {@code 1x0e} of ones when there are none. */
    Irreps irrepsIn();

    /** Irreps of the node attributes {@code z}, {@code 1x0e} of ones when there are none. */
    Irreps irrepsNodeAttr();

    /** Irreps of one output row. */
    Irreps irrepsOut();

    /** Whether {@code x} is an input; when false, pass {@code null} and the model uses ones. */
    boolean hasNodeInput();

    /** Whether {@code z} is an input; when false, pass {@code null} and the model uses ones. */
    boolean hasNodeAttributes();

    /** Whether outputs are summed over each graph ({@code [numGraphs][dimOut]}) rather than per node. */
    boolean reduceOutput();

    /**
     * The network's output: {@code [numGraphs][irrepsOut().dim()]} when {@link #reduceOutput()}, with
     * {@code numGraphs = batch[numNodes - 1] + 1}, else {@code [numNodes][irrepsOut().dim()]}.
     *
     * @throws IllegalArgumentException naming the argument whose size or content does not fit
     */
    double[] forward(int numNodes, double[] pos, int[] batch, double[] x, double[] z);

    /**
     * Gradients of {@code sum(forward(...) * gradOut)} with respect to the positions ({@code gradPos},
     * {@code [numNodes][3]}), the node inputs and the node attributes; each gradient array is overwritten, a
     * {@code null} one is not computed.
     *
     * @throws IllegalArgumentException naming the argument whose size or content does not fit
     */
    void backward(int numNodes, double[] pos, int[] batch, double[] x, double[] z, double[] gradOut,
                  double[] gradPos, double[] gradX, double[] gradZ);

    /**
     * Float overload of {@link #forward(int, double[], int[], double[], double[])}; generated only with
     * {@code precision = FLOAT}, otherwise unsupported.
     */
    default float[] forward(int numNodes, float[] pos, int[] batch, float[] x, float[] z) {
        throw new UnsupportedOperationException(getClass().getName() + " was generated without precision = FLOAT");
    }

    /**
     * Float overload of {@link #backward(int, double[], int[], double[], double[], double[], double[], double[],
     * double[])}; generated only with {@code precision = FLOAT}, otherwise unsupported.
     */
    default void backward(int numNodes, float[] pos, int[] batch, float[] x, float[] z, float[] gradOut,
                          float[] gradPos, float[] gradX, float[] gradZ) {
        throw new UnsupportedOperationException(getClass().getName() + " was generated without precision = FLOAT");
    }
}
