package dev.e3j.processor.model;

import java.util.List;

/**
 * The values of one {@code @ReducedTensorProducts} or {@code @CartesianTensor}, as written, free of javac types.
 *
 * @param formula   the index symmetries, e.g. {@code ijkl=jikl=klij}
 * @param irreps    {@code index=irreps} entries ({@code @ReducedTensorProducts}); empty for {@code @CartesianTensor}
 * @param cartesian whether every index is a vector ({@code 1o}), as e3nn's {@code io.CartesianTensor}
 */
public record ReducedTensorProductsSpec(String formula, List<String> irreps, boolean cartesian) {

    public ReducedTensorProductsSpec {
        irreps = List.copyOf(irreps);
    }
}
