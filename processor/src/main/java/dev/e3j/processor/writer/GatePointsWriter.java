package dev.e3j.processor.writer;

import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.e3j.annotations.CgConvention;
import dev.e3j.annotations.Layout;
import dev.e3j.annotations.Precision;
import dev.e3j.processor.model.CgConventions;
import dev.e3j.processor.model.EdgePath;
import dev.e3j.processor.model.GatePointsModel.Activation;
import dev.e3j.processor.model.GatePointsModel.Convolution;
import dev.e3j.processor.model.GatePointsModel.GateLayer;
import dev.e3j.processor.model.GatePointsModel;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.Layouts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;

/**
 * Writes {@code <Spec>Impl} of a {@code @GatePointsNetwork}: the derived layers as nested kernel specs
 * ({@code @SphericalHarmonics}, {@code @TensorProduct}), which the processor generates in its next round like any
 * user's, wired into the runtime's {@code GatePoints} architecture, and the {@code PointsModel} methods. Every nested
 * product whose operands lay out otherwise in {@code ir_mul} than in {@code mul_ir} gets the model's {@code layout};
 * the others (e.g. {@code 1x0e -> 1x0e+1x1o+1x2e}) and the harmonics, one channel per degree, read and write the same
 * memory in both layouts and keep the default kernel, which does not convert blocks internally.
 */
public final class GatePointsWriter {

    private static final String ANNOTATIONS = "dev.e3j.annotations";
    private static final ClassName TENSOR_PRODUCT = ClassName.get(ANNOTATIONS, "TensorProduct");
    private static final ClassName CG_CONVENTION = ClassName.get(ANNOTATIONS, "CgConvention");
    private static final ClassName LAYOUT = ClassName.get(ANNOTATIONS, "Layout");
    private static final ClassName PATH = ClassName.get(ANNOTATIONS, "Path");
    private static final ClassName SPHERICAL_HARMONICS = ClassName.get(ANNOTATIONS, "SphericalHarmonics");
    private static final ClassName PRECISION = ClassName.get(ANNOTATIONS, "Precision");
    private static final ClassName TENSOR_PRODUCT_KERNEL = ClassName.get("dev.e3j.runtime", "TensorProductKernel");
    private static final ClassName SPHERICAL_HARMONICS_KERNEL =
            ClassName.get("dev.e3j.runtime", "SphericalHarmonicsKernel");
    private static final ClassName IRREPS = ClassName.get("dev.e3j.runtime", "Irreps");
    private static final ClassName STATE_DICT = ClassName.get("dev.e3j.runtime.io", "StateDict");
    private static final ClassName GATE_POINTS = ClassName.get("dev.e3j.runtime.model", "GatePoints");
    private static final ClassName ACTIVATION_CONSTANTS = ClassName.get("dev.e3j.runtime.model",
            "ActivationConstants");
    private static final ClassName SCALAR_FUNCTION = ClassName.get("dev.e3j.runtime.nn", "ScalarFunction");
    private static final TypeName DOUBLES = ArrayTypeName.of(TypeName.DOUBLE);
    private static final TypeName FLOATS = ArrayTypeName.of(TypeName.FLOAT);
    private static final TypeName INTS = ArrayTypeName.of(TypeName.INT);

    private GatePointsWriter() {
    }

    /** The class {@code implementation} implementing {@code spec}. */
    public static TypeSpec write(GatePointsModel model, ClassName spec, ClassName implementation) {
        Precision precision = model.spec().precision();
        KernelOptions options = new KernelOptions(model.spec().cgConvention(), model.spec().layout());
        TypeSpec.Builder type = TypeSpec.classBuilder(implementation)
                .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addSuperinterface(spec)
                .addJavadoc(javadoc(model, spec));
        type.addType(kernel("EdgeHarmonics", SPHERICAL_HARMONICS_KERNEL,
                AnnotationSpec.builder(SPHERICAL_HARMONICS)
                        .addMember("ls", "{$L}", model.shDegrees().stream().map(String::valueOf)
                                .collect(Collectors.joining(", ")))
                        .addMember("normalize", "true"), precision,
                "Edge attributes: spherical harmonics of the edge directions, component normalization."));
        List<Convolution> convolutions = model.convolutions();
        Irreps attr = model.productAttr();
        for (int i = 0; i < convolutions.size(); i++) {
            Convolution conv = convolutions.get(i);
            String name = "Layer" + i;
            addFullyConnected(type, name + "SelfConnection", conv.in(), attr, conv.out(), precision, options,
                    conv.prefix() + ".sc");
            addFullyConnected(type, name + "Lin1", conv.in(), attr, conv.in(), precision, options,
                    conv.prefix() + ".lin1");
            type.addType(edgeProduct(name + "EdgeProduct", conv, model.irrepsEdgeAttr(), precision, options));
            addFullyConnected(type, name + "Lin2", conv.mid(), attr, conv.out(), precision, options,
                    conv.prefix() + ".lin2");
        }

        type.addField(FieldSpec.builder(GATE_POINTS, "network", Modifier.PRIVATE, Modifier.FINAL).build());
        type.addField(FieldSpec.builder(DOUBLES, "parameters", Modifier.PRIVATE, Modifier.FINAL).build());
        type.addMethod(MethodSpec.constructorBuilder()
                .addModifiers(Modifier.PUBLIC)
                .addJavadoc("The trained network in {@code stateDict} (e3nn's {@code state_dict} names and shapes, with"
                        + " the\nactivation constants of {@code tools/export_e3nn.py}'s metadata when present).\n\n"
                        + "@throws IllegalArgumentException listing every missing, mismatched and unexpected key\n")
                .addParameter(STATE_DICT, "stateDict")
                .addStatement("this.network = architecture($T.of(stateDict))", ACTIVATION_CONSTANTS)
                .addStatement("this.parameters = network.parameters(stateDict)")
                .build());
        type.addMethod(MethodSpec.constructorBuilder()
                .addModifiers(Modifier.PUBLIC)
                .addJavadoc("The network with the flat {@code parameters} of {@link #architecture} (copied) and e3j's"
                        + " own\nactivation constants.\n")
                .addParameter(DOUBLES, "parameters")
                .addStatement("this.network = architecture($T.of())", Map.class)
                .beginControlFlow("if (parameters == null || parameters.length != network.parameterCount())")
                .addStatement("throw new $T($S + network.parameterCount() + $S\n+ (parameters == null ? $S : "
                                + "parameters.length))", IllegalArgumentException.class,
                        implementation.simpleName() + ": parameters must have length ", ", got ", "null")
                .endControlFlow()
                .addStatement("this.parameters = parameters.clone()")
                .build());
        type.addMethod(architecture(model, implementation));
        type.addMethod(getter("parameters", DOUBLES, "parameters.clone()",
                "A copy of the flat parameters, in {@link #architecture}'s layout."));
        type.addMethod(KernelSurface.getter("irrepsIn", IRREPS, "network.irrepsIn()"));
        type.addMethod(KernelSurface.getter("irrepsNodeAttr", IRREPS, "network.irrepsNodeAttr()"));
        type.addMethod(KernelSurface.getter("irrepsOut", IRREPS, "network.irrepsOut()"));
        type.addMethod(KernelSurface.getter("hasNodeInput", TypeName.BOOLEAN, "network.hasNodeInput()"));
        type.addMethod(KernelSurface.getter("hasNodeAttributes", TypeName.BOOLEAN, "network.hasNodeAttributes()"));
        type.addMethod(KernelSurface.getter("reduceOutput", TypeName.BOOLEAN, "network.reduceOutput()"));
        type.addMethod(forward(DOUBLES, "return network.forward(numNodes, pos, batch, x, z, parameters)"));
        type.addMethod(backward(DOUBLES, "network.backward(numNodes, pos, batch, x, z, parameters, gradOut, "
                + "gradPos, gradX, gradZ, null)"));
        if (precision == Precision.FLOAT) {
            type.addMethod(forward(FLOATS, "return network.forward(numNodes, pos, batch, x, z, parameters)"));
            type.addMethod(backward(FLOATS, "network.backward(numNodes, pos, batch, x, z, parameters, gradOut, "
                    + "gradPos, gradX, gradZ)"));
        }
        return type.build();
    }

    private static CodeBlock javadoc(GatePointsModel model, ClassName spec) {
        CodeBlock.Builder doc = CodeBlock.builder()
                .add("e3nn 0.5.4's {@code gate_points_2101.Network} as {@link $T} declares it$L, every layer derived"
                        + " as e3nn derives it:\n<pre>\n", spec, CgConventions.suffix(model.spec().cgConvention()));
        List<Convolution> convolutions = model.convolutions();
        for (int i = 0; i < convolutions.size(); i++) {
            Convolution conv = convolutions.get(i);
            doc.add("  $L: $L -> conv (mid $L) -> $L\n", conv.prefix(), conv.in(), conv.mid(), conv.out());
            if (i < model.gates().size()) {
                GateLayer gate = model.gates().get(i);
                doc.add("  $L: gate $L -> $L\n", gate.prefix(), gate.irrepsIn(), gate.irrepsOut());
            }
        }
        doc.add("</pre>\nEdge attributes $L, node attributes $L.\n", model.irrepsEdgeAttr(), model.productAttr());
        if (model.spec().layout() == Layout.IR_MUL) {
            doc.add("Hidden features channel-last ({@code IR_MUL}) from layer to layer; inputs, outputs and their"
                    + " gradients in e3nn's layout.\n");
        }
        return doc.build();
    }

    private static TypeSpec kernel(String name, ClassName kernel, AnnotationSpec.Builder annotation,
                                   Precision precision, String javadoc) {
        if (precision == Precision.FLOAT) {
            annotation.addMember("precision", "$T.FLOAT", PRECISION);
        }
        return TypeSpec.interfaceBuilder(name)
                .addJavadoc("$L\n", javadoc)
                .addAnnotation(annotation.build())
                .addSuperinterface(kernel)
                .build();
    }

    /**
     * The nested spec of a fully connected product, unless no path connects it (then no kernel is generated). Where
     * e3nn's product leaves outputs at zero (a self-connection from irreps the output lacks), so does the kernel:
     * e3nn builds it so, and the spec says the zeros are meant.
     */
    private static void addFullyConnected(TypeSpec.Builder type, String name, Irreps in1, Irreps in2, Irreps out,
                                          Precision precision, KernelOptions options, String module) {
        if (!GatePointsModel.fullyConnectedHasPaths(in1, in2, out)) {
            return;
        }
        TypeSpec kernel = kernel(name, TENSOR_PRODUCT_KERNEL, options.addTo(AnnotationSpec.builder(TENSOR_PRODUCT)
                .addMember("in1", "$S", in1.toString())
                .addMember("in2", "$S", in2.toString())
                .addMember("out", "$S", out.toString()), in1, in2, out), precision,
                "{@code " + module + "}: e3nn's {@code FullyConnectedTensorProduct}.");
        if (GatePointsModel.fullyConnectedLeavesZeros(in1, in2, out)) {
            kernel = kernel.toBuilder().addAnnotation(AnnotationSpec.builder(SuppressWarnings.class)
                    .addMember("value", "$S", "e3j.unreachable").build()).build();
        }
        type.addType(kernel);
    }

    private static TypeSpec edgeProduct(String name, Convolution conv, Irreps edgeAttr, Precision precision,
                                        KernelOptions options) {
        CodeBlock.Builder paths = CodeBlock.builder().add("{");
        List<EdgePath> edgePaths = conv.paths();
        for (int p = 0; p < edgePaths.size(); p++) {
            EdgePath path = edgePaths.get(p);
            paths.add(p == 0 ? "\n" : ",\n").add("$>$>@$T(in1 = $L, in2 = $L, out = $L, mode = $S)$<$<", PATH,
                    path.in1(), path.in2(), path.out(), "uvu");
        }
        paths.add("\n}");
        return kernel(name, TENSOR_PRODUCT_KERNEL, options.addTo(AnnotationSpec.builder(TENSOR_PRODUCT)
                .addMember("in1", "$S", conv.in().toString())
                .addMember("in2", "$S", edgeAttr.toString())
                .addMember("out", "$S", conv.mid().toString())
                .addMember("kind", "$T.Kind.CUSTOM", TENSOR_PRODUCT)
                .addMember("sharedWeights", "false")
                .addMember("paths", "$L", paths.build()), conv.in(), edgeAttr, conv.mid()), precision,
                "{@code " + conv.prefix() + ".tp}: e3nn's {@code TensorProduct} into the sorted {@code irreps_mid},"
                        + " per-edge weights.");
    }

    /** The model's attributes that every nested product shares. */
    private record KernelOptions(CgConvention convention, Layout layout) {

        /**
         * {@code annotation} with {@code cgConvention} unless it is the default, and {@code layout} unless it is the
         * default or all three operands lay out the same in both layouts.
         */
        AnnotationSpec.Builder addTo(AnnotationSpec.Builder annotation, Irreps in1, Irreps in2, Irreps out) {
            if (!CgConventions.isDefault(convention)) {
                annotation.addMember("cgConvention", "$T.$L", CG_CONVENTION, convention.name());
            }
            if (layout != Layout.MUL_IR && !(Layouts.sameInBothLayouts(in1) && Layouts.sameInBothLayouts(in2)
                    && Layouts.sameInBothLayouts(out))) {
                annotation.addMember("layout", "$T.$L", LAYOUT, layout.name());
            }
            return annotation;
        }
    }

    private static MethodSpec architecture(GatePointsModel model, ClassName implementation) {
        CodeBlock.Builder body = CodeBlock.builder()
                .add("return $T.builder(new $T())\n", GATE_POINTS, kernelImpl(implementation, "EdgeHarmonics"))
                .indent().indent();
        if (model.irrepsIn() != null) {
            body.add(".irrepsIn($T.parse($S))\n", IRREPS, model.irrepsIn().toString());
        }
        if (model.irrepsNodeAttr() != null) {
            body.add(".irrepsNodeAttr($T.parse($S))\n", IRREPS, model.irrepsNodeAttr().toString());
        }
        if (model.spec().layout() == Layout.IR_MUL) {
            body.add(".channelLast(true)\n");
        }
        body.add(".maxRadius($L)\n.numberOfBasis($L)\n.numNeighbors($L)\n.numNodes($L)\n.reduceOutput($L)\n",
                doubleLiteral(model.spec().maxRadius()), model.spec().numberOfBasis(),
                doubleLiteral(model.spec().numNeighbors()), doubleLiteral(model.spec().numNodes()),
                model.spec().reduceOutput());
        List<Convolution> convolutions = model.convolutions();
        for (int i = 0; i < convolutions.size(); i++) {
            Convolution conv = convolutions.get(i);
            String name = "Layer" + i;
            Irreps attr = model.productAttr();
            body.add(".convolution($S,\n$>$L,\n$L,\nnew $T(),\n$L$L)$<\n", conv.prefix(),
                    fullyConnected(implementation, name + "SelfConnection", conv.in(), attr, conv.out()),
                    fullyConnected(implementation, name + "Lin1", conv.in(), attr, conv.in()),
                    kernelImpl(implementation, name + "EdgeProduct"),
                    fullyConnected(implementation, name + "Lin2", conv.mid(), attr, conv.out()),
                    conv.radialHidden().stream().map(w -> ", " + w).collect(Collectors.joining()));
            if (i < model.gates().size()) {
                GateLayer gate = model.gates().get(i);
                body.add(".gate($S, $S, $L, $S, $L, $S)\n", gate.prefix(), gate.scalars().toString(),
                        functions(gate.actScalars()), gate.gates().toString(), functions(gate.actGates()),
                        gate.gated().toString());
            }
        }
        body.add(".build(activationConstants);\n").unindent().unindent();
        return MethodSpec.methodBuilder("architecture")
                .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
                .addJavadoc("The derived layers, for training or inspection: parameters are passed to its methods in"
                        + " its flat\nlayout. {@code activationConstants} maps e3nn module names to e3nn's"
                        + " {@code normalize2mom}\nconstants; those missing use e3j's own.\n")
                .returns(GATE_POINTS)
                .addParameter(ParameterizedTypeName.get(ClassName.get(Map.class), ClassName.get(String.class),
                        ClassName.get(Double.class)), "activationConstants")
                .addCode(body.build())
                .build();
    }

    /** A new generated fully connected kernel, or the runtime's product without paths. */
    private static CodeBlock fullyConnected(ClassName implementation, String name, Irreps in1, Irreps in2,
                                            Irreps out) {
        if (GatePointsModel.fullyConnectedHasPaths(in1, in2, out)) {
            return CodeBlock.of("new $T()", kernelImpl(implementation, name));
        }
        return CodeBlock.of("$T.noPaths($T.parse($S), $T.parse($S), $T.parse($S))", GATE_POINTS, IRREPS,
                in1.toString(), IRREPS, in2.toString(), IRREPS, out.toString());
    }

    private static ClassName kernelImpl(ClassName implementation, String kernel) {
        return GeneratedFiles.implementationName(implementation.nestedClass(kernel));
    }

    private static CodeBlock functions(List<Activation> activations) {
        List<CodeBlock> items = new ArrayList<>();
        for (Activation activation : activations) {
            items.add(CodeBlock.of("$T.$L", SCALAR_FUNCTION, activation.name()));
        }
        return CodeBlock.of("$T.of($L)", List.class, CodeBlock.join(items, ", "));
    }

    private static String doubleLiteral(double value) {
        return Double.toString(value);
    }

    private static MethodSpec getter(String name, TypeName type, String expression, String javadoc) {
        return MethodSpec.methodBuilder(name)
                .addModifiers(Modifier.PUBLIC)
                .addJavadoc("$L\n", javadoc)
                .returns(type)
                .addStatement("return $L", expression)
                .build();
    }

    private static MethodSpec forward(TypeName array, String statement) {
        return MethodSpec.methodBuilder("forward")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .returns(array)
                .addParameter(TypeName.INT, "numNodes")
                .addParameter(array, "pos")
                .addParameter(INTS, "batch")
                .addParameter(array, "x")
                .addParameter(array, "z")
                .addStatement(statement)
                .build();
    }

    private static MethodSpec backward(TypeName array, String call) {
        MethodSpec.Builder method = MethodSpec.methodBuilder("backward")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addParameter(TypeName.INT, "numNodes")
                .addParameter(array, "pos")
                .addParameter(INTS, "batch");
        for (String name : List.of("x", "z", "gradOut", "gradPos", "gradX", "gradZ")) {
            method.addParameter(array, name);
        }
        return method.addStatement(call).build();
    }
}
