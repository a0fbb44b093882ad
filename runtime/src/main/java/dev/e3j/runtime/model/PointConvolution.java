package dev.e3j.runtime.model;

import dev.e3j.runtime.BatchBlocks;
import dev.e3j.runtime.Irrep;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.TensorProductKernel;
import dev.e3j.runtime.nn.FullyConnectedNet;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;

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
 * Node and edge features are in the products' layout, {@code mul_ir} or channel-last {@code ir_mul}: the mix, whose
 * mask is constant over each entry, and the gathers and sums, which move whole rows, are the same in both.
 * Thread-safe; its only state is a pool of scratch arrays for chunks of edges ({@link ChunkArrays}), which every
 * block of a pass takes one of for its duration and puts back, so that neither the batch's groups of graphs nor
 * successive calls allocate them anew.
 */
final class PointConvolution {

    private static final double SELF_CONNECTION_MIX = Math.sin(Math.PI / 8);
    private static final double CONVOLUTION_MIX = Math.cos(Math.PI / 8);
    /** Array elements per parallel block of the element-wise mixes and sums. */
    private static final int ELEMENT_BLOCK = 8192;
    /**
     * Edges per chunk of a {@link Pass}: the chunk's arrays (its neighbours, messages, edge weights and their
     * gradients) stay in the core's caches from one stage to the next, and a block's last, shorter chunk needs arrays
     * of its own. 16, 32 and 64 took the same CPU time on the gate-points benchmark (2026-12-07, under load); 32
     * allocates less than 64.
     */
    private static final int CHUNK_EDGES = 32;
    /** Destination nodes per parallel block of a {@link Pass}'s chunks (outside {@link BatchBlocks#serially}). */
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
    /**
     * The output components as runs of equal mask, run {@code r} being components {@code runStart[r] ..
     * runStart[r + 1]}: the mask is constant over each entry, so a row's mix runs as a few loops with constant
     * factors (loops over arrays at the same index, which the JIT vectorizes) instead of one over per-component
     * factor arrays.
     */
    private final int[] runStart;
    /** Per run, with the run's mask {@code m}: the mix's factors {@code sin(pi/8) m} and {@code 1 - m + cos(pi/8) m}. */
    private final double[] selfConnectionScale;
    private final double[] convolutionScale;
    /** {@link #selfConnectionScale} and {@link #convolutionScale} rounded to float. */
    private final float[] selfConnectionScaleFloat;
    private final float[] convolutionScaleFloat;
    /** Offsets of sc, lin1, radial, lin2 weights, and the end. */
    final int[] offsets;
    /** Chunk arrays in double and in float that no block is using ({@link #takeChunkArrays}). */
    private final ConcurrentLinkedQueue<ChunkArrays<double[]>> idleWideChunkArrays = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<ChunkArrays<float[]>> idleNarrowChunkArrays = new ConcurrentLinkedQueue<>();

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
        int dimOut = selfConnectionMask.length;
        int runs = 0;
        int[] starts = new int[dimOut + 1];
        for (int c = 0; c < dimOut; c++) {
            if (c == 0 || selfConnectionMask[c] != selfConnectionMask[c - 1]) {
                starts[runs++] = c;
            }
        }
        starts[runs] = dimOut;
        this.runStart = Arrays.copyOf(starts, runs + 1);
        this.selfConnectionScale = new double[runs];
        this.convolutionScale = new double[runs];
        this.selfConnectionScaleFloat = new float[runs];
        this.convolutionScaleFloat = new float[runs];
        for (int r = 0; r < runs; r++) {
            double m = selfConnectionMask[runStart[r]];
            selfConnectionScale[r] = SELF_CONNECTION_MIX * m;
            convolutionScale[r] = 1 - m + CONVOLUTION_MIX * m;
            selfConnectionScaleFloat[r] = (float) selfConnectionScale[r];
            convolutionScaleFloat[r] = (float) convolutionScale[r];
        }
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
     * The intermediates of one forward pass that the output and the gradients need, in the arrays of
     * {@code numbers}; {@code attr} and {@code lengthEmbedding} are the edge features ({@link EdgeSet}) in that type.
     *
     * <p>The radial MLP runs over all edges at once; the edge product runs by chunks of consecutive edges
     * ({@link PointConvolution#edgeChunks}): each chunk gathers its neighbours and its edges' rows, runs the product,
     * and adds its messages to the sums of their destinations, through arrays of the chunk's size that the next chunk
     * reuses (a block's {@link ChunkArrays}, from the convolution's pool), so that neither the neighbours nor the
     * messages of all edges are formed. Every number is the same as over all edges at once (each edge's row alone,
     * each node's sum in edge order), so the chunks change no bit.
     *
     * @param <A> {@code double[]} or {@code float[]}
     */
    final class Pass<A> {
        final Numbers<A> numbers;
        /** This layer's parameters. */
        final Weights<A> weights;
        final EdgeSet edges;
        final A attr;
        final A lengthEmbedding;
        /** {@code lin1(x, z)}, {@code [numNodes][hiddenDim]}, which each chunk gathers its neighbours from. */
        final A hidden;
        final RadialTrace<A> radialTrace;
        /** {@code [numEdges][weightNumel]}: the edge product's weights, {@code fc(E_e)}. */
        final A edgeWeights;
        final A aggregated;
        /** {@code out = sin(pi/8) m s + (1 - m + cos(pi/8) m) lin2(a)}. */
        private final A output;
        /** The chunks of edges that the forward ran by ({@link PointConvolution#edgeChunks}), and so the backward. */
        private final int[][] chunks;

        Pass(Numbers<A> numbers, EdgeSet edges, A attr, A lengthEmbedding, A x, A z, Weights<A> weights) {
            this.numbers = numbers;
            this.weights = weights;
            this.edges = edges;
            this.attr = attr;
            this.lengthEmbedding = lengthEmbedding;
            int numNodes = edges.numNodes();
            A selfConnected = numbers.zeros(numNodes * irrepsOut().dim());
            numbers.forward(selfConnection, numNodes, x, z, weights.rounded(0), selfConnected);
            int hiddenDim = lin1.irrepsOut().dim();
            hidden = numbers.zeros(numNodes * hiddenDim);
            numbers.forward(lin1, numNodes, x, z, weights.rounded(1), hidden);
            radialTrace = RadialTrace.of(radial, edges.numEdges(), lengthEmbedding, weights.wide(2));
            edgeWeights = radialTrace.output();
            int midDim = edgeProduct.irrepsOut().dim();
            aggregated = numbers.zeros(numNodes * midDim);
            double scale = 1 / Math.sqrt(numNeighbors);
            chunks = edgeChunks(edges);
            BatchBlocks.run(chunks.length, 1, (block, from, to) -> {
                int[] starts = chunks[block];
                ChunkArrays<A> arrays = takeChunkArrays(numbers);
                for (int k = 0; k + 1 < starts.length; k++) {
                    int first = starts[k];
                    int count = starts[k + 1] - first;
                    A chunkNeighbours = arrays.neighbours.rows(count);
                    edges.gatherSrc(hidden, hiddenDim, first, count, chunkNeighbours);
                    A chunkMessages = arrays.messages.rows(count);
                    numbers.forward(edgeProduct, count, chunkNeighbours, arrays.attr.copy(attr, first, count),
                            arrays.weights.copy(edgeWeights, first, count), chunkMessages);
                    edges.sumIntoDst(chunkMessages, midDim, scale, first, count, aggregated, arrays.sum,
                            arrays.row);
                }
                idleChunkArrays(numbers).offer(arrays);
            });
            A mixed = numbers.zeros(numNodes * irrepsOut().dim());
            numbers.forward(lin2, numNodes, aggregated, z, weights.rounded(3), mixed);
            output = mix(selfConnected, mixed);
        }

        /** {@code [numEdges][hiddenDim]}: each edge's neighbour's row of {@link #hidden}, gathered anew. */
        A neighbours() {
            return edges.gatherSrc(hidden, lin1.irrepsOut().dim());
        }

        /** {@code out = sin(pi/8) m s + (1 - m + cos(pi/8) m) lin2(a)}. */
        A output() {
            return output;
        }
    }

    /**
     * {@code sin(pi/8) m s + (1 - m + cos(pi/8) m) l} per component, with mask {@code m}, into {@code l}'s array,
     * which it returns; a {@code null} {@code s} is zero.
     */
    @SuppressWarnings("unchecked")
    private <A> A mix(A selfConnected, A mixed) {
        if (mixed instanceof double[] wide) {
            return (A) mix((double[]) selfConnected, wide);
        }
        return (A) mix((float[]) selfConnected, (float[]) mixed);
    }

    private double[] mix(double[] selfConnected, double[] mixed) {
        int dim = irrepsOut().dim();
        double[] out = mixed;
        BatchBlocks.run(mixed.length / dim, rowBlock(dim), (block, from, to) -> {
            for (int n = from; n < to; n++) {
                int row = n * dim;
                for (int r = 0; r < selfConnectionScale.length; r++) {
                    double self = selfConnectionScale[r];
                    double convolution = convolutionScale[r];
                    int end = row + runStart[r + 1];
                    if (selfConnected == null) {
                        // The zero self-connection's term, self * 0.0, added as from an array of zeros.
                        for (int c = row + runStart[r]; c < end; c++) {
                            out[c] = self * 0.0 + convolution * mixed[c];
                        }
                    } else {
                        for (int c = row + runStart[r]; c < end; c++) {
                            out[c] = self * selfConnected[c] + convolution * mixed[c];
                        }
                    }
                }
            }
        });
        return out;
    }

    private float[] mix(float[] selfConnected, float[] mixed) {
        int dim = irrepsOut().dim();
        float[] out = mixed;
        BatchBlocks.run(mixed.length / dim, rowBlock(dim), (block, from, to) -> {
            for (int n = from; n < to; n++) {
                int row = n * dim;
                for (int r = 0; r < selfConnectionScaleFloat.length; r++) {
                    float self = selfConnectionScaleFloat[r];
                    float convolution = convolutionScaleFloat[r];
                    int end = row + runStart[r + 1];
                    for (int c = row + runStart[r]; c < end; c++) {
                        out[c] = self * selfConnected[c] + convolution * mixed[c];
                    }
                }
            }
        });
        return out;
    }

    /** Rows of {@code width} numbers per parallel block of the element-wise passes: about {@link #ELEMENT_BLOCK}. */
    private static int rowBlock(int width) {
        return Math.max(1, ELEMENT_BLOCK / Math.max(1, width));
    }

    /**
     * The directional derivatives of a {@link Pass}'s intermediates when the positions move: the input's tangent
     * {@code xTangent} ({@code null} for the first layer, whose input does not depend on the positions), the edge
     * attributes' {@code attrTangent} and the embedded lengths' {@code embeddingTangent} ({@link EdgeSet#tangent}).
     * The products are linear in each argument, so their tangents are their forward passes on one tangent at a time:
     * {@code d tp(n, Y, w) = tp(dn, Y, w) + tp(n, dY, w) + tp(n, Y, dw)}.
     */
    final class Tangent {
        /** The input's tangent, {@code null} for zero. */
        final double[] input;
        /** {@code null} when {@code input} is. */
        final double[] neighbours;
        /** The pass's neighbours ({@link Pass#neighbours()}), gathered once for this tangent and its reverse pass. */
        final double[] passNeighbours;
        final double[] attrTangent;
        final double[] embeddingTangent;
        final double[] edgeWeights;
        final double[] aggregated;
        /** The output's tangent. */
        private final double[] output;

        Tangent(EdgeSet edges, Pass<double[]> pass, double[] xTangent, double[] z, double[] params, double[] attrTangent,
                double[] embeddingTangent) {
            this.input = xTangent;
            this.attrTangent = attrTangent;
            this.embeddingTangent = embeddingTangent;
            int numNodes = edges.numNodes();
            int numEdges = edges.numEdges();
            int midDim = edgeProduct.irrepsOut().dim();
            double[] messages = new double[numEdges * midDim];
            double[] term = new double[numEdges * midDim];
            passNeighbours = pass.neighbours();
            double[] passEdgeWeights = pass.edgeWeights;
            double[] selfConnected = null;
            if (xTangent != null) {
                selfConnected = new double[numNodes * irrepsOut().dim()];
                selfConnection.forward(numNodes, xTangent, z, block(params, 0), selfConnected);
                int hiddenDim = lin1.irrepsOut().dim();
                double[] hidden = new double[numNodes * hiddenDim];
                lin1.forward(numNodes, xTangent, z, block(params, 1), hidden);
                neighbours = edges.gatherSrc(hidden, hiddenDim);
                edgeProduct.forward(numEdges, neighbours, pass.attr, passEdgeWeights, messages);
            } else {
                neighbours = null;
            }
            edgeWeights = new double[numEdges * edgeProduct.weightNumel()];
            radial.jvp(numEdges, pass.lengthEmbedding, block(params, 2), embeddingTangent, null, edgeWeights);
            edgeProduct.forward(numEdges, passNeighbours, attrTangent, passEdgeWeights, term);
            addTo(messages, term);
            edgeProduct.forward(numEdges, passNeighbours, pass.attr, edgeWeights, term);
            addTo(messages, term);
            aggregated = edges.sumIntoDst(messages, midDim, 1 / Math.sqrt(numNeighbors));
            double[] mixed = new double[numNodes * irrepsOut().dim()];
            lin2.forward(numNodes, aggregated, z, block(params, 3), mixed);
            output = mix(selfConnected, mixed);
        }

        double[] output() {
            return output;
        }
    }

    double[] block(double[] params, int block) {
        return Arrays.copyOfRange(params, offsets[block], offsets[block + 1]);
    }

    /**
     * One layer's parameters as the passes of one call use them: the layer's flat block, each of its weight blocks
     * ({@link #offsets}) in double, and each rounded once to the type of {@code numbers}; made once per call and
     * shared, read only, by all its passes (one per group of graphs), so that no pass copies or rounds them again.
     *
     * @param <A> {@code double[]} or {@code float[]}
     */
    final class Weights<A> {
        /** The layer's flat block of parameters. */
        final double[] params;
        private final double[][] wide;
        private final A[] rounded;

        @SuppressWarnings("unchecked")
        Weights(Numbers<A> numbers, double[] params) {
            this.params = params;
            this.wide = new double[offsets.length - 1][];
            this.rounded = (A[]) new Object[wide.length];
            for (int b = 0; b < wide.length; b++) {
                wide[b] = block(params, b);
                rounded[b] = numbers == Numbers.FLOAT64 ? (A) wide[b] : numbers.round(params, offsets[b],
                        offsets[b + 1]);
            }
        }

        /** Weight block {@code block} in double. */
        double[] wide(int block) {
            return wide[block];
        }

        /** Weight block {@code block} in the type of the passes (rounded once to float). */
        A rounded(int block) {
            return rounded[block];
        }
    }

    /**
     * Backward of {@link Pass#output()}: adds the gradients of {@code sum(out * gradOut)} to {@code gradX},
     * {@code gradZ}, {@code gradAttr}, {@code gradLengthEmbedding} and {@code gradParams} (this layer's flat block, in
     * double whatever the pass computes in); a {@code null} one is skipped. {@code gradOut} is the caller's scratch:
     * it is overwritten.
     */
    <A> void backward(EdgeSet edges, A x, A z, Pass<A> pass, A gradOut, A gradX, A gradZ,
                      A gradAttr, A gradLengthEmbedding, double[] gradParams) {
        Numbers<A> numbers = pass.numbers;
        int numNodes = edges.numNodes();
        int dimOut = irrepsOut().dim();
        int dimIn = irrepsIn().dim();
        int attrDim = selfConnection.irrepsIn2().dim();
        A gradSelfConnected = numbers.zeros(numNodes * dimOut);
        splitGradient(gradOut, gradSelfConnected);
        A gradMixed = gradOut;
        boolean wantZ = gradZ != null;
        boolean wantParams = gradParams != null;
        double[][] gradBlocks = new double[offsets.length - 1][];
        if (wantParams) {
            for (int b = 0; b < gradBlocks.length; b++) {
                gradBlocks[b] = new double[offsets[b + 1] - offsets[b]];
            }
        }

        int midDim = edgeProduct.irrepsOut().dim();
        A gradAggregated = numbers.zeros(numNodes * midDim);
        A gradZPart = wantZ ? numbers.zeros(numNodes * attrDim) : null;
        backward(numbers, lin2, numNodes, pass.aggregated, z, pass.weights, 3, gradMixed, gradAggregated, gradZPart,
                gradBlocks);
        accumulate(gradZ, gradZPart);
        A gradHidden = edgeBackward(pass, gradAggregated, gradAttr, gradLengthEmbedding, gradBlocks[2]);
        A gradXPart = gradX != null ? numbers.zeros(numNodes * dimIn) : null;
        backward(numbers, lin1, numNodes, x, z, pass.weights, 1, gradHidden, gradXPart, gradZPart, gradBlocks);
        accumulate(gradX, gradXPart);
        accumulate(gradZ, gradZPart);
        backward(numbers, selfConnection, numNodes, x, z, pass.weights, 0, gradSelfConnected, gradXPart, gradZPart,
                gradBlocks);
        accumulate(gradX, gradXPart);
        accumulate(gradZ, gradZPart);
        if (wantParams) {
            for (int b = 0; b < gradBlocks.length; b++) {
                for (int i = 0; i < gradBlocks[b].length; i++) {
                    gradParams[offsets[b] + i] += gradBlocks[b][i];
                }
            }
        }
    }

    /**
     * The backward pass through the edges of {@code pass}, by chunks of edges as its forward ran: from the gradient of
     * the sums into the nodes ({@code gradAggregated}, the caller's scratch: scaled in place by
     * {@code 1 / sqrt(numNeighbors)}), adds the edge features' gradients to {@code gradAttr} and
     * {@code gradLengthEmbedding} ({@code null} to skip), writes the radial MLP's parameter gradient into
     * {@code gradRadial} (in double, overwritten, {@code null} to skip), and returns the gradient of
     * {@link Pass#hidden}. Each chunk gathers its neighbours again; their gradients go straight into their sums, in
     * edge order, when one block holds every chunk, else into an array over all edges that is summed by source
     * afterwards: the same bits either way.
     */
    private <A> A edgeBackward(Pass<A> pass, A gradAggregated, A gradAttr, A gradLengthEmbedding,
                               double[] gradRadial) {
        Numbers<A> numbers = pass.numbers;
        EdgeSet edges = pass.edges;
        int numEdges = edges.numEdges();
        int hiddenDim = lin1.irrepsOut().dim();
        int midDim = edgeProduct.irrepsOut().dim();
        int attrDim = attrDim();
        double scale = 1 / Math.sqrt(numNeighbors);
        int[][] chunks = pass.chunks;
        A gradHidden = chunks.length == 1 ? numbers.zeros(edges.numNodes() * hiddenDim) : null;
        A gradNeighbours = chunks.length == 1 ? null : numbers.zeros(numEdges * hiddenDim);
        RadialTrace.OutputGradient<A> gradEdgeWeights = pass.radialTrace.outputGradient(gradLengthEmbedding,
                gradRadial);
        // Every edge into a node reads the node's row scaled: scaled once per node, the same products.
        scale(gradAggregated, midDim, scale);
        BatchBlocks.run(chunks.length, 1, (block, from, to) -> {
            int[] starts = chunks[block];
            // The messages' arrays take their gradient.
            ChunkArrays<A> arrays = takeChunkArrays(numbers);
            for (int k = 0; k + 1 < starts.length; k++) {
                int first = starts[k];
                int count = starts[k + 1] - first;
                A chunkGradMessages = arrays.messages.rows(count);
                edges.gatherDst(gradAggregated, midDim, 1.0, first, count, chunkGradMessages);
                A chunkNeighbours = arrays.neighbours.rows(count);
                edges.gatherSrc(pass.hidden, hiddenDim, first, count, chunkNeighbours);
                A chunkGradNeighbours = arrays.gradNeighbours.rows(count);
                A chunkGradAttr = gradAttr != null ? arrays.gradAttr.rows(count) : null;
                A chunkGradWeights = arrays.gradWeights.rows(count);
                numbers.backward(edgeProduct, count, chunkNeighbours, arrays.attr.copy(pass.attr, first, count),
                        arrays.weights.copy(pass.edgeWeights, first, count), chunkGradMessages, chunkGradNeighbours,
                        chunkGradAttr, chunkGradWeights);
                if (gradAttr != null) {
                    // Summed in a copy of the chunk's rows, both arrays from 0, which C2 vectorizes (as in
                    // EdgeSet.sumIntoDst); the same sums.
                    A attrSums = arrays.attrSums.rows(count);
                    System.arraycopy(gradAttr, first * attrDim, attrSums, 0, count * attrDim);
                    numbers.add(attrSums, chunkGradAttr);
                    System.arraycopy(attrSums, 0, gradAttr, first * attrDim, count * attrDim);
                }
                gradEdgeWeights.setRows(first, count, chunkGradWeights);
                if (gradHidden != null) {
                    edges.addIntoSrc(chunkGradNeighbours, hiddenDim, first, count, gradHidden);
                } else {
                    System.arraycopy(chunkGradNeighbours, 0, gradNeighbours, first * hiddenDim, count * hiddenDim);
                }
            }
            idleChunkArrays(numbers).offer(arrays);
        });
        gradEdgeWeights.finish();
        return gradHidden != null ? gradHidden : edges.sumIntoSrc(gradNeighbours, hiddenDim);
    }

    /**
     * The edges of {@code edges} by chunks of at most {@link #CHUNK_EDGES} consecutive edges, in blocks of whole
     * destination nodes ({@link #NODE_BLOCK} of them, or all in one block inside {@link BatchBlocks#serially}), which
     * can run in parallel: block {@code b}'s chunk {@code k} is edges {@code chunks[b][k] .. chunks[b][k + 1]}.
     */
    private static int[][] edgeChunks(EdgeSet edges) {
        int numNodes = edges.numNodes();
        int nodeBlock = BatchBlocks.isSerial() ? Math.max(1, numNodes) : NODE_BLOCK;
        int[][] chunks = new int[BatchBlocks.count(numNodes, nodeBlock)][];
        for (int b = 0; b < chunks.length; b++) {
            int first = edges.firstEdgeInto(b * nodeBlock);
            int end = edges.firstEdgeInto(Math.min(numNodes, (b + 1) * nodeBlock));
            int[] starts = new int[BatchBlocks.count(end - first, CHUNK_EDGES) + 1];
            for (int k = 0; k < starts.length; k++) {
                starts[k] = Math.min(end, first + k * CHUNK_EDGES);
            }
            chunks[b] = starts;
        }
        return chunks;
    }

    /** Edge attribute width: {@code selfConnection}'s second input is the node attributes, not these; the tp's is. */
    private int attrDim() {
        return edgeProduct.irrepsIn2().dim();
    }

    /**
     * {@code product.backward} with weight block {@code block} of {@code weights}; the weight gradient, in double, into
     * {@code gradBlocks[block]} when that is not {@code null} (only a {@link Numbers#FLOAT64} pass asks for it).
     */
    private <A> void backward(Numbers<A> numbers, TensorProductKernel product, int batch, A x1, A x2,
                              Weights<A> weights, int block, A gradOut, A gradX1, A gradX2, double[][] gradBlocks) {
        double[] gradWeights = gradBlocks[block];
        if (gradWeights == null) {
            numbers.backward(product, batch, x1, x2, weights.rounded(block), gradOut, gradX1, gradX2, null);
        } else {
            product.backward(batch, (double[]) x1, (double[]) x2, weights.wide(block), (double[]) gradOut,
                    (double[]) gradX1, (double[]) gradX2, gradWeights);
        }
    }

    /**
     * {@code gradSelfConnected = sin(pi/8) m gradOut}, then {@code gradOut} becomes the mix's gradient
     * {@code (1 - m + cos(pi/8) m) gradOut} in place.
     */
    private <A> void splitGradient(A gradOut, A gradSelfConnected) {
        int dimOut = irrepsOut().dim();
        if (gradOut instanceof double[] g) {
            double[] s = (double[]) gradSelfConnected;
            BatchBlocks.run(g.length / dimOut, rowBlock(dimOut), (block, from, to) -> {
                for (int n = from; n < to; n++) {
                    int row = n * dimOut;
                    for (int r = 0; r < selfConnectionScale.length; r++) {
                        double self = selfConnectionScale[r];
                        double convolution = convolutionScale[r];
                        int end = row + runStart[r + 1];
                        for (int c = row + runStart[r]; c < end; c++) {
                            s[c] = self * g[c];
                            g[c] *= convolution;
                        }
                    }
                }
            });
        } else {
            float[] g = (float[]) gradOut;
            float[] s = (float[]) gradSelfConnected;
            BatchBlocks.run(g.length / dimOut, rowBlock(dimOut), (block, from, to) -> {
                for (int n = from; n < to; n++) {
                    int row = n * dimOut;
                    for (int r = 0; r < selfConnectionScaleFloat.length; r++) {
                        float self = selfConnectionScaleFloat[r];
                        float convolution = convolutionScaleFloat[r];
                        int end = row + runStart[r + 1];
                        for (int c = row + runStart[r]; c < end; c++) {
                            s[c] = self * g[c];
                            g[c] *= convolution;
                        }
                    }
                }
            });
        }
    }

    /**
     * Reverse pass through a {@link Pass} and its {@link Tangent} together: adds to {@code gradParams} (this layer's
     * flat block) the parameter gradient of {@code sum(out * gradOut) + sum(dOut * gradTangentOut)}, and writes its
     * gradients with respect to the input and the input's tangent into {@code gradX} and {@code gradXTangent}
     * ({@code null} to skip; {@code gradXTangent} must be {@code null} when the input has no tangent). The edge
     * features and the node attributes do not depend on the parameters, so their gradients are not formed. Each product's terms go through its first-order {@code backward}, the radial MLP's
     * tangent through {@link FullyConnectedNet#doubleBackward}.
     */
    void backward(EdgeSet edges, double[] x, double[] z, double[] params, Pass<double[]> pass,
                  Tangent tangent, double[] gradOut, double[] gradTangentOut, double[] gradX,
                  double[] gradXTangent, double[] gradParams) {
        int numNodes = edges.numNodes();
        int numEdges = edges.numEdges();
        int dimOut = irrepsOut().dim();
        double[][] gradBlocks = new double[offsets.length - 1][];
        for (int b = 0; b < gradBlocks.length; b++) {
            gradBlocks[b] = new double[offsets[b + 1] - offsets[b]];
        }
        double[][] weightParts = new double[offsets.length - 1][];
        for (int b = 0; b < weightParts.length; b++) {
            weightParts[b] = new double[offsets[b + 1] - offsets[b]];
        }
        double[] gradSelfConnected = new double[numNodes * dimOut];
        double[] gradMixed = new double[numNodes * dimOut];
        double[] gradTangentSelfConnected = new double[numNodes * dimOut];
        double[] gradTangentMixed = new double[numNodes * dimOut];
        for (int i = 0; i < gradOut.length; i++) {
            double m = selfConnectionMask[i % dimOut];
            double convolutionMix = 1 - m + CONVOLUTION_MIX * m;
            gradSelfConnected[i] = SELF_CONNECTION_MIX * m * gradOut[i];
            gradMixed[i] = convolutionMix * gradOut[i];
            gradTangentSelfConnected[i] = SELF_CONNECTION_MIX * m * gradTangentOut[i];
            gradTangentMixed[i] = convolutionMix * gradTangentOut[i];
        }

        int midDim = edgeProduct.irrepsOut().dim();
        double[] gradAggregated = new double[numNodes * midDim];
        double[] gradTangentAggregated = new double[numNodes * midDim];
        lin2.backward(numNodes, pass.aggregated, z, block(params, 3), gradMixed, gradAggregated, null,
                gradBlocks[3]);
        lin2.backward(numNodes, tangent.aggregated, z, block(params, 3), gradTangentMixed, gradTangentAggregated,
                null, weightParts[3]);
        addTo(gradBlocks[3], weightParts[3]);
        double scale = 1 / Math.sqrt(numNeighbors);
        double[] gradMessages = edges.gatherDst(gradAggregated, midDim, scale);
        double[] gradTangentMessages = edges.gatherDst(gradTangentAggregated, midDim, scale);

        // m = tp(n, Y, w) and dm = tp(dn, Y, w) + tp(n, dY, w) + tp(n, Y, dw)
        int hiddenDim = lin1.irrepsOut().dim();
        int weightDim = edgeProduct.weightNumel();
        double[] gradNeighbours = new double[numEdges * hiddenDim];
        double[] gradTangentNeighbours = new double[numEdges * hiddenDim];
        double[] gradEdgeWeights = new double[numEdges * weightDim];
        double[] gradTangentEdgeWeights = new double[numEdges * weightDim];
        double[] neighboursPart = new double[numEdges * hiddenDim];
        double[] weightsPart = new double[numEdges * weightDim];
        double[] passNeighbours = tangent.passNeighbours;
        double[] passEdgeWeights = pass.edgeWeights;
        edgeProduct.backward(numEdges, passNeighbours, pass.attr, passEdgeWeights, gradMessages, gradNeighbours,
                null, gradEdgeWeights);
        edgeProduct.backward(numEdges, passNeighbours, tangent.attrTangent, passEdgeWeights, gradTangentMessages,
                neighboursPart, null, weightsPart);
        addTo(gradNeighbours, neighboursPart);
        addTo(gradEdgeWeights, weightsPart);
        edgeProduct.backward(numEdges, passNeighbours, pass.attr, tangent.edgeWeights, gradTangentMessages,
                neighboursPart, null, gradTangentEdgeWeights);
        addTo(gradNeighbours, neighboursPart);
        if (tangent.neighbours != null) {
            edgeProduct.backward(numEdges, tangent.neighbours, pass.attr, passEdgeWeights, gradTangentMessages,
                    gradTangentNeighbours, null, weightsPart);
            addTo(gradEdgeWeights, weightsPart);
        }
        pass.radialTrace.backward(gradEdgeWeights, null, gradBlocks[2]);
        radial.doubleBackward(numEdges, pass.lengthEmbedding, block(params, 2), gradTangentEdgeWeights,
                tangent.embeddingTangent, null, null, weightParts[2], null);
        addTo(gradBlocks[2], weightParts[2]);

        double[] gradHidden = edges.sumIntoSrc(gradNeighbours, hiddenDim);
        double[] gradTangentHidden = edges.sumIntoSrc(gradTangentNeighbours, hiddenDim);
        int dimIn = irrepsIn().dim();
        double[] gradInput = gradX != null ? new double[numNodes * dimIn] : null;
        double[] gradInputTangent = gradXTangent != null ? new double[numNodes * dimIn] : null;
        double[] inputPart = new double[numNodes * dimIn];
        TensorProductKernel[] fromInput = {selfConnection, lin1};
        double[][] gradients = {gradSelfConnected, gradHidden};
        double[][] tangentGradients = {gradTangentSelfConnected, gradTangentHidden};
        for (int k = 0; k < fromInput.length; k++) {
            TensorProductKernel product = fromInput[k];
            double[] weights = block(params, k);
            product.backward(numNodes, x, z, weights, gradients[k], gradX != null ? inputPart : null, null,
                    gradBlocks[k]);
            addTo(gradInput, inputPart);
            if (tangent.input != null) {
                product.backward(numNodes, tangent.input, z, weights, tangentGradients[k],
                        gradXTangent != null ? inputPart : null, null, weightParts[k]);
                addTo(gradBlocks[k], weightParts[k]);
                addTo(gradInputTangent, inputPart);
            }
        }
        if (gradX != null) {
            System.arraycopy(gradInput, 0, gradX, 0, gradX.length);
        }
        if (gradXTangent != null) {
            System.arraycopy(gradInputTangent, 0, gradXTangent, 0, gradXTangent.length);
        }
        for (int b = 0; b < gradBlocks.length; b++) {
            for (int i = 0; i < gradBlocks[b].length; i++) {
                gradParams[offsets[b] + i] += gradBlocks[b][i];
            }
        }
    }

    /**
     * Chunk arrays in the type of {@code numbers} for one block of a pass: one from the pool, or new when the pool has
     * none; the block puts them back ({@link #idleChunkArrays}) when it is done.
     */
    private <A> ChunkArrays<A> takeChunkArrays(Numbers<A> numbers) {
        ChunkArrays<A> arrays = idleChunkArrays(numbers).poll();
        return arrays != null ? arrays : new ChunkArrays<>(numbers, lin1.irrepsOut().dim(), attrDim(),
                edgeProduct.weightNumel(), edgeProduct.irrepsOut().dim());
    }

    /** The pool of idle chunk arrays in the type of {@code numbers}. */
    @SuppressWarnings("unchecked")
    private <A> ConcurrentLinkedQueue<ChunkArrays<A>> idleChunkArrays(Numbers<A> numbers) {
        ConcurrentLinkedQueue<?> idle = numbers == Numbers.FLOAT64 ? idleWideChunkArrays : idleNarrowChunkArrays;
        return (ConcurrentLinkedQueue<ChunkArrays<A>>) idle;
    }

    /**
     * A block's arrays for one chunk of edges: its neighbours, its edges' attributes and weights, its messages, their
     * gradients, and a destination's running sum with a buffer for the row added to it ({@link EdgeSet#sumIntoDst}).
     * Their contents are left from the chunk before, which every use overwrites.
     */
    private static final class ChunkArrays<A> {
        final Scratch<A> neighbours;
        final Scratch<A> attr;
        final Scratch<A> weights;
        final Scratch<A> messages;
        final Scratch<A> gradNeighbours;
        final Scratch<A> gradAttr;
        /** The chunk's rows of the caller's edge-attribute gradient, which {@link #gradAttr} is added to. */
        final Scratch<A> attrSums;
        final Scratch<A> gradWeights;
        final A sum;
        final A row;

        ChunkArrays(Numbers<A> numbers, int hiddenDim, int attrDim, int weightDim, int midDim) {
            neighbours = new Scratch<>(numbers, hiddenDim);
            attr = new Scratch<>(numbers, attrDim);
            weights = new Scratch<>(numbers, weightDim);
            messages = new Scratch<>(numbers, midDim);
            gradNeighbours = new Scratch<>(numbers, hiddenDim);
            gradAttr = new Scratch<>(numbers, attrDim);
            attrSums = new Scratch<>(numbers, attrDim);
            gradWeights = new Scratch<>(numbers, weightDim);
            sum = numbers.zeros(midDim);
            row = numbers.zeros(midDim);
        }
    }

    /**
     * Arrays of {@code [count][width]} numbers that the chunks of a block reuse (the kernels take arrays of exactly
     * their batch's rows): the last two counts asked for keep theirs, so the full chunks and a block's shorter last
     * one take one array each, in the forward and again in the backward that reuses them.
     */
    private static final class Scratch<A> {
        private final Numbers<A> numbers;
        private final int width;
        private A rows;
        private int count = -1;
        /** The array of the count asked for before {@link #count}. */
        private A previousRows;
        private int previousCount = -1;

        Scratch(Numbers<A> numbers, int width) {
            this.numbers = numbers;
            this.width = width;
        }

        /** The array for {@code count} rows; its contents are left from an earlier chunk. */
        A rows(int count) {
            if (count != this.count) {
                A swapped = previousRows;
                int swappedCount = previousCount;
                previousRows = rows;
                previousCount = this.count;
                rows = swappedCount == count ? swapped : numbers.zeros(count * width);
                this.count = count;
            }
            return rows;
        }

        /**
         * Rows {@code first .. first + count} of {@code values} ({@code [rows][width]}): {@code values} itself when
         * they are all of it, else a copy in this scratch array.
         */
        A copy(A values, int first, int count) {
            if (first == 0 && count * width == numbers.length(values)) {
                return values;
            }
            A target = rows(count);
            System.arraycopy(values, first * width, target, 0, count * width);
            return target;
        }
    }

    /**
     * {@code values *= scale} in place ({@code [rows][width]}), in parallel blocks of rows; in float by the factor
     * rounded to float, as {@link EdgeSet#gatherDst(Object, int, double, int, int, Object)} scales.
     */
    private static <A> void scale(A values, int width, double scale) {
        if (values instanceof double[] wide) {
            BatchBlocks.run(wide.length / width, rowBlock(width), (block, from, to) -> {
                for (int i = from * width; i < to * width; i++) {
                    wide[i] *= scale;
                }
            });
        } else {
            float[] narrow = (float[]) values;
            float factor = (float) scale;
            BatchBlocks.run(narrow.length / width, rowBlock(width), (block, from, to) -> {
                for (int i = from * width; i < to * width; i++) {
                    narrow[i] *= factor;
                }
            });
        }
    }

    /** {@code sum += part} element by element (nothing for a {@code null} sum), in parallel blocks. */
    private static <A> void accumulate(A sum, A part) {
        if (sum instanceof double[] wide) {
            double[] addend = (double[]) part;
            BatchBlocks.run(wide.length, ELEMENT_BLOCK, (block, from, to) -> {
                for (int i = from; i < to; i++) {
                    wide[i] += addend[i];
                }
            });
        } else if (sum != null) {
            float[] narrow = (float[]) sum;
            float[] addend = (float[]) part;
            BatchBlocks.run(narrow.length, ELEMENT_BLOCK, (block, from, to) -> {
                for (int i = from; i < to; i++) {
                    narrow[i] += addend[i];
                }
            });
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
