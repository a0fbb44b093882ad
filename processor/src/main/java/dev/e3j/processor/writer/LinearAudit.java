package dev.e3j.processor.writer;

import com.palantir.javapoet.ClassName;
import dev.e3j.annotations.Layout;
import dev.e3j.processor.math.SqrtRational;
import dev.e3j.processor.model.LinearModel;
import dev.e3j.processor.model.LinearModel.Bias;
import dev.e3j.processor.model.LinearModel.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The audit file of a linear kernel: every path {@code in[i] -> out[o]} with its weight block and exact coefficient
 * {@code sqrt(alpha)}, and every bias block; {@code layout} only for channel-last ({@code ir_mul}) features.
 */
public final class LinearAudit {

    private LinearAudit() {
    }

    public static String json(LinearModel model, ClassName spec, ClassName implementation) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("class", implementation.reflectionName());
        document.put("spec", spec.reflectionName());
        document.put("irreps_in", model.irrepsIn().toString());
        document.put("irreps_out", model.irrepsOut().toString());
        document.put("path_normalization", model.pathNormalization().name().toLowerCase(Locale.ROOT));
        document.put("precision", model.precision().name().toLowerCase(Locale.ROOT));
        document.put("weight_numel", model.weightNumel());
        document.put("bias_numel", model.biasNumel());
        if (!model.sharedWeights()) {
            document.put("shared_weights", false);
        }
        if (model.layout() != Layout.MUL_IR) {
            document.put("layout", model.layout().name().toLowerCase(Locale.ROOT));
        }
        if (model.fIn() != 1 || model.fOut() != 1) {
            document.put("f_in", model.fIn());
            document.put("f_out", model.fOut());
        }
        List<Object> paths = new ArrayList<>();
        for (int p = 0; p < model.paths().size(); p++) {
            Path path = model.paths().get(p);
            SqrtRational coefficient = path.coefficient();
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("index", p);
            entry.put("in", path.inIndex());
            entry.put("out", path.outIndex());
            entry.put("irreps", model.irrepsIn().get(path.inIndex()) + " -> " + model.irrepsOut().get(path.outIndex()));
            entry.put("weight_offset", path.weightOffset());
            entry.put("weight_numel", path.weightNumel());
            entry.put("alpha", SqrtRational.of(path.alpha()).toString());
            entry.put("coefficient", coefficient.toString());
            entry.put("coefficient_double", coefficient.doubleValue());
            paths.add(entry);
        }
        document.put("paths", paths);
        List<Object> biases = new ArrayList<>();
        for (Bias bias : model.biases()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("out", bias.outIndex());
            entry.put("irreps", model.irrepsOut().get(bias.outIndex()).toString());
            entry.put("bias_offset", bias.biasOffset());
            entry.put("bias_numel", bias.mul());
            biases.add(entry);
        }
        document.put("biases", biases);
        return AuditJson.print(document);
    }
}
