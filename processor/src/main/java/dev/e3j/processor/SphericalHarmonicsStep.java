package dev.e3j.processor;

import com.palantir.javapoet.ClassName;
import dev.e3j.annotations.Precision;
import dev.e3j.annotations.ShNormalization;
import dev.e3j.processor.model.InvalidSpecException;
import dev.e3j.processor.model.SphericalHarmonicsModel;
import dev.e3j.processor.model.SphericalHarmonicsSpec;
import dev.e3j.processor.writer.GeneratedFiles;
import dev.e3j.processor.writer.SphericalHarmonicsAudit;
import dev.e3j.processor.writer.SphericalHarmonicsWriter;
import dev.e3j.processor.writer.cuda.CudaSphericalHarmonicsWriter;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.TypeElement;

/**
 * {@code @SphericalHarmonics}: a {@link SphericalHarmonicsSpec} validated into a {@link SphericalHarmonicsModel},
 * written as {@code <Spec>Impl} and, with {@code cuda = true}, as CUDA C++ too.
 */
final class SphericalHarmonicsStep extends KernelStep<SphericalHarmonicsSpec, SphericalHarmonicsModel> {

    SphericalHarmonicsStep(ProcessingEnvironment env) {
        super(env, KernelAnnotation.SPHERICAL_HARMONICS);
    }

    @Override
    SphericalHarmonicsSpec read(AnnotationValues values) {
        return new SphericalHarmonicsSpec(values.integer("lmax"), values.integers("ls"), values.string("irreps"),
                values.enumConstant("normalization", ShNormalization.class), values.bool("normalize"),
                values.enumConstant("precision", Precision.class), values.bool("cuda"));
    }

    @Override
    SphericalHarmonicsModel build(SphericalHarmonicsSpec spec) throws InvalidSpecException {
        return SphericalHarmonicsModel.build(spec);
    }

    @Override
    void write(AnnotatedSpec annotated, TypeElement target, SphericalHarmonicsSpec spec,
               SphericalHarmonicsModel model) {
        ClassName specName = ClassName.get(target);
        ClassName implementation = GeneratedFiles.implementationName(specName);
        annotated.write(implementation,
                GeneratedFiles.javaFile(implementation,
                        SphericalHarmonicsWriter.write(model, specName, implementation),
                        "e3nn 0.5.4 spherical harmonics, exact polynomial coefficients", target),
                GeneratedFiles.auditResourceName(implementation),
                SphericalHarmonicsAudit.json(model, specName, implementation));
        if (model.cuda()) {
            CudaSphericalHarmonicsWriter cuda = new CudaSphericalHarmonicsWriter(model,
                    target.getQualifiedName().toString(), implementation.reflectionName());
            annotated.writeResource(cuda.resourceName(), cuda.source());
        }
    }
}
