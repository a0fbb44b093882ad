package dev.e3j.processor.model;

import dev.e3j.annotations.CgConvention;
import java.util.List;

/**
 * The values of one {@code @ReducedTensorProducts} or {@code @CartesianTensor}, as written, free of javac types.
 *
 * @param formula   the index symmetries, e.g. {@code ijkl=jikl=klij}
 * @param irreps    {@code index=irreps} entries ({@code @ReducedTensorProducts}); empty for {@code @CartesianTensor}
 * @param cartesian whether every index is a vector ({@code 1o}), as e3nn's {@code io.CartesianTensor}
 * @param filterIrOut e3nn's {@code filter_ir_out}: the output irreps kept; empty keeps all
 * @param filterIrMid e3nn's {@code filter_ir_mid}: the irreps every coupling step keeps; empty keeps all
 * @param cgConvention the e3nn version whose Wigner 3j signs the coupling paths carry
 */
public record ReducedTensorProductsSpec(String formula, List<String> irreps, boolean cartesian,
                                        List<String> filterIrOut, List<String> filterIrMid,
                                        CgConvention cgConvention) {

    public ReducedTensorProductsSpec {
        irreps = List.copyOf(irreps);
        filterIrOut = List.copyOf(filterIrOut);
        filterIrMid = List.copyOf(filterIrMid);
    }
}
