package dev.e3j.runtime;

/**
 * Converts batches of feature vectors between e3nn's {@code mul_ir} layout and the channel-last {@code ir_mul} layout
 * of kernels generated with {@code layout = IR_MUL}. Within the block of {@code mul x ir} (dimension
 * {@code d = 2l + 1}) at offset {@code o}, channel {@code u} and component {@code m} sit at {@code o + u * d + m} in
 * {@code mul_ir} and at {@code o + m * mul + u} in {@code ir_mul}; sample {@code b} occupies
 * {@code [b * dim, (b + 1) * dim)} in both. Blocks of one channel or of scalars are the same in both layouts.
 *
 * <p>{@code src} and {@code dst} must be distinct arrays of at least {@code batch * irreps.dim()} entries; the entries
 * beyond are left alone.
 */
public final class Layouts {

    private Layouts() {
    }

    /** {@code batch} samples of {@code irreps} from {@code mul_ir} ({@code src}) into {@code ir_mul} ({@code dst}). */
    public static void toIrMul(Irreps irreps, int batch, double[] src, double[] dst) {
        check("toIrMul", irreps, batch, src == null ? -1 : src.length, dst == null ? -1 : dst.length, src == dst);
        permute(irMulSources(irreps), batch, src, dst);
    }

    /** {@code batch} samples of {@code irreps} from {@code ir_mul} ({@code src}) into {@code mul_ir} ({@code dst}). */
    public static void toMulIr(Irreps irreps, int batch, double[] src, double[] dst) {
        check("toMulIr", irreps, batch, src == null ? -1 : src.length, dst == null ? -1 : dst.length, src == dst);
        permute(mulIrSources(irreps), batch, src, dst);
    }

    /** {@link #toIrMul(Irreps, int, double[], double[])} for floats. */
    public static void toIrMul(Irreps irreps, int batch, float[] src, float[] dst) {
        check("toIrMul", irreps, batch, src == null ? -1 : src.length, dst == null ? -1 : dst.length, src == dst);
        permute(irMulSources(irreps), batch, src, dst);
    }

    /** {@link #toMulIr(Irreps, int, double[], double[])} for floats. */
    public static void toMulIr(Irreps irreps, int batch, float[] src, float[] dst) {
        check("toMulIr", irreps, batch, src == null ? -1 : src.length, dst == null ? -1 : dst.length, src == dst);
        permute(mulIrSources(irreps), batch, src, dst);
    }

    /**
     * Whether {@code irreps} lays out the same in both layouts: no entry has several channels of {@code l > 0}, so
     * that the conversions copy every entry where it is.
     */
    public static boolean sameInBothLayouts(Irreps irreps) {
        if (irreps == null) {
            throw new IllegalArgumentException("Layouts.sameInBothLayouts: irreps must not be null");
        }
        return irreps.entries().stream().allMatch(entry -> entry.mul() <= 1 || entry.ir().l() == 0);
    }

    /** For each {@code ir_mul} index of one sample, the {@code mul_ir} index it is read from. */
    private static int[] irMulSources(Irreps irreps) {
        int[] sources = new int[irreps.dim()];
        for (int e = 0; e < irreps.size(); e++) {
            int offset = irreps.offset(e);
            int mul = irreps.get(e).mul();
            int dim = irreps.get(e).ir().dim();
            for (int u = 0; u < mul; u++) {
                for (int m = 0; m < dim; m++) {
                    sources[offset + m * mul + u] = offset + u * dim + m;
                }
            }
        }
        return sources;
    }

    /** The inverse of {@link #irMulSources}: for each {@code mul_ir} index, the {@code ir_mul} index. */
    private static int[] mulIrSources(Irreps irreps) {
        int[] irMul = irMulSources(irreps);
        int[] sources = new int[irMul.length];
        for (int j = 0; j < irMul.length; j++) {
            sources[irMul[j]] = j;
        }
        return sources;
    }

    private static void permute(int[] sources, int batch, double[] src, double[] dst) {
        int dim = sources.length;
        for (int b = 0, base = 0; b < batch; b++, base += dim) {
            for (int j = 0; j < dim; j++) {
                dst[base + j] = src[base + sources[j]];
            }
        }
    }

    private static void permute(int[] sources, int batch, float[] src, float[] dst) {
        int dim = sources.length;
        for (int b = 0, base = 0; b < batch; b++, base += dim) {
            for (int j = 0; j < dim; j++) {
                dst[base + j] = src[base + sources[j]];
            }
        }
    }

    /** Lengths are -1 for a null array. */
    private static void check(String method, Irreps irreps, int batch, int srcLength, int dstLength, boolean same) {
        if (irreps == null) {
            throw new IllegalArgumentException("Layouts." + method + ": irreps must not be null");
        }
        if (batch < 0) {
            throw new IllegalArgumentException("Layouts." + method + ": batch must be >= 0, got " + batch);
        }
        long needed = (long) batch * irreps.dim();
        for (String argument : new String[] {"src", "dst"}) {
            int length = argument.equals("src") ? srcLength : dstLength;
            if (length < 0) {
                throw new IllegalArgumentException("Layouts." + method + ": " + argument + " must not be null");
            }
            if (length < needed) {
                throw new IllegalArgumentException("Layouts." + method + ": " + argument + " must hold batch * dim = "
                        + batch + " * " + irreps.dim() + " = " + needed + " entries (irreps " + irreps + "), got "
                        + length);
            }
        }
        if (same) {
            throw new IllegalArgumentException("Layouts." + method + ": src and dst must be distinct arrays (the"
                    + " conversion is not in place)");
        }
    }
}
