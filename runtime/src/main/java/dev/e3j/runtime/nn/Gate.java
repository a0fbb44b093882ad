package dev.e3j.runtime.nn;

import dev.e3j.runtime.Irrep;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.internal.Checks;
import dev.e3j.runtime.math.Normalize2Mom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * e3nn's {@code nn.Gate(irreps_scalars, act_scalars, irreps_gates, act_gates, irreps_gated)}:
 * {@code (⊕_i φ_i(x_i)) ⊕ (⊕_j φ_j(g_j) y_j)}, scalars {@code x_i} through their activations, and each gated irrep
 * {@code y_j} multiplied by its activated scalar gate {@code g_j}.
 *
 * <p>Input layout (e3nn's {@code _Sortcut}): the three groups, each simplified, concatenated, stably sorted by irrep
 * ({@code 0o < 0e < 1o < ...}) and simplified; {@link #irrepsIn()} is that sorted sum. Output: the activated scalars
 * ({@link Activation} parity rules) followed by the gated irreps in {@code irrepsGated} order, copy {@code j} with
 * parity {@code p(y_j) p(φ_j(g_j))} (e3nn's {@code ElementwiseTensorProduct}, whose entries split where the gates'
 * and the gated multiplicities do not line up). Activations are normalized by {@link Normalize2Mom}.
 *
 * <p>Features are {@code [batch][dim]}, {@code mul_ir} layout; {@link #channelLast()} is the same gate on features in
 * the channel-last {@code ir_mul} layout of {@code dev.e3j.runtime.Layouts} (of {@link #irrepsIn()} and
 * {@link #irrepsOut()} as they are, entries not merged), where each gate multiplies one channel of its gated entry
 * across that entry's components. Besides {@link #forward} and {@link #backward}: the forward-mode tangent
 * {@link #jvp} and the second derivatives {@link #doubleBackward} (which need the activations'
 * {@link ScalarFunction#secondDerivative}). Stateless and thread-safe.
 */
public final class Gate {

    private static final String NEW = "new Gate";

    /** {@code length} numbers at {@code groupOffset} of a group's own layout and at {@code inputOffset} of the input. */
    private record Run(int groupOffset, int inputOffset, int length) {
    }

    private final Irreps irrepsIn;
    private final Irreps irrepsOut;
    private final Activation actScalars;
    private final Activation actGates;
    private final Irreps irrepsGated;
    /** Whether the features are channel-last ({@code ir_mul}) rather than e3nn's {@code mul_ir}. */
    private final boolean channelLast;
    /**
     * {@code groupSources[g][c]}: where component {@code c} of group {@code g} (scalars, gates, gated, each in its own
     * {@code mul_ir} layout) sits in a sample of the input.
     */
    private final int[][] groupSources;
    /** {@link #groupSources} as runs of consecutive indices, which {@link #split} and {@link #merge} copy. */
    private final List<List<Run>> groupRuns;
    /** {@code gatedTargets[c]}: where the product of gated component {@code c} sits in a sample of the output. */
    private final int[] gatedTargets;
    /** {@code gateOf[c]}: the gate index multiplying component {@code c} of the gated block. */
    private final int[] gateOf;
    /**
     * {@code gateComponents[k]}: the gated components {@code c} with {@code gateOf[c] == k}, in increasing order, so
     * that a gate's gradient sums its products in one local sum, in the order of {@code c}.
     */
    private final int[][] gateComponents;

    /** e3nn's {@code Gate(irreps_scalars, act_scalars, irreps_gates, act_gates, irreps_gated)}. */
    public Gate(Irreps irrepsScalars, List<ScalarFunction> actScalars, Irreps irrepsGates,
                List<ScalarFunction> actGates, Irreps irrepsGated) {
        Checks.requireNonNull(NEW, "irrepsScalars", irrepsScalars);
        Checks.requireNonNull(NEW, "irrepsGates", irrepsGates);
        Checks.requireNonNull(NEW, "irrepsGated", irrepsGated);
        requireScalars("irrepsScalars", irrepsScalars);
        requireScalars("irrepsGates", irrepsGates);
        if (irrepsGates.numIrreps() != irrepsGated.numIrreps()) {
            throw Checks.invalid(NEW, "irrepsGates", "have one gate per gated irrep, i.e. " + irrepsGated.numIrreps()
                    + " (\"" + irrepsGated + "\")", irrepsGates.numIrreps() + " (\"" + irrepsGates + "\")");
        }
        this.actScalars = new Activation(irrepsScalars, actScalars);
        this.actGates = new Activation(irrepsGates, actGates);
        this.irrepsGated = irrepsGated.simplify();

        List<Irreps> groups = List.of(irrepsScalars.simplify(), irrepsGates.simplify(), this.irrepsGated);
        List<Irreps.MulIrrep> all = new ArrayList<>();
        for (Irreps group : groups) {
            all.addAll(group.entries());
        }
        Irreps.Sorted sorted = Irreps.of(all).sort();
        this.irrepsIn = sorted.irreps().simplify();
        this.channelLast = false;
        // In mul_ir the sorted entries, merged or not, lie where they lay: each group entry is one run of the input.
        this.groupSources = new int[groups.size()][];
        int entry = 0;
        for (int g = 0; g < groups.size(); g++) {
            Irreps group = groups.get(g);
            groupSources[g] = new int[group.dim()];
            for (int i = 0; i < group.size(); i++, entry++) {
                int inputOffset = sorted.irreps().offset(sorted.p()[entry]);
                for (int k = 0; k < group.get(i).dim(); k++) {
                    groupSources[g][group.offset(i) + k] = inputOffset + k;
                }
            }
        }

        this.groupRuns = runs(groupSources);
        this.gateOf = new int[this.irrepsGated.dim()];
        this.irrepsOut = this.actScalars.irrepsOut().plus(gatedIrrepsOut(this.actGates.irrepsOut().simplify()));
        int scalarDim = this.actScalars.irrepsOut().dim();
        this.gatedTargets = new int[this.irrepsGated.dim()];
        for (int c = 0; c < gatedTargets.length; c++) {
            gatedTargets[c] = scalarDim + c;
        }
        this.gateComponents = componentsByGate(gateOf, groupSources[1].length);
    }

    /** The components of each gate ({@link #gateComponents}) from {@code gateOf}. */
    private static int[][] componentsByGate(int[] gateOf, int gates) {
        int[] counts = new int[gates];
        for (int gate : gateOf) {
            counts[gate]++;
        }
        int[][] components = new int[gates][];
        for (int k = 0; k < gates; k++) {
            components[k] = new int[counts[k]];
            counts[k] = 0;
        }
        for (int c = 0; c < gateOf.length; c++) {
            components[gateOf[c]][counts[gateOf[c]]++] = c;
        }
        return components;
    }

    /** {@code mulIr}'s gate on channel-last features: its index maps carried from {@code mul_ir} into {@code ir_mul}. */
    private Gate(Gate mulIr) {
        this.irrepsIn = mulIr.irrepsIn;
        this.irrepsOut = mulIr.irrepsOut;
        this.actScalars = mulIr.actScalars;
        this.actGates = mulIr.actGates;
        this.irrepsGated = mulIr.irrepsGated;
        this.gateOf = mulIr.gateOf;
        this.gateComponents = mulIr.gateComponents;
        this.channelLast = true;
        this.groupSources = new int[mulIr.groupSources.length][];
        for (int g = 0; g < groupSources.length; g++) {
            groupSources[g] = channelLastIndices(irrepsIn, mulIr.groupSources[g]);
        }
        this.groupRuns = runs(groupSources);
        this.gatedTargets = channelLastIndices(irrepsOut, mulIr.gatedTargets);
    }

    /** Each group's sources cut into runs of consecutive input indices. */
    private static List<List<Run>> runs(int[][] groupSources) {
        List<List<Run>> runs = new ArrayList<>();
        for (int[] sources : groupSources) {
            List<Run> group = new ArrayList<>();
            int start = 0;
            for (int c = 1; c <= sources.length; c++) {
                if (c == sources.length || sources[c] != sources[c - 1] + 1) {
                    group.add(new Run(start, sources[start], c - start));
                    start = c;
                }
            }
            runs.add(List.copyOf(group));
        }
        return List.copyOf(runs);
    }

    /**
     * The same gate on features in the channel-last {@code ir_mul} layout ({@code Layouts.toIrMul} of
     * {@link #irrepsIn()} and {@link #irrepsOut()}): every method takes and returns {@code ir_mul} arrays and computes
     * the same numbers as this gate on their {@code mul_ir} forms. This gate itself when it already is.
     */
    public Gate channelLast() {
        return channelLast ? this : new Gate(this);
    }

    /** Whether the features are in the channel-last {@code ir_mul} layout ({@link #channelLast()}). */
    public boolean isChannelLast() {
        return channelLast;
    }

    /**
     * {@code mulIr} indices within one sample of {@code irreps}, each moved to its place in {@code ir_mul}: component
     * {@code m} of channel {@code u} of the entry at offset {@code o} (multiplicity {@code mul}, dimension {@code d})
     * moves from {@code o + u d + m} to {@code o + m mul + u}.
     */
    private static int[] channelLastIndices(Irreps irreps, int[] mulIr) {
        int[] irMul = new int[mulIr.length];
        for (int i = 0; i < mulIr.length; i++) {
            int entry = 0;
            while (irreps.offset(entry + 1) <= mulIr[i]) {
                entry++;
            }
            int offset = irreps.offset(entry);
            int dim = irreps.get(entry).ir().dim();
            int local = mulIr[i] - offset;
            irMul[i] = offset + (local % dim) * irreps.get(entry).mul() + local / dim;
        }
        return irMul;
    }

    /**
     * e3nn's {@code ElementwiseTensorProduct(gated, activated gates)} output: copy {@code j} becomes
     * {@code (l(y_j), p(y_j) p(g_j))}; an entry ends wherever an entry of the gated irreps or of the (simplified)
     * activated gates ends. Also fills {@link #gateOf}.
     */
    private Irreps gatedIrrepsOut(Irreps activatedGates) {
        int[] gateParity = new int[activatedGates.numIrreps()];
        boolean[] startsGateEntry = new boolean[gateParity.length];
        int copy = 0;
        for (Irreps.MulIrrep gate : activatedGates) {
            startsGateEntry[copy] = true;
            for (int u = 0; u < gate.mul(); u++, copy++) {
                gateParity[copy] = gate.ir().p();
            }
        }
        List<Irreps.MulIrrep> out = new ArrayList<>();
        copy = 0;
        int component = 0;
        for (Irreps.MulIrrep gated : irrepsGated) {
            for (int u = 0; u < gated.mul(); u++, copy++) {
                Irrep ir = Irrep.of(gated.ir().l(), gated.ir().p() * gateParity[copy]);
                if (u == 0 || startsGateEntry[copy]) {
                    out.add(Irreps.MulIrrep.of(1, ir));
                } else {
                    int last = out.size() - 1;
                    out.set(last, Irreps.MulIrrep.of(out.get(last).mul() + 1, ir));
                }
                for (int m = 0; m < gated.ir().dim(); m++) {
                    gateOf[component++] = copy;
                }
            }
        }
        return Irreps.of(out);
    }

    private static void requireScalars(String name, Irreps irreps) {
        for (Irreps.MulIrrep entry : irreps) {
            if (entry.ir().l() != 0) {
                throw Checks.invalid(NEW, name, "hold scalars only (l = 0)", entry + " in \"" + irreps + "\"");
            }
        }
    }

    /** Irreps of the input: scalars, gates, then the gated irreps. */
    public Irreps irrepsIn() {
        return irrepsIn;
    }

    /** Irreps of the output: activated scalars, then the gated irreps times their gates. */
    public Irreps irrepsOut() {
        return irrepsOut;
    }

    /** {@code out = [φ(scalars), φ(gates) · gated]}; {@code x} is {@code [batch][irrepsIn().dim()]}. */
    public void forward(int batch, double[] x, double[] out) {
        String where = "Gate.forward";
        Checks.requireNonNegative(where, "batch", batch);
        Checks.requireShape(where, "x", x, "batch", batch, irrepsIn.dim());
        Checks.requireShape(where, "out", out, "batch", batch, irrepsOut.dim());
        int scalarDim = actScalars.irrepsIn().dim();
        int gateDim = actGates.irrepsIn().dim();
        int gatedDim = irrepsGated.dim();
        double[] scalars = split(batch, x, 0, scalarDim);
        double[] gates = split(batch, x, 1, gateDim);
        double[] gated = split(batch, x, 2, gatedDim);
        double[] activatedScalars = new double[batch * scalarDim];
        double[] activatedGates = new double[batch * gateDim];
        actScalars.forward(batch, scalars, activatedScalars);
        actGates.forward(batch, gates, activatedGates);
        int outDim = irrepsOut.dim();
        for (int b = 0; b < batch; b++) {
            System.arraycopy(activatedScalars, b * scalarDim, out, b * outDim, scalarDim);
            for (int c = 0; c < gatedDim; c++) {
                out[b * outDim + gatedTargets[c]] = gated[b * gatedDim + c] * activatedGates[b * gateDim + gateOf[c]];
            }
        }
    }

    /** Gradient of {@code sum(out * gradOut)} with respect to {@code x}, written to {@code gradX}. */
    public void backward(int batch, double[] x, double[] gradOut, double[] gradX) {
        String where = "Gate.backward";
        Checks.requireNonNegative(where, "batch", batch);
        Checks.requireShape(where, "x", x, "batch", batch, irrepsIn.dim());
        Checks.requireShape(where, "gradOut", gradOut, "batch", batch, irrepsOut.dim());
        Checks.requireShape(where, "gradX", gradX, "batch", batch, irrepsIn.dim());
        int scalarDim = actScalars.irrepsIn().dim();
        int gateDim = actGates.irrepsIn().dim();
        int gatedDim = irrepsGated.dim();
        int outDim = irrepsOut.dim();
        double[] scalars = split(batch, x, 0, scalarDim);
        double[] gates = split(batch, x, 1, gateDim);
        double[] gated = split(batch, x, 2, gatedDim);
        double[] activatedGates = new double[batch * gateDim];
        actGates.forward(batch, gates, activatedGates);

        double[] gradActivatedScalars = new double[batch * scalarDim];
        double[] gradActivatedGates = new double[batch * gateDim];
        double[] gradGated = new double[batch * gatedDim];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(gradOut, b * outDim, gradActivatedScalars, b * scalarDim, scalarDim);
            for (int c = 0; c < gatedDim; c++) {
                double g = gradOut[b * outDim + gatedTargets[c]];
                gradGated[b * gatedDim + c] = g * activatedGates[b * gateDim + gateOf[c]];
                gradActivatedGates[b * gateDim + gateOf[c]] += g * gated[b * gatedDim + c];
            }
        }
        double[] gradScalars = new double[batch * scalarDim];
        double[] gradGates = new double[batch * gateDim];
        actScalars.backward(batch, scalars, gradActivatedScalars, gradScalars);
        actGates.backward(batch, gates, gradActivatedGates, gradGates);
        merge(batch, gradScalars, 0, scalarDim, gradX);
        merge(batch, gradGates, 1, gateDim, gradX);
        merge(batch, gradGated, 2, gatedDim, gradX);
    }

    /**
     * A forward pass over rows of the features, kept for {@link Gate#backward(Trace, double[], double[])}: the
     * activated gates and every activation's derivative, in double, so that the backward pass evaluates no activation
     * again.
     */
    public static final class Trace {
        private final Gate gate;
        private final int from;
        private final int to;
        /** {@code [row][scalarDim]}: {@code φ'(s)} of each scalar (1 for an identity entry). */
        private final double[] scalarDerivatives;
        /** {@code [row][gateDim]}: {@code φ(g)} and {@code φ'(g)} of each gate. */
        private final double[] activatedGates;
        private final double[] gateDerivatives;
        /** {@code [row][gatedDim]}: the gated components, in double. */
        private final double[] gated;

        private Trace(Gate gate, int from, int to, double[] scalarDerivatives, double[] activatedGates,
                      double[] gateDerivatives, double[] gated) {
            this.gate = gate;
            this.from = from;
            this.to = to;
            this.scalarDerivatives = scalarDerivatives;
            this.activatedGates = activatedGates;
            this.gateDerivatives = gateDerivatives;
            this.gated = gated;
        }
    }

    /**
     * {@link #forward} of rows {@code from .. to} of {@code x} into the same rows of {@code out} (both
     * {@code [rows][dim]}), kept for {@link #backward(Trace, double[], double[])}: the same values, bit for bit. Each
     * activation runs once per entry over all the rows, its values and derivatives together.
     */
    public Trace forward(double[] x, double[] out, int from, int to) {
        checkRows("Gate.forward", "x", lengthOf(x), irrepsIn.dim(), "out", lengthOf(out), irrepsOut.dim(), from, to);
        return forwardRows(x, null, from * irrepsIn.dim(), out, null, from * irrepsOut.dim(), from, to);
    }

    /**
     * Float overload of {@link #forward(double[], double[], int, int)}: computed in double from the float inputs
     * (each read exactly widened), each output rounded once to float, as {@link #forward} on the widened rows.
     */
    public Trace forward(float[] x, float[] out, int from, int to) {
        checkRows("Gate.forward", "x", lengthOf(x), irrepsIn.dim(), "out", lengthOf(out), irrepsOut.dim(), from, to);
        return forwardRows(null, x, from * irrepsIn.dim(), null, out, from * irrepsOut.dim(), from, to);
    }

    /**
     * {@link #backward} through the rows of {@code trace}: the same rows of {@code gradX} (overwritten) from those of
     * {@code gradOut}, both {@code [rows][dim]}; the same values, bit for bit.
     */
    public void backward(Trace trace, double[] gradOut, double[] gradX) {
        checkTrace(trace);
        checkRows("Gate.backward", "gradOut", lengthOf(gradOut), irrepsOut.dim(), "gradX", lengthOf(gradX),
                irrepsIn.dim(), trace.from, trace.to);
        backwardRows(trace, gradOut, null, trace.from * irrepsOut.dim(), gradX, null, trace.from * irrepsIn.dim());
    }

    /**
     * Float overload of {@link #backward(Trace, double[], double[])}: computed in double, each gradient rounded once
     * to float, as {@link #backward} on the widened rows.
     */
    public void backward(Trace trace, float[] gradOut, float[] gradX) {
        checkTrace(trace);
        checkRows("Gate.backward", "gradOut", lengthOf(gradOut), irrepsOut.dim(), "gradX", lengthOf(gradX),
                irrepsIn.dim(), trace.from, trace.to);
        backwardRows(trace, null, gradOut, trace.from * irrepsOut.dim(), null, gradX, trace.from * irrepsIn.dim());
    }

    /**
     * Rows {@code from .. to} of {@code x}, or of {@code floatX} (read widened) when {@code x} is {@code null}, from
     * {@code xAt}, into {@code out} from {@code outAt}, or each rounded to float into {@code floatOut} when
     * {@code out} is {@code null}.
     */
    private Trace forwardRows(double[] x, float[] floatX, int xAt, double[] out, float[] floatOut, int outAt,
                              int from, int to) {
        int rows = to - from;
        int dimIn = irrepsIn.dim();
        int dimOut = irrepsOut.dim();
        int scalarDim = groupSources[0].length;
        int gateDim = groupSources[1].length;
        int gatedDim = groupSources[2].length;
        double[] scalarValues = new double[rows * scalarDim];
        double[] scalarDerivatives = new double[rows * scalarDim];
        activate(actScalars, rows, x, floatX, xAt, dimIn, groupSources[0], scalarValues, scalarDerivatives);
        double[] activatedGates = new double[rows * gateDim];
        double[] gateDerivatives = new double[rows * gateDim];
        activate(actGates, rows, x, floatX, xAt, dimIn, groupSources[1], activatedGates, gateDerivatives);
        double[] gated = new double[rows * gatedDim];
        int[] gatedSources = groupSources[2];
        for (int b = 0; b < rows; b++) {
            int inRow = xAt + b * dimIn;
            int outRow = outAt + b * dimOut;
            if (out != null) {
                System.arraycopy(scalarValues, b * scalarDim, out, outRow, scalarDim);
            } else {
                for (int k = 0; k < scalarDim; k++) {
                    floatOut[outRow + k] = (float) scalarValues[b * scalarDim + k];
                }
            }
            for (int c = 0; c < gatedDim; c++) {
                double y = get(x, floatX, inRow + gatedSources[c]);
                gated[b * gatedDim + c] = y;
                double value = y * activatedGates[b * gateDim + gateOf[c]];
                if (out != null) {
                    out[outRow + gatedTargets[c]] = value;
                } else {
                    floatOut[outRow + gatedTargets[c]] = (float) value;
                }
            }
        }
        return new Trace(this, from, to, scalarDerivatives, activatedGates, gateDerivatives, gated);
    }

    /**
     * Values and derivatives of {@code activation} on one group of the input ({@code sources}: where its components
     * sit in a row of {@code dimIn} from {@code xAt} of {@code x}, or of {@code floatX} when {@code x} is
     * {@code null}), entry by entry over all the rows at once, into {@code [rows][group dim]}; an identity entry
     * passes the values through with derivative 1.
     */
    private static void activate(Activation activation, int rows, double[] x, float[] floatX, int xAt, int dimIn,
                                 int[] sources, double[] values, double[] derivatives) {
        Irreps irreps = activation.irrepsIn();
        int groupDim = sources.length;
        for (int i = 0; i < irreps.size(); i++) {
            int start = irreps.offset(i);
            int width = irreps.offset(i + 1) - start;
            ScalarFunction f = activation.acts().get(i);
            double[] in = new double[rows * width];
            for (int b = 0; b < rows; b++) {
                for (int k = 0; k < width; k++) {
                    in[b * width + k] = get(x, floatX, xAt + b * dimIn + sources[start + k]);
                }
            }
            double[] entryValues = in;
            double[] entryDerivatives = new double[in.length];
            if (f == null) {
                Arrays.fill(entryDerivatives, 1.0);
            } else {
                entryValues = new double[in.length];
                f.valuesAndDerivatives(in, entryValues, entryDerivatives, 0, in.length);
            }
            for (int b = 0; b < rows; b++) {
                System.arraycopy(entryValues, b * width, values, b * groupDim + start, width);
                System.arraycopy(entryDerivatives, b * width, derivatives, b * groupDim + start, width);
            }
        }
    }

    /**
     * {@code gradOut}'s rows, or {@code floatGradOut}'s (read widened) when {@code gradOut} is {@code null}, from
     * {@code gradOutAt} through {@code trace}, into {@code gradX} from {@code gradXAt}, or each rounded to float into
     * {@code floatGradX} when {@code gradX} is {@code null}.
     */
    private void backwardRows(Trace trace, double[] gradOut, float[] floatGradOut, int gradOutAt, double[] gradX,
                              float[] floatGradX, int gradXAt) {
        int rows = trace.to - trace.from;
        int dimIn = irrepsIn.dim();
        int dimOut = irrepsOut.dim();
        int[] scalarSources = groupSources[0];
        int[] gateSources = groupSources[1];
        int[] gatedSources = groupSources[2];
        int scalarDim = scalarSources.length;
        int gateDim = gateSources.length;
        int gatedDim = gatedSources.length;
        for (int b = 0; b < rows; b++) {
            int outRow = gradOutAt + b * dimOut;
            int inRow = gradXAt + b * dimIn;
            for (int k = 0; k < scalarDim; k++) {
                set(gradX, floatGradX, inRow + scalarSources[k],
                        get(gradOut, floatGradOut, outRow + k) * trace.scalarDerivatives[b * scalarDim + k]);
            }
            for (int k = 0; k < gateDim; k++) {
                double activatedGate = trace.activatedGates[b * gateDim + k];
                double gradActivatedGate = 0.0;
                for (int c : gateComponents[k]) {
                    double g = get(gradOut, floatGradOut, outRow + gatedTargets[c]);
                    set(gradX, floatGradX, inRow + gatedSources[c], g * activatedGate);
                    gradActivatedGate += g * trace.gated[b * gatedDim + c];
                }
                set(gradX, floatGradX, inRow + gateSources[k],
                        gradActivatedGate * trace.gateDerivatives[b * gateDim + k]);
            }
        }
    }

    private void checkTrace(Trace trace) {
        Checks.requireNonNull("Gate.backward", "trace", trace);
        if (trace.gate != this) {
            throw Checks.invalid("Gate.backward", "trace", "come from this gate's forward()", "another gate's");
        }
    }

    /** Checks that rows {@code from .. to} lie within both arrays of {@code [rows][width]} (lengths, -1 for null). */
    private static void checkRows(String where, String aName, int aLength, int aWidth, String bName, int bLength,
                                  int bWidth, int from, int to) {
        if (aLength < 0) {
            throw Checks.invalid(where, aName, "not be null", "null");
        }
        if (bLength < 0) {
            throw Checks.invalid(where, bName, "not be null", "null");
        }
        if (from < 0 || to < from || (long) to * aWidth > aLength || (long) to * bWidth > bLength) {
            throw Checks.invalid(where, "rows", "lie within " + aName + " (" + aLength + " = rows x " + aWidth
                    + ") and " + bName + " (" + bLength + " = rows x " + bWidth + ")", from + " .. " + to);
        }
    }

    private static int lengthOf(double[] array) {
        return array == null ? -1 : array.length;
    }

    private static int lengthOf(float[] array) {
        return array == null ? -1 : array.length;
    }

    /** {@code values[i]}, or {@code floatValues[i]} widened when {@code values} is {@code null}. */
    private static double get(double[] values, float[] floatValues, int i) {
        return values != null ? values[i] : floatValues[i];
    }

    /** {@code out[i] = value}, or {@code floatOut[i] = (float) value} when {@code out} is {@code null}. */
    private static void set(double[] out, float[] floatOut, int i, double value) {
        if (out != null) {
            out[i] = value;
        } else {
            floatOut[i] = (float) value;
        }
    }

    /**
     * The forward-mode tangent of the output along {@code dx} ({@code [batch][irrepsIn().dim()]}), overwritten into
     * {@code dOut}: with {@code a = φ(g)} the activated gates,
     * <pre>{@code
     *   dOut = [φ'(x) dx_scalars,  dy a + y φ'(g) dg]
     * }</pre>
     * Its gradients: with respect to {@code dx}, {@link #backward}; with respect to {@code x},
     * {@link #doubleBackward}'s {@code gX} with {@code ggX = dx}.
     */
    public void jvp(int batch, double[] x, double[] dx, double[] dOut) {
        String where = "Gate.jvp";
        Checks.requireNonNegative(where, "batch", batch);
        Checks.requireShape(where, "x", x, "batch", batch, irrepsIn.dim());
        Checks.requireShape(where, "dx", dx, "batch", batch, irrepsIn.dim());
        Checks.requireShape(where, "dOut", dOut, "batch", batch, irrepsOut.dim());
        tangent(batch, x, dx, dOut);
    }

    /**
     * The second derivatives: given a cotangent {@code ggX} of {@link #backward}'s {@code gradX} ({@code null} =
     * zero), the gradients of {@code sum(ggX * gradX)} with respect to {@code x} ({@code gX}) and {@code gradOut}
     * ({@code gGradOut}, the tangent {@link #jvp} along {@code ggX}), each overwritten, {@code null} to skip. With
     * {@code ḡ} the gradient on the gated part of the output and {@code k(c)} the gate of component {@code c},
     * <pre>{@code
     *   gX_scalars = ggX_s ḡ_s φ''(x_s)
     *   gX_gate k  = φ'(g_k) sum_{c: k(c) = k} ggY_c ḡ_c  +  ggG_k φ''(g_k) sum_{c: k(c) = k} ḡ_c y_c
     *   gX_gated c = ḡ_c φ'(g_k) ggG_k
     * }</pre>
     */
    public void doubleBackward(int batch, double[] x, double[] gradOut, double[] ggX, double[] gX,
                               double[] gGradOut) {
        String where = "Gate.doubleBackward";
        int dim = irrepsIn.dim();
        int outDim = irrepsOut.dim();
        Checks.requireNonNegative(where, "batch", batch);
        Checks.requireShape(where, "x", x, "batch", batch, dim);
        Checks.requireShape(where, "gradOut", gradOut, "batch", batch, outDim);
        if (ggX != null) {
            Checks.requireShape(where, "ggX", ggX, "batch", batch, dim);
        }
        if (gX != null) {
            Checks.requireShape(where, "gX", gX, "batch", batch, dim);
        }
        if (gGradOut != null) {
            Checks.requireShape(where, "gGradOut", gGradOut, "batch", batch, outDim);
        }
        if (ggX == null) {
            for (double[] g : new double[][] {gX, gGradOut}) {
                if (g != null) {
                    Arrays.fill(g, 0.0);
                }
            }
            return;
        }
        if (gGradOut != null) {
            tangent(batch, x, ggX, gGradOut);
        }
        if (gX == null) {
            return;
        }
        int scalarDim = actScalars.irrepsIn().dim();
        int gateDim = actGates.irrepsIn().dim();
        int gatedDim = irrepsGated.dim();
        double[] gates = split(batch, x, 1, gateDim);
        double[] gated = split(batch, x, 2, gatedDim);
        double[] ggGates = split(batch, ggX, 1, gateDim);
        double[] ggGated = split(batch, ggX, 2, gatedDim);
        double[] gradScalars = new double[batch * scalarDim];
        // Per gate: sum_c ḡ_c y_c (the gate's gradient before φ') and sum_c ggY_c ḡ_c.
        double[] gradActivatedGates = new double[batch * gateDim];
        double[] gatedCotangent = new double[batch * gateDim];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(gradOut, b * outDim, gradScalars, b * scalarDim, scalarDim);
            for (int c = 0; c < gatedDim; c++) {
                double g = gradOut[b * outDim + gatedTargets[c]];
                gradActivatedGates[b * gateDim + gateOf[c]] += g * gated[b * gatedDim + c];
                gatedCotangent[b * gateDim + gateOf[c]] += g * ggGated[b * gatedDim + c];
            }
        }
        double[] gScalars = new double[batch * scalarDim];
        actScalars.doubleBackward(batch, split(batch, x, 0, scalarDim), gradScalars, split(batch, ggX, 0, scalarDim),
                gScalars, null);
        double[] gGates = new double[batch * gateDim];
        double[] gateTangents = new double[batch * gateDim];
        actGates.doubleBackward(batch, gates, gradActivatedGates, ggGates, gGates, gateTangents);
        double[] viaGated = new double[batch * gateDim];
        actGates.backward(batch, gates, gatedCotangent, viaGated);
        for (int i = 0; i < gGates.length; i++) {
            gGates[i] += viaGated[i];
        }
        double[] gGated = new double[batch * gatedDim];
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < gatedDim; c++) {
                gGated[b * gatedDim + c] = gradOut[b * outDim + gatedTargets[c]] * gateTangents[b * gateDim + gateOf[c]];
            }
        }
        merge(batch, gScalars, 0, scalarDim, gX);
        merge(batch, gGates, 1, gateDim, gX);
        merge(batch, gGated, 2, gatedDim, gX);
    }

    /** {@code dOut = [φ'(x_s) dx_s, dy a + y φ'(g) dg]}, the arguments checked. */
    private void tangent(int batch, double[] x, double[] dx, double[] dOut) {
        int scalarDim = actScalars.irrepsIn().dim();
        int gateDim = actGates.irrepsIn().dim();
        int gatedDim = irrepsGated.dim();
        int outDim = irrepsOut.dim();
        double[] gates = split(batch, x, 1, gateDim);
        double[] gated = split(batch, x, 2, gatedDim);
        double[] gatedTangents = split(batch, dx, 2, gatedDim);
        double[] scalarTangents = new double[batch * scalarDim];
        actScalars.jvp(batch, split(batch, x, 0, scalarDim), split(batch, dx, 0, scalarDim), scalarTangents);
        double[] activatedGates = new double[batch * gateDim];
        actGates.forward(batch, gates, activatedGates);
        double[] gateTangents = new double[batch * gateDim];
        actGates.jvp(batch, gates, split(batch, dx, 1, gateDim), gateTangents);
        for (int b = 0; b < batch; b++) {
            System.arraycopy(scalarTangents, b * scalarDim, dOut, b * outDim, scalarDim);
            for (int c = 0; c < gatedDim; c++) {
                int gate = b * gateDim + gateOf[c];
                dOut[b * outDim + gatedTargets[c]] = gatedTangents[b * gatedDim + c] * activatedGates[gate]
                        + gated[b * gatedDim + c] * gateTangents[gate];
            }
        }
    }

    /** Extracts group {@code group} ({@code [batch][groupDim]}, its own {@code mul_ir} layout) from the input. */
    private double[] split(int batch, double[] x, int group, int groupDim) {
        int dim = irrepsIn.dim();
        double[] out = new double[batch * groupDim];
        for (int b = 0; b < batch; b++) {
            for (Run run : groupRuns.get(group)) {
                System.arraycopy(x, b * dim + run.inputOffset(), out, b * groupDim + run.groupOffset(), run.length());
            }
        }
        return out;
    }

    /** Adjoint of {@link #split}: writes group {@code group} back to its place in the input's layout. */
    private void merge(int batch, double[] groupValues, int group, int groupDim, double[] x) {
        int dim = irrepsIn.dim();
        for (int b = 0; b < batch; b++) {
            for (Run run : groupRuns.get(group)) {
                System.arraycopy(groupValues, b * groupDim + run.groupOffset(), x, b * dim + run.inputOffset(),
                        run.length());
            }
        }
    }

    @Override
    public String toString() {
        return "Gate (" + irrepsIn + " -> " + irrepsOut + (channelLast ? ", ir_mul)" : ")");
    }
}
