package dev.e3j.samples.md;

import dev.e3j.runtime.io.ExtXyz;
import dev.e3j.runtime.model.EnergyForceLoss;
import dev.e3j.runtime.model.Evaluation;
import dev.e3j.runtime.model.InteratomicPotential;
import dev.e3j.runtime.model.Mace;
import dev.e3j.runtime.model.Structure;
import dev.e3j.runtime.model.TrainingStructure;
import dev.e3j.runtime.optim.Adam;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Trains a small MACE ({@link SmallCuPotential}) from scratch in Java on ASE's EMT copper, energies and forces, then
 * runs molecular dynamics with it. The data are every fifth frame of {@code tools/data/cu-emt-train.extxyz} (24
 * frames of 32 atoms, 300 to 1200 K) for training and of {@code cu-emt-test.extxyz} (8 frames) held out, shipped in
 * the jar. Training is mace-torch's recipe, shortened: E0 the mean energy per atom, scale the RMS force component,
 * shift 0; {@code WeightedEnergyForcesLoss} with weights energy 1, forces 100 ({@link EnergyForceLoss}); Adam
 * ({@code lr} 0.01) on batches of 4 frames in a seeded order; the gradient from {@link Mace#lossGradient} (second
 * derivatives through the forces, exact). Run with
 * {@code java -cp samples/target/e3j-md.jar dev.e3j.samples.md.CuTraining [--epochs N] [--seed S] [--md-steps N]}.
 */
public final class CuTraining {

    /** Training frames. */
    public static final String TRAIN = "cu-emt-train-24.extxyz";
    /** Held-out frames. */
    public static final String TEST = "cu-emt-test-8.extxyz";
    /** Epochs unless {@code --epochs} says otherwise. */
    public static final int DEFAULT_EPOCHS = 10;
    /** Frames per gradient step. */
    public static final int BATCH_SIZE = 4;
    /** The loss: mace-torch's default weights. */
    public static final EnergyForceLoss LOSS = EnergyForceLoss.of(1.0, 100.0);

    private CuTraining() {
    }

    /**
     * Errors of a potential on frames: energy RMSE per atom (eV/atom) and force-component RMSE (eV/Å).
     *
     * @param energyRmsePerAtom the energy RMSE per atom
     * @param forceRmse         the force-component RMSE
     */
    public record Errors(double energyRmsePerAtom, double forceRmse) {
    }

    /**
     * What training gave.
     *
     * @param potential the trained potential
     * @param before    held-out errors of the initial parameters
     * @param after     held-out errors after each epoch
     */
    public record Result(InteratomicPotential potential, Errors before, List<Errors> after) {
    }

    /** Trains with {@code args} ({@code --epochs N --seed S --md-steps N}), then runs MD; exits 2 on a bad line. */
    public static void main(String[] args) throws IOException {
        int epochs = DEFAULT_EPOCHS;
        long seed = 1;
        int mdSteps = 200;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                System.out.println("usage: java -cp e3j-md.jar dev.e3j.samples.md.CuTraining [--epochs N] [--seed S]"
                        + " [--md-steps N]\nTrains a small MACE on EMT copper in Java (energies and forces), then runs"
                        + " NVE MD with it (md-trained.extxyz).");
                return;
            }
            if (i + 1 == args.length) {
                exitUsage(arg + " needs a value");
            }
            String value = args[++i];
            try {
                switch (arg) {
                    case "--epochs" -> epochs = Integer.parseInt(value);
                    case "--seed" -> seed = Long.parseLong(value);
                    case "--md-steps" -> mdSteps = Integer.parseInt(value);
                    default -> exitUsage("unknown option " + arg);
                }
            } catch (NumberFormatException e) {
                exitUsage(arg + ": expected a number, got " + value);
            }
        }
        if (epochs < 1 || mdSteps < 1) {
            exitUsage("--epochs and --md-steps must be at least 1");
        }
        Result result = train(epochs, seed, System.out);
        MdOptions options;
        try {
            options = MdOptions.parse("--steps", String.valueOf(mdSteps), "--every", "50", "--out",
                    "md-trained.extxyz");
        } catch (MdOptions.UsageException e) {
            throw new IllegalStateException(e);
        }
        MolecularDynamics.run(result.potential(), Potentials.repeat(Potentials.fccCubicCell(29,
                Potentials.CU_LATTICE_CONSTANT), new int[] {2, 2, 2}), options, System.out);
    }

    private static void exitUsage(String message) {
        System.err.println("e3j CuTraining: " + message + " (--help for usage)");
        System.exit(2);
    }

    /**
     * Trains {@link SmallCuPotential} for {@code epochs} epochs from parameters drawn with {@code seed}, printing one
     * line per epoch (training loss, held-out energy and force errors, time) to {@code out}.
     */
    public static Result train(int epochs, long seed, PrintStream out) {
        List<TrainingStructure> train = frames(TRAIN);
        List<TrainingStructure> test = frames(TEST);
        Mace mace = SmallCuPotentialImpl.architecture(Map.of());
        double energyPerAtom = 0;
        double forceSquares = 0;
        int atoms = 0;
        for (TrainingStructure frame : train) {
            energyPerAtom += frame.energy();
            for (double f : frame.forces()) {
                forceSquares += f * f;
            }
            atoms += frame.structure().size();
        }
        double[] params = mace.initialParameters(new Random(seed), new double[] {energyPerAtom / atoms},
                Math.sqrt(forceSquares / (3.0 * atoms)), 0.0);
        Adam adam = new Adam(params.length, 0.01, 0.9, 0.999, 1e-8, 0.0);
        Errors before = errors(mace.potential(mace.weights(params)), test);
        out.printf(Locale.ROOT, "e3j: training a %d-parameter MACE on %d EMT copper frames (%d held out), batches of "
                + "%d, Adam lr 0.01%n", params.length, train.size(), test.size(), BATCH_SIZE);
        out.printf(Locale.ROOT, "%6s %12s %16s %14s %8s%n", "epoch", "train loss", "test E meV/atom", "test F meV/Å",
                "s");
        out.printf(Locale.ROOT, "%6d %12s %16.2f %14.1f%n", 0, "", 1000 * before.energyRmsePerAtom(),
                1000 * before.forceRmse());
        Random order = new Random(seed);
        List<Errors> after = new ArrayList<>();
        List<TrainingStructure> shuffled = new ArrayList<>(train);
        for (int epoch = 1; epoch <= epochs; epoch++) {
            long started = System.nanoTime();
            Collections.shuffle(shuffled, order);
            double lossSum = 0;
            int batches = 0;
            for (int from = 0; from < shuffled.size(); from += BATCH_SIZE) {
                List<TrainingStructure> batch = shuffled.subList(from, Math.min(from + BATCH_SIZE, shuffled.size()));
                Mace.LossGradient step = mace.lossGradient(batch, mace.weights(params), LOSS);
                adam.step(params, step.gradient());
                lossSum += step.loss();
                batches++;
            }
            Errors errors = errors(mace.potential(mace.weights(params)), test);
            after.add(errors);
            out.printf(Locale.ROOT, "%6d %12.5f %16.2f %14.1f %8.1f%n", epoch, lossSum / batches,
                    1000 * errors.energyRmsePerAtom(), 1000 * errors.forceRmse(), (System.nanoTime() - started) / 1e9);
        }
        return new Result(mace.potential(mace.weights(params)), before, after);
    }

    /** The energy RMSE per atom and force-component RMSE of {@code potential} on {@code frames}. */
    public static Errors errors(InteratomicPotential potential, List<TrainingStructure> frames) {
        List<Evaluation> predictions = potential.evaluate(frames.stream().map(TrainingStructure::structure).toList());
        double energy = 0;
        double force = 0;
        int components = 0;
        for (int g = 0; g < frames.size(); g++) {
            TrainingStructure frame = frames.get(g);
            double perAtom = (predictions.get(g).energy() - frame.energy()) / frame.structure().size();
            energy += perAtom * perAtom;
            double[] reference = frame.forces();
            double[] predicted = predictions.get(g).forces();
            for (int k = 0; k < reference.length; k++) {
                force += (predicted[k] - reference[k]) * (predicted[k] - reference[k]);
            }
            components += reference.length;
        }
        return new Errors(Math.sqrt(energy / frames.size()), Math.sqrt(force / components));
    }

    /** The frames of the class-path resource {@code name}, with their energies and forces. */
    public static List<TrainingStructure> frames(String name) {
        try (InputStream in = CuTraining.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("class-path resource dev/e3j/samples/md/" + name + " not found");
            }
            List<TrainingStructure> frames = new ArrayList<>();
            for (ExtXyz.Frame frame : ExtXyz.read(new BufferedReader(new InputStreamReader(in,
                    StandardCharsets.UTF_8)), name)) {
                Structure structure = frame.structure();
                if (frame.energy().isEmpty() || frame.forces() == null) {
                    throw new IOException(name + ": expected an energy and forces in every frame");
                }
                frames.add(TrainingStructure.of(structure, frame.energy().getAsDouble(), frame.forces()));
            }
            return frames;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
