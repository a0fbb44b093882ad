package dev.e3j.spark;

import dev.e3j.runtime.io.StateDict;
import dev.e3j.runtime.io.Tensor;
import dev.e3j.runtime.model.Evaluation;
import dev.e3j.runtime.model.InteratomicPotential;
import dev.e3j.runtime.model.Structure;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Lennard-Jones pair potential, {@code phi(r) = 4 eps ((sigma/r)^12 - (sigma/r)^6)} for {@code r < cutoff} with
 * {@code eps} and {@code sigma} per pair of elements, with exact forces and stress (periodic images included). Built
 * like a generated model, from a state dict ({@link #stateDict}), so that tests ship it the way Spark ships real
 * models.
 */
public final class PairPotential implements InteratomicPotential {

    /** Copper (Halicioglu and Pound 1975): eps = 0.4093 eV, sigma = 2.338 Å; cutoff 5 Å. */
    static final StateDict COPPER = stateDict(new int[] {29}, new double[] {0.4093}, new double[] {2.338}, 5.0);

    /** How many instances were built, to check that executors build a model once. */
    static final AtomicInteger CONSTRUCTIONS = new AtomicInteger();

    private final int[] atomicNumbers;
    private final double[] epsilon;
    private final double[] sigma;
    private final double cutoff;

    /** The potential whose parameters are {@code weights}' tensors {@code atomic_numbers}, {@code epsilon}, ... */
    public PairPotential(StateDict weights) {
        long[] numbers = weights.longs("atomic_numbers");
        this.atomicNumbers = new int[numbers.length];
        for (int i = 0; i < numbers.length; i++) {
            atomicNumbers[i] = Math.toIntExact(numbers[i]);
        }
        this.epsilon = weights.doubles("epsilon");
        this.sigma = weights.doubles("sigma");
        this.cutoff = weights.doubles("cutoff")[0];
        int k = atomicNumbers.length;
        if (epsilon.length != k * k || sigma.length != k * k) {
            throw new IllegalArgumentException("epsilon and sigma must be [" + k + "][" + k + "], got "
                    + epsilon.length + " and " + sigma.length + " numbers");
        }
        CONSTRUCTIONS.incrementAndGet();
    }

    /** {@return the state dict of a potential with these parameters ({@code [k][k]} row-major per element pair)} */
    static StateDict stateDict(int[] atomicNumbers, double[] epsilon, double[] sigma, double cutoff) {
        int k = atomicNumbers.length;
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("atomic_numbers", Tensor.ofLongs(new long[] {k},
                Arrays.stream(atomicNumbers).asLongStream().toArray()));
        tensors.put("epsilon", Tensor.ofDoubles(new long[] {k, k}, epsilon));
        tensors.put("sigma", Tensor.ofDoubles(new long[] {k, k}, sigma));
        tensors.put("cutoff", Tensor.ofDoubles(new long[] {}, new double[] {cutoff}));
        return StateDict.of(tensors);
    }

    @Override
    public double rMax() {
        return cutoff;
    }

    @Override
    public int[] atomicNumbers() {
        return atomicNumbers.clone();
    }

    @Override
    public Evaluation evaluate(Structure structure) {
        int n = structure.size();
        int[] species = species(structure.atomicNumbers());
        double[] pos = structure.positions();
        double[] cell = structure.cell();
        boolean[] pbc = structure.pbc();
        double[] inverse = cell == null ? null : inverse(cell);
        double[] reach = new double[3];
        for (int k = 0; k < 3 && cell != null; k++) {
            if (pbc[k]) {
                reach[k] = cutoff * Math.sqrt(inverse[k] * inverse[k] + inverse[3 + k] * inverse[3 + k]
                        + inverse[6 + k] * inverse[6 + k]);
            }
        }
        double energy = 0;
        double[] nodeEnergies = new double[n];
        double[] forces = new double[3 * n];
        double[] virial = new double[9];
        double[] d = new double[3];
        double[] fractional = new double[3];
        int[] low = new int[3];
        int[] high = new int[3];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                for (int a = 0; a < 3; a++) {
                    d[a] = pos[3 * j + a] - pos[3 * i + a];
                }
                for (int k = 0; k < 3; k++) {
                    fractional[k] = cell == null ? 0
                            : d[0] * inverse[k] + d[1] * inverse[3 + k] + d[2] * inverse[6 + k];
                    low[k] = pbc[k] ? (int) Math.ceil(-fractional[k] - reach[k]) : 0;
                    high[k] = pbc[k] ? (int) Math.floor(-fractional[k] + reach[k]) : 0;
                }
                int pair = species[i] * atomicNumbers.length + species[j];
                for (int s0 = low[0]; s0 <= high[0]; s0++) {
                    for (int s1 = low[1]; s1 <= high[1]; s1++) {
                        for (int s2 = low[2]; s2 <= high[2]; s2++) {
                            if (i == j && s0 == 0 && s1 == 0 && s2 == 0) {
                                continue;
                            }
                            double dx = d[0];
                            double dy = d[1];
                            double dz = d[2];
                            if (cell != null) {
                                dx += s0 * cell[0] + s1 * cell[3] + s2 * cell[6];
                                dy += s0 * cell[1] + s1 * cell[4] + s2 * cell[7];
                                dz += s0 * cell[2] + s1 * cell[5] + s2 * cell[8];
                            }
                            double r2 = dx * dx + dy * dy + dz * dz;
                            if (r2 >= cutoff * cutoff) {
                                continue;
                            }
                            double r = Math.sqrt(r2);
                            double s6 = Math.pow(sigma[pair] / r, 6);
                            double phi = 4 * epsilon[pair] * (s6 * s6 - s6);
                            double dPhiOverR = 24 * epsilon[pair] * (s6 - 2 * s6 * s6) / r2;
                            energy += 0.5 * phi;
                            nodeEnergies[i] += 0.5 * phi;
                            forces[3 * i] += dPhiOverR * dx;
                            forces[3 * i + 1] += dPhiOverR * dy;
                            forces[3 * i + 2] += dPhiOverR * dz;
                            double[] v = {dx, dy, dz};
                            for (int a = 0; a < 3; a++) {
                                for (int b = 0; b < 3; b++) {
                                    virial[3 * a + b] += 0.5 * dPhiOverR * v[a] * v[b];
                                }
                            }
                        }
                    }
                }
            }
        }
        double[] stress = null;
        if (cell != null) {
            double volume = structure.volume();
            stress = new double[9];
            for (int k = 0; k < 9; k++) {
                stress[k] = virial[k] / volume;
            }
        }
        return new Evaluation(energy, nodeEnergies, forces, stress);
    }

    private int[] species(int[] numbers) {
        int[] species = new int[numbers.length];
        for (int i = 0; i < numbers.length; i++) {
            species[i] = -1;
            for (int k = 0; k < atomicNumbers.length; k++) {
                if (atomicNumbers[k] == numbers[i]) {
                    species[i] = k;
                }
            }
            if (species[i] < 0) {
                throw new IllegalArgumentException("atom " + i + " has atomic number " + numbers[i]
                        + ", which the potential does not know: it knows " + Arrays.toString(atomicNumbers));
            }
        }
        return species;
    }

    /** {@return the inverse of a row-major 3x3 matrix} */
    private static double[] inverse(double[] m) {
        double det = m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6])
                + m[2] * (m[3] * m[7] - m[4] * m[6]);
        return new double[] {
            (m[4] * m[8] - m[5] * m[7]) / det, (m[2] * m[7] - m[1] * m[8]) / det, (m[1] * m[5] - m[2] * m[4]) / det,
            (m[5] * m[6] - m[3] * m[8]) / det, (m[0] * m[8] - m[2] * m[6]) / det, (m[2] * m[3] - m[0] * m[5]) / det,
            (m[3] * m[7] - m[4] * m[6]) / det, (m[1] * m[6] - m[0] * m[7]) / det, (m[0] * m[4] - m[1] * m[3]) / det,
        };
    }
}
