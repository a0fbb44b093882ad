package dev.e3j.processor.writer;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.e3j.processor.model.LinearModel;
import dev.e3j.processor.model.LinearModel.Bias;
import dev.e3j.processor.model.LinearModel.Path;
import dev.e3j.processor.plan.LinearPlan;
import dev.e3j.processor.plan.LinearPlan.Shape;
import dev.e3j.runtime.BatchBlocks;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.Irreps.MulIrrep;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import javax.lang.model.element.Modifier;

/**
 * Turns a {@link LinearModel} into the source of a {@code LinearKernel}, with the path coefficients
 * {@code sqrt(alpha)} as constants rounded once.
 *
 * <p>The batch runs in fixed parallel blocks ({@link BatchBlocks}). Per call the weights are copied once into rows
 * scaled by their path's coefficient: {@code [u][w]} for the forward, {@code [w][u]} for the input gradient. Per
 * sample, each path adds into channel-last rows of the result, {@code outT[component][w] += W[u][w] x[u][i]}, four
 * input channels per loop over the output channels. Every array in those loops sits at offset 0 and each loop stores
 * one row, which is what JDK 17's superword vectorizes. The rows then go out in e3nn's layout, or, with channel-last
 * features ({@code IR_MUL}), whose rows are runs of the feature arrays, are copied out whole by
 * {@code System.arraycopy}; the gradient rows come in the same way.
 *
 * <p>The weight gradient sums {@code x[u][i] gradOutT[i][w]} into per-block arrays. These are added in block order,
 * so the result depends on the batch alone. A MACE-sized map ({@code 128x0e+128x1o+128x2e} both ways, batch 2000)
 * took 266 ms forward and 305 ms backward with plain loops, and takes 16 and 31–35 ms now.
 *
 * <p>With per-sample weights ({@code sharedWeights = false}) each block allocates the rows once and loads every
 * sample's scaled weights into them before its paths run; the weight gradient of each sample is scaled into its own
 * row of {@code gradWeights} and the sums cleared for the next. {@code f_in}/{@code f_out} need nothing here: the
 * model repeats the entries and paths per feature and places their weights.
 */
public final class LinearWriter {

    /** Weight gradients sum over at most this many blocks (deterministic partial sums, as for tensor products). */
    static final int MAX_PARTIAL_SUMS = 16;
    private final LinearModel model;
    private final LinearPlan plan;
    private final int dimIn;
    private final int dimOut;
    private final KernelChecks checks;
    /** The per-path helper methods of the class being written, in the order the plan's paths are written. */
    private final List<MethodSpec> helpers = new ArrayList<>();

    private LinearWriter(LinearModel model, ClassName impl) {
        this.model = model;
        this.plan = LinearPlan.of(model);
        this.checks = new KernelChecks(impl, "batch");
        this.dimIn = model.irrepsIn().dim();
        this.dimOut = model.irrepsOut().dim();
    }

    /** The class {@code impl} implementing the user's interface {@code spec}. */
    public static TypeSpec write(LinearModel model, ClassName spec, ClassName impl) {
        return new LinearWriter(model, impl).type(spec, impl);
    }

    private TypeSpec type(ClassName spec, ClassName impl) {
        TypeSpec.Builder type = TypeSpec.classBuilder(impl)
                .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addSuperinterface(spec)
                .addJavadoc(javadoc(spec))
                .addField(KernelSurface.irrepsField("IRREPS_IN", model.irrepsIn()))
                .addField(KernelSurface.irrepsField("IRREPS_OUT", model.irrepsOut()));
        List<NumberType> arithmetics = NumberType.of(model.precision());
        for (NumberType arithmetic : arithmetics) {
            for (int p = 0; p < model.paths().size(); p++) {
                type.addField(coefficientField(p, arithmetic));
            }
        }
        // Explicit, so that -Xlint:all does not warn about a default constructor in a module's exported package.
        type.addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC).build());
        type.addMethod(KernelSurface.getter("irrepsIn", Irreps.class, "IRREPS_IN"))
                .addMethod(KernelSurface.getter("irrepsOut", Irreps.class, "IRREPS_OUT"))
                .addMethod(KernelSurface.getter("weightNumel", int.class,
                        Integer.toString(model.weightNumel())))
                .addMethod(KernelSurface.getter("biasNumel", int.class, Integer.toString(model.biasNumel())));
        if (!model.sharedWeights()) {
            type.addMethod(KernelSurface.getter("sharedWeights", boolean.class, "false"));
        }
        type.addField(FieldSpec.builder(int.class, "BLOCK_SIZE", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                        .addJavadoc("Samples per parallel block: their inputs and outputs fill about 256 KiB.\n")
                        .initializer("$L", plan.blockSize())
                        .build())
                .addField(FieldSpec.builder(int.class, "MAX_PARTIAL_SUMS", Modifier.PRIVATE, Modifier.STATIC,
                                Modifier.FINAL)
                        .addJavadoc("Weight gradients sum over at most this many blocks, each into its own arrays.\n")
                        .initializer("$L", MAX_PARTIAL_SUMS)
                        .build());
        for (NumberType arithmetic : arithmetics) {
            type.addMethod(forward(arithmetic)).addMethod(backward(arithmetic));
        }
        LinearDoubleBackward doubleBackward = new LinearDoubleBackward(model, checks);
        arithmetics.forEach(arithmetic -> type.addMethod(doubleBackward.method(arithmetic)));
        for (NumberType arithmetic : arithmetics) {
            if (model.sharedWeights()) {
                type.addMethod(weightRows(arithmetic, false)).addMethod(weightRows(arithmetic, true));
            } else {
                type.addMethod(newWeightRows(arithmetic, false))
                        .addMethod(newWeightRows(arithmetic, true))
                        .addMethod(loadWeightRows(arithmetic, false))
                        .addMethod(loadWeightRows(arithmetic, true));
            }
            type.addMethod(forwardBlock(arithmetic))
                    .addMethod(inputGradientBlock(arithmetic))
                    .addMethod(weightGradientBlock(arithmetic))
                    .addMethods(pathMethods(arithmetic));
        }
        type.addMethods(helpers);
        return type.addMethods(checks.methods(arithmetics.stream().<TypeName>map(NumberType::arrayType).toList())).build();
    }

    private CodeBlock javadoc(ClassName spec) {
        CodeBlock.Builder doc = CodeBlock.builder()
                .add("e3nn's {@code o3.Linear($S -> $S)}, path normalization {@code $L}$L, as declared by {@link $T}.\n",
                        model.irrepsIn().toString(), model.irrepsOut().toString(), model.pathNormalization(),
                        model.biases().isEmpty() ? "" : ", biases on the 0e outputs", spec);
        if (model.fIn() != 1 || model.fOut() != 1) {
            doc.add("\n<p>$L input and $L output features (e3nn's {@code f_in}, {@code f_out}): the irreps above are"
                    + " one feature's repeated, weights {@code [f_in][f_out][...]}, biases {@code [f_out][...]}.\n",
                    model.fIn(), model.fOut());
        }
        if (plan.channelLast()) {
            doc.add("\n<p>Features channel-last ({@code IR_MUL}): in every irrep block {@code mul x ir} at offset"
                    + " {@code o} of {@code x}, {@code out} and their gradients, channel {@code u} and component"
                    + " {@code i} sit at {@code o + i * mul + u}$L. Weights and biases are e3nn's.\n",
                    model.fIn() != 1 || model.fOut() != 1 ? ", each feature laid out on its own" : "");
        }
        if (!model.sharedWeights()) {
            doc.add("\n<p>Weights per sample ({@code shared_weights=False}): {@code [batch][$L]}.\n",
                    model.weightNumel());
        }
        doc.add("\n<p>{@code out[w][i] = sum over paths of sqrt(alpha) * sum_u W[u][w] x[u][i]}, weights "
                        + "{@code W[mul_in][mul_out]} row-major:\n<ul>\n");
        for (int p = 0; p < model.paths().size(); p++) {
            Path path = model.paths().get(p);
            doc.add("<li>path $L: in[$L] {@code $L} -> out[$L] {@code $L}, weights $L..$L, alpha = $L</li>\n", p,
                    path.inIndex(), model.irrepsIn().get(path.inIndex()), path.outIndex(),
                    model.irrepsOut().get(path.outIndex()), path.weightOffset(),
                    path.weightOffset() + path.weightNumel() - 1, path.alpha());
        }
        for (Bias bias : model.biases()) {
            doc.add("<li>bias of out[$L] {@code $L}: biases $L..$L</li>\n", bias.outIndex(),
                    model.irrepsOut().get(bias.outIndex()), bias.biasOffset(), bias.biasOffset() + bias.mul() - 1);
        }
        return doc.add("</ul>\nOutputs without a path are zero.\n").build();
    }

    private FieldSpec coefficientField(int p, NumberType arithmetic) {
        Path path = model.paths().get(p);
        return FieldSpec.builder(arithmetic.type(), coefficient(p, arithmetic),
                        Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("$L = sqrt($L), path $L.\n", path.coefficient(), path.alpha(), p)
                .initializer("$L", arithmetic.literal(path.coefficient()))
                .build();
    }

    private static String coefficient(int p, NumberType arithmetic) {
        return "PATH_" + p + arithmetic.fieldSuffix();
    }

    private MethodSpec forward(NumberType t) {
        TypeName array = t.arrayType();
        String rows = t.type() + "[][][]";
        return MethodSpec.methodBuilder("forward")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addParameter(int.class, "batch")
                .addParameter(array, "x")
                .addParameter(array, "weights")
                .addParameter(array, "bias")
                .addParameter(array, "out")
                .addCode(checks.nonNegativeCount("forward"))
                .addCode(checks.perSample("forward", "x", dimIn))
                .addCode(model.sharedWeights() ? checks.shared("forward", "weights", model.weightNumel())
                        : checks.perSample("forward", "weights", model.weightNumel()))
                .addCode(checks.shared("forward", "bias", model.biasNumel()))
                .addCode(checks.perSample("forward", "out", dimOut))
                .addCode(checks.distinct("forward", List.of("out"), List.of("x", "weights", "bias")))
                .addCode(model.sharedWeights() ? CodeBlock.builder()
                        .addStatement("$L rows = weightRows(weights)", rows)
                        .addStatement("$T.run(batch, BLOCK_SIZE, (block, from, to) -> forwardBlock(from, to, x, rows,"
                                + " bias, out))", BatchBlocks.class)
                        .build()
                        : CodeBlock.of("$T.run(batch, BLOCK_SIZE, (block, from, to) -> forwardBlock(from, to, x,"
                                + " weights, bias, out));\n", BatchBlocks.class))
                .build();
    }

    /** {@code T[][] name = new T[rows][]}, each row as long as its entry's multiplicity. */
    private static CodeBlock channelLastRows(String name, Irreps irreps, NumberType t) {
        int[] first = LinearPlan.firstRows(irreps);
        CodeBlock.Builder code = CodeBlock.builder()
                .addStatement("$T[][] $L = new $T[$L][]", t.type(), name, t.type(), first[irreps.size()]);
        for (int e = 0; e < irreps.size(); e++) {
            if (first[e + 1] - first[e] == 1) {
                code.addStatement("$L[$L] = new $T[$L]", name, first[e], t.type(), irreps.get(e).mul());
            } else if (first[e + 1] > first[e]) {
                code.beginControlFlow("for (int r = $L; r < $L; r++)", first[e], first[e + 1])
                        .addStatement("$L[r] = new $T[$L]", name, t.type(), irreps.get(e).mul())
                        .endControlFlow();
            }
        }
        return code.build();
    }

    /**
     * {@code private static void name(int from, int to, parameters...)}: {@code rows} and {@code columns} are the
     * per-path weight rows, the others sample arrays. The method allocates the channel-last rows {@code scratch} of
     * {@code irreps} and opens the sample loop, with the offsets {@code xb} and {@code ob}.
     */
    private MethodSpec.Builder blockMethod(String name, NumberType t, String scratch, Irreps irreps,
                                           String... parameters) {
        return blockMethod(name, t, scratch, irreps, false, parameters);
    }

    /**
     * {@link #blockMethod(String, NumberType, String, Irreps, String...)} for per-sample weights when
     * {@code transposed} names how the weights go into rows: the rows ({@code rows}, or {@code columns} when
     * {@code transposed}) are allocated once per block and loaded from the sample's weights in the loop.
     */
    private MethodSpec.Builder perSampleBlockMethod(String name, NumberType t, String scratch, Irreps irreps,
                                                    boolean transposed, String... parameters) {
        return blockMethod(name, t, scratch, irreps, transposed, parameters)
                .addStatement("$L(weights, b * $L, $L)", transposed ? "loadWeightColumns" : "loadWeightRows",
                        model.weightNumel(), transposed ? "columns" : "rows");
    }

    private MethodSpec.Builder blockMethod(String name, NumberType t, String scratch, Irreps irreps,
                                           boolean transposed, String... parameters) {
        TypeName array = t.arrayType();
        MethodSpec.Builder method = MethodSpec.methodBuilder(name)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(int.class, "from")
                .addParameter(int.class, "to");
        for (String parameter : parameters) {
            boolean weights = parameter.equals("rows") || parameter.equals("columns");
            method.addParameter(weights ? ArrayTypeName.of(ArrayTypeName.of(array)) : array, parameter);
        }
        if (!model.sharedWeights()) {
            method.addStatement("$T[][][] $L = $L()", t.type(), transposed ? "columns" : "rows",
                    newRowsMethod(t, transposed));
        }
        return method.addCode(channelLastRows(scratch, irreps, t))
                .beginControlFlow("for (int b = from; b < to; b++)")
                .addStatement("int xb = b * $L", dimIn)
                .addStatement("int ob = b * $L", dimOut);
    }

    /**
     * The samples {@code from..to-1}: per sample, every path adds into channel-last rows {@code outT[component][w]}
     * (loops over the output channels, which HotSpot vectorizes), then the rows go out in e3nn's layout with the
     * biases and are cleared for the next sample.
     */
    private MethodSpec forwardBlock(NumberType t) {
        MethodSpec.Builder method = model.sharedWeights()
                ? blockMethod("forwardBlock", t, "outT", model.irrepsOut(), "x", "rows", "bias", "out")
                : perSampleBlockMethod("forwardBlock", t, "outT", model.irrepsOut(), false, "x", "weights", "bias",
                        "out");
        int[] rowsOut = LinearPlan.firstRows(model.irrepsOut());
        method.addCode(perPath("forwardPaths", t, List.of("x", "xb", "rows", "outT"), (p, path) ->
                CodeBlock.of("forward$L(x, $L, rows[$L], outT, $L);\n", Shape.of(path).suffix(),
                        offsetPlus(model.irrepsIn().offset(path.inIndex()), "xb"), p, rowsOut[path.outIndex()])));
        rowsOut(method, t, "out", "outT", model.irrepsOut(), "ob", "w", "out", true);
        return method.endControlFlow().build();
    }

    /**
     * The code {@code code} writes for each weighted path, in path order: inline when the plan keeps the paths in
     * their caller ({@link LinearPlan#pathsInline()}), else in helper methods {@code name0, name1, ...} of the plan's
     * runs of paths, taking {@code parameters} (names of {@link #parameter}), and the calls of those helpers.
     */
    private CodeBlock perPath(String name, NumberType t, List<String> parameters,
                              BiFunction<Integer, Path, CodeBlock> code) {
        if (plan.pathsInline()) {
            return CodeBlock.join(plan.weightedPaths().stream().map(p -> code.apply(p, model.paths().get(p)))
                    .toList(), "");
        }
        CodeBlock.Builder calls = CodeBlock.builder();
        int start = 0;
        for (int part = 0; part < plan.pathMethods().size(); part++) {
            List<Integer> paths = plan.pathMethods().get(part);
            MethodSpec.Builder helper = MethodSpec.methodBuilder(name + part)
                    .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                    .addJavadoc("Weighted paths $L to $L (of $L, in path order).\n", start, start + paths.size() - 1,
                            plan.weightedPaths().size());
            parameters.forEach(parameter -> helper.addParameter(parameter(parameter, t)));
            paths.forEach(p -> helper.addCode(code.apply(p, model.paths().get(p))));
            helpers.add(helper.build());
            calls.addStatement("$L$L($L)", name, part, String.join(", ", parameters));
            start += paths.size();
        }
        return calls.build();
    }

    /** The parameters of per-path helpers, by name. */
    private static ParameterSpec parameter(String name, NumberType t) {
        TypeName rows = ArrayTypeName.of(t.arrayType());
        TypeName type = switch (name) {
            case "xb", "ob", "wb" -> TypeName.INT;
            case "x", "gradOut", "weights", "gradWeights" -> t.arrayType();
            case "outT", "gradXT", "gradOutT" -> rows;
            case "rows", "columns", "sums", "sampleRows" -> ArrayTypeName.of(rows);
            default -> throw new IllegalArgumentException(name);
        };
        return ParameterSpec.builder(type, name).build();
    }

    /**
     * Component {@code i} of {@code channel}, one of {@code mul}, of one sample's entry at {@code at}, for paths of
     * {@code shape}.
     */
    private String channel(Shape shape, String channel, int mul) {
        if (shape.dim() == 1) {
            return "at + " + channel;
        }
        return plan.channelLast() ? "at + i * " + mul + " + " + channel
                : "at + " + channel + " * " + shape.dim() + " + i";
    }

    /** {@code 4 input and 2 output channels of l = 1}. */
    private static String describe(Shape shape) {
        return shape.mulIn() + " input and " + shape.mulOut() + " output channel" + (shape.mulOut() == 1 ? "" : "s")
                + " of l = " + (shape.dim() - 1) / 2;
    }

    /**
     * {@code target[offset + c * dim + i] = scratch[row + i][c]} for every entry of {@code irreps} (plus its biases
     * when {@code biases}): the sample's channel-last rows back into e3nn's layout, or copied whole to
     * {@code offset + i * mul} when the features are channel-last; then the rows are cleared.
     */
    private void rowsOut(MethodSpec.Builder method, NumberType t, String target, String scratch, Irreps irreps,
                         String offset, String channel, String label, boolean biases) {
        int[] first = LinearPlan.firstRows(irreps);
        for (int e = 0; e < irreps.size(); e++) {
            MulIrrep entry = irreps.get(e);
            if (entry.dim() == 0) {
                continue;
            }
            Bias bias = biases ? model.biasOf(e) : null;
            int dim = entry.ir().dim();
            method.addComment("$L[$L] $L", label, e, entry);
            if (plan.channelLast() && bias == null && entry.mul() > 1) {
                method.addCode(copyRows(true, scratch, first[e], target, offsetPlus(irreps.offset(e), offset), entry));
                continue;
            }
            ChannelLoop loop = new ChannelLoop(channel, entry.mul());
            String c = loop.name();
            method.addCode(loop.open());
            if (dim == 1) {
                method.addStatement("$L[$L] = $L[$L][$L]$L", target, offsetPlus(irreps.offset(e), offset, c),
                        scratch, first[e], c, bias == null ? "" : " + bias[" + offsetPlus(bias.biasOffset(), c) + "]");
            } else {
                method.beginControlFlow("for (int i = 0; i < $L; i++)", dim)
                        .addStatement("$L[$L] = $L[$L][$L]", target,
                                offsetPlus(irreps.offset(e), offset, channel(c, dim)), scratch,
                                offsetPlus(first[e], "i"), c)
                        .endControlFlow();
            }
            method.addCode(loop.close());
        }
        method.beginControlFlow("for ($T[] row : $L)", t.type(), scratch)
                .addStatement("$T.fill(row, $L)", java.util.Arrays.class, t.literal(0))
                .endControlFlow();
    }

    /**
     * Channel-last features: the rows {@code row .. row + dim - 1} of {@code scratch} copied whole to the runs
     * {@code at + i * mul} of {@code features} ({@code toFeatures}), or from them, one {@code System.arraycopy} per
     * component.
     */
    private static CodeBlock copyRows(boolean toFeatures, String scratch, int row, String features, String at,
                                      MulIrrep entry) {
        int dim = entry.ir().dim();
        String rowArray = scratch + "[" + (dim == 1 ? String.valueOf(row) : offsetPlus(row, "i")) + "]";
        String run = dim == 1 ? at : at + " + i * " + entry.mul();
        String copy = toFeatures ? "$T.arraycopy(" + rowArray + ", 0, " + features + ", " + run + ", $L)"
                : "$T.arraycopy(" + features + ", " + run + ", " + rowArray + ", 0, $L)";
        if (dim == 1) {
            return CodeBlock.builder().addStatement(copy, System.class, entry.mul()).build();
        }
        return CodeBlock.builder()
                .beginControlFlow("for (int i = 0; i < $L; i++)", dim)
                .addStatement(copy, System.class, entry.mul())
                .endControlFlow()
                .build();
    }

    /**
     * {@code target[row + i][c] += sum_g factor[g][c] * source[at + g * dim + i]} over the channels {@code g} of
     * {@code groups}: per component {@code i}, the source channels four at a time, each loop over {@code c} storing
     * one row (HotSpot's superword vectorizes loops with one store stream whose arrays sit at offset 0).
     */
    private static MethodSpec rowPass(String name, NumberType t, String source, String factor, String target,
                                      String at, int dim, int groups, int channels, String comment) {
        TypeName array = t.arrayType();
        TypeName rows = ArrayTypeName.of(array);
        MethodSpec.Builder method = MethodSpec.methodBuilder(name)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("$L\n", comment)
                .addParameter(array, source)
                .addParameter(int.class, at)
                .addParameter(rows, factor)
                .addParameter(rows, target)
                .addParameter(int.class, "row");
        // One component (scalars): no loop over i, which then reads as 0.
        String i = dim == 1 ? "" : " + i";
        if (dim > 1) {
            method.beginControlFlow("for (int i = 0; i < $L; i++)", dim);
        }
        method.addStatement("$T[] sum = $L[$L]", t.type(), target, dim == 1 ? "row" : "row + i");
        // The source channels g four at a time, then the rest; a group that runs once has g as a constant.
        int unroll = 4;
        int unrolled = groups - groups % unroll;
        ChannelLoop loop = new ChannelLoop("c", channels);
        String c = loop.name();
        if (unrolled > 0) {
            String g = unrolled == unroll ? "0" : "g";
            if (unrolled > unroll) {
                method.beginControlFlow("for (int g = 0; g < $L; g += $L)", unrolled, unroll);
            }
            String chain = "sum[" + c + "]";
            for (int k = 0; k < unroll; k++) {
                String index = g.equals("0") ? offsetPlus(k * dim, at)
                        : offsetPlus(0, at, times(k == 0 ? g : "(g + " + k + ")", dim));
                method.addStatement("$T s$L = $L[$L$L]", t.type(), k, source, index, i);
                method.addStatement("$T[] f$L = $L[$L]", t.type(), k, factor,
                        g.equals("0") ? String.valueOf(k) : offsetPlus(k, "g"));
                chain = "Math.fma(f" + k + "[" + c + "], s" + k + ", " + chain + ")";
            }
            method.addCode(loop.open());
            method.addStatement("sum[$L] = $L", c, chain);
            method.addCode(loop.close());
            if (unrolled > unroll) {
                method.endControlFlow();
            }
        }
        if (groups > unrolled) {
            String g = groups - unrolled == 1 ? String.valueOf(unrolled) : "g";
            if (g.equals("g")) {
                method.beginControlFlow("for (int g = $L; g < $L; g++)", unrolled, groups);
            }
            // After four channels written out without a loop, s0..s3 are taken.
            int k = unrolled == unroll ? unroll : 0;
            method.addStatement("$T s$L = $L[$L$L]", t.type(), k, source,
                    g.equals("g") ? offsetPlus(0, at, times("g", dim)) : offsetPlus(unrolled * dim, at), i)
                    .addStatement("$T[] f$L = $L[$L]", t.type(), k, factor, g);
            method.addCode(loop.open());
            method.addStatement("sum[$L] = Math.fma(f$L[$L], s$L, sum[$L])", c, k, c, k, c);
            method.addCode(loop.close());
            if (g.equals("g")) {
                method.endControlFlow();
            }
        }
        if (dim > 1) {
            method.endControlFlow();
        }
        return method.build();
    }

    /**
     * {@link #rowPass} for channel-last features, {@code source[at + i * groups + g]}: the source channels four at a
     * time in the outer loop, the components in the inner one, so that the four factor rows (weights of 128 channels
     * are 1 KiB a row) serve every component while in L1 instead of all rows being read once per component. Each
     * {@code target[row + i][c]} sums the same products in the same order as {@link #rowPass}.
     */
    private static MethodSpec channelLastRowPass(String name, NumberType t, String source, String factor,
                                                 String target, String at, int dim, int groups, int channels,
                                                 String comment) {
        TypeName array = t.arrayType();
        TypeName rows = ArrayTypeName.of(array);
        MethodSpec.Builder method = MethodSpec.methodBuilder(name)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("$L\n", comment)
                .addParameter(array, source)
                .addParameter(int.class, at)
                .addParameter(rows, factor)
                .addParameter(rows, target)
                .addParameter(int.class, "row");
        if (dim == 1) {
            method.addStatement("$T[] sum = $L[row]", t.type(), target);
        }
        int unroll = 4;
        int unrolled = groups - groups % unroll;
        ChannelLoop loop = new ChannelLoop("c", channels);
        String c = loop.name();
        // The source channels g four at a time, then one at a time; a group that runs once has g as a constant.
        if (unrolled > 0) {
            String g = unrolled == unroll ? "0" : "g";
            if (unrolled > unroll) {
                method.beginControlFlow("for (int g = 0; g < $L; g += $L)", unrolled, unroll);
            }
            for (int k = 0; k < unroll; k++) {
                method.addStatement("$T[] f$L = $L[$L]", t.type(), k, factor,
                        g.equals("0") ? String.valueOf(k) : offsetPlus(k, "g"));
            }
            componentsOf(method, t, target, dim, () -> {
                String chain = "sum[" + c + "]";
                for (int k = 0; k < unroll; k++) {
                    method.addStatement("$T s$L = $L[$L]", t.type(), k, source,
                            offsetPlus(k, at, componentRun(dim, groups), g));
                    chain = "Math.fma(f" + k + "[" + c + "], s" + k + ", " + chain + ")";
                }
                method.addCode(loop.open()).addStatement("sum[$L] = $L", c, chain).addCode(loop.close());
            });
            if (unrolled > unroll) {
                method.endControlFlow();
            }
        }
        if (groups > unrolled) {
            String g = groups - unrolled == 1 ? String.valueOf(unrolled) : "g";
            if (g.equals("g")) {
                method.beginControlFlow("for (int g = $L; g < $L; g++)", unrolled, groups);
            }
            // After four channels written out without a loop, f0..f3 (and for scalars s0..s3) are taken.
            int k = unrolled == unroll ? unroll : 0;
            method.addStatement("$T[] f$L = $L[$L]", t.type(), k, factor, g);
            componentsOf(method, t, target, dim, () -> method
                    .addStatement("$T s$L = $L[$L]", t.type(), k, source, offsetPlus(g.equals("g") ? 0 : unrolled,
                            at, componentRun(dim, groups), g.equals("g") ? "g" : "0"))
                    .addCode(loop.open())
                    .addStatement("sum[$L] = Math.fma(f$L[$L], s$L, sum[$L])", c, k, c, k, c)
                    .addCode(loop.close()));
            if (g.equals("g")) {
                method.endControlFlow();
            }
        }
        return method.build();
    }

    /**
     * {@code body} once per component {@code i} of {@code dim}, with {@code sum} the row {@code target[row + i]}: in a
     * loop over {@code i}; for scalars just once, {@code sum} being the method's one row.
     */
    private static void componentsOf(MethodSpec.Builder method, NumberType t, String target, int dim, Runnable body) {
        if (dim == 1) {
            body.run();
            return;
        }
        method.beginControlFlow("for (int i = 0; i < $L; i++)", dim)
                .addStatement("$T[] sum = $L[row + i]", t.type(), target);
        body.run();
        method.endControlFlow();
    }

    /** {@code i * mul}: where component {@code i}'s channels start in a channel-last entry; {@code 0} for scalars. */
    private static String componentRun(int dim, int mul) {
        return dim == 1 ? "0" : times("i", mul);
    }

    /** {@link #channelLastRowPass} for channel-last features, else {@link #rowPass}. */
    private MethodSpec pathPass(String name, NumberType t, String source, String factor, String target, String at,
                                int dim, int groups, int channels, String comment) {
        return plan.channelLast()
                ? channelLastRowPass(name, t, source, factor, target, at, dim, groups, channels, comment)
                : rowPass(name, t, source, factor, target, at, dim, groups, channels, comment);
    }

    /** The methods of each distinct {@link Shape} of weighted path, shared by the paths of that shape. */
    private List<MethodSpec> pathMethods(NumberType t) {
        List<MethodSpec> methods = new ArrayList<>();
        plan.shapes().forEach((shape, paths) -> {
            String used = " Used by path" + (paths.size() == 1 ? " " : "s ") + paths.stream().limit(8)
                    .map(String::valueOf).collect(java.util.stream.Collectors.joining(", "))
                    + (paths.size() > 8 ? " and " + (paths.size() - 8) + " more" : "") + ".";
            String row = shape.dim() == 1 ? "row" : "row + i";
            methods.add(pathPass("forward" + shape.suffix(), t, "x", "w", "outT", "at", shape.dim(), shape.mulIn(),
                    shape.mulOut(), "{@code outT[" + row + "][w] += sum_u W[u][w] x["
                            + channel(shape, "u", shape.mulIn()) + "]} (W scaled by sqrt(alpha)) for one sample, "
                            + describe(shape) + "." + used));
            methods.add(pathPass("inputGradient" + shape.suffix(), t, "gradOut", "w", "gradXT", "at", shape.dim(),
                    shape.mulOut(), shape.mulIn(), "{@code gradXT[" + row + "][u] += sum_w W[u][w]"
                            + " gradOut[" + channel(shape, "w", shape.mulOut()) + "]} (W scaled by sqrt(alpha)) for one"
                            + " sample, " + describe(shape) + "." + used));
            methods.add(weightGradientPath(shape, t, used));
            if (plan.groupsSamples(shape)) {
                methods.add(sampleGroupWeightGradientPath(shape, t, used));
            }
        });
        return methods;
    }

    /** {@code sums[u][w] += sum_i x[u][i] gradOutT[i][w]} for one sample, components four at a time. */
    private MethodSpec weightGradientPath(Shape shape, NumberType t, String used) {
        TypeName array = t.arrayType();
        TypeName rows = ArrayTypeName.of(array);
        int dim = shape.dim();
        MethodSpec.Builder method = MethodSpec.methodBuilder("weightGradient" + shape.suffix())
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("{@code sums[u][w] += sum_i x[$L] gradOutT[$L][w]} for one sample, $L.$L\n",
                        channel(shape, "u", shape.mulIn()), dim == 1 ? "row" : "row + i", describe(shape), used)
                .addParameter(array, "x")
                .addParameter(int.class, "at")
                .addParameter(rows, "gradOutT")
                .addParameter(rows, "sums")
                .addParameter(int.class, "row");
        ChannelLoop inputs = new ChannelLoop("u", shape.mulIn());
        ChannelLoop outputs = new ChannelLoop("w", shape.mulOut());
        String u = inputs.name();
        String w = outputs.name();
        method.addCode(inputs.open());
        method.addStatement("$T[] sum = sums[$L]", t.type(), u);
        // One input channel: x of the sample at at + i, without an offset variable; channel-last, at at + i * mul + u.
        String xu = u.equals("0") || plan.channelLast() ? "at" : "xu";
        if (!xu.equals("at")) {
            method.addStatement("int xu = $L", offsetPlus(0, "at", times(u, dim)));
        }
        for (int first = 0; first < dim; first += 4) {
            int count = Math.min(4, dim - first);
            String chain = "sum[" + w + "]";
            for (int k = 0; k < count; k++) {
                int i = first + k;
                method.addStatement("$T s$L = x[$L]", t.type(), i,
                        plan.channelLast() ? offsetPlus(i * shape.mulIn(), xu, u) : offsetPlus(i, xu));
                method.addStatement("$T[] g$L = gradOutT[$L]", t.type(), i, i == 0 ? "row" : "row + " + i);
                chain = "Math.fma(g" + i + "[" + w + "], s" + i + ", " + chain + ")";
            }
            method.addCode(outputs.open());
            method.addStatement("sum[$L] = $L", w, chain);
            method.addCode(outputs.close());
        }
        method.addCode(inputs.close());
        return method.build();
    }

    /**
     * {@code sums[u][w] += sum_s sum_i x[s][u][i] sampleRows[s][row + i][w]} over the samples {@code s} of a group
     * (channel-last, the samples {@code dimIn} apart from {@code at}): the sample-component products four per loop,
     * so that each pass over {@code sums[u]} adds four of them whatever the degree.
     */
    private MethodSpec sampleGroupWeightGradientPath(Shape shape, NumberType t, String used) {
        TypeName array = t.arrayType();
        int dim = shape.dim();
        int samples = LinearPlan.WEIGHT_GRADIENT_SAMPLES;
        MethodSpec.Builder method = MethodSpec.methodBuilder("weightGradientOf" + samples + shape.suffix())
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("{@code sums[u][w] += sum_s sum_i x[at + s * $L + $L] sampleRows[s][$L][w]} for $L"
                        + " consecutive samples, $L.$L\n", dimIn, dim == 1 ? "u" : "i * " + shape.mulIn() + " + u",
                        dim == 1 ? "row" : "row + i", samples, describe(shape), used)
                .addParameter(array, "x")
                .addParameter(int.class, "at")
                .addParameter(ArrayTypeName.of(ArrayTypeName.of(array)), "sampleRows")
                .addParameter(ArrayTypeName.of(array), "sums")
                .addParameter(int.class, "row");
        ChannelLoop inputs = new ChannelLoop("u", shape.mulIn());
        ChannelLoop outputs = new ChannelLoop("w", shape.mulOut());
        String u = inputs.name();
        String w = outputs.name();
        method.addCode(inputs.open());
        method.addStatement("$T[] sum = sums[$L]", t.type(), u);
        int products = samples * dim;
        for (int first = 0; first < products; first += 4) {
            String chain = "sum[" + w + "]";
            for (int k = first; k < Math.min(products, first + 4); k++) {
                int sample = k / dim;
                int i = k % dim;
                method.addStatement("$T s$L = x[$L]", t.type(), k,
                        offsetPlus(sample * dimIn + i * shape.mulIn(), "at", u));
                method.addStatement("$T[] g$L = sampleRows[$L][$L]", t.type(), k, sample, offsetPlus(i, "row"));
                chain = "Math.fma(g" + k + "[" + w + "], s" + k + ", " + chain + ")";
            }
            method.addCode(outputs.open());
            method.addStatement("sum[$L] = $L", w, chain);
            method.addCode(outputs.close());
        }
        method.addCode(inputs.close());
        return method.build();
    }

    /** {@code rows[p][u][w] = sqrt(alpha_p) W_p[u][w]}, or transposed ({@code [w][u]}) for the input gradient. */
    private MethodSpec weightRows(NumberType t, boolean transposed) {
        String rows = t.type() + "[][][]";
        MethodSpec.Builder method = MethodSpec.methodBuilder(transposed ? "weightColumns" : "weightRows")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(ArrayTypeName.of(ArrayTypeName.of(t.arrayType())))
                .addParameter(t.arrayType(), "weights")
                .addStatement("$L rows = new $T[$L][][]", rows, t.type(), model.paths().size());
        method.addCode(perPath(transposed ? "weightColumns" : "weightRows", t, List.of("weights", "rows"), (p, path) ->
                CodeBlock.builder()
                        .add(newRows(p, path, transposed, t))
                        .add(fillRows(p, path, transposed, t, "0"))
                        .build()));
        return method.addStatement("return rows").build();
    }

    /** {@code rows[p] = new T[mul_in][mul_out]}, or {@code [mul_out][mul_in]} when {@code transposed}. */
    private static CodeBlock newRows(int p, Path path, boolean transposed, NumberType t) {
        return CodeBlock.of("rows[$L] = new $T[$L][$L];\n", p, t.type(),
                transposed ? path.mulOut() : path.mulIn(), transposed ? path.mulIn() : path.mulOut());
    }

    /** {@code rows[p][u][w] = sqrt(alpha_p) weights[base + offset_p + u * mul_out + w]}, or transposed. */
    private static CodeBlock fillRows(int p, Path path, boolean transposed, NumberType t, String base) {
        CodeBlock.Builder code = CodeBlock.builder();
        ChannelLoop outer = new ChannelLoop("r", transposed ? path.mulOut() : path.mulIn());
        ChannelLoop inner = new ChannelLoop("c", transposed ? path.mulIn() : path.mulOut());
        String r = outer.name();
        String c = inner.name();
        String index = transposed ? offsetPlus(0, times(c, path.mulOut()), r)
                : offsetPlus(0, times(r, path.mulOut()), c);
        code.add(outer.open());
        code.add(inner.open());
        code.addStatement("rows[$L][$L][$L] = $L * weights[$L]", p, r, c, coefficient(p, t),
                offsetPlus(path.weightOffset(), base, index));
        code.add(inner.close());
        code.add(outer.close());
        return code.build();
    }

    /** {@code newDoubleWeightRows}, {@code newFloatWeightColumns}: named by type, as they take no argument. */
    private static String newRowsMethod(NumberType t, boolean transposed) {
        String type = t.type().toString();
        return "new" + Character.toUpperCase(type.charAt(0)) + type.substring(1)
                + (transposed ? "WeightColumns" : "WeightRows");
    }

    /** Per-sample weights: the rows of {@link #weightRows} (or the columns), allocated once per block. */
    private MethodSpec newWeightRows(NumberType t, boolean transposed) {
        String name = newRowsMethod(t, transposed);
        return MethodSpec.methodBuilder(name)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(ArrayTypeName.of(ArrayTypeName.of(t.arrayType())))
                .addStatement("$T[][][] rows = new $T[$L][][]", t.type(), t.type(), model.paths().size())
                .addCode(perPath(name, t, List.of("rows"), (p, path) -> newRows(p, path, transposed, t)))
                .addStatement("return rows")
                .build();
    }

    /** Per-sample weights: one sample's weights, from {@code wb}, scaled into the rows (or the columns). */
    private MethodSpec loadWeightRows(NumberType t, boolean transposed) {
        String name = transposed ? "loadWeightColumns" : "loadWeightRows";
        return MethodSpec.methodBuilder(name)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(t.arrayType(), "weights")
                .addParameter(int.class, "wb")
                .addParameter(ArrayTypeName.of(ArrayTypeName.of(t.arrayType())), "rows")
                .addCode(perPath(name, t, List.of("weights", "wb", "rows"),
                        (p, path) -> fillRows(p, path, transposed, t, "wb")))
                .build();
    }

    private MethodSpec backward(NumberType t) {
        TypeName array = t.arrayType();
        String rows = t.type() + "[][][]";
        MethodSpec.Builder method = MethodSpec.methodBuilder("backward")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addParameter(int.class, "batch")
                .addParameter(array, "x")
                .addParameter(array, "weights")
                .addParameter(array, "gradOut")
                .addParameter(array, "gradX")
                .addParameter(array, "gradWeights")
                .addParameter(array, "gradBias")
                .addCode(checks.nonNegativeCount("backward"))
                .addCode(checks.perSample("backward", "x", dimIn))
                .addCode(weightsCheck("weights"))
                .addCode(checks.perSample("backward", "gradOut", dimOut));
        method.beginControlFlow("if (gradX != null)")
                .addCode(checks.perSample("backward", "gradX", dimIn))
                .endControlFlow();
        method.beginControlFlow("if (gradWeights != null)")
                .addCode(weightsCheck("gradWeights"))
                .endControlFlow();
        method.beginControlFlow("if (gradBias != null)")
                .addCode(checks.shared("backward", "gradBias", model.biasNumel()))
                .endControlFlow();
        method.addCode(checks.distinct("backward", List.of("gradX", "gradWeights", "gradBias"),
                List.of("x", "weights", "gradOut")));
        if (!model.sharedWeights()) {
            return method.beginControlFlow("if (gradX != null)")
                    .addStatement("$T.run(batch, BLOCK_SIZE, (block, from, to) -> inputGradientBlock(from, to, gradOut,"
                            + " weights, gradX))", BatchBlocks.class)
                    .endControlFlow()
                    .beginControlFlow("if (gradWeights != null)")
                    .addStatement("$T.run(batch, BLOCK_SIZE, (block, from, to) -> weightGradientBlock(from, to, x,"
                            + " gradOut, gradWeights))", BatchBlocks.class)
                    .endControlFlow()
                    .beginControlFlow("if (gradBias != null)")
                    .addCode(biasGradient(t))
                    .endControlFlow()
                    .build();
        }
        method.beginControlFlow("if (gradX != null)")
                .addStatement("$L columns = weightColumns(weights)", rows)
                .addStatement("$T.run(batch, BLOCK_SIZE, (block, from, to) -> inputGradientBlock(from, to, gradOut,"
                        + " columns, gradX))", BatchBlocks.class)
                .endControlFlow();
        method.beginControlFlow("if (gradWeights != null)")
                .addComment("At most MAX_PARTIAL_SUMS blocks, each summing its samples into its own arrays, added in"
                        + " block order:")
                .addComment("the result depends on the batch alone.")
                .addStatement("int blockSize = Math.max(BLOCK_SIZE, (batch + MAX_PARTIAL_SUMS - 1) / MAX_PARTIAL_SUMS)")
                .addStatement("$T[][][][] partialSums = new $T[$T.count(batch, blockSize)][][][]", t.type(), t.type(),
                        BatchBlocks.class)
                .addStatement("$T.run(batch, blockSize, (block, from, to) -> partialSums[block] ="
                        + " weightGradientBlock(from, to, x, gradOut))", BatchBlocks.class)
                .addCode(weightGradientSum(t))
                .endControlFlow();
        method.beginControlFlow("if (gradBias != null)")
                .addCode(biasGradient(t))
                .endControlFlow();
        return method.build();
    }

    /** The length check of {@code argument}: shared weights, or {@code [batch][weightNumel]}. */
    private CodeBlock weightsCheck(String argument) {
        return model.sharedWeights() ? checks.shared("backward", argument, model.weightNumel())
                : checks.perSample("backward", argument, model.weightNumel());
    }

    /** The input gradient of samples {@code from..to-1}, through channel-last rows {@code gradXT[component][u]}. */
    private MethodSpec inputGradientBlock(NumberType t) {
        MethodSpec.Builder method = model.sharedWeights()
                ? blockMethod("inputGradientBlock", t, "gradXT", model.irrepsIn(), "gradOut", "columns", "gradX")
                : perSampleBlockMethod("inputGradientBlock", t, "gradXT", model.irrepsIn(), true, "gradOut",
                        "weights", "gradX");
        int[] rowsIn = LinearPlan.firstRows(model.irrepsIn());
        method.addCode(perPath("inputGradientPaths", t, List.of("gradOut", "ob", "columns", "gradXT"), (p, path) ->
                CodeBlock.of("inputGradient$L(gradOut, $L, columns[$L], gradXT, $L);\n", Shape.of(path).suffix(),
                        offsetPlus(model.irrepsOut().offset(path.outIndex()), "ob"), p, rowsIn[path.inIndex()])));
        rowsOut(method, t, "gradX", "gradXT", model.irrepsIn(), "xb", "u", "x", false);
        return method.endControlFlow().build();
    }

    /**
     * The weight gradients of samples {@code from..to-1}, without the path coefficients: {@code [path][u][w]}; with
     * per-sample weights, each sample's gradient goes to {@code gradWeights} scaled, and the sums are cleared.
     */
    private MethodSpec weightGradientBlock(NumberType t) {
        TypeName array = t.arrayType();
        MethodSpec.Builder method = MethodSpec.methodBuilder("weightGradientBlock")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(int.class, "from")
                .addParameter(int.class, "to")
                .addParameter(array, "x")
                .addParameter(array, "gradOut");
        if (model.sharedWeights()) {
            method.returns(ArrayTypeName.of(ArrayTypeName.of(array)));
        } else {
            method.addParameter(array, "gradWeights");
        }
        method.addStatement("$T[][][] sums = new $T[$L][][]", t.type(), t.type(), model.paths().size());
        method.addCode(perPath("newSums", t, List.of("sums"), (p, path) ->
                CodeBlock.of("sums[$L] = new $T[$L][$L];\n", p, t.type(), path.mulIn(), path.mulOut())));
        if (plan.weightGradientBySampleGroups()) {
            return sampleGroups(method, t).addStatement("return sums").build();
        }
        method.addCode(channelLastRows("gradOutT", model.irrepsOut(), t))
                .beginControlFlow("for (int b = from; b < to; b++)")
                .addStatement("int xb = b * $L", dimIn)
                .addStatement("int ob = b * $L", dimOut)
                .addCode(gradOutRows("gradOutT"))
                .addCode(weightGradientPaths(t));
        if (model.sharedWeights()) {
            return method.endControlFlow().addStatement("return sums").build();
        }
        method.addStatement("int wb = b * $L", model.weightNumel());
        method.addCode(perPath("storeWeightGradients", t, List.of("sums", "gradWeights", "wb"), (p, path) -> {
            CodeBlock.Builder code = CodeBlock.builder();
            ChannelLoop inputs = new ChannelLoop("u", path.mulIn());
            ChannelLoop outputs = new ChannelLoop("w", path.mulOut());
            String u = inputs.name();
            String w = outputs.name();
            code.add(inputs.open());
            code.add(outputs.open());
            code.addStatement("gradWeights[$L] = $L * sums[$L][$L][$L]",
                    offsetPlus(path.weightOffset(), "wb", times(u, path.mulOut()), w), coefficient(p, t), p, u, w);
            code.addStatement("sums[$L][$L][$L] = $L", p, u, w, t.literal(0));
            code.add(outputs.close());
            code.add(inputs.close());
            return code.build();
        }));
        return method.endControlFlow().build();
    }

    /** {@code scratch[row + i][w] = gradOut[ob + ...]}: the sample's output gradient in channel-last rows. */
    private CodeBlock gradOutRows(String scratch) {
        CodeBlock.Builder code = CodeBlock.builder();
        Irreps out = model.irrepsOut();
        int[] first = LinearPlan.firstRows(out);
        for (int o = 0; o < out.size(); o++) {
            MulIrrep entry = out.get(o);
            if (entry.dim() == 0 || model.pathsInto(o).stream().allMatch(path -> path.weightNumel() == 0)) {
                continue;
            }
            int dim = entry.ir().dim();
            if (plan.channelLast() && entry.mul() > 1) {
                code.add(copyRows(false, scratch, first[o], "gradOut", offsetPlus(out.offset(o), "ob"), entry));
                continue;
            }
            ChannelLoop loop = new ChannelLoop("w", entry.mul());
            String w = loop.name();
            code.add(loop.open());
            if (dim == 1) {
                code.addStatement("$L[$L][$L] = gradOut[$L]", scratch, first[o], w,
                        offsetPlus(out.offset(o), "ob", w));
            } else {
                code.beginControlFlow("for (int i = 0; i < $L; i++)", dim)
                        .addStatement("$L[$L][$L] = gradOut[$L]", scratch, offsetPlus(first[o], "i"), w,
                                offsetPlus(out.offset(o), "ob", channel(w, dim)))
                        .endControlFlow();
            }
            code.add(loop.close());
        }
        return code.build();
    }

    /** Each weighted path's weight gradient of one sample, from the rows {@code gradOutT}, into {@code sums}. */
    private CodeBlock weightGradientPaths(NumberType t) {
        int[] rowsOut = LinearPlan.firstRows(model.irrepsOut());
        return perPath("weightGradientPaths", t, List.of("x", "xb", "gradOutT", "sums"), (p, path) ->
                CodeBlock.of("weightGradient$L(x, $L, gradOutT, sums[$L], $L);\n", Shape.of(path).suffix(),
                        offsetPlus(model.irrepsIn().offset(path.inIndex()), "xb"), p, rowsOut[path.outIndex()]));
    }

    /**
     * The shared weights' gradient of samples {@code from..to-1}, {@link LinearPlan#WEIGHT_GRADIENT_SAMPLES} at a
     * time: their output gradients go into rows {@code sampleRows[s]}, then every path adds them in one pass over its
     * sums (one call per sample for paths of high degree); the last samples go one by one.
     */
    private MethodSpec.Builder sampleGroups(MethodSpec.Builder method, NumberType t) {
        int samples = LinearPlan.WEIGHT_GRADIENT_SAMPLES;
        int[] rowsOut = LinearPlan.firstRows(model.irrepsOut());
        method.addStatement("$T[][][] sampleRows = new $T[$L][][]", t.type(), t.type(), samples)
                .beginControlFlow("for (int s = 0; s < $L; s++)", samples)
                .addCode(channelLastRows("rows", model.irrepsOut(), t))
                .addStatement("sampleRows[s] = rows")
                .endControlFlow()
                .addStatement("int b = from")
                .beginControlFlow("for (; b + $L <= to; b += $L)", samples, samples)
                .beginControlFlow("for (int s = 0; s < $L; s++)", samples)
                .addStatement("int ob = (b + s) * $L", dimOut)
                .addCode(gradOutRows("sampleRows[s]"))
                .endControlFlow()
                .addStatement("int xb = b * $L", dimIn)
                .addCode(perPath("sampleGroupWeightGradientPaths", t, List.of("x", "xb", "sampleRows", "sums"),
                        (p, path) -> {
                            Shape shape = Shape.of(path);
                            String at = offsetPlus(model.irrepsIn().offset(path.inIndex()), "xb");
                            if (plan.groupsSamples(shape)) {
                                return CodeBlock.of("weightGradientOf$L$L(x, $L, sampleRows, sums[$L], $L);\n",
                                        samples, shape.suffix(), at, p, rowsOut[path.outIndex()]);
                            }
                            return CodeBlock.builder()
                                    .beginControlFlow("for (int s = 0; s < $L; s++)", samples)
                                    .addStatement("weightGradient$L(x, $L + s * $L, sampleRows[s], sums[$L], $L)",
                                            shape.suffix(), at, dimIn, p, rowsOut[path.outIndex()])
                                    .endControlFlow()
                                    .build();
                        }))
                .endControlFlow();
        return method.beginControlFlow("for (; b < to; b++)")
                .addStatement("int xb = b * $L", dimIn)
                .addStatement("int ob = b * $L", dimOut)
                .addStatement("$T[][] gradOutT = sampleRows[0]", t.type())
                .addCode(gradOutRows("gradOutT"))
                .addCode(weightGradientPaths(t))
                .endControlFlow();
    }

    /** {@code gradWeights = sqrt(alpha) * sum over the blocks, in order, of their partial sums}. */
    private CodeBlock weightGradientSum(NumberType t) {
        return CodeBlock.builder()
                .addStatement("$T.fill(gradWeights, $L)", java.util.Arrays.class, t.literal(0))
                .beginControlFlow("for ($T[][][] sums : partialSums)", t.type())
                .add(perPath("addWeightGradients", t, List.of("sums", "gradWeights"), (p, path) -> {
                    CodeBlock.Builder code = CodeBlock.builder();
                    ChannelLoop inputs = new ChannelLoop("u", path.mulIn());
                    ChannelLoop outputs = new ChannelLoop("w", path.mulOut());
                    String u = inputs.name();
                    String w = outputs.name();
                    code.add(inputs.open());
                    code.add(outputs.open());
                    code.addStatement("gradWeights[$L] += sums[$L][$L][$L]",
                            offsetPlus(path.weightOffset(), times(u, path.mulOut()), w), p, u, w);
                    code.add(outputs.close());
                    code.add(inputs.close());
                    return code.build();
                }))
                .endControlFlow()
                .add(perPath("scaleWeightGradients", t, List.of("gradWeights"), (p, path) -> {
                    if (path.weightNumel() == 1) {
                        return CodeBlock.of("gradWeights[$L] *= $L;\n", path.weightOffset(), coefficient(p, t));
                    }
                    return CodeBlock.builder()
                            .beginControlFlow("for (int n = $L; n < $L; n++)", path.weightOffset(),
                                    path.weightOffset() + path.weightNumel())
                            .addStatement("gradWeights[n] *= $L", coefficient(p, t))
                            .endControlFlow()
                            .build();
                }))
                .build();
    }

    /** {@code gradBias[w] = sum_b gradOut[w]} over the biased {@code 0e} entries. */
    private CodeBlock biasGradient(NumberType t) {
        CodeBlock.Builder code = CodeBlock.builder();
        if (model.biases().isEmpty()) {
            return code.build();
        }
        code.addStatement("$T.fill(gradBias, 0, $L, $L)", java.util.Arrays.class, model.biasNumel(), t.literal(0))
                .beginControlFlow("for (int b = 0; b < batch; b++)")
                .addStatement("int ob = b * $L", dimOut);
        for (Bias bias : model.biases()) {
            ChannelLoop loop = new ChannelLoop("w", bias.mul());
            String w = loop.name();
            code.add(loop.open());
            code.addStatement("gradBias[$L] += gradOut[$L]", offsetPlus(bias.biasOffset(), w),
                    offsetPlus(model.irrepsOut().offset(bias.outIndex()), "ob", w));
            code.add(loop.close());
        }
        return code.endControlFlow().build();
    }

    /** {@code channel * dim + i}, or just {@code channel} for scalars; {@code i} alone when the channel is 0. */
    private static String channel(String channel, int dim) {
        return dim == 1 ? channel : offsetPlus(0, times(channel, dim), "i");
    }

    /** {@code variable * factor}, without a factor of 1, and {@code 0} for a left-out loop's variable. */
    private static String times(String variable, int factor) {
        return variable.equals("0") ? "0" : factor == 1 ? variable : variable + " * " + factor;
    }

    /** {@code a + b + ... + offset}, dropping zero terms and a zero offset ({@code 0} when nothing is left). */
    private static String offsetPlus(int offset, String... terms) {
        List<String> sum = new ArrayList<>();
        for (String term : terms) {
            if (!term.equals("0")) {
                sum.add(term);
            }
        }
        if (offset != 0 || sum.isEmpty()) {
            sum.add(String.valueOf(offset));
        }
        return String.join(" + ", sum);
    }

    /**
     * A loop {@code for (int variable = 0; variable < count; variable++)} over channels. When {@code count} is 1 it is
     * left out and the body reads the variable as {@link #name()} {@code 0}: no loop that runs once.
     */
    private record ChannelLoop(String variable, int count) {

        /** What the body writes for the loop variable. */
        String name() {
            return count == 1 ? "0" : variable;
        }

        /** The loop's opening line, or nothing when it is left out; add it with {@code addCode}. */
        CodeBlock open() {
            return count == 1 ? CodeBlock.of("")
                    : CodeBlock.builder().beginControlFlow("for (int $L = 0; $L < $L; $L++)", variable, variable,
                            count, variable).build();
        }

        /** The loop's closing brace, or nothing when it is left out. */
        CodeBlock close() {
            return count == 1 ? CodeBlock.of("") : CodeBlock.builder().endControlFlow().build();
        }
    }
}
