package dev.e3j.runtime.md;

import java.util.HashMap;
import java.util.Map;

/**
 * The chemical elements {@code Z = 1..118}: symbols and standard atomic masses in atomic mass units, the values of
 * ASE's {@code ase.data.chemical_symbols} and {@code ase.data.atomic_masses} (IUPAC 2016; for elements without a
 * stable isotope, the mass of the longest-lived one).
 */
public final class Elements {

    /** The largest atomic number known. */
    public static final int MAX_ATOMIC_NUMBER = 118;

    private static final String[] SYMBOLS = {
            "H", "He", "Li", "Be", "B", "C", "N", "O", "F", "Ne", "Na", "Mg", "Al", "Si", "P", "S",
            "Cl", "Ar", "K", "Ca", "Sc", "Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn", "Ga", "Ge",
            "As", "Se", "Br", "Kr", "Rb", "Sr", "Y", "Zr", "Nb", "Mo", "Tc", "Ru", "Rh", "Pd", "Ag", "Cd",
            "In", "Sn", "Sb", "Te", "I", "Xe", "Cs", "Ba", "La", "Ce", "Pr", "Nd", "Pm", "Sm", "Eu", "Gd",
            "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Hf", "Ta", "W", "Re", "Os", "Ir", "Pt", "Au", "Hg",
            "Tl", "Pb", "Bi", "Po", "At", "Rn", "Fr", "Ra", "Ac", "Th", "Pa", "U", "Np", "Pu", "Am", "Cm",
            "Bk", "Cf", "Es", "Fm", "Md", "No", "Lr", "Rf", "Db", "Sg", "Bh", "Hs", "Mt", "Ds", "Rg", "Cn",
            "Nh", "Fl", "Mc", "Lv", "Ts", "Og",
    };

    private static final double[] MASSES = {
            1.008, 4.002602, 6.94, 9.0121831, 10.81, 12.011,
            14.007, 15.999, 18.998403163, 20.1797, 22.98976928, 24.305,
            26.9815385, 28.085, 30.973761998, 32.06, 35.45, 39.948,
            39.0983, 40.078, 44.955908, 47.867, 50.9415, 51.9961,
            54.938044, 55.845, 58.933194, 58.6934, 63.546, 65.38,
            69.723, 72.63, 74.921595, 78.971, 79.904, 83.798,
            85.4678, 87.62, 88.90584, 91.224, 92.90637, 95.95,
            97.90721, 101.07, 102.9055, 106.42, 107.8682, 112.414,
            114.818, 118.71, 121.76, 127.6, 126.90447, 131.293,
            132.90545196, 137.327, 138.90547, 140.116, 140.90766, 144.242,
            144.91276, 150.36, 151.964, 157.25, 158.92535, 162.5,
            164.93033, 167.259, 168.93422, 173.054, 174.9668, 178.49,
            180.94788, 183.84, 186.207, 190.23, 192.217, 195.084,
            196.966569, 200.592, 204.38, 207.2, 208.9804, 208.98243,
            209.98715, 222.01758, 223.01974, 226.02541, 227.02775, 232.0377,
            231.03588, 238.02891, 237.04817, 244.06421, 243.06138, 247.07035,
            247.07031, 251.07959, 252.083, 257.09511, 258.09843, 259.101,
            262.11, 267.122, 268.126, 271.134, 270.133, 269.1338,
            278.156, 281.165, 281.166, 285.177, 286.182, 289.19,
            289.194, 293.204, 293.208, 294.214,
    };

    private static final Map<String, Integer> BY_SYMBOL = new HashMap<>();

    static {
        for (int z = 1; z <= MAX_ATOMIC_NUMBER; z++) {
            BY_SYMBOL.put(SYMBOLS[z - 1], z);
        }
    }

    private Elements() {
    }

    /**
     * {@return the chemical symbol of element {@code z}, e.g. {@code "Cu"} for 29}
     *
     * @throws IllegalArgumentException if {@code z} is not in {@code 1..118}
     */
    public static String symbol(int z) {
        return SYMBOLS[check(z) - 1];
    }

    /**
     * {@return the standard atomic mass of element {@code z} in atomic mass units (ASE's {@code atomic_masses[z]})}
     *
     * @throws IllegalArgumentException if {@code z} is not in {@code 1..118}
     */
    public static double mass(int z) {
        return MASSES[check(z) - 1];
    }

    /**
     * {@return the atomic number of a chemical symbol, spelled with its case ({@code "Cu"}, not {@code "CU"})}
     *
     * @throws IllegalArgumentException if {@code symbol} is not one of the 118 symbols
     */
    public static int atomicNumber(String symbol) {
        Integer z = BY_SYMBOL.get(symbol);
        if (z == null) {
            throw new IllegalArgumentException("Elements.atomicNumber: symbol must be a chemical symbol from H to Og, "
                    + "got " + (symbol == null ? "null" : "'" + symbol + "'"));
        }
        return z;
    }

    /**
     * {@return the masses of {@code atomicNumbers}, in atomic mass units}
     *
     * @throws IllegalArgumentException naming the first atom whose atomic number is not in {@code 1..118}
     */
    public static double[] masses(int[] atomicNumbers) {
        double[] out = new double[atomicNumbers.length];
        for (int a = 0; a < out.length; a++) {
            int z = atomicNumbers[a];
            if (z < 1 || z > MAX_ATOMIC_NUMBER) {
                throw new IllegalArgumentException("Elements.masses: atomic numbers must be in 1.." + MAX_ATOMIC_NUMBER
                        + ", got " + z + " for atom " + a);
            }
            out[a] = MASSES[z - 1];
        }
        return out;
    }

    private static int check(int z) {
        if (z < 1 || z > MAX_ATOMIC_NUMBER) {
            throw new IllegalArgumentException("Elements: atomic number must be in 1.." + MAX_ATOMIC_NUMBER
                    + ", got " + z);
        }
        return z;
    }
}
