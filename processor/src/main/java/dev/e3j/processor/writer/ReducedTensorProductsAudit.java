package dev.e3j.processor.writer;

import com.palantir.javapoet.ClassName;
import dev.e3j.processor.math.ReducedTensorProducts;
import dev.e3j.processor.model.CgConventions;
import dev.e3j.processor.model.ReducedTensorProductsModel;
import dev.e3j.processor.model.ReducedTensorProductsModel.Entry;
import dev.e3j.runtime.Irrep;
import dev.e3j.runtime.Irreps;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The audit file of a reduced tensor product: the irreps of each index, e3nn's {@code irreps_out}, the distinct
 * magnitudes to {@value ReducedTensorProductsModel#MAGNITUDE_DIGITS} digits, and every row of the change of basis as
 * its non-zero entries {@code "[i, j, ...] ±C<m>"}.
 */
public final class ReducedTensorProductsAudit {

    private ReducedTensorProductsAudit() {
    }

    /** The audit JSON of {@code model}, generated as {@code implementation} for {@code spec}. */
    public static String json(ReducedTensorProductsModel model, ClassName spec, ClassName implementation) {
        ReducedTensorProducts products = model.products();
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("class", implementation.reflectionName());
        document.put("spec", spec.reflectionName());
        document.put("formula", model.formula());
        document.put("irreps_in", products.irrepsIn().stream().map(Irreps::toString).toList());
        document.put("irreps_out", products.irrepsOut().toString());
        document.put("shape", Arrays.stream(products.shape()).boxed().toList());
        if (!CgConventions.isDefault(products.cgConvention())) {
            document.put(CgConventions.AUDIT_KEY, products.cgConvention().name());
        }
        document.put("arithmetic", "e3nn 0.5.4's ReducedTensorProducts algorithm (paths of _wigner_nj, projector onto"
                + " the symmetric solutions, orthonormalize with its 1e-9 decisions) in " + ReducedTensorProducts.DIGITS
                + "-digit decimal arithmetic from the exact Wigner 3j symbols; each magnitude rounded once to double");
        List<Object> magnitudes = new ArrayList<>();
        for (int m = 0; m < model.magnitudes().size(); m++) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", "C" + m);
            entry.put("value", model.magnitudes().get(m).toPlainString());
            entry.put("double", Double.parseDouble(model.magnitudes().get(m).toString()));
            magnitudes.add(entry);
        }
        document.put("magnitudes", magnitudes);
        List<Irrep> rowIrreps = new ArrayList<>();
        for (Irreps.MulIrrep mi : products.irrepsOut()) {
            for (int copy = 0; copy < mi.mul(); copy++) {
                for (int m = 0; m < mi.ir().dim(); m++) {
                    rowIrreps.add(mi.ir());
                }
            }
        }
        int[] shape = products.shape();
        List<List<String>> rowEntries = new ArrayList<>();
        for (int row = 0; row < products.irrepsOut().dim(); row++) {
            rowEntries.add(new ArrayList<>());
        }
        for (Entry entry : model.entries()) {
            int[] index = new int[shape.length];
            int rest = entry.column();
            for (int i = shape.length - 1; i >= 0; i--) {
                index[i] = rest % shape[i];
                rest /= shape[i];
            }
            rowEntries.get(entry.row()).add(Arrays.toString(index) + " " + (entry.sign() > 0 ? "+" : "-") + "C"
                    + entry.magnitude());
        }
        List<Object> rows = new ArrayList<>();
        for (int row = 0; row < rowEntries.size(); row++) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("row", row);
            entry.put("irrep", rowIrreps.get(row).toString());
            entry.put("entries", rowEntries.get(row));
            rows.add(entry);
        }
        document.put("rows", rows);
        return AuditJson.print(document);
    }
}
