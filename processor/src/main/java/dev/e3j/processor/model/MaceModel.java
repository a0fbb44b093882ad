package dev.e3j.processor.model;

import dev.e3j.annotations.Mace;
import dev.e3j.processor.diagnostics.Location;
import dev.e3j.processor.diagnostics.Message;
import dev.e3j.processor.diagnostics.Problem;
import dev.e3j.runtime.Irrep;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.Irreps.MulIrrep;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Every block of mace-torch v0.3.6's {@code MACE} (and {@code ScaleShiftMACE}), derived from the constructor
 * arguments exactly as its {@code __init__} does; no javac types.
 *
 * <p>With {@code C} the number of {@code 0e} channels of {@code hiddenIrreps} and {@code Z} the number of elements:
 * node attributes {@code Zx0e} (one-hot), node embedding {@code Zx0e -> Cx0e}, edge attributes the spherical
 * harmonics {@code 0e + 1o + ... + maxEll}, and the interactions' target {@code C x (0e + 1o + ...)} (mace-torch's
 * {@code (sh_irreps * C).sort().simplify()}). Interaction {@code t} takes {@code Cx0e} (t = 0) or
 * {@code hiddenIrreps}, and its product gives {@code hiddenIrreps}, or only its first entry (the scalars) in the
 * last interaction of two or more; that one is read out by the non-linear readout through {@code mlpIrreps}.
 *
 * @param channels  the {@code 0e} channels {@code C}
 * @param nodeAttrs {@code Zx0e}
 * @param shIrreps  the edge attributes' irreps, {@code 1x0e+1x1o+...}
 * @param target    the interactions' output, {@code C x (0e + 1o + ...)}
 */
public record MaceModel(MaceSpec spec, int channels, Irreps nodeAttrs, Irreps nodeFeats, Irreps shIrreps,
                        Irreps target, Irreps hidden, Irreps mlp, List<Block> blocks) {

    /** Largest {@code maxEll}. */
    public static final int MAX_ELL = 6;
    /** Largest correlation order. */
    public static final int MAX_CORRELATION = 4;

    /**
     * One interaction with its product and readout (modules {@code interactions.t}, {@code products.t},
     * {@code readouts.t}).
     *
     * @param residual   {@code RealAgnosticResidualInteractionBlock} (else {@code RealAgnosticInteractionBlock})
     * @param in         the node features it takes
     * @param mid        the edge product's output, mace-torch's sorted {@code irreps_mid}
     * @param paths      the edge product's {@code uvu} instructions in mace-torch's order (sorted by output)
     * @param skipIn     the skip product's first input: {@code in} (residual) or the target
     * @param skipOut    the skip product's output: {@code hiddenOut} (residual) or the target
     * @param hiddenOut  the product's output
     * @param nonLinearReadout whether the readout is {@code NonLinearReadoutBlock} (the last of two or more)
     */
    public record Block(int index, boolean residual, Irreps in, Irreps mid, List<EdgePath> paths, Irreps skipIn,
                        Irreps skipOut, Irreps hiddenOut, int correlation, boolean nonLinearReadout) {
    }

    /**
     * Derives every block of {@code spec}.
     *
     * @throws InvalidSpecException listing every problem, each on its attribute
     */
    public static MaceModel build(MaceSpec spec) throws InvalidSpecException {
        List<Problem> problems = new ArrayList<>();
        Irreps hidden = IrrepsAttribute.parse(spec.hiddenIrreps(), "hiddenIrreps", problems);
        Irreps mlp = IrrepsAttribute.parse(spec.mlpIrreps(), "mlpIrreps", problems);
        requirePositive("rMax", spec.rMax(), problems);
        requirePositive("avgNumNeighbors", spec.avgNumNeighbors(), problems);
        // a Gaussian basis spaces its centres rMax / (numBessel - 1) apart
        requireRange("numBessel", spec.numBessel(), spec.radialType() == Mace.RadialType.GAUSSIAN ? 2 : 1, 1 << 12,
                problems);
        requireRange("numPolynomialCutoff", spec.numPolynomialCutoff(), 1, 64, problems);
        requireRange("maxEll", spec.maxEll(), 0, MAX_ELL, problems);
        requireRange("numInteractions", spec.numInteractions(), 1, 64, problems);
        for (int width : spec.radialMlp()) {
            if (width < 1 || width > 1 << 16) {
                problems.add(Problem.at(Location.attribute("radialMlp"), Message.MODEL_VALUE, "radialMlp",
                        spec.radialMlp(), "widths from 1 to " + (1 << 16)));
                break;
            }
        }
        checkAtomicNumbers(spec.atomicNumbers(), problems);
        List<Integer> correlations = correlations(spec, problems);
        if (!problems.stream().anyMatch(p -> "hiddenIrreps".equals(p.location().attribute()))) {
            checkHidden(spec, hidden, problems);
        }
        if (!problems.stream().anyMatch(p -> "mlpIrreps".equals(p.location().attribute()))
                && (mlp.size() != 1 || !mlp.get(0).ir().equals(Irrep.of(0, 1)) || mlp.get(0).mul() < 1)) {
            problems.add(Problem.at(Location.attribute("mlpIrreps"), Message.MACE_MLP_IRREPS, spec.mlpIrreps()));
        }
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(problems);
        }

        int channels = hidden.get(0).mul();
        int elements = spec.atomicNumbers().size();
        Irreps nodeAttrs = Irreps.parse(elements + "x0e");
        Irreps nodeFeats = Irreps.parse(channels + "x0e");
        List<MulIrrep> sh = new ArrayList<>();
        List<MulIrrep> target = new ArrayList<>();
        for (int l = 0; l <= spec.maxEll(); l++) {
            sh.add(MulIrrep.of(1, Irrep.of(l, Irrep.shParity(l))));
            target.add(MulIrrep.of(channels, Irrep.of(l, Irrep.shParity(l))));
        }
        Irreps shIrreps = Irreps.of(sh);
        Irreps targetIrreps = Irreps.of(target);
        Irreps scalars = Irreps.of(List.of(hidden.get(0)));
        List<Block> blocks = new ArrayList<>();
        int last = spec.numInteractions() - 1;
        for (int t = 0; t <= last; t++) {
            boolean residual = (t == 0 ? spec.interactionFirst() : spec.interaction())
                    == Mace.Interaction.REAL_AGNOSTIC_RESIDUAL;
            Irreps in = t == 0 ? nodeFeats : hidden;
            Irreps hiddenOut = t == last && last > 0 ? scalars : hidden;
            EdgePath.Product product = EdgePath.Product.of(in, shIrreps, targetIrreps);
            // mace-torch sorts the instructions by output, too.
            List<EdgePath> renumbered = new ArrayList<>(product.paths());
            renumbered.sort((a, b) -> Integer.compare(a.out(), b.out()));
            blocks.add(new Block(t, residual, in, product.mid(), List.copyOf(renumbered),
                    residual ? in : targetIrreps, residual ? hiddenOut : targetIrreps, hiddenOut,
                    correlations.get(t), t == last && last > 0));
        }
        return new MaceModel(spec, channels, nodeAttrs, nodeFeats, shIrreps, targetIrreps, hidden, mlp,
                List.copyOf(blocks));
    }

    /** The number of elements {@code Z}. */
    public int elements() {
        return nodeAttrs.dim();
    }

    /**
     * Whether the model computes each skip product per element, through the same product with the second input
     * {@link #oneElementAttrs()} (the runtime's {@code OneElementSkip}): with more than one element, where the one-hot
     * node attributes make all but one of the dense product's weight slices multiply zeros.
     */
    public boolean skipByElement() {
        return elements() > 1;
    }

    /** The second input of the per-element skip products: {@code 1x0e}. */
    public Irreps oneElementAttrs() {
        return Irreps.parse("1x0e");
    }

    private static List<Integer> correlations(MaceSpec spec, List<Problem> problems) {
        List<Integer> given = spec.correlation();
        int n = Math.max(spec.numInteractions(), 0);
        if (given.size() != 1 && given.size() != n) {
            problems.add(Problem.at(Location.attribute("correlation"), Message.MACE_CORRELATION, given,
                    spec.numInteractions()));
            return List.of();
        }
        for (int c : given) {
            if (c < 1 || c > MAX_CORRELATION) {
                problems.add(Problem.at(Location.attribute("correlation"), Message.MODEL_VALUE, "correlation", given,
                        "orders from 1 to " + MAX_CORRELATION));
                return List.of();
            }
        }
        List<Integer> out = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            out.add(given.size() == 1 ? given.get(0) : given.get(t));
        }
        return out;
    }

    private static void checkAtomicNumbers(List<Integer> numbers, List<Problem> problems) {
        Set<Integer> seen = new HashSet<>();
        for (int z : numbers) {
            if (z < 1 || z > 118) {
                problems.add(Problem.at(Location.attribute("atomicNumbers"), Message.MACE_ATOMIC_NUMBERS, numbers,
                        z + " is not an atomic number (1 to 118)"));
                return;
            }
            if (!seen.add(z)) {
                problems.add(Problem.at(Location.attribute("atomicNumbers"), Message.MACE_ATOMIC_NUMBERS, numbers,
                        z + " appears twice"));
                return;
            }
        }
        if (numbers.isEmpty()) {
            problems.add(Problem.at(Location.attribute("atomicNumbers"), Message.MACE_ATOMIC_NUMBERS, numbers,
                    "no elements"));
        }
    }

    /**
     * mace-torch's product blocks need every hidden entry to have the channels of the {@code 0e} entry (the
     * symmetric contraction works channel by channel), its first entry to be those scalars (the last interaction
     * keeps {@code hidden_irreps[0]}), and each entry to be reachable from the target: {@code l <= maxEll} with
     * parity {@code (-1)^l}, once.
     */
    private static void checkHidden(MaceSpec spec, Irreps hidden, List<Problem> problems) {
        String text = spec.hiddenIrreps();
        if (hidden.size() == 0 || !hidden.get(0).ir().equals(Irrep.of(0, 1)) || hidden.get(0).mul() < 1) {
            problems.add(Problem.at(Location.attribute("hiddenIrreps"), Message.MACE_HIDDEN_IRREPS, text,
                    "the first entry must be the even scalars (\"Cx0e\", C >= 1), which the last interaction keeps"));
            return;
        }
        int channels = hidden.get(0).mul();
        Set<Irrep> seen = new HashSet<>();
        for (MulIrrep entry : hidden) {
            Irrep ir = entry.ir();
            if (entry.mul() != channels) {
                problems.add(Problem.at(Location.attribute("hiddenIrreps"), Message.MACE_HIDDEN_IRREPS, text,
                        "entry " + entry + " must have the " + channels + " channels of the scalars (the symmetric"
                                + " contraction works channel by channel)"));
                return;
            }
            if (ir.p() != Irrep.shParity(ir.l()) || ir.l() > spec.maxEll()) {
                problems.add(Problem.at(Location.attribute("hiddenIrreps"), Message.MACE_HIDDEN_IRREPS, text,
                        "entry " + entry + " must have l <= maxEll = " + spec.maxEll() + " and parity (-1)^l, as"
                                + " the spherical harmonics' products give"));
                return;
            }
            if (!seen.add(ir)) {
                problems.add(Problem.at(Location.attribute("hiddenIrreps"), Message.MACE_HIDDEN_IRREPS, text,
                        "irrep " + ir + " appears twice"));
                return;
            }
        }
    }

    private static void requireRange(String attribute, int value, int min, int max, List<Problem> problems) {
        if (value < min || value > max) {
            problems.add(Problem.at(Location.attribute(attribute), Message.MODEL_VALUE, attribute, value,
                    "a value from " + min + " to " + max));
        }
    }

    private static void requirePositive(String attribute, double value, List<Problem> problems) {
        if (!(value > 0 && value < Double.POSITIVE_INFINITY)) {
            problems.add(Problem.at(Location.attribute(attribute), Message.MODEL_VALUE, attribute, value,
                    "a finite value > 0"));
        }
    }
}
