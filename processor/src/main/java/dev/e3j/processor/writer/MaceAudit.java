package dev.e3j.processor.writer;

import com.palantir.javapoet.ClassName;
import dev.e3j.annotations.Layout;
import dev.e3j.processor.model.EdgePath;
import dev.e3j.processor.model.MaceModel.Block;
import dev.e3j.processor.model.MaceModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The audit file of a {@code @Mace}: every derived block with its mace-torch module name, irreps and edge product
 * instructions. The coefficients of each kernel are in the audit files of the nested kernels.
 */
public final class MaceAudit {

    private MaceAudit() {
    }

    public static String json(MaceModel model, ClassName implementation) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("class", implementation.reflectionName());
        root.put("model", "mace-torch v0.3.6 mace.modules." + (model.spec().scaleShift() ? "ScaleShiftMACE" : "MACE"));
        if (model.spec().layout() != Layout.MUL_IR) {
            root.put("layout", model.spec().layout().name().toLowerCase(Locale.ROOT));
        }
        root.put("atomicNumbers", model.spec().atomicNumbers());
        root.put("nodeAttrs", model.nodeAttrs().toString());
        root.put("nodeFeats", model.nodeFeats().toString());
        root.put("shIrreps", model.shIrreps().toString());
        root.put("interactionIrreps", model.target().toString());
        root.put("hiddenIrreps", model.hidden().toString());
        root.put("mlpIrreps", model.mlp().toString());
        root.put("gate", model.spec().gate().name());
        // in this order (Map.of's order changes from one JVM to the next)
        Map<String, Object> radial = new LinkedHashMap<>();
        radial.put("rMax", model.spec().rMax());
        radial.put("numBessel", model.spec().numBessel());
        radial.put("numPolynomialCutoff", model.spec().numPolynomialCutoff());
        radial.put("radialMlp", model.spec().radialMlp());
        radial.put("radialType", model.spec().radialType().name().toLowerCase(Locale.ROOT));
        radial.put("distanceTransform", model.spec().distanceTransform().name().toLowerCase(Locale.ROOT));
        radial.put("pairRepulsion", model.spec().pairRepulsion());
        root.put("radial", radial);
        root.put("avgNumNeighbors", model.spec().avgNumNeighbors());
        List<Object> blocks = new ArrayList<>();
        for (Block block : model.blocks()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("module", "interactions." + block.index());
            entry.put("class", block.residual() ? "RealAgnosticResidualInteractionBlock"
                    : "RealAgnosticInteractionBlock");
            entry.put("in", block.in().toString());
            entry.put("mid", block.mid().toString());
            List<Object> instructions = new ArrayList<>();
            for (EdgePath path : block.paths()) {
                instructions.add(List.of(path.in1(), path.in2(), path.out(), "uvu", true));
            }
            entry.put("convTpInstructions", instructions);
            entry.put("skipTp", block.skipIn() + " x " + model.nodeAttrs() + " -> " + block.skipOut());
            entry.put("correlation", block.correlation());
            entry.put("productOut", block.hiddenOut().toString());
            entry.put("readout", block.nonLinearReadout() ? "NonLinearReadoutBlock" : "LinearReadoutBlock");
            blocks.add(entry);
        }
        root.put("blocks", blocks);
        return AuditJson.print(root);
    }
}
