package dev.e3j.processor.model;

import dev.e3j.annotations.Layout;
import dev.e3j.annotations.PathNormalization;
import dev.e3j.annotations.Precision;
import java.util.List;

/**
 * The values of one {@code @Linear}, as written, free of javac types.
 *
 * @param biasEntries one flag per output entry, or empty to let {@code biases} decide
 * @param paths       the explicit instructions, or empty for every allowed pair
 * @param layout      how the features lay out their irrep blocks
 */
public record LinearSpec(String in, String out, boolean biases, List<Boolean> biasEntries, List<Instruction> paths,
                         boolean sharedWeights, int fIn, int fOut, PathNormalization pathNormalization,
                         Layout layout, Precision precision) {

    /** One {@code @LinearPath(in, out)}: e3nn's instruction {@code (i_in, i_out)}, as written. */
    public record Instruction(int in, int out) {
    }

    public LinearSpec {
        biasEntries = List.copyOf(biasEntries);
        paths = List.copyOf(paths);
    }

    /** {@code in -> out} with the annotation's defaults otherwise. */
    public static LinearSpec of(String in, String out) {
        return new LinearSpec(in, out, false, List.of(), List.of(), true, 1, 1, PathNormalization.ELEMENT,
                Layout.MUL_IR, Precision.DOUBLE);
    }
}
