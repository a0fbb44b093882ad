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
import dev.e3j.processor.writer.TensorProductWriter;
import dev.e3j.processor.writer.cuda.CudaSphericalHarmonicsWriter;
import java.util.Optional;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.Element;
import javax.lang.model.element.TypeElement;

/**
 * {@code @SphericalHarmonics}: reads the annotation into a {@link SphericalHarmonicsSpec}, validates it into a
 * {@link SphericalHarmonicsModel} (reporting every problem on its annotation value), and otherwise writes
 * {@code <Spec>Impl} and its audit file with the spec as the only originating element.
 */
final class SphericalHarmonicsStep implements ProcessingStep {

    private static final String KERNEL = "dev.e3j.runtime.SphericalHarmonicsKernel";

    private final ProcessingEnvironment env;

    SphericalHarmonicsStep(ProcessingEnvironment env) {
        this.env = env;
    }

    @Override
    public String annotation() {
        return E3jProcessor.SPHERICAL_HARMONICS;
    }

    @Override
    public void process(Element element) {
        Optional<AnnotatedSpec> found = AnnotatedSpec.of(env, element, annotation());
        if (found.isEmpty()) {
            return;
        }
        AnnotatedSpec annotated = found.get();
        Optional<TypeElement> target = annotated.target(KERNEL);
        if (target.isEmpty()) {
            return;
        }
        SphericalHarmonicsSpec spec = new SphericalHarmonicsSpec(annotated.integer("lmax"), annotated.integers("ls"),
                annotated.enumConstant("normalization", ShNormalization.class), annotated.bool("normalize"),
                annotated.enumConstant("precision", Precision.class));
        SphericalHarmonicsModel model;
        try {
            model = SphericalHarmonicsModel.build(spec);
        } catch (InvalidSpecException e) {
            annotated.diagnostics().reportAll(e.problems());
            return;
        }
        if (annotated.diagnostics().errorCount() > 0) {
            return;
        }
        ClassName specName = ClassName.get(target.get());
        ClassName implementation = TensorProductWriter.implementationName(specName);
        annotated.write(implementation,
                GeneratedFiles.javaFile(implementation,
                        SphericalHarmonicsWriter.write(model, spec.precision(), specName, implementation),
                        "e3nn 0.5.4 spherical harmonics, exact polynomial coefficients", target.get()),
                GeneratedFiles.auditResourceName(implementation),
                SphericalHarmonicsAudit.json(model, spec.precision(), specName, implementation));
        if (annotated.bool("cuda")) {
            CudaSphericalHarmonicsWriter cuda = new CudaSphericalHarmonicsWriter(model,
                    target.get().getQualifiedName().toString(), implementation.reflectionName());
            annotated.writeResource(cuda.resourceName(), cuda.source());
        }
    }
}
