package dev.e3j.processor.writer;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import dev.e3j.processor.model.LinearModel;
import java.util.Arrays;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * The {@code doubleBackward} of a generated {@code LinearKernel}. The map {@code out = lin(x, W) + b} is bilinear in
 * {@code x} and {@code W}, so with the cotangents {@code ggX}, {@code ggW}, {@code ggB} of {@code backward}'s outputs
 * {@code gradX = lin_x^T(gradOut, W)}, {@code gradW = lin_W^T(x, gradOut)}, {@code gradB = sum 0e gradOut}:
 * <ul>
 * <li>{@code gGradOut = lin(ggX, W) + lin(x, ggW) + ggB} (the biases broadcast to their {@code 0e} outputs): two
 * forward passes;</li>
 * <li>{@code gX = lin_x^T(gradOut, ggW)}: the input gradient of {@code backward} with the weights {@code ggW};</li>
 * <li>{@code gW = lin_W^T(ggX, gradOut)}: the weight gradient of {@code backward} at the input {@code ggX}.</li>
 * </ul>
 * Each is exactly a pass the kernel already has, so the generated method checks its arguments and calls them; a
 * {@code null} cotangent contributes nothing, a {@code null} result is not computed.
 */
final class LinearDoubleBackward {

    private final LinearModel model;
    private final KernelChecks checks;

    LinearDoubleBackward(LinearModel model, KernelChecks checks) {
        this.model = model;
        this.checks = checks;
    }

    /** {@code doubleBackward} for arithmetic {@code t}, calling the kernel's own {@code forward} and {@code backward}. */
    MethodSpec method(NumberType t) {
        String method = "doubleBackward";
        TypeName array = t.arrayType();
        int dimIn = model.irrepsIn().dim();
        MethodSpec.Builder code = MethodSpec.methodBuilder(method)
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addParameter(int.class, "batch");
        for (String name : List.of("x", "weights", "gradOut", "ggX", "ggWeights", "ggBias", "gX", "gWeights",
                "gGradOut")) {
            code.addParameter(array, name);
        }
        code.addCode(checks.nonNegativeCount(method))
                .addCode(checks.perSample(method, "x", dimIn))
                .addCode(weightsCheck(method, "weights"))
                .addCode(checks.perSample(method, "gradOut", model.irrepsOut().dim()))
                .addCode(optional("ggX", checks.perSample(method, "ggX", dimIn)))
                .addCode(optional("ggWeights", weightsCheck(method, "ggWeights")))
                .addCode(optional("ggBias", checks.shared(method, "ggBias", model.biasNumel())))
                .addCode(optional("gX", checks.perSample(method, "gX", dimIn)))
                .addCode(optional("gWeights", weightsCheck(method, "gWeights")))
                .addCode(optional("gGradOut", checks.perSample(method, "gGradOut", model.irrepsOut().dim())))
                .addCode(checks.distinct(method, List.of("gX", "gWeights", "gGradOut"),
                        List.of("x", "weights", "gradOut", "ggX", "ggWeights", "ggBias")));
        code.beginControlFlow("if (gGradOut != null)")
                .addComment("lin(ggX, W) + ggBias, then + lin(x, ggW)")
                .addStatement("forward(batch, ggX != null ? ggX : new $T[batch * $L], weights, ggBias != null ? ggBias"
                        + " : new $T[$L], gGradOut)", t.type(), dimIn, t.type(), model.biasNumel())
                .beginControlFlow("if (ggWeights != null)")
                .addStatement("$T product = new $T[gGradOut.length]", array, t.type())
                .addStatement("forward(batch, x, ggWeights, new $T[$L], product)", t.type(), model.biasNumel())
                .beginControlFlow("for (int i = 0; i < product.length; i++)")
                .addStatement("gGradOut[i] += product[i]")
                .endControlFlow()
                .endControlFlow()
                .endControlFlow();
        code.beginControlFlow("if (gX != null)")
                .beginControlFlow("if (ggWeights != null)")
                .addStatement("backward(batch, x, ggWeights, gradOut, gX, null, null)")
                .nextControlFlow("else")
                .addStatement("$T.fill(gX, $L)", Arrays.class, t.zero())
                .endControlFlow()
                .endControlFlow();
        code.beginControlFlow("if (gWeights != null)")
                .beginControlFlow("if (ggX != null)")
                .addStatement("backward(batch, ggX, weights, gradOut, null, gWeights, null)")
                .nextControlFlow("else")
                .addStatement("$T.fill(gWeights, $L)", Arrays.class, t.zero())
                .endControlFlow()
                .endControlFlow();
        return code.build();
    }

    private CodeBlock weightsCheck(String method, String argument) {
        return model.sharedWeights() ? checks.shared(method, argument, model.weightNumel())
                : checks.perSample(method, argument, model.weightNumel());
    }

    private static CodeBlock optional(String argument, CodeBlock check) {
        return CodeBlock.builder().beginControlFlow("if ($L != null)", argument).add(check).endControlFlow().build();
    }
}
