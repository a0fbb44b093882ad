package dev.e3j.runtime.model;

import dev.e3j.runtime.Irrep;

/**
 * The loss of a {@link GatePoints} energy model on reference energies and forces, with its parameter gradient:
 * <pre>
 *   loss = energyWeight mean_g (E_g - E_ref_g)^2 + forceWeight mean_{n,c} (F_nc - F_ref_nc)^2,    F = -dE/dpos
 * </pre>
 * where {@code E_g} is the first output component of graph {@code g}, which must be a scalar {@code 0e} of a
 * {@code reduceOutput} model (e.g. {@code irrepsOut = "1x0e"}; with {@code "1x0e+1x1o"} the {@code 0e}). The
 * force term's parameter gradient is a second derivative, computed exactly by
 * {@link GatePoints#parameterGradient}. With {@code optim.Adam}:
 * <pre>{@code
 *   GatePoints network = NetImpl.architecture(Map.of());
 *   double[] params = network.initialParameters(new Random(0)), grad = new double[params.length];
 *   GatePointsLoss loss = new GatePointsLoss(1.0, 10.0);
 *   Adam adam = new Adam(params.length, 1e-2, 0.9, 0.999, 1e-8, 0.0);
 *   for (int step = 0; step < steps; step++) {
 *       loss.evaluate(network, params, numNodes, pos, batch, null, z, energies, forces, grad);
 *       adam.step(params, grad);
 *   }
 *   PointsModel trained = new NetImpl(params);
 * }</pre>
 * Immutable and thread-safe.
 */
public final class GatePointsLoss {

    private final double energyWeight;
    private final double forceWeight;

    /**
     * @throws IllegalArgumentException if a weight is negative or not finite
     */
    public GatePointsLoss(double energyWeight, double forceWeight) {
        requireWeight("energyWeight", energyWeight);
        requireWeight("forceWeight", forceWeight);
        this.energyWeight = energyWeight;
        this.forceWeight = forceWeight;
    }

    private static void requireWeight(String name, double weight) {
        if (!(weight >= 0 && weight < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(name + ": expected a finite weight >= 0, got " + weight);
        }
    }

    /** Weight of the mean squared energy error. */
    public double energyWeight() {
        return energyWeight;
    }

    /** Weight of the mean squared force error. */
    public double forceWeight() {
        return forceWeight;
    }

    /**
     * The loss of {@code network} with {@code params} on one batch of graphs ({@link PointsModel}'s layout:
     * {@code pos [numNodes][3]}, {@code batch}, node inputs {@code x} and attributes {@code z} or {@code null}),
     * against {@code energies} ({@code [numGraphs]}) and {@code forces} ({@code [numNodes][3]}); its gradient with
     * respect to {@code params} is written to {@code gradParams} ({@code null} to skip).
     *
     * @throws IllegalArgumentException naming the argument whose size or content does not fit, or when the model's
     *     first output is not a scalar {@code 0e} summed over each graph
     */
    public double evaluate(GatePoints network, double[] params, int numNodes, double[] pos, int[] batch, double[] x,
                           double[] z, double[] energies, double[] forces, double[] gradParams) {
        if (network == null) {
            throw new IllegalArgumentException("network is null");
        }
        if (!network.reduceOutput() || !network.irrepsOut().get(0).ir().equals(Irrep.of(0, 1))) {
            throw new IllegalArgumentException("network: expected a first output 0e summed over each graph "
                    + "(reduceOutput), got irrepsOut \"" + network.irrepsOut() + "\" with reduceOutput "
                    + network.reduceOutput());
        }
        int dimOut = network.irrepsOut().dim();
        // Sized from batch as the network reads it; the network checks its inputs before the loss runs.
        int numGraphs = numNodes > 0 && batch != null && batch.length == numNodes
                ? Math.max(batch[numNodes - 1] + 1, 0) : 0;
        // The energy of graph g is out[g][0]: d sum(E) / d out selects it.
        double[] energySelector = new double[numGraphs * dimOut];
        for (int g = 0; g < numGraphs; g++) {
            energySelector[g * dimOut] = 1.0;
        }
        return network.lossAndGradient(numNodes, pos, batch, x, z, params, energySelector,
                (out, gradPos, outCotangent, gradPosCotangent) -> {
                    requireLength("energies", energies, numGraphs, "numGraphs");
                    requireLength("forces", forces, gradPos.length, numNodes + " x 3");
                    double energyError = 0;
                    for (int g = 0; g < numGraphs; g++) {
                        double difference = out[g * dimOut] - energies[g];
                        energyError += difference * difference;
                        outCotangent[g * dimOut] = 2 * energyWeight * difference / numGraphs;
                    }
                    double forceError = 0;
                    for (int i = 0; i < gradPos.length; i++) {
                        double difference = -gradPos[i] - forces[i];
                        forceError += difference * difference;
                        // d loss / d gradPos = -d loss / dF
                        gradPosCotangent[i] = -2 * forceWeight * difference / gradPos.length;
                    }
                    return (numGraphs > 0 ? energyWeight * energyError / numGraphs : 0.0)
                            + (gradPos.length > 0 ? forceWeight * forceError / gradPos.length : 0.0);
                }, gradParams);
    }

    private static void requireLength(String name, double[] array, long expected, String shape) {
        if (array == null) {
            throw new IllegalArgumentException(name + " is null (expected length " + expected + " = " + shape + ")");
        }
        if (array.length != expected) {
            throw new IllegalArgumentException(name + ": expected length " + expected + " (" + shape + "), got "
                    + array.length);
        }
    }
}
