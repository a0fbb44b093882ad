package dev.e3j.processor.writer;

import com.palantir.javapoet.ClassName;
import dev.e3j.annotations.Layout;
import dev.e3j.processor.math.SqrtRational;
import dev.e3j.processor.model.CgConventions;
import dev.e3j.processor.model.CgTerm;
import dev.e3j.processor.model.PathModel;
import dev.e3j.processor.model.TensorProductModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The audit file of a tensor-product kernel ({@code META-INF/e3j/<binary name>.json}): its irreps, normalizations
 * and weight layout, and per path its mode, exact coefficient and every nonzero Clebsch–Gordan term, exact.
 */
final class TensorProductAudit {

    private TensorProductAudit() {
    }

    static String json(TensorProductModel model, ClassName spec, ClassName implementation) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("class", implementation.reflectionName());
        document.put("spec", spec.reflectionName());
        document.put("kind", model.kind().name());
        document.put("irreps_in1", model.irrepsIn1().toString());
        document.put("irreps_in2", model.irrepsIn2().toString());
        document.put("irreps_out", model.irrepsOut().toString());
        document.put("irrep_normalization", model.irrepNormalization().name().toLowerCase(Locale.ROOT));
        document.put("path_normalization", model.pathNormalization().name().toLowerCase(Locale.ROOT));
        if (!CgConventions.isDefault(model.cgConvention())) {
            document.put(CgConventions.AUDIT_KEY, model.cgConvention().name());
        }
        if (model.layout() != Layout.MUL_IR) {
            // e3nn's mul_ir, the default, goes unrecorded as the default convention does
            document.put("layout", model.layout().name().toLowerCase(Locale.ROOT));
        }
        document.put("shared_weights", model.sharedWeights());
        document.put("weight_numel", model.weightNumel());
        List<Object> paths = new ArrayList<>();
        for (PathModel path : model.paths()) {
            paths.add(path(path));
        }
        document.put("paths", paths);
        return AuditJson.print(document);
    }

    private static Map<String, Object> path(PathModel path) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("index", path.index());
        Map<String, Object> entries = new LinkedHashMap<>();
        entries.put("in1", path.in1());
        entries.put("in2", path.in2());
        entries.put("out", path.out());
        entry.put("entries", new AuditJson.SameLine(entries));
        entry.put("irreps", path.entry1() + " x " + path.entry2() + " -> " + path.entryOut());
        entry.put("mode", path.mode().token());
        entry.put("weighted", path.weighted());
        entry.put("weight_offset", path.weightOffset());
        entry.put("path_weight", SqrtRational.of(path.pathWeight()).toString());
        entry.put("coefficient", path.coefficient().toString());
        entry.put("coefficient_double", path.coefficient().doubleValue());
        List<Object> cg = new ArrayList<>();
        for (CgTerm term : path.terms()) {
            Map<String, Object> coefficient = new LinkedHashMap<>();
            coefficient.put("i", term.i());
            coefficient.put("j", term.j());
            coefficient.put("k", term.k());
            coefficient.put("w3j", term.cg().toString());
            coefficient.put("constant", term.constant().toString());
            cg.add(coefficient);
        }
        entry.put("cg", cg);
        return entry;
    }
}
