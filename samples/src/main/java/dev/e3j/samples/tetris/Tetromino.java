package dev.e3j.samples.tetris;

/**
 * e3nn's tetris data ({@code examples/tetris.py}): eight shapes of four unit cubes, one point per cube. The two
 * chiral shapes are mirror images of each other ({@code y -> -y}); the other six are achiral.
 *
 * <p>Targets follow the network's output irreps {@code 1x0o+6x0e}: the pseudoscalar is {@code +1} / {@code -1}
 * for the two chiral shapes and 0 otherwise, the six scalars are one-hot over the six achiral shapes (all 0 for the
 * chiral pair). Only a pseudoscalar can tell mirror images apart, since it changes sign under inversion.
 */
public enum Tetromino {
    CHIRAL_A("chiral a", +1, -1, cube(0, 0, 0), cube(0, 0, 1), cube(1, 0, 0), cube(1, 1, 0)),
    CHIRAL_B("chiral b", -1, -1, cube(0, 0, 0), cube(0, 0, 1), cube(1, 0, 0), cube(1, -1, 0)),
    SQUARE("square", 0, 0, cube(0, 0, 0), cube(1, 0, 0), cube(0, 1, 0), cube(1, 1, 0)),
    LINE("line", 0, 1, cube(0, 0, 0), cube(0, 0, 1), cube(0, 0, 2), cube(0, 0, 3)),
    CORNER("corner", 0, 2, cube(0, 0, 0), cube(0, 0, 1), cube(0, 1, 0), cube(1, 0, 0)),
    L("L", 0, 3, cube(0, 0, 0), cube(0, 0, 1), cube(0, 0, 2), cube(0, 1, 0)),
    T("T", 0, 4, cube(0, 0, 0), cube(0, 0, 1), cube(0, 0, 2), cube(0, 1, 1)),
    ZIGZAG("zigzag", 0, 5, cube(0, 0, 0), cube(1, 0, 0), cube(1, 1, 0), cube(2, 1, 0));

    /** Cubes per shape. */
    public static final int POINTS = 4;
    /** Output width: one pseudoscalar and six scalars. */
    public static final int OUTPUTS = 7;

    private final String label;
    private final int pseudoscalar;
    private final int scalarClass;
    private final double[] positions;

    /**
     * @param scalarClass index of the one-hot scalar output, or -1 for the chiral shapes
     */
    Tetromino(String label, int pseudoscalar, int scalarClass, double[]... cubes) {
        this.label = label;
        this.pseudoscalar = pseudoscalar;
        this.scalarClass = scalarClass;
        this.positions = new double[3 * cubes.length];
        for (int i = 0; i < cubes.length; i++) {
            System.arraycopy(cubes[i], 0, positions, 3 * i, 3);
        }
    }

    private static double[] cube(int x, int y, int z) {
        return new double[] {x, y, z};
    }

    public String label() {
        return label;
    }

    /** The training pose, {@code [4][3]}. */
    public double[] positions() {
        return positions.clone();
    }

    /** {@code [pseudoscalar, six scalars]}. */
    public double[] target() {
        double[] target = new double[OUTPUTS];
        target[0] = pseudoscalar;
        if (scalarClass >= 0) {
            target[1 + scalarClass] = 1;
        }
        return target;
    }

    /** The shape whose target is this one's after a reflection: the other chiral shape, or itself. */
    public Tetromino mirrorImage() {
        return switch (this) {
            case CHIRAL_A -> CHIRAL_B;
            case CHIRAL_B -> CHIRAL_A;
            default -> this;
        };
    }

    /**
     * e3nn's accuracy: the prediction is correct when every output, rounded to the nearest integer, equals the
     * target.
     */
    public boolean matches(double[] prediction, int offset) {
        double[] target = target();
        for (int k = 0; k < OUTPUTS; k++) {
            if (Math.rint(prediction[offset + k]) != target[k]) {
                return false;
            }
        }
        return true;
    }
}
