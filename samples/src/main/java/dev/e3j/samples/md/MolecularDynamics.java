package dev.e3j.samples.md;

import dev.e3j.runtime.io.ExtXyz;
import dev.e3j.runtime.md.Units;
import dev.e3j.runtime.md.VelocityVerlet;
import dev.e3j.runtime.model.InteratomicPotential;
import dev.e3j.runtime.model.Structure;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Molecular dynamics with any {@link InteratomicPotential} ({@link Potentials}): NVE velocity Verlet from
 * Maxwell–Boltzmann momenta, with progress lines (steps per second, temperature, total-energy drift per atom), an
 * extended XYZ trajectory that ASE reads, and the measured drift at the end. Run with
 * {@code java -jar samples/target/e3j-md.jar} ({@code --help} for the options, {@link MdOptions}).
 */
public final class MolecularDynamics {

    /** Exit status of a run that could not start or finish (unreadable structure, diverging trajectory, I/O). */
    public static final int FAILED = 1;
    /** Exit status of a bad command line. */
    public static final int USAGE_ERROR = 2;

    private MolecularDynamics() {
    }

    /** Runs the sample and exits with {@link #run}'s status. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** What a run measured. */
    public record Result(int atoms, long steps, double driftPerAtom, double finalTemperature, double stepsPerSecond) {
    }

    /**
     * Parses {@code args} and runs. Returns 0; {@link #USAGE_ERROR} after a one-line error on {@code err} for a bad
     * command line; {@link #FAILED} with a one-line reason on {@code err} if the run cannot start or finish.
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        MdOptions options;
        try {
            options = MdOptions.parse(args);
        } catch (MdOptions.UsageException e) {
            err.println("e3j-md: " + e.getMessage() + " (--help for usage)");
            return USAGE_ERROR;
        }
        if (options.help()) {
            out.print(MdOptions.usage());
            return 0;
        }
        try {
            Potentials.Choice choice = Potentials.named(options.potential());
            Structure start = Potentials.repeat(startingStructure(options, choice), options.supercell());
            InteratomicPotential potential = choice.factory().get();
            run(potential, start, options, out);
            return 0;
        } catch (IOException | UncheckedIOException | IllegalArgumentException | IllegalStateException e) {
            err.println("e3j-md: " + e.getMessage());
            return FAILED;
        }
    }

    private static Structure startingStructure(MdOptions options, Potentials.Choice choice) throws IOException {
        if (options.structure() == null) {
            return choice.unitCell().get();
        }
        List<Structure> frames = ExtXyz.readStructures(options.structure());
        if (frames.isEmpty()) {
            throw new IOException(options.structure() + ": expected at least one frame, got none");
        }
        return frames.get(0);
    }

    /**
     * Runs NVE dynamics of {@code start} with {@code potential} as {@code options} say, printing progress to
     * {@code out} and writing the trajectory (the start and every {@code options.every()} steps) to
     * {@code options.out()}.
     *
     * @throws IOException if the trajectory cannot be written
     * @throws IllegalStateException if the trajectory diverges
     */
    public static Result run(InteratomicPotential potential, Structure start, MdOptions options, PrintStream out)
            throws IOException {
        VelocityVerlet md = new VelocityVerlet(potential, start, options.timestepFs() * Units.FS);
        md.initializeMomenta(options.temperature(), new SplittableRandom(options.seed()));
        md.scaleToTemperature(options.temperature());
        int n = start.size();
        out.printf(Locale.ROOT, "e3j md: %s%n  %d atoms%s, NVE velocity Verlet, dt %s fs, %d steps, T0 %s K, seed %d%n",
                potential, n, start.hasCell() ? String.format(Locale.ROOT, " in a %.1f Å^3 cell", start.volume()) : "",
                options.timestepFs(), options.steps(), options.temperature(), options.seed());
        out.printf(Locale.ROOT, "%8s %10s %9s %14s %14s %14s %10s%n", "step", "time/fs", "T/K", "Epot/eV",
                "Etot/eV", "drift/eV/atom", "steps/s");
        Path file = options.out();
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        long started = System.nanoTime();
        long windowStart = started;
        long windowSteps = 0;
        try (BufferedWriter trajectory = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            ExtXyz.write(trajectory, ExtXyz.Frame.of(md.structure(), md.evaluation()));
            progress(out, md, Double.NaN);
            for (int s = 1; s <= options.steps(); s++) {
                md.step();
                windowSteps++;
                if (s % options.every() == 0 || s == options.steps()) {
                    long now = System.nanoTime();
                    progress(out, md, windowSteps / ((now - windowStart) / 1e9));
                    windowStart = now;
                    windowSteps = 0;
                    ExtXyz.write(trajectory, ExtXyz.Frame.of(md.structure(), md.evaluation()));
                }
            }
        }
        double stepsPerSecond = options.steps() / ((System.nanoTime() - started) / 1e9);
        Result result = new Result(n, md.steps(), md.energyDriftPerAtom(), md.temperature(), stepsPerSecond);
        out.printf(Locale.ROOT, "total-energy drift after %d steps (%.3f ps): %.3e eV/atom; %.1f steps/s, %.3g atom "
                + "steps/s%n", result.steps(), md.time() / Units.FS / 1000, result.driftPerAtom(), stepsPerSecond,
                stepsPerSecond * n);
        out.println("trajectory: " + file.toAbsolutePath());
        return result;
    }

    private static void progress(PrintStream out, VelocityVerlet md, double stepsPerSecond) {
        out.printf(Locale.ROOT, "%8d %10.1f %9.2f %14.6f %14.6f %14.3e %10s%n", md.steps(), md.time() / Units.FS,
                md.temperature(), md.potentialEnergy(), md.totalEnergy(), md.energyDriftPerAtom(),
                Double.isNaN(stepsPerSecond) ? "" : String.format(Locale.ROOT, "%.1f", stepsPerSecond));
    }
}
