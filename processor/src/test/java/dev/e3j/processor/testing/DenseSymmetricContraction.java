package dev.e3j.processor.testing;

import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.SymmetricContractionKernel;
import dev.e3j.runtime.io.StateDict;
import java.util.ArrayList;
import java.util.List;

/**
 * mace-torch's {@code SymmetricContraction} computed the slow, obvious way from the bases {@code U_matrix_ν} that a
 * MACE {@code state_dict} stores: per node, channel {@code c} and output component {@code M},
 * {@code out_c[M] = sum_ν sum_{i_1..i_ν, k} U_ν[M, i_1, .., i_ν, k] W_ν[element, k, c] x_c[i_1] .. x_c[i_ν]}, with
 * {@code x_c} the channel's {@code D} components of all input irreps in order (MACE's {@code reshape_irreps}). An
 * independent check of the whole-model engine (and of generated contraction kernels), not fast.
 */
public final class DenseSymmetricContraction implements SymmetricContractionKernel {

    private final Irreps irrepsIn;
    private final Irreps irrepsOut;
    private final int correlation;
    private final int elements;
    private final int channels;
    private final int d;
    /** {@code bases[c][ν - 1]}: output irrep c's {@code U_ν}, flat {@code [2L+1][D]^ν[K_ν]}. */
    private final double[][][] bases;
    private final int[][] numParams;
    private final List<Tensor> views = new ArrayList<>();
    /** {@code weightOffsets[c][ν - 1]}: where output irrep c's {@code W_ν} starts in the flat weights. */
    private final int[][] weightOffsets;
    private final int weightNumel;

    /**
     * @param module the contraction module's {@code state_dict} prefix, e.g.
     *               {@code products.0.symmetric_contractions}
     */
    public DenseSymmetricContraction(Irreps irrepsIn, Irreps irrepsOut, int correlation, int elements,
                                     StateDict stateDict, String module) {
        this.irrepsIn = irrepsIn;
        this.irrepsOut = irrepsOut;
        this.correlation = correlation;
        this.elements = elements;
        this.channels = irrepsIn.get(0).mul();
        this.d = irrepsIn.entries().stream().mapToInt(entry -> entry.ir().dim()).sum();
        this.bases = new double[irrepsOut.size()][correlation][];
        this.numParams = new int[irrepsOut.size()][correlation];
        this.weightOffsets = new int[irrepsOut.size()][correlation];
        int offset = 0;
        for (int c = 0; c < irrepsOut.size(); c++) {
            String contraction = "contractions." + c;
            for (int nu = 1; nu <= correlation; nu++) {
                String name = module + "." + contraction + ".U_matrix_" + nu;
                long[] shape = stateDict.shape(name);
                bases[c][nu - 1] = stateDict.doubles(name);
                numParams[c][nu - 1] = (int) shape[shape.length - 1];
            }
            for (int nu = correlation; nu >= 1; nu--) {
                String name = nu == correlation ? contraction + ".weights_max"
                        : contraction + ".weights." + (correlation - 1 - nu);
                views.add(new Tensor(name, offset, List.of(elements, numParams[c][nu - 1], channels)));
                weightOffsets[c][nu - 1] = offset;
                offset += elements * numParams[c][nu - 1] * channels;
            }
        }
        this.weightNumel = offset;
    }

    @Override
    public Irreps irrepsIn() {
        return irrepsIn;
    }

    @Override
    public Irreps irrepsOut() {
        return irrepsOut;
    }

    @Override
    public int correlation() {
        return correlation;
    }

    @Override
    public int elements() {
        return elements;
    }

    @Override
    public int weightNumel() {
        return weightNumel;
    }

    @Override
    public List<Tensor> weightViews() {
        return views;
    }

    /** Channel {@code u}'s {@code D} components of node {@code node}'s input. */
    private double[] channel(double[] x, int node, int u) {
        double[] xc = new double[d];
        int i = 0;
        for (int j = 0; j < irrepsIn.size(); j++) {
            int dim = irrepsIn.get(j).ir().dim();
            int at = node * irrepsIn.dim() + irrepsIn.offset(j) + u * dim;
            for (int m = 0; m < dim; m++) {
                xc[i++] = x[at + m];
            }
        }
        return xc;
    }

    @Override
    public void forward(int nodes, double[] x, int[] elementOf, double[] weights, double[] out) {
        run(nodes, x, elementOf, weights, out, null, null);
    }

    @Override
    public void backward(int nodes, double[] x, int[] elementOf, double[] weights, double[] gradOut, double[] gradX,
                         double[] gradWeights) {
        if (gradWeights != null) {
            throw new UnsupportedOperationException("weight gradients");
        }
        if (gradX != null) {
            java.util.Arrays.fill(gradX, 0.0);
            run(nodes, x, elementOf, weights, null, gradOut, gradX);
        }
    }

    /** The forward ({@code out} non-null) or the input gradient ({@code gradX} non-null). */
    private void run(int nodes, double[] x, int[] elementOf, double[] weights, double[] out, double[] gradOut,
                     double[] gradX) {
        int outDim = irrepsOut.dim();
        for (int node = 0; node < nodes; node++) {
            int element = elementOf[node];
            for (int u = 0; u < channels; u++) {
                double[] xc = channel(x, node, u);
                double[] gradXc = new double[d];
                for (int c = 0; c < irrepsOut.size(); c++) {
                    int dimOut = irrepsOut.get(c).ir().dim();
                    for (int m = 0; m < dimOut; m++) {
                        int o = node * outDim + irrepsOut.offset(c) + u * dimOut + m;
                        double value = 0;
                        for (int nu = 1; nu <= correlation; nu++) {
                            value += term(c, nu, m, element, u, xc, weights,
                                    gradOut == null ? 0 : gradOut[o], gradXc);
                        }
                        if (out != null) {
                            out[o] = value;
                        }
                    }
                }
                if (gradX != null) {
                    int i = 0;
                    for (int j = 0; j < irrepsIn.size(); j++) {
                        int dim = irrepsIn.get(j).ir().dim();
                        int at = node * irrepsIn.dim() + irrepsIn.offset(j) + u * dim;
                        for (int m = 0; m < dim; m++) {
                            gradX[at + m] += gradXc[i++];
                        }
                    }
                }
            }
        }
    }

    /**
     * {@code sum_{i, k} U_ν[m, i, k] W[k] prod_p x[i_p]}; adds {@code g} times its gradient with respect to
     * {@code x} to {@code gradXc}.
     */
    private double term(int c, int nu, int m, int element, int u, double[] xc, double[] weights, double g,
                        double[] gradXc) {
        double[] basis = bases[c][nu - 1];
        int k = numParams[c][nu - 1];
        int tuples = (int) Math.pow(d, nu);
        int base = m * tuples * k;
        int weightBase = weightOffsets[c][nu - 1] + element * k * channels + u;
        double value = 0;
        int[] index = new int[nu];
        for (int t = 0; t < tuples; t++) {
            int rest = t;
            for (int p = nu - 1; p >= 0; p--) {
                index[p] = rest % d;
                rest /= d;
            }
            double coupling = 0;
            for (int q = 0; q < k; q++) {
                coupling += basis[base + t * k + q] * weights[weightBase + q * channels];
            }
            if (coupling == 0) {
                continue;
            }
            double product = coupling;
            for (int p = 0; p < nu; p++) {
                product *= xc[index[p]];
            }
            value += product;
            if (g != 0) {
                for (int p = 0; p < nu; p++) {
                    double partial = coupling * g;
                    for (int q = 0; q < nu; q++) {
                        if (q != p) {
                            partial *= xc[index[q]];
                        }
                    }
                    gradXc[index[p]] += partial;
                }
            }
        }
        return value;
    }
}
