package dev.e3j.runtime.model;

import dev.e3j.runtime.BatchBlocks;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.Layouts;
import dev.e3j.runtime.SphericalHarmonicsKernel;
import dev.e3j.runtime.TensorProductKernel;
import dev.e3j.runtime.io.StateDict;
import dev.e3j.runtime.math.Normalize2Mom;
import dev.e3j.runtime.nn.FullyConnectedNet;
import dev.e3j.runtime.nn.Gate;
import dev.e3j.runtime.nn.ScalarFunction;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.function.Consumer;

/**
 * The architecture of e3nn's {@code nn.models.gate_points_2101.Network} on generated kernels, the engine behind
 * {@code @GatePointsNetwork} classes (which derive the layers and call {@link #builder}):
 * <pre>
 *   edges     every ordered pair of distinct nodes of one graph closer than maxRadius, r_e = pos[src] - pos[dst]
 *   Y_e       smooth_cutoff(|r_e| / maxRadius) Y(r_e / |r_e|)                     edge attributes
 *   E_e       sqrt(numberOfBasis) soft_one_hot_linspace(|r_e|, 0, maxRadius, numberOfBasis, gaussian)
 *   h         x (or ones)  -> [convolution -> gate] x layers -> convolution
 *   out       sum over each graph's nodes / sqrt(numNodes)    (reduceOutput; else per node)
 * </pre>
 * Parameters are one flat array, in the order of e3nn's {@code state_dict}: per convolution {@code sc.weight},
 * {@code lin1.weight}, {@code fc.layer<k>.weight} ({@code [h_k][h_k+1]}), {@code lin2.weight}. Thread-safe: its
 * only state is each convolution's pool of scratch arrays for chunks of edges, which concurrent calls share (each
 * block of edges holds its arrays alone while it runs).
 *
 * <p>Features: the public arrays ({@code x}, {@code z}, outputs and their gradients) are in e3nn's {@code mul_ir}
 * layout. With {@link Builder#channelLast} the kernels are channel-last ({@code layout = IR_MUL}) and so are the
 * features inside a call, from the first convolution's input to the last one's output, gates included
 * ({@link Gate#channelLast}): {@code x}, {@code z} and the edge attributes are converted once when a call starts
 * ({@link Layouts}), the outputs and the input gradients once at its end, and only irreps whose layouts differ
 * (an entry of several channels of {@code l > 0}).
 */
public final class GatePoints {

    /** Nodes per parallel block of the gates. */
    private static final int NODE_BLOCK = 64;
    /** Array elements per parallel block of the element-wise conversions between float and double. */
    private static final int ELEMENT_BLOCK = 8192;
    /**
     * Groups of graphs per thread when a batch is split by graphs ({@link #graphGroups}): a few per thread, so that
     * the threads stay busy to the end when groups take unequal times.
     */
    private static final int GROUPS_PER_THREAD = 4;
    /** Graphs per thread that a batch needs to be split by graphs; smaller batches run each stage in parallel. */
    private static final int MIN_GRAPHS_PER_THREAD = 2;

    private final SphericalHarmonicsKernel edgeHarmonics;
    private final Irreps irrepsIn;
    private final Irreps irrepsNodeAttr;
    private final boolean hasNodeInput;
    private final boolean hasNodeAttributes;
    private final double maxRadius;
    private final int numberOfBasis;
    private final double numNodes;
    private final double numNeighbors;
    private final boolean reduceOutput;
    /** Whether the kernels, and so the features within a call, are channel-last ({@code ir_mul}). */
    private final boolean channelLast;
    private final Irreps irrepsEdgeAttr;
    private final List<PointConvolution> convolutions;
    /** {@code gates.get(i)} follows convolution {@code i}; the last convolution has none. */
    private final List<Gate> gates;
    private final int[] offsets;
    private final StateDictLayout layout;

    private GatePoints(Builder builder, Map<String, Double> activationConstants) {
        this.edgeHarmonics = builder.edgeHarmonics;
        this.hasNodeInput = builder.irrepsIn != null;
        this.hasNodeAttributes = builder.irrepsNodeAttr != null;
        this.irrepsIn = hasNodeInput ? builder.irrepsIn : Irreps.parse("1x0e");
        this.irrepsNodeAttr = hasNodeAttributes ? builder.irrepsNodeAttr : Irreps.parse("1x0e");
        this.maxRadius = builder.maxRadius;
        this.numberOfBasis = builder.numberOfBasis;
        this.numNodes = builder.numNodes;
        this.numNeighbors = builder.numNeighbors;
        this.reduceOutput = builder.reduceOutput;
        this.channelLast = builder.channelLast;
        this.convolutions = new ArrayList<>();
        this.gates = new ArrayList<>();
        this.layout = new StateDictLayout();
        for (Builder.Layer layer : builder.layers) {
            int[] hs = new int[layer.radialHidden.length + 2];
            hs[0] = numberOfBasis;
            System.arraycopy(layer.radialHidden, 0, hs, 1, layer.radialHidden.length);
            hs[hs.length - 1] = layer.edgeProduct.weightNumel();
            ScalarFunction act = activation(ScalarFunction.SILU, layer.prefix + ".fc.layer0.act", activationConstants);
            PointConvolution convolution = new PointConvolution(layer.prefix, layer.selfConnection, layer.lin1,
                    layer.edgeProduct, layer.lin2, new FullyConnectedNet(hs, act), numNeighbors);
            // The builder lets a convolution follow only a gate, or nothing.
            requireChain(layer.prefix, convolution.irrepsIn(),
                    gates.isEmpty() ? irrepsIn : gates.get(gates.size() - 1).irrepsOut());
            layout.convolution(convolution);
            convolutions.add(convolution);
            if (layer.gatePrefix != null) {
                Gate gate = new Gate(layer.irrepsScalars,
                        activations(layer.actScalars, layer.gatePrefix + ".act_scalars.acts.", activationConstants),
                        layer.irrepsGates,
                        activations(layer.actGates, layer.gatePrefix + ".act_gates.acts.", activationConstants),
                        layer.irrepsGated);
                if (channelLast) {
                    gate = gate.channelLast();
                }
                requireChain(layer.gatePrefix, gate.irrepsIn(), convolution.irrepsOut());
                layout.gate(layer.gatePrefix, layer.irrepsGated);
                gates.add(gate);
            }
        }
        this.irrepsEdgeAttr = convolutions.get(0).edgeProduct.irrepsIn2();
        if (gates.size() != convolutions.size() - 1) {
            throw new IllegalArgumentException("layers: expected every convolution but the last to be gated, got "
                    + gates.size() + " gates for " + convolutions.size() + " convolutions");
        }
        this.offsets = new int[convolutions.size() + 1];
        for (int i = 0; i < convolutions.size(); i++) {
            offsets[i + 1] = Math.addExact(offsets[i], convolutions.get(i).parameterCount());
        }
    }

    private static void requireChain(String name, Irreps actual, Irreps expected) {
        if (!actual.equals(expected)) {
            throw new IllegalArgumentException(name + ": expected input irreps \"" + expected + "\", got \"" + actual
                    + "\"");
        }
    }

    private static ScalarFunction activation(ScalarFunction f, String module, Map<String, Double> constants) {
        Double constant = constants.get(module);
        return constant == null ? Normalize2Mom.of(f) : Normalize2Mom.withConstant(f, constant);
    }

    private static List<ScalarFunction> activations(List<ScalarFunction> fs, String prefix,
                                                    Map<String, Double> constants) {
        List<ScalarFunction> out = new ArrayList<>();
        for (int i = 0; i < fs.size(); i++) {
            out.add(activation(fs.get(i), prefix + i, constants));
        }
        return out;
    }

    /**
     * The fully connected product {@code in1 x in2 -> out} that no path connects (e3nn's has no weights and outputs
     * zeros), for the place of a generated kernel in {@link Builder#convolution}.
     */
    public static TensorProductKernel noPaths(Irreps in1, Irreps in2, Irreps out) {
        if (in1 == null || in2 == null || out == null) {
            throw new IllegalArgumentException("noPaths: irreps must not be null");
        }
        return new NoPathProduct(in1, in2, out);
    }

    /** A builder of the layers, in order: the generated model's constructor. */
    public static Builder builder(SphericalHarmonicsKernel edgeHarmonics) {
        return new Builder(edgeHarmonics);
    }

    /** Irreps of the node inputs ({@code 1x0e} of ones without them). */
    public Irreps irrepsIn() {
        return irrepsIn;
    }

    /** Irreps of the node attributes ({@code 1x0e} of ones without them). */
    public Irreps irrepsNodeAttr() {
        return irrepsNodeAttr;
    }

    public Irreps irrepsOut() {
        return convolutions.get(convolutions.size() - 1).irrepsOut();
    }

    public boolean hasNodeInput() {
        return hasNodeInput;
    }

    public boolean hasNodeAttributes() {
        return hasNodeAttributes;
    }

    public boolean reduceOutput() {
        return reduceOutput;
    }

    /**
     * Whether the features within a call are channel-last ({@link Builder#channelLast}); the public arrays are in
     * e3nn's layout either way.
     */
    public boolean channelLast() {
        return channelLast;
    }

    /** Number of parameters in the flat layout. */
    public int parameterCount() {
        return offsets[offsets.length - 1];
    }

    /**
     * The flat parameters of {@code stateDict}, after checking every key and shape: all missing, mismatched and
     * unexpected keys are reported in one message, and e3nn's {@code output_mask} buffers must equal the derived
     * architecture's. A file whose metadata records the constructor arguments ({@code tools/export_e3nn.py} writes
     * them) must have this model's values of those its tensors cannot show: {@code max_radius}, {@code num_neighbors},
     * {@code num_nodes} and {@code reduce_output}, or the outputs would differ without an error.
     *
     * @throws IllegalArgumentException listing every problem
     */
    public double[] parameters(StateDict stateDict) {
        if (stateDict == null) {
            throw new IllegalArgumentException("stateDict is null");
        }
        new RecordedArguments(stateDict).requireNumber("max_radius", maxRadius, "maxRadius")
                .requireNumber("num_neighbors", numNeighbors, "numNeighbors")
                .requireNumber("num_nodes", numNodes, "numNodes")
                .requireFlag("reduce_output", reduceOutput, "reduceOutput")
                .check();
        return layout.read(stateDict, parameterCount());
    }

    /**
     * e3nn's initialization: fully connected product weights {@code ~ N(0, 1)}, radial MLP weights {@code ~ N(0, 1)},
     * drawn from {@code random} in parameter order.
     */
    public double[] initialParameters(Random random) {
        if (random == null) {
            throw new IllegalArgumentException("random is null");
        }
        double[] params = new double[parameterCount()];
        for (int i = 0; i < params.length; i++) {
            params[i] = random.nextGaussian();
        }
        return params;
    }

    /** Numbers of the graphs: {@code batch[numNodes - 1] + 1}, or 0 without nodes. */
    private static int numGraphs(int numNodes, int[] batch) {
        return numNodes == 0 ? 0 : batch[numNodes - 1] + 1;
    }

    /**
     * See {@link PointsModel#forward}; {@code params} in the flat layout. A batch of many graphs is split into groups
     * of whole graphs, each run on one thread ({@link #graphGroups}); the results are the same to the bit as those of
     * the batch in one piece, or of each graph alone.
     */
    public double[] forward(int numNodes, double[] pos, int[] batch, double[] x, double[] z, double[] params) {
        return forward(Numbers.FLOAT64, numNodes, pos, batch, x, z, params);
    }

    /** The output of a batch, by groups of graphs when it has enough of them; {@code pos} in double. */
    private <A> A forward(Numbers<A> numbers, int numNodes, double[] pos, int[] batch, A x, A z, double[] params) {
        checkInputs(numNodes, pos, batch, x, z, params);
        List<PointConvolution.Weights<A>> weights = weights(numbers, params);
        List<GraphGroup> groups = graphGroups(numNodes, batch, threads());
        if (groups.size() == 1) {
            return new Pass<>(numbers, numNodes, pos, batch, x, z, weights).output();
        }
        int dim = irrepsOut().dim();
        A out = numbers.zeros((reduceOutput ? numGraphs(numNodes, batch) : numNodes) * dim);
        runGroups(groups, group -> {
            A part = group.pass(numbers, pos, batch, x, z, weights).output();
            System.arraycopy(part, 0, out, group.firstOutputRow() * dim, Array.getLength(part));
        });
        return out;
    }

    /**
     * The outputs of every node before {@code reduceOutput}'s sum over each graph, {@code [numNodes][dimOut]}.
     */
    public double[] nodeOutputs(int numNodes, double[] pos, int[] batch, double[] x, double[] z, double[] params) {
        checkInputs(numNodes, pos, batch, x, z, params);
        Pass<double[]> pass = new Pass<>(Numbers.FLOAT64, numNodes, pos, batch, x, z, weights(Numbers.FLOAT64, params));
        return inE3nnLayout(irrepsOut(), pass.nodeOutput).clone();
    }

    /**
     * See {@link PointsModel#backward}; also the gradient with respect to the flat parameters ({@code gradParams},
     * overwritten, {@code null} to skip).
     */
    public void backward(int numNodes, double[] pos, int[] batch, double[] x, double[] z, double[] params,
                         double[] gradOut, double[] gradPos, double[] gradX, double[] gradZ, double[] gradParams) {
        if (gradParams == null) {
            backward(Numbers.FLOAT64, numNodes, pos, batch, x, z, params, gradOut, gradPos, gradX, gradZ);
            return;
        }
        // The parameter gradient sums over the whole batch: one pass, so that its sums keep their order.
        checkInputs(numNodes, pos, batch, x, z, params);
        checkGradients(numNodes, batch, gradOut, gradPos, gradX, gradZ);
        requireLength("gradParams", gradParams, parameterCount(), "parameterCount()");
        new Pass<>(Numbers.FLOAT64, numNodes, pos, batch, x, z, weights(Numbers.FLOAT64, params)).backward(gradOut,
                gradPos, gradX, gradZ, gradParams);
    }

    /**
     * The gradients of {@code sum(output * gradOut)} with respect to the positions and node features (not the
     * parameters), by groups of graphs when the batch has enough of them; {@code pos} in double.
     */
    private <A> void backward(Numbers<A> numbers, int numNodes, double[] pos, int[] batch, A x, A z,
                              double[] params, A gradOut, A gradPos, A gradX, A gradZ) {
        checkInputs(numNodes, pos, batch, x, z, params);
        checkGradients(numNodes, batch, gradOut, gradPos, gradX, gradZ);
        List<PointConvolution.Weights<A>> weights = weights(numbers, params);
        List<GraphGroup> groups = graphGroups(numNodes, batch, threads());
        if (groups.size() == 1) {
            new Pass<>(numbers, numNodes, pos, batch, x, z, weights).backward(gradOut, gradPos, gradX, gradZ, null);
            return;
        }
        int dimOut = irrepsOut().dim();
        int dimIn = irrepsIn.dim();
        int dimAttr = irrepsNodeAttr.dim();
        runGroups(groups, group -> {
            Pass<A> pass = group.pass(numbers, pos, batch, x, z, weights);
            int nodes = group.numNodes();
            int outputRows = reduceOutput ? numGraphs(nodes, pass.batch) : nodes;
            int firstRow = group.firstOutputRow();
            A groupGradOut = numbers.copyOfRange(gradOut, firstRow * dimOut, (firstRow + outputRows) * dimOut);
            A groupGradPos = gradPos != null ? numbers.zeros(3 * nodes) : null;
            A groupGradX = gradX != null ? numbers.zeros(nodes * dimIn) : null;
            A groupGradZ = gradZ != null ? numbers.zeros(nodes * dimAttr) : null;
            pass.backward(groupGradOut, groupGradPos, groupGradX, groupGradZ, null);
            copyRows(groupGradPos, gradPos, 3, group.from);
            copyRows(groupGradX, gradX, dimIn, group.from);
            copyRows(groupGradZ, gradZ, dimAttr, group.from);
        });
    }

    /** {@code part}'s rows into {@code whole} from row {@code at} ({@code [rows][width]}); {@code null} skips. */
    private static void copyRows(Object part, Object whole, int width, int at) {
        if (part != null) {
            System.arraycopy(part, 0, whole, at * width, Array.getLength(part));
        }
    }

    /**
     * Nodes {@code from .. to} of a batch, whole graphs (graph indices from {@code firstGraph}), that run as one
     * batch of their own.
     */
    private final class GraphGroup {
        final int from;
        final int to;
        final int firstGraph;

        GraphGroup(int from, int to, int firstGraph) {
            this.from = from;
            this.to = to;
            this.firstGraph = firstGraph;
        }

        int numNodes() {
            return to - from;
        }

        /** The group's first row in the batch's output: its first graph's, or its first node's. */
        int firstOutputRow() {
            return reduceOutput ? firstGraph : from;
        }

        /** The pass of this group's nodes alone, their graphs numbered from 0. */
        <A> Pass<A> pass(Numbers<A> numbers, double[] pos, int[] batch, A x, A z,
                         List<PointConvolution.Weights<A>> weights) {
            int[] groupBatch = new int[to - from];
            for (int n = from; n < to; n++) {
                groupBatch[n - from] = batch[n] - firstGraph;
            }
            A groupX = x != null ? numbers.copyOfRange(x, from * irrepsIn.dim(), to * irrepsIn.dim()) : null;
            A groupZ = z != null ? numbers.copyOfRange(z, from * irrepsNodeAttr.dim(), to * irrepsNodeAttr.dim())
                    : null;
            return new Pass<>(numbers, to - from, Arrays.copyOfRange(pos, 3 * from, 3 * to), groupBatch, groupX,
                    groupZ, weights);
        }
    }

    /** Each convolution's parameters for the passes of one call, from the flat {@code params} (checked). */
    private <A> List<PointConvolution.Weights<A>> weights(Numbers<A> numbers, double[] params) {
        List<PointConvolution.Weights<A>> weights = new ArrayList<>();
        for (int i = 0; i < convolutions.size(); i++) {
            weights.add(convolutions.get(i).new Weights<>(numbers, Arrays.copyOfRange(params, offsets[i],
                    offsets[i + 1])));
        }
        return weights;
    }

    /**
     * The threads that a parallel loop started here runs on: the current fork/join pool's workers, or the common
     * pool's and the calling thread; one inside {@link BatchBlocks#serially}.
     */
    private static int threads() {
        if (BatchBlocks.isSerial()) {
            return 1;
        }
        ForkJoinPool pool = ForkJoinTask.getPool();
        return pool != null ? pool.getParallelism() : ForkJoinPool.getCommonPoolParallelism() + 1;
    }

    /**
     * The batch split into contiguous groups of whole graphs with about the same number of nodes,
     * {@link #GROUPS_PER_THREAD} per thread (at most one per graph), when it has at least
     * {@link #MIN_GRAPHS_PER_THREAD} graphs per thread; otherwise one group, the whole batch, whose stages each run
     * in parallel. Graphs share no edges and no sums, so each group can run alone, on one thread.
     */
    private List<GraphGroup> graphGroups(int numNodes, int[] batch, int threads) {
        int graphs = numGraphs(numNodes, batch);
        List<GraphGroup> groups = new ArrayList<>();
        if (threads <= 1 || graphs < (long) MIN_GRAPHS_PER_THREAD * threads) {
            groups.add(new GraphGroup(0, numNodes, 0));
            return groups;
        }
        long count = Math.min(graphs, (long) GROUPS_PER_THREAD * threads);
        int from = 0;
        for (int n = 1; n <= numNodes; n++) {
            boolean graphEnds = n == numNodes || batch[n] != batch[n - 1];
            // Close the group at the first graph end at or past its share of the nodes.
            if (graphEnds && (n == numNodes || n * count >= (groups.size() + 1) * (long) numNodes)) {
                groups.add(new GraphGroup(from, n, batch[from]));
                from = n;
            }
        }
        return groups;
    }

    /** Runs every group once, in parallel, each on one thread with its stages' blocks run serially. */
    private static void runGroups(List<GraphGroup> groups, Consumer<GraphGroup> task) {
        BatchBlocks.run(groups.size(), 1,
                (index, from, to) -> BatchBlocks.serially(() -> task.accept(groups.get(index))));
    }

    /**
     * The parameter gradient of a loss on the outputs and on their position gradient, the building block of training
     * on forces: with {@code out = forward(...)} and {@code gradPos = d sum(gradOut * out) / d pos} (what
     * {@link #backward} computes), the gradient of
     * <pre>
     *   sum(outCotangent * out) + sum(gradPosCotangent * gradPos)
     * </pre>
     * with respect to {@code params}, written to {@code gradParams} (overwritten). {@code outCotangent} and
     * {@code gradOut} are shaped like the output, {@code gradPosCotangent} like {@code pos}; {@code outCotangent} may
     * be {@code null} (zero). For an energy {@code E = out} and forces {@code F = -dE/dpos}, {@code gradOut} selects
     * the energy and {@code gradPosCotangent = -dLoss/dF} ({@link GatePointsLoss} does this).
     *
     * <p>Reverse over forward: the second term is the derivative of {@code sum(gradOut * out)} along
     * {@code gradPosCotangent}, so one forward pass also carries every intermediate's tangent along it (the edge
     * features' tangents do not depend on the parameters), and one reverse pass runs through both. The tensor
     * products, linear in each argument, need only their forward and backward kernels; the gates and the radial MLPs
     * use their second derivatives ({@code doubleBackward}). Exact to rounding.
     *
     * @throws IllegalArgumentException naming the argument whose size or content does not fit
     */
    public void parameterGradient(int numNodes, double[] pos, int[] batch, double[] x, double[] z, double[] params,
                                  double[] outCotangent, double[] gradOut, double[] gradPosCotangent,
                                  double[] gradParams) {
        checkInputs(numNodes, pos, batch, x, z, params);
        Pass<double[]> pass = new Pass<>(Numbers.FLOAT64, numNodes, pos, batch, x, z, weights(Numbers.FLOAT64, params));
        int dimOut = irrepsOut().dim();
        int rows = reduceOutput ? numGraphs(numNodes, batch) : numNodes;
        if (outCotangent != null) {
            requireLength("outCotangent", outCotangent, (long) rows * dimOut, rows + " x " + dimOut);
        }
        requireLength("gradOut", gradOut, (long) rows * dimOut, rows + " x " + dimOut);
        requireLength("gradPosCotangent", gradPosCotangent, 3L * numNodes, numNodes + " x 3");
        requireLength("gradParams", gradParams, parameterCount(), "parameterCount()");
        new Tangent(pass, gradPosCotangent).parameterGradient(outCotangent, gradOut, gradParams);
    }

    /** A loss on the outputs and their position gradient, with its cotangents. */
    interface OutputLoss {
        /**
         * The loss of {@code out} and {@code gradPos}; writes its gradients with respect to them into
         * {@code outCotangent} and {@code gradPosCotangent} (zeroed, shaped like them).
         */
        double evaluate(double[] out, double[] gradPos, double[] outCotangent, double[] gradPosCotangent);
    }

    /**
     * {@code loss} of the outputs and of {@code gradPos = d sum(gradOut * out) / d pos}, and its parameter gradient
     * into {@code gradParams} ({@code null} to skip), from one forward pass: {@link #parameterGradient} with the
     * cotangents that {@code loss} computes.
     */
    double lossAndGradient(int numNodes, double[] pos, int[] batch, double[] x, double[] z, double[] params,
                           double[] gradOut, OutputLoss loss, double[] gradParams) {
        checkInputs(numNodes, pos, batch, x, z, params);
        Pass<double[]> pass = new Pass<>(Numbers.FLOAT64, numNodes, pos, batch, x, z, weights(Numbers.FLOAT64, params));
        double[] out = pass.output();
        double[] gradPos = new double[3 * numNodes];
        pass.backward(gradOut, gradPos, null, null, null);
        double[] outCotangent = new double[out.length];
        double[] gradPosCotangent = new double[gradPos.length];
        double value = loss.evaluate(out, gradPos, outCotangent, gradPosCotangent);
        if (gradParams != null) {
            requireLength("gradParams", gradParams, parameterCount(), "parameterCount()");
            new Tangent(pass, gradPosCotangent).parameterGradient(outCotangent, gradOut, gradParams);
        }
        return value;
    }

    /**
     * Float overload of {@link #forward(int, double[], int[], double[], double[], double[])}: the convolutions compute
     * in float (kernels, radial MLPs with activations to float accuracy, gathers and sums; the parameters rounded once
     * to float); the gates run in double on each block of nodes, rounded once; the edges (radius graph, harmonics,
     * cut-offs and radial bases) are found and computed in double from the float positions and rounded once.
     */
    public float[] forward(int numNodes, float[] pos, int[] batch, float[] x, float[] z, double[] params) {
        return forward(Numbers.FLOAT32, numNodes, widen(pos), batch, x, z, params);
    }

    /**
     * Float overload of {@link #backward(int, double[], int[], double[], double[], double[], double[], double[],
     * double[], double[], double[])} without the parameter gradient, computed in float like
     * {@link #forward(int, float[], int[], float[], float[], double[])}; the gradient back from the edge features to
     * the positions runs in double and is rounded once.
     */
    public void backward(int numNodes, float[] pos, int[] batch, float[] x, float[] z, double[] params,
                         float[] gradOut, float[] gradPos, float[] gradX, float[] gradZ) {
        backward(Numbers.FLOAT32, numNodes, widen(pos), batch, x, z, params, gradOut, gradPos, gradX, gradZ);
    }

    /**
     * Checks the gradients of a backward pass through a checked batch, {@code double[]} or {@code float[]}:
     * {@code gradOut}'s length, and those of the optional {@code gradPos}, {@code gradX} and {@code gradZ}.
     */
    private void checkGradients(int numNodes, int[] batch, Object gradOut, Object gradPos, Object gradX,
                                Object gradZ) {
        int dimOut = irrepsOut().dim();
        int rows = reduceOutput ? numGraphs(numNodes, batch) : numNodes;
        requireLength("gradOut", gradOut, (long) rows * dimOut, rows + " x " + dimOut);
        requireOptionalLength("gradPos", gradPos, 3L * numNodes, numNodes + " x 3");
        requireOptionalLength("gradX", gradX, (long) numNodes * irrepsIn.dim(), numNodes + " x " + irrepsIn.dim());
        requireOptionalLength("gradZ", gradZ, (long) numNodes * irrepsNodeAttr.dim(),
                numNodes + " x " + irrepsNodeAttr.dim());
        if (gradX != null && !hasNodeInput) {
            throw new IllegalArgumentException("gradX: expected null, the model has no node inputs");
        }
        if (gradZ != null && !hasNodeAttributes) {
            throw new IllegalArgumentException("gradZ: expected null, the model has no node attributes");
        }
    }

    /** The length check of an optional array ({@code double[]} or {@code float[]}; {@code null} passes). */
    private static void requireOptionalLength(String name, Object array, long expected, String shape) {
        if (array != null) {
            requireLength(name, array, expected, shape);
        }
    }

    /** {@code values} widened to double, for the checks and the edges; {@code null} stays {@code null}. */
    private static double[] widen(float[] values) {
        if (values == null) {
            return null;
        }
        double[] out = new double[values.length];
        BatchBlocks.run(values.length, ELEMENT_BLOCK, (block, from, to) -> {
            for (int i = from; i < to; i++) {
                out[i] = values[i];
            }
        });
        return out;
    }

    /**
     * {@code values} ({@code [rows][irreps.dim()]}, {@code double[]} or {@code float[]}, in e3nn's layout) in the
     * layout of the features within a call: themselves unless {@link #channelLast} and the layouts of {@code irreps}
     * differ, else converted into a new array.
     */
    private <A> A inHiddenLayout(Irreps irreps, A values) {
        return convert(irreps, values, true);
    }

    /** The inverse of {@link #inHiddenLayout}: {@code values} from the hidden layout into e3nn's. */
    private <A> A inE3nnLayout(Irreps irreps, A values) {
        return convert(irreps, values, false);
    }

    @SuppressWarnings("unchecked")
    private <A> A convert(Irreps irreps, A values, boolean toChannelLast) {
        if (!channelLast || Layouts.sameInBothLayouts(irreps)) {
            return values;
        }
        int rows = Array.getLength(values) / irreps.dim();
        if (values instanceof double[] wide) {
            double[] out = new double[wide.length];
            if (toChannelLast) {
                Layouts.toIrMul(irreps, rows, wide, out);
            } else {
                Layouts.toMulIr(irreps, rows, wide, out);
            }
            return (A) out;
        }
        float[] narrow = (float[]) values;
        float[] out = new float[narrow.length];
        if (toChannelLast) {
            Layouts.toIrMul(irreps, rows, narrow, out);
        } else {
            Layouts.toMulIr(irreps, rows, narrow, out);
        }
        return (A) out;
    }

    /** The length check of an array, {@code double[]} or {@code float[]}. */
    private static void requireLength(String name, Object array, long expected, String shape) {
        if (array == null) {
            throw new IllegalArgumentException(name + " is null (expected length " + expected + " = " + shape + ")");
        }
        int length = Array.getLength(array);
        if (length != expected) {
            throw new IllegalArgumentException(name + ": expected length " + expected + " (" + shape + "), got "
                    + length);
        }
    }

    /**
     * One evaluation in the arrays of {@code numbers}: the edges and every layer's intermediates, kept for the
     * backward pass.
     *
     * @param <A> {@code double[]} or {@code float[]}
     */
    private final class Pass<A> {
        final Numbers<A> numbers;
        final int numNodes;
        final int[] batch;
        /** Each convolution's parameters. */
        final List<PointConvolution.Weights<A>> weights;
        /** The node attributes in the hidden layout. */
        final A z;
        final EdgeSet edges;
        /** The edge attributes (in the hidden layout) and embedded lengths, in the type of {@code numbers}. */
        final A attr;
        final A lengthEmbedding;
        /** Input of each convolution, in the hidden layout (as every intermediate). */
        final List<A> inputs = new ArrayList<>();
        final List<PointConvolution.Pass<A>> convolutionPasses = new ArrayList<>();
        /** Input of each gate (the output of the convolution before it). */
        final List<A> gateInputs = new ArrayList<>();
        /** Each gate's forward pass, one trace per block of nodes ({@link #gateForward}). */
        final List<Gate.Trace[]> gateTraces = new ArrayList<>();
        final A nodeOutput;

        /**
         * The pass of checked inputs ({@link #checkInputs}): {@code pos} in double (the edges are found and computed
         * in double), the node features in {@code A}.
         */
        Pass(Numbers<A> numbers, int numNodes, double[] pos, int[] batch, A x, A z,
             List<PointConvolution.Weights<A>> weights) {
            this.numbers = numbers;
            this.numNodes = numNodes;
            this.batch = batch;
            this.weights = weights;
            this.z = z != null ? inHiddenLayout(irrepsNodeAttr, z) : ones(numNodes);
            this.edges = EdgeSet.build(edgeHarmonics, numNodes, pos, batch, maxRadius, numberOfBasis);
            this.attr = inHiddenLayout(irrepsEdgeAttr, edges.attr(numbers));
            this.lengthEmbedding = edges.lengthEmbedding(numbers);
            A h = x != null ? inHiddenLayout(irrepsIn, x) : ones(numNodes);
            for (int i = 0; i < convolutions.size(); i++) {
                PointConvolution convolution = convolutions.get(i);
                inputs.add(h);
                PointConvolution.Pass<A> pass = convolution.new Pass<>(numbers, edges, attr, lengthEmbedding, h,
                        this.z, weights.get(i));
                convolutionPasses.add(pass);
                h = pass.output();
                if (i < gates.size()) {
                    gateInputs.add(h);
                    Gate.Trace[] traces = new Gate.Trace[BatchBlocks.count(numNodes, NODE_BLOCK)];
                    h = gateForward(gates.get(i), numNodes, h, traces);
                    gateTraces.add(traces);
                }
            }
            this.nodeOutput = h;
        }

        private A ones(int numNodes) {
            A ones = numbers.zeros(numNodes);
            numbers.fill(ones, 1.0);
            return ones;
        }

        /** Convolution {@code layer}'s flat block of parameters. */
        double[] layerParams(int layer) {
            return weights.get(layer).params;
        }

        /** The output in e3nn's layout. */
        A output() {
            return inE3nnLayout(irrepsOut(), reducedOutput());
        }

        /** The node outputs, or their sums over each graph with {@code reduceOutput}, in the hidden layout. */
        @SuppressWarnings("unchecked")
        private A reducedOutput() {
            if (!reduceOutput) {
                return nodeOutput;
            }
            int dim = irrepsOut().dim();
            int length = numGraphs(numNodes, batch) * dim;
            double scale = 1 / Math.sqrt(GatePoints.this.numNodes);
            if (nodeOutput instanceof double[] values) {
                double[] out = new double[length];
                for (int n = 0; n < numNodes; n++) {
                    for (int c = 0; c < dim; c++) {
                        out[batch[n] * dim + c] += values[n * dim + c];
                    }
                }
                for (int i = 0; i < out.length; i++) {
                    out[i] *= scale;
                }
                return (A) out;
            }
            float[] values = (float[]) nodeOutput;
            float[] out = new float[length];
            for (int n = 0; n < numNodes; n++) {
                for (int c = 0; c < dim; c++) {
                    out[batch[n] * dim + c] += values[n * dim + c];
                }
            }
            for (int i = 0; i < out.length; i++) {
                out[i] *= (float) scale;
            }
            return (A) out;
        }

        /**
         * The gradient with respect to the node outputs (hidden layout) of {@code sum(output() * gradOut)}
         * ({@code gradOut} in e3nn's layout).
         */
        A nodeGradient(A gradOut) {
            return nodeGradientInHiddenLayout(inHiddenLayout(irrepsOut(), gradOut));
        }

        @SuppressWarnings("unchecked")
        private A nodeGradientInHiddenLayout(A gradOut) {
            int dim = irrepsOut().dim();
            if (!reduceOutput) {
                return numbers.copyOfRange(gradOut, 0, numNodes * dim);
            }
            double scale = 1 / Math.sqrt(GatePoints.this.numNodes);
            if (gradOut instanceof double[] values) {
                double[] grad = new double[numNodes * dim];
                for (int n = 0; n < numNodes; n++) {
                    for (int c = 0; c < dim; c++) {
                        grad[n * dim + c] = scale * values[batch[n] * dim + c];
                    }
                }
                return (A) grad;
            }
            float[] values = (float[]) gradOut;
            float[] grad = new float[numNodes * dim];
            for (int n = 0; n < numNodes; n++) {
                for (int c = 0; c < dim; c++) {
                    grad[n * dim + c] = (float) scale * values[batch[n] * dim + c];
                }
            }
            return (A) grad;
        }

        /**
         * The gradients of {@code sum(output() * gradOut)} into {@code gradPos}, {@code gradX}, {@code gradZ} and
         * {@code gradParams} (double, only for a {@link Numbers#FLOAT64} pass), each overwritten, {@code null} to
         * skip.
         */
        void backward(A gradOut, A gradPos, A gradX, A gradZ, double[] gradParams) {
            A grad = nodeGradient(gradOut);
            boolean wantEdges = gradPos != null;
            A gradAttr = wantEdges ? numbers.zeros(edges.numEdges() * edges.attrDim()) : null;
            A gradEmbedding = wantEdges ? numbers.zeros(edges.numEdges() * edges.numberOfBasis()) : null;
            A gradZSum = gradZ != null ? numbers.zeros(numNodes * irrepsNodeAttr.dim()) : null;
            if (gradParams != null) {
                Arrays.fill(gradParams, 0.0);
            }
            for (int i = convolutions.size() - 1; i >= 0; i--) {
                if (i < gates.size()) {
                    grad = gateBackward(gates.get(i), numNodes, gateTraces.get(i), grad);
                }
                PointConvolution convolution = convolutions.get(i);
                boolean wantInput = i > 0 || gradX != null;
                A gradIn = wantInput ? numbers.zeros(numNodes * convolution.irrepsIn().dim()) : null;
                double[] gradLayerParams = gradParams != null ? new double[convolution.parameterCount()] : null;
                convolution.backward(edges, inputs.get(i), z, convolutionPasses.get(i), grad, gradIn, gradZSum,
                        gradAttr, gradEmbedding, gradLayerParams);
                if (gradLayerParams != null) {
                    System.arraycopy(gradLayerParams, 0, gradParams, offsets[i], gradLayerParams.length);
                }
                grad = gradIn;
            }
            if (gradX != null) {
                System.arraycopy(inE3nnLayout(irrepsIn, grad), 0, gradX, 0, numNodes * irrepsIn.dim());
            }
            if (gradZ != null) {
                System.arraycopy(inE3nnLayout(irrepsNodeAttr, gradZSum), 0, gradZ, 0, numNodes * irrepsNodeAttr.dim());
            }
            if (wantEdges) {
                positionGradient(inE3nnLayout(irrepsEdgeAttr, gradAttr), gradEmbedding, gradPos);
            }
        }

        /** {@code gradPos} (overwritten) from the edge features' gradients, through the edges in double. */
        private void positionGradient(A gradAttr, A gradEmbedding, A gradPos) {
            if (gradPos instanceof double[] wide) {
                Arrays.fill(wide, 0.0);
                edges.positionGradient((double[]) gradAttr, (double[]) gradEmbedding, wide);
                return;
            }
            double[] wide = new double[3 * numNodes];
            edges.positionGradient((float[]) gradAttr, (float[]) gradEmbedding, wide);
            float[] narrow = (float[]) gradPos;
            for (int i = 0; i < wide.length; i++) {
                narrow[i] = (float) wide[i];
            }
        }
    }

    /**
     * The gate's output, by blocks of nodes of {@link #NODE_BLOCK}, each block's pass kept in {@code traces}
     * ({@code float[]} rows go through the gate in double and are rounded once).
     */
    @SuppressWarnings("unchecked")
    private static <A> A gateForward(Gate gate, int numNodes, A x, Gate.Trace[] traces) {
        int dimOut = gate.irrepsOut().dim();
        if (x instanceof double[] in) {
            double[] gated = new double[numNodes * dimOut];
            BatchBlocks.run(numNodes, NODE_BLOCK, (block, from, to) -> traces[block] = gate.forward(in, gated, from,
                    to));
            return (A) gated;
        }
        float[] in = (float[]) x;
        float[] gated = new float[numNodes * dimOut];
        BatchBlocks.run(numNodes, NODE_BLOCK, (block, from, to) -> traces[block] = gate.forward(in, gated, from, to));
        return (A) gated;
    }

    /**
     * The directional derivatives of a {@link Pass}'s intermediates when the positions move along
     * {@code posTangent}, and the reverse pass through both. The node inputs and attributes do not move, so the first
     * convolution's input has no tangent.
     */
    private final class Tangent {
        final Pass<double[]> pass;
        final double[] attrTangent;
        final double[] embeddingTangent;
        final List<PointConvolution.Tangent> convolutionTangents = new ArrayList<>();
        /** Tangent of each gate's input. */
        final List<double[]> gateInputs = new ArrayList<>();

        Tangent(Pass<double[]> pass, double[] posTangent) {
            this.pass = pass;
            double[][] edgeTangents = pass.edges.tangent(posTangent);
            this.attrTangent = inHiddenLayout(irrepsEdgeAttr, edgeTangents[0]);
            this.embeddingTangent = edgeTangents[1];
            int numNodes = pass.numNodes;
            double[] h = null;
            for (int i = 0; i < convolutions.size(); i++) {
                PointConvolution.Tangent tangent = convolutions.get(i).new Tangent(pass.edges,
                        pass.convolutionPasses.get(i), h, pass.z, pass.layerParams(i), attrTangent, embeddingTangent);
                convolutionTangents.add(tangent);
                h = tangent.output();
                if (i < gates.size()) {
                    gateInputs.add(h);
                    h = gateTangent(gates.get(i), numNodes, pass.gateInputs.get(i), h);
                }
            }
        }

        /**
         * The gradient of {@code sum(outCotangent * out) + sum(gradOut * dOut)} with respect to the parameters, where
         * {@code dOut} is the output's tangent.
         */
        void parameterGradient(double[] outCotangent, double[] gradOut, double[] gradParams) {
            double[] grad = outCotangent != null ? pass.nodeGradient(outCotangent) : new double[pass.nodeOutput.length];
            double[] gradTangent = pass.nodeGradient(gradOut);
            Arrays.fill(gradParams, 0.0);
            int numNodes = pass.numNodes;
            for (int i = convolutions.size() - 1; i >= 0; i--) {
                if (i < gates.size()) {
                    Gate gate = gates.get(i);
                    double[] gateIn = pass.gateInputs.get(i);
                    Gate.Trace[] traces = pass.gateTraces.get(i);
                    double[] gradGateIn = gateBackward(gate, numNodes, traces, grad);
                    addTo(gradGateIn, gateSecondOrder(gate, numNodes, gateIn, gradTangent, gateInputs.get(i)));
                    gradTangent = gateBackward(gate, numNodes, traces, gradTangent);
                    grad = gradGateIn;
                }
                PointConvolution convolution = convolutions.get(i);
                int inputLength = numNodes * convolution.irrepsIn().dim();
                double[] gradIn = i > 0 ? new double[inputLength] : null;
                double[] gradInTangent = i > 0 ? new double[inputLength] : null;
                double[] gradLayerParams = new double[convolution.parameterCount()];
                convolution.backward(pass.edges, pass.inputs.get(i), pass.z, pass.layerParams(i),
                        pass.convolutionPasses.get(i), convolutionTangents.get(i), grad, gradTangent,
                        gradIn, gradInTangent, gradLayerParams);
                System.arraycopy(gradLayerParams, 0, gradParams, offsets[i], gradLayerParams.length);
                grad = gradIn;
                gradTangent = gradInTangent;
            }
        }
    }

    /** The gate's output tangent {@code J(x) xTangent}, by blocks of nodes. */
    private static double[] gateTangent(Gate gate, int numNodes, double[] x, double[] xTangent) {
        int dimIn = gate.irrepsIn().dim();
        int dimOut = gate.irrepsOut().dim();
        double[] outTangent = new double[numNodes * dimOut];
        BatchBlocks.run(numNodes, NODE_BLOCK, (block, from, to) -> {
            double[] part = new double[(to - from) * dimOut];
            gate.jvp(to - from, rows(x, dimIn, from, to), rows(xTangent, dimIn, from, to), part);
            System.arraycopy(part, 0, outTangent, from * dimOut, part.length);
        });
        return outTangent;
    }

    /** {@code J(x)^T gradOut} through the blocks of nodes of {@link #gateForward}'s {@code traces}. */
    @SuppressWarnings("unchecked")
    private static <A> A gateBackward(Gate gate, int numNodes, Gate.Trace[] traces, A gradOut) {
        int dimIn = gate.irrepsIn().dim();
        if (gradOut instanceof double[] grad) {
            double[] gradX = new double[numNodes * dimIn];
            BatchBlocks.run(numNodes, NODE_BLOCK, (block, from, to) -> gate.backward(traces[block], grad, gradX));
            return (A) gradX;
        }
        float[] grad = (float[]) gradOut;
        float[] gradX = new float[numNodes * dimIn];
        BatchBlocks.run(numNodes, NODE_BLOCK, (block, from, to) -> gate.backward(traces[block], grad, gradX));
        return (A) gradX;
    }

    /** {@code d/dx sum(gradTangentOut * J(x) xTangent)}, by blocks of nodes. */
    private static double[] gateSecondOrder(Gate gate, int numNodes, double[] x, double[] gradTangentOut,
                                            double[] xTangent) {
        int dimIn = gate.irrepsIn().dim();
        int dimOut = gate.irrepsOut().dim();
        double[] gradX = new double[numNodes * dimIn];
        BatchBlocks.run(numNodes, NODE_BLOCK, (block, from, to) -> {
            double[] part = new double[(to - from) * dimIn];
            gate.doubleBackward(to - from, rows(x, dimIn, from, to), rows(gradTangentOut, dimOut, from, to),
                    rows(xTangent, dimIn, from, to), part, null);
            System.arraycopy(part, 0, gradX, from * dimIn, part.length);
        });
        return gradX;
    }

    private static void addTo(double[] sum, double[] part) {
        for (int i = 0; i < sum.length; i++) {
            sum[i] += part[i];
        }
    }

    /** Rows {@code from .. to} of a {@code [rows][width]} array. */
    private static double[] rows(double[] array, int width, int from, int to) {
        return Arrays.copyOfRange(array, from * width, to * width);
    }

    private void checkInputs(int numNodes, double[] pos, int[] batch, Object x, Object z, double[] params) {
        if (numNodes < 0) {
            throw new IllegalArgumentException("numNodes: expected >= 0, got " + numNodes);
        }
        requireLength("pos", pos, 3L * numNodes, numNodes + " x 3");
        for (int i = 0; i < pos.length; i++) {
            if (!Double.isFinite(pos[i])) {
                throw new IllegalArgumentException("pos[" + (i / 3) + "][" + (i % 3) + "]: expected a finite "
                        + "coordinate, got " + pos[i]);
            }
        }
        if (batch == null) {
            throw new IllegalArgumentException("batch is null (expected length " + numNodes + ")");
        }
        if (batch.length != numNodes) {
            throw new IllegalArgumentException("batch: expected length numNodes = " + numNodes + ", got "
                    + batch.length);
        }
        for (int n = 0; n < numNodes; n++) {
            int previous = n == 0 ? 0 : batch[n - 1];
            if (batch[n] < previous) {
                throw new IllegalArgumentException("batch[" + n + "]: expected a graph index >= " + previous
                        + " (0-based, non-decreasing), got " + batch[n]);
            }
        }
        if (hasNodeInput) {
            requireLength("x", x, (long) numNodes * irrepsIn.dim(), numNodes + " x " + irrepsIn.dim());
        } else if (x != null) {
            throw new IllegalArgumentException("x: expected null, the model has no node inputs, got length "
                    + Array.getLength(x));
        }
        if (hasNodeAttributes) {
            requireLength("z", z, (long) numNodes * irrepsNodeAttr.dim(), numNodes + " x " + irrepsNodeAttr.dim());
        } else if (z != null) {
            throw new IllegalArgumentException("z: expected null, the model has no node attributes, got length "
                    + Array.getLength(z));
        }
        requireLength("params", params, parameterCount(), "parameterCount()");
    }

    /** The layers of a network in order: convolutions, each but the last followed by its gate. */
    public static final class Builder {
        private final SphericalHarmonicsKernel edgeHarmonics;
        private Irreps irrepsIn;
        private Irreps irrepsNodeAttr;
        private double maxRadius = Double.NaN;
        private int numberOfBasis;
        private double numNeighbors = Double.NaN;
        private double numNodes = Double.NaN;
        private boolean reduceOutput = true;
        private boolean channelLast;
        private final List<Layer> layers = new ArrayList<>();

        private Builder(SphericalHarmonicsKernel edgeHarmonics) {
            if (edgeHarmonics == null) {
                throw new IllegalArgumentException("edgeHarmonics is null");
            }
            this.edgeHarmonics = edgeHarmonics;
        }

        /** Node input irreps, {@code null} (the default) when nodes start from ones. */
        public Builder irrepsIn(Irreps irreps) {
            this.irrepsIn = irreps;
            return this;
        }

        /** Node attribute irreps, {@code null} (the default) when every node's attribute is 1. */
        public Builder irrepsNodeAttr(Irreps irreps) {
            this.irrepsNodeAttr = irreps;
            return this;
        }

        public Builder maxRadius(double maxRadius) {
            this.maxRadius = maxRadius;
            return this;
        }

        public Builder numberOfBasis(int numberOfBasis) {
            this.numberOfBasis = numberOfBasis;
            return this;
        }

        public Builder numNeighbors(double numNeighbors) {
            this.numNeighbors = numNeighbors;
            return this;
        }

        public Builder numNodes(double numNodes) {
            this.numNodes = numNodes;
            return this;
        }

        public Builder reduceOutput(boolean reduceOutput) {
            this.reduceOutput = reduceOutput;
            return this;
        }

        /**
         * Whether the products' features are channel-last, {@code ir_mul} (products generated with
         * {@code layout = IR_MUL}), rather than e3nn's {@code mul_ir} (the default): every product of every
         * convolution must then be channel-last, and the gates and the features between the layers are too. The
         * network's public arrays keep e3nn's layout.
         */
        public Builder channelLast(boolean channelLast) {
            this.channelLast = channelLast;
            return this;
        }

        /**
         * Adds a convolution whose {@code state_dict} entries start with {@code prefix} (e.g.
         * {@code "layers.0.first"}); its radial MLP has the hidden layer widths {@code radialHidden}.
         */
        public Builder convolution(String prefix, TensorProductKernel selfConnection, TensorProductKernel lin1,
                                   TensorProductKernel edgeProduct, TensorProductKernel lin2, int... radialHidden) {
            if (!layers.isEmpty() && layers.get(layers.size() - 1).gatePrefix == null) {
                throw new IllegalArgumentException("convolution " + prefix + ": the previous convolution has no gate");
            }
            layers.add(new Layer(prefix, selfConnection, lin1, edgeProduct, lin2, radialHidden.clone()));
            return this;
        }

        /**
         * Gates the last convolution (e3nn's {@code nn.Gate}); its activations' e3nn constants are read under
         * {@code prefix} (e.g. {@code "layers.0.second"}).
         */
        public Builder gate(String prefix, String irrepsScalars, List<ScalarFunction> actScalars, String irrepsGates,
                            List<ScalarFunction> actGates, String irrepsGated) {
            if (layers.isEmpty() || layers.get(layers.size() - 1).gatePrefix != null) {
                throw new IllegalArgumentException("gate " + prefix + ": expected to follow a convolution");
            }
            Layer layer = layers.get(layers.size() - 1);
            layer.gatePrefix = prefix;
            layer.irrepsScalars = Irreps.parse(irrepsScalars);
            layer.actScalars = List.copyOf(actScalars);
            layer.irrepsGates = Irreps.parse(irrepsGates);
            layer.actGates = List.copyOf(actGates);
            layer.irrepsGated = Irreps.parse(irrepsGated);
            return this;
        }

        /**
         * The architecture, with e3nn's activation constants {@code activationConstants} (module name, as
         * {@code named_modules()} gives it, to constant; those missing use {@link Normalize2Mom#of}).
         */
        public GatePoints build(Map<String, Double> activationConstants) {
            if (!(maxRadius > 0) || numberOfBasis < 1 || !(numNeighbors > 0) || !(numNodes > 0)) {
                throw new IllegalArgumentException("expected maxRadius > 0, numberOfBasis >= 1, numNeighbors > 0, "
                        + "numNodes > 0, got " + maxRadius + ", " + numberOfBasis + ", " + numNeighbors + ", "
                        + numNodes);
            }
            if (layers.isEmpty()) {
                throw new IllegalArgumentException("layers: expected at least one convolution, got none");
            }
            return new GatePoints(this, new LinkedHashMap<>(activationConstants));
        }

        private static final class Layer {
            final String prefix;
            final TensorProductKernel selfConnection;
            final TensorProductKernel lin1;
            final TensorProductKernel edgeProduct;
            final TensorProductKernel lin2;
            final int[] radialHidden;
            String gatePrefix;
            Irreps irrepsScalars;
            List<ScalarFunction> actScalars;
            Irreps irrepsGates;
            List<ScalarFunction> actGates;
            Irreps irrepsGated;

            Layer(String prefix, TensorProductKernel selfConnection, TensorProductKernel lin1,
                  TensorProductKernel edgeProduct, TensorProductKernel lin2, int[] radialHidden) {
                this.prefix = prefix;
                this.selfConnection = selfConnection;
                this.lin1 = lin1;
                this.edgeProduct = edgeProduct;
                this.lin2 = lin2;
                this.radialHidden = radialHidden;
            }
        }
    }
}
