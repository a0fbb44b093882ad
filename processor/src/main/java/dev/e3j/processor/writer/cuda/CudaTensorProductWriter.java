package dev.e3j.processor.writer.cuda;

import dev.e3j.processor.math.SqrtRational;
import dev.e3j.processor.model.CgConventions;
import dev.e3j.processor.model.CgTerm;
import dev.e3j.processor.model.ConnectionMode;
import dev.e3j.processor.model.PathModel;
import dev.e3j.processor.model.TensorProductModel;
import dev.e3j.processor.plan.PathLayout;
import dev.e3j.processor.plan.PathPlan;
import dev.e3j.processor.plan.TensorProductPlan;
import dev.e3j.processor.writer.ConstantPool;
import dev.e3j.processor.writer.NumberType;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.Irreps.MulIrrep;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToIntFunction;

/**
 * Turns a {@link TensorProductModel} into CUDA C++ source with the same numbers, layouts and weight order as the
 * Java kernel: {@code extern "C"} host functions launching a forward and a backward kernel, for float and double.
 *
 * <p>Schedule (also written into the file): one warp per sample, {@value #WARPS_PER_BLOCK} samples per block. For
 * each path, lane {@code L} owns the channels {@code c = L (mod 32)} of the array being written, so every output
 * element is read-modified-written by one thread only and paths need no synchronization; the owned channel keeps
 * its {@code 2l+1} partial sums in registers over the inner multiplicity loops, around the unrolled CG pattern.
 */
public final class CudaTensorProductWriter {

    static final int WARP_SIZE = 32;
    static final int WARPS_PER_BLOCK = 4;
    /** About one wave of resident 128-thread blocks on an H100 (132 SMs x 16); the kernels stride over the rest. */
    static final int MAX_BLOCKS = 2048;
    /** The block's weight-gradient accumulator lives in shared memory up to this size, else in global memory. */
    static final int SHARED_ACCUMULATOR_BYTES = 32768;

    private final TensorProductModel model;
    private final String spec;
    private final String binaryName;
    private final CudaConstants constants = new CudaConstants("Cg");
    private final List<PathModel> paths = new ArrayList<>();

    /**
     * @param spec       the user's interface, for the header comment
     * @param binaryName the generated Java class's binary name ({@code pkg.Outer_SpecImpl}): names the file
     *                   and prefixes the C functions
     */
    public CudaTensorProductWriter(TensorProductModel model, String spec, String binaryName) {
        this.model = model;
        this.spec = spec;
        this.binaryName = binaryName;
        for (PathPlan path : TensorProductPlan.of(model).paths()) {
            paths.add(path.path());
        }
    }

    /** {@code META-INF/e3j/cuda/<binary name>.cu}, a CLASS_OUTPUT resource. */
    public String resourceName() {
        return CudaFiles.resourceName(binaryName);
    }

    /** Prefix of the exported C functions, e.g. {@code e3j_pkg_Outer_SpecImpl}. */
    public String symbolPrefix() {
        return CudaFiles.symbolPrefix(binaryName);
    }

    /** The whole {@code .cu} file. */
    public String source() {
        CudaCode body = new CudaCode();
        for (PathModel path : paths) {
            writePath(body, path, Direction.FORWARD);
            writePath(body, path, Direction.GRAD_X1);
            writePath(body, path, Direction.GRAD_X2);
            if (path.weighted()) {
                writePath(body, path, Direction.GRAD_WEIGHTS);
            }
        }
        forwardKernel(body);
        backwardKernel(body);
        body.line("}  // namespace").blank();
        hostFunctions(body);

        CudaCode code = new CudaCode();
        header(code);
        CudaFiles.prologue(code);
        code.line("namespace {");
        code.blank().line("constexpr int kWarpSize = " + WARP_SIZE + ";")
                .line("constexpr int kWarpsPerBlock = " + WARPS_PER_BLOCK + ";")
                .line("constexpr int kThreadsPerBlock = kWarpSize * kWarpsPerBlock;")
                .line("constexpr int64_t kMaxBlocks = " + MAX_BLOCKS + ";")
                .line("constexpr int64_t kDimIn1 = " + model.irrepsIn1().dim() + ";")
                .line("constexpr int64_t kDimOut = " + model.irrepsOut().dim() + ";");
        if (!model.square()) {
            code.line("constexpr int64_t kDimIn2 = " + model.irrepsIn2().dim() + ";");
        }
        if (model.weightNumel() > 0) {
            code.line("constexpr int64_t kWeightNumel = " + model.weightNumel() + ";");
        }
        code.blank();
        if (!constants.isEmpty()) {
            code.comment("Path coefficient x Wigner 3j magnitudes, exact in the comments, rounded once per type.");
            constants.declare(code);
            code.blank();
        }
        code.open("unsigned blocksFor(int64_t batch)")
                .line("const int64_t groups = (batch + kWarpsPerBlock - 1) / kWarpsPerBlock;")
                .line("return static_cast<unsigned>(groups < kMaxBlocks ? groups : kMaxBlocks);")
                .close().blank();
        return code + body.toString();
    }

    private void header(CudaCode code) {
        String prefix = symbolPrefix();
        StringBuilder text = new StringBuilder();
        text.append(binaryName).append(".cu: generated by dev.e3j.processor.E3jProcessor from ").append(spec)
                .append(". Do not edit.\n\n");
        text.append("e3nn 0.5.4 tensor product ").append(model.irrepsIn1()).append(" (x) ")
                .append(model.square() ? model.irrepsIn1() : model.irrepsIn2()).append(" -> ")
                .append(model.irrepsOut()).append(" (").append(model.kind()).append("),\nirrep normalization ")
                .append(model.irrepNormalization()).append(", path normalization ").append(model.pathNormalization())
                .append(", ").append(model.weightNumel()).append(" weights")
                .append(model.weightNumel() == 0 ? "" : model.sharedWeights() ? " shared by the batch" : " per sample")
                .append(model.square() ? "; a tensor square: x2 is x1" : "")
                .append(CgConventions.suffix(model.cgConvention())).append(".\n");
        text.append("Paths, out_k += coefficient * sum_ij w3j[i][j][k] x1_i x2_j (times the weight):\n");
        for (PathModel path : model.paths()) {
            text.append("  ").append(path.describe()).append(": coefficient ").append(path.coefficient())
                    .append(", ").append(path.terms().size()).append(" CG terms")
                    .append(path.weighted() ? ", weights from " + path.weightOffset() : "")
                    .append(path.isVacuous() ? " (contributes nothing: skipped)" : "").append('\n');
        }
        text.append("""

                Layouts, row-major, e3nn's mul_ir order: x1 [batch][%d], x2 [batch][%d], out [batch][%d],
                weights [%s][%d] in instruction order (uvw: [mul1][mul2][mul_out] per path, uvu: [mul1][mul2], ...).

                Schedule: one warp per sample, %d samples (warps) per %d-thread block, at most %d blocks striding
                over the batch. For each path, lane L owns the channels c = L (mod 32) of the array being written
                (forward and weight gradient: the output channel w, u or (u, v); grad_x1: u; grad_x2: v) and keeps
                that channel's 2l+1 partial sums in registers over the remaining multiplicity loops, around the
                unrolled Clebsch-Gordan pattern. Every element is read-modified-written by one thread only, so the
                paths run one after another without synchronization. The inputs of a (u, v) pair are read by all
                lanes at one address (a broadcast); weights are read at consecutive addresses across lanes (the
                owned channel is their fastest index) for uvw and for uvu with mul2 = 1.
                No shared memory on the hot loops, hence no bank conflicts. Atomics only where a reduction needs
                them: with shared weights, the weight gradient sums over the batch; each warp adds its samples to
                the block's accumulator (shared memory when it holds %d bytes or less, else global memory) with
                atomicAdd, and each block adds its totals to grad_weights once.

                C API: device pointers, batch >= 0, stream 0 for the default stream; returns the cudaError_t of the
                launch (0 on success). Build: nvcc -shared -Xcompiler -fPIC -o libkernel.so %s.cu.
                  int %s_forward_f32(const float* x1, const float* x2, const float* weights, float* out,
                      int64_t batch, cudaStream_t stream);
                  int %s_backward_f32(const float* x1, const float* x2, const float* weights,
                      const float* grad_out, float* grad_x1, float* grad_x2, float* grad_weights,
                      int64_t batch, cudaStream_t stream);
                  and the same with _f64 and double.
                forward overwrites out. backward overwrites each non-null gradient (null ones are skipped) with
                the gradient of sum(out * grad_out). %s
                """.formatted(model.irrepsIn1().dim(), model.irrepsIn2().dim(), model.irrepsOut().dim(),
                model.sharedWeights() ? "1" : "batch", model.weightNumel(), WARPS_PER_BLOCK,
                WARPS_PER_BLOCK * WARP_SIZE, MAX_BLOCKS, SHARED_ACCUMULATOR_BYTES, binaryName, prefix, prefix,
                notes()));
        code.comment(text.toString().stripTrailing());
    }

    private String notes() {
        List<String> notes = new ArrayList<>();
        if (model.square()) {
            notes.add("x2 and grad_x2 are ignored (pass x1 and null): grad_x1 receives the total gradient.");
        }
        if (model.weightNumel() == 0) {
            notes.add("There are no weights: weights and grad_weights are ignored.");
        }
        notes.add("Outputs must not alias inputs.");
        return String.join("\n", notes);
    }

    /** What a path function computes, and which channel each lane owns. */
    private enum Direction {
        FORWARD("forward"), GRAD_X1("gradX1"), GRAD_X2("gradX2"), GRAD_WEIGHTS("gradWeights");

        private final String suffix;

        Direction(String suffix) {
            this.suffix = suffix;
        }
    }

    private static String functionName(PathModel path, Direction direction) {
        return "path" + path.index() + "_" + direction.suffix;
    }

    private void writePath(CudaCode code, PathModel path, Direction direction) {
        PathGeometry g = new PathGeometry(PathPlan.of(path, TensorProductPlan.layout(model, path)));
        String weights = path.weighted() ? "const T* __restrict__ weights, " : "";
        String parameters = switch (direction) {
            case FORWARD -> "const T* __restrict__ x1, const T* __restrict__ x2, " + weights + "T* __restrict__ out";
            case GRAD_X1 -> "const T* __restrict__ x2, " + weights + "const T* __restrict__ grad_out, "
                    + "T* __restrict__ grad_x1";
            case GRAD_X2 -> "const T* __restrict__ x1, " + weights + "const T* __restrict__ grad_out, "
                    + "T* __restrict__ grad_x2";
            case GRAD_WEIGHTS -> "const T* __restrict__ x1, const T* __restrict__ x2, "
                    + "const T* __restrict__ grad_out, T* grad_weights";
        };
        code.comment(path.describe() + ": " + switch (direction) {
            case FORWARD -> "out += coefficient * W x1 (x) x2";
            case GRAD_X1 -> "grad_x1 += d<grad_out, out>/dx1";
            case GRAD_X2 -> "grad_x2 += d<grad_out, out>/dx2";
            case GRAD_WEIGHTS -> "the weight gradient of one sample, "
                    + (model.sharedWeights() ? "added atomically (shared weights)" : "stored");
        });
        code.line("template <typename T>")
                .open("__device__ __forceinline__ void " + functionName(path, direction) + "(" + parameters
                        + ", int lane)");
        switch (direction) {
            case FORWARD, GRAD_WEIGHTS -> ownOutputChannel(code, g, direction);
            case GRAD_X1 -> ownInputChannel(code, g, true);
            case GRAD_X2 -> ownInputChannel(code, g, false);
        }
        code.close().blank();
    }

    /** Forward and weight gradient: lane owns output channel {@code o}; sums over the (u, v) pairs feeding it. */
    private void ownOutputChannel(CudaCode code, PathGeometry g, Direction direction) {
        ConnectionMode mode = g.mode;
        String owned = switch (mode) {
            case UVW, UUW, U_LT_VW -> "w";
            case UVU, UUU -> "u";
            case UVV -> "v";
            case UVUV, UVU_LT_V -> "p";
        };
        int count = switch (mode) {
            case UVW, UUW, U_LT_VW -> g.layout.mulOut();
            case UVU, UUU -> g.layout.mul1();
            case UVV -> g.layout.mul2();
            case UVUV, UVU_LT_V -> mode.pairs(g.layout.mul1(), g.layout.mul2());
        };
        List<Integer> ks = distinct(g.path.terms(), CgTerm::k);
        code.open("for (int " + owned + " = lane; " + owned + " < " + count + "; " + owned + " += kWarpSize)");
        int opened = 1;
        if (direction == Direction.FORWARD) {
            ks.forEach(k -> code.line("T acc" + k + " = T(0);"));
        } else {
            ks.forEach(k -> code.line("const T go" + k + " = grad_out[" + g.outIndex(owned, k) + "];"));
        }
        // Each input is read once its channel is known: x1[u] outside the v loop, x2[v] inside.
        List<CgTerm> terms = g.path.terms();
        switch (mode) {
            case UVW, UUW, U_LT_VW -> {
                opened += channelLoop(code, "u", g.layout.mul1());
                loadInputs(code, g, terms, true, false);
                opened += innerV(code, g);
                loadInputs(code, g, terms, false, true);
            }
            case UVU -> {
                loadInputs(code, g, terms, true, false);
                opened += channelLoop(code, "v", g.layout.mul2());
                loadInputs(code, g, terms, false, true);
            }
            case UUU -> {
                code.line("const int v = u;");
                loadInputs(code, g, terms, true, true);
            }
            case UVV -> {
                loadInputs(code, g, terms, false, true);
                opened += channelLoop(code, "u", g.layout.mul1());
                loadInputs(code, g, terms, true, false);
            }
            case UVUV -> {
                code.line("const int u = p / " + g.layout.mul2() + ";").line("const int v = p % " + g.layout.mul2() + ";");
                loadInputs(code, g, terms, true, true);
            }
            case UVU_LT_V -> {
                code.comment("(u, v) of the p-th pair u < v, pairs in row-major order")
                        .line("int u = 0;")
                        .line("int rest = p;")
                        .open("while (rest >= " + (g.layout.mul1() - 1) + " - u)")
                        .line("rest -= " + (g.layout.mul1() - 1) + " - u;")
                        .line("++u;")
                        .close()
                        .line("const int v = u + 1 + rest;");
                loadInputs(code, g, terms, true, true);
            }
        }
        contractions(code, g.path.terms());
        String weightIndex = g.weightIndex();
        if (direction == Direction.FORWARD) {
            String factor = "";
            if (g.path.weighted()) {
                code.line("const T weight = weights[" + weightIndex + "];");
                factor = "weight * ";
            }
            for (int k : ks) {
                code.line("acc" + k + " += " + factor + "t" + k + ";");
            }
        } else {
            List<String> products = ks.stream().map(k -> "go" + k + " * t" + k).toList();
            String value = String.join(" + ", products);
            code.line(model.sharedWeights() ? "atomicAdd(&grad_weights[" + weightIndex + "], " + value + ");"
                    : "grad_weights[" + weightIndex + "] = " + value + ";");
        }
        for (; opened > 1; opened--) {
            code.close();
        }
        if (direction == Direction.FORWARD) {
            ks.forEach(k -> code.line("out[" + g.outIndex(owned, k) + "] += acc" + k + ";"));
        }
        code.close();
    }

    /** The v loop inside a u loop for modes mixing channels; returns the number of blocks it opened. */
    private static int innerV(CudaCode code, PathGeometry g) {
        if (g.mode.diagonal()) {
            code.line("const int v = u;");
            return 0;
        }
        if (g.mode.strictlyUpper()) {
            code.open("for (int v = u + 1; v < " + g.layout.mul2() + "; ++v)");
            return 1;
        }
        return channelLoop(code, "v", g.layout.mul2());
    }

    /**
     * {@code for (int variable = 0; variable < count; ++variable)}, or {@code const int variable = 0;} when it would
     * run once; returns the number of blocks it opened (1 or 0).
     */
    private static int channelLoop(CudaCode code, String variable, int count) {
        if (count == 1) {
            code.line("const int " + variable + " = 0;");
            return 0;
        }
        code.open("for (int " + variable + " = 0; " + variable + " < " + count + "; ++" + variable + ")");
        return 1;
    }

    /**
     * Gradient with respect to an input: the lane owns channel u of x1 ({@code first}) or v of x2, contracts the
     * weights with grad_out first, {@code g_k = sum_w W[uv w] grad_out[w]_k}, then
     * {@code acc_i += sum_jk C_ijk x2[v]_j g_k}.
     */
    private void ownInputChannel(CudaCode code, PathGeometry g, boolean first) {
        ConnectionMode mode = g.mode;
        String owned = first ? "u" : "v";
        String other = first ? "v" : "u";
        ToIntFunction<CgTerm> target = first ? CgTerm::i : CgTerm::j;
        List<CgTerm> terms = g.path.terms();
        List<Integer> targets = distinct(terms, target);
        code.open("for (int " + owned + " = lane; " + owned + " < " + (first ? g.layout.mul1() : g.layout.mul2()) + "; " + owned
                + " += kWarpSize)");
        targets.forEach(n -> code.line("T acc" + n + " = T(0);"));
        int opened = 0;
        if (mode.diagonal()) {
            code.line("const int " + other + " = " + owned + ";");
        } else if (mode.strictlyUpper()) {
            code.open(first ? "for (int v = u + 1; v < " + g.layout.mul2() + "; ++v)" : "for (int u = 0; u < v; ++u)");
            opened = 1;
        } else {
            opened = channelLoop(code, other, first ? g.layout.mul2() : g.layout.mul1());
        }
        loadInputs(code, g, terms, !first, first);
        List<Integer> ks = distinct(terms, CgTerm::k);
        if (mode.mixesChannels()) {
            ks.forEach(k -> code.line("T g" + k + " = T(0);"));
            int wLoop = channelLoop(code, "w", g.layout.mulOut());
            String factor = "";
            if (g.path.weighted()) {
                code.line("const T weight = weights[" + g.weightIndex() + "];");
                factor = "weight * ";
            }
            for (int k : ks) {
                code.line("g" + k + " += " + factor + "grad_out[" + g.outIndex("w", k) + "];");
            }
            if (wLoop > 0) {
                code.close();
            }
        } else {
            String factor = "";
            if (g.path.weighted()) {
                code.line("const T weight = weights[" + g.weightIndex() + "];");
                factor = "weight * ";
            }
            for (int k : ks) {
                code.line("const T g" + k + " = " + factor + "grad_out[" + g.outIndex(g.outputChannel(), k) + "];");
            }
        }
        Map<Integer, List<Product>> byTarget = new TreeMap<>();
        for (CgTerm term : terms) {
            byTarget.computeIfAbsent(target.applyAsInt(term), n -> new ArrayList<>())
                    .add(new Product(term.constant(), first ? "b" + term.j() : "a" + term.i(), "g" + term.k()));
        }
        byTarget.forEach((n, products) -> code.line("acc" + n + " += " + sum(products) + ";"));
        if (opened > 0) {
            code.close();
        }
        String array = first ? "grad_x1" : "grad_x2";
        for (int n : targets) {
            code.line(array + "[" + (first ? g.in1Index("u", n) : g.in2Index("v", n)) + "] += acc" + n + ";");
        }
        code.close();
    }

    private static void loadInputs(CudaCode code, PathGeometry g, List<CgTerm> terms, boolean a, boolean b) {
        if (a) {
            distinct(terms, CgTerm::i).forEach(i -> code.line("const T a" + i + " = x1[" + g.in1Index("u", i) + "];"));
        }
        if (b) {
            distinct(terms, CgTerm::j).forEach(j -> code.line("const T b" + j + " = x2[" + g.in2Index("v", j) + "];"));
        }
    }

    /** {@code t_k = sum_ij C_ijk a_i b_j}. */
    private void contractions(CudaCode code, List<CgTerm> terms) {
        Map<Integer, List<Product>> byK = new TreeMap<>();
        for (CgTerm term : terms) {
            byK.computeIfAbsent(term.k(), k -> new ArrayList<>())
                    .add(new Product(term.constant(), "a" + term.i(), "b" + term.j()));
        }
        byK.forEach((k, products) -> code.line("const T t" + k + " = " + sum(products) + ";"));
    }

    private static List<Integer> distinct(List<CgTerm> terms, ToIntFunction<CgTerm> index) {
        return terms.stream().map(index::applyAsInt).distinct().sorted().toList();
    }

    /** One product {@code left * right} with an exact factor. */
    private record Product(SqrtRational constant, String left, String right) {
    }

    /**
     * {@code C0 * (a0 * b1 - a1 * b0) + C1 * a2 * b2}: products grouped by the magnitude of their constant so that
     * each distinct constant multiplies once; a magnitude of exactly 1 is left out.
     */
    private String sum(List<Product> products) {
        Map<String, List<Product>> groups = new java.util.LinkedHashMap<>();
        for (Product product : products) {
            String key = ConstantPool.isOne(product.constant()) ? "" : constants.reference(product.constant());
            groups.computeIfAbsent(key, s -> new ArrayList<>()).add(product);
        }
        StringBuilder expression = new StringBuilder();
        for (Map.Entry<String, List<Product>> group : groups.entrySet()) {
            List<Product> members = group.getValue();
            boolean allNegative = members.stream().allMatch(p -> p.constant().signum() < 0);
            StringBuilder inner = new StringBuilder();
            for (Product product : members) {
                boolean negative = (product.constant().signum() < 0) != allNegative;
                if (inner.length() > 0) {
                    inner.append(negative ? " - " : " + ");
                } else if (negative) {
                    inner.append('-');
                }
                inner.append(product.left()).append(" * ").append(product.right());
            }
            String term;
            if (group.getKey().isEmpty()) {
                term = members.size() == 1 || expression.length() == 0 && !allNegative ? inner.toString()
                        : "(" + inner + ")";
            } else {
                term = group.getKey() + " * " + (members.size() == 1 ? inner : "(" + inner + ")");
            }
            if (expression.length() > 0) {
                expression.append(allNegative ? " - " : " + ");
            } else if (allNegative) {
                expression.append('-');
            }
            expression.append(term);
        }
        return expression.toString();
    }

    private void forwardKernel(CudaCode code) {
        code.line("template <typename T>")
                .open("__global__ void __launch_bounds__(kThreadsPerBlock) forwardKernel(const T* __restrict__ x1, "
                        + "const T* __restrict__ x2, const T* __restrict__ weights, T* __restrict__ out, "
                        + "int64_t batch)");
        if (model.weightNumel() == 0) {
            code.line("(void) weights;");
        }
        if (model.square()) {
            code.line("(void) x2;");
        }
        code.line("const int lane = threadIdx.x % kWarpSize;")
                .line("const int64_t stride = static_cast<int64_t>(gridDim.x) * kWarpsPerBlock;")
                .open("for (int64_t b = static_cast<int64_t>(blockIdx.x) * kWarpsPerBlock + threadIdx.x / "
                        + "kWarpSize; b < batch; b += stride)");
        code.line("T* sampleOut = out + b * kDimOut;");
        zeroOwned(code, "sampleOut", model.irrepsOut());
        for (PathModel path : paths) {
            code.line(functionName(path, Direction.FORWARD) + "<T>(" + sampleX1() + ", " + sampleX2() + ", "
                    + sampleWeights(path) + "sampleOut, lane);");
        }
        code.close().close().blank();
    }

    /** Arguments of the path functions for sample {@code b}: pointers to its rows. */
    private String sampleX1() {
        return "x1 + b * kDimIn1";
    }

    private String sampleX2() {
        return model.square() ? sampleX1() : "x2 + b * kDimIn2";
    }

    private String sampleWeights(PathModel path) {
        return !path.weighted() ? "" : model.sharedWeights() ? "weights, " : "weights + b * kWeightNumel, ";
    }

    /** Zeroes the channels of every entry that this lane owns, as the path functions will own them. */
    private static void zeroOwned(CudaCode code, String array, Irreps irreps) {
        int offset = 0;
        for (MulIrrep entry : irreps) {
            int dim = entry.ir().dim();
            String base = offset == 0 ? "" : offset + " + ";
            if (entry.mul() > 0 && dim == 1) {
                code.open("for (int c = lane; c < " + entry.mul() + "; c += kWarpSize)")
                        .line(array + "[" + base + "c] = T(0);")
                        .close();
            } else if (entry.mul() > 0) {
                code.open("for (int c = lane; c < " + entry.mul() + "; c += kWarpSize)")
                        .open("for (int m = 0; m < " + dim + "; ++m)")
                        .line(array + "[" + base + "c * " + dim + " + m] = T(0);")
                        .close().close();
            }
            offset += entry.mul() * dim;
        }
    }

    private void backwardKernel(CudaCode code) {
        boolean weighted = model.weightNumel() > 0;
        boolean reduction = weighted && model.sharedWeights();
        code.line("template <typename T>")
                .open("__global__ void __launch_bounds__(kThreadsPerBlock) backwardKernel(const T* __restrict__ x1, "
                        + "const T* __restrict__ x2, const T* __restrict__ weights, const T* __restrict__ grad_out, "
                        + "T* __restrict__ grad_x1, T* __restrict__ grad_x2, T* __restrict__ grad_weights, "
                        + "int64_t batch)");
        if (model.square()) {
            code.line("(void) x2;").line("(void) grad_x2;");
        }
        if (!weighted) {
            code.line("(void) weights;").line("(void) grad_weights;");
        }
        if (reduction) {
            code.comment("Shared weights: the gradient sums over the batch, into this block's accumulator first.")
                    .line("constexpr bool kSharedAccumulator = kWeightNumel * sizeof(T) <= "
                            + SHARED_ACCUMULATOR_BYTES + ";")
                    .line("__shared__ T blockGradWeights[kSharedAccumulator ? kWeightNumel : 1];")
                    .line("T* accumulator = kSharedAccumulator ? blockGradWeights : grad_weights;")
                    .open("if (kSharedAccumulator && grad_weights != nullptr)")
                    .open("for (int64_t n = threadIdx.x; n < kWeightNumel; n += blockDim.x)")
                    .line("blockGradWeights[n] = T(0);")
                    .close().close()
                    .line("__syncthreads();");
        }
        code.line("const int lane = threadIdx.x % kWarpSize;")
                .line("const int64_t stride = static_cast<int64_t>(gridDim.x) * kWarpsPerBlock;")
                .open("for (int64_t b = static_cast<int64_t>(blockIdx.x) * kWarpsPerBlock + threadIdx.x / "
                        + "kWarpSize; b < batch; b += stride)");
        code.open("if (grad_x1 != nullptr)").line("T* sampleGradX1 = grad_x1 + b * kDimIn1;");
        zeroOwned(code, "sampleGradX1", model.irrepsIn1());
        if (model.square()) {
            code.comment("d/dx tp(x, x): both input gradients at x2 = x1, into grad_x1. Entry e, channel c is\n"
                    + "owned by lane c mod 32 in both, so no two lanes write one element.");
        }
        for (PathModel path : paths) {
            code.line(functionName(path, Direction.GRAD_X1) + "<T>(" + sampleX2() + ", " + sampleWeights(path)
                    + "grad_out + b * kDimOut, sampleGradX1, lane);");
        }
        if (model.square()) {
            for (PathModel path : paths) {
                code.line(functionName(path, Direction.GRAD_X2) + "<T>(" + sampleX1() + ", " + sampleWeights(path)
                        + "grad_out + b * kDimOut, sampleGradX1, lane);");
            }
        }
        code.close();
        if (!model.square()) {
            code.open("if (grad_x2 != nullptr)").line("T* sampleGradX2 = grad_x2 + b * kDimIn2;");
            zeroOwned(code, "sampleGradX2", model.irrepsIn2());
            for (PathModel path : paths) {
                code.line(functionName(path, Direction.GRAD_X2) + "<T>(" + sampleX1() + ", " + sampleWeights(path)
                        + "grad_out + b * kDimOut, sampleGradX2, lane);");
            }
            code.close();
        }
        if (weighted) {
            code.open("if (grad_weights != nullptr)");
            String target = reduction ? "accumulator" : "sampleGradWeights";
            if (!reduction) {
                code.line("T* sampleGradWeights = grad_weights + b * kWeightNumel;");
                for (PathModel path : model.paths()) {
                    if (path.weighted() && path.isVacuous() && path.weightCount() > 0) {
                        code.comment(path.name() + " contributes nothing: its weights have a zero gradient")
                                .open("for (int n = lane; n < " + path.weightCount() + "; n += kWarpSize)")
                                .line("sampleGradWeights[" + path.weightOffset() + " + n] = T(0);")
                                .close();
                    }
                }
            }
            for (PathModel path : paths) {
                if (path.weighted()) {
                    code.line(functionName(path, Direction.GRAD_WEIGHTS) + "<T>(" + sampleX1() + ", " + sampleX2()
                            + ", grad_out + b * kDimOut, " + target + ", lane);");
                }
            }
            code.close();
        }
        code.close();
        if (reduction) {
            code.line("__syncthreads();")
                    .open("if (kSharedAccumulator && grad_weights != nullptr)")
                    .open("for (int64_t n = threadIdx.x; n < kWeightNumel; n += blockDim.x)")
                    .line("atomicAdd(&grad_weights[n], blockGradWeights[n]);")
                    .close().close();
        }
        code.close().blank();
    }

    private void hostFunctions(CudaCode code) {
        String prefix = symbolPrefix();
        for (NumberType number : NumberType.CUDA_ORDER) {
            String t = number.cType();
            code.open("extern \"C\" int " + prefix + "_forward_" + number.shortName() + "(const " + t + "* x1, const " + t
                            + "* x2, const " + t + "* weights, " + t + "* out, int64_t batch, cudaStream_t stream)")
                    .open("if (batch < 0)").line("return static_cast<int>(cudaErrorInvalidValue);").close()
                    .open("if (batch == 0)").line("return static_cast<int>(cudaSuccess);").close()
                    .line("E3J_LAUNCH(forwardKernel<" + t + ">, dim3(blocksFor(batch)), dim3(kThreadsPerBlock), "
                            + "stream, x1, x2, weights, out, batch);")
                    .line("return static_cast<int>(cudaGetLastError());")
                    .close().blank();
            code.open("extern \"C\" int " + prefix + "_backward_" + number.shortName() + "(const " + t + "* x1, const "
                            + t + "* x2, const " + t + "* weights, const " + t + "* grad_out, " + t + "* grad_x1, " + t
                            + "* grad_x2, " + t + "* grad_weights, int64_t batch, cudaStream_t stream)")
                    .open("if (batch < 0)").line("return static_cast<int>(cudaErrorInvalidValue);").close();
            if (model.weightNumel() > 0 && model.sharedWeights()) {
                code.comment("The kernel adds every sample's share: start from zero (also the gradient of no sample).")
                        .open("if (grad_weights != nullptr)")
                        .line("const cudaError_t cleared = cudaMemsetAsync(grad_weights, 0, kWeightNumel * sizeof("
                                + t + "), stream);")
                        .open("if (cleared != cudaSuccess)").line("return static_cast<int>(cleared);").close()
                        .close();
            }
            code.open("if (batch == 0)").line("return static_cast<int>(cudaSuccess);").close()
                    .line("E3J_LAUNCH(backwardKernel<" + t + ">, dim3(blocksFor(batch)), dim3(kThreadsPerBlock), "
                            + "stream, x1, x2, weights, grad_out, grad_x1, grad_x2, grad_weights, batch);")
                    .line("return static_cast<int>(cudaGetLastError());")
                    .close().blank();
        }
    }

    /** Offsets, multiplicities and index expressions of one path in the three layouts. */
    private static final class PathGeometry {
        final PathPlan plan;
        final PathModel path;
        final ConnectionMode mode;
        final PathLayout layout;

        PathGeometry(PathPlan plan) {
            this.plan = plan;
            this.path = plan.path();
            this.mode = path.mode();
            this.layout = plan.layout();
        }

        String in1Index(String channel, int component) {
            return index(layout.offset1(), channel, layout.dim1(), component);
        }

        String in2Index(String channel, int component) {
            return index(layout.offset2(), channel, layout.dim2(), component);
        }

        String outIndex(String channel, int component) {
            return index(layout.offsetOut(), channel, layout.dimOut(), component);
        }

        /** Index of {@code (u, v)} among the pairs the mode visits, row-major. */
        String pairIndex() {
            return plan.pairIndex("u", "v");
        }

        /** The flat weight index for the current (u, v) (and w, when the mode mixes channels). */
        String weightIndex() {
            String base = path.weightOffset() == 0 ? "" : path.weightOffset() + " + ";
            if (mode.mixesChannels()) {
                return base + (layout.mulOut() == 1 ? pairIndex() : grouped(pairIndex()) + " * " + layout.mulOut() + " + w");
            }
            return base + grouped(pairIndex());
        }

        /** The output channel of a mode that does not mix channels. */
        String outputChannel() {
            return switch (mode) {
                case UVU, UUU -> "u";
                case UVV -> "v";
                case UVUV, UVU_LT_V -> grouped(pairIndex());
                case UVW, UUW, U_LT_VW -> throw new IllegalStateException(mode + " mixes channels");
            };
        }

        /** {@code expression} as one operand: parenthesized unless it is a single name. */
        private static String grouped(String expression) {
            return expression.contains(" ") ? "(" + expression + ")" : expression;
        }

        private static String index(int offset, String channel, int dim, int component) {
            String base = offset == 0 ? "" : offset + " + ";
            String scaled = dim == 1 ? channel : channel + " * " + dim;
            return base + scaled + (component == 0 ? "" : " + " + component);
        }
    }
}
