package dev.e3j.processor.model;

import dev.e3j.annotations.CgConvention;
import dev.e3j.annotations.Layout;
import dev.e3j.annotations.Precision;
import dev.e3j.processor.diagnostics.Location;
import dev.e3j.processor.diagnostics.Message;
import dev.e3j.processor.diagnostics.Problem;
import dev.e3j.processor.math.ProductBasis;
import dev.e3j.runtime.Irrep;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.Irreps.MulIrrep;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The exact plan of mace-torch's {@code SymmetricContraction(irreps_in, irreps_out, correlation, num_elements)}: no
 * javac types, only what the writers need.
 *
 * <p>Each node's features are {@code channels} copies of one channel's {@code D} components (one copy of each input
 * irrep, in order: MACE's {@code coupling_irreps}, gathered from e3nn's {@code mul_ir} layout as MACE's
 * {@code reshape_irreps} does). One {@link Contraction} per output entry couples them to its irrep {@code L}:
 * {@code out[c][m] = Σ_ν Σ_k w_ν[element][k][c] P_νk[m](x_c)} with {@code P_νk[m](x) = Σ U_ν[m][i1]...[iν][k]
 * x[i1]...x[iν]}, the bases {@code U_ν} of {@link ProductBasis}. The weights are flat, per output entry MACE's
 * {@code weights_max} ({@code ν = correlation}) then {@code weights.0}, {@code weights.1}, ... ({@code ν =
 * correlation - 1, ..., 1}), each {@code [elements][K_ν][channels]}.
 *
 * @param coupling    one channel's irreps, in order
 * @param channels    the multiplicity of every entry of {@code in} and {@code out}
 * @param weightNumel the number of weights
 * @param layout      how each node's features, outputs and their gradients lay out their irrep blocks
 * @param precision   the floating-point types the kernel is written for
 */
public record SymmetricContractionModel(Irreps irrepsIn, Irreps irrepsOut, int channels, int correlation,
                                        int elements, CgConvention convention, List<Irrep> coupling,
                                        List<Contraction> contractions, int weightNumel, Layout layout,
                                        Precision precision) {

    /** The highest correlation; MACE's own models use 1 to 3. */
    public static final int MAX_CORRELATION = 4;
    /**
     * The most entries {@code Σ_L (2L + 1) D^correlation} the dense bases may have, which bounds the compile time:
     * MACE's {@code 0e+1o+2e+3o} ({@code D = 16}) to {@code 0e+1o+2e} at correlation 3 has 36864 and compiles in about
     * 11 s of CPU; correlation 4 to {@code 0e} has 65536.
     */
    public static final long MAX_BASIS_ENTRIES = 1L << 17;

    /**
     * One output entry, MACE's {@code contractions.<index>}.
     *
     * @param outStart where its {@code [channels][2L+1]} block starts in a node's output
     * @param bases    its bases in weight order: {@code ν = correlation} first (MACE's {@code weights_max})
     */
    public record Contraction(int index, Irrep irrep, int outStart, List<Basis> bases) {

        public Contraction {
            bases = List.copyOf(bases);
        }
    }

    /**
     * One basis {@code U_ν} and its weights {@code [elements][K_ν][channels]} from {@code weightOffset}, named
     * {@code name} in MACE's {@code state_dict} relative to the {@code SymmetricContraction}.
     */
    public record Basis(ProductBasis basis, String name, int weightOffset) {

        public int degree() {
            return basis.degree();
        }

        /** {@code K_ν}. */
        public int columns() {
            return basis.columns();
        }
    }

    public SymmetricContractionModel {
        coupling = List.copyOf(coupling);
        contractions = List.copyOf(contractions);
    }

    /** {@code D}, the components of one channel. */
    public int channelDim() {
        return coupling.stream().mapToInt(Irrep::dim).sum();
    }

    /**
     * Parses and plans {@code spec}, computing every basis exactly.
     *
     * @throws InvalidSpecException listing every problem found
     */
    public static SymmetricContractionModel build(SymmetricContractionSpec spec) throws InvalidSpecException {
        List<Problem> problems = new ArrayList<>();
        Irreps in = IrrepsAttribute.parse(spec.in(), "in", problems);
        Irreps out = IrrepsAttribute.parse(spec.out(), "out", problems);
        if (spec.correlation() < 1 || spec.correlation() > MAX_CORRELATION) {
            problems.add(Problem.at(Location.attribute("correlation"), Message.CORRELATION, spec.correlation(),
                    MAX_CORRELATION, MAX_CORRELATION + 1));
        }
        if (spec.elements() < 1) {
            problems.add(Problem.at(Location.attribute("elements"), Message.ELEMENTS, spec.elements()));
        }
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(problems);
        }
        if (in.isEmpty()) {
            problems.add(Problem.at(Location.attribute("in"), Message.EMPTY_IRREPS, "in"));
        }
        if (out.isEmpty()) {
            problems.add(Problem.at(Location.attribute("out"), Message.EMPTY_IRREPS, "out"));
        }
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(problems);
        }
        int channels = in.get(0).mul();
        checkChannels("in", spec.in(), in, channels, problems);
        checkChannels("out", spec.out(), out, channels, problems);
        List<Irrep> coupling = in.entries().stream().map(MulIrrep::ir).toList();
        int dim = coupling.stream().mapToInt(Irrep::dim).sum();
        double entries = 0;
        for (MulIrrep entry : out) {
            entries += entry.ir().dim() * Math.pow(dim, spec.correlation());
        }
        if (entries > MAX_BASIS_ENTRIES) {
            problems.add(Problem.at(Location.WHOLE, Message.TOO_LARGE, String.format(
                    "the bases of correlation %d from one channel of %d components (%s) to out = \"%s\" would have"
                            + " %.0f entries (the sum of (2L + 1) D^correlation), more than the %d e3j computes in"
                            + " reasonable time", spec.correlation(), dim, irrepsText(coupling), spec.out(),
                    entries, MAX_BASIS_ENTRIES)));
        }
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(problems);
        }
        for (int o = 0; o < out.size(); o++) {
            Irrep irrep = out.get(o).ir();
            for (int degree = 1; degree <= spec.correlation(); degree++) {
                if (!ProductBasis.reachable(coupling, degree).contains(irrep)) {
                    problems.add(Problem.at(Location.attribute("out"), Message.UNREACHABLE_DEGREE, o, irrep, degree,
                            irrepsText(coupling), irrep, degree, irrep));
                    break;
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(problems);
        }
        List<Contraction> contractions = new ArrayList<>();
        int weightOffset = 0;
        for (int o = 0; o < out.size(); o++) {
            Irrep irrep = out.get(o).ir();
            List<Basis> bases = new ArrayList<>();
            for (int degree = spec.correlation(); degree >= 1; degree--) {
                ProductBasis basis = ProductBasis.of(coupling, irrep, degree, spec.cgConvention());
                String name = "contractions." + o + "." + (degree == spec.correlation()
                        ? "weights_max" : "weights." + (spec.correlation() - 1 - degree));
                bases.add(new Basis(basis, name, weightOffset));
                weightOffset = Math.addExact(weightOffset,
                        Math.multiplyExact(spec.elements(), basis.columns() * channels));
            }
            contractions.add(new Contraction(o, irrep, out.offset(o), bases));
        }
        return new SymmetricContractionModel(in, out, channels, spec.correlation(), spec.elements(),
                spec.cgConvention(), coupling, contractions, weightOffset, spec.layout(), spec.precision());
    }

    private static void checkChannels(String attribute, String text, Irreps irreps, int channels,
                                      List<Problem> problems) {
        for (int e = 0; e < irreps.size(); e++) {
            if (irreps.get(e).mul() != channels) {
                problems.add(Problem.at(Location.attribute(attribute), Message.CHANNELS, attribute, text,
                        String.format("entry %d (%s) has multiplicity %d, but in's first entry has %d", e,
                                irreps.get(e), irreps.get(e).mul(), channels)));
                return;
            }
        }
    }

    private static String irrepsText(List<Irrep> irreps) {
        return irreps.stream().map(Irrep::toString).collect(Collectors.joining("+"));
    }
}
