package dev.e3j.processor.model;

import dev.e3j.annotations.Layout;
import dev.e3j.annotations.Mace;
import dev.e3j.annotations.Precision;
import java.util.List;

/**
 * The values of one {@code @Mace}, as written, free of javac types: mace-torch's {@code MACE} /
 * {@code ScaleShiftMACE} constructor arguments in camelCase.
 */
public record MaceSpec(double rMax, int numBessel, int numPolynomialCutoff, int maxEll, int numInteractions,
                       Mace.Interaction interactionFirst, Mace.Interaction interaction, List<Integer> atomicNumbers,
                       String hiddenIrreps, String mlpIrreps, List<Integer> correlation, Mace.Gate gate,
                       List<Integer> radialMlp, double avgNumNeighbors, boolean scaleShift,
                       Mace.RadialType radialType, Mace.DistanceTransform distanceTransform, boolean pairRepulsion,
                       Precision precision, Layout layout) {

    /** Copies the lists. */
    public MaceSpec {
        atomicNumbers = List.copyOf(atomicNumbers);
        correlation = List.copyOf(correlation);
        radialMlp = List.copyOf(radialMlp);
    }
}
