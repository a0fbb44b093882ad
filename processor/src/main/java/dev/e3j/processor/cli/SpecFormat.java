package dev.e3j.processor.cli;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The model spec, as Java source, of an exported model: the {@code @Mace} or {@code @GatePointsNetwork} interface
 * whose attributes are the constructor arguments {@code tools/export_mace.py} (or {@code tools/export_e3nn.py})
 * recorded in the file's metadata, so that nobody copies them by hand. The generated class then loads the same file
 * ({@code new <Name>Impl(StateDict.read(file))}), which checks every tensor and those arguments again.
 */
final class SpecFormat {

    /** The {@code model} metadata of mace-torch's two classes. */
    static final List<String> MACE_MODELS = List.of("mace.modules.MACE", "mace.modules.ScaleShiftMACE");
    /** The {@code model} metadata of e3nn's gate-points network. */
    static final String GATE_POINTS_MODEL = "e3nn.nn.models.gate_points_2101.Network";

    private SpecFormat() {}

    /**
     * The source of interface {@code name} for the model {@code modelClass} built with {@code constructor};
     * {@code file} names the source in a comment.
     *
     * @throws IllegalArgumentException for a model class or an argument value the annotations have no counterpart of
     */
    static String source(String file, String modelClass, Map<String, Object> constructor, String name) {
        if (MACE_MODELS.contains(modelClass)) {
            return mace(file, modelClass, constructor, name);
        }
        if (GATE_POINTS_MODEL.equals(modelClass)) {
            return gatePoints(file, constructor, name);
        }
        throw new IllegalArgumentException("metadata 'model' is '" + modelClass + "'; spec knows "
                + String.join(", ", MACE_MODELS) + " and " + GATE_POINTS_MODEL);
    }

    private static String mace(String file, String modelClass, Map<String, Object> args, String name) {
        Object correlation = required(args, "correlation");
        String correlations = correlation instanceof List<?> list
                ? list.stream().map(c -> String.valueOf(integer("correlation", c))).collect(Collectors.joining(", "))
                : String.valueOf(integer("correlation", correlation));
        StringBuilder spec = new StringBuilder();
        spec.append("import dev.e3j.annotations.Mace;\n")
                .append("import dev.e3j.runtime.model.InteratomicPotential;\n\n")
                .append("/** ").append(modelClass).append(", from ").append(file).append(" (e3j spec). */\n")
                .append("@Mace(rMax = ").append(real(args, "r_max"))
                .append(", numBessel = ").append(integer(args, "num_bessel"))
                .append(", numPolynomialCutoff = ").append(integer(args, "num_polynomial_cutoff"))
                .append(", maxEll = ").append(integer(args, "max_ell"))
                .append(", numInteractions = ").append(integer(args, "num_interactions"))
                .append(",\n        interactionFirst = ").append(interaction(args, "interaction_cls_first"))
                .append(",\n        interaction = ").append(interaction(args, "interaction_cls"))
                .append(",\n        atomicNumbers = {").append(integers(args, "atomic_numbers")).append("}")
                .append(",\n        hiddenIrreps = \"").append(text(args, "hidden_irreps")).append("\"")
                .append(", mlpIrreps = \"").append(text(args, "MLP_irreps")).append("\"")
                .append(", correlation = {").append(correlations).append("}")
                .append(", gate = Mace.Gate.").append(gate(text(args, "gate")))
                .append(",\n        radialMlp = {").append(integers(args, "radial_MLP")).append("}")
                .append(", avgNumNeighbors = ").append(real(args, "avg_num_neighbors"))
                .append(", scaleShift = ").append(modelClass.endsWith("ScaleShiftMACE"));
        Object type = args.getOrDefault("radial_type", "bessel");
        if (!"bessel".equals(type)) {
            spec.append(",\n        radialType = Mace.RadialType.").append(option("radial_type", type,
                    List.of("gaussian")));
        }
        Object transform = args.getOrDefault("distance_transform", "None");
        if (!"None".equals(transform)) {
            spec.append(", distanceTransform = Mace.DistanceTransform.").append(option("distance_transform",
                    transform, List.of("Agnesi", "Soft")));
        }
        if (Boolean.TRUE.equals(args.get("pair_repulsion"))) {
            spec.append(", pairRepulsion = true");
        }
        return spec.append(")\npublic interface ").append(name).append(" extends InteratomicPotential {\n}\n")
                .toString();
    }

    private static String gatePoints(String file, Map<String, Object> args, String name) {
        StringBuilder spec = new StringBuilder();
        spec.append("import dev.e3j.annotations.GatePointsNetwork;\n")
                .append("import dev.e3j.runtime.model.PointsModel;\n\n")
                .append("/** ").append(GATE_POINTS_MODEL).append(", from ").append(file).append(" (e3j spec). */\n")
                .append("@GatePointsNetwork(");
        if (args.get("irreps_in") != null) {
            spec.append("irrepsIn = \"").append(text(args, "irreps_in")).append("\", ");
        }
        spec.append("irrepsHidden = \"").append(text(args, "irreps_hidden")).append("\"")
                .append(",\n        irrepsOut = \"").append(text(args, "irreps_out")).append("\"");
        if (args.get("irreps_node_attr") != null) {
            spec.append(", irrepsNodeAttr = \"").append(text(args, "irreps_node_attr")).append("\"");
        }
        spec.append(",\n        irrepsEdgeAttr = \"").append(text(args, "irreps_edge_attr")).append("\"")
                .append(", layers = ").append(integer(args, "layers"))
                .append(", maxRadius = ").append(real(args, "max_radius"))
                .append(", numberOfBasis = ").append(integer(args, "number_of_basis"))
                .append(",\n        radialLayers = ").append(integer(args, "radial_layers"))
                .append(", radialNeurons = ").append(integer(args, "radial_neurons"))
                .append(", numNeighbors = ").append(real(args, "num_neighbors"))
                .append(", numNodes = ").append(real(args, "num_nodes"));
        Object reduce = args.getOrDefault("reduce_output", Boolean.TRUE);
        if (!(reduce instanceof Boolean)) {
            throw new IllegalArgumentException("constructor 'reduce_output': expected true or false, got " + reduce);
        }
        if (!(Boolean) reduce) {
            spec.append(", reduceOutput = false");
        }
        return spec.append(")\npublic interface ").append(name).append(" extends PointsModel {\n}\n").toString();
    }

    private static Object required(Map<String, Object> args, String key) {
        Object value = args.get(key);
        if (value == null) {
            throw new IllegalArgumentException("constructor '" + key + "': expected a value, got none");
        }
        return value;
    }

    /** A string argument (irreps, class and function names), which must not need escaping in a Java literal. */
    private static String text(Map<String, Object> args, String key) {
        Object value = required(args, key);
        if (!(value instanceof String text) || !text.matches("[A-Za-z0-9_+.\\- ]*")) {
            throw new IllegalArgumentException("constructor '" + key + "': expected a name or an irreps string, got "
                    + value);
        }
        return text;
    }

    /** A double literal that parses back to the same value ({@link Double#toString} round-trips). */
    private static String real(Map<String, Object> args, String key) {
        Object value = required(args, key);
        if (!(value instanceof Number number) || !Double.isFinite(number.doubleValue())) {
            throw new IllegalArgumentException("constructor '" + key + "': expected a finite number, got " + value);
        }
        return Double.toString(number.doubleValue());
    }

    private static long integer(Map<String, Object> args, String key) {
        return integer(key, required(args, key));
    }

    /** An integer argument; JSON's {@code 2.0} counts as 2, {@code 2.5} does not. */
    private static long integer(String key, Object value) {
        if (value instanceof Long number) {
            return number;
        }
        if (value instanceof Double number && number == Math.rint(number) && Math.abs(number) < 1e15) {
            return number.longValue();
        }
        throw new IllegalArgumentException("constructor '" + key + "': expected an integer, got " + value);
    }

    private static String integers(Map<String, Object> args, String key) {
        Object value = required(args, key);
        if (!(value instanceof List<?> list)) {
            throw new IllegalArgumentException("constructor '" + key + "': expected a list of integers, got " + value);
        }
        StringBuilder joined = new StringBuilder();
        for (int i = 0; i < list.size(); i++) {
            joined.append(i == 0 ? "" : i % 20 == 0 ? ",\n            " : ", ").append(integer(key, list.get(i)));
        }
        return joined.toString();
    }

    private static String interaction(Map<String, Object> args, String key) {
        String cls = text(args, key);
        return switch (cls) {
            case "RealAgnosticInteractionBlock" -> "Mace.Interaction.REAL_AGNOSTIC";
            case "RealAgnosticResidualInteractionBlock" -> "Mace.Interaction.REAL_AGNOSTIC_RESIDUAL";
            default -> throw new IllegalArgumentException("constructor '" + key + "': @Mace has no counterpart of '"
                    + cls + "' (it has RealAgnosticInteractionBlock and RealAgnosticResidualInteractionBlock)");
        };
    }

    private static String gate(String gate) {
        return option("gate", gate, List.of("silu", "tanh", "abs", "None"));
    }

    /** The enum constant of {@code value}, one of {@code known} (compared as spelled), in upper case. */
    private static String option(String key, Object value, List<String> known) {
        if (!known.contains(value)) {
            throw new IllegalArgumentException("constructor '" + key + "': expected one of " + known + ", got "
                    + value);
        }
        return ((String) value).toUpperCase(Locale.ROOT);
    }
}
