package dev.e3j.processor.writer;

import com.palantir.javapoet.ClassName;
import dev.e3j.annotations.Layout;
import dev.e3j.processor.model.CgConventions;
import dev.e3j.processor.model.EdgePath;
import dev.e3j.processor.model.GatePointsModel.Convolution;
import dev.e3j.processor.model.GatePointsModel.GateLayer;
import dev.e3j.processor.model.GatePointsModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The audit file of a {@code @GatePointsNetwork}: every derived layer with its e3nn module name, irreps and edge
 * product instructions. The coefficients of each product are in the audit files of its nested kernels.
 */
public final class GatePointsAudit {

    private GatePointsAudit() {
    }

    public static String json(GatePointsModel model, ClassName implementation) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("class", implementation.reflectionName());
        root.put("model", "e3nn 0.5.4 nn.models.gate_points_2101.Network");
        if (!CgConventions.isDefault(model.spec().cgConvention())) {
            root.put(CgConventions.AUDIT_KEY, model.spec().cgConvention().name());
        }
        if (model.spec().layout() != Layout.MUL_IR) {
            root.put("layout", model.spec().layout().name().toLowerCase(Locale.ROOT));
        }
        root.put("irrepsIn", model.irrepsIn() == null ? "None (ones, 1x0e)" : model.irrepsIn().toString());
        root.put("irrepsNodeAttr", model.productAttr().toString());
        root.put("irrepsEdgeAttr", model.irrepsEdgeAttr().toString());
        root.put("irrepsOut", model.irrepsOut().toString());
        List<Object> layers = new ArrayList<>();
        for (int i = 0; i < model.convolutions().size(); i++) {
            Convolution conv = model.convolutions().get(i);
            Map<String, Object> layer = new LinkedHashMap<>();
            layer.put("module", conv.prefix());
            layer.put("in", conv.in().toString());
            layer.put("mid", conv.mid().toString());
            layer.put("out", conv.out().toString());
            List<Object> instructions = new ArrayList<>();
            for (EdgePath path : conv.paths()) {
                instructions.add(List.of(path.in1(), path.in2(), path.out(), "uvu", true));
            }
            layer.put("tpInstructions", instructions);
            layer.put("radialHidden", conv.radialHidden());
            layers.add(layer);
            if (i < model.gates().size()) {
                GateLayer gate = model.gates().get(i);
                Map<String, Object> g = new LinkedHashMap<>();
                g.put("module", gate.prefix());
                g.put("scalars", gate.scalars().toString());
                g.put("actScalars", gate.actScalars().stream().map(Enum::name).toList());
                g.put("gates", gate.gates().toString());
                g.put("actGates", gate.actGates().stream().map(Enum::name).toList());
                g.put("gated", gate.gated().toString());
                g.put("in", gate.irrepsIn().toString());
                g.put("out", gate.irrepsOut().toString());
                layers.add(g);
            }
        }
        root.put("layers", layers);
        return AuditJson.print(root);
    }
}
