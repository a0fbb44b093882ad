package dev.e3j.runtime.md;

/**
 * ASE's unit system, which molecular dynamics here uses: lengths in Å, energies in eV, masses in atomic mass units
 * (amu), temperatures in K. The unit of time follows from these, {@code Å·sqrt(amu/eV)} ≈ 10.18 fs; momenta are in
 * {@code amu·Å/time}, forces in eV/Å. The constants are ASE's ({@code ase.units}, CODATA 2014, the default of ASE 3.22
 * and later): convert a time step with {@code dt = 1.0 * Units.FS}.
 */
public final class Units {

    /** The elementary charge in C (CODATA 2014), ASE's {@code _e}. */
    private static final double ELEMENTARY_CHARGE = 1.6021766208e-19;
    /** The atomic mass unit in kg (CODATA 2014), ASE's {@code _amu}. */
    private static final double ATOMIC_MASS_UNIT = 1.660539040e-27;
    /** The Boltzmann constant in J/K (CODATA 2014), ASE's {@code _k}. */
    private static final double BOLTZMANN_SI = 1.38064852e-23;

    /** One second in ASE's time unit: {@code 1e10 sqrt(e/amu)}, ASE's {@code units.second}. */
    public static final double SECOND = 1e10 * Math.sqrt(ELEMENTARY_CHARGE / ATOMIC_MASS_UNIT);
    /** One femtosecond in ASE's time unit, ASE's {@code units.fs} (about 0.0982). */
    public static final double FS = 1e-15 * SECOND;
    /** The Boltzmann constant in eV/K, ASE's {@code units.kB}. */
    public static final double KB = BOLTZMANN_SI / ELEMENTARY_CHARGE;

    private Units() {
    }
}
