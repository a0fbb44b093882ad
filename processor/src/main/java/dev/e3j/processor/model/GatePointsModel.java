package dev.e3j.processor.model;

import dev.e3j.annotations.CgConvention;
import dev.e3j.annotations.IrrepNormalization;
import dev.e3j.annotations.PathNormalization;
import dev.e3j.annotations.Precision;
import dev.e3j.annotations.TensorProduct;
import dev.e3j.processor.diagnostics.Location;
import dev.e3j.processor.diagnostics.Message;
import dev.e3j.processor.diagnostics.Problem;
import dev.e3j.runtime.Irrep;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.Irreps.MulIrrep;
import dev.e3j.runtime.nn.Gate;
import dev.e3j.runtime.nn.ScalarFunction;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every layer of e3nn's {@code gate_points_2101.Network}, derived from the constructor arguments exactly as e3nn's
 * {@code __init__} does; no javac types.
 *
 * <p>Starting from {@code irreps = irrepsIn} (or {@code 0e}), each of the {@code layers} gated layers keeps the
 * entries of {@code irrepsHidden} that some path of {@code irreps x irrepsEdgeAttr} reaches ({@code tp_path_exists}):
 * the scalars (SiLU on {@code 0e}, tanh on {@code 0o}) and the gated {@code l > 0} entries, each gated by
 * {@code mul} scalars of {@code 0e} (sigmoid) or, when no path reaches {@code 0e}, {@code 0o} (tanh). The convolution
 * before the gate maps {@code irreps} to the gate's sorted input; the last convolution maps to {@code irrepsOut}.
 *
 * @param irrepsIn       node input irreps, {@code null} for e3nn's {@code None}
 * @param irrepsNodeAttr node attribute irreps, {@code null} for e3nn's {@code None}
 * @param shDegrees      the degrees of the edge attributes' spherical harmonics, one per component block
 */
public record GatePointsModel(GatePointsSpec spec, Irreps irrepsIn, Irreps irrepsNodeAttr, Irreps irrepsEdgeAttr,
                              Irreps irrepsOut, List<Integer> shDegrees, List<Convolution> convolutions,
                              List<GateLayer> gates) {

    /** Largest spherical-harmonic degree of the edge attributes (that of {@code @SphericalHarmonics}). */
    public static final int MAX_EDGE_DEGREE = 20;

    /**
     * One {@code gate_points_2101.Convolution}: fully connected products {@code sc: in x attr -> out},
     * {@code lin1: in x attr -> in}, {@code lin2: mid x attr -> out}, and the edge product
     * {@code tp: in x edgeAttr -> mid} with one weighted {@code uvu} path per {@code mid} entry.
     *
     * @param prefix      the module's {@code state_dict} prefix, e.g. {@code layers.0.first}
     * @param paths       the edge product's instructions in e3nn's order, outputs indexing the sorted {@code mid}
     * @param radialHidden widths of the radial MLP's hidden layers
     */
    public record Convolution(String prefix, Irreps in, Irreps out, Irreps mid, List<EdgePath> paths,
                              List<Integer> radialHidden) {
    }

    /**
     * One e3nn {@code nn.Gate}: activations by parity, one per entry of {@code scalars} and of {@code gates}.
     *
     * @param prefix the module's {@code state_dict} prefix, e.g. {@code layers.0.second}
     */
    public record GateLayer(String prefix, Irreps scalars, List<Activation> actScalars, Irreps gates,
                            List<Activation> actGates, Irreps gated, Irreps irrepsIn, Irreps irrepsOut) {
    }

    /** e3nn's activations in {@code gate_points_2101}, each a runtime {@link ScalarFunction} constant. */
    public enum Activation {
        SILU(ScalarFunction.SILU), TANH(ScalarFunction.TANH), SIGMOID(ScalarFunction.SIGMOID);

        private final ScalarFunction function;

        Activation(ScalarFunction function) {
            this.function = function;
        }

        public ScalarFunction function() {
            return function;
        }
    }

    /**
     * Derives every layer of {@code spec}.
     *
     * @throws InvalidSpecException listing every problem, each on its attribute
     */
    public static GatePointsModel build(GatePointsSpec spec) throws InvalidSpecException {
        List<Problem> problems = new ArrayList<>();
        Irreps in = spec.irrepsIn().isBlank() ? null : IrrepsAttribute.parse(spec.irrepsIn(), "irrepsIn", problems);
        Irreps hidden = IrrepsAttribute.parse(spec.irrepsHidden(), "irrepsHidden", problems);
        Irreps out = IrrepsAttribute.parse(spec.irrepsOut(), "irrepsOut", problems);
        Irreps nodeAttr = spec.irrepsNodeAttr().isBlank() ? null
                : IrrepsAttribute.parse(spec.irrepsNodeAttr(), "irrepsNodeAttr", problems);
        Irreps edgeAttr = IrrepsAttribute.parse(spec.irrepsEdgeAttr(), "irrepsEdgeAttr", problems);
        List<Integer> shDegrees = new ArrayList<>();
        for (MulIrrep entry : edgeAttr) {
            Irrep ir = entry.ir();
            if (ir.l() > MAX_EDGE_DEGREE || ir.p() != Irrep.shParity(ir.l())) {
                problems.add(Problem.at(Location.attribute("irrepsEdgeAttr"), Message.EDGE_ATTR_NOT_HARMONICS,
                        spec.irrepsEdgeAttr(), entry));
            }
            for (int u = 0; u < entry.mul(); u++) {
                shDegrees.add(ir.l());
            }
        }
        requireNonEmpty(spec.irrepsOut(), "irrepsOut", out, problems);
        requireNonEmpty(spec.irrepsEdgeAttr(), "irrepsEdgeAttr", edgeAttr, problems);
        requireNonEmpty(spec.irrepsNodeAttr(), "irrepsNodeAttr", nodeAttr, problems);
        requireNonEmpty(spec.irrepsIn(), "irrepsIn", in, problems);
        requireRange("layers", spec.layers(), 0, 100, problems);
        requireRange("numberOfBasis", spec.numberOfBasis(), 1, 1 << 16, problems);
        requireRange("radialLayers", spec.radialLayers(), 0, 100, problems);
        requireRange("radialNeurons", spec.radialNeurons(), 1, 1 << 16, problems);
        requirePositive("maxRadius", spec.maxRadius(), problems);
        requirePositive("numNeighbors", spec.numNeighbors(), problems);
        requirePositive("numNodes", spec.numNodes(), problems);
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(problems);
        }

        Irreps attr = nodeAttr != null ? nodeAttr : Irreps.parse("0e");
        List<Integer> radialHidden = new ArrayList<>();
        for (int i = 0; i < spec.radialLayers(); i++) {
            radialHidden.add(spec.radialNeurons());
        }
        Irreps irreps = in != null ? in : Irreps.parse("0e");
        List<Convolution> convolutions = new ArrayList<>();
        List<GateLayer> gates = new ArrayList<>();
        for (int layer = 0; layer < spec.layers(); layer++) {
            List<MulIrrep> scalars = new ArrayList<>();
            List<MulIrrep> gated = new ArrayList<>();
            for (MulIrrep entry : hidden) {
                if (pathExists(irreps, edgeAttr, entry.ir())) {
                    (entry.ir().l() == 0 ? scalars : gated).add(entry);
                }
            }
            if (scalars.isEmpty() && gated.isEmpty()) {
                problems.add(Problem.at(Location.attribute("irrepsHidden"), Message.EMPTY_GATE, layer,
                        spec.irrepsHidden(), irreps, spec.irrepsEdgeAttr()));
                throw new InvalidSpecException(problems);
            }
            Irrep gateIr = pathExists(irreps, edgeAttr, Irrep.of(0, 1)) ? Irrep.of(0, 1) : Irrep.of(0, -1);
            List<MulIrrep> gateEntries = new ArrayList<>();
            List<Activation> actScalars = new ArrayList<>();
            List<Activation> actGates = new ArrayList<>();
            for (MulIrrep entry : scalars) {
                actScalars.add(entry.ir().p() == 1 ? Activation.SILU : Activation.TANH);
            }
            for (MulIrrep entry : gated) {
                gateEntries.add(MulIrrep.of(entry.mul(), gateIr));
                actGates.add(gateIr.p() == 1 ? Activation.SIGMOID : Activation.TANH);
            }
            Gate gate = new Gate(Irreps.of(scalars), functions(actScalars), Irreps.of(gateEntries),
                    functions(actGates), Irreps.of(gated));
            String prefix = "layers." + layer;
            convolutions.add(convolution(prefix + ".first", irreps, edgeAttr, gate.irrepsIn(), radialHidden));
            gates.add(new GateLayer(prefix + ".second", Irreps.of(scalars), actScalars, Irreps.of(gateEntries),
                    actGates, Irreps.of(gated), gate.irrepsIn(), gate.irrepsOut()));
            irreps = gate.irrepsOut();
        }
        Convolution last = convolution("layers." + spec.layers(), irreps, edgeAttr, out, radialHidden);
        if (last.paths().isEmpty()) {
            problems.add(Problem.at(Location.attribute("irrepsOut"), Message.UNREACHABLE_OUTPUT, spec.irrepsOut(),
                    irreps, spec.irrepsEdgeAttr()));
            throw new InvalidSpecException(problems);
        }
        convolutions.add(last);
        for (int i = 0; i < convolutions.size(); i++) {
            checkProducts(convolutions.get(i), attr, edgeAttr, spec.cgConvention(),
                    i < spec.layers() ? "irrepsHidden" : "irrepsOut", problems);
        }
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(problems);
        }
        return new GatePointsModel(spec, in, nodeAttr, edgeAttr, out, shDegrees, convolutions, gates);
    }

    /** The node attribute irreps the products use: {@code 1x0e} of ones without attributes. */
    public Irreps productAttr() {
        return irrepsNodeAttr != null ? irrepsNodeAttr : Irreps.parse("0e");
    }

    private static List<ScalarFunction> functions(List<Activation> activations) {
        return activations.stream().map(Activation::function).toList();
    }

    /**
     * e3nn's convolution: the edge product's {@code irreps_mid} and instructions, every {@code ir_out} of
     * {@code ir_in x ir_edge} that {@code out} contains, then sorted (stably, by irrep) with the instructions'
     * outputs renumbered.
     */
    private static Convolution convolution(String prefix, Irreps in, Irreps edgeAttr, Irreps out,
                                           List<Integer> radialHidden) {
        EdgePath.Product product = EdgePath.Product.of(in, edgeAttr, out);
        return new Convolution(prefix, in, out, product.mid(), product.paths(), List.copyOf(radialHidden));
    }

    /**
     * The problems that the processor would report on a convolution's generated products (sizes, coupled pairs),
     * found now and reported on {@code attribute} of the model's own annotation instead of in generated code.
     */
    private static void checkProducts(Convolution conv, Irreps attr, Irreps edgeAttr, CgConvention convention,
                                      String attribute, List<Problem> problems) {
        Map<String, TensorProductSpec> products = new LinkedHashMap<>();
        products.put(conv.prefix() + ".sc", fullyConnected(conv.in(), attr, conv.out(), convention));
        products.put(conv.prefix() + ".lin1", fullyConnected(conv.in(), attr, conv.in(), convention));
        products.put(conv.prefix() + ".tp", new TensorProductSpec(conv.in().toString(), edgeAttr.toString(),
                conv.mid().toString(), TensorProduct.Kind.CUSTOM, conv.paths().stream()
                        .map(p -> new PathSpec(p.in1(), p.in2(), p.out(), "uvu", true, "1")).toList(),
                IrrepNormalization.COMPONENT, PathNormalization.ELEMENT, false, Precision.DOUBLE, convention));
        products.put(conv.prefix() + ".lin2", fullyConnected(conv.mid(), attr, conv.out(), convention));
        for (Map.Entry<String, TensorProductSpec> product : products.entrySet()) {
            TensorProductSpec spec = product.getValue();
            if (spec.kind() == TensorProduct.Kind.FULLY_CONNECTED
                    && !fullyConnectedHasPaths(Irreps.parse(spec.in1()), Irreps.parse(spec.in2()),
                            Irreps.parse(spec.out()))) {
                continue;
            }
            try {
                TensorProductModels.check(spec);
            } catch (InvalidSpecException e) {
                for (Problem problem : e.problems()) {
                    problems.add(Problem.at(Location.attribute(attribute), Message.DERIVED_PRODUCT, product.getKey(),
                            spec.in1() + " x " + spec.in2() + " -> " + spec.out(), problem.text()));
                }
            }
        }
    }

    private static TensorProductSpec fullyConnected(Irreps in1, Irreps in2, Irreps out, CgConvention convention) {
        return TensorProductSpec.of(in1.toString(), in2.toString(), out.toString(), TensorProduct.Kind.FULLY_CONNECTED)
                .withCgConvention(convention);
    }

    /** Whether e3nn's {@code FullyConnectedTensorProduct(in1, in2, out)} has a path (else it has no weights). */
    public static boolean fullyConnectedHasPaths(Irreps in1, Irreps in2, Irreps out) {
        return out.entries().stream().anyMatch(entry -> reaches(in1, in2, entry));
    }

    /**
     * Whether some entry of {@code out} is left at zero by e3nn's {@code FullyConnectedTensorProduct(in1, in2, out)}
     * (e3nn's {@code output_mask} is 0 there): no path reaches it.
     */
    public static boolean fullyConnectedLeavesZeros(Irreps in1, Irreps in2, Irreps out) {
        return out.entries().stream().anyMatch(entry -> entry.mul() > 0 && !reaches(in1, in2, entry));
    }

    private static boolean reaches(Irreps in1, Irreps in2, MulIrrep out) {
        for (MulIrrep a : in1) {
            for (MulIrrep b : in2) {
                if (a.mul() > 0 && b.mul() > 0 && out.mul() > 0 && a.ir().couplesTo(b.ir(), out.ir())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** e3nn's {@code tp_path_exists}: some {@code ir1 x ir2} of the simplified inputs contains {@code irOut}. */
    static boolean pathExists(Irreps in1, Irreps in2, Irrep irOut) {
        for (MulIrrep a : in1.simplify()) {
            for (MulIrrep b : in2.simplify()) {
                if (a.ir().couplesTo(b.ir(), irOut)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void requireNonEmpty(String text, String attribute, Irreps irreps, List<Problem> problems) {
        if (irreps != null && irreps.dim() == 0 && problems.stream().noneMatch(p -> attribute.equals(
                p.location().attribute()))) {
            problems.add(Problem.at(Location.attribute(attribute), Message.MODEL_VALUE, attribute, "\"" + text + "\"",
                    "irreps of dimension > 0"));
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
