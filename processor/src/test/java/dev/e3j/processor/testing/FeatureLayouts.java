package dev.e3j.processor.testing;

import dev.e3j.annotations.Layout;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.Layouts;

/**
 * Feature arrays {@code [batch][irreps.dim()]} moved between e3nn's layout ({@link Layout#MUL_IR}) and a kernel's
 * {@link Layout}, so that tests written against e3nn's references run in both layouts. Within the block
 * {@code mul x ir} at offset {@code o}, channel {@code u} and component {@code i} sit at {@code o + u * dim + i} in
 * e3nn's layout and at {@code o + i * mul + u} channel-last ({@link Layouts} permutes).
 */
public final class FeatureLayouts {

    private FeatureLayouts() {
    }

    /** {@code features} (e3nn's layout) in {@code layout}: a new array, a copy for {@link Layout#MUL_IR}. */
    public static double[] fromE3nn(Layout layout, Irreps irreps, double[] features) {
        return permute(layout, irreps, features, true);
    }

    /** {@code features} (in {@code layout}) in e3nn's layout: a new array, a copy for {@link Layout#MUL_IR}. */
    public static double[] toE3nn(Layout layout, Irreps irreps, double[] features) {
        return permute(layout, irreps, features, false);
    }

    private static double[] permute(Layout layout, Irreps irreps, double[] features, boolean fromE3nn) {
        int dim = irreps.dim();
        if (dim == 0 || features.length % dim != 0) {
            throw new IllegalArgumentException("features must be a whole number of samples of " + dim + " ("
                    + irreps + "), got length " + features.length);
        }
        if (layout == Layout.MUL_IR) {
            return features.clone();
        }
        double[] permuted = new double[features.length];
        if (fromE3nn) {
            Layouts.toIrMul(irreps, features.length / dim, features, permuted);
        } else {
            Layouts.toMulIr(irreps, features.length / dim, features, permuted);
        }
        return permuted;
    }
}
