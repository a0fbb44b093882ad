package dev.e3j.samples.md;

import dev.e3j.annotations.Mace;
import dev.e3j.runtime.model.InteratomicPotential;

/**
 * A small {@code ScaleShiftMACE} for copper that {@link CuTraining} trains from scratch in Java: two residual
 * interactions on {@code 8x0e+8x1o}, {@code l <= 1} edge harmonics, correlation 2, a 4 Å cutoff (the first two fcc
 * shells; 18 neighbours at the EMT data's lattice constant, hence {@code avgNumNeighbors}).
 */
@Mace(rMax = 4.0, numBessel = 6, numPolynomialCutoff = 5, maxEll = 1, numInteractions = 2,
        interactionFirst = Mace.Interaction.REAL_AGNOSTIC_RESIDUAL,
        interaction = Mace.Interaction.REAL_AGNOSTIC_RESIDUAL,
        atomicNumbers = {29}, hiddenIrreps = "8x0e+8x1o", mlpIrreps = "8x0e", correlation = {2},
        gate = Mace.Gate.SILU, radialMlp = {16, 16}, avgNumNeighbors = 18.0, scaleShift = true)
public interface SmallCuPotential extends InteratomicPotential {
}
