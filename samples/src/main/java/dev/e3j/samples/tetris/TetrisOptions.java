package dev.e3j.samples.tetris;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The command line of the tetris sample: {@code [--steps N] [--seed S] [--out DIR] [--help]}.
 *
 * @param steps training steps, {@code 1} to {@link #MAX_STEPS}
 * @param seed seed of the initial parameters and of the evaluation poses
 * @param out the directory the loss curve is written to
 * @param help whether {@code --help} was asked for (then nothing else runs)
 */
public record TetrisOptions(int steps, long seed, Path out, boolean help) {

    /** Training steps unless {@code --steps} says otherwise. */
    public static final int DEFAULT_STEPS = 200;
    /**
     * Seed unless {@code --seed} says otherwise. Seeds 1 to 8 all train to 8/8 in 200 steps; 2021 (the seed of the
     * network before it followed e3nn's layers exactly) draws an unlucky start, outputs near 10, and needs longer.
     */
    public static final long DEFAULT_SEED = 1;
    /** The most steps {@code --steps} accepts (about seven hours of training). */
    public static final int MAX_STEPS = 1_000_000;

    /** What {@code --help} prints. */
    public static final String USAGE = """
            usage: java -jar e3j-tetris.jar [--steps N] [--seed S] [--out DIR]
            Trains e3nn's tetris network, built from e3j kernels, on the eight shapes, then checks it in random \
            rotated and mirrored poses. Writes the loss curve as tetris-loss.csv and tetris-loss.png.
              --steps N   training steps, 1 to %d (default %d)
              --seed S    seed of the initial parameters and of the evaluation poses, a long (default %d)
              --out DIR   directory for the loss curve, created if missing (default: the current directory)
              --help, -h  print this help and exit
            """.formatted(MAX_STEPS, DEFAULT_STEPS, DEFAULT_SEED);

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
    public static TetrisOptions parse(String... args) throws UsageException {
        int steps = DEFAULT_STEPS;
        long seed = DEFAULT_SEED;
        Path out = Paths.get("");
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                return new TetrisOptions(steps, seed, out, true);
            }
        }
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (!option.equals("--steps") && !option.equals("--seed") && !option.equals("--out")) {
                throw new UsageException("unknown argument '" + option + "'");
            }
            if (i + 1 == args.length) {
                throw new UsageException(option + " needs a value");
            }
            String value = args[++i];
            switch (option) {
                case "--steps" -> steps = parseSteps(value);
                case "--seed" -> seed = parseSeed(value);
                default -> out = parseDirectory(value);
            }
        }
        return new TetrisOptions(steps, seed, out, false);
    }

    private static int parseSteps(String value) throws UsageException {
        try {
            int steps = Integer.parseInt(value);
            if (steps >= 1 && steps <= MAX_STEPS) {
                return steps;
            }
        } catch (NumberFormatException e) {
            // reported below, as for an integer out of range
        }
        throw new UsageException("--steps must be an integer from 1 to " + MAX_STEPS + ", got '" + value + "'");
    }

    private static long parseSeed(String value) throws UsageException {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new UsageException("--seed must be an integer (a long), got '" + value + "'");
        }
    }

    private static Path parseDirectory(String value) throws UsageException {
        if (value.isBlank()) {
            throw new UsageException("--out must be a directory, got an empty path");
        }
        try {
            return Paths.get(value);
        } catch (InvalidPathException e) {
            throw new UsageException("--out must be a directory, got '" + value + "' (" + e.getReason() + ")");
        }
    }
}
