package dev.e3j.processor.writer;

import com.palantir.javapoet.ClassName;
import dev.e3j.processor.math.ProductBasis;
import dev.e3j.processor.math.SqrtSum;
import dev.e3j.processor.model.CgConventions;
import dev.e3j.processor.model.SymmetricContractionModel;
import dev.e3j.processor.model.SymmetricContractionModel.Basis;
import dev.e3j.processor.model.SymmetricContractionModel.Contraction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The audit file of a symmetric contraction: for each output entry and degree, the weight tensor's name, offset and
 * shape, and every non-zero entry of MACE's basis {@code U_matrix_ν} as {@code [m, [i1, ..., iν], k, exact, double]}
 * (for {@code L = 0} MACE drops the {@code m} axis, always 0 here).
 */
public final class SymmetricContractionAudit {

    private SymmetricContractionAudit() {
    }

    public static String json(SymmetricContractionModel model, ClassName spec, ClassName implementation) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("class", implementation.reflectionName());
        document.put("spec", spec.reflectionName());
        document.put("irreps_in", model.irrepsIn().toString());
        document.put("irreps_out", model.irrepsOut().toString());
        document.put("correlation", model.correlation());
        document.put("elements", model.elements());
        document.put("channels", model.channels());
        document.put("coupling_irreps", model.coupling().stream().map(Object::toString).toList());
        document.put(CgConventions.AUDIT_KEY, model.convention().name());
        document.put("precision", model.precision().name().toLowerCase(Locale.ROOT));
        document.put("weight_numel", model.weightNumel());
        // Entries repeat few distinct values: each is written out (exact text, rounded double) once.
        Map<SqrtSum, List<Object>> written = new HashMap<>();
        List<Object> contractions = new ArrayList<>();
        for (Contraction contraction : model.contractions()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("index", contraction.index());
            entry.put("irrep", contraction.irrep().toString());
            List<Object> bases = new ArrayList<>();
            for (Basis basis : contraction.bases()) {
                Map<String, Object> b = new LinkedHashMap<>();
                b.put("weights", basis.name());
                b.put("degree", basis.degree());
                b.put("columns", basis.columns());
                b.put("weight_offset", basis.weightOffset());
                b.put("weight_shape", List.of(model.elements(), basis.columns(), model.channels()));
                List<Object> entries = new ArrayList<>();
                for (ProductBasis.Entry e : basis.basis().entries()) {
                    List<Object> value = written.computeIfAbsent(e.value(),
                            v -> List.of(v.toString(), v.doubleValue()));
                    entries.add(List.of(e.m(), e.indices(), e.k(), value.get(0), value.get(1)));
                }
                b.put("entries", entries);
                bases.add(b);
            }
            entry.put("bases", bases);
            contractions.add(entry);
        }
        document.put("contractions", contractions);
        return AuditJson.print(document);
    }
}
