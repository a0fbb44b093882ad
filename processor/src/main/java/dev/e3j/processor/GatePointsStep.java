package dev.e3j.processor;

import com.palantir.javapoet.ClassName;
import dev.e3j.annotations.CgConvention;
import dev.e3j.annotations.Layout;
import dev.e3j.annotations.Precision;
import dev.e3j.processor.model.CgConventions;
import dev.e3j.processor.model.GatePointsModel;
import dev.e3j.processor.model.GatePointsSpec;
import dev.e3j.processor.model.InvalidSpecException;
import dev.e3j.processor.writer.GatePointsAudit;
import dev.e3j.processor.writer.GatePointsWriter;
import dev.e3j.processor.writer.GeneratedFiles;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.TypeElement;

/**
 * {@code @GatePointsNetwork}: a {@link GatePointsSpec} derived into a {@link GatePointsModel}, written as
 * {@code <Spec>Impl} whose nested kernel specs the processor generates in the next round.
 */
final class GatePointsStep extends KernelStep<GatePointsSpec, GatePointsModel> {

    GatePointsStep(ProcessingEnvironment env) {
        super(env, KernelAnnotation.GATE_POINTS_NETWORK);
    }

    @Override
    GatePointsSpec read(AnnotationValues values) {
        return new GatePointsSpec(values.string("irrepsIn"), values.string("irrepsHidden"),
                values.string("irrepsOut"), values.string("irrepsNodeAttr"), values.string("irrepsEdgeAttr"),
                values.integer("layers"), values.real("maxRadius"), values.integer("numberOfBasis"),
                values.integer("radialLayers"), values.integer("radialNeurons"), values.real("numNeighbors"),
                values.real("numNodes"), values.bool("reduceOutput"),
                values.enumConstant("precision", Precision.class),
                values.enumConstant("cgConvention", CgConvention.class),
                values.enumConstant("layout", Layout.class));
    }

    @Override
    GatePointsModel build(GatePointsSpec spec) throws InvalidSpecException {
        return GatePointsModel.build(spec);
    }

    @Override
    void write(AnnotatedSpec annotated, TypeElement target, GatePointsSpec spec, GatePointsModel model) {
        ClassName specName = ClassName.get(target);
        ClassName implementation = GeneratedFiles.implementationName(specName);
        annotated.write(implementation,
                GeneratedFiles.javaFile(implementation, GatePointsWriter.write(model, specName, implementation),
                        "e3nn 0.5.4 nn.models.gate_points_2101.Network, layers derived exactly"
                                + CgConventions.suffix(model.spec().cgConvention()), target),
                GeneratedFiles.auditResourceName(implementation),
                GatePointsAudit.json(model, implementation));
    }
}
