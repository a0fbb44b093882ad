package dev.e3j.processor.plan;

import dev.e3j.processor.model.PathModel;
import dev.e3j.runtime.Irreps;

/**
 * Where one path's operands sit in the {@code mul_ir} feature vectors: the offset of each entry, its irrep dimension
 * {@code 2l + 1} and its multiplicity. Shared by the Java and the CUDA writers.
 */
public record PathLayout(int offset1, int offset2, int offsetOut, int dim1, int dim2, int dimOut,
                         int mul1, int mul2, int mulOut) {

    public static PathLayout of(PathModel path, Irreps in1, Irreps in2, Irreps out) {
        return new PathLayout(in1.offset(path.in1()), in2.offset(path.in2()), out.offset(path.out()),
                path.entry1().ir().dim(), path.entry2().ir().dim(), path.entryOut().ir().dim(),
                path.entry1().mul(), path.entry2().mul(), path.entryOut().mul());
    }
}
