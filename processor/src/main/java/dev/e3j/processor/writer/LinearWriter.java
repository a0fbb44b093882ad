package dev.e3j.processor.writer;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.e3j.annotations.Precision;
import dev.e3j.processor.math.SqrtRational;
import dev.e3j.processor.model.LinearModel;
import dev.e3j.processor.model.LinearModel.Bias;
import dev.e3j.processor.model.LinearModel.Path;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.Irreps.MulIrrep;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * Turns a {@link LinearModel} into the source of a {@code LinearKernel}: one loop nest per output entry (forward)
 * and per input entry (input gradient), with the path coefficients {@code sqrt(alpha)} as constants rounded once.
 */
public final class LinearWriter {

    private final LinearModel model;
    private final Precision precision;
    private final int dimIn;
    private final int dimOut;

    private LinearWriter(LinearModel model, Precision precision) {
        this.model = model;
        this.precision = precision;
        this.dimIn = model.irrepsIn().dim();
        this.dimOut = model.irrepsOut().dim();
    }

    /** The class {@code impl} implementing the user's interface {@code spec}. */
    public static TypeSpec write(LinearModel model, Precision precision, ClassName spec, ClassName impl) {
        return new LinearWriter(model, precision).type(spec, impl);
    }

    private TypeSpec type(ClassName spec, ClassName impl) {
        TypeSpec.Builder type = TypeSpec.classBuilder(impl)
                .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addSuperinterface(spec)
                .addJavadoc(javadoc(spec))
                .addField(irrepsField("IRREPS_IN", model.irrepsIn()))
                .addField(irrepsField("IRREPS_OUT", model.irrepsOut()));
        List<Arithmetic> arithmetics = precision == Precision.FLOAT
                ? List.of(Arithmetic.DOUBLE, Arithmetic.FLOAT) : List.of(Arithmetic.DOUBLE);
        for (Arithmetic arithmetic : arithmetics) {
            for (int p = 0; p < model.paths().size(); p++) {
                type.addField(coefficientField(p, arithmetic));
            }
        }
        type.addMethod(getter("irrepsIn", Irreps.class, "IRREPS_IN"))
                .addMethod(getter("irrepsOut", Irreps.class, "IRREPS_OUT"))
                .addMethod(getter("weightNumel", int.class, Integer.toString(model.weightNumel())))
                .addMethod(getter("biasNumel", int.class, Integer.toString(model.biasNumel())));
        for (Arithmetic arithmetic : arithmetics) {
            type.addMethod(forward(arithmetic)).addMethod(backward(arithmetic));
        }
        for (Arithmetic arithmetic : arithmetics) {
            type.addMethod(KernelChecks.requireLength(arithmetic));
        }
        return type.addMethod(KernelChecks.requireNonNegative()).build();
    }

    private CodeBlock javadoc(ClassName spec) {
        CodeBlock.Builder doc = CodeBlock.builder()
                .add("e3nn's {@code o3.Linear($S -> $S)}, path normalization {@code $L}$L, as declared by {@link $T}.\n",
                        model.irrepsIn().toString(), model.irrepsOut().toString(), model.pathNormalization(),
                        model.biases().isEmpty() ? "" : ", biases on the 0e outputs", spec)
                .add("\n<p>{@code out[w][i] = sum over paths of sqrt(alpha) * sum_u W[u][w] x[u][i]}, weights "
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

    private static FieldSpec irrepsField(String name, Irreps irreps) {
        return FieldSpec.builder(Irreps.class, name, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .initializer("$T.parse($S)", Irreps.class, irreps.toString())
                .build();
    }

    private FieldSpec coefficientField(int p, Arithmetic arithmetic) {
        Path path = model.paths().get(p);
        return FieldSpec.builder(arithmetic.type(), coefficient(p, arithmetic),
                        Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("$L = sqrt($L), path $L.\n", SqrtRational.sqrtOf(path.alpha()), path.alpha(), p)
                .initializer("$L", arithmetic.literal(SqrtRational.sqrtOf(path.alpha())))
                .build();
    }

    private static String coefficient(int p, Arithmetic arithmetic) {
        return "PATH_" + p + arithmetic.constantSuffix();
    }

    private static MethodSpec getter(String name, Class<?> type, String value) {
        return MethodSpec.methodBuilder(name)
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .returns(type)
                .addStatement("return $L", value)
                .build();
    }

    private MethodSpec forward(Arithmetic t) {
        TypeName array = t.arrayType();
        MethodSpec.Builder method = MethodSpec.methodBuilder("forward")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addParameter(int.class, "batch")
                .addParameter(array, "x")
                .addParameter(array, "weights")
                .addParameter(array, "bias")
                .addParameter(array, "out")
                .addStatement("requireNonNegative($S, batch)", "batch")
                .addStatement("requireLength($S, x, batch, $L)", "x", dimIn)
                .addStatement("requireLength($S, weights, 1, $L)", "weights", model.weightNumel())
                .addStatement("requireLength($S, bias, 1, $L)", "bias", model.biasNumel())
                .addStatement("requireLength($S, out, batch, $L)", "out", dimOut)
                .beginControlFlow("for (int b = 0; b < batch; b++)")
                .addStatement("int xb = b * $L", dimIn)
                .addStatement("int ob = b * $L", dimOut);
        Irreps out = model.irrepsOut();
        for (int o = 0; o < out.size(); o++) {
            MulIrrep entry = out.get(o);
            if (entry.dim() == 0) {
                continue;
            }
            List<Path> paths = model.pathsInto(o).stream().filter(p -> p.weightNumel() > 0).toList();
            Bias bias = model.biasOf(o);
            method.addComment("out[$L] $L", o, entry);
            if (paths.isEmpty() && bias == null) {
                method.addStatement("$T.fill(out, ob + $L, ob + $L, $L)", java.util.Arrays.class,
                        out.offset(o), out.offset(o + 1), t.literal(0));
                continue;
            }
            int dim = entry.ir().dim();
            method.beginControlFlow("for (int w = 0; w < $L; w++)", entry.mul());
            if (dim > 1) {
                method.beginControlFlow("for (int i = 0; i < $L; i++)", dim);
            }
            List<String> terms = new ArrayList<>();
            for (Path path : paths) {
                int p = model.paths().indexOf(path);
                String sum = "path" + p;
                method.addStatement("$T $L = $L", t.type(), sum, t.literal(0))
                        .beginControlFlow("for (int u = 0; u < $L; u++)", path.mulIn())
                        .addStatement("$L += weights[$L] * x[$L]", sum,
                                offsetPlus(path.weightOffset(), "u * " + path.mulOut() + " + w"),
                                offsetPlus(model.irrepsIn().offset(path.inIndex()), "xb", channel("u", dim)))
                        .endControlFlow();
                terms.add(coefficient(p, t) + " * " + sum);
            }
            if (bias != null) {
                terms.add("bias[" + offsetPlus(bias.biasOffset(), "w") + "]");
            }
            method.addStatement("out[$L] = $L", offsetPlus(out.offset(o), "ob", channel("w", dim)),
                    String.join(" + ", terms));
            if (dim > 1) {
                method.endControlFlow();
            }
            method.endControlFlow();
        }
        return method.endControlFlow().build();
    }

    private MethodSpec backward(Arithmetic t) {
        TypeName array = t.arrayType();
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
                .addStatement("requireNonNegative($S, batch)", "batch")
                .addStatement("requireLength($S, x, batch, $L)", "x", dimIn)
                .addStatement("requireLength($S, weights, 1, $L)", "weights", model.weightNumel())
                .addStatement("requireLength($S, gradOut, batch, $L)", "gradOut", dimOut);
        method.beginControlFlow("if (gradX != null)")
                .addStatement("requireLength($S, gradX, batch, $L)", "gradX", dimIn)
                .addCode(inputGradient(t))
                .endControlFlow();
        method.beginControlFlow("if (gradWeights != null)")
                .addStatement("requireLength($S, gradWeights, 1, $L)", "gradWeights", model.weightNumel())
                .addCode(weightGradient(t))
                .endControlFlow();
        method.beginControlFlow("if (gradBias != null)")
                .addStatement("requireLength($S, gradBias, 1, $L)", "gradBias", model.biasNumel())
                .addCode(biasGradient(t))
                .endControlFlow();
        return method.build();
    }

    /** {@code gradX[u][i] = sum over paths from the entry of sqrt(alpha) * sum_w W[u][w] gradOut[w][i]}. */
    private CodeBlock inputGradient(Arithmetic t) {
        CodeBlock.Builder code = CodeBlock.builder()
                .beginControlFlow("for (int b = 0; b < batch; b++)")
                .addStatement("int xb = b * $L", dimIn)
                .addStatement("int ob = b * $L", dimOut);
        Irreps in = model.irrepsIn();
        for (int e = 0; e < in.size(); e++) {
            MulIrrep entry = in.get(e);
            if (entry.dim() == 0) {
                continue;
            }
            List<Path> paths = model.pathsFrom(e).stream().filter(p -> p.weightNumel() > 0).toList();
            code.add("// x[$L] $L\n", e, entry);
            if (paths.isEmpty()) {
                code.addStatement("$T.fill(gradX, xb + $L, xb + $L, $L)", java.util.Arrays.class,
                        in.offset(e), in.offset(e + 1), t.literal(0));
                continue;
            }
            int dim = entry.ir().dim();
            code.beginControlFlow("for (int u = 0; u < $L; u++)", entry.mul());
            if (dim > 1) {
                code.beginControlFlow("for (int i = 0; i < $L; i++)", dim);
            }
            List<String> terms = new ArrayList<>();
            for (Path path : paths) {
                int p = model.paths().indexOf(path);
                String sum = "path" + p;
                code.addStatement("$T $L = $L", t.type(), sum, t.literal(0))
                        .beginControlFlow("for (int w = 0; w < $L; w++)", path.mulOut())
                        .addStatement("$L += weights[$L] * gradOut[$L]", sum,
                                offsetPlus(path.weightOffset(), "u * " + path.mulOut() + " + w"),
                                offsetPlus(model.irrepsOut().offset(path.outIndex()), "ob", channel("w", dim)))
                        .endControlFlow();
                terms.add(coefficient(p, t) + " * " + sum);
            }
            code.addStatement("gradX[$L] = $L", offsetPlus(in.offset(e), "xb", channel("u", dim)),
                    String.join(" + ", terms));
            if (dim > 1) {
                code.endControlFlow();
            }
            code.endControlFlow();
        }
        return code.endControlFlow().build();
    }

    /** {@code gradW[u][w] = sqrt(alpha) * sum_b sum_i x[u][i] gradOut[w][i]}. */
    private CodeBlock weightGradient(Arithmetic t) {
        CodeBlock.Builder code = CodeBlock.builder()
                .addStatement("$T.fill(gradWeights, 0, $L, $L)", java.util.Arrays.class, model.weightNumel(),
                        t.literal(0))
                .beginControlFlow("for (int b = 0; b < batch; b++)")
                .addStatement("int xb = b * $L", dimIn)
                .addStatement("int ob = b * $L", dimOut);
        for (int p = 0; p < model.paths().size(); p++) {
            Path path = model.paths().get(p);
            if (path.weightNumel() == 0) {
                continue;
            }
            int dim = path.dim();
            code.add("// path $L: x[$L] -> out[$L]\n", p, path.inIndex(), path.outIndex())
                    .beginControlFlow("for (int u = 0; u < $L; u++)", path.mulIn())
                    .beginControlFlow("for (int w = 0; w < $L; w++)", path.mulOut());
            String xIndex = offsetPlus(model.irrepsIn().offset(path.inIndex()), "xb", channel("u", dim));
            String gradIndex = offsetPlus(model.irrepsOut().offset(path.outIndex()), "ob", channel("w", dim));
            if (dim == 1) {
                code.addStatement("gradWeights[$L] += $L * x[$L] * gradOut[$L]",
                        offsetPlus(path.weightOffset(), "u * " + path.mulOut() + " + w"), coefficient(p, t),
                        xIndex, gradIndex);
            } else {
                code.addStatement("$T dot = $L", t.type(), t.literal(0))
                        .beginControlFlow("for (int i = 0; i < $L; i++)", dim)
                        .addStatement("dot += x[$L] * gradOut[$L]", xIndex, gradIndex)
                        .endControlFlow()
                        .addStatement("gradWeights[$L] += $L * dot",
                                offsetPlus(path.weightOffset(), "u * " + path.mulOut() + " + w"), coefficient(p, t));
            }
            code.endControlFlow().endControlFlow();
        }
        return code.endControlFlow().build();
    }

    /** {@code gradBias[w] = sum_b gradOut[w]} over the biased {@code 0e} entries. */
    private CodeBlock biasGradient(Arithmetic t) {
        CodeBlock.Builder code = CodeBlock.builder();
        if (model.biases().isEmpty()) {
            return code.build();
        }
        code.addStatement("$T.fill(gradBias, 0, $L, $L)", java.util.Arrays.class, model.biasNumel(), t.literal(0))
                .beginControlFlow("for (int b = 0; b < batch; b++)")
                .addStatement("int ob = b * $L", dimOut);
        for (Bias bias : model.biases()) {
            code.beginControlFlow("for (int w = 0; w < $L; w++)", bias.mul())
                    .addStatement("gradBias[$L] += gradOut[$L]", offsetPlus(bias.biasOffset(), "w"),
                            offsetPlus(model.irrepsOut().offset(bias.outIndex()), "ob", "w"))
                    .endControlFlow();
        }
        return code.endControlFlow().build();
    }

    /** {@code channel * dim + i}, or just {@code channel} for scalars. */
    private static String channel(String channel, int dim) {
        return dim == 1 ? channel : channel + " * " + dim + " + i";
    }

    /** {@code a + b + ... + offset}, dropping a zero offset. */
    private static String offsetPlus(int offset, String... terms) {
        String sum = String.join(" + ", terms);
        return offset == 0 ? sum : sum + " + " + offset;
    }
}
