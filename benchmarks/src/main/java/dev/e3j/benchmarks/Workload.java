package dev.e3j.benchmarks;

import dev.e3j.annotations.Layout;
import dev.e3j.processor.writer.NumberType;
import dev.e3j.runtime.SphericalHarmonicsKernel;
import dev.e3j.runtime.SymmetricContractionKernel;
import dev.e3j.runtime.TensorProductKernel;
import java.util.SplittableRandom;

/** One benchmark operation on preallocated, seeded inputs: the whole batch, forward or forward plus gradients. */
interface Workload {

    long SEED = 20240917L;

    void run();

    /**
     * The operation of {@code configuration}; a product with its features in {@code layout} (the same seeded numbers
     * either way, read as that layout's), a contraction in one of its {@link Configuration#layouts()}, the harmonics
     * in their one layout.
     */
    static Workload of(Configuration configuration, NumberType precision, Pass pass, Layout layout) {
        SplittableRandom random = new SplittableRandom(SEED);
        int batch = configuration.batch();
        if (configuration.kind() == Configuration.Kind.SYMMETRIC_CONTRACTION) {
            return symmetricContraction(configuration.symmetricContractionKernel(layout), precision, pass, batch,
                    random);
        }
        if (configuration.isTensorProduct()) {
            TensorProductKernel kernel = configuration.tensorProductKernel(layout);
            int dim1 = kernel.irrepsIn1().dim();
            int dim2 = kernel.irrepsIn2().dim();
            int dimOut = kernel.irrepsOut().dim();
            int weights = kernel.sharedWeights() ? kernel.weightNumel() : batch * kernel.weightNumel();
            return precision == NumberType.DOUBLE
                    ? tensorProduct(kernel, pass, batch, uniform(random, batch * dim1), uniform(random, batch * dim2),
                            uniform(random, weights), uniform(random, batch * dimOut))
                    : tensorProduct(kernel, pass, batch, toFloat(uniform(random, batch * dim1)),
                            toFloat(uniform(random, batch * dim2)), toFloat(uniform(random, weights)),
                            toFloat(uniform(random, batch * dimOut)));
        }
        return sphericalHarmonics(configuration.sphericalHarmonicsKernel(), precision, pass, batch, random);
    }

    /** The harmonics of {@code n} vectors drawn from {@code random}, and a cotangent for the backward. */
    static Workload sphericalHarmonics(SphericalHarmonicsKernel kernel, NumberType precision, Pass pass, int n,
                                       SplittableRandom random) {
        int dim = kernel.irrepsOut().dim();
        double[] xyz = uniform(random, 3 * n);
        double[] gradOut = uniform(random, n * dim);
        return precision == NumberType.DOUBLE
                ? sphericalHarmonics(kernel, pass, n, xyz, gradOut)
                : sphericalHarmonics(kernel, pass, n, toFloat(xyz), toFloat(gradOut));
    }

    /** The contraction of {@code nodes} nodes of random elements, features, weights and cotangent. */
    private static Workload symmetricContraction(SymmetricContractionKernel kernel, NumberType precision, Pass pass,
                                                 int nodes, SplittableRandom random) {
        int[] elements = random.ints(nodes, 0, kernel.elements()).toArray();
        double[] x = uniform(random, nodes * kernel.irrepsIn().dim());
        double[] weights = uniform(random, kernel.weightNumel());
        double[] gradOut = uniform(random, nodes * kernel.irrepsOut().dim());
        return precision == NumberType.DOUBLE
                ? symmetricContraction(kernel, pass, nodes, elements, x, weights, gradOut)
                : symmetricContraction(kernel, pass, nodes, elements, toFloat(x), toFloat(weights), toFloat(gradOut));
    }

    private static Workload symmetricContraction(SymmetricContractionKernel kernel, Pass pass, int nodes,
                                                 int[] elements, double[] x, double[] weights, double[] gradOut) {
        double[] out = new double[gradOut.length];
        if (pass == Pass.FORWARD) {
            return () -> kernel.forward(nodes, x, elements, weights, out);
        }
        double[] gradX = new double[x.length];
        double[] gradWeights = new double[weights.length];
        return () -> {
            kernel.forward(nodes, x, elements, weights, out);
            kernel.backward(nodes, x, elements, weights, gradOut, gradX, gradWeights);
        };
    }

    private static Workload symmetricContraction(SymmetricContractionKernel kernel, Pass pass, int nodes,
                                                 int[] elements, float[] x, float[] weights, float[] gradOut) {
        float[] out = new float[gradOut.length];
        if (pass == Pass.FORWARD) {
            return () -> kernel.forward(nodes, x, elements, weights, out);
        }
        float[] gradX = new float[x.length];
        float[] gradWeights = new float[weights.length];
        return () -> {
            kernel.forward(nodes, x, elements, weights, out);
            kernel.backward(nodes, x, elements, weights, gradOut, gradX, gradWeights);
        };
    }

    private static Workload tensorProduct(TensorProductKernel kernel, Pass pass, int batch, double[] x1, double[] x2,
                                          double[] weights, double[] gradOut) {
        double[] out = new double[gradOut.length];
        if (pass == Pass.FORWARD) {
            return () -> kernel.forward(batch, x1, x2, weights, out);
        }
        double[] gradX1 = new double[x1.length];
        double[] gradX2 = new double[x2.length];
        double[] gradWeights = new double[weights.length];
        return () -> {
            kernel.forward(batch, x1, x2, weights, out);
            kernel.backward(batch, x1, x2, weights, gradOut, gradX1, gradX2, gradWeights);
        };
    }

    private static Workload tensorProduct(TensorProductKernel kernel, Pass pass, int batch, float[] x1, float[] x2,
                                          float[] weights, float[] gradOut) {
        float[] out = new float[gradOut.length];
        if (pass == Pass.FORWARD) {
            return () -> kernel.forward(batch, x1, x2, weights, out);
        }
        float[] gradX1 = new float[x1.length];
        float[] gradX2 = new float[x2.length];
        float[] gradWeights = new float[weights.length];
        return () -> {
            kernel.forward(batch, x1, x2, weights, out);
            kernel.backward(batch, x1, x2, weights, gradOut, gradX1, gradX2, gradWeights);
        };
    }

    private static Workload sphericalHarmonics(SphericalHarmonicsKernel kernel, Pass pass, int n, double[] xyz,
                                               double[] gradOut) {
        double[] out = new double[gradOut.length];
        if (pass == Pass.FORWARD) {
            return () -> kernel.forward(n, xyz, out);
        }
        double[] gradXyz = new double[xyz.length];
        return () -> {
            kernel.forward(n, xyz, out);
            kernel.backward(n, xyz, gradOut, gradXyz);
        };
    }

    private static Workload sphericalHarmonics(SphericalHarmonicsKernel kernel, Pass pass, int n, float[] xyz,
                                               float[] gradOut) {
        float[] out = new float[gradOut.length];
        if (pass == Pass.FORWARD) {
            return () -> kernel.forward(n, xyz, out);
        }
        float[] gradXyz = new float[xyz.length];
        return () -> {
            kernel.forward(n, xyz, out);
            kernel.backward(n, xyz, gradOut, gradXyz);
        };
    }

    /** Uniform in [-1, 1): inputs of unit scale, as e3nn's benchmarks draw them (randn) up to the distribution. */
    static double[] uniform(SplittableRandom random, int length) {
        double[] values = new double[length];
        for (int i = 0; i < length; i++) {
            values[i] = 2 * random.nextDouble() - 1;
        }
        return values;
    }

    static float[] toFloat(double[] values) {
        float[] floats = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            floats[i] = (float) values[i];
        }
        return floats;
    }
}
