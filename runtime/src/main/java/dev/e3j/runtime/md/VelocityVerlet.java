package dev.e3j.runtime.md;

import dev.e3j.runtime.model.Evaluation;
import dev.e3j.runtime.model.InteratomicPotential;
import dev.e3j.runtime.model.Structure;
import java.util.SplittableRandom;

/**
 * Molecular dynamics in the microcanonical ensemble (NVE) with the velocity Verlet integrator, step for step as ASE's
 * {@code ase.md.verlet.VelocityVerlet}: with forces {@code F} and masses {@code m},
 * <pre>
 *   p += dt/2 F(x);   x += dt p/m;   p += dt/2 F(x)
 * </pre>
 * for any {@link InteratomicPotential}, one evaluation per step. The cell stays fixed.
 *
 * <p>Units are ASE's ({@link Units}): positions in Å, energies in eV, masses in amu (from the atomic numbers,
 * {@link Elements#mass}), momenta in {@code amu·Å} per ASE time unit, temperatures in K, and the time step in ASE's
 * time unit: {@code new VelocityVerlet(potential, structure, 1.0 * Units.FS)} steps one femtosecond.
 *
 * <p>Positions are kept unwrapped: an atom that leaves a periodic cell keeps moving outside it, so trajectories show
 * true displacements (for diffusion), and potentials see the same physics since their neighbour lists take positions
 * as they are ({@link dev.e3j.runtime.graph.NeighborList}).
 *
 * <p>Not thread-safe: one integrator is one trajectory.
 */
public final class VelocityVerlet {

    private final InteratomicPotential potential;
    private final double timestep;
    private final double[] masses;
    private Structure structure;
    private double[] positions;
    private double[] momenta;
    private Evaluation evaluation;
    private long steps;
    private double referenceEnergy;

    /**
     * An integrator starting from {@code structure} at rest; evaluates the potential once.
     *
     * @param timestep the time step in ASE's time unit ({@code femtoseconds * Units.FS})
     * @throws IllegalArgumentException if an argument is null, {@code timestep} is not a finite number {@code > 0},
     *     an atomic number is not in {@code 1..118}, or the potential rejects the structure
     */
    public VelocityVerlet(InteratomicPotential potential, Structure structure, double timestep) {
        if (potential == null || structure == null) {
            throw new IllegalArgumentException("VelocityVerlet: " + (potential == null ? "potential" : "structure")
                    + " must not be null");
        }
        if (!(timestep > 0) || timestep == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("VelocityVerlet: timestep must be a finite number > 0 (ASE time units, "
                    + "femtoseconds * Units.FS), got " + timestep);
        }
        this.potential = potential;
        this.timestep = timestep;
        this.masses = Elements.masses(structure.atomicNumbers());
        this.structure = structure;
        this.positions = structure.positions();
        this.momenta = new double[positions.length];
        this.evaluation = evaluate(structure);
        this.referenceEnergy = totalEnergy();
    }

    /**
     * Sets the momenta, {@code [n][3]} in {@code amu·Å} per ASE time unit, and makes the current total energy the
     * reference of {@link #energyDriftPerAtom()}.
     *
     * @throws IllegalArgumentException if {@code momenta} is not {@code [n][3]} or not finite
     */
    public void setMomenta(double[] momenta) {
        if (momenta == null || momenta.length != positions.length) {
            throw new IllegalArgumentException("VelocityVerlet.setMomenta: momenta must have length " + positions.length
                    + " (" + masses.length + " atoms x 3), got "
                    + (momenta == null ? "null" : String.valueOf(momenta.length)));
        }
        for (int i = 0; i < momenta.length; i++) {
            if (!Double.isFinite(momenta[i])) {
                throw new IllegalArgumentException("VelocityVerlet.setMomenta: momenta must be finite, got "
                        + momenta[i] + " for atom " + i / 3);
            }
        }
        this.momenta = momenta.clone();
        this.referenceEnergy = totalEnergy();
    }

    /**
     * Draws momenta from the Maxwell–Boltzmann distribution at {@code temperature} (K), as ASE's
     * {@code MaxwellBoltzmannDistribution}: each component normal with variance {@code m kB T}; then removes the
     * total momentum (ASE's {@code Stationary}), so the centre of mass stays at rest. The kinetic temperature then
     * averages {@code (3n - 3)/(3n) T}; {@link #scaleToTemperature} makes it exact. Resets the drift's reference.
     *
     * @throws IllegalArgumentException if {@code temperature} is not a finite number {@code >= 0} or {@code random}
     *     is null
     */
    public void initializeMomenta(double temperature, SplittableRandom random) {
        requireTemperature("initializeMomenta", temperature);
        if (random == null) {
            throw new IllegalArgumentException("VelocityVerlet.initializeMomenta: random must not be null");
        }
        double[] drawn = new double[positions.length];
        for (int a = 0; a < masses.length; a++) {
            double sigma = Math.sqrt(masses[a] * Units.KB * temperature);
            for (int c = 0; c < 3; c++) {
                drawn[3 * a + c] = sigma * random.nextGaussian();
            }
        }
        removeTotalMomentum(drawn);
        setMomenta(drawn);
    }

    /**
     * Scales the momenta so that {@link #temperature()} is {@code temperature} (ASE's {@code force_temp}); momenta
     * that are all zero stay zero. Resets the drift's reference.
     *
     * @throws IllegalArgumentException if {@code temperature} is not a finite number {@code >= 0}
     */
    public void scaleToTemperature(double temperature) {
        requireTemperature("scaleToTemperature", temperature);
        double current = temperature();
        double factor = current > 0 ? Math.sqrt(temperature / current) : 0;
        double[] scaled = momenta.clone();
        for (int i = 0; i < scaled.length; i++) {
            scaled[i] *= factor;
        }
        setMomenta(scaled);
    }

    private static void requireTemperature(String method, double temperature) {
        if (!(temperature >= 0) || temperature == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("VelocityVerlet." + method + ": temperature must be a finite number "
                    + ">= 0 (K), got " + temperature);
        }
    }

    /** Subtracts {@code m_a P / M} from each atom's momentum, {@code P} the total momentum, {@code M} the total mass. */
    private void removeTotalMomentum(double[] p) {
        double totalMass = 0;
        double[] total = new double[3];
        for (int a = 0; a < masses.length; a++) {
            totalMass += masses[a];
            for (int c = 0; c < 3; c++) {
                total[c] += p[3 * a + c];
            }
        }
        for (int a = 0; a < masses.length; a++) {
            for (int c = 0; c < 3; c++) {
                p[3 * a + c] -= masses[a] * total[c] / totalMass;
            }
        }
    }

    /**
     * Advances one time step: half a kick with the current forces, a drift, a new evaluation, and the second half kick.
     *
     * @return the evaluation at the new positions
     * @throws IllegalStateException if the positions are no longer finite (the time step is too long for the
     *     potential) or the potential returns forces of the wrong length
     */
    public Evaluation step() {
        double half = 0.5 * timestep;
        double[] forces = evaluation.forces();
        double[] next = positions.clone();
        for (int i = 0; i < next.length; i++) {
            momenta[i] += half * forces[i];
            next[i] += timestep * momenta[i] / masses[i / 3];
            if (!Double.isFinite(next[i])) {
                throw new IllegalStateException("VelocityVerlet.step: the trajectory diverged at step " + (steps + 1)
                        + " (atom " + i / 3 + " reached a non-finite position; lower the time step " + timestep
                        / Units.FS + " fs)");
            }
        }
        positions = next;
        structure = structure.withPositions(next);
        evaluation = evaluate(structure);
        forces = evaluation.forces();
        for (int i = 0; i < momenta.length; i++) {
            momenta[i] += half * forces[i];
        }
        steps++;
        return evaluation;
    }

    /**
     * Advances {@code count} steps.
     *
     * @throws IllegalArgumentException if {@code count} is negative
     * @throws IllegalStateException as {@link #step()}
     */
    public void run(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("VelocityVerlet.run: count must be >= 0, got " + count);
        }
        for (int s = 0; s < count; s++) {
            step();
        }
    }

    private Evaluation evaluate(Structure at) {
        Evaluation result = potential.evaluate(at);
        if (result == null || result.forces() == null || result.forces().length != positions.length) {
            throw new IllegalStateException("VelocityVerlet: potential " + potential.getClass().getName()
                    + " must return forces of length " + positions.length + ", got "
                    + (result == null || result.forces() == null ? "none" : result.forces().length));
        }
        return result;
    }

    /** {@return the current structure (unwrapped positions)} */
    public Structure structure() {
        return structure;
    }

    /** {@return the potential's evaluation of the current structure} */
    public Evaluation evaluation() {
        return evaluation;
    }

    /** {@return a copy of the momenta, {@code [n][3]} in {@code amu·Å} per ASE time unit} */
    public double[] momenta() {
        return momenta.clone();
    }

    /** {@return the velocities {@code p/m}, {@code [n][3]} in Å per ASE time unit} */
    public double[] velocities() {
        double[] out = momenta.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] /= masses[i / 3];
        }
        return out;
    }

    /** {@return a copy of the masses, {@code [n]} in amu} */
    public double[] masses() {
        return masses.clone();
    }

    /** {@return the time step, in ASE's time unit} */
    public double timestep() {
        return timestep;
    }

    /** {@return the number of steps taken} */
    public long steps() {
        return steps;
    }

    /** {@return the simulated time, {@code steps * timestep}, in ASE's time unit (divide by {@link Units#FS} for fs)} */
    public double time() {
        return steps * timestep;
    }

    /** {@return the potential energy (eV)} */
    public double potentialEnergy() {
        return evaluation.energy();
    }

    /** {@return the kinetic energy {@code sum p^2 / 2m} (eV)} */
    public double kineticEnergy() {
        double energy = 0;
        for (int i = 0; i < momenta.length; i++) {
            energy += momenta[i] * momenta[i] / (2 * masses[i / 3]);
        }
        return energy;
    }

    /** {@return the total energy, potential plus kinetic (eV)} */
    public double totalEnergy() {
        return potentialEnergy() + kineticEnergy();
    }

    /**
     * {@return the kinetic temperature {@code 2 K / (3 n kB)} in K, as ASE's {@code get_temperature} (3 degrees of
     * freedom per atom, the centre of mass's included); NaN without atoms}
     */
    public double temperature() {
        return 2 * kineticEnergy() / (momenta.length * Units.KB);
    }

    /**
     * {@return {@code (E - E0) / n}: the total energy's change per atom (eV) since the momenta were last set (or since
     * the start), the measure of how well a step conserves energy}
     */
    public double energyDriftPerAtom() {
        return (totalEnergy() - referenceEnergy) / masses.length;
    }
}
