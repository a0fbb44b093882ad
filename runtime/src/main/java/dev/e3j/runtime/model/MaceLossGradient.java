package dev.e3j.runtime.model;

import dev.e3j.runtime.LinearKernel;
import dev.e3j.runtime.SymmetricContractionKernel;
import dev.e3j.runtime.TensorProductKernel;
import dev.e3j.runtime.nn.ScalarFunction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The gradient, with respect to {@link Mace}'s flat parameters θ, of a loss on energies, forces and stress, by
 * reverse mode over one forward-mode tangent.
 *
 * <p>With {@code α_g = dL/dE_g}, {@code v = dL/dF} and {@code S_g = dL/dσ_g} fixed at their values, the forces and
 * stress are derivatives of the energy along edge-vector directions, so
 * <pre>
 *   dL/dθ = d/dθ Φ,   Φ(θ) = sum_g α_g E_g(θ) + d/dε E(θ; vec + ε u)|ε=0,
 *   u_e   = v[sender] - v[receiver] + S_g^sym vec_e / V_g                      (g: the edge's structure)
 * </pre>
 * ({@code -sum v·F} is the derivative of the energy along {@code -v}, the stress term along a strain of the edge
 * vectors). The tangent {@code d/dε} is carried forward through every block next to the energy (a "dot" value for
 * each intermediate: {@code Ẏ}, {@code Ṙ}, {@code ḣ}, ...), then one reverse sweep over the primal and the tangent
 * computations gives {@code dΦ/dθ}. The edge harmonics, radial features, ZBL energies and their tangents do not
 * depend on θ (the radial basis' weights and the transforms' and ZBL's constants are buffers, as in mace-torch), so
 * the sweep stops at them. What each block needs:
 * <ul>
 *   <li>linears and tensor products are linear in each argument: their tangents are forward passes with the tangent
 *       in one argument, and the sweep takes only their {@code backward};</li>
 *   <li>the symmetric contraction's tangent {@code J ȧ} and the sweep through it come from its
 *       {@code doubleBackward};</li>
 *   <li>the harmonics' tangent {@code J u} comes from their {@code doubleBackward};</li>
 *   <li>the radial MLP's tangent and sweep are its {@code jvp}, {@code backward} and {@code doubleBackward}; the
 *       readout's activation takes its second derivative ({@link ScalarFunction#secondDerivatives}).</li>
 * </ul>
 * Entries of θ that mace-torch keeps as buffers (atomic energies, the radial ones above, scale and shift) get a zero
 * gradient. Edge work runs in the pass's blocks of whole receivers; every sum runs in a fixed order, so the gradient
 * has the same bits on any number of threads.
 */
final class MaceLossGradient {

    private final Mace model;
    private final Mace.Pass<double[]> pass;
    private final int n;
    private final int edges;
    private final int harmonicsDim;
    private final int numBessel;
    /** The gradient being summed, over the flat parameters. */
    private final double[] gradient;
    /** The tangents of the radial features and harmonics of each edge. */
    private final double[] featTangents;
    private final double[] harmonicTangents;
    /** Tangents of the pass's node intermediates, per interaction (as {@link Mace.Pass} keeps the values). */
    private final List<double[]> featureTangents = new ArrayList<>();
    private final List<double[]> upTangents = new ArrayList<>();
    private final List<double[]> messageTangents = new ArrayList<>();
    /** Each interaction's tangent of the radial MLP's output (the edge product's weights), {@code [edges][W]}. */
    private final List<double[]> radialTangents = new ArrayList<>();
    private final List<double[]> mixedTangents = new ArrayList<>();
    private final List<double[]> contractionInputTangents = new ArrayList<>();
    private final List<double[]> contractionOutputTangents = new ArrayList<>();
    private final List<double[]> readoutHiddenTangents = new ArrayList<>();

    /**
     * @param model the architecture
     * @param pass  a pass that has {@linkplain Mace.Pass#run() run} (its intermediates are read, never written)
     */
    MaceLossGradient(Mace model, Mace.Pass<double[]> pass) {
        this.model = model;
        this.pass = pass;
        this.n = pass.n;
        this.edges = pass.edges;
        this.harmonicsDim = pass.harmonicsDim;
        this.numBessel = pass.numBessel;
        this.gradient = new double[model.parameterCount()];
        this.featTangents = new double[edges * numBessel];
        this.harmonicTangents = new double[edges * harmonicsDim];
    }

    /**
     * {@code dL/dθ} for a loss with derivatives {@code dEnergy} ({@code [graphs]}), {@code dForces} ({@code [n][3]})
     * and {@code dStress} ({@code [graphs][9]}) at the pass's predictions.
     */
    double[] gradient(double[] dEnergy, double[] dForces, double[][] dStress) {
        embedTangents(edgeTangents(dForces, dStress));
        forwardTangents();
        reverse(dEnergy);
        return gradient;
    }

    /** {@code u_e = v[s] - v[r] + sym(S_g) vec_e / V_g} for every edge in the pass's (receiver) order. */
    private double[] edgeTangents(double[] dForces, double[][] dStress) {
        Mace.Graph graph = pass.graph;
        double[] vectors = pass.vectors;
        double[] u = new double[3 * edges];
        for (int e = 0; e < edges; e++) {
            int s = pass.senders[e];
            int r = pass.receivers[e];
            int g = graph.graphOf()[r];
            double volume = graph.volumes()[g];
            for (int c = 0; c < 3; c++) {
                double value = dForces[3 * s + c] - dForces[3 * r + c];
                if (!Double.isNaN(volume)) {
                    for (int a = 0; a < 3; a++) {
                        value += 0.5 * (dStress[g][3 * a + c] + dStress[g][3 * c + a]) * vectors[3 * e + a] / volume;
                    }
                }
                u[3 * e + c] = value;
            }
        }
        return u;
    }

    /** The tangents of each edge's harmonics ({@code J_Y u}) and radial features ({@code R'(r) (vec·u)/r}). */
    private void embedTangents(double[] u) {
        pass.forEachBlock((block, from, to) -> {
            int count = to - from;
            double[] harmonicTangent = new double[count * harmonicsDim];
            model.edgeHarmonics.doubleBackward(count, Arrays.copyOfRange(pass.vectors, 3 * from, 3 * to),
                    new double[count * harmonicsDim], Arrays.copyOfRange(u, 3 * from, 3 * to), null,
                    harmonicTangent);
            System.arraycopy(harmonicTangent, 0, harmonicTangents, from * harmonicsDim, harmonicTangent.length);
            for (int e = from; e < to; e++) {
                double lengthTangent = 0;
                for (int c = 0; c < 3; c++) {
                    lengthTangent += pass.vectors[3 * e + c] * u[3 * e + c];
                }
                lengthTangent /= pass.lengths[e];
                for (int k = 0; k < numBessel; k++) {
                    featTangents[e * numBessel + k] = pass.edgeFeatDerivatives[e * numBessel + k] * lengthTangent;
                }
            }
        });
    }

    // ---- the forward-mode tangent -----------------------------------------------------------------------------

    /** Carries the tangent through every interaction, product and readout, keeping each block's tangent. */
    private void forwardTangents() {
        double[] hTangent = new double[pass.features.get(0).length];
        featureTangents.add(hTangent);
        for (int t = 0; t < model.interactions.size(); t++) {
            hTangent = interactionTangent(t, hTangent);
            featureTangents.add(hTangent);
            Mace.Readout readout = model.readouts.get(t);
            readoutHiddenTangents.add(readout.nonLinear()
                    ? linearTangent(readout.linear1(), readout.offset1(), hTangent) : null);
        }
    }

    private double[] interactionTangent(int t, double[] hTangent) {
        Mace.Interaction block = model.interactions.get(t);
        Mace.Product product = model.products.get(t);
        double[] upTangent = linearTangent(block.linearUp(), block.linearUpOffset(), hTangent);
        upTangents.add(upTangent);
        double[] messageTangent = edgeMessagesTangent(t, upTangent);
        messageTangents.add(messageTangent);
        double[] aTangent = linearTangent(block.linear(), block.linearOffset(), messageTangent);
        for (int i = 0; i < aTangent.length; i++) {
            aTangent[i] /= model.avgNumNeighbors;
        }
        if (!block.residual()) {
            mixedTangents.add(aTangent);
            aTangent = pass.skip(block, 0, n, aTangent);
        } else {
            mixedTangents.add(null);
        }
        contractionInputTangents.add(aTangent);
        SymmetricContractionKernel contraction = product.contraction();
        double[] bTangent = new double[n * contraction.irrepsOut().dim()];
        contraction.doubleBackward(n, pass.contractionInputs.get(t), pass.graph.elements(),
                pass.slice(product.contractionOffset(), contraction.weightNumel()), new double[bTangent.length],
                aTangent, null, null, null, bTangent);
        contractionOutputTangents.add(bTangent);
        double[] next = linearTangent(product.linear(), product.linearOffset(), bTangent);
        if (block.residual()) {
            double[] skipTangent = pass.skip(block, 0, n, hTangent);
            for (int i = 0; i < next.length; i++) {
                next[i] += skipTangent[i];
            }
        }
        return next;
    }

    /**
     * The tangent of {@code message[r] = sum_e conv_tp(up[s], Y_e, MLP(R_e))}: the product is linear in each
     * argument, so its tangent is the sum of three forward passes, each with one argument's tangent.
     */
    private double[] edgeMessagesTangent(int t, double[] upTangent) {
        Mace.Interaction block = model.interactions.get(t);
        TensorProductKernel tp = block.convTp();
        int upDim = block.linearUp().irrepsOut().dim();
        int midDim = tp.irrepsOut().dim();
        double[] up = pass.ups.get(t);
        RadialMlp<double[]> radial = pass.radialMlps.get(t);
        RadialMlp<double[]>.Trace trace = pass.radialTraces.get(t);
        int weightDim = tp.weightNumel();
        double[] messageTangent = new double[n * midDim];
        double[] radialTangent = new double[edges * weightDim];
        radialTangents.add(radialTangent);
        pass.forEachBlock((index, from, to) -> {
            int count = to - from;
            double[] w = trace.output(from, to);
            double[] wTangent = new double[count * weightDim];
            radial.jvp(count, Arrays.copyOfRange(pass.edgeFeats, from * numBessel, to * numBessel),
                    Arrays.copyOfRange(featTangents, from * numBessel, to * numBessel), wTangent);
            System.arraycopy(wTangent, 0, radialTangent, from * weightDim, wTangent.length);
            double[] x = pass.gather(up, upDim, pass.senders, from, to);
            double[] y = Arrays.copyOfRange(pass.harmonics, from * harmonicsDim, to * harmonicsDim);
            double[] sum = new double[count * midDim];
            double[] term = new double[count * midDim];
            tp.forward(count, pass.gather(upTangent, upDim, pass.senders, from, to), y, w, sum);
            tp.forward(count, x, Arrays.copyOfRange(harmonicTangents, from * harmonicsDim, to * harmonicsDim), w,
                    term);
            add(sum, term);
            tp.forward(count, x, y, wTangent, term);
            add(sum, term);
            for (int e = 0; e < count; e++) {
                int row = pass.receivers[from + e] * midDim;
                for (int c = 0; c < midDim; c++) {
                    messageTangent[row + c] += sum[e * midDim + c];
                }
            }
        });
        return messageTangent;
    }

    /** {@code linear(x)} without its bias: the tangent of a linear layer. */
    private double[] linearTangent(LinearKernel kernel, int offset, double[] xTangent) {
        double[] out = new double[n * kernel.irrepsOut().dim()];
        kernel.forward(n, xTangent, pass.linearWeights(kernel, offset), new double[kernel.biasNumel()], out);
        return out;
    }

    // ---- the reverse sweep ------------------------------------------------------------------------------------

    /**
     * The reverse sweep from {@code dΦ/dE_g = α_g} and {@code dΦ/dĖ = 1}: each readout's node energy {@code E_t,i}
     * enters the energy as {@code scale E_t,i}, its tangent likewise.
     */
    private void reverse(double[] dEnergy) {
        double scale = model.scaleShift ? pass.params[model.scaleOffset] : 1.0;
        double[] energySeed = new double[n];
        double[] tangentSeed = new double[n];
        for (int i = 0; i < n; i++) {
            energySeed[i] = scale * dEnergy[pass.graph.graphOf()[i]];
            tangentSeed[i] = scale;
        }
        double[][] grad = null;
        for (int t = model.interactions.size() - 1; t >= 0; t--) {
            double[][] fromReadout = readoutReverse(t, energySeed, tangentSeed);
            if (grad == null) {
                grad = fromReadout;
            } else {
                add(grad[0], fromReadout[0]);
                add(grad[1], fromReadout[1]);
            }
            grad = interactionReverse(t, grad[0], grad[1]);
        }
        linearReverse(model.nodeEmbedding, model.embeddingOffset, pass.oneHot, null, grad[0], null);
    }

    /** The readout's share of {@code (h̄, ḣ̄)} for interaction t's output features. */
    private double[][] readoutReverse(int t, double[] energySeed, double[] tangentSeed) {
        Mace.Readout readout = model.readouts.get(t);
        double[] h = pass.features.get(t + 1);
        double[] hTangent = featureTangents.get(t + 1);
        if (!readout.nonLinear()) {
            return linearReverse(readout.linear1(), readout.offset1(), h, hTangent, energySeed, tangentSeed);
        }
        double[] z = pass.readoutHidden.get(t);
        double[] zTangent = readoutHiddenTangents.get(t);
        ScalarFunction act = readout.activation();
        double[] y = z.clone();
        double[] yTangent = zTangent.clone();
        double[] derivative = new double[z.length];
        double[] second = new double[z.length];
        if (act == null) {
            Arrays.fill(derivative, 1.0);
        } else {
            act.values(z, y, 0, z.length);
            act.derivatives(z, derivative, 0, z.length);
            act.secondDerivatives(z, second, 0, z.length);
            for (int i = 0; i < z.length; i++) {
                yTangent[i] = derivative[i] * zTangent[i];
            }
        }
        double[][] gradY = linearReverse(readout.linear2(), readout.offset2(), y, yTangent, energySeed, tangentSeed);
        double[] gradZ = new double[z.length];
        double[] gradZTangent = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            gradZ[i] = derivative[i] * gradY[0][i] + second[i] * zTangent[i] * gradY[1][i];
            gradZTangent[i] = derivative[i] * gradY[1][i];
        }
        return linearReverse(readout.linear1(), readout.offset1(), h, hTangent, gradZ, gradZTangent);
    }

    /**
     * The sweep through interaction t and its product, from the gradients of its output features and their
     * tangent; returns those of its input features.
     */
    private double[][] interactionReverse(int t, double[] gradOut, double[] gradOutTangent) {
        Mace.Interaction block = model.interactions.get(t);
        Mace.Product product = model.products.get(t);
        double[] h = pass.features.get(t);
        double[] hTangent = featureTangents.get(t);
        double[][] gradB = linearReverse(product.linear(), product.linearOffset(), pass.contractionOutputs.get(t),
                contractionOutputTangents.get(t), gradOut, gradOutTangent);
        double[][] gradA = contractionReverse(t, gradB[0], gradB[1]);
        double[] skipWeights = pass.slice(block.skipOffset(), block.skipTp().weightNumel());
        if (!block.residual()) {
            gradA = skipReverse(block, pass.mixed.get(t), mixedTangents.get(t), skipWeights, gradA[0], gradA[1]);
        }
        for (double[] g : gradA) {
            for (int i = 0; i < g.length; i++) {
                g[i] /= model.avgNumNeighbors;
            }
        }
        double[][] gradMessage = linearReverse(block.linear(), block.linearOffset(), pass.messages.get(t),
                messageTangents.get(t), gradA[0], gradA[1]);
        double[][] gradUp = edgeMessagesReverse(t, gradMessage[0], gradMessage[1]);
        double[][] gradH = linearReverse(block.linearUp(), block.linearUpOffset(), h, hTangent, gradUp[0],
                gradUp[1]);
        if (block.residual()) {
            double[][] gradSkip = skipReverse(block, h, hTangent, skipWeights, gradOut, gradOutTangent);
            add(gradH[0], gradSkip[0]);
            add(gradH[1], gradSkip[1]);
        }
        return gradH;
    }

    /**
     * Through {@code B = SC(a, W)} and {@code Ḃ = J_a ȧ}: {@code ā = J_aᵀ B̄ + d/da <Ḃ̄, J_a ȧ>},
     * {@code W̄ = J_Wᵀ B̄ + d/dW <Ḃ̄, J_a ȧ>}, {@code ǡ̄ = J_aᵀ Ḃ̄}; the second-order terms are the kernel's
     * {@code doubleBackward} with {@code gradOut = Ḃ̄} and {@code ggX = ȧ}.
     */
    private double[][] contractionReverse(int t, double[] gradB, double[] gradBTangent) {
        Mace.Product product = model.products.get(t);
        SymmetricContractionKernel contraction = product.contraction();
        double[] a = pass.contractionInputs.get(t);
        double[] weights = pass.slice(product.contractionOffset(), contraction.weightNumel());
        int[] elements = pass.graph.elements();
        double[] gradA = new double[a.length];
        double[] gradWeights = new double[contraction.weightNumel()];
        contraction.backward(n, a, elements, weights, gradB, gradA, gradWeights);
        double[] secondA = new double[a.length];
        double[] secondWeights = new double[contraction.weightNumel()];
        contraction.doubleBackward(n, a, elements, weights, gradBTangent, contractionInputTangents.get(t), null,
                secondA, secondWeights, null);
        add(gradA, secondA);
        add(gradWeights, secondWeights);
        accumulate(product.contractionOffset(), gradWeights);
        double[] gradATangent = new double[a.length];
        contraction.backward(n, a, elements, weights, gradBTangent, gradATangent, null);
        return new double[][] {gradA, gradATangent};
    }

    /** Through {@code skip_tp(x, one-hot)}, bilinear with shared weights, and its tangent. */
    private double[][] skipReverse(Mace.Interaction block, double[] x, double[] xTangent, double[] skipWeights,
                                   double[] gradOut, double[] gradOutTangent) {
        TensorProductKernel skip = block.skipTp();
        double[] gradX = new double[x.length];
        double[] gradXTangent = new double[x.length];
        double[] gradWeights = new double[skip.weightNumel()];
        OneElementSkip oneElement = block.oneElementSkip();
        if (oneElement == null) {
            double[] gradWeightsTangent = new double[skip.weightNumel()];
            skip.backward(n, x, pass.oneHot, skipWeights, gradOut, gradX, null, gradWeights);
            skip.backward(n, xTangent, pass.oneHot, skipWeights, gradOutTangent, gradXTangent, null,
                    gradWeightsTangent);
            add(gradWeights, gradWeightsTangent);
            accumulate(block.skipOffset(), gradWeights);
            return new double[][] {gradX, gradXTangent};
        }
        TensorProductKernel single = oneElement.single();
        int inDim = skip.irrepsIn1().dim();
        int outDim = skip.irrepsOut().dim();
        for (int[] nodes : pass.byElement(0, n)) {
            int element = pass.graph.elements()[nodes[0]];
            double[] weights = pass.weights.elementSlice(Numbers.FLOAT64, oneElement, block.skipOffset(), element);
            double[] ones = pass.ones(nodes.length);
            double[] g = new double[nodes.length * inDim];
            double[] gTangent = new double[nodes.length * inDim];
            double[] gWeights = new double[single.weightNumel()];
            double[] gWeightsTangent = new double[single.weightNumel()];
            single.backward(nodes.length, pass.gather(x, inDim, nodes), ones, weights,
                    pass.gather(gradOut, outDim, nodes), g, null, gWeights);
            single.backward(nodes.length, pass.gather(xTangent, inDim, nodes), ones, weights,
                    pass.gather(gradOutTangent, outDim, nodes), gTangent, null, gWeightsTangent);
            pass.scatter(g, inDim, nodes, gradX);
            pass.scatter(gTangent, inDim, nodes, gradXTangent);
            add(gWeights, gWeightsTangent);
            oneElement.addWeightGradient(gWeights, element, gradWeights);
        }
        accumulate(block.skipOffset(), gradWeights);
        return new double[][] {gradX, gradXTangent};
    }

    /**
     * Through a linear layer {@code out = x W + b} and its tangent {@code ẋ W}: adds the weight (and bias) gradient
     * and returns {@code (x̄, ẋ̄)}; a null {@code xTangent} is zero (its gradient is then not computed).
     */
    private double[][] linearReverse(LinearKernel kernel, int offset, double[] x, double[] xTangent,
                                     double[] gradOut, double[] gradOutTangent) {
        double[] weights = pass.linearWeights(kernel, offset);
        int rows = x.length / kernel.irrepsIn().dim();
        double[] gradX = new double[x.length];
        double[] gradWeights = new double[kernel.weightNumel()];
        double[] gradBias = new double[kernel.biasNumel()];
        kernel.backward(rows, x, weights, gradOut, gradX, gradWeights, gradBias);
        double[] gradXTangent = null;
        if (xTangent != null) {
            gradXTangent = new double[x.length];
            double[] gradWeightsTangent = new double[kernel.weightNumel()];
            kernel.backward(rows, xTangent, weights, gradOutTangent, gradXTangent, gradWeightsTangent, null);
            add(gradWeights, gradWeightsTangent);
        }
        accumulate(offset, gradWeights);
        accumulate(offset + kernel.weightNumel(), gradBias);
        return new double[][] {gradX, gradXTangent};
    }

    /**
     * Through the edge messages, per edge block: with {@code x = up[s]}, {@code y = Y_e}, {@code w = MLP(R_e)},
     * {@code g = m̄[r]} and {@code ġ = ṁ̄[r]}, the message {@code f(x, y, w)} and its tangent
     * {@code f(ẋ, y, w) + f(x, ẏ, w) + f(x, y, ẇ)} give
     * <pre>
     *   x̄ = f_xᵀ(y, w) g + f_xᵀ(ẏ, w) ġ + f_xᵀ(y, ẇ) ġ        ẋ̄ = f_xᵀ(y, w) ġ
     *   w̄ = f_wᵀ(x, y) g + f_wᵀ(x, ẏ) ġ + f_wᵀ(ẋ, y) ġ        ẇ̄ = f_wᵀ(x, y) ġ
     * </pre>
     * (five {@code backward} passes), then the radial MLP's parameters take {@code w̄} through its {@code backward}
     * and {@code ẇ̄} through its {@code doubleBackward} with {@code ggX = Ṙ}. Returns
     * {@code (ūp, u̇p̄)}, each node summing its outgoing edges in order.
     */
    private double[][] edgeMessagesReverse(int t, double[] gradMessage, double[] gradMessageTangent) {
        Mace.Interaction block = model.interactions.get(t);
        TensorProductKernel tp = block.convTp();
        int upDim = block.linearUp().irrepsOut().dim();
        int midDim = tp.irrepsOut().dim();
        int weightDim = tp.weightNumel();
        double[] up = pass.ups.get(t);
        double[] upTangent = upTangents.get(t);
        RadialMlp<double[]> radial = pass.radialMlps.get(t);
        RadialMlp<double[]>.Trace trace = pass.radialTraces.get(t);
        double[] radialTangent = radialTangents.get(t);
        int radialCount = block.radialMlp().parameterCount();
        double[] gradSenderUp = new double[edges * upDim];
        double[] gradSenderUpTangent = new double[edges * upDim];
        int blocks = pass.blockStart.length - 1;
        double[][] radialGradients = new double[blocks][];
        pass.forEachBlock((index, from, to) -> {
            int count = to - from;
            double[] feats = Arrays.copyOfRange(pass.edgeFeats, from * numBessel, to * numBessel);
            double[] featTangent = Arrays.copyOfRange(featTangents, from * numBessel, to * numBessel);
            double[] w = trace.output(from, to);
            double[] wTangent = Arrays.copyOfRange(radialTangent, from * weightDim, to * weightDim);
            double[] x = pass.gather(up, upDim, pass.senders, from, to);
            double[] xTangent = pass.gather(upTangent, upDim, pass.senders, from, to);
            double[] y = Arrays.copyOfRange(pass.harmonics, from * harmonicsDim, to * harmonicsDim);
            double[] yTangent = Arrays.copyOfRange(harmonicTangents, from * harmonicsDim, to * harmonicsDim);
            double[] g = pass.gather(gradMessage, midDim, pass.receivers, from, to);
            double[] gTangent = pass.gather(gradMessageTangent, midDim, pass.receivers, from, to);
            double[] gradX = new double[count * upDim];
            double[] gradW = new double[count * weightDim];
            double[] gradXTerm = new double[count * upDim];
            double[] gradWTerm = new double[count * weightDim];
            tp.backward(count, x, y, w, g, gradX, null, gradW);
            tp.backward(count, x, yTangent, w, gTangent, gradXTerm, null, gradWTerm);
            add(gradX, gradXTerm);
            add(gradW, gradWTerm);
            tp.backward(count, x, y, wTangent, gTangent, gradXTerm, null, null);
            add(gradX, gradXTerm);
            tp.backward(count, xTangent, y, w, gTangent, null, null, gradWTerm);
            add(gradW, gradWTerm);
            double[] gradXTangent = new double[count * upDim];
            double[] gradWTangent = new double[count * weightDim];
            tp.backward(count, x, y, w, gTangent, gradXTangent, null, gradWTangent);
            System.arraycopy(gradX, 0, gradSenderUp, from * upDim, gradX.length);
            System.arraycopy(gradXTangent, 0, gradSenderUpTangent, from * upDim, gradXTangent.length);
            double[] radialGradient = new double[radialCount];
            double[] secondOrder = new double[radialCount];
            radial.backward(count, feats, gradW, null, radialGradient);
            radial.doubleBackward(count, feats, gradWTangent, featTangent, null, null, secondOrder, null);
            add(radialGradient, secondOrder);
            radialGradients[index] = radialGradient;
        });
        double[] radialGradient = new double[radialCount];
        for (double[] part : radialGradients) {
            add(radialGradient, part);
        }
        accumulate(block.radialOffset(), radialGradient);
        return new double[][] {pass.sumBySender(gradSenderUp, upDim), pass.sumBySender(gradSenderUpTangent, upDim)};
    }

    private void accumulate(int offset, double[] values) {
        for (int i = 0; i < values.length; i++) {
            gradient[offset + i] += values[i];
        }
    }

    private static void add(double[] sum, double[] term) {
        for (int i = 0; i < sum.length; i++) {
            sum[i] += term[i];
        }
    }
}
