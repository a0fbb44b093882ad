package dev.e3j.runtime.model;

import dev.e3j.runtime.BatchBlocks;
import dev.e3j.runtime.Irrep;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.TensorProductKernel;
import dev.e3j.runtime.nn.FullyConnectedNet;
import java.util.Arrays;

/**
 * e3nn's {@code gate_points_2101.Convolution} with node attributes {@code z}, on generated kernels:
 * <pre>
 *   s   = sc(x, z)                                                fully connected products with the attributes
 *   h   = lin1(x, z)
 *   m_e = tp(h[src_e], Y_e, fc(E_e))                               per-edge weights from the radial MLP
 *   a_n = (1 / sqrt(numNeighbors)) sum_{e: dst_e = n} m_e
 *   out = sin(pi/8) s + cos(pi/8) lin2(a, z)                       where sc's output mask is 1
 *   out = lin2(a, z)                                                elsewhere
 * </pre>
 * Parameters are one flat array: {@code sc}, {@code lin1}, the radial MLP's layers, {@code lin2} ({@link #offsets}).
 * Stateless and thread-safe.
 */
final class PointConvolution {

    private static final double SELF_CONNECTION_MIX = Math.sin(Math.PI / 8);
    private static final double CONVOLUTION_MIX = Math.cos(Math.PI / 8);
    /** Nodes per parallel block of the node-wise products {@code sc}, {@code lin1} and {@code lin2}. */
    private static final int NODE_BLOCK = 128;

    final String prefix;
    final TensorProductKernel selfConnection;
    final TensorProductKernel lin1;
    final TensorProductKernel edgeProduct;
    final TensorProductKernel lin2;
    final FullyConnectedNet radial;
    private final double numNeighbors;
    /** Per output component: e3nn's {@code sc.output_mask}. */
    final double[] selfConnectionMask;
    /** Offsets of sc, lin1, radial, lin2 weights, and the end. */
    final int[] offsets;

    PointConvolution(String prefix, TensorProductKernel selfConnection, TensorProductKernel lin1,
                     TensorProductKernel edgeProduct, TensorProductKernel lin2, FullyConnectedNet radial,
                     double numNeighbors) {
        this.prefix = prefix;
        this.selfConnection = selfConnection;
        this.lin1 = lin1;
        this.edgeProduct = edgeProduct;
        this.lin2 = lin2;
        this.radial = radial;
        this.numNeighbors = numNeighbors;
        requireSame(prefix + ".lin1.irrepsIn1()", lin1.irrepsIn1(), selfConnection.irrepsIn1());
        requireSame(prefix + ".lin1.irrepsOut()", lin1.irrepsOut(), lin1.irrepsIn1());
        requireSame(prefix + ".tp.irrepsIn1()", edgeProduct.irrepsIn1(), lin1.irrepsOut());
        requireSame(prefix + ".lin2.irrepsIn1()", lin2.irrepsIn1(), edgeProduct.irrepsOut());
        requireSame(prefix + ".lin2.irrepsOut()", lin2.irrepsOut(), selfConnection.irrepsOut());
        requireSame(prefix + ".lin1.irrepsIn2()", lin1.irrepsIn2(), selfConnection.irrepsIn2());
        requireSame(prefix + ".lin2.irrepsIn2()", lin2.irrepsIn2(), selfConnection.irrepsIn2());
        if (edgeProduct.sharedWeights() || !selfConnection.sharedWeights() || !lin1.sharedWeights()
                || !lin2.sharedWeights()) {
            throw new IllegalArgumentException(prefix + ": expected per-edge weights for tp and shared weights for "
                    + "sc, lin1 and lin2");
        }
        if (radial.outputDim() != edgeProduct.weightNumel()) {
            throw new IllegalArgumentException(prefix + ".fc: expected output size tp.weightNumel() = "
                    + edgeProduct.weightNumel() + ", got " + radial.outputDim());
        }
        this.selfConnectionMask = outputMask(selfConnection.irrepsIn1(), selfConnection.irrepsIn2(),
                selfConnection.irrepsOut());
        int[] sizes = {selfConnection.weightNumel(), lin1.weightNumel(), radial.parameterCount(), lin2.weightNumel()};
        this.offsets = new int[sizes.length + 1];
        for (int i = 0; i < sizes.length; i++) {
            offsets[i + 1] = Math.addExact(offsets[i], sizes[i]);
        }
    }

    private static void requireSame(String name, Irreps actual, Irreps expected) {
        if (!actual.equals(expected)) {
            throw new IllegalArgumentException(name + ": expected \"" + expected + "\", got \"" + actual + "\"");
        }
    }

    /**
     * e3nn's {@code output_mask} of a fully connected product: 1 on the components of every output entry that some
     * path {@code ir1 x ir2 -> ir_out} reaches, else 0.
     */
    static double[] outputMask(Irreps in1, Irreps in2, Irreps out) {
        double[] mask = new double[out.dim()];
        for (int k = 0; k < out.size(); k++) {
            Irrep irOut = out.get(k).ir();
            boolean reached = false;
            for (Irreps.MulIrrep a : in1) {
                for (Irreps.MulIrrep b : in2) {
                    reached |= a.mul() > 0 && b.mul() > 0 && a.ir().couplesTo(b.ir(), irOut);
                }
            }
            Arrays.fill(mask, out.offset(k), out.offset(k + 1), reached ? 1.0 : 0.0);
        }
        return mask;
    }

    Irreps irrepsIn() {
        return lin1.irrepsIn1();
    }

    Irreps irrepsOut() {
        return lin2.irrepsOut();
    }

    int parameterCount() {
        return offsets[offsets.length - 1];
    }

    /**
     * The intermediates of one forward pass that the output and the gradients need. The edges run fused, one
     * {@link EdgeSet} block at a time (blocks in parallel): each gathers its neighbours, evaluates the radial MLP on
     * its lengths, applies the product and sums its messages into its own nodes, all in arrays of the block's size,
     * so no per-edge message array is ever stored. Each node sums its edges in edge order, as one loop would.
     */
    final class Pass {
        final double[] selfConnected;
        /** {@code lin1(x, z)}, {@code [numNodes][hiddenDim]}: what every edge reads of its neighbour. */
        final double[] hidden;
        final FullyConnectedNet.Trace radialTrace;
        final double[] aggregated;
        final double[] mixed;

        Pass(EdgeSet edges, double[] x, double[] z, double[] params) {
            int numNodes = edges.numNodes();
            selfConnected = new double[numNodes * irrepsOut().dim()];
            forwardByNodes(selfConnection, numNodes, x, z, block(params, 0), selfConnected);
            int hiddenDim = lin1.irrepsOut().dim();
            hidden = new double[numNodes * hiddenDim];
            forwardByNodes(lin1, numNodes, x, z, block(params, 1), hidden);
            radialTrace = radial.emptyTrace(edges.numEdges(), edges.lengthEmbedding(), block(params, 2));
            int midDim = edgeProduct.irrepsOut().dim();
            aggregated = new double[numNodes * midDim];
            double scale = 1 / Math.sqrt(numNeighbors);
            edges.forEachBlock((block, firstNode, endNode, firstEdge, endEdge) -> {
                int count = endEdge - firstEdge;
                radialTrace.forward(firstEdge, endEdge);
                double[] weights = new double[count * edgeProduct.weightNumel()];
                radialTrace.copyOutput(firstEdge, endEdge, weights);
                double[] messages = new double[count * midDim];
                edgeProduct.forward(count, edges.gatherSrc(hidden, hiddenDim, firstEdge, endEdge),
                        edges.attr(firstEdge, endEdge), weights, messages);
                edges.sumIntoDst(messages, midDim, scale, firstNode, endNode, aggregated);
            });
            mixed = new double[numNodes * irrepsOut().dim()];
            forwardByNodes(lin2, numNodes, aggregated, z, block(params, 3), mixed);
        }

        /** {@code out = sin(pi/8) m s + (1 - m + cos(pi/8) m) lin2(a)}. */
        double[] output() {
            int dim = irrepsOut().dim();
            double[] out = new double[mixed.length];
            for (int i = 0; i < out.length; i++) {
                double m = selfConnectionMask[i % dim];
                out[i] = SELF_CONNECTION_MIX * m * selfConnected[i] + (1 - m + CONVOLUTION_MIX * m) * mixed[i];
            }
            return out;
        }
    }

    double[] block(double[] params, int block) {
        return Arrays.copyOfRange(params, offsets[block], offsets[block + 1]);
    }

    /**
     * Backward of {@link Pass#output()}: adds the gradients of {@code sum(out * gradOut)} to {@code gradX},
     * {@code gradZ}, {@code gradAttr}, {@code gradLengthEmbedding} and {@code gradParams} (this layer's flat block);
     * a {@code null} one is skipped. The edges run fused per {@link EdgeSet} block as in the forward pass; the radial
     * MLP's weight gradient is summed per block, then over the blocks in order.
     */
    void backward(EdgeSet edges, double[] x, double[] z, double[] params, Pass pass, double[] gradOut,
                  double[] gradX, double[] gradZ, double[] gradAttr, double[] gradLengthEmbedding,
                  double[] gradParams) {
        int numNodes = edges.numNodes();
        int numEdges = edges.numEdges();
        int dimOut = irrepsOut().dim();
        int dimIn = irrepsIn().dim();
        int attrDim = selfConnection.irrepsIn2().dim();
        double[] gradSelfConnected = new double[numNodes * dimOut];
        double[] gradMixed = new double[numNodes * dimOut];
        for (int i = 0; i < gradOut.length; i++) {
            double m = selfConnectionMask[i % dimOut];
            gradSelfConnected[i] = SELF_CONNECTION_MIX * m * gradOut[i];
            gradMixed[i] = (1 - m + CONVOLUTION_MIX * m) * gradOut[i];
        }
        boolean wantZ = gradZ != null;
        boolean wantParams = gradParams != null;
        double[][] gradBlocks = new double[offsets.length - 1][];
        if (wantParams) {
            for (int b = 0; b < gradBlocks.length; b++) {
                gradBlocks[b] = new double[offsets[b + 1] - offsets[b]];
            }
        }

        int midDim = edgeProduct.irrepsOut().dim();
        double[] gradAggregated = new double[numNodes * midDim];
        double[] gradZPart = wantZ ? new double[numNodes * attrDim] : null;
        backwardByNodes(lin2, numNodes, pass.aggregated, z, block(params, 3), gradMixed, gradAggregated, gradZPart,
                gradBlocks[3]);
        addTo(gradZ, gradZPart);

        int hiddenDim = lin1.irrepsOut().dim();
        int numBasis = radial.inputDim();
        int edgeAttrDim = edges.attrDim();
        double[] gradNeighbours = new double[numEdges * hiddenDim];
        double[][] radialPartials = new double[edges.blockCount()][];
        double scale = 1 / Math.sqrt(numNeighbors);
        edges.forEachBlock((block, firstNode, endNode, firstEdge, endEdge) -> {
            int count = endEdge - firstEdge;
            double[] weights = new double[count * edgeProduct.weightNumel()];
            pass.radialTrace.copyOutput(firstEdge, endEdge, weights);
            double[] blockGradNeighbours = new double[count * hiddenDim];
            double[] blockGradAttr = gradAttr != null ? new double[count * edgeAttrDim] : null;
            double[] gradWeights = new double[weights.length];
            edgeProduct.backward(count, edges.gatherSrc(pass.hidden, hiddenDim, firstEdge, endEdge),
                    edges.attr(firstEdge, endEdge), weights,
                    edges.gatherDst(gradAggregated, midDim, scale, firstNode, endNode), blockGradNeighbours,
                    blockGradAttr, gradWeights);
            System.arraycopy(blockGradNeighbours, 0, gradNeighbours, firstEdge * hiddenDim,
                    blockGradNeighbours.length);
            addAt(gradAttr, blockGradAttr, firstEdge * edgeAttrDim);
            double[] blockGradEmbedding = gradLengthEmbedding != null ? new double[count * numBasis] : null;
            double[] radialPartial = wantParams ? new double[radial.parameterCount()] : null;
            pass.radialTrace.backward(firstEdge, endEdge, gradWeights, blockGradEmbedding, radialPartial);
            addAt(gradLengthEmbedding, blockGradEmbedding, firstEdge * numBasis);
            radialPartials[block] = radialPartial;
        });
        if (wantParams) {
            for (double[] partial : radialPartials) {
                addTo(gradBlocks[2], partial);
            }
        }

        double[] gradHidden = edges.sumIntoSrc(gradNeighbours, hiddenDim);
        double[] gradXPart = gradX != null ? new double[numNodes * dimIn] : null;
        backwardByNodes(lin1, numNodes, x, z, block(params, 1), gradHidden, gradXPart, gradZPart, gradBlocks[1]);
        addTo(gradX, gradXPart);
        addTo(gradZ, gradZPart);
        backwardByNodes(selfConnection, numNodes, x, z, block(params, 0), gradSelfConnected, gradXPart, gradZPart,
                gradBlocks[0]);
        addTo(gradX, gradXPart);
        addTo(gradZ, gradZPart);
        if (wantParams) {
            for (int b = 0; b < gradBlocks.length; b++) {
                for (int i = 0; i < gradBlocks[b].length; i++) {
                    gradParams[offsets[b] + i] += gradBlocks[b][i];
                }
            }
        }
    }

    /**
     * {@code kernel.forward} on blocks of {@link #NODE_BLOCK} nodes in parallel (the node-wise products' own blocks
     * are sized for larger batches and would leave a batch of a thousand nodes on one core).
     */
    private static void forwardByNodes(TensorProductKernel kernel, int numNodes, double[] x1, double[] x2,
                                       double[] weights, double[] out) {
        int dim1 = kernel.irrepsIn1().dim();
        int dim2 = kernel.irrepsIn2().dim();
        int dimOut = kernel.irrepsOut().dim();
        BatchBlocks.run(numNodes, NODE_BLOCK, (block, from, to) -> {
            double[] blockOut = new double[(to - from) * dimOut];
            kernel.forward(to - from, rows(x1, dim1, from, to), rows(x2, dim2, from, to), weights, blockOut);
            System.arraycopy(blockOut, 0, out, from * dimOut, blockOut.length);
        });
    }

    /**
     * {@code kernel.backward} on blocks of {@link #NODE_BLOCK} nodes in parallel; the shared weights' gradient is
     * summed per block, then over the blocks in order. Every non-null gradient is overwritten.
     */
    private static void backwardByNodes(TensorProductKernel kernel, int numNodes, double[] x1, double[] x2,
                                        double[] weights, double[] gradOut, double[] gradX1, double[] gradX2,
                                        double[] gradWeights) {
        int dim1 = kernel.irrepsIn1().dim();
        int dim2 = kernel.irrepsIn2().dim();
        int dimOut = kernel.irrepsOut().dim();
        double[][] partialWeights = new double[BatchBlocks.count(numNodes, NODE_BLOCK)][];
        BatchBlocks.run(numNodes, NODE_BLOCK, (block, from, to) -> {
            int count = to - from;
            double[] blockGradX1 = gradX1 != null ? new double[count * dim1] : null;
            double[] blockGradX2 = gradX2 != null ? new double[count * dim2] : null;
            double[] blockGradWeights = gradWeights != null ? new double[gradWeights.length] : null;
            kernel.backward(count, rows(x1, dim1, from, to), rows(x2, dim2, from, to), weights,
                    rows(gradOut, dimOut, from, to), blockGradX1, blockGradX2, blockGradWeights);
            if (blockGradX1 != null) {
                System.arraycopy(blockGradX1, 0, gradX1, from * dim1, blockGradX1.length);
            }
            if (blockGradX2 != null) {
                System.arraycopy(blockGradX2, 0, gradX2, from * dim2, blockGradX2.length);
            }
            partialWeights[block] = blockGradWeights;
        });
        if (gradWeights != null) {
            Arrays.fill(gradWeights, 0.0);
            for (double[] partial : partialWeights) {
                addTo(gradWeights, partial);
            }
        }
    }

    /** Rows {@code from .. to} of a {@code [rows][width]} array. */
    private static double[] rows(double[] array, int width, int from, int to) {
        return Arrays.copyOfRange(array, from * width, to * width);
    }

    /** {@code sum[at + i] += part[i]}: a block's rows added in place ({@code null} sum: skipped). */
    private static void addAt(double[] sum, double[] part, int at) {
        if (sum != null) {
            for (int i = 0; i < part.length; i++) {
                sum[at + i] += part[i];
            }
        }
    }

    private static void addTo(double[] sum, double[] part) {
        if (sum != null) {
            for (int i = 0; i < sum.length; i++) {
                sum[i] += part[i];
            }
        }
    }
}
