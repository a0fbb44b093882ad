package dev.e3j.processor.testing;

import dev.e3j.annotations.Layout;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.Irreps.MulIrrep;

/**
 * Feature arrays {@code [batch][irreps.dim()]} moved between e3nn's layout ({@link Layout#MUL_IR}) and a kernel's
 * {@link Layout}, so that tests written against e3nn's references run in both layouts. Within the block
 * {@code mul x ir} at offset {@code o}, channel {@code u} and component {@code i} sit at {@code o + u * dim + i} in
 * e3nn's layout and at {@code o + i * mul + u} channel-last.
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
        double[] permuted = features.clone();
        if (layout == Layout.MUL_IR) {
            return permuted;
        }
        for (int sample = 0; sample < features.length; sample += dim) {
            for (int e = 0; e < irreps.size(); e++) {
                MulIrrep entry = irreps.get(e);
                int at = sample + irreps.offset(e);
                int components = entry.ir().dim();
                for (int u = 0; u < entry.mul(); u++) {
                    for (int i = 0; i < components; i++) {
                        int e3nn = at + u * components + i;
                        int channelLast = at + i * entry.mul() + u;
                        if (fromE3nn) {
                            permuted[channelLast] = features[e3nn];
                        } else {
                            permuted[e3nn] = features[channelLast];
                        }
                    }
                }
            }
        }
        return permuted;
    }
}
