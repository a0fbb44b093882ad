package dev.e3j.processor.model;

import dev.e3j.annotations.PathNormalization;
import dev.e3j.processor.diagnostics.Location;
import dev.e3j.processor.diagnostics.Message;
import dev.e3j.processor.diagnostics.Problem;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.Irreps.MulIrrep;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.numbers.fraction.BigFraction;

/**
 * The exact plan of e3nn's {@code o3.Linear(irreps_in, irreps_out, biases, internal_weights=False,
 * shared_weights=True)}: no javac types, only what the writer needs.
 *
 * <p>One path per pair {@code (i_in, i_out)} of entries carrying the same irrep, in loop order {@code i_in} then
 * {@code i_out}. Path {@code p} computes {@code out[w][i] += sqrt(alpha_p) * sum_u W_p[u][w] x[u][i]} with its weights
 * {@code W_p} stored row-major {@code [mul_in][mul_out]}, concatenated in path order. {@code alpha_p} is
 * {@code 1 / fan-in}: the sum of {@code mul_in} over all paths into the same output ({@code ELEMENT}), or the number
 * of such paths times this path's {@code mul_in} ({@code PATH}); a fan-in of 0 counts as 1, as e3nn.
 * Biases (coefficient 1) are added to every {@code 0e} output entry, one per channel, concatenated in output order.
 *
 * @param weightNumel total number of weights
 * @param biasNumel   total number of biases
 */
public record LinearModel(Irreps irrepsIn, Irreps irrepsOut, PathNormalization pathNormalization, List<Path> paths,
                          List<Bias> biases, int weightNumel, int biasNumel) {

    /**
     * One weighted connection {@code in[inIndex] -> out[outIndex]}.
     *
     * @param weightOffset where {@code W_p} starts in the flat weights
     * @param alpha        the squared coefficient: the path computes {@code sqrt(alpha) * W_p x}
     */
    public record Path(int inIndex, int outIndex, int mulIn, int mulOut, int dim, int weightOffset,
                       BigFraction alpha) {

        public int weightNumel() {
            return mulIn * mulOut;
        }
    }

    /** Biases of the {@code 0e} output entry {@code outIndex}: {@code mul} values from {@code biasOffset}. */
    public record Bias(int outIndex, int mul, int biasOffset) {
    }

    public LinearModel {
        paths = List.copyOf(paths);
        biases = List.copyOf(biases);
    }

    /**
     * Parses and plans {@code spec}. A map with neither a path nor a bias would only output zeros, which is
     * certainly a mistake, so it is rejected.
     *
     * @throws InvalidSpecException listing every problem found
     */
    public static LinearModel build(LinearSpec spec) throws InvalidSpecException {
        List<Problem> problems = new ArrayList<>();
        Irreps in = IrrepsAttribute.parse(spec.in(), "in", problems);
        Irreps out = IrrepsAttribute.parse(spec.out(), "out", problems);
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(problems);
        }
        long weights = 0;
        for (MulIrrep entryIn : in) {
            for (MulIrrep entryOut : out) {
                if (entryIn.ir().equals(entryOut.ir())) {
                    weights += (long) entryIn.mul() * entryOut.mul();
                }
            }
        }
        if (weights > Integer.MAX_VALUE) {
            throw new InvalidSpecException(List.of(Problem.at(Location.WHOLE, Message.TOO_LARGE, "the paths would"
                    + " have " + weights + " weights, more than an array holds (" + Integer.MAX_VALUE + ")")));
        }
        LinearModel model = of(in, out, spec.biases(), spec.pathNormalization());
        if (model.paths().isEmpty() && model.biases().isEmpty()) {
            String map = "Linear \"" + spec.in() + "\" -> \"" + spec.out() + "\"";
            throw new InvalidSpecException(List.of(Problem.at(Location.WHOLE, Message.NO_PATHS,
                    spec.biases() ? map + " (with no 0e output to bias)" : map, "")));
        }
        return model;
    }

    /** Builds e3nn's instructions and normalization for {@code in -> out}. */
    public static LinearModel of(Irreps in, Irreps out, boolean withBiases, PathNormalization normalization) {
        List<int[]> pairs = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            for (int o = 0; o < out.size(); o++) {
                if (in.get(i).ir().equals(out.get(o).ir())) {
                    pairs.add(new int[] {i, o});
                }
            }
        }
        List<Path> paths = new ArrayList<>();
        int weightOffset = 0;
        for (int[] pair : pairs) {
            MulIrrep entryIn = in.get(pair[0]);
            MulIrrep entryOut = out.get(pair[1]);
            long fanIn = fanIn(in, pairs, pair, normalization);
            Path path = new Path(pair[0], pair[1], entryIn.mul(), entryOut.mul(), entryIn.ir().dim(), weightOffset,
                    BigFraction.of(1, fanIn == 0 ? 1 : fanIn));
            paths.add(path);
            weightOffset += path.weightNumel();
        }
        List<Bias> biases = new ArrayList<>();
        int biasOffset = 0;
        if (withBiases) {
            for (int o = 0; o < out.size(); o++) {
                MulIrrep entry = out.get(o);
                if (entry.ir().isScalar()) {
                    biases.add(new Bias(o, entry.mul(), biasOffset));
                    biasOffset += entry.mul();
                }
            }
        }
        return new LinearModel(in, out, normalization, paths, biases, weightOffset, biasOffset);
    }

    private static long fanIn(Irreps in, List<int[]> pairs, int[] pair, PathNormalization normalization) {
        long sum = 0;
        for (int[] other : pairs) {
            if (other[1] == pair[1]) {
                sum += in.get(normalization == PathNormalization.ELEMENT ? other[0] : pair[0]).mul();
            }
        }
        return normalization == PathNormalization.NONE ? 1 : sum;
    }

    /** The paths into output entry {@code outIndex}, in path order. */
    public List<Path> pathsInto(int outIndex) {
        return paths.stream().filter(p -> p.outIndex() == outIndex).toList();
    }

    /** The paths out of input entry {@code inIndex}, in path order. */
    public List<Path> pathsFrom(int inIndex) {
        return paths.stream().filter(p -> p.inIndex() == inIndex).toList();
    }

    /** The bias of output entry {@code outIndex}, or {@code null}. */
    public Bias biasOf(int outIndex) {
        return biases.stream().filter(b -> b.outIndex() == outIndex).findFirst().orElse(null);
    }
}
