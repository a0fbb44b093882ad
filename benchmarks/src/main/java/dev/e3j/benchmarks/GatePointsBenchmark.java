package dev.e3j.benchmarks;

import dev.e3j.annotations.GatePointsNetwork;
import dev.e3j.annotations.Layout;
import dev.e3j.annotations.Precision;
import dev.e3j.runtime.io.StateDict;
import dev.e3j.runtime.model.PointsModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A whole e3nn {@code gate_points_2101.Network} (the configuration and trained weights of
 * {@code reference/models/gate_points-public}) on the batch that {@code tools/bench_e3nn_gate_points.py} times e3nn
 * on: 40 graphs of 25 nodes, positions drawn by {@code new Random(18)} uniformly in {@code [0, 5.7)^3}. Forward, and
 * forward plus d(sum of outputs)/d positions; e3nn's numbers use two threads, the generated kernels split the batch
 * over the machine's cores. {@code f32} runs the float methods of {@code precision = FLOAT}, which compute in float.
 * {@code layout} picks the network's hidden-feature layout: e3nn's {@code MUL_IR} or channel-last {@code IR_MUL}
 * (same weights, same inputs and outputs).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 10, time = 2)
@Measurement(iterations = 5, time = 1)
public class GatePointsBenchmark {

    /** e3nn's public gate-points configuration. */
    @GatePointsNetwork(irrepsHidden = "8x0e+8x0o+4x1e+4x1o+2x2e+2x2o", irrepsOut = "1x0e+1x1o",
            irrepsEdgeAttr = "1x0e+1x1o+1x2e", layers = 2, maxRadius = 2.5, numberOfBasis = 10, radialLayers = 1,
            radialNeurons = 16, numNeighbors = 5.12, numNodes = 8.333333333333334, precision = Precision.FLOAT)
    public interface PublicNetwork extends PointsModel {
    }

    /** {@link PublicNetwork} with channel-last hidden features. */
    @GatePointsNetwork(irrepsHidden = "8x0e+8x0o+4x1e+4x1o+2x2e+2x2o", irrepsOut = "1x0e+1x1o",
            irrepsEdgeAttr = "1x0e+1x1o+1x2e", layers = 2, maxRadius = 2.5, numberOfBasis = 10, radialLayers = 1,
            radialNeurons = 16, numNeighbors = 5.12, numNodes = 8.333333333333334, precision = Precision.FLOAT,
            layout = Layout.IR_MUL)
    public interface PublicNetworkIrMul extends PointsModel {
    }

    static final int GRAPHS = 40;
    static final int NODES_PER_GRAPH = 25;
    static final double BOX = 5.7;
    static final long SEED = 18;

    @Param({"f64", "f32"})
    public String precision;

    @Param({"forward", "backward"})
    public String pass;

    @Param({"MUL_IR"})
    public String layout;

    private PointsModel model;
    private int numNodes;
    private int[] batch;
    private double[] pos;
    private float[] posFloat;
    private double[] gradOut;
    private float[] gradOutFloat;

    @Setup
    public void setUp() throws IOException {
        StateDict stateDict = StateDict.read(publicStateDict());
        model = switch (Layout.valueOf(layout)) {
            case MUL_IR -> new GatePointsBenchmark_PublicNetworkImpl(stateDict);
            case IR_MUL -> new GatePointsBenchmark_PublicNetworkIrMulImpl(stateDict);
        };
        numNodes = GRAPHS * NODES_PER_GRAPH;
        batch = new int[numNodes];
        pos = new double[3 * numNodes];
        Random random = new Random(SEED);
        for (int n = 0; n < numNodes; n++) {
            batch[n] = n / NODES_PER_GRAPH;
            for (int c = 0; c < 3; c++) {
                pos[3 * n + c] = BOX * random.nextDouble();
            }
        }
        posFloat = new float[pos.length];
        for (int i = 0; i < pos.length; i++) {
            posFloat[i] = (float) pos[i];
        }
        gradOut = new double[GRAPHS * model.irrepsOut().dim()];
        Arrays.fill(gradOut, 1.0);
        gradOutFloat = new float[gradOut.length];
        Arrays.fill(gradOutFloat, 1.0f);
    }

    /** {@code reference/models/gate_points-public/state_dict.safetensors}, found from the working directory up. */
    static Path publicStateDict() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path file = dir.resolve("reference/models/gate_points-public/state_dict.safetensors");
            if (Files.isRegularFile(file)) {
                return file;
            }
        }
        throw new UncheckedIOException(new IOException("reference/models/gate_points-public/state_dict.safetensors"
                + " not found from " + Path.of("").toAbsolutePath() + "; run from the e3j checkout"));
    }

    @Benchmark
    public Object batch() {
        boolean f64 = precision.equals("f64");
        if (pass.equals("forward")) {
            return f64 ? model.forward(numNodes, pos, batch, null, null)
                    : model.forward(numNodes, posFloat, batch, null, null);
        }
        if (f64) {
            double[] gradPos = new double[pos.length];
            model.backward(numNodes, pos, batch, null, null, gradOut, gradPos, null, null);
            return gradPos;
        }
        float[] gradPos = new float[pos.length];
        model.backward(numNodes, posFloat, batch, null, null, gradOutFloat, gradPos, null, null);
        return gradPos;
    }
}
