package dev.e3j.samples.md;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.Set;

/**
 * The command line of the molecular-dynamics sample.
 *
 * @param potential   the {@code --potential} name ({@link Potentials})
 * @param structure   an extended XYZ file whose first frame is the starting structure, or null for the potential's own
 * @param supercell   repeats along the three lattice vectors
 * @param steps       time steps, {@code 1} to {@link #MAX_STEPS}
 * @param timestepFs  the time step in femtoseconds
 * @param temperature the initial temperature (K) of the Maxwell–Boltzmann momenta
 * @param seed        seed of the momenta
 * @param out         the trajectory file (extended XYZ)
 * @param every       a trajectory frame and a progress line every this many steps
 * @param help        whether {@code --help} was asked for (then nothing else runs)
 */
public record MdOptions(String potential, Path structure, int[] supercell, int steps, double timestepFs,
                        double temperature, long seed, Path out, int every, boolean help) {

    /** Steps unless {@code --steps} says otherwise. */
    public static final int DEFAULT_STEPS = 500;
    /** The most steps {@code --steps} accepts. */
    public static final int MAX_STEPS = 100_000_000;
    /** Time step (fs) unless {@code --dt} says otherwise. */
    public static final double DEFAULT_TIMESTEP_FS = 2.0;
    /** The longest time step {@code --dt} accepts (fs): beyond it no atomistic NVE run conserves energy. */
    public static final double MAX_TIMESTEP_FS = 100.0;
    /** Initial temperature (K) unless {@code --temperature} says otherwise. */
    public static final double DEFAULT_TEMPERATURE = 300.0;
    /** The highest temperature {@code --temperature} accepts (K). */
    public static final double MAX_TEMPERATURE = 100_000.0;
    /** Supercell repeats (each direction) unless {@code --supercell} says otherwise. */
    public static final int DEFAULT_SUPERCELL = 2;
    /** The most repeats along one direction {@code --supercell} accepts. */
    public static final int MAX_REPEATS = 100;
    /** Seed unless {@code --seed} says otherwise. */
    public static final long DEFAULT_SEED = 1;
    /** Trajectory file unless {@code --out} says otherwise. */
    public static final String DEFAULT_OUT = "md-trajectory.extxyz";
    /** Frame and progress interval unless {@code --every} says otherwise. */
    public static final int DEFAULT_EVERY = 50;

    /** The options that take a value. */
    private static final Set<String> OPTIONS = Set.of("--potential", "--structure", "--supercell", "--steps", "--dt",
            "--temperature", "--seed", "--out", "--every");

    /** What {@code --help} prints. */
    public static String usage() {
        StringBuilder potentials = new StringBuilder();
        for (Potentials.Choice choice : Potentials.all()) {
            potentials.append(String.format(Locale.ROOT, "                  %-6s %s%n", choice.name(),
                    choice.description()));
        }
        return """
                usage: java -jar e3j-md.jar [--potential NAME] [--structure FILE] [--supercell N|AxBxC] [--steps N]
                                            [--dt FS] [--temperature K] [--seed S] [--out FILE] [--every N]
                Molecular dynamics in the NVE ensemble (velocity Verlet, ASE's units and steps) with an interatomic \
                potential: Maxwell-Boltzmann momenta with no total momentum, scaled to the temperature, then steps; prints \
                progress (steps/s, temperature, total-energy drift per atom), writes an extended XYZ trajectory \
                (ASE reads it), and ends with the measured drift.
                  --potential NAME  the potential (default %s):
                %s  --structure FILE  start from the first frame of this extended XYZ file (default: the potential's \
                own unit cell)
                  --supercell N     repeat the structure N times along each lattice vector, or A, B, C times with \
                AxBxC (1 to %d each, default %d)
                  --steps N         time steps, 1 to %d (default %d)
                  --dt FS           time step in femtoseconds, > 0 and at most %s (default %s)
                  --temperature K   initial temperature in kelvin, 0 to %s (default %s)
                  --seed S          seed of the initial momenta, a long (default %d)
                  --out FILE        trajectory file, extended XYZ (default %s)
                  --every N         write a frame and print progress every N steps (default %d)
                  --help, -h        print this help and exit
                """.formatted(Potentials.names().get(0), potentials, MAX_REPEATS, DEFAULT_SUPERCELL, MAX_STEPS,
                DEFAULT_STEPS, MAX_TIMESTEP_FS, DEFAULT_TIMESTEP_FS, MAX_TEMPERATURE, DEFAULT_TEMPERATURE, DEFAULT_SEED,
                DEFAULT_OUT, DEFAULT_EVERY);
    }

    /** A command line that cannot run: the one-line reason. */
    public static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /**
     * Parses {@code args}; {@code --help} anywhere wins over everything else.
     *
     * @throws UsageException naming the option and the bad value
     */
    public static MdOptions parse(String... args) throws UsageException {
        String potential = Potentials.names().get(0);
        Path structure = null;
        int[] supercell = {DEFAULT_SUPERCELL, DEFAULT_SUPERCELL, DEFAULT_SUPERCELL};
        int steps = DEFAULT_STEPS;
        double timestep = DEFAULT_TIMESTEP_FS;
        double temperature = DEFAULT_TEMPERATURE;
        long seed = DEFAULT_SEED;
        Path out = Paths.get(DEFAULT_OUT);
        int every = DEFAULT_EVERY;
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                return new MdOptions(potential, structure, supercell, steps, timestep, temperature, seed, out, every,
                        true);
            }
        }
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (!OPTIONS.contains(option)) {
                throw new UsageException("unknown argument '" + option + "'");
            }
            if (i + 1 == args.length) {
                throw new UsageException(option + " needs a value");
            }
            String value = args[++i];
            switch (option) {
                case "--potential" -> potential = parsePotential(value);
                case "--structure" -> structure = parsePath(option, value);
                case "--supercell" -> supercell = parseSupercell(value);
                case "--steps" -> steps = parseInt(option, value, 1, MAX_STEPS);
                case "--dt" -> timestep = parseTimestep(value);
                case "--temperature" -> temperature = parseTemperature(value);
                case "--seed" -> seed = parseSeed(value);
                case "--out" -> out = parsePath(option, value);
                default -> every = parseInt(option, value, 1, MAX_STEPS);
            }
        }
        return new MdOptions(potential, structure, supercell, steps, timestep, temperature, seed, out, every, false);
    }

    private static String parsePotential(String value) throws UsageException {
        if (!Potentials.names().contains(value)) {
            throw new UsageException("--potential must be one of " + Potentials.names() + ", got '" + value + "'");
        }
        return value;
    }

    private static int parseInt(String option, String value, int min, int max) throws UsageException {
        try {
            int parsed = Integer.parseInt(value);
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below, as for an integer out of range
        }
        throw new UsageException(option + " must be an integer from " + min + " to " + max + ", got '" + value + "'");
    }

    private static int[] parseSupercell(String value) throws UsageException {
        String[] parts = value.split("x", -1);
        if (parts.length != 1 && parts.length != 3) {
            throw new UsageException("--supercell must be N or AxBxC, got '" + value + "'");
        }
        int[] repeats = new int[3];
        for (int k = 0; k < 3; k++) {
            repeats[k] = parseInt("--supercell", parts[parts.length == 1 ? 0 : k], 1, MAX_REPEATS);
        }
        return repeats;
    }

    private static double parseTimestep(String value) throws UsageException {
        double timestep = parseDouble(value);
        if (!(timestep > 0 && timestep <= MAX_TIMESTEP_FS)) {
            throw new UsageException("--dt must be a number of femtoseconds > 0 and at most " + MAX_TIMESTEP_FS
                    + ", got '" + value + "'");
        }
        return timestep;
    }

    private static double parseTemperature(String value) throws UsageException {
        double temperature = parseDouble(value);
        if (!(temperature >= 0 && temperature <= MAX_TEMPERATURE)) {
            throw new UsageException("--temperature must be a number of kelvin from 0 to " + MAX_TEMPERATURE
                    + ", got '" + value + "'");
        }
        return temperature;
    }

    /** A decimal number, or NaN (rejected by the caller's range check) if there is none. */
    private static double parseDouble(String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static long parseSeed(String value) throws UsageException {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new UsageException("--seed must be an integer (a long), got '" + value + "'");
        }
    }

    private static Path parsePath(String option, String value) throws UsageException {
        if (value.isBlank()) {
            throw new UsageException(option + " must be a file, got an empty path");
        }
        try {
            return Paths.get(value);
        } catch (InvalidPathException e) {
            throw new UsageException(option + " must be a file, got '" + value + "' (" + e.getReason() + ")");
        }
    }
}
