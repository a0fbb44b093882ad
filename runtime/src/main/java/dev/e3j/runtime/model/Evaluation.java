package dev.e3j.runtime.model;

/**
 * What an {@link InteratomicPotential} computes for one structure, in the units of its training data (for MACE
 * models trained on ASE data: eV and Å).
 *
 * @param energy       the total energy
 * @param nodeEnergies each atom's energy contribution ({@code [n]}), summing to {@code energy}
 * @param forces       {@code -dE/dpositions}, {@code [n][3]} row-major
 * @param stress       {@code (1/V) dE/dstrain}, {@code [3][3]} row-major, or null for a structure without a cell
 */
public record Evaluation(double energy, double[] nodeEnergies, double[] forces, double[] stress) {
}
