package dev.e3j.runtime.model;

import dev.e3j.runtime.internal.Checks;
import java.util.List;

/**
 * mace-torch v0.3.6's {@code WeightedEnergyForcesLoss} and, with a stress weight, its
 * {@code WeightedEnergyForcesStressLoss} ({@code mace/modules/loss.py}) over a batch of {@code G} structures with
 * {@code N} atoms in all, configuration weights {@code c_g}:
 * <pre>
 *   L = energyWeight (1/G)    sum_g   c_g ((E_g - Ê_g) / n_g)^2
 *     + forcesWeight (1/3N)   sum_i,k c_g(i) (F_ik - F̂_ik)^2
 *     + stressWeight (1/9G)   sum_g,ab c_g (σ_g,ab - σ̂_g,ab)^2        (structures without a reference stress: 0)
 * </pre>
 *
 * @param energyWeight the weight of the per-atom energy term
 * @param forcesWeight the weight of the force term
 * @param stressWeight the weight of the stress term (0: mace-torch's {@code WeightedEnergyForcesLoss})
 */
public record EnergyForceLoss(double energyWeight, double forcesWeight, double stressWeight) {

    /**
     * Checks the weights.
     *
     * @throws IllegalArgumentException if a weight is not finite and {@code >= 0}
     */
    public EnergyForceLoss {
        requireWeight("energyWeight", energyWeight);
        requireWeight("forcesWeight", forcesWeight);
        requireWeight("stressWeight", stressWeight);
    }

    private static void requireWeight(String name, double weight) {
        if (!(weight >= 0 && weight < Double.POSITIVE_INFINITY)) {
            throw Checks.invalid("new EnergyForceLoss", name, "be finite and >= 0", weight);
        }
    }

    /** mace-torch's {@code WeightedEnergyForcesLoss(energyWeight, forcesWeight)}: no stress term. */
    public static EnergyForceLoss of(double energyWeight, double forcesWeight) {
        return new EnergyForceLoss(energyWeight, forcesWeight, 0.0);
    }

    /**
     * The loss of {@code predictions} against {@code batch}'s reference values.
     *
     * @throws IllegalArgumentException if the lists differ in length or a prediction does not fit its structure
     */
    public double value(List<TrainingStructure> batch, List<Evaluation> predictions) {
        return derivatives(batch, predictions).value();
    }

    /**
     * The loss and its derivatives: by each structure's energy ({@code [G]}), each force component (all structures'
     * atoms in order, {@code [N][3]}) and each stress component ({@code [G][9]}, zero without a predicted and a
     * reference stress).
     */
    record Derivatives(double value, double[] energy, double[] forces, double[][] stress) {
    }

    Derivatives derivatives(List<TrainingStructure> batch, List<Evaluation> predictions) {
        String where = "EnergyForceLoss";
        Checks.requireNonNull(where, "batch", batch);
        Checks.requireNonNull(where, "predictions", predictions);
        if (batch.size() != predictions.size() || batch.isEmpty()) {
            throw Checks.invalid(where, "predictions", "be one per structure of a non-empty batch of "
                    + batch.size(), predictions.size());
        }
        int graphs = batch.size();
        int atoms = 0;
        for (TrainingStructure example : batch) {
            atoms += example.structure().size();
        }
        double[] dEnergy = new double[graphs];
        double[] dForces = new double[3 * atoms];
        double[][] dStress = new double[graphs][9];
        double energyTerm = 0;
        double forceTerm = 0;
        double stressTerm = 0;
        int first = 0;
        for (int g = 0; g < graphs; g++) {
            TrainingStructure example = batch.get(g);
            Evaluation prediction = predictions.get(g);
            int n = example.structure().size();
            if (prediction.forces().length != 3 * n) {
                throw Checks.invalid(where, "predictions[" + g + "].forces", "have length " + 3 * n,
                        prediction.forces().length);
            }
            double c = example.weight();
            double perAtom = (prediction.energy() - example.energy()) / n;
            energyTerm += c * perAtom * perAtom;
            dEnergy[g] = energyWeight * c * 2 * perAtom / n / graphs;
            double[] reference = example.forces();
            double[] predicted = prediction.forces();
            for (int k = 0; k < 3 * n; k++) {
                double difference = predicted[k] - reference[k];
                forceTerm += c * difference * difference;
                dForces[3 * first + k] = forcesWeight * c * 2 * difference / (3.0 * atoms);
            }
            double[] referenceStress = example.stress();
            double[] predictedStress = prediction.stress();
            if (referenceStress != null && predictedStress != null) {
                for (int k = 0; k < 9; k++) {
                    double difference = predictedStress[k] - referenceStress[k];
                    stressTerm += c * difference * difference;
                    dStress[g][k] = stressWeight * c * 2 * difference / (9.0 * graphs);
                }
            }
            first += n;
        }
        double value = energyWeight * energyTerm / graphs + forcesWeight * forceTerm / (3.0 * atoms)
                + stressWeight * stressTerm / (9.0 * graphs);
        return new Derivatives(value, dEnergy, dForces, dStress);
    }
}
