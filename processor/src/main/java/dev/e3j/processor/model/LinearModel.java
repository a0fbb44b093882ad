package dev.e3j.processor.model;

import dev.e3j.annotations.Layout;
import dev.e3j.annotations.PathNormalization;
import dev.e3j.annotations.Precision;
import dev.e3j.processor.diagnostics.Location;
import dev.e3j.processor.diagnostics.Message;
import dev.e3j.processor.diagnostics.Problem;
import dev.e3j.processor.math.SqrtRational;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.Irreps.MulIrrep;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.numbers.fraction.BigFraction;

/**
 * The exact plan of e3nn's {@code o3.Linear(irreps_in, irreps_out, f_in, f_out, shared_weights, instructions,
 * biases, internal_weights=False)}: no javac types, only what the writer needs.
 *
 * <p>One path per instruction {@code (i_in, i_out)} of entries carrying the same irrep: by default every such pair,
 * in loop order {@code i_in} then {@code i_out}. Path {@code p} computes
 * {@code out[w][i] += sqrt(alpha_p) * sum_u W_p[u][w] x[u][i]} with its weights {@code W_p} stored row-major
 * {@code [mul_in][mul_out]}, concatenated in path order. {@code alpha_p} is {@code 1 / fan-in}: the sum of
 * {@code mul_in} over all paths into the same output ({@code ELEMENT}), or the number of such paths times this path's
 * {@code mul_in} ({@code PATH}), times {@code f_in}; a fan-in of 0 counts as 1, as e3nn. Biases (coefficient 1) are
 * added to the flagged {@code 0e} output entries, one per channel, concatenated in output order.
 *
 * <p>With {@code f_in} input and {@code f_out} output features, a sample holds {@code f_in} copies of the input irreps
 * and {@code f_out} of the output irreps ({@link #irrepsIn()} and {@link #irrepsOut()} are those repetitions), and
 * every path is repeated for each feature pair {@code (x, y)} with its weights at
 * {@code (x * f_out + y) * (weights of one pair) + offset}, e3nn's {@code [f_in][f_out][weight_numel]}; biases are
 * {@code [f_out][biases of one feature]}.
 *
 * <p>The formulas above index channel {@code u} and component {@code i} of an entry whatever the {@link #layout()}:
 * it only places them in the feature arrays ({@code x}, {@code out} and their gradients), entry by entry, so with
 * features each feature's entries are laid out on their own. Weights and biases are the same in both layouts.
 *
 * @param irrepsIn      the irreps of one sample's input (the input irreps repeated {@code fIn} times)
 * @param irrepsOut     the irreps of one sample's output (the output irreps repeated {@code fOut} times)
 * @param weightNumel   total number of weights (per sample when the weights are not shared)
 * @param biasNumel     total number of biases
 * @param sharedWeights whether one weight vector serves the batch (else one per sample)
 * @param fIn           input features per sample (e3nn's {@code f_in}, 1 for {@code None})
 * @param fOut          output features per sample (e3nn's {@code f_out}, 1 for {@code None})
 * @param layout        how the feature arrays lay out each entry's channels and components
 * @param precision     the floating-point types the kernel is written for
 */
public record LinearModel(Irreps irrepsIn, Irreps irrepsOut, PathNormalization pathNormalization, List<Path> paths,
                          List<Bias> biases, int weightNumel, int biasNumel, boolean sharedWeights, int fIn,
                          int fOut, Layout layout, Precision precision) {

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

        /** {@code sqrt(alpha)}, exact: the factor the path multiplies {@code W_p x} by. */
        public SqrtRational coefficient() {
            return SqrtRational.sqrtOf(alpha);
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
        checkFeatures("fIn", spec.fIn(), problems);
        checkFeatures("fOut", spec.fOut(), problems);
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(problems);
        }
        List<int[]> pairs = spec.paths().isEmpty() ? allowedPairs(in, out) : instructions(spec, in, out, problems);
        boolean[] biased = biasedEntries(spec, out, problems);
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(problems);
        }
        long weights = 0;
        for (int[] pair : pairs) {
            weights = saturatedSum(weights, (long) in.get(pair[0]).mul() * out.get(pair[1]).mul());
        }
        long features = (long) spec.fIn() * spec.fOut();
        checkSize("the paths would have", weights > Long.MAX_VALUE / features ? Long.MAX_VALUE : weights * features,
                "weights", problems);
        checkSize("fIn copies of in would have", (long) in.dim() * spec.fIn(), "components", problems);
        checkSize("fOut copies of out would have", (long) out.dim() * spec.fOut(), "components", problems);
        checkSize("fIn copies of in would have", (long) in.size() * spec.fIn(), "entries", problems);
        checkSize("fOut copies of out would have", (long) out.size() * spec.fOut(), "entries", problems);
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(problems);
        }
        LinearModel model = of(in, out, pairs, biased, spec.pathNormalization(), spec.sharedWeights(), spec.fIn(),
                spec.fOut(), spec.layout(), spec.precision());
        if (model.paths().isEmpty() && model.biases().isEmpty()) {
            String map = "Linear \"" + spec.in() + "\" -> \"" + spec.out() + "\"";
            boolean biases = spec.biases() || spec.biasEntries().contains(true);
            throw new InvalidSpecException(List.of(Problem.at(Location.WHOLE, Message.NO_PATHS,
                    biases ? map + " (with no 0e output to bias)" : map, "")));
        }
        return model;
    }

    private static void checkFeatures(String attribute, int features, List<Problem> problems) {
        if (features < 1) {
            problems.add(Problem.at(Location.attribute(attribute), Message.FEATURES, attribute, features));
        }
    }

    /** {@code a + b} for non-negative values, or {@link Long#MAX_VALUE} where that overflows. */
    private static long saturatedSum(long a, long b) {
        return a > Long.MAX_VALUE - b ? Long.MAX_VALUE : a + b;
    }

    private static void checkSize(String what, long size, String unit, List<Problem> problems) {
        if (size > Integer.MAX_VALUE) {
            problems.add(Problem.at(Location.WHOLE, Message.TOO_LARGE, what + " " + size + " " + unit
                    + ", more than an array holds (" + Integer.MAX_VALUE + ")"));
        }
    }

    /** e3nn's default instructions: every pair of entries with the same irrep, {@code i_in} in the outer loop. */
    private static List<int[]> allowedPairs(Irreps in, Irreps out) {
        List<int[]> pairs = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            for (int o = 0; o < out.size(); o++) {
                if (in.get(i).ir().equals(out.get(o).ir())) {
                    pairs.add(new int[] {i, o});
                }
            }
        }
        return pairs;
    }

    /** The explicit instructions, each checked: indices in range, the same irrep on both ends. */
    private static List<int[]> instructions(LinearSpec spec, Irreps in, Irreps out, List<Problem> problems) {
        List<int[]> pairs = new ArrayList<>();
        for (int n = 0; n < spec.paths().size(); n++) {
            LinearSpec.Instruction instruction = spec.paths().get(n);
            boolean inValid = checkIndex(n, "in", instruction.in(), in, problems);
            boolean outValid = checkIndex(n, "out", instruction.out(), out, problems);
            if (inValid && outValid) {
                MulIrrep entryIn = in.get(instruction.in());
                MulIrrep entryOut = out.get(instruction.out());
                if (!entryIn.ir().equals(entryOut.ir())) {
                    problems.add(Problem.at(Location.member("paths", n, null), Message.LINEAR_PATH_IRREP, n,
                            instruction.in(), entryIn, instruction.out(), entryOut));
                }
                pairs.add(new int[] {instruction.in(), instruction.out()});
            }
        }
        return pairs;
    }

    private static boolean checkIndex(int n, String member, int index, Irreps irreps, List<Problem> problems) {
        if (index < 0 || index >= irreps.size()) {
            problems.add(Problem.at(Location.member("paths", n, member), Message.PATH_INDEX, n, member, index, member,
                    irreps.toString(), irreps.size()));
            return false;
        }
        return true;
    }

    /** Which output entries take biases: {@code biasEntries} when given, else every {@code 0e} entry if biases. */
    private static boolean[] biasedEntries(LinearSpec spec, Irreps out, List<Problem> problems) {
        boolean[] biased = new boolean[out.size()];
        if (spec.biasEntries().isEmpty()) {
            for (int o = 0; o < out.size(); o++) {
                biased[o] = spec.biases() && out.get(o).ir().isScalar();
            }
            return biased;
        }
        if (spec.biases()) {
            problems.add(Problem.at(Location.attribute("biasEntries"), Message.BIASES_AND_ENTRIES));
        }
        if (spec.biasEntries().size() != out.size()) {
            problems.add(Problem.at(Location.attribute("biasEntries"), Message.BIAS_ENTRIES_LENGTH,
                    spec.biasEntries().size(), out.toString(), out.size()));
            return biased;
        }
        for (int o = 0; o < out.size(); o++) {
            biased[o] = spec.biasEntries().get(o);
            if (biased[o] && !out.get(o).ir().isScalar()) {
                problems.add(Problem.at(Location.member("biasEntries", o, null), Message.BIAS_NOT_SCALAR, o, o,
                        out.get(o)));
            }
        }
        return biased;
    }

    /**
     * Builds e3nn's default instructions and normalization for {@code in -> out}, shared weights, one feature, in
     * e3nn's layout and double precision.
     */
    public static LinearModel of(Irreps in, Irreps out, boolean withBiases, PathNormalization normalization) {
        boolean[] biased = new boolean[out.size()];
        for (int o = 0; o < out.size(); o++) {
            biased[o] = withBiases && out.get(o).ir().isScalar();
        }
        return of(in, out, allowedPairs(in, out), biased, normalization, true, 1, 1, Layout.MUL_IR,
                Precision.DOUBLE);
    }

    /**
     * The plan of the instructions {@code pairs} (valid, same irreps) with biases on the entries flagged in
     * {@code biased}, each path and bias repeated over the {@code fIn x fOut} feature pairs.
     */
    static LinearModel of(Irreps in, Irreps out, List<int[]> pairs, boolean[] biased,
                          PathNormalization normalization, boolean sharedWeights, int fIn, int fOut,
                          Layout layout, Precision precision) {
        int featureWeights = 0;
        for (int[] pair : pairs) {
            featureWeights += in.get(pair[0]).mul() * out.get(pair[1]).mul();
        }
        List<Path> paths = new ArrayList<>();
        for (int x = 0; x < fIn; x++) {
            for (int y = 0; y < fOut; y++) {
                int weightOffset = (x * fOut + y) * featureWeights;
                for (int[] pair : pairs) {
                    MulIrrep entryIn = in.get(pair[0]);
                    MulIrrep entryOut = out.get(pair[1]);
                    long fanIn = fanIn(in, pairs, pair, normalization)
                            * (normalization == PathNormalization.NONE ? 1 : fIn);
                    Path path = new Path(x * in.size() + pair[0], y * out.size() + pair[1], entryIn.mul(),
                            entryOut.mul(), entryIn.ir().dim(), weightOffset,
                            BigFraction.of(1, fanIn == 0 ? 1 : fanIn));
                    paths.add(path);
                    weightOffset += path.weightNumel();
                }
            }
        }
        List<Bias> biases = new ArrayList<>();
        int biasOffset = 0;
        for (int y = 0; y < fOut; y++) {
            for (int o = 0; o < out.size(); o++) {
                if (biased[o]) {
                    biases.add(new Bias(y * out.size() + o, out.get(o).mul(), biasOffset));
                    biasOffset += out.get(o).mul();
                }
            }
        }
        return new LinearModel(fIn == 1 ? in : in.repeat(fIn), fOut == 1 ? out : out.repeat(fOut), normalization,
                paths, biases, featureWeights * fIn * fOut, biasOffset, sharedWeights, fIn, fOut, layout, precision);
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
