package dev.e3j.processor;

import com.palantir.javapoet.ClassName;
import dev.e3j.annotations.PathNormalization;
import dev.e3j.annotations.Precision;
import dev.e3j.processor.model.InvalidSpecException;
import dev.e3j.processor.model.LinearModel;
import dev.e3j.processor.model.LinearSpec;
import dev.e3j.processor.writer.GeneratedFiles;
import dev.e3j.processor.writer.LinearAudit;
import dev.e3j.processor.writer.LinearWriter;
import dev.e3j.processor.writer.TensorProductWriter;
import java.util.Optional;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.Element;
import javax.lang.model.element.TypeElement;

/**
 * {@code @Linear}: reads the annotation into a {@link LinearSpec}, validates it into a {@link LinearModel}
 * (reporting every problem on its annotation value), and otherwise writes {@code <Spec>Impl} and its audit file
 * with the spec as the only originating element.
 */
final class LinearStep implements ProcessingStep {

    private static final String KERNEL = "dev.e3j.runtime.LinearKernel";

    private final ProcessingEnvironment env;

    LinearStep(ProcessingEnvironment env) {
        this.env = env;
    }

    @Override
    public String annotation() {
        return E3jProcessor.LINEAR;
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
        LinearSpec spec = new LinearSpec(annotated.string("in"), annotated.string("out"), annotated.bool("biases"),
                annotated.enumConstant("pathNormalization", PathNormalization.class),
                annotated.enumConstant("precision", Precision.class));
        LinearModel model;
        try {
            model = LinearModel.build(spec);
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
                        LinearWriter.write(model, spec.precision(), specName, implementation),
                        "e3nn 0.5.4 o3.Linear, exact path coefficients", target.get()),
                GeneratedFiles.auditResourceName(implementation),
                LinearAudit.json(model, spec.precision(), specName, implementation));
    }
}
