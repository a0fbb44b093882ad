package dev.e3j.processor.writer;

import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.e3j.annotations.Layout;
import dev.e3j.annotations.Mace;
import dev.e3j.annotations.Precision;
import dev.e3j.processor.model.EdgePath;
import dev.e3j.processor.model.GatePointsModel;
import dev.e3j.processor.model.MaceModel.Block;
import dev.e3j.processor.model.MaceModel;
import dev.e3j.processor.model.MaceSpec;
import dev.e3j.runtime.Irreps;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;

/**
 * Writes {@code <Spec>Impl} of a {@code @Mace}: the derived blocks as nested kernel specs ({@code @SphericalHarmonics},
 * {@code @Linear}, {@code @TensorProduct}, {@code @SymmetricContraction}), which the processor generates in its next
 * round like any user's, wired into the runtime's {@code Mace} architecture, and the {@code InteratomicPotential}
 * methods.
 *
 * <p>Every kernel but the harmonics (one channel, the same in both layouts) is declared in the model's
 * {@link Layout}, so that in {@link Layout#IR_MUL} the node features stay channel-last from block to block. There
 * {@code interactions.t.linear} takes the edge product's {@code irreps_mid} as they are, not simplified as
 * mace-torch declares them: channel-last, {@code 8x1o+8x1o} is two {@code [3][8]} blocks, not {@code 16x1o}'s
 * {@code [3][16]}. The two linears are the same map with the same weights: {@code irreps_mid} is sorted, so the
 * entries that simplify merges are adjacent, and each feeds only the one output entry of its irrep (the target's
 * irreps are distinct), so e3nn's instructions {@code (i_in, i_out)} concatenate their {@code [mul_in][mul_out]}
 * blocks into the merged entry's, and every path into an output has the same fan-in (the sum of the merged
 * multiplicities).
 */
public final class MaceWriter {

    private static final String ANNOTATIONS = "dev.e3j.annotations";
    private static final String RUNTIME = "dev.e3j.runtime";
    private static final ClassName TENSOR_PRODUCT = ClassName.get(ANNOTATIONS, "TensorProduct");
    private static final ClassName LINEAR = ClassName.get(ANNOTATIONS, "Linear");
    private static final ClassName PATH = ClassName.get(ANNOTATIONS, "Path");
    private static final ClassName SPHERICAL_HARMONICS = ClassName.get(ANNOTATIONS, "SphericalHarmonics");
    private static final ClassName SYMMETRIC_CONTRACTION = ClassName.get(ANNOTATIONS, "SymmetricContraction");
    private static final ClassName CG_CONVENTION = ClassName.get(ANNOTATIONS, "CgConvention");
    private static final ClassName PRECISION = ClassName.get(ANNOTATIONS, "Precision");
    private static final ClassName LAYOUT = ClassName.get(ANNOTATIONS, "Layout");
    private static final ClassName TENSOR_PRODUCT_KERNEL = ClassName.get(RUNTIME, "TensorProductKernel");
    private static final ClassName LINEAR_KERNEL = ClassName.get(RUNTIME, "LinearKernel");
    private static final ClassName SPHERICAL_HARMONICS_KERNEL = ClassName.get(RUNTIME, "SphericalHarmonicsKernel");
    private static final ClassName SYMMETRIC_CONTRACTION_KERNEL =
            ClassName.get(RUNTIME, "SymmetricContractionKernel");
    private static final ClassName STATE_DICT = ClassName.get("dev.e3j.runtime.io", "StateDict");
    private static final ClassName MACE = ClassName.get("dev.e3j.runtime.model", "Mace");
    private static final ClassName STRUCTURE = ClassName.get("dev.e3j.runtime.model", "Structure");
    private static final ClassName EVALUATION = ClassName.get("dev.e3j.runtime.model", "Evaluation");
    private static final ClassName ACTIVATION_CONSTANTS = ClassName.get("dev.e3j.runtime.model",
            "ActivationConstants");
    private static final ClassName SCALAR_FUNCTION = ClassName.get("dev.e3j.runtime.nn", "ScalarFunction");
    private static final ClassName RADIAL_EMBEDDING = ClassName.get("dev.e3j.runtime.nn", "RadialEmbedding");
    private static final ClassName DISTANCE_TRANSFORM = ClassName.get("dev.e3j.runtime.nn", "DistanceTransform");
    private static final TypeName INTS = TypeName.get(int[].class);

    private MaceWriter() {
    }

    /** The class {@code implementation} implementing {@code spec}. */
    public static TypeSpec write(MaceModel model, ClassName spec, ClassName implementation) {
        TypeSpec.Builder type = TypeSpec.classBuilder(implementation)
                .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addSuperinterface(spec)
                .addJavadoc(javadoc(model, spec));
        Kernels kernels = new Kernels(model.spec().precision(), model.spec().layout());
        type.addType(kernel("EdgeHarmonics", SPHERICAL_HARMONICS_KERNEL, AnnotationSpec.builder(SPHERICAL_HARMONICS)
                .addMember("lmax", "$L", model.spec().maxEll()), kernels.withLayout(Layout.MUL_IR),
                "{@code spherical_harmonics}: the edge attributes, normalized vectors, component normalization."));
        type.addType(linear("NodeEmbedding", model.nodeAttrs(), model.nodeFeats(), "node_embedding.linear",
                kernels));
        for (Block block : model.blocks()) {
            int t = block.index();
            String interaction = "interactions." + t;
            type.addType(linear("Interaction" + t + "LinearUp", block.in(), block.in(), interaction + ".linear_up",
                    kernels));
            type.addType(edgeProduct("Interaction" + t + "ConvTp", block, model.shIrreps(), interaction,
                    kernels));
            type.addType(linear("Interaction" + t + "Linear",
                    kernels.layout() == Layout.IR_MUL ? block.mid() : block.mid().simplify(), model.target(),
                    interaction + ".linear", kernels));
            type.addType(skipProduct("Interaction" + t + "SkipTp", block, model.nodeAttrs(), interaction,
                    kernels, ": e3nn's {@code FullyConnectedTensorProduct} with the one-hot element."));
            if (model.skipByElement()) {
                type.addType(skipProduct("Interaction" + t + "SkipTpOneElement", block, model.oneElementAttrs(),
                        interaction, kernels, " of one element: the same product with {@code 1x0e}, through which"
                        + " the model computes each node's skip product from its element's weights."));
            }
            type.addType(kernel("Product" + t + "Contraction", SYMMETRIC_CONTRACTION_KERNEL,
                    AnnotationSpec.builder(SYMMETRIC_CONTRACTION)
                            .addMember("in", "$S", model.target().toString())
                            .addMember("out", "$S", block.hiddenOut().toString())
                            .addMember("correlation", "$L", block.correlation())
                            .addMember("elements", "$L", model.elements())
                            .addMember("cgConvention", "$T.E3NN_0_4", CG_CONVENTION), kernels,
                    "{@code products." + t + ".symmetric_contractions}: mace-torch's {@code SymmetricContraction}."));
            type.addType(linear("Product" + t + "Linear", block.hiddenOut(), block.hiddenOut(),
                    "products." + t + ".linear", kernels));
            String readout = "readouts." + t;
            Irreps scalar = Irreps.parse("0e");
            if (block.nonLinearReadout()) {
                type.addType(linear("Readout" + t + "Linear1", block.hiddenOut(), model.mlp(),
                        readout + ".linear_1", kernels));
                type.addType(linear("Readout" + t + "Linear2", model.mlp(), scalar, readout + ".linear_2",
                        kernels));
            } else {
                type.addType(linear("Readout" + t + "Linear", block.hiddenOut(), scalar, readout + ".linear",
                        kernels));
            }
        }

        type.addField(FieldSpec.builder(MACE, "model", Modifier.PRIVATE, Modifier.FINAL).build());
        type.addField(FieldSpec.builder(MACE.nestedClass("Weights"), "weights", Modifier.PRIVATE, Modifier.FINAL)
                .build());
        type.addMethod(MethodSpec.constructorBuilder()
                .addModifiers(Modifier.PUBLIC)
                .addJavadoc("The trained model in {@code stateDict} (mace-torch's {@code state_dict} names and shapes,"
                        + " with the\nactivation constants of {@code tools/export_mace.py}'s metadata when present).\n\n"
                        + "@throws IllegalArgumentException listing every missing, mismatched and unexpected key\n")
                .addParameter(STATE_DICT, "stateDict")
                .addStatement("this.model = architecture($T.of(stateDict))", ACTIVATION_CONSTANTS)
                .addStatement("this.weights = model.weights(model.parameters(stateDict))")
                .build());
        type.addMethod(architecture(model, implementation));
        String evaluate = kernels.precision() == Precision.FLOAT ? "evaluateFloat32" : "evaluate";
        type.addMethod(MethodSpec.methodBuilder("rMax")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .returns(TypeName.DOUBLE)
                .addStatement("return model.rMax()")
                .build());
        type.addMethod(MethodSpec.methodBuilder("atomicNumbers")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .returns(INTS)
                .addStatement("return model.atomicNumbers()")
                .build());
        type.addMethod(MethodSpec.methodBuilder("evaluate")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .returns(EVALUATION)
                .addParameter(STRUCTURE, "structure")
                .beginControlFlow("if (structure == null)")
                .addStatement("throw new $T($S)", IllegalArgumentException.class, "structure is null")
                .endControlFlow()
                .addStatement("return model.$L($T.of(structure), weights).get(0)", evaluate, List.class)
                .build());
        type.addMethod(MethodSpec.methodBuilder("evaluate")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .returns(ParameterizedTypeName.get(ClassName.get(List.class), EVALUATION))
                .addParameter(ParameterizedTypeName.get(ClassName.get(List.class), STRUCTURE), "structures")
                .addStatement("return model.$L(structures, weights)", evaluate)
                .build());
        return type.build();
    }

    private static CodeBlock javadoc(MaceModel model, ClassName spec) {
        CodeBlock.Builder doc = CodeBlock.builder()
                .add("mace-torch v0.3.6's {@code $L} as {@link $T} declares it, every block derived as mace-torch"
                        + " derives it:\n<pre>\n", model.spec().scaleShift() ? "ScaleShiftMACE" : "MACE", spec)
                .add("  node_embedding: $L -> $L\n  spherical_harmonics: $L\n", model.nodeAttrs(), model.nodeFeats(),
                        model.shIrreps());
        for (Block block : model.blocks()) {
            doc.add("  interactions.$L ($L): $L -> conv (mid $L) -> $L\n", block.index(),
                    block.residual() ? "RealAgnosticResidualInteractionBlock" : "RealAgnosticInteractionBlock",
                    block.in(), block.mid(), model.target());
            doc.add("  products.$L: correlation $L -> $L\n", block.index(), block.correlation(), block.hiddenOut());
            doc.add("  readouts.$L: $L\n", block.index(), block.nonLinearReadout()
                    ? "linear -> " + model.mlp() + " -> " + model.spec().gate() + " -> 0e" : "linear -> 0e");
        }
        doc.add("</pre>\n");
        if (model.spec().layout() == Layout.IR_MUL) {
            doc.add("Generated with {@code layout = IR_MUL}: the node features are channel-last between the blocks;"
                    + " {@code interactions.t.linear}\ntakes {@code irreps_mid} unsimplified (the same map and"
                    + " weights).\n");
        }
        if (model.spec().precision() == Precision.FLOAT) {
            doc.add("Generated with {@code precision = FLOAT}: {@code evaluate} computes in float32, as mace-torch's"
                    + " model in\n{@code float32} does ({@link $T#evaluateFloat32($T, $T.Weights)}); the engine of"
                    + " {@code architecture}\nalso evaluates in float64.\n", MACE, List.class, MACE);
        }
        return doc.build();
    }

    /** What every nested kernel is generated in: the model's precision and its layout. */
    private record Kernels(Precision precision, Layout layout) {

        Kernels withLayout(Layout other) {
            return new Kernels(precision, other);
        }
    }

    private static TypeSpec kernel(String name, ClassName kernel, AnnotationSpec.Builder annotation,
                                   Kernels kernels, String javadoc) {
        if (kernels.layout() == Layout.IR_MUL) {
            annotation.addMember("layout", "$T.IR_MUL", LAYOUT);
        }
        if (kernels.precision() == Precision.FLOAT) {
            annotation.addMember("precision", "$T.FLOAT", PRECISION);
        }
        return TypeSpec.interfaceBuilder(name)
                .addJavadoc("$L\n", javadoc)
                .addAnnotation(annotation.build())
                .addSuperinterface(kernel)
                .build();
    }

    private static TypeSpec linear(String name, Irreps in, Irreps out, String module, Kernels kernels) {
        return kernel(name, LINEAR_KERNEL, AnnotationSpec.builder(LINEAR)
                .addMember("in", "$S", in.toString())
                .addMember("out", "$S", out.toString()), kernels,
                "{@code " + module + "}: e3nn's {@code o3.Linear}.");
    }

    private static TypeSpec edgeProduct(String name, Block block, Irreps shIrreps, String module,
                                        Kernels kernels) {
        CodeBlock.Builder paths = CodeBlock.builder().add("{");
        List<EdgePath> edgePaths = block.paths();
        for (int p = 0; p < edgePaths.size(); p++) {
            EdgePath path = edgePaths.get(p);
            paths.add(p == 0 ? "\n" : ",\n").add("$>$>@$T(in1 = $L, in2 = $L, out = $L, mode = $S)$<$<", PATH,
                    path.in1(), path.in2(), path.out(), "uvu");
        }
        paths.add("\n}");
        return kernel(name, TENSOR_PRODUCT_KERNEL, AnnotationSpec.builder(TENSOR_PRODUCT)
                .addMember("in1", "$S", block.in().toString())
                .addMember("in2", "$S", shIrreps.toString())
                .addMember("out", "$S", block.mid().toString())
                .addMember("kind", "$T.Kind.CUSTOM", TENSOR_PRODUCT)
                .addMember("sharedWeights", "false")
                .addMember("cgConvention", "$T.E3NN_0_4", CG_CONVENTION)
                .addMember("paths", "$L", paths.build()), kernels, "{@code " + module + ".conv_tp}: e3nn's"
                + " {@code TensorProduct} into mace-torch's sorted {@code irreps_mid}, per-edge weights.");
    }

    /**
     * The skip product, e3nn's {@code FullyConnectedTensorProduct}; where it leaves outputs at zero (a residual
     * from scalars to non-scalar hidden irreps), so does the kernel: mace-torch builds it so.
     */
    private static TypeSpec skipProduct(String name, Block block, Irreps nodeAttrs, String module,
                                        Kernels kernels, String description) {
        TypeSpec kernel = kernel(name, TENSOR_PRODUCT_KERNEL, AnnotationSpec.builder(TENSOR_PRODUCT)
                .addMember("in1", "$S", block.skipIn().toString())
                .addMember("in2", "$S", nodeAttrs.toString())
                .addMember("out", "$S", block.skipOut().toString())
                .addMember("cgConvention", "$T.E3NN_0_4", CG_CONVENTION), kernels,
                "{@code " + module + ".skip_tp}" + description);
        if (GatePointsModel.fullyConnectedLeavesZeros(block.skipIn(), nodeAttrs, block.skipOut())) {
            kernel = kernel.toBuilder().addAnnotation(AnnotationSpec.builder(SuppressWarnings.class)
                    .addMember("value", "$S", "e3j.unreachable").build()).build();
        }
        return kernel;
    }

    /** The builder calls of the radial options that differ from mace-torch's defaults (none for the defaults). */
    private static CodeBlock radialOptions(MaceSpec spec) {
        CodeBlock.Builder options = CodeBlock.builder();
        if (spec.radialType() != Mace.RadialType.BESSEL) {
            options.add(".radialBasis($T.Basis.$L)\n", RADIAL_EMBEDDING, spec.radialType());
        }
        if (spec.distanceTransform() != Mace.DistanceTransform.NONE) {
            options.add(".distanceTransform($T.$L)\n", DISTANCE_TRANSFORM, spec.distanceTransform());
        }
        if (spec.pairRepulsion()) {
            options.add(".pairRepulsion(true)\n");
        }
        return options.build();
    }

    private static MethodSpec architecture(MaceModel model, ClassName implementation) {
        CodeBlock.Builder body = CodeBlock.builder()
                .add("return $T.builder(new $T(), new $T())\n", MACE, kernelImpl(implementation, "EdgeHarmonics"),
                        kernelImpl(implementation, "NodeEmbedding"))
                .indent().indent()
                .add(".radial($L, $L, $L)\n", Double.toString(model.spec().rMax()), model.spec().numBessel(),
                        model.spec().numPolynomialCutoff())
                .add(radialOptions(model.spec()))
                .add(".atomicNumbers($L)\n", model.spec().atomicNumbers().stream().map(String::valueOf)
                        .collect(Collectors.joining(", ")))
                .add(".avgNumNeighbors($L)\n", Double.toString(model.spec().avgNumNeighbors()))
                .add(".radialMlp($L)\n", model.spec().radialMlp().stream().map(String::valueOf)
                        .collect(Collectors.joining(", ")))
                .add(".scaleShift($L)\n", model.spec().scaleShift());
        for (Block block : model.blocks()) {
            int t = block.index();
            String prefix = "Interaction" + t;
            CodeBlock oneElementSkip = model.skipByElement()
                    ? CodeBlock.of(", new $T()", kernelImpl(implementation, prefix + "SkipTpOneElement"))
                    : CodeBlock.of("");
            body.add(".interaction($L, new $T(), new $T(), new $T(), new $T()$L)\n", block.residual(),
                    kernelImpl(implementation, prefix + "LinearUp"), kernelImpl(implementation, prefix + "ConvTp"),
                    kernelImpl(implementation, prefix + "Linear"), kernelImpl(implementation, prefix + "SkipTp"),
                    oneElementSkip);
            body.add(".product(new $T(), new $T())\n", kernelImpl(implementation, "Product" + t + "Contraction"),
                    kernelImpl(implementation, "Product" + t + "Linear"));
            if (block.nonLinearReadout()) {
                body.add(".nonLinearReadout(new $T(), $L, new $T())\n",
                        kernelImpl(implementation, "Readout" + t + "Linear1"), gate(model.spec().gate()),
                        kernelImpl(implementation, "Readout" + t + "Linear2"));
            } else {
                body.add(".linearReadout(new $T())\n", kernelImpl(implementation, "Readout" + t + "Linear"));
            }
        }
        body.add(".build(activationConstants);\n").unindent().unindent();
        return MethodSpec.methodBuilder("architecture")
                .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
                .addJavadoc("The derived blocks, for inspection or other parameters ({@code weights(params)} cuts"
                        + " them in its\nflat layout). {@code activationConstants} maps module names to e3nn's"
                        + " {@code normalize2mom}\nconstants; those missing use e3j's own.\n")
                .returns(MACE)
                .addParameter(ParameterizedTypeName.get(ClassName.get(Map.class), ClassName.get(String.class),
                        ClassName.get(Double.class)), "activationConstants")
                .addCode(body.build())
                .build();
    }

    private static CodeBlock gate(Mace.Gate gate) {
        return gate == Mace.Gate.NONE ? CodeBlock.of("null") : CodeBlock.of("$T.$L", SCALAR_FUNCTION, gate.name());
    }

    private static ClassName kernelImpl(ClassName implementation, String kernel) {
        return GeneratedFiles.implementationName(implementation.nestedClass(kernel));
    }
}
