package dev.e3j.processor;

import com.palantir.javapoet.ClassName;
import dev.e3j.annotations.CgConvention;
import dev.e3j.annotations.Layout;
import dev.e3j.annotations.Precision;
import dev.e3j.processor.model.InvalidSpecException;
import dev.e3j.processor.model.SymmetricContractionModel;
import dev.e3j.processor.model.SymmetricContractionSpec;
import dev.e3j.processor.writer.GeneratedFiles;
import dev.e3j.processor.writer.SymmetricContractionAudit;
import dev.e3j.processor.writer.SymmetricContractionWriter;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.TypeElement;

/**
 * {@code @SymmetricContraction}: a {@link SymmetricContractionSpec} validated into a {@link SymmetricContractionModel},
 * written as {@code <Spec>Impl}.
 */
final class SymmetricContractionStep extends KernelStep<SymmetricContractionSpec, SymmetricContractionModel> {

    SymmetricContractionStep(ProcessingEnvironment env) {
        super(env, KernelAnnotation.SYMMETRIC_CONTRACTION);
    }

    @Override
    SymmetricContractionSpec read(AnnotationValues values) {
        return new SymmetricContractionSpec(values.string("in"), values.string("out"), values.integer("correlation"),
                values.integer("elements"), values.enumConstant("cgConvention", CgConvention.class),
                values.enumConstant("layout", Layout.class), values.enumConstant("precision", Precision.class));
    }

    @Override
    SymmetricContractionModel build(SymmetricContractionSpec spec) throws InvalidSpecException {
        return SymmetricContractionModel.build(spec);
    }

    @Override
    void write(AnnotatedSpec annotated, TypeElement target, SymmetricContractionSpec spec,
               SymmetricContractionModel model) {
        ClassName specName = ClassName.get(target);
        ClassName implementation = GeneratedFiles.implementationName(specName);
        annotated.write(implementation,
                GeneratedFiles.javaFile(implementation,
                        SymmetricContractionWriter.write(model, specName, implementation),
                        "mace-torch 0.3.6 SymmetricContraction, exact product bases", target),
                GeneratedFiles.auditResourceName(implementation),
                SymmetricContractionAudit.json(model, specName, implementation));
    }
}
