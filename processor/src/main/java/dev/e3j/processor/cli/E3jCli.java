package dev.e3j.processor.cli;

import dev.e3j.annotations.CgConvention;
import dev.e3j.processor.math.Polynomial;
import dev.e3j.processor.math.SphericalHarmonicPolynomials;
import dev.e3j.processor.math.Wigner3j;
import dev.e3j.processor.model.CgConventions;
import dev.e3j.processor.model.SphericalHarmonicsModel;
import dev.e3j.runtime.io.StateDict;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import javax.lang.model.SourceVersion;

/**
 * Coefficient audit: prints the exact Wigner 3j tensors and spherical-harmonic polynomials the processor compiles into
 * kernels, so they can be checked against e3nn by eye or by script; and the model spec of an exported model.
 *
 * <pre>
 * e3j w3j L1 L2 L3 [--json] [--convention e3nn-0.4]
 *                             non-zero entries of e3nn's o3.wigner_3j(L1, L2, L3), in e3nn 0.5's signs or 0.4.4's
 * e3j sh L [--json]           Y^L_m as exact polynomials (component normalization)
 * e3j spec FILE [--name N]    the @Mace / @GatePointsNetwork interface of an exported model (its constructor metadata)
 * e3j --version               the e3j version
 * </pre>
 *
 * Exit status: 0 on success, 2 for bad arguments (one line {@code e3j: error: ...} on stderr), 1 for an internal
 * failure of the exact arithmetic.
 */
public final class E3jCli {

    static final int OK = 0;
    static final int INTERNAL_ERROR = 1;
    static final int USAGE_ERROR = 2;
    /** The option naming the Wigner 3j signs {@code w3j} prints, {@link #token} of a {@link CgConvention}. */
    static final String CONVENTION_OPTION = "--convention";
    /** The option naming the interface {@code spec} writes. */
    static final String NAME_OPTION = "--name";
    /** The largest degree {@code w3j} accepts: {@code w3j 100 100 100} prints 60,000 entries in about 45 s. */
    static final int MAX_W3J_DEGREE = 100;

    static final String USAGE = String.join(System.lineSeparator(),
            "usage: e3j <command> [arguments] [--json]",
            "",
            "commands:",
            "  w3j L1 L2 L3   non-zero entries of e3nn's o3.wigner_3j(L1, L2, L3): indices i j k (m + l, e3nn's real",
            "                 basis order), the exact value +-sqrt(p/q) and its correctly rounded double; L <= 100",
            "  sh L           the 2L+1 real spherical harmonics Y(L, m), m = -L..L, as exact polynomials in x, y, z",
            "                 (e3nn's component normalization, y the polar axis); L <= 20",
            "  spec FILE      the Java source of the @Mace or @GatePointsNetwork interface of a model that",
            "                 tools/export_mace.py or tools/export_e3nn.py wrote to FILE, from the constructor",
            "                 arguments in its metadata; its generated class loads FILE",
            "",
            "options:",
            "  --json         machine-readable output; exact values use only integers, '/', '*', '-' and sqrt(n)",
            "  --convention C the signs w3j prints: e3nn-0.5 (the default: e3nn 0.5 and later) or e3nn-0.4 (e3nn",
            "                 0.4.4, which MACE pins: the same magnitudes, the opposite sign for some (L1, L2, L3),",
            "                 such as (1, 2, 2))",
            "  --name N       the interface spec writes (a Java identifier; default Potential, or Net for e3nn's)",
            "  --help, -h     this text",
            "  --version      the e3j version");

    private E3jCli() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            out.println(USAGE);
            return USAGE_ERROR;
        }
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            out.println(USAGE);
            return OK;
        }
        if (List.of(args).contains("--version")) {
            out.println("e3j " + version());
            return OK;
        }
        try {
            boolean json = false;
            CgConvention convention = null;
            String name = null;
            List<String> positional = new ArrayList<>();
            for (int a = 0; a < args.length; a++) {
                String arg = args[a];
                if (arg.equals("--json")) {
                    json = true;
                } else if (arg.equals(CONVENTION_OPTION)) {
                    if (a + 1 == args.length) {
                        throw new UsageException(CONVENTION_OPTION + ": expected " + conventionTokens()
                                + ", got nothing");
                    }
                    convention = convention(args[++a]);
                } else if (arg.equals(NAME_OPTION)) {
                    if (a + 1 == args.length) {
                        throw new UsageException(NAME_OPTION + ": expected a Java identifier, got nothing");
                    }
                    name = args[++a];
                    if (!SourceVersion.isIdentifier(name) || SourceVersion.isKeyword(name)) {
                        throw new UsageException(NAME_OPTION + ": expected a Java identifier, got '" + name + "'");
                    }
                } else if (arg.startsWith("-") && !isInteger(arg)) {
                    throw new UsageException("unknown option '" + arg + "' (see --help)");
                } else {
                    positional.add(arg);
                }
            }
            if (positional.isEmpty()) {
                throw new UsageException("expected a command, w3j, sh or spec (see --help)");
            }
            String command = positional.get(0);
            List<String> operands = positional.subList(1, positional.size());
            if (name != null && !command.equals("spec")) {
                throw new UsageException(command + ": " + NAME_OPTION + " applies only to spec");
            }
            switch (command) {
                case "w3j" -> {
                    expectOperands(command, operands, "L1", "L2", "L3");
                    int l1 = degree("L1", operands.get(0), MAX_W3J_DEGREE);
                    int l2 = degree("L2", operands.get(1), MAX_W3J_DEGREE);
                    int l3 = degree("L3", operands.get(2), MAX_W3J_DEGREE);
                    if (l3 < Math.abs(l1 - l2) || l3 > l1 + l2) {
                        throw new UsageException("w3j: (" + l1 + ", " + l2 + ", " + l3
                                + ") violates the triangle rule |L1 - L2| <= L3 <= L1 + L2");
                    }
                    CgConvention signs = convention == null ? CgConvention.E3NN_0_5 : convention;
                    Wigner3j w = Wigner3j.of(l1, l2, l3, signs);
                    String label = CgConventions.isDefault(signs) ? null : token(signs);
                    out.print(json ? Wigner3jFormat.json(w, label) : Wigner3jFormat.table(w, label));
                }
                case "sh" -> {
                    if (convention != null) {
                        throw new UsageException("sh: " + CONVENTION_OPTION + " applies only to w3j (spherical"
                                + " harmonics are the same in every e3nn version)");
                    }
                    expectOperands(command, operands, "L");
                    int l = degree("L", operands.get(0), SphericalHarmonicsModel.MAX_DEGREE);
                    List<Polynomial> y = SphericalHarmonicPolynomials.component(l);
                    out.print(json ? HarmonicsFormat.json(l, y) : HarmonicsFormat.text(l, y));
                }
                case "spec" -> {
                    if (json || convention != null) {
                        throw new UsageException("spec: --json and " + CONVENTION_OPTION + " do not apply to spec");
                    }
                    expectOperands(command, operands, "FILE");
                    out.print(spec(operands.get(0), name));
                }
                default -> throw new UsageException("unknown command '" + command
                        + "' (expected w3j, sh or spec; see --help)");
            }
            out.flush();
            return OK;
        } catch (UsageException e) {
            err.println("e3j: error: " + e.getMessage());
            return USAGE_ERROR;
        } catch (ArithmeticException e) {
            err.println("e3j: error: internal: " + e.getMessage());
            return INTERNAL_ERROR;
        }
    }

    /** The spec source of the exported model in {@code file}, its interface named {@code name} (or the default). */
    private static String spec(String file, String name) {
        StateDict stateDict;
        try {
            stateDict = StateDict.read(Path.of(file));
        } catch (IOException | RuntimeException e) {
            throw new UsageException("spec: cannot read " + file + ": " + e.getMessage());
        }
        String model = stateDict.metadata().get("model");
        if (model == null) {
            throw new UsageException("spec: " + file + " has no 'model' metadata; write it with tools/export_mace.py or"
                    + " tools/export_e3nn.py");
        }
        try {
            Map<String, Object> constructor = stateDict.metadataObject("constructor");
            if (constructor.isEmpty()) {
                throw new UsageException("spec: " + file + " has no 'constructor' metadata; write it with"
                        + " tools/export_mace.py or tools/export_e3nn.py");
            }
            String interfaceName = name != null ? name
                    : SpecFormat.GATE_POINTS_MODEL.equals(model) ? "Net" : "Potential";
            return SpecFormat.source(Path.of(file).getFileName().toString(), model, constructor, interfaceName);
        } catch (IllegalArgumentException e) {
            throw new UsageException("spec: " + file + ": " + e.getMessage());
        }
    }

    /** {@code e3nn-0.5} for {@link CgConvention#E3NN_0_5}: the value {@value #CONVENTION_OPTION} takes. */
    private static String token(CgConvention convention) {
        return convention.name().toLowerCase(Locale.ROOT).replaceFirst("_", "-").replace('_', '.');
    }

    private static String conventionTokens() {
        return Arrays.stream(CgConvention.values()).map(E3jCli::token).collect(Collectors.joining(" or "));
    }

    private static CgConvention convention(String value) {
        return Arrays.stream(CgConvention.values()).filter(c -> token(c).equals(value)).findFirst()
                .orElseThrow(() -> new UsageException(CONVENTION_OPTION + ": expected " + conventionTokens()
                        + ", got '" + value + "'"));
    }

    private static void expectOperands(String command, List<String> operands, String... names) {
        if (operands.size() < names.length) {
            throw new UsageException(command + ": expected " + names.length + " argument"
                    + (names.length == 1 ? "" : "s") + " (" + String.join(" ", names) + "), got " + operands.size());
        }
        if (operands.size() > names.length) {
            throw new UsageException(command + ": unexpected extra argument '" + operands.get(names.length) + "'");
        }
    }

    private static int degree(String name, String text, int max) {
        if (!isInteger(text)) {
            throw new UsageException(name + ": expected a non-negative integer, got '" + text + "'");
        }
        int value;
        try {
            value = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new UsageException(name + ": expected a non-negative integer, got '" + text + "' (too large)");
        }
        if (value < 0) {
            throw new UsageException(name + ": expected a non-negative integer, got " + value);
        }
        if (value > max) {
            throw new UsageException(name + " = " + value + " exceeds " + max + ", the largest degree this command"
                    + " prints (the output and the exact arithmetic grow as a power of the degree)");
        }
        return value;
    }

    /** The project version, from the resource that the build fills in from the POM. */
    static String version() {
        Properties properties = new Properties();
        try (InputStream in = E3jCli.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                throw new IllegalStateException("version.properties is missing from the e3j processor jar");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read version.properties from the e3j processor jar", e);
        }
        return properties.getProperty("version");
    }

    private static boolean isInteger(String text) {
        return text.matches("[+-]?[0-9]+");
    }

    /** A bad command line; its message becomes the single {@code e3j: error:} line. */
    private static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
