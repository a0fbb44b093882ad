package dev.e3j.runtime.md;

import dev.e3j.runtime.model.Structure;
import java.util.Random;

/** Test structures. */
public final class Lattices {

    private Lattices() {
    }

    /** Cubic fcc {@code element} with lattice constant {@code a}, repeated {@code n x n x n}, rattled by {@code rattle} Å. */
    public static Structure fcc(int element, double a, int n, double rattle, Random random) {
        double[][] basis = {{0, 0, 0}, {0, 0.5, 0.5}, {0.5, 0, 0.5}, {0.5, 0.5, 0}};
        int atoms = 4 * n * n * n;
        int[] z = new int[atoms];
        double[] positions = new double[3 * atoms];
        int index = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < n; k++) {
                    for (double[] b : basis) {
                        z[index] = element;
                        positions[3 * index] = a * (i + b[0]) + rattle * random.nextGaussian();
                        positions[3 * index + 1] = a * (j + b[1]) + rattle * random.nextGaussian();
                        positions[3 * index + 2] = a * (k + b[2]) + rattle * random.nextGaussian();
                        index++;
                    }
                }
            }
        }
        double side = a * n;
        return Structure.periodic(z, positions, new double[] {side, 0, 0, 0, side, 0, 0, 0, side},
                new boolean[] {true, true, true});
    }
}
