package dev.e3j.processor;

import com.palantir.javapoet.ClassName;
import dev.e3j.annotations.Layout;
import dev.e3j.annotations.Mace;
import dev.e3j.annotations.Precision;
import dev.e3j.processor.model.InvalidSpecException;
import dev.e3j.processor.model.MaceModel;
import dev.e3j.processor.model.MaceSpec;
import dev.e3j.processor.writer.GeneratedFiles;
import dev.e3j.processor.writer.MaceAudit;
import dev.e3j.processor.writer.MaceWriter;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.TypeElement;

/**
 * {@code @Mace}: a {@link MaceSpec} derived into a {@link MaceModel}, written as {@code <Spec>Impl} whose nested
 * kernel specs the processor generates in the next round.
 */
final class MaceStep extends KernelStep<MaceSpec, MaceModel> {

    MaceStep(ProcessingEnvironment env) {
        super(env, KernelAnnotation.MACE);
    }

    @Override
    MaceSpec read(AnnotationValues values) {
        return new MaceSpec(values.real("rMax"), values.integer("numBessel"), values.integer("numPolynomialCutoff"),
                values.integer("maxEll"), values.integer("numInteractions"),
                values.enumConstant("interactionFirst", Mace.Interaction.class),
                values.enumConstant("interaction", Mace.Interaction.class), values.integers("atomicNumbers"),
                values.string("hiddenIrreps"), values.string("mlpIrreps"), values.integers("correlation"),
                values.enumConstant("gate", Mace.Gate.class), values.integers("radialMlp"),
                values.real("avgNumNeighbors"), values.bool("scaleShift"),
                values.enumConstant("radialType", Mace.RadialType.class),
                values.enumConstant("distanceTransform", Mace.DistanceTransform.class), values.bool("pairRepulsion"),
                values.enumConstant("precision", Precision.class), values.enumConstant("layout", Layout.class));
    }

    @Override
    MaceModel build(MaceSpec spec) throws InvalidSpecException {
        return MaceModel.build(spec);
    }

    @Override
    void write(AnnotatedSpec annotated, TypeElement target, MaceSpec spec, MaceModel model) {
        ClassName specName = ClassName.get(target);
        ClassName implementation = GeneratedFiles.implementationName(specName);
        annotated.write(implementation,
                GeneratedFiles.javaFile(implementation, MaceWriter.write(model, specName, implementation),
                        "mace-torch v0.3.6 mace.modules.MACE, blocks derived exactly", target),
                GeneratedFiles.auditResourceName(implementation),
                MaceAudit.json(model, implementation));
    }
}
