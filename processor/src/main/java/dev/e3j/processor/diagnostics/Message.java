package dev.e3j.processor.diagnostics;

/**
 * Every diagnostic the processor can print. Each message starts with a stable tag ({@code [e3j.irreps]}) that
 * users and tests can match; the rest is a {@link String#format} pattern.
 */
public enum Message {
    NOT_AN_INTERFACE("e3j.target", "@%s goes on an interface extending %s; %s is a %s"),
    NOT_A_KERNEL("e3j.target", "%s must extend %s to carry @%s"),
    GENERIC_TARGET("e3j.target", "%s declares type parameters %s; the generated class implements it as it is, so it must"
            + " not be generic"),
    SEALED_TARGET("e3j.target", "%s is sealed; the generated %s would have to be in its permits clause, so it must not"
            + " be sealed"),
    PRIVATE_TARGET("e3j.target", "%s is private%s; the generated %s, a top-level class in the same package, must be"
            + " able to implement it"),
    EXTRA_ABSTRACT_METHOD("e3j.target", "%s declares the abstract method %s, which the generated %s cannot implement;"
            + " give it a default body or move it elsewhere"),
    LOCAL_TARGET("e3j.target", "@%s on %s, a type declared inside a method, a constructor, an initializer or an"
            + " anonymous class, is never seen by annotation processors, so no kernel would be generated: declare it"
            + " as a top-level interface or as a member of one"),
    NAME_COLLISION("e3j.target", "%s and %s would both generate %s: rename one of them"),
    SEVERAL_KERNELS("e3j.target", "%s carries %s; each generates %s, so put each on its own interface"),
    LAYOUT_CUDA("e3j.layout", "layout = %s is not written for cuda = true: the CUDA kernel reads e3nn's MUL_IR layout;"
            + " give layout = MUL_IR, or cuda = false"),
    MALFORMED_IRREPS("e3j.irreps", "%s: %s"),
    IN2_FOR_SQUARE("e3j.square", "in2 must stay empty for kind = SQUARE (the second input is the first), got \"%s\""),
    PATHS_NOT_CUSTOM("e3j.paths", "paths are only for kind = CUSTOM; kind = %s derives its own paths"),
    OUT_REQUIRED("e3j.out", "kind = %s needs out (the output irreps)"),
    ELEMENTWISE_MISMATCH("e3j.elementwise",
            "ELEMENTWISE pairs the irreps of in1 and in2 one by one, but in1 has %d irreps and in2 has %d"),
    UNREACHABLE("e3j.unreachable", "no path reaches %s: the kernel writes zeros there (remove %s from out, or"
            + " give %s a path)"),
    NO_PATHS("e3j.no-paths", "%s yields no path at all: the kernel would only output zeros%s"),
    PATH_INDEX("e3j.path-index", "paths[%d].%s = %d is out of range: %s = \"%s\" has %d entries"),
    LINEAR_PATH_IRREP("e3j.selection-rule",
            "paths[%d]: in[%d] = %s and out[%d] = %s carry different irreps; a linear map connects only equal ones"),
    BIAS_ENTRIES_LENGTH("e3j.bias", "biasEntries has %d flags, but out = \"%s\" has %d entries: give one per entry"),
    BIAS_NOT_SCALAR("e3j.bias", "biasEntries[%d] flags out[%d] = %s: only 0e entries take biases"),
    BIASES_AND_ENTRIES("e3j.bias", "give biases = true or biasEntries, not both"),
    FEATURES("e3j.features", "%s = %d: the number of features must be at least 1"),
    SELECTION_RULE("e3j.selection-rule",
            "paths[%d]: %s x %s does not contain %s (needs |l1 - l2| <= l_out <= l1 + l2 and p_out = p1 p2)"),
    UNKNOWN_MODE("e3j.mode", "paths[%d].mode = \"%s\" is not one of %s"),
    UNWEIGHTED_MODE("e3j.mode", "paths[%d]: mode %s always has weights, so weighted must be true"),
    MULTIPLICITY("e3j.multiplicity", "paths[%d]: mode %s needs %s, got mul1 = %d, mul2 = %d, mul_out = %d"),
    PATH_WEIGHT("e3j.path-weight",
            "paths[%d].pathWeight = \"%s\" is not a non-negative exact rational (\"1/2\") or decimal (\"0.25\")"),
    PATH_WEIGHT_RANGE("e3j.path-weight", "paths[%d].pathWeight = \"%s\" is out of range: give 0 or a weight between"
            + " 2^-60 and 2^60 (about 8.7e-19 to 1.2e18), so that every generated constant is a finite, normal float"),
    DEGREES_MISSING("e3j.lmax", "give lmax >= 0 or a non-empty ls; got lmax = %d and no ls"),
    LMAX_AND_LS("e3j.ls", "give lmax or ls, not both: lmax = %d, ls = %s"),
    LMAX_TOO_LARGE("e3j.lmax", "lmax = %d exceeds %d, the largest degree e3j generates (e3nn's closed forms stop"
            + " at 11; above 20 the exact integer polynomials and the generated kernel grow out of proportion)"),
    NEGATIVE_DEGREE("e3j.ls", "ls[%d] = %d is negative; degrees are l >= 0"),
    DEGREE_TOO_LARGE("e3j.ls", "ls[%d] = %d exceeds %d, the largest degree e3j generates (e3nn's closed forms stop"
            + " at 11; above 20 the exact integer polynomials and the generated kernel grow out of proportion)"),
    FORMULA("e3j.formula", "formula = \"%s\": %s"),
    INDEX_IRREPS("e3j.irreps", "irreps[%d] = \"%s\": %s"),
    SH_IRREPS("e3j.irreps", "irreps = \"%s\" are not the irreps of spherical harmonics: %s"),
    DEGREES_TWICE("e3j.ls", "give one of lmax, ls and irreps; got %s"),
    WRITE_FAILED("e3j.io", "could not write %s: %s"),
    INTERNAL("e3j.internal", "unexpected %s while processing @%s on %s: %s (please report this bug)"),
    TOO_LARGE("e3j.size", "%s"),
    DEGREE_LIMIT("e3j.size", "%s[%d] = %s exceeds degree %d, the largest e3j generates in a product or a linear map"
            + " (the exact Wigner 3j symbols of higher degrees take minutes, the generated code grows past what javac"
            + " compiles)"),
    COUPLED_PAIRS("e3j.size", "the paths couple %d component pairs (the sum of (2 l1 + 1)(2 l2 + 1) over the"
            + " paths), more than the %d e3j generates in reasonable time (FULL of 1x20e with itself couples 68921);"
            + " the largest: %s"),
    SHADOWED_NAME("e3j.target", "%s would shadow %s, which the generated %s names by its simple name: rename it"),
    MODEL_VALUE("e3j.model", "%s = %s: expected %s"),
    EDGE_ATTR_NOT_HARMONICS("e3j.model", "irrepsEdgeAttr = \"%s\": entry %s is not a spherical harmonic (degree l"
            + " <= 20 with parity (-1)^l, e.g. \"0e+1o+2e\"), as e3nn's spherical_harmonics requires"),
    EMPTY_GATE("e3j.no-paths", "layer %d: no entry of irrepsHidden = \"%s\" is reachable from \"%s\" x"
            + " irrepsEdgeAttr = \"%s\", so the layer would have no features"),
    DERIVED_PRODUCT("e3j.model", "%s, a product of the derived layers (%s), cannot be generated: %s"),
    UNREACHABLE_OUTPUT("e3j.no-paths", "no entry of irrepsOut = \"%s\" is reachable from the last layer's \"%s\""
            + " x irrepsEdgeAttr = \"%s\", so the network would only output zeros"),
    MACE_HIDDEN_IRREPS("e3j.model", "hiddenIrreps = \"%s\": %s"),
    MACE_MLP_IRREPS("e3j.model", "mlpIrreps = \"%s\": expected one entry of even scalars (\"Nx0e\"), the one entry"
            + " that the readout's activation (e3nn's Activation with one gate) takes"),
    MACE_CORRELATION("e3j.model", "correlation = %s: expected one order for all interactions, or one per interaction"
            + " (numInteractions = %d)"),
    MACE_ATOMIC_NUMBERS("e3j.model", "atomicNumbers = %s: %s"),
    CHANNELS("e3j.channels", "%s = \"%s\": %s; a symmetric contraction mixes no channels, so every entry of in and"
            + " out must have the same multiplicity (the channels)"),
    CORRELATION("e3j.correlation", "correlation = %d: expected 1 to %d (MACE uses 1 to 3; bases of degree %d"
            + " and above grow past what compiles in reasonable time)"),
    ELEMENTS("e3j.elements", "elements = %d: expected at least 1 (the rows of every weight tensor)"),
    EMPTY_IRREPS("e3j.irreps", "%s is empty: give at least one irrep"),
    UNREACHABLE_DEGREE("e3j.unreachable", "out[%d] = %s: no product of %d of the input irreps %s couples to %s, so"
            + " MACE's U_matrix_%d would be empty (MACE cannot build this contraction): remove %s from out or change"
            + " in or correlation"),
    UNRESOLVED("e3j.unresolved", "@%s on %s has a value that did not resolve (an undefined constant?): no kernel"
            + " was generated");

    private final String tag;
    private final String format;

    Message(String tag, String format) {
        this.tag = tag;
        this.format = format;
    }

    /** The stable tag, e.g. {@code e3j.irreps}. */
    public String tag() {
        return tag;
    }

    /** {@code [tag] formatted message}. */
    public String format(Object... args) {
        return "[" + tag + "] " + String.format(format, args);
    }
}
