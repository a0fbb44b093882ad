package dev.e3j.runtime.model;

import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.TensorProductKernel;
import java.util.Arrays;

/**
 * A tensor product that no path connects: e3nn builds such products inside whole models (a self-connection whose
 * input shares no irrep with its output) and they output zeros, with no weights. Generated models use it where a
 * generated kernel would have nothing to compute.
 */
final class NoPathProduct implements TensorProductKernel {

    private final Irreps in1;
    private final Irreps in2;
    private final Irreps out;

    NoPathProduct(Irreps in1, Irreps in2, Irreps out) {
        this.in1 = in1;
        this.in2 = in2;
        this.out = out;
    }

    @Override
    public Irreps irrepsIn1() {
        return in1;
    }

    @Override
    public Irreps irrepsIn2() {
        return in2;
    }

    @Override
    public Irreps irrepsOut() {
        return out;
    }

    @Override
    public int weightNumel() {
        return 0;
    }

    @Override
    public boolean sharedWeights() {
        return true;
    }

    @Override
    public void forward(int batch, double[] x1, double[] x2, double[] weights, double[] out) {
        requireLength("out", out, (long) batch * this.out.dim());
        Arrays.fill(out, 0.0);
    }

    @Override
    public void backward(int batch, double[] x1, double[] x2, double[] weights, double[] gradOut, double[] gradX1,
                         double[] gradX2, double[] gradWeights) {
        zero("gradX1", gradX1, (long) batch * in1.dim());
        zero("gradX2", gradX2, (long) batch * in2.dim());
    }

    private static void zero(String name, double[] gradient, long length) {
        if (gradient != null) {
            requireLength(name, gradient, length);
            Arrays.fill(gradient, 0.0);
        }
    }

    private static void requireLength(String name, double[] array, long length) {
        if (array == null || array.length != length) {
            throw new IllegalArgumentException("NoPathProduct: " + name + " must have length " + length + ", got "
                    + (array == null ? "null" : array.length));
        }
    }
}
