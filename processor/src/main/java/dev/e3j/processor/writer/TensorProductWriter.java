package dev.e3j.processor.writer;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.e3j.annotations.Layout;
import dev.e3j.processor.model.CgConventions;
import dev.e3j.processor.model.PathModel;
import dev.e3j.processor.model.TensorProductModel;
import dev.e3j.processor.plan.PathPlan;
import dev.e3j.processor.plan.TensorProductPlan;
import dev.e3j.runtime.BatchBlocks;
import dev.e3j.runtime.Irreps;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.lang.model.element.Element;
import javax.lang.model.element.Modifier;

/**
 * Turns a {@link TensorProductModel} into the Java source of {@code <Spec>Impl} and its audit JSON. Knows nothing
 * of javac: the processor hands it the names and writes the results through the Filer.
 *
 * <p>Generated layout: the public methods check their arguments and split the batch into fixed blocks of
 * consecutive samples ({@link BatchBlocks}, run in parallel); a block method zeroes its samples' outputs and, per
 * sample {@code b} (offsets {@code b * dim}), lets each path method accumulate into them. Path methods loop over
 * multiplicities and unroll the CG pattern (see {@link PathWriter}); with many paths, the per-sample calls are
 * grouped into helper methods so that every method stays below HotSpot's 8000-byte JIT limit. Results do not
 * depend on the number of threads: each sample is computed by one block, and shared-weight gradients are summed
 * per block, then over the blocks in order. In the {@code ir_mul} layout the channel-last passes copy each sample
 * plainly, a kernel whose paths are all {@code uvw} indexes its arguments in place in every pass
 * ({@link TensorProductPlan#irMulInPlace()}), and the others run the {@code mul_ir} block methods on whole-block
 * {@code mul_ir} copies ({@link #irMulBlock}).
 */
public final class TensorProductWriter {

    /** {@link TensorProductPlan#MAX_CALLS_PER_METHOD}: calls per method, shared by a block method's loops. */
    static final int MAX_CALLS_PER_METHOD = TensorProductPlan.MAX_CALLS_PER_METHOD;

    /** Doubles a block's inputs, weights and outputs may fill (256 KiB): they stay in L2 between passes. */
    static final int BLOCK_DOUBLES = 32 * 1024;

    /** Shared-weight gradients sum over at most this many blocks, each into its own partial array. */
    static final int MAX_PARTIAL_SUMS = 16;

    private static final ClassName IRREPS = ClassName.get(Irreps.class);
    private static final ClassName BATCH_BLOCKS = ClassName.get(BatchBlocks.class);
    private static final ClassName ARRAYS = ClassName.get("java.util", "Arrays");

    /** The per-sample weight arrays of the block methods, each with whether the methods read it (or write it). */
    private static final Map<String, Boolean> WEIGHT_ARRAYS = Map.of("weights", true, "ggWeights", true,
            "gradWeights", false, "gWeights", false);

    /** The feature arrays by the names of the block methods' arrays. */
    private static final Map<String, Feature> FEATURES = Map.ofEntries(
            Map.entry("x1", new Feature("in1", "DIM_IN1", true)),
            Map.entry("ggX1", new Feature("in1", "DIM_IN1", true)),
            Map.entry("gradX1", new Feature("in1", "DIM_IN1", false)),
            Map.entry("gX1", new Feature("in1", "DIM_IN1", false)),
            Map.entry("x2", new Feature("in2", "DIM_IN2", true)),
            Map.entry("ggX2", new Feature("in2", "DIM_IN2", true)),
            Map.entry("gradX2", new Feature("in2", "DIM_IN2", false)),
            Map.entry("gX2", new Feature("in2", "DIM_IN2", false)),
            Map.entry("gradOut", new Feature("out", "DIM_OUT", true)),
            Map.entry("out", new Feature("out", "DIM_OUT", false)),
            Map.entry("gGradOut", new Feature("out", "DIM_OUT", false)));

    /**
     * The smallest float32 sample, its per-sample arrays, inputs and gradients, in bytes, whose double backward reads
     * the next sample ahead ({@link #touchesNextSample}); float64 always does.
     */
    private static final int TOUCH_MIN_SAMPLE_BYTES = 16 * 1024;

    private final TensorProductModel model;
    private final ClassName spec;
    private final ClassName implementation;
    private final ConstantPool constants = ConstantPool.tensorProduct();
    private final DoubleBackwardScratch doubleBackwardScratch;
    private final KernelChecks checks;
    private final List<PathWriter> pathWriters = new ArrayList<>();
    /** The class holding each path writer's methods: the implementation itself, or one of its nested classes. */
    private final Map<PathWriter, PathGroup> groups = new LinkedHashMap<>();
    /** Per-sample helpers that call the path methods of a nested class, kept in that class. */
    private final Map<PathGroup, List<MethodSpec>> nestedHelpers = new LinkedHashMap<>();
    /**
     * The path methods the block methods call, recorded as they are written: only these are generated (a kernel whose
     * backward runs channel-last calls no per-sample {@link Operation#BACKWARD}, for one).
     */
    private final Set<PathCall> calledPathMethods = new HashSet<>();
    /** The {@code ir_mul} block conversions the block methods call ({@code in1ToMulIr}, ...), recorded likewise. */
    private final Set<Conversion> calledConversions = new HashSet<>();
    /** What is computed how, decided once from the model: this writer only prints it. */
    private final TensorProductPlan plan;
    private final boolean channelLast;
    /** {@link TensorProductPlan#forwardChannelLast()}: the forward's part of {@link #channelLast}. */
    private final boolean forwardChannelLast;
    private final boolean weightRows;
    private final boolean backwardByColumns;
    /**
     * Whether the arguments are in {@link Layout#IR_MUL}: the channel-last passes then read and write them with
     * plain copies, and the others compute on whole-block {@code mul_ir} copies.
     */
    private final boolean irMul;
    /**
     * {@link TensorProductPlan#irMulInPlace()}: the path methods index the {@code ir_mul} arguments in place, and
     * channel-last scratch of a sample is copied plainly.
     */
    private final boolean irMulInPlace;

    public TensorProductWriter(TensorProductModel model, ClassName spec) {
        this(model, spec, TensorProductPlan.MAX_POOL_ENTRIES_PER_CLASS);
    }

    /**
     * With {@code poolEntriesPerClass} in place of {@link TensorProductPlan#MAX_POOL_ENTRIES_PER_CLASS} (tests split
     * small kernels).
     */
    TensorProductWriter(TensorProductModel model, ClassName spec, int poolEntriesPerClass) {
        this.model = model;
        this.spec = spec;
        this.implementation = GeneratedFiles.implementationName(spec);
        this.checks = new KernelChecks(implementation, "batch");
        this.plan = TensorProductPlan.of(model);
        this.doubleBackwardScratch = DoubleBackwardScratch.of(model.irrepsIn1().dim(), model.irrepsOut().dim(),
                model.weightNumel(), copiesWeights());
        List<List<PathPlan>> parts = plan.pathClasses(NumberType.of(model.precision()).size(),
                Operation.values().length, poolEntriesPerClass);
        for (int g = 0; g < parts.size(); g++) {
            PathGroup group = parts.size() == 1 ? new PathGroup(null, constants, parts.get(g))
                    : new PathGroup("Paths" + g, ConstantPool.tensorProduct(), parts.get(g));
            for (PathPlan path : parts.get(g)) {
                PathWriter writer = new PathWriter(path, group.constants(), doubleBackwardScratch,
                        plan.irMulInPlace(), plan.assignments(path, PathWriter.FUSED_BACKWARD_USES_PER_TERM));
                pathWriters.add(writer);
                groups.put(writer, group);
            }
        }
        channelLast = plan.channelLast();
        forwardChannelLast = plan.forwardChannelLast();
        weightRows = plan.weightRows();
        backwardByColumns = plan.backwardByColumns();
        irMul = model.layout() == Layout.IR_MUL;
        irMulInPlace = plan.irMulInPlace();
    }

    public ClassName implementation() {
        return implementation;
    }

    /** The binary name's resource path of the audit file, {@code META-INF/e3j/<binary name>.json}. */
    public String auditResourceName() {
        return GeneratedFiles.auditResourceName(implementation);
    }

    /** The source of {@code <Spec>Impl}; {@code originatingElement} is the spec (for incremental builds). */
    public JavaFile javaFile(Element originatingElement) {
        List<NumberType> types = NumberType.of(model.precision());
        TypeSpec.Builder type = TypeSpec.classBuilder(implementation)
                .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addSuperinterface(spec)
                .addJavadoc(classJavadoc());
        type.addField(KernelSurface.irrepsField("IRREPS_IN1", model.irrepsIn1()));
        type.addField(KernelSurface.irrepsField("IRREPS_IN2", model.irrepsIn2()));
        type.addField(KernelSurface.irrepsField("IRREPS_OUT", model.irrepsOut()));
        type.addField(KernelSurface.intField("DIM_IN1", model.irrepsIn1().dim()));
        type.addField(KernelSurface.intField("DIM_IN2", model.irrepsIn2().dim()));
        type.addField(KernelSurface.intField("DIM_OUT", model.irrepsOut().dim()));
        type.addField(KernelSurface.intField("WEIGHT_NUMEL", model.weightNumel()));
        type.addField(KernelSurface.intField("BLOCK_SIZE", blockSize()));
        if (model.sharedWeights() && model.weightNumel() > 0) {
            type.addField(KernelSurface.intField("MAX_PARTIAL_SUMS", MAX_PARTIAL_SUMS));
        }
        if (channelLast) {
            doubleBackwardScratch.fields().forEach((name, value) -> type.addField(KernelSurface.intField(name, value)));
        }
        if (weightRows) {
            type.addField(KernelSurface.intField("WEIGHT_ROWS", plan.weightRowCount()));
            if (backwardByColumns) {
                type.addField(KernelSurface.intField("WEIGHT_COLUMNS", plan.weightColumnCount()));
            }
        }

        List<MethodSpec> methods = new ArrayList<>();
        methods.add(MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC).build());
        methods.add(KernelSurface.getter("irrepsIn1", IRREPS, "IRREPS_IN1"));
        methods.add(KernelSurface.getter("irrepsIn2", IRREPS, "IRREPS_IN2"));
        methods.add(KernelSurface.getter("irrepsOut", IRREPS, "IRREPS_OUT"));
        methods.add(KernelSurface.getter("weightNumel", TypeName.INT, "WEIGHT_NUMEL"));
        methods.add(KernelSurface.getter("sharedWeights", TypeName.BOOLEAN, Boolean.toString(model.sharedWeights())));
        List<MethodSpec> helpers = new ArrayList<>();
        for (NumberType number : types) {
            methods.add(forward(number));
            methods.add(backward(number));
            methods.add(doubleBackward(number));
        }
        if (!model.square() && (long) model.irrepsIn1().dim() * model.irrepsOut().dim() <= Integer.MAX_VALUE) {
            for (NumberType number : types) {
                methods.add(right(number));
            }
        }
        methods.addAll(weightViews());
        for (NumberType number : types) {
            List<MethodSpec> blocks = List.of(forwardBlock(number, helpers), backwardBlock(number, helpers),
                    doubleBackwardBlock(number, helpers));
            methods.addAll(blocks);
            for (MethodSpec block : blocks) {
                if (convertsBlocks(block.name())) {
                    methods.add(irMulBlock(number, block));
                }
            }
        }
        List<Operation> operations = new ArrayList<>(List.of(
                forwardChannelLast ? Operation.FORWARD_CHANNEL_LAST : Operation.FORWARD, Operation.FORWARD_SAMPLES,
                Operation.FORWARD_WEIGHT_ROWS, Operation.GRAD_X1, Operation.GRAD_X2, Operation.GRAD_WEIGHTS,
                Operation.BACKWARD, Operation.BACKWARD_SAMPLES, Operation.BACKWARD_WEIGHT_ROWS,
                Operation.BACKWARD_BY_PAIRS, Operation.BACKWARD_INPUTS,
                channelLast ? Operation.DOUBLE_BACKWARD_CHANNEL_LAST : Operation.DOUBLE_BACKWARD,
                Operation.DOUBLE_BACKWARD_WEIGHT_ROWS));
        if (types.stream().anyMatch(this::channelLastBackward)) {
            operations.add(Operation.BACKWARD_CHANNEL_LAST);
        }
        Map<PathGroup, List<MethodSpec>> nestedMethods = new LinkedHashMap<>();
        for (NumberType number : types) {
            for (PathWriter writer : pathWriters) {
                PathGroup group = groups.get(writer);
                List<MethodSpec> target = group.nested()
                        ? nestedMethods.computeIfAbsent(group, g -> new ArrayList<>()) : helpers;
                for (Operation operation : operations) {
                    if (calledPathMethods.contains(new PathCall(writer, operation, number))) {
                        target.addAll(writer.methods(operation, number));
                    }
                }
            }
        }
        methods.addAll(helpers);
        if (channelLast) {
            types.stream().filter(this::touchesNextSample).forEach(number -> methods.add(touchLines(number)));
        }
        if (channelLast && !irMul) {
            for (NumberType number : types) {
                // the forward's and the fused backward's transposes, then the double backward's
                if (forwardChannelLast || channelLastBackward(number)) {
                    methods.addAll(toChannelLast("in1ToChannelLast", model.irrepsIn1(), number));
                }
                if (channelLastBackward(number)) {
                    methods.addAll(fromChannelLast("in1FromChannelLast", model.irrepsIn1(), number));
                    methods.addAll(toChannelLast("outToChannelLast", model.irrepsOut(), number));
                }
                methods.addAll(toScratch("in1ToScratch", model.irrepsIn1(), number));
                methods.addAll(fromScratch("in1FromScratch", model.irrepsIn1(), number));
                methods.addAll(toScratch("outToScratch", model.irrepsOut(), number));
                methods.addAll(fromScratch("outFromScratch", model.irrepsOut(), number));
            }
        }
        if (forwardChannelLast && !irMul || weightRows && !irMulInPlace) {
            for (NumberType number : types) {
                methods.addAll(fromChannelLast("outFromChannelLast", model.irrepsOut(), number));
            }
        }
        if (irMul && !irMulInPlace) {
            for (NumberType number : types) {
                for (String operand : List.of("in1", "in2", "out")) {
                    methods.addAll(blockConversions(operand, dimensionOfOperand(operand), irrepsOf(operand),
                            number));
                }
            }
        }
        if (weightRows) {
            for (NumberType number : types) {
                if ((backwardByColumns || backwardByPairs()) && !irMulInPlace) {
                    methods.addAll(toChannelLast("gradOutToChannelLast", model.irrepsOut(), number));
                }
                methods.addAll(weightRowMethods(number));
            }
        }
        methods.addAll(checks.methods(types.stream().<TypeName>map(NumberType::arrayType).toList()));
        for (NumberType number : types) {
            constants.fields(number).forEach(type::addField);
        }
        type.addMethods(methods);
        for (PathGroup group : nestedMethods.keySet()) {
            TypeSpec.Builder nested = TypeSpec.classBuilder(group.name())
                    .addModifiers(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                    .addJavadoc("Path methods of paths $L to $L, with their constants (a class file holds at most"
                            + " 65535 constants).\n", group.paths().get(0).path().index(),
                            group.paths().get(group.paths().size() - 1).path().index());
            for (NumberType number : types) {
                group.constants().fields(number).forEach(nested::addField);
            }
            nested.addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE).build());
            nested.addMethods(nestedHelpers.getOrDefault(group, List.of()));
            nested.addMethods(nestedMethods.get(group));
            type.addType(nested.build());
        }
        return GeneratedFiles.javaFile(implementation, type.build(),
                "e3nn 0.5.4 tensor product, exact Clebsch-Gordan coefficients"
                        + CgConventions.suffix(model.cgConvention()), originatingElement);
    }

    private CodeBlock classJavadoc() {
        CodeBlock.Builder doc = CodeBlock.builder();
        doc.add("Tensor product {@code $L (x) $L -> $L} ($L), generated from {@link $T} to match e3nn 0.5.4$L.\n",
                model.irrepsIn1(), model.square() ? model.irrepsIn1() : model.irrepsIn2(), model.irrepsOut(),
                model.kind(), spec, CgConventions.suffix(model.cgConvention()));
        doc.add("\n<p>Irrep normalization $L, path normalization $L; $L weights$L.\n", model.irrepNormalization(),
                model.pathNormalization(), model.weightNumel(),
                model.weightNumel() == 0 ? "" : model.sharedWeights() ? ", shared by the batch" : " per sample");
        if (irMul) {
            doc.add("\n<p>Layout {@code ir_mul}: channel {@code u}, component {@code m} of the block {@code mul x ir} at"
                    + " offset {@code o} of {@code x1}, {@code x2}, {@code out} and their gradients sit at"
                    + " {@code o + m * mul + u} (e3nn's {@code mul_ir} to and from it: {@code Layouts}); the weights"
                    + " keep e3nn's layout.\n");
        }
        if (model.square()) {
            doc.add("\n<p>A tensor square: {@code x2} must be {@code x1} (or null); {@code gradX1} receives the"
                    + " total gradient and {@code gradX2} is ignored. In {@code doubleBackward}, as in e3nn's autograd"
                    + " of {@code TensorSquare}, {@code x1} is the one input: {@code ggX1} is the cotangent of that"
                    + " total gradient, {@code gX1} receives the total second derivative, {@code ggX2} must be null"
                    + " and {@code gX2} is ignored.\n");
        }
        doc.add("\n<p>Paths, {@code out_k += coefficient * sum_ij w3j[i][j][k] x1_i x2_j} (times the weight):\n<ul>\n");
        for (PathModel path : model.paths()) {
            doc.add("<li>{@code $L}: coefficient {@code $L}, $L CG terms$L</li>\n", path.describe(),
                    path.coefficient(), path.terms().size(),
                    path.weighted() ? ", weights from " + path.weightOffset() : "");
        }
        doc.add("</ul>\n");
        return doc.build();
    }

    private MethodSpec forward(NumberType number) {
        MethodSpec.Builder method = MethodSpec.methodBuilder("forward")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addParameter(TypeName.INT, "batch");
        for (String name : List.of("x1", "x2", "weights", "out")) {
            method.addParameter(number.arrayType(), name);
        }
        checkCommonArguments(method, "forward");
        method.addCode(checks.perSample("forward", "out", "DIM_OUT"));
        method.addCode(checks.distinct("forward", List.of("out"), List.of("x1", "x2", "weights")));
        if (weightRows) {
            method.addStatement("$T weightRows = weightRows(weights)", ArrayTypeName.of(number.arrayType()));
            method.addStatement("$T.run(batch, BLOCK_SIZE, (block, from, to) -> $L(from, to, x1, x2,"
                    + " weights, weightRows, out))", BATCH_BLOCKS, blockEntry("forwardBlock"));
            return method.build();
        }
        method.addStatement("$T.run(batch, BLOCK_SIZE, (block, from, to) -> $L(from, to, x1, x2, weights,"
                + " out))", BATCH_BLOCKS, blockEntry("forwardBlock"));
        return method.build();
    }

    /**
     * e3nn's {@code right(x2, weights)}: the operator of {@code x1} for fixed {@code x2}, as the forward pass of the
     * unit vectors of {@code in1} with each sample's {@code x2}: row {@code i} of a sample's {@code [DIM_IN1][DIM_OUT]}
     * block is {@code forward(e_i, x2)}, exact because the product is linear in {@code x1}. Not written for
     * {@code SQUARE} products, nor where {@code DIM_IN1 * DIM_OUT} exceeds an {@code int}.
     */
    private MethodSpec right(NumberType number) {
        TypeName array = number.arrayType();
        boolean perSampleWeights = !model.sharedWeights() && model.weightNumel() > 0;
        MethodSpec.Builder method = MethodSpec.methodBuilder("right")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addParameter(TypeName.INT, "batch")
                .addParameter(array, "x2")
                .addParameter(array, "weights")
                .addParameter(array, "out")
                .addCode(checks.nonNegativeCount("right"))
                .addCode(checks.perSample("right", "x2", "DIM_IN2"))
                .addCode(weightsCheck("right", "weights"))
                .addCode(checks.perSample("right", "out", (long) model.irrepsIn1().dim() * model.irrepsOut().dim()))
                .addCode(checks.distinct("right", List.of("out"), List.of("x2", "weights")))
                .addStatement("int rows = Math.multiplyExact(batch, DIM_IN1)")
                .addStatement("$T basis = new $T[Math.multiplyExact(rows, DIM_IN1)]", array, number.type())
                .addStatement("$T x2Rows = new $T[Math.multiplyExact(rows, DIM_IN2)]", array, number.type());
        if (perSampleWeights) {
            method.addStatement("$T rowWeights = new $T[Math.multiplyExact(rows, WEIGHT_NUMEL)]", array,
                    number.type());
        }
        method.beginControlFlow("for (int b = 0; b < batch; b++)")
                .beginControlFlow("for (int i = 0; i < DIM_IN1; i++)")
                .addStatement("int row = b * DIM_IN1 + i")
                .addStatement("basis[row * DIM_IN1 + i] = 1")
                .addStatement("$T.arraycopy(x2, b * DIM_IN2, x2Rows, row * DIM_IN2, DIM_IN2)", System.class);
        if (perSampleWeights) {
            method.addStatement("$T.arraycopy(weights, b * WEIGHT_NUMEL, rowWeights, row * WEIGHT_NUMEL,"
                    + " WEIGHT_NUMEL)", System.class);
        }
        return method.endControlFlow()
                .endControlFlow()
                .addStatement("forward(rows, basis, x2Rows, $L, out)", perSampleWeights ? "rowWeights" : "weights")
                .build();
    }

    /**
     * {@code weightViews()}: one {@code WeightView} per weighted path, e3nn's {@code path_shape} at its offset; in
     * helper methods of {@link TensorProductPlan#VIEWS_PER_METHOD} views each where there are more.
     */
    private List<MethodSpec> weightViews() {
        ClassName view = ClassName.get("dev.e3j.runtime", "WeightView");
        TypeName list = ParameterizedTypeName.get(ClassName.get(List.class), view);
        List<CodeBlock> views = new ArrayList<>();
        for (PathModel path : model.paths()) {
            if (path.weightCount() == 0) {
                continue;
            }
            views.add(CodeBlock.of("views.add(new $T($L, $L, $L, $L, $S, $L, $T.of($L)));\n", view, path.index(),
                    path.in1(), path.in2(), path.out(), path.mode().token(), path.weightOffset(), List.class,
                    weightShape(path).stream().map(String::valueOf).collect(Collectors.joining(", "))));
        }
        MethodSpec.Builder method = MethodSpec.methodBuilder("weightViews")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .returns(list);
        if (views.isEmpty()) {
            return List.of(method.addStatement("return $T.of()", List.class).build());
        }
        method.addStatement("$T views = new $T<>()", list, ArrayList.class);
        List<MethodSpec> methods = new ArrayList<>();
        List<List<CodeBlock>> parts = TensorProductPlan.VIEWS.pack(views);
        if (parts.size() == 1) {
            views.forEach(method::addCode);
        } else {
            for (int part = 0; part < parts.size(); part++) {
                MethodSpec.Builder helper = MethodSpec.methodBuilder("weightViews" + part)
                        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                        .addParameter(list, "views");
                parts.get(part).forEach(helper::addCode);
                methods.add(helper.build());
                method.addStatement("weightViews$L(views)", part);
            }
        }
        methods.add(0, method.addStatement("return $T.copyOf(views)", List.class).build());
        return methods;
    }

    /** e3nn's {@code path_shape} of a weighted path. */
    private static List<Integer> weightShape(PathModel path) {
        int mul1 = path.entry1().mul();
        int mul2 = path.entry2().mul();
        int mulOut = path.entryOut().mul();
        return switch (path.mode()) {
            case UVW -> List.of(mul1, mul2, mulOut);
            case UVU, UVV, UVUV -> List.of(mul1, mul2);
            case UUW -> List.of(mul1, mulOut);
            case UUU -> List.of(mul1);
            case UVU_LT_V -> List.of(mul1 * (mul2 - 1) / 2);
            case U_LT_VW -> List.of(mul1 * (mul2 - 1) / 2, mulOut);
        };
    }

    /**
     * {@code out} of samples {@code from..to-1}: zeroed, then every path accumulates into it; or, where the paths
     * over the samples assign it ({@link TensorProductPlan#assignsOutputs()}), written once by them.
     */
    private MethodSpec forwardBlock(NumberType number, List<MethodSpec> helpers) {
        MethodSpec.Builder method = MethodSpec.methodBuilder("forwardBlock")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(TypeName.INT, "from")
                .addParameter(TypeName.INT, "to");
        for (String name : List.of("x1", "x2", "weights")) {
            method.addParameter(number.arrayType(), name);
        }
        if (weightRows) {
            method.addParameter(ArrayTypeName.of(number.arrayType()), "weightRows");
        }
        method.addParameter(number.arrayType(), "out");
        if (weightRows) {
            // The weight-row paths sum into channel-last scratch, which is copied into out; the others add to that.
            method.addStatement("$T[] outT = new $T[DIM_OUT]", number.type(), number.type());
            CodeBlock before = CodeBlock.builder().addStatement("$T.fill(outT, $L)", ARRAYS, number.zero()).build();
            CodeBlock copyOut = sampleOutOfScratch(irMulInPlace, "outT", "out");
            boolean others = pathWriters.stream().anyMatch(writer -> !writer.plan().readsWeightRows());
            List<Operation> operations = others ? List.of(Operation.FORWARD_WEIGHT_ROWS, Operation.FORWARD)
                    : List.of(Operation.FORWARD_WEIGHT_ROWS);
            method.addCode(batchLoop(number, operations, binding(), MAX_CALLS_PER_METHOD, helpers, before,
                    Map.of(Operation.FORWARD_WEIGHT_ROWS, copyOut)));
            return method.build();
        }
        if (!forwardChannelLast) {
            if (!plan.assignsOutputs()) {
                method.addStatement("$T.fill(out, from * DIM_OUT, to * DIM_OUT, $L)", ARRAYS, number.zero());
            }
            // each path method loops over the block's samples itself, or one call per path and sample
            Operation forward = plan.pathsOverSamples() ? Operation.FORWARD_SAMPLES : Operation.FORWARD;
            method.addCode(batchLoop(number, List.of(forward), binding(), MAX_CALLS_PER_METHOD, helpers));
            return method.build();
        }
        // Channel-last scratch, allocated once per block: each sample is copied in, computed and copied out.
        method.addStatement("$T[] x1T = new $T[DIM_IN1]", number.type(), number.type());
        method.addStatement("$T[] outT = new $T[DIM_OUT]", number.type(), number.type());
        boolean copyWeights = copiesWeights();
        if (copyWeights) {
            method.addStatement("$T[] sampleWeights = new $T[WEIGHT_NUMEL]", number.type(), number.type());
        }
        // ir_mul arguments are channel-last already: plain copies.
        CodeBlock.Builder before = CodeBlock.builder().addStatement(irMul
                ? "System.arraycopy(x1, b * DIM_IN1, x1T, 0, DIM_IN1)" : "in1ToChannelLast(x1, b * DIM_IN1, x1T)");
        if (copyWeights) {
            before.addStatement("System.arraycopy(weights, b * WEIGHT_NUMEL, sampleWeights, 0, WEIGHT_NUMEL)");
        }
        before.addStatement("$T.fill(outT, $L)", ARRAYS, number.zero());
        CodeBlock after = sampleOutOfScratch(irMul, "outT", "out");
        method.addCode(batchLoop(number, List.of(Operation.FORWARD_CHANNEL_LAST), binding(), MAX_CALLS_PER_METHOD,
                helpers, before.build(), Map.of(Operation.FORWARD_CHANNEL_LAST, after)));
        return method.build();
    }

    private MethodSpec backward(NumberType number) {
        MethodSpec.Builder method = MethodSpec.methodBuilder("backward")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addParameter(TypeName.INT, "batch");
        for (String name : List.of("x1", "x2", "weights", "gradOut", "gradX1", "gradX2", "gradWeights")) {
            method.addParameter(number.arrayType(), name);
        }
        checkCommonArguments(method, "backward");
        method.addCode(checks.perSample("backward", "gradOut", "DIM_OUT"));
        method.beginControlFlow("if (gradX1 != null)")
                .addCode(checks.perSample("backward", "gradX1", "DIM_IN1"))
                .endControlFlow();
        if (!model.square()) {
            method.beginControlFlow("if (gradX2 != null)")
                    .addCode(checks.perSample("backward", "gradX2", "DIM_IN2"))
                    .endControlFlow();
        }
        // Checked also without weights (WEIGHT_NUMEL = 0), as weights is: only null or an empty array fits.
        method.beginControlFlow("if (gradWeights != null)")
                .addCode(weightsCheck("backward", "gradWeights"))
                .endControlFlow();
        // A square ignores gradX2: it adds both inputs' gradients into gradX1.
        List<String> gradients = model.square() ? List.of("gradX1", "gradWeights")
                : List.of("gradX1", "gradX2", "gradWeights");
        method.addCode(checks.distinct("backward", gradients, List.of("x1", "x2", "weights", "gradOut")));
        String gradX2 = "gradX2";
        if (channelLast && model.weightNumel() > 0) {
            // Only x2 held fixed (energy training): the fused pass, whose x2 gradient costs a few sums per sample,
            // writes it into scratch; faster than one pass per gradient (mace-medium f64 4.6 against 7.2 ms).
            gradX2 = "gradX2OrScratch";
            method.addStatement("$T[] gradX2OrScratch = gradX2 == null && gradX1 != null && gradWeights != null"
                    + " ? new $T[batch * DIM_IN2] : gradX2", number.type(), number.type());
        }
        if (model.sharedWeights() && model.weightNumel() > 0) {
            // At most MAX_PARTIAL_SUMS blocks, each summing its samples' weight gradients into its own array; the
            // partial sums are then added in block order, so the result depends on the batch alone.
            method.addStatement("int blockSize = Math.max(BLOCK_SIZE, (batch + MAX_PARTIAL_SUMS - 1) / MAX_PARTIAL_SUMS)");
            method.addStatement("$T[][] partialSums = gradWeights == null ? null"
                    + " : new $T[$T.count(batch, blockSize)][WEIGHT_NUMEL]", number.type(), number.type(),
                    BATCH_BLOCKS);
            String columns = "";
            if (backwardByColumns) {
                // the fused pass (every gradient) reads the weights by columns
                method.addStatement("$T weightColumns = gradX1 != null && gradX2 != null && gradWeights != null"
                        + " ? weightColumns(weights) : null", ArrayTypeName.of(number.arrayType()));
                columns = " weightColumns,";
            }
            method.addStatement("$T.run(batch, blockSize, (block, from, to) -> $L(from, to, x1, x2,"
                    + " weights,$L gradOut, gradX1, $L, partialSums == null ? null : partialSums[block]))",
                    BATCH_BLOCKS, blockEntry("backwardBlock"), columns, gradX2);
            method.beginControlFlow("if (gradWeights != null)")
                    .addStatement("$T.fill(gradWeights, $L)", ARRAYS, number.zero())
                    .beginControlFlow("for ($T[] partialSum : partialSums)", number.type())
                    .beginControlFlow("for (int i = 0; i < WEIGHT_NUMEL; i++)")
                    .addStatement("gradWeights[i] += partialSum[i]")
                    .endControlFlow()
                    .endControlFlow()
                    .endControlFlow();
        } else {
            method.addStatement("$T.run(batch, BLOCK_SIZE, (block, from, to) -> $L(from, to, x1, x2,"
                    + " weights, gradOut, gradX1, $L, gradWeights))", BATCH_BLOCKS, blockEntry("backwardBlock"),
                    gradX2);
        }
        return method.build();
    }

    /**
     * {@code doubleBackward}: the arguments checked as {@code backward}'s, a null cotangent replaced by zeros and a
     * null gradient by scratch, then one fused pass per path ({@link Operation#DOUBLE_BACKWARD}, or
     * {@link Operation#DOUBLE_BACKWARD_WEIGHT_ROWS} where the backward goes by weight columns, on the rows and
     * columns of the weights and of their cotangents) over blocks of samples; shared weights sum their gradient per
     * block, then over the blocks in order, as {@code backward}. A square's one input is {@code x1}: {@code ggX1} is
     * the cotangent of its total gradient, {@code gX1} receives the total gradient, {@code gX2} is ignored (as
     * {@code backward}'s {@code gradX2}) and {@code ggX2} must be null.
     */
    private MethodSpec doubleBackward(NumberType number) {
        TypeName array = number.arrayType();
        String name = "doubleBackward";
        MethodSpec.Builder method = MethodSpec.methodBuilder(name)
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addParameter(TypeName.INT, "batch");
        for (String parameter : List.of("x1", "x2", "weights", "gradOut", "ggX1", "ggX2", "ggWeights", "gX1", "gX2",
                "gWeights", "gGradOut")) {
            method.addParameter(array, parameter);
        }
        checkCommonArguments(method, name);
        method.addCode(checks.perSample(name, "gradOut", "DIM_OUT"));
        boolean weighted = model.weightNumel() > 0;
        List<String> optional = new ArrayList<>(List.of("ggX1", "ggX2", "ggWeights", "gX1", "gX2", "gWeights",
                "gGradOut"));
        if (model.square()) {
            method.beginControlFlow("if (ggX2 != null)")
                    .addStatement("throw invalid($S, $S)", name, "ggX2 must be null: a tensor square has one input,"
                            + " x1, whose gradient's cotangent is ggX1")
                    .endControlFlow();
            optional.removeAll(List.of("ggX2", "gX2"));
        }
        for (String argument : optional) {
            CodeBlock check = switch (argument) {
                case "ggX1", "gX1" -> checks.perSample(name, argument, "DIM_IN1");
                case "ggX2", "gX2" -> checks.perSample(name, argument, "DIM_IN2");
                case "gGradOut" -> checks.perSample(name, argument, "DIM_OUT");
                default -> weightsCheck(name, argument);
            };
            method.beginControlFlow("if ($L != null)", argument).addCode(check).endControlFlow();
        }
        List<String> gradients = model.square() ? List.of("gX1", "gWeights", "gGradOut")
                : List.of("gX1", "gX2", "gWeights", "gGradOut");
        List<String> read = model.square() ? List.of("x1", "x2", "weights", "gradOut", "ggX1", "ggWeights")
                : List.of("x1", "x2", "weights", "gradOut", "ggX1", "ggX2", "ggWeights");
        method.addCode(checks.distinct(name, gradients, read));
        // A null cotangent is zero; a null gradient is computed into scratch and dropped.
        method.addStatement("$T cotangentX1 = ggX1 != null ? ggX1 : new $T[batch * DIM_IN1]", array, number.type());
        String cotangentX2 = "null";
        String gradientX2 = "null";
        if (!model.square()) {
            method.addStatement("$T cotangentX2 = ggX2 != null ? ggX2 : new $T[batch * DIM_IN2]", array,
                    number.type());
            method.addStatement("$T gradientX2 = gX2 != null ? gX2 : new $T[batch * DIM_IN2]", array, number.type());
            cotangentX2 = "cotangentX2";
            gradientX2 = "gradientX2";
        }
        method.addStatement("$T gradientX1 = gX1 != null ? gX1 : new $T[batch * DIM_IN1]", array, number.type());
        method.addStatement("$T gradientOut = gGradOut != null ? gGradOut : new $T[batch * DIM_OUT]", array,
                number.type());
        String cotangentWeights = "null";
        if (weighted) {
            method.addStatement("$T cotangentWeights = ggWeights != null ? ggWeights : new $T[$L]", array,
                    number.type(), model.sharedWeights() ? "WEIGHT_NUMEL" : "batch * WEIGHT_NUMEL");
            cotangentWeights = "cotangentWeights";
        }
        String rows = "";
        if (backwardByColumns) {
            // the paths whose backward goes by columns read the weights and their cotangents by rows and columns
            TypeName rowsType = ArrayTypeName.of(array);
            method.addStatement("$T weightRows = weightRows(weights)", rowsType);
            method.addStatement("$T weightColumns = weightColumns(weights)", rowsType);
            method.addStatement("$T ggWeightRows = weightRows(cotangentWeights)", rowsType);
            method.addStatement("$T ggWeightColumns = weightColumns(cotangentWeights)", rowsType);
            rows = " weightRows, weightColumns, ggWeightRows, ggWeightColumns,";
        }
        String arguments = "x1, x2, weights, gradOut, cotangentX1, " + cotangentX2 + ", " + cotangentWeights + ","
                + rows + " gradientX1, " + gradientX2 + ", ";
        if (model.sharedWeights() && weighted) {
            method.addStatement("int blockSize = Math.max(BLOCK_SIZE, (batch + MAX_PARTIAL_SUMS - 1) / MAX_PARTIAL_SUMS)");
            method.addStatement("$T[][] partialSums = new $T[$T.count(batch, blockSize)][WEIGHT_NUMEL]", number.type(),
                    number.type(), BATCH_BLOCKS);
            method.addStatement("$T.run(batch, blockSize, (block, from, to) -> $L(from, to, $L"
                    + "partialSums[block], gradientOut))", BATCH_BLOCKS, blockEntry("doubleBackwardBlock"), arguments);
            method.beginControlFlow("if (gWeights != null)")
                    .addStatement("$T.fill(gWeights, $L)", ARRAYS, number.zero())
                    .beginControlFlow("for ($T[] partialSum : partialSums)", number.type())
                    .beginControlFlow("for (int i = 0; i < WEIGHT_NUMEL; i++)")
                    .addStatement("gWeights[i] += partialSum[i]")
                    .endControlFlow()
                    .endControlFlow()
                    .endControlFlow();
            return method.build();
        }
        if (weighted) {
            method.addStatement("$T gradientWeights = gWeights != null ? gWeights : new $T[batch * WEIGHT_NUMEL]",
                    array, number.type());
        } else {
            // No weights, no weight gradient: only null or an empty array was accepted.
            method.addStatement("$T gradientWeights = null", array);
        }
        method.addStatement("$T.run(batch, BLOCK_SIZE, (block, from, to) -> $L(from, to, $L"
                + "gradientWeights, gradientOut))", BATCH_BLOCKS, blockEntry("doubleBackwardBlock"), arguments);
        return method.build();
    }

    /**
     * The second derivatives of samples {@code from..to-1}: the gradients zeroed, then one fused pass per path. With
     * shared weights {@code gWeights} is the block's own zeroed partial sum.
     */
    private MethodSpec doubleBackwardBlock(NumberType number, List<MethodSpec> helpers) {
        MethodSpec.Builder method = MethodSpec.methodBuilder("doubleBackwardBlock")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(TypeName.INT, "from")
                .addParameter(TypeName.INT, "to");
        TypeName rowsType = ArrayTypeName.of(number.arrayType());
        for (String name : List.of("x1", "x2", "weights", "gradOut", "ggX1", "ggX2", "ggWeights", "gX1", "gX2",
                "gWeights", "gGradOut")) {
            method.addParameter(number.arrayType(), name);
            if (name.equals("ggWeights") && backwardByColumns) {
                for (String rows : List.of("weightRows", "weightColumns", "ggWeightRows", "ggWeightColumns")) {
                    method.addParameter(rowsType, rows);
                }
            }
        }
        if (channelLast) {
            // gX2 accumulates in place; the other gradients are copied out of per-sample scratch
            method.addStatement("$T.fill(gX2, from * DIM_IN2, to * DIM_IN2, $L)", ARRAYS, number.zero());
            method.addCode(channelLastDoubleBackwardLoop(number, helpers));
            return method.build();
        }
        method.addStatement("$T.fill(gX1, from * DIM_IN1, to * DIM_IN1, $L)", ARRAYS, number.zero());
        if (!model.square()) {
            method.addStatement("$T.fill(gX2, from * DIM_IN2, to * DIM_IN2, $L)", ARRAYS, number.zero());
        }
        if (model.weightNumel() > 0 && !model.sharedWeights()) {
            method.addStatement("$T.fill(gWeights, from * WEIGHT_NUMEL, to * WEIGHT_NUMEL, $L)", ARRAYS,
                    number.zero());
        }
        method.addStatement("$T.fill(gGradOut, from * DIM_OUT, to * DIM_OUT, $L)", ARRAYS, number.zero());
        if (!backwardByColumns) {
            method.addCode(batchLoop(number, List.of(Operation.DOUBLE_BACKWARD), binding(), MAX_CALLS_PER_METHOD,
                    helpers));
            return method.build();
        }
        // As the backward: the paths whose backward goes by columns read gradOut and write gGradOut channel-last and
        // sum their weight gradient into rows of their own; the others follow on mul_ir, adding to gGradOut.
        method.addStatement("$T[] gradOutT = new $T[DIM_OUT]", number.type(), number.type());
        method.addStatement("$T[] gGradOutT = new $T[DIM_OUT]", number.type(), number.type());
        method.addStatement("$T[] gT = new $T[$L]", number.type(), number.type(), plan.gScratch());
        method.addStatement("$T[] hT = new $T[$L]", number.type(), number.type(), plan.gScratch());
        method.addStatement("$T[][] gradRows = new $T[WEIGHT_ROWS][]", number.type(), number.type());
        method.addStatement("allocateGradientRows(gradRows)");
        CodeBlock before = CodeBlock.builder()
                .addStatement(gradOutIntoScratch())
                .addStatement("$T.fill(gGradOutT, $L)", ARRAYS, number.zero())
                .build();
        CodeBlock copyOut = sampleOutOfScratch(irMulInPlace, "gGradOutT", "gGradOut");
        boolean others = pathWriters.stream().anyMatch(writer -> !writer.plan().backwardByColumns());
        List<Operation> operations = others
                ? List.of(Operation.DOUBLE_BACKWARD_WEIGHT_ROWS, Operation.DOUBLE_BACKWARD)
                : List.of(Operation.DOUBLE_BACKWARD_WEIGHT_ROWS);
        method.addCode(batchLoop(number, operations, binding(), MAX_CALLS_PER_METHOD, helpers, before,
                Map.of(Operation.DOUBLE_BACKWARD_WEIGHT_ROWS, copyOut)));
        method.addStatement("addGradientRows(gradRows, gWeights)");
        return method.build();
    }

    /**
     * Operations only a weighted path has: the weight gradient, and the input gradients without it (which an
     * unweighted path's {@link Operation#BACKWARD} already is).
     */
    private static boolean weightsOnly(Operation operation) {
        return operation == Operation.GRAD_WEIGHTS || operation == Operation.BACKWARD_INPUTS;
    }

    /**
     * Whether {@code writer} has methods for {@code operation}: the weight-only operations need weights, and the
     * forward is by weight rows for the paths that read them ({@link #weightRows}) and plain for the others.
     */
    private boolean writes(PathWriter writer, Operation operation) {
        if (weightsOnly(operation)) {
            return writer.weighted();
        }
        return switch (operation) {
            case FORWARD_WEIGHT_ROWS -> writer.plan().readsWeightRows();
            case FORWARD -> !writer.plan().readsWeightRows() && !plan.pathsOverSamples();
            case BACKWARD_WEIGHT_ROWS -> writer.plan().backwardByColumns();
            case BACKWARD_BY_PAIRS -> plan.backwardByPairs(writer.plan());
            case BACKWARD -> !writer.plan().backwardByColumns() && !plan.backwardByPairs(writer.plan())
                    && !plan.pathsOverSamples();
            case FORWARD_SAMPLES, BACKWARD_SAMPLES -> plan.pathsOverSamples();
            case DOUBLE_BACKWARD_WEIGHT_ROWS -> writer.plan().backwardByColumns();
            case DOUBLE_BACKWARD -> !writer.plan().backwardByColumns();
            default -> true;
        };
    }

    /**
     * The per-call and per-block arrays of the weight-row paths, each array its own (HotSpot's superword vectorizes
     * only loops that index arrays from a constant):
     * <ul>
     * <li>{@code weightRows(weights)}: the rows {@code W[u v][0..mulOut)}, for the forward;</li>
     * <li>{@code weightColumns(weights)}: the columns {@code W[.][w]} over the channel pairs, for the fused
     * backward;</li>
     * <li>{@code allocateGradientRows(rows)} and {@code addGradientRows(rows, gradWeights)}: a block's
     * weight-gradient rows and their sum into its partial sums.</li>
     * </ul>
     * One call per run of consecutive paths with rows of one length (per path for the columns), in helpers of at most
     * {@link #MAX_CALLS_PER_METHOD} calls.
     */
    private List<MethodSpec> weightRowMethods(NumberType number) {
        TypeName rowsType = ArrayTypeName.of(number.arrayType());
        List<int[]> runs = new ArrayList<>(); // {first row, weight offset, rows, row length}
        List<int[]> gradientRuns = new ArrayList<>(); // the same for the paths whose backward goes by columns
        List<int[]> columns = new ArrayList<>(); // {first column, weight offset, pairs, row length}
        for (PathPlan path : plan.paths()) {
            if (!path.readsWeightRows()) {
                continue;
            }
            addToRuns(runs, path);
            if (path.backwardByColumns()) {
                addToRuns(gradientRuns, path);
                columns.add(new int[] {path.firstWeightColumn(), path.path().weightOffset(), path.weightRowCount(),
                        path.weightRowLength()});
            }
        }
        List<MethodSpec> methods = new ArrayList<>();
        methods.addAll(callsInParts(MethodSpec.methodBuilder("weightRows")
                .addJavadoc("The shared weights of the paths that read them by rows: one array per row"
                        + " {@code W[u v][0..mulOut)}.\n")
                .returns(rowsType)
                .addParameter(number.arrayType(), "weights")
                .addStatement("$T[][] rows = new $T[WEIGHT_ROWS][]", number.type(), number.type()),
                runs.stream().map(run -> CodeBlock.of("copyRows(weights, rows, $L, $L, $L, $L)", run[0], run[1],
                        run[2], run[3])).toList(),
                List.of(number.arrayType(), rowsType), List.of("weights", "rows"), "return rows"));
        if (columns.isEmpty()) {
            methods.add(copyRowsMethod(number));
            return methods;
        }
        methods.addAll(callsInParts(MethodSpec.methodBuilder("weightColumns")
                .addJavadoc("The same weights by columns: {@code W[.][w]} over the channel pairs of a path, one array"
                        + " per output channel {@code w}.\n")
                .returns(rowsType)
                .addParameter(number.arrayType(), "weights")
                .addStatement("$T[][] columns = new $T[WEIGHT_COLUMNS][]", number.type(), number.type()),
                columns.stream().map(column -> CodeBlock.of("copyColumns(weights, columns, $L, $L, $L, $L)",
                        column[0], column[1], column[2], column[3])).toList(),
                List.of(number.arrayType(), rowsType), List.of("weights", "columns"), "return columns"));
        methods.addAll(callsInParts(MethodSpec.methodBuilder("allocateGradientRows")
                .addJavadoc("A block's weight-gradient rows: zeros, shaped as the weight rows.\n")
                .addParameter(rowsType, "rows"),
                gradientRuns.stream().map(run -> CodeBlock.of("newRows(rows, $L, $L, $L)", run[0], run[2], run[3]))
                        .toList(),
                List.of(rowsType), List.of("rows"), null));
        methods.addAll(callsInParts(MethodSpec.methodBuilder("addGradientRows")
                .addJavadoc("Adds a block's weight-gradient rows to its partial sums, in weight order.\n")
                .addParameter(rowsType, "rows")
                .addParameter(number.arrayType(), "gradWeights"),
                gradientRuns.stream().map(run -> CodeBlock.of("addRows(rows, gradWeights, $L, $L, $L, $L)", run[0],
                        run[1], run[2], run[3])).toList(),
                List.of(rowsType, number.arrayType()), List.of("rows", "gradWeights"), null));
        methods.add(copyRowsMethod(number));
        methods.add(MethodSpec.methodBuilder("copyColumns")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("Columns {@code firstColumn..firstColumn + length - 1} of the {@code pairs x length}"
                        + " weights from {@code offset} on.\n")
                .addParameter(number.arrayType(), "weights")
                .addParameter(rowsType, "columns")
                .addParameter(TypeName.INT, "firstColumn")
                .addParameter(TypeName.INT, "offset")
                .addParameter(TypeName.INT, "pairs")
                .addParameter(TypeName.INT, "length")
                .beginControlFlow("for (int w = 0; w < length; w++)")
                .addStatement("$T[] column = new $T[pairs]", number.type(), number.type())
                .beginControlFlow("for (int pair = 0; pair < pairs; pair++)")
                .addStatement("column[pair] = weights[offset + pair * length + w]")
                .endControlFlow()
                .addStatement("columns[firstColumn + w] = column")
                .endControlFlow()
                .build());
        methods.add(MethodSpec.methodBuilder("newRows")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(rowsType, "rows")
                .addParameter(TypeName.INT, "firstRow")
                .addParameter(TypeName.INT, "count")
                .addParameter(TypeName.INT, "length")
                .beginControlFlow("for (int r = 0; r < count; r++)")
                .addStatement("rows[firstRow + r] = new $T[length]", number.type())
                .endControlFlow()
                .build());
        methods.add(MethodSpec.methodBuilder("addRows")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(rowsType, "rows")
                .addParameter(number.arrayType(), "gradWeights")
                .addParameter(TypeName.INT, "firstRow")
                .addParameter(TypeName.INT, "offset")
                .addParameter(TypeName.INT, "count")
                .addParameter(TypeName.INT, "length")
                .beginControlFlow("for (int r = 0; r < count; r++)")
                .addStatement("$T[] row = rows[firstRow + r]", number.type())
                .beginControlFlow("for (int w = 0; w < length; w++)")
                .addStatement("gradWeights[offset + r * length + w] += row[w]")
                .endControlFlow()
                .endControlFlow()
                .build());
        return methods;
    }

    /** Appends the weight rows of {@code path} to the last run if they continue it. */
    private static void addToRuns(List<int[]> runs, PathPlan path) {
        int[] last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
        int firstRow = path.firstWeightRow();
        int weightOffset = path.path().weightOffset();
        if (last != null && last[0] + last[2] == firstRow && last[3] == path.weightRowLength()
                && last[1] + last[2] * last[3] == weightOffset) {
            last[2] += path.weightRowCount();
        } else {
            runs.add(new int[] {firstRow, weightOffset, path.weightRowCount(), path.weightRowLength()});
        }
    }

    private static MethodSpec copyRowsMethod(NumberType number) {
        return MethodSpec.methodBuilder("copyRows")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("Rows {@code firstRow..firstRow + count - 1}: {@code length} weights each, from"
                        + " {@code offset} on.\n")
                .addParameter(number.arrayType(), "weights")
                .addParameter(ArrayTypeName.of(number.arrayType()), "rows")
                .addParameter(TypeName.INT, "firstRow")
                .addParameter(TypeName.INT, "offset")
                .addParameter(TypeName.INT, "count")
                .addParameter(TypeName.INT, "length")
                .beginControlFlow("for (int r = 0; r < count; r++)")
                .addStatement("rows[firstRow + r] = $T.copyOfRange(weights, offset + r * length,"
                        + " offset + (r + 1) * length)", ARRAYS)
                .endControlFlow()
                .build();
    }

    /**
     * {@code method} (private static) with {@code calls} in its body, or calling helpers {@code name0, name1, ...}
     * that hold them {@link #MAX_CALLS_PER_METHOD} at a time, passing its parameters {@code names} on; then
     * {@code last} ({@code return ...}) if not null.
     */
    private static List<MethodSpec> callsInParts(MethodSpec.Builder method, List<CodeBlock> calls,
                                                 List<TypeName> types, List<String> names, String last) {
        method.addModifiers(Modifier.PRIVATE, Modifier.STATIC);
        List<MethodSpec> methods = new ArrayList<>();
        String name = method.build().name();
        List<List<CodeBlock>> parts = TensorProductPlan.CALLS.pack(calls);
        if (parts.size() <= 1) {
            calls.forEach(method::addStatement);
        } else {
            for (int part = 0; part < parts.size(); part++) {
                MethodSpec.Builder helper = MethodSpec.methodBuilder(name + part)
                        .addModifiers(Modifier.PRIVATE, Modifier.STATIC);
                for (int p = 0; p < types.size(); p++) {
                    helper.addParameter(types.get(p), names.get(p));
                }
                parts.get(part).forEach(helper::addStatement);
                methods.add(helper.build());
                method.addStatement("$L$L($L)", name, part, String.join(", ", names));
            }
        }
        if (last != null) {
            method.addStatement(last);
        }
        methods.add(0, method.build());
        return methods;
    }

    /**
     * The gradients of samples {@code from..to-1}: one fused pass per path when every gradient is wanted, or when
     * both input gradients are wanted without the weights' (forces), else one pass per wanted gradient while the
     * block's inputs are still in cache. With shared weights {@code gradWeights} is the block's own zeroed partial
     * sum.
     */
    private MethodSpec backwardBlock(NumberType number, List<MethodSpec> helpers) {
        MethodSpec.Builder method = MethodSpec.methodBuilder("backwardBlock")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(TypeName.INT, "from")
                .addParameter(TypeName.INT, "to");
        for (String name : List.of("x1", "x2", "weights", "gradOut", "gradX1", "gradX2", "gradWeights")) {
            method.addParameter(number.arrayType(), name);
            if (name.equals("weights") && backwardByColumns) {
                method.addParameter(ArrayTypeName.of(number.arrayType()), "weightColumns");
            }
        }
        Map<String, String> binding = binding();
        List<String> wanted = wantedGradients();
        // Every gradient wanted (training): one fused pass per path; otherwise one pass per wanted gradient.
        method.beginControlFlow("if ($L)", String.join(" && ", wanted));
        // The channel-last loop copies each sample's x1 gradient (and per-sample weight gradient) out whole; the
        // paths' fused backward (per sample or over the samples) may assign the gradients they write first.
        boolean assigned = !channelLastBackward(number)
                && plan.assignsGradients(PathWriter.FUSED_BACKWARD_USES_PER_TERM);
        if (!channelLastBackward(number) && !assigned) {
            method.addStatement("$T.fill(gradX1, from * DIM_IN1, to * DIM_IN1, $L)", ARRAYS, number.zero());
        }
        if (!model.square() && !assigned) {
            method.addStatement("$T.fill(gradX2, from * DIM_IN2, to * DIM_IN2, $L)", ARRAYS, number.zero());
        }
        if (model.weightNumel() > 0 && !model.sharedWeights() && !channelLastBackward(number) && !assigned) {
            method.addStatement("$T.fill(gradWeights, from * WEIGHT_NUMEL, to * WEIGHT_NUMEL, $L)", ARRAYS,
                    number.zero());
        }
        Map<String, String> fusedBinding = new LinkedHashMap<>(binding);
        if (model.square()) {
            fusedBinding.put("gradX2", "gradX1");
        }
        // The fused loops (all gradients; both inputs' without the weights'), then one loop per wanted gradient (x1
        // and x2 share one in a square).
        boolean inputsFused = model.weightNumel() > 0;
        int loops = wanted.size() == 1 ? 1 : 1 + (inputsFused ? 1 : 0) + wanted.size();
        int callBudget = MAX_CALLS_PER_METHOD / loops;
        if (backwardByColumns) {
            // The weight-row paths read gradOut channel-last and sum their weight gradient into rows of their own,
            // added to the block's partial sums at the end; the other paths as usual.
            TypeName rowsType = ArrayTypeName.of(number.arrayType());
            method.addStatement("$T[] gradOutT = new $T[DIM_OUT]", number.type(), number.type());
            method.addStatement("$T[] gT = new $T[$L]", number.type(), number.type(), plan.gScratch());
            method.addStatement("$T[][] gradRows = new $T[WEIGHT_ROWS][]", number.type(), number.type());
            method.addStatement("allocateGradientRows(gradRows)");
            CodeBlock before = CodeBlock.builder().addStatement(gradOutIntoScratch()).build();
            method.addCode(batchLoop(number, fusedOperations(), fusedBinding, callBudget, helpers, before, Map.of()));
            method.addStatement("addGradientRows(gradRows, gradWeights)");
        } else if (backwardByPairs()) {
            // the paths with few channel pairs read gradOut from a channel-last copy of the sample
            method.addStatement("$T[] gradOutT = new $T[DIM_OUT]", number.type(), number.type());
            CodeBlock before = CodeBlock.builder().addStatement(gradOutIntoScratch()).build();
            method.addCode(batchLoop(number, fusedOperations(), fusedBinding, callBudget, helpers, before, Map.of()));
        } else if (channelLastBackward(number)) {
            method.addCode(channelLastBackwardLoop(number, fusedBinding, callBudget, helpers));
        } else if (plan.pathsOverSamples()) {
            // each path method loops over the block's samples itself
            method.addCode(batchLoop(number, List.of(Operation.BACKWARD_SAMPLES), fusedBinding, callBudget, helpers));
        } else {
            method.addCode(batchLoop(number, List.of(Operation.BACKWARD), fusedBinding, callBudget, helpers));
        }
        if (wanted.size() == 1) {
            return method.endControlFlow().build();
        }
        method.addStatement("return");
        method.endControlFlow();
        if (inputsFused) {
            List<String> inputs = wanted.subList(0, wanted.size() - 1);
            method.beginControlFlow("if ($L)", String.join(" && ", inputs));
            method.addStatement("$T.fill(gradX1, from * DIM_IN1, to * DIM_IN1, $L)", ARRAYS, number.zero());
            if (!model.square()) {
                method.addStatement("$T.fill(gradX2, from * DIM_IN2, to * DIM_IN2, $L)", ARRAYS, number.zero());
            }
            method.addCode(batchLoop(number, List.of(Operation.BACKWARD_INPUTS), fusedBinding, callBudget, helpers));
            method.addStatement("return");
            method.endControlFlow();
        }
        method.beginControlFlow("if (gradX1 != null)");
        method.addStatement("$T.fill(gradX1, from * DIM_IN1, to * DIM_IN1, $L)", ARRAYS, number.zero());
        if (model.square()) {
            // d/dx of tp(x, x): the x1-gradient plus the x2-gradient, both evaluated at x2 = x1, into gradX1.
            Map<String, String> intoGradX1 = new LinkedHashMap<>(binding);
            intoGradX1.put("gradX2", "gradX1");
            method.addCode(batchLoop(number, List.of(Operation.GRAD_X1, Operation.GRAD_X2), intoGradX1, callBudget,
                    helpers));
        } else {
            method.addCode(batchLoop(number, List.of(Operation.GRAD_X1), binding, callBudget, helpers));
        }
        method.endControlFlow();
        if (!model.square()) {
            method.beginControlFlow("if (gradX2 != null)");
            method.addStatement("$T.fill(gradX2, from * DIM_IN2, to * DIM_IN2, $L)", ARRAYS, number.zero());
            method.addCode(batchLoop(number, List.of(Operation.GRAD_X2), binding, callBudget, helpers));
            method.endControlFlow();
        }
        if (model.weightNumel() > 0) {
            method.beginControlFlow("if (gradWeights != null)");
            if (!model.sharedWeights()) {
                method.addStatement("$T.fill(gradWeights, from * WEIGHT_NUMEL, to * WEIGHT_NUMEL, $L)", ARRAYS,
                        number.zero());
            }
            method.addCode(batchLoop(number, List.of(Operation.GRAD_WEIGHTS), binding, callBudget, helpers));
            method.endControlFlow();
        }
        return method.build();
    }

    /** Whether some path's fused backward unrolls its channel pairs ({@link TensorProductPlan#backwardByPairs}). */
    private boolean backwardByPairs() {
        return pathWriters.stream().anyMatch(writer -> plan.backwardByPairs(writer.plan()));
    }

    /**
     * The operations of the fused backward (every gradient) of a kernel that reads {@code gradOut} from channel-last
     * scratch, in order: by weight columns, by unrolled pairs, then the plain one, each where some path has it.
     */
    private List<Operation> fusedOperations() {
        return Stream.of(Operation.BACKWARD_WEIGHT_ROWS, Operation.BACKWARD_BY_PAIRS, Operation.BACKWARD)
                .filter(operation -> pathWriters.stream().anyMatch(writer -> writes(writer, operation))).toList();
    }

    /**
     * Sample {@code b} of the output-shaped {@code target} from its channel-last scratch {@code scratch}: a plain copy
     * where the kernel's arrays are {@code ir_mul} already ({@code plain}), else transposed to {@code mul_ir}.
     */
    private static CodeBlock sampleOutOfScratch(boolean plain, String scratch, String target) {
        return CodeBlock.builder().addStatement(plain ? "System.arraycopy($L, 0, $L, b * DIM_OUT, DIM_OUT)"
                : "outFromChannelLast($L, $L, b * DIM_OUT)", scratch, target).build();
    }

    /**
     * Sample {@code b} of {@code gradOut} into the channel-last scratch {@code gradOutT}: a plain copy where the
     * kernel's arrays are {@code ir_mul} in place ({@link #irMulInPlace}), else transposed from {@code mul_ir}.
     */
    private String gradOutIntoScratch() {
        return irMulInPlace ? "System.arraycopy(gradOut, b * DIM_OUT, gradOutT, 0, DIM_OUT)"
                : "gradOutToChannelLast(gradOut, b * DIM_OUT, gradOutT)";
    }

    /** The backward block's conditions, one per gradient it computes ({@code gradX1 != null}, ...). */
    private List<String> wantedGradients() {
        List<String> wanted = new ArrayList<>(List.of("gradX1 != null"));
        if (!model.square()) {
            wanted.add("gradX2 != null");
        }
        if (model.weightNumel() > 0) {
            wanted.add("gradWeights != null");
        }
        return wanted;
    }

    /**
     * Whether an {@code ir_mul} kernel runs the block method {@code block} on {@code mul_ir} copies of its blocks
     * ({@link #irMulBlock}): every block method but the channel-last forward and double backward, none where the
     * path methods index the arguments in place ({@link #irMulInPlace}).
     */
    private boolean convertsBlocks(String block) {
        return irMul && !irMulInPlace
                && !(channelLast && (block.equals("forwardBlock") || block.equals("doubleBackwardBlock")));
    }

    /** What a public method runs per block for the block method {@code block}: it, or its {@code ir_mul} entry. */
    private String blockEntry(String block) {
        return convertsBlocks(block) ? block + "IrMul" : block;
    }

    /**
     * The {@code ir_mul} entry of {@code block}, which computes on {@code mul_ir}: the block's feature rows of the
     * inputs converted into new {@code mul_ir} arrays by one whole-block copy each ({@code in1ToMulIr}, ...),
     * per-sample weights (e3nn's layout in both) sliced, {@code block} run on samples {@code 0..to-from-1} of them
     * with new arrays for its outputs, and those (the requested ones) converted back into samples
     * {@code from..to-1}; shared weights, their rows and the block's partial sums pass as they are. A channel-last
     * backward with every gradient wanted runs {@code block} on the arguments themselves
     * ({@link #channelLastBackward}).
     */
    private MethodSpec irMulBlock(NumberType number, MethodSpec block) {
        TypeName array = number.arrayType();
        MethodSpec.Builder method = MethodSpec.methodBuilder(block.name() + "IrMul")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("{@code $L} of the ir_mul samples {@code from..to-1}, on mul_ir copies.\n", block.name());
        List<String> names = new ArrayList<>();
        List<String> arguments = new ArrayList<>(List.of("0", "to - from"));
        CodeBlock.Builder copies = CodeBlock.builder();
        CodeBlock.Builder back = CodeBlock.builder();
        for (ParameterSpec parameter : block.parameters()) {
            method.addParameter(parameter);
            String name = parameter.name();
            names.add(name);
            if (name.equals("from") || name.equals("to")) {
                continue;
            }
            Feature feature = FEATURES.get(name);
            boolean converted = feature != null && (!feature.operand().equals("in2") || !model.square());
            boolean sliced = copiesWeights() && WEIGHT_ARRAYS.containsKey(name);
            if (!converted && !sliced) {
                arguments.add(name);
                continue;
            }
            String copy = name + (converted ? "MulIr" : "Block");
            arguments.add(copy);
            String dimension = converted ? feature.dimension() : "WEIGHT_NUMEL";
            boolean input = converted ? feature.input() : WEIGHT_ARRAYS.get(name);
            if (input) {
                if (converted) {
                    calledConversions.add(new Conversion(number, feature.operand(), true));
                    copies.addStatement("$T $L = $LToMulIr($L, from, to)", array, copy, feature.operand(), name);
                } else {
                    copies.addStatement("$T $L = $T.copyOfRange($L, from * $L, to * $L)", array, copy, ARRAYS, name,
                            dimension, dimension);
                }
                continue;
            }
            // Optional in the backward only: a gradient not requested stays null.
            boolean optional = block.name().equals("backwardBlock");
            if (converted) {
                calledConversions.add(new Conversion(number, feature.operand(), false));
            }
            CodeBlock store = converted
                    ? CodeBlock.of("$LFromMulIr($L, $L, from, to)", feature.operand(), copy, name)
                    : CodeBlock.of("System.arraycopy($L, 0, $L, from * $L, (to - from) * $L)", copy, name, dimension,
                            dimension);
            if (optional) {
                copies.addStatement("$T $L = $L == null ? null : new $T[(to - from) * $L]", array, copy, name,
                        number.type(), dimension);
                back.beginControlFlow("if ($L != null)", name).addStatement(store).endControlFlow();
            } else {
                copies.addStatement("$T $L = new $T[(to - from) * $L]", array, copy, number.type(), dimension);
                back.addStatement(store);
            }
        }
        CodeBlock.Builder code = CodeBlock.builder();
        if (channelLastBackward(number) && block.name().equals("backwardBlock")) {
            code.beginControlFlow("if ($L)", String.join(" && ", wantedGradients()))
                    .addStatement("$L($L)", block.name(), String.join(", ", names))
                    .addStatement("return")
                    .endControlFlow();
        }
        return method.addCode(code.build())
                .addCode(copies.build())
                .addStatement("$L($L)", block.name(), String.join(", ", arguments))
                .addCode(back.build())
                .build();
    }

    /** {@link TensorProductPlan#backwardChannelLast(boolean)} in {@code number}. */
    private boolean channelLastBackward(NumberType number) {
        return plan.backwardChannelLast(number == NumberType.FLOAT);
    }

    /**
     * The fused backward of a channel-last kernel on channel-last scratch: per sample, {@code x1}, {@code gradOut}
     * (and per-sample weights) copied in ({@code ir_mul}: plainly; {@code mul_ir}: transposed, as the forward's),
     * {@code gradX1T} (and {@code gradWeightsT}) zeroed, the paths' methods, then the gradients copied out
     * ({@code gradX1} transposed back in {@code mul_ir}); {@code x2} and its gradient stay in place (one channel: the
     * same in both layouts), shared weights and their block's gradient too.
     */
    private CodeBlock channelLastBackwardLoop(NumberType number, Map<String, String> fusedBinding, int callBudget,
                                              List<MethodSpec> helpers) {
        CodeBlock.Builder code = CodeBlock.builder();
        for (String scratch : List.of("x1T", "gradX1T")) {
            code.addStatement("$T[] $L = new $T[DIM_IN1]", number.type(), scratch, number.type());
        }
        code.addStatement("$T[] gradOutT = new $T[DIM_OUT]", number.type(), number.type());
        CodeBlock.Builder before = CodeBlock.builder();
        CodeBlock.Builder after = CodeBlock.builder();
        if (irMul) {
            before.addStatement("System.arraycopy(x1, b * DIM_IN1, x1T, 0, DIM_IN1)")
                    .addStatement("System.arraycopy(gradOut, b * DIM_OUT, gradOutT, 0, DIM_OUT)");
            after.addStatement("System.arraycopy(gradX1T, 0, gradX1, b * DIM_IN1, DIM_IN1)");
        } else {
            before.addStatement("in1ToChannelLast(x1, b * DIM_IN1, x1T)")
                    .addStatement("outToChannelLast(gradOut, b * DIM_OUT, gradOutT)");
            after.addStatement("in1FromChannelLast(gradX1T, gradX1, b * DIM_IN1)");
        }
        before.addStatement("$T.fill(gradX1T, $L)", ARRAYS, number.zero());
        Map<String, String> binding = new LinkedHashMap<>(fusedBinding);
        if (copiesWeights()) {
            for (String scratch : List.of("sampleWeights", "gradWeightsT")) {
                code.addStatement("$T[] $L = new $T[WEIGHT_NUMEL]", number.type(), scratch, number.type());
            }
            before.addStatement("System.arraycopy(weights, b * WEIGHT_NUMEL, sampleWeights, 0, WEIGHT_NUMEL)")
                    .addStatement("$T.fill(gradWeightsT, $L)", ARRAYS, number.zero());
            after.addStatement("System.arraycopy(gradWeightsT, 0, gradWeights, b * WEIGHT_NUMEL, WEIGHT_NUMEL)");
        } else {
            binding.put("sampleWeights", "weights");
            binding.put("gradWeightsT", "gradWeights");
        }
        code.add(batchLoop(number, List.of(Operation.BACKWARD_CHANNEL_LAST), binding, callBudget, helpers,
                before.build(), Map.of(Operation.BACKWARD_CHANNEL_LAST, after.build())));
        return code.build();
    }

    /**
     * The double backward of a channel-last kernel on channel-last scratch
     * ({@link Operation#DOUBLE_BACKWARD_CHANNEL_LAST}), in either layout, all in one array ({@link DoubleBackwardScratch}):
     * per sample, {@code x1}, {@code ggX1}, {@code gradOut} (and per-sample weights and their cotangent) copied in
     * ({@code ir_mul}: plainly; {@code mul_ir}: transposed straight into their segments, {@link #toScratch}), the
     * segments of {@code gX1}, {@code gGradOut} (and the weights' gradient) zeroed, the paths' methods, then those
     * gradients copied out; {@code x2}, {@code ggX2} and {@code gX2} stay in place (one channel), shared weights and
     * their block's gradient too. In {@code mul_ir} this replaces the scalar per-channel
     * {@link Operation#DOUBLE_BACKWARD}, whose strided loops do not vectorize.
     */
    private CodeBlock channelLastDoubleBackwardLoop(NumberType number, List<MethodSpec> helpers) {
        CodeBlock.Builder code = CodeBlock.builder();
        Map<String, String> binding = binding();
        CodeBlock.Builder before = CodeBlock.builder();
        CodeBlock.Builder after = CodeBlock.builder();
        code.addStatement("$T[] scratch = new $T[$L]", number.type(), number.type(), DoubleBackwardScratch.LENGTH);
        Map<String, String> inputs = new LinkedHashMap<>();
        inputs.put("x1", DoubleBackwardScratch.X1);
        inputs.put("ggX1", DoubleBackwardScratch.GG_X1);
        inputs.put("gradOut", DoubleBackwardScratch.GRAD_OUT);
        inputs.forEach((input, start) -> {
            Feature feature = FEATURES.get(input);
            if (irMul) {
                before.addStatement("System.arraycopy($L, b * $L, scratch, $L, $L)", input, feature.dimension(), start,
                        feature.dimension());
            } else {
                before.addStatement("$LToScratch($L, b * $L, scratch, $L)", feature.operand(), input,
                        feature.dimension(), start);
            }
        });
        Map<String, String> gradients = new LinkedHashMap<>();
        gradients.put("gX1", DoubleBackwardScratch.G_X1);
        gradients.put("gGradOut", DoubleBackwardScratch.G_GRAD_OUT);
        gradients.forEach((gradient, start) -> {
            Feature feature = FEATURES.get(gradient);
            before.addStatement("$T.fill(scratch, $L, $L + $L, $L)", ARRAYS, start, start, feature.dimension(),
                    number.zero());
            if (irMul) {
                after.addStatement("System.arraycopy(scratch, $L, $L, b * $L, $L)", start, gradient,
                        feature.dimension(), feature.dimension());
            } else {
                after.addStatement("$LFromScratch(scratch, $L, $L, b * $L)", feature.operand(), start, gradient,
                        feature.dimension());
            }
        });
        if (doubleBackwardScratch.holdsWeights()) {
            before.addStatement("System.arraycopy(weights, b * WEIGHT_NUMEL, scratch, $L, WEIGHT_NUMEL)",
                            DoubleBackwardScratch.WEIGHTS)
                    .addStatement("System.arraycopy(ggWeights, b * WEIGHT_NUMEL, scratch, $L, WEIGHT_NUMEL)",
                            DoubleBackwardScratch.GG_WEIGHTS)
                    .addStatement("$T.fill(scratch, $L, $L + WEIGHT_NUMEL, $L)", ARRAYS, DoubleBackwardScratch.G_WEIGHTS,
                            DoubleBackwardScratch.G_WEIGHTS, number.zero());
            after.addStatement("System.arraycopy(scratch, $L, gWeights, b * WEIGHT_NUMEL, WEIGHT_NUMEL)",
                    DoubleBackwardScratch.G_WEIGHTS);
            // The per-sample helpers pass every parameter on; the path methods take the weights from the scratch.
            List.of("sampleWeights", "ggWeightsT", "gWeightsT").forEach(name -> binding.put(name, "scratch"));
        } else {
            binding.put("ggWeightsT", "ggWeights");
            binding.put("gWeightsT", "gWeights");
        }
        if (touchesNextSample(number)) {
            before.add(touchNextSample());
        }
        code.add(batchLoop(number, List.of(Operation.DOUBLE_BACKWARD_CHANNEL_LAST), binding, MAX_CALLS_PER_METHOD,
                helpers, before.build(), Map.of(Operation.DOUBLE_BACKWARD_CHANNEL_LAST, after.build())));
        return code.build();
    }

    /**
     * Whether the channel-last double backward in {@code number} reads the next sample ahead
     * ({@link #touchNextSample()}): always in float64; in float32 where one sample's per-sample arrays, inputs and
     * gradients, span at least {@link #TOUCH_MIN_SAMPLE_BYTES}.
     */
    private boolean touchesNextSample(NumberType number) {
        return number == NumberType.DOUBLE
                || (long) doubleBackwardScratch.touch() * number.bytes() >= TOUCH_MIN_SAMPLE_BYTES;
    }

    /**
     * The double backward's read of the next sample ({@code b + 1}, the block's last sample for the last), where
     * {@link #touchesNextSample} says so: one entry per cache line of each of its per-sample arrays, inputs and
     * gradients ({@link #touchLines}), summed into the scratch's {@link DoubleBackwardScratch#TOUCH} entry. Copied in
     * and out with {@code System.arraycopy} or the transposes as each sample starts and ends, a large sample
     * (mace-medium's product: 56 KB with its gradients in float64, 28 KB in float32) otherwise waits on memory: JDK 17
     * offers Java code no prefetch, and these loads, issued before the sample's paths compute, bring the next sample's
     * lines in meanwhile. A load that misses holds up the instructions behind it, so a small sample, whose lines the
     * processor's own prefetch brings in time, pays for the loads instead. One thread's CPU time, under load
     * (benchmarks/RESULTS.md, h/dbl and h/dblmace): float64 mace-medium and nequip (18 KB) 6-11% less in both
     * layouts; float32 mace-medium (28 KB) 1-4% less, while float32 nequip (9 KB) would take 10-14% more.
     */
    private CodeBlock touchNextSample() {
        List<String> touched = new ArrayList<>();
        Map<String, String> arrays = new LinkedHashMap<>();
        arrays.put("x1", "DIM_IN1");
        arrays.put("ggX1", "DIM_IN1");
        arrays.put("gradOut", "DIM_OUT");
        arrays.put("gX1", "DIM_IN1");
        arrays.put("gGradOut", "DIM_OUT");
        if (doubleBackwardScratch.holdsWeights()) {
            List.of("weights", "ggWeights", "gWeights").forEach(array -> arrays.put(array, "WEIGHT_NUMEL"));
        }
        arrays.forEach((array, dimension) -> touched.add("touchLines(" + array + ", next * " + dimension + ", "
                + dimension + ")"));
        return CodeBlock.builder()
                .addStatement("int next = Math.min(b + 1, to - 1)")
                .addStatement("scratch[$L] = $L", DoubleBackwardScratch.TOUCH, String.join("\n+ ", touched))
                .build();
    }

    /**
     * {@code touchLines(a, from, length)}: the sum of {@code a[from + i]} over one {@code i} per 64-byte cache line
     * of {@code a[from, from + length)} ({@link #touchNextSample()}).
     */
    private static MethodSpec touchLines(NumberType number) {
        int perLine = 64 / number.bytes();
        return MethodSpec.methodBuilder("touchLines")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("The sum of one entry per 64-byte line of {@code a[from, from + length)}: read to bring"
                        + " the next sample's lines in.\n")
                .returns(number.type())
                .addParameter(number.arrayType(), "a")
                .addParameter(TypeName.INT, "from")
                .addParameter(TypeName.INT, "length")
                .addStatement("$T sum = $L", number.type(), number.zero())
                .beginControlFlow("for (int i = 0; i < length; i += $L)", perLine)
                .addStatement("sum += a[from + i]")
                .endControlFlow()
                .addStatement("return sum")
                .build();
    }

    /** Per-sample weights go through a scratch copy at offset 0; shared ones are there already. */
    private boolean copiesWeights() {
        return model.weightNumel() > 0 && !model.sharedWeights();
    }

    /**
     * {@code xT[offset_e + i * mul + u] = x[from + offset_e + u * dim + i]}: one sample from e3nn's {@code mul_ir}
     * layout into channel-last {@code ir_mul} at offset 0, entry by entry.
     */
    private static List<MethodSpec> toChannelLast(String name, Irreps irreps, NumberType number) {
        return transpose(name, irreps, number, new Transpose(true, false));
    }

    /** The inverse of {@link #toChannelLast}: {@code x[to + offset_e + u * dim + i] = xT[offset_e + i * mul + u]}. */
    private static List<MethodSpec> fromChannelLast(String name, Irreps irreps, NumberType number) {
        return transpose(name, irreps, number, new Transpose(false, false));
    }

    /**
     * {@link #toChannelLast} into a segment of the double backward's scratch ({@link DoubleBackwardScratch}) that
     * starts at {@code at}: {@code xT[at + offset_e + i * mul + u] = x[from + offset_e + u * dim + i]}, consecutive
     * entries whose layouts coincide in one copy.
     */
    private static List<MethodSpec> toScratch(String name, Irreps irreps, NumberType number) {
        return transpose(name, irreps, number, new Transpose(true, true));
    }

    /** The inverse of {@link #toScratch}: {@code x[to + offset_e + u * dim + i] = xT[at + offset_e + i * mul + u]}. */
    private static List<MethodSpec> fromScratch(String name, Irreps irreps, NumberType number) {
        return transpose(name, irreps, number, new Transpose(false, true));
    }

    /**
     * One direction of a transposing copy between {@code x} ({@code mul_ir}), which holds a sample of a kernel
     * argument at an offset ({@code from} when it is read, {@code to} when it is written), and {@code xT}
     * ({@code ir_mul}): per-sample scratch at offset 0, or a segment of a larger scratch at the offset {@code at}.
     *
     * @param intoChannelLast whether {@code xT} is written from {@code x}
     * @param atOffset        whether {@code xT}'s sample starts at the parameter {@code at}; such a copy also moves each
     *                        run of consecutive entries whose two layouts coincide with one {@code System.arraycopy}
     */
    private record Transpose(boolean intoChannelLast, boolean atOffset) {

        /** Whether the sample is the array read. */
        boolean readsSample() {
            return intoChannelLast;
        }

        String source() {
            return intoChannelLast ? "x" : "xT";
        }

        String target() {
            return intoChannelLast ? "xT" : "x";
        }

        /** The sample's offset parameter. */
        String offset() {
            return readsSample() ? "from" : "to";
        }

        /** {@code xT}'s index of channel-last position {@code position} (before the channel {@code u}). */
        String channelLast(int position) {
            return atOffset ? plus("at", position) : Integer.toString(position);
        }

        /** The call of a part {@code name} with this direction's parameters. */
        String call(String name) {
            String scratch = atOffset ? "xT, at" : "xT";
            return readsSample() ? name + "(x, from, " + scratch + ")" : name + "(" + scratch + ", x, to)";
        }

        String javadoc() {
            String scratch = "channel-last {@code xT}" + (atOffset ? " at {@code at}" : "");
            return intoChannelLast ? "One sample of {@code x} at {@code from} into " + scratch + ".\n"
                    : "C" + scratch.substring(1) + " into one sample of {@code x} at {@code to}.\n";
        }
    }

    /**
     * The transposing copy as one method, or, when the irreps have more components than
     * {@link TensorProductPlan#MAX_COPIES_PER_METHOD} statements hold, as parts {@code name0, name1, ...} over consecutive entries
     * that the method {@code name} calls in order, so that every method stays below HotSpot's 8000-byte limit.
     */
    private static List<MethodSpec> transpose(String name, Irreps irreps, NumberType number, Transpose direction) {
        List<Integer> entries = IntStream.range(0, irreps.size()).filter(e -> irreps.get(e).mul() > 0).boxed()
                .toList();
        List<List<Integer>> parts = TensorProductPlan.COPIES.pack(entries, e -> copyStatements(irreps, e));
        if (parts.size() <= 1) {
            return List.of(transposeEntries(name, irreps, number, direction, entries));
        }
        List<MethodSpec> methods = new ArrayList<>();
        MethodSpec.Builder driver = transposeSignature(name, number, direction);
        for (int part = 0; part < parts.size(); part++) {
            driver.addStatement(direction.call(name + part));
            methods.add(transposeEntries(name + part, irreps, number, direction, parts.get(part)));
        }
        methods.add(0, driver.build());
        return methods;
    }

    /** A copy of an entry whose {@code mul_ir} and {@code ir_mul} layouts coincide is one statement. */
    private static int copyStatements(Irreps irreps, int entry) {
        return coincide(irreps, entry) ? 1 : irreps.get(entry).ir().dim() + 1;
    }

    /** Whether entry {@code entry}'s {@code mul_ir} and {@code ir_mul} layouts coincide (one channel or one component). */
    private static boolean coincide(Irreps irreps, int entry) {
        return irreps.get(entry).ir().dim() == 1 || irreps.get(entry).mul() == 1;
    }

    private static MethodSpec.Builder transposeSignature(String name, NumberType number, Transpose direction) {
        MethodSpec.Builder method = MethodSpec.methodBuilder(name)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc(direction.javadoc());
        if (direction.readsSample()) {
            method.addParameter(number.arrayType(), "x");
            method.addParameter(TypeName.INT, "from");
            method.addParameter(number.arrayType(), "xT");
            if (direction.atOffset()) {
                method.addParameter(TypeName.INT, "at");
            }
        } else {
            method.addParameter(number.arrayType(), "xT");
            if (direction.atOffset()) {
                method.addParameter(TypeName.INT, "at");
            }
            method.addParameter(number.arrayType(), "x");
            method.addParameter(TypeName.INT, "to");
        }
        return method;
    }

    private static MethodSpec transposeEntries(String name, Irreps irreps, NumberType number, Transpose direction,
            List<Integer> entries) {
        MethodSpec.Builder method = transposeSignature(name, number, direction);
        String offset = direction.offset();
        for (int k = 0; k < entries.size(); k++) {
            int e = entries.get(k);
            int entryOffset = irreps.offset(e);
            int mul = irreps.get(e).mul();
            int dim = irreps.get(e).ir().dim();
            if (coincide(irreps, e)) {
                // mul_ir and ir_mul coincide: a plain copy (at an offset, of the run of such entries from e on)
                int length = mul * dim;
                while (direction.atOffset() && k + 1 < entries.size() && coincide(irreps, entries.get(k + 1))
                        && irreps.offset(entries.get(k + 1)) == entryOffset + length) {
                    k++;
                    length += irreps.get(entries.get(k)).dim();
                }
                String sample = plus(offset, entryOffset);
                String scratch = direction.channelLast(entryOffset);
                boolean readsSample = direction.readsSample();
                method.addStatement("System.arraycopy($L, $L, $L, $L, $L)", direction.source(),
                        readsSample ? sample : scratch, direction.target(), readsSample ? scratch : sample, length);
                continue;
            }
            IntFunction<String> channelLastIndex = i -> direction.atOffset()
                    ? direction.channelLast(entryOffset + i * mul) + " + u"
                    : (entryOffset + i * mul == 0 ? "" : (entryOffset + i * mul) + " + ") + "u";
            transposingLoop(method, number, mul, dim, plus(offset, entryOffset), channelLastIndex,
                    direction.intoChannelLast());
        }
        return method.build();
    }

    /**
     * The loop over the {@code mul} channels of one entry that copies its {@code dim} components between the
     * {@code mul_ir} {@code x} (channel {@code u} at {@code index}, components next to each other, the index
     * stepped by {@code dim}) and the channel-last {@code xT} (component {@code i} of channel {@code u} at
     * {@code channelLastIndex(i)}). Each channel's components are read into locals before any is written: the two
     * arrays have one type, so C2 must keep every store before the next load of the other array otherwise (about
     * 20% slower).
     */
    private static void transposingLoop(MethodSpec.Builder method, NumberType number, int mul, int dim,
                                        String mulIrStart, IntFunction<String> channelLastIndex,
                                        boolean intoChannelLast) {
        method.beginControlFlow("for (int u = 0, index = $L; u < $L; u++, index += $L)", mulIrStart, mul, dim);
        for (int i = 0; i < dim; i++) {
            String mulIrIndex = i == 0 ? "index" : "index + " + i;
            method.addStatement("$T v$L = $L", number.type(), i,
                    intoChannelLast ? "x[" + mulIrIndex + "]" : "xT[" + channelLastIndex.apply(i) + "]");
        }
        for (int i = 0; i < dim; i++) {
            String mulIrIndex = i == 0 ? "index" : "index + " + i;
            method.addStatement(intoChannelLast ? "xT[$L] = v$L" : "x[$L] = v$L",
                    intoChannelLast ? channelLastIndex.apply(i) : mulIrIndex, i);
        }
        method.endControlFlow();
    }

    /**
     * The block conversions of an {@code ir_mul} kernel's {@code operand} ({@code in1}, {@code in2} or {@code out})
     * that its block entries call ({@link #irMulBlock}): {@code <operand>ToMulIr(xT, from, to)}, a new {@code mul_ir}
     * array of samples {@code from..to-1} of {@code xT}, and {@code <operand>FromMulIr(x, xT, from, to)}, its inverse
     * into those samples of {@code xT}; per sample a transposing copy {@code <operand>SampleToMulIr} or
     * {@code <operand>SampleFromMulIr} (in parts where it has more statements than one method holds).
     */
    private List<MethodSpec> blockConversions(String operand, String dimension, Irreps irreps, NumberType number) {
        TypeName array = number.arrayType();
        List<MethodSpec> methods = new ArrayList<>();
        if (calledConversions.contains(new Conversion(number, operand, true))) {
            methods.add(MethodSpec.methodBuilder(operand + "ToMulIr")
                    .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                    .addJavadoc("Samples {@code from..to-1} of {@code xT} in {@code mul_ir}, from offset 0.\n")
                    .returns(array)
                    .addParameter(array, "xT")
                    .addParameter(TypeName.INT, "from")
                    .addParameter(TypeName.INT, "to")
                    .addStatement("$T x = new $T[(to - from) * $L]", array, number.type(), dimension)
                    .beginControlFlow("for (int b = from; b < to; b++)")
                    .addStatement("$LSampleToMulIr(xT, b * $L, x, (b - from) * $L)", operand, dimension, dimension)
                    .endControlFlow()
                    .addStatement("return x")
                    .build());
            methods.addAll(sampleConversion(operand + "SampleToMulIr", irreps, number, true));
        }
        if (calledConversions.contains(new Conversion(number, operand, false))) {
            methods.add(MethodSpec.methodBuilder(operand + "FromMulIr")
                    .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                    .addJavadoc("The inverse of {@code $LToMulIr}: {@code x} into samples {@code from..to-1} of"
                            + " {@code xT}.\n", operand)
                    .addParameter(array, "x")
                    .addParameter(array, "xT")
                    .addParameter(TypeName.INT, "from")
                    .addParameter(TypeName.INT, "to")
                    .beginControlFlow("for (int b = from; b < to; b++)")
                    .addStatement("$LSampleFromMulIr(x, (b - from) * $L, xT, b * $L)", operand, dimension, dimension)
                    .endControlFlow()
                    .build());
            methods.addAll(sampleConversion(operand + "SampleFromMulIr", irreps, number, false));
        }
        return methods;
    }

    /**
     * One sample between {@code ir_mul} {@code xT} and {@code mul_ir} {@code x}, from the source at {@code from} to
     * the target at {@code to}: as one method, or in parts over consecutive entries that {@code name} calls in order.
     */
    private static List<MethodSpec> sampleConversion(String name, Irreps irreps, NumberType number, boolean intoMulIr) {
        List<Integer> entries = IntStream.range(0, irreps.size()).filter(e -> irreps.get(e).mul() > 0).boxed()
                .toList();
        List<List<Integer>> parts = TensorProductPlan.COPIES.pack(entries, e -> copyStatements(irreps, e));
        if (parts.size() <= 1) {
            return List.of(sampleConversionEntries(name, irreps, number, intoMulIr, entries));
        }
        List<MethodSpec> methods = new ArrayList<>();
        MethodSpec.Builder driver = sampleConversionSignature(name, number, intoMulIr);
        String arguments = intoMulIr ? "(xT, from, x, to)" : "(x, from, xT, to)";
        for (int part = 0; part < parts.size(); part++) {
            driver.addStatement("$L$L$L", name, part, arguments);
            methods.add(sampleConversionEntries(name + part, irreps, number, intoMulIr, parts.get(part)));
        }
        methods.add(0, driver.build());
        return methods;
    }

    private static MethodSpec.Builder sampleConversionSignature(String name, NumberType number, boolean intoMulIr) {
        return MethodSpec.methodBuilder(name)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc(intoMulIr ? "The channel-last sample of {@code xT} at {@code from} into {@code x} at"
                        + " {@code to}.\n" : "The sample of {@code x} at {@code from} into channel-last {@code xT}"
                        + " at {@code to}.\n")
                .addParameter(number.arrayType(), intoMulIr ? "xT" : "x")
                .addParameter(TypeName.INT, "from")
                .addParameter(number.arrayType(), intoMulIr ? "x" : "xT")
                .addParameter(TypeName.INT, "to");
    }

    private static MethodSpec sampleConversionEntries(String name, Irreps irreps, NumberType number,
                                                      boolean intoMulIr, List<Integer> entries) {
        MethodSpec.Builder method = sampleConversionSignature(name, number, intoMulIr);
        String source = intoMulIr ? "xT" : "x";
        String target = intoMulIr ? "x" : "xT";
        String mulIrOffset = intoMulIr ? "to" : "from";
        String channelLastOffset = intoMulIr ? "from" : "to";
        for (int e : entries) {
            int entryOffset = irreps.offset(e);
            int mul = irreps.get(e).mul();
            int dim = irreps.get(e).ir().dim();
            if (dim == 1 || mul == 1) {
                // mul_ir and ir_mul coincide: a plain copy
                method.addStatement("System.arraycopy($L, $L, $L, $L, $L)", source, plus("from", entryOffset), target,
                        plus("to", entryOffset), mul * dim);
                continue;
            }
            transposingLoop(method, number, mul, dim, plus(mulIrOffset, entryOffset),
                    i -> plus(channelLastOffset, entryOffset + i * mul) + " + u", !intoMulIr);
        }
        return method.build();
    }

    private static String plus(String base, int offset) {
        return offset == 0 ? base : base + " + " + offset;
    }

    private void checkCommonArguments(MethodSpec.Builder method, String name) {
        method.addCode(checks.nonNegativeCount(name));
        method.addCode(checks.perSample(name, "x1", "DIM_IN1"));
        if (model.square()) {
            method.beginControlFlow("if (x2 != null && x2 != x1)")
                    .addStatement("throw invalid($S, $S)", name,
                            "x2 must be x1 (or null): a tensor square multiplies x1 with itself")
                    .endControlFlow();
        } else {
            method.addCode(checks.perSample(name, "x2", "DIM_IN2"));
        }
        method.addCode(weightsCheck(name, "weights"));
    }

    /**
     * {@code argument} holds the weights: shared by the batch, or one row per sample; without weights, null or an
     * empty array.
     */
    private CodeBlock weightsCheck(String method, String argument) {
        return model.sharedWeights() || model.weightNumel() == 0 ? checks.shared(method, argument, "WEIGHT_NUMEL")
                : checks.perSample(method, argument, "WEIGHT_NUMEL");
    }

    /** Samples per parallel block: as many as keep the block's data within {@link #BLOCK_DOUBLES}. */
    private int blockSize() {
        int perSample = model.irrepsIn1().dim() + (model.square() ? 0 : model.irrepsIn2().dim())
                + model.irrepsOut().dim() + (model.sharedWeights() ? 0 : model.weightNumel());
        return Math.max(1, BLOCK_DOUBLES / Math.max(1, perSample));
    }

    /** Argument expression for each parameter name of the path methods, inside the batch loop. */
    private Map<String, String> binding() {
        Map<String, String> binding = new LinkedHashMap<>();
        for (Operation operation : Operation.values()) {
            for (String parameter : operation.parameters(true)) {
                binding.put(parameter, parameter);
            }
        }
        if (model.sharedWeights()) {
            binding.put("weightOffset", "0");
            binding.put("sampleWeights", "weights");
        }
        if (model.square()) {
            binding.put("x2", "x1");
            binding.put("x2Offset", "x1Offset");
            binding.put("ggX2", "ggX1");
            binding.put("gX2", "gX1");
        }
        return binding;
    }

    private static String dimensionOf(String offset) {
        return switch (offset) {
            case "x1Offset" -> "DIM_IN1";
            case "x2Offset" -> "DIM_IN2";
            case "outOffset", "gradOutOffset" -> "DIM_OUT";
            case "weightOffset" -> "WEIGHT_NUMEL";
            default -> throw new IllegalArgumentException(offset);
        };
    }

    /** That a block entry converts {@code operand} in {@code number} into {@code mul_ir} ({@code toMulIr}) or back. */
    private record Conversion(NumberType number, String operand, boolean toMulIr) {
    }

    /** That the block methods call {@code writer}'s methods of {@code operation} in {@code number}. */
    private record PathCall(PathWriter writer, Operation operation, NumberType number) {
    }

    /**
     * A call of a generated method of {@code group}'s class with the names of its parameters, bound to arguments when
     * rendered.
     */
    private record Call(PathGroup group, String method, List<String> parameters) {

        /** The call as written in the implementation class: qualified when the method is in a nested class. */
        CodeBlock render(Map<String, String> binding) {
            return render(binding, group.qualifier());
        }

        /** The call as written in {@code group}'s own class. */
        CodeBlock renderInGroup() {
            return render(Map.of(), "");
        }

        private CodeBlock render(Map<String, String> binding, String qualifier) {
            List<String> arguments = parameters.stream().map(p -> binding.getOrDefault(p, p)).toList();
            return CodeBlock.of("$L$L($L)", qualifier, method, String.join(", ", arguments));
        }
    }

    /** {@link #batchLoop(NumberType, List, Map, int, List, CodeBlock, Map)} with nothing around the calls. */
    private CodeBlock batchLoop(NumberType number, List<Operation> operations, Map<String, String> binding,
                                int callBudget, List<MethodSpec> helpers) {
        return batchLoop(number, operations, binding, callBudget, helpers, CodeBlock.of(""), Map.of());
    }

    /**
     * {@code for (b) { offsets; before; calls of each operation, then what follows it in after }} (only the calls
     * where the path methods loop over the samples themselves, {@link Operation#overSamples()}): the path calls
     * inline while they number at most
     * {@code callBudget}, else grouped into per-sample helper methods of at most {@link #MAX_CALLS_PER_METHOD} calls
     * each. A helper calls the methods of one class and sits in that class, so a kernel split into nested classes
     * references only the helpers from the implementation's constant pool, not every path method.
     */
    private CodeBlock batchLoop(NumberType number, List<Operation> operations, Map<String, String> binding,
                                int callBudget, List<MethodSpec> helpers, CodeBlock before,
                                Map<Operation, CodeBlock> after) {
        List<String> offsets = new ArrayList<>();
        List<CodeBlock> calls = new ArrayList<>();
        Map<Operation, List<Call>> callsByOperation = new LinkedHashMap<>();
        operations.forEach(operation -> callsByOperation.put(operation, pathCalls(number, operation)));
        boolean inline = callsByOperation.values().stream().mapToInt(List::size).sum() <= callBudget;
        for (Operation operation : operations) {
            List<String> parameters = operation.parameters(true);
            for (String parameter : parameters) {
                String bound = binding.get(parameter);
                if (bound.endsWith("Offset") && !offsets.contains(bound)) {
                    offsets.add(bound);
                }
            }
            List<Call> pathCalls = callsByOperation.get(operation);
            if (inline) {
                pathCalls.forEach(call -> calls.add(CodeBlock.builder().addStatement(call.render(binding)).build()));
                calls.add(after.getOrDefault(operation, CodeBlock.of("")));
                continue;
            }
            List<List<Call>> helperCalls = TensorProductPlan.helperCalls(pathCalls, Call::group);
            for (int part = 0, start = 0; part < helperCalls.size(); part++) {
                List<Call> members = helperCalls.get(part);
                PathGroup group = members.get(0).group();
                String name = helperName(operation) + part;
                MethodSpec.Builder helper = MethodSpec.methodBuilder(name)
                        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                        .addJavadoc("Path method calls $L to $L for $L.\n", start, start + members.size() - 1,
                                operation.overSamples() ? "the samples {@code from} to {@code to - 1}" : "one sample");
                for (String parameter : parameters) {
                    helper.addParameter(Operation.parameterType(parameter, number), parameter);
                }
                members.forEach(call -> helper.addStatement(call.renderInGroup()));
                List<MethodSpec> target = group.nested()
                        ? nestedHelpers.computeIfAbsent(group, g -> new ArrayList<>()) : helpers;
                MethodSpec built = helper.build();
                if (target.stream().noneMatch(existing -> existing.name().equals(name)
                        && existing.parameters().equals(built.parameters()))) {
                    target.add(built);
                }
                calls.add(CodeBlock.builder().addStatement(new Call(group, name, parameters).render(binding)).build());
                start += members.size();
            }
            calls.add(after.getOrDefault(operation, CodeBlock.of("")));
        }
        CodeBlock.Builder loop = CodeBlock.builder();
        if (operations.stream().allMatch(Operation::overSamples)) {
            calls.forEach(loop::add);
            return loop.build();
        }
        loop.beginControlFlow("for (int b = from; b < to; b++)");
        for (String offset : offsets) {
            loop.addStatement("int $L = b * $L", offset, dimensionOf(offset));
        }
        loop.add(before);
        calls.forEach(loop::add);
        return loop.endControlFlow().build();
    }

    /**
     * A per-sample feature array of the path methods: the operand whose irreps it has ({@code in1}, {@code in2} or
     * {@code out}), its dimension constant, and whether the methods read it (or accumulate into it).
     */
    private record Feature(String operand, String dimension, boolean input) {
    }

    private Irreps irrepsOf(String operand) {
        return switch (operand) {
            case "in1" -> model.irrepsIn1();
            case "in2" -> model.irrepsIn2();
            default -> model.irrepsOut();
        };
    }

    /** The dimension constant of {@code operand} ({@code in1}, {@code in2} or {@code out}). */
    private static String dimensionOfOperand(String operand) {
        return switch (operand) {
            case "in1" -> "DIM_IN1";
            case "in2" -> "DIM_IN2";
            default -> "DIM_OUT";
        };
    }

    private static String helperName(Operation operation) {
        return switch (operation) {
            case FORWARD, FORWARD_CHANNEL_LAST -> "forwardSample";
            case FORWARD_SAMPLES -> "forwardSamples";
            case BACKWARD_CHANNEL_LAST -> "backwardChannelLastSample";
            case DOUBLE_BACKWARD_CHANNEL_LAST -> "doubleBackwardChannelLastSample";
            case FORWARD_WEIGHT_ROWS -> "forwardRowsSample";
            case BACKWARD_WEIGHT_ROWS -> "backwardRowsSample";
            case BACKWARD_BY_PAIRS -> "backwardByPairsSample";
            case GRAD_X1 -> "gradX1Sample";
            case GRAD_X2 -> "gradX2Sample";
            case GRAD_WEIGHTS -> "gradWeightsSample";
            case BACKWARD -> "backwardSample";
            case BACKWARD_SAMPLES -> "backwardSamples";
            case BACKWARD_INPUTS -> "backwardInputsSample";
            case DOUBLE_BACKWARD -> "doubleBackwardSample";
            case DOUBLE_BACKWARD_WEIGHT_ROWS -> "doubleBackwardRowsSample";
        };
    }

    /** Calls of every path method of {@code operation}, in path order. */
    private List<Call> pathCalls(NumberType number, Operation operation) {
        List<Call> calls = new ArrayList<>();
        for (PathWriter writer : pathWriters) {
            // Unweighted, the fused backward computes the input gradients alone.
            Operation own = operation == Operation.BACKWARD_INPUTS && !writer.weighted() ? Operation.BACKWARD
                    : operation;
            if (!writes(writer, own)) {
                continue;
            }
            calledPathMethods.add(new PathCall(writer, own, number));
            for (MethodSpec method : writer.methods(own, number)) {
                calls.add(new Call(groups.get(writer), method.name(), writer.parameters(own)));
            }
        }
        return calls;
    }

    /**
     * Consecutive paths whose methods share a class and its constants: the implementation itself
     * ({@code name == null}), or a nested class. Compared by identity: each group is one class.
     */
    private static final class PathGroup {
        private final String name;
        private final ConstantPool constants;
        private final List<PathPlan> paths;

        PathGroup(String name, ConstantPool constants, List<PathPlan> paths) {
            this.name = name;
            this.constants = constants;
            this.paths = paths;
        }

        boolean nested() {
            return name != null;
        }

        String name() {
            return name;
        }

        ConstantPool constants() {
            return constants;
        }

        List<PathPlan> paths() {
            return paths;
        }

        /** {@code "Paths2."} before a call into a nested class, else nothing. */
        String qualifier() {
            return nested() ? name + "." : "";
        }
    }

    /** The audit file: every path with its exact coefficient and exact CG entries. */
    public String auditJson() {
        return TensorProductAudit.json(model, spec, implementation);
    }
}
