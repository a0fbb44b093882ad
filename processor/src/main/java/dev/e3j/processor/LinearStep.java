package dev.e3j.processor;

import com.palantir.javapoet.ClassName;
import dev.e3j.annotations.Layout;
import dev.e3j.annotations.PathNormalization;
import dev.e3j.annotations.Precision;
import dev.e3j.processor.model.InvalidSpecException;
import dev.e3j.processor.model.LinearModel;
import dev.e3j.processor.model.LinearSpec;
import dev.e3j.processor.writer.GeneratedFiles;
import dev.e3j.processor.writer.LinearAudit;
import dev.e3j.processor.writer.LinearWriter;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.TypeElement;

/** {@code @Linear}: a {@link LinearSpec} validated into a {@link LinearModel}, written as {@code <Spec>Impl}. */
final class LinearStep extends KernelStep<LinearSpec, LinearModel> {

    LinearStep(ProcessingEnvironment env) {
        super(env, KernelAnnotation.LINEAR);
    }

    @Override
    LinearSpec read(AnnotationValues values) {
        return new LinearSpec(values.string("in"), values.string("out"), values.bool("biases"),
                values.booleans("biasEntries"),
                values.annotations("paths").stream()
                        .map(path -> new LinearSpec.Instruction(path.integer("in"), path.integer("out")))
                        .toList(),
                values.bool("sharedWeights"), values.integer("fIn"), values.integer("fOut"),
                values.enumConstant("pathNormalization", PathNormalization.class),
                values.enumConstant("layout", Layout.class), values.enumConstant("precision", Precision.class));
    }

    @Override
    LinearModel build(LinearSpec spec) throws InvalidSpecException {
        return LinearModel.build(spec);
    }

    @Override
    void write(AnnotatedSpec annotated, TypeElement target, LinearSpec spec, LinearModel model) {
        ClassName specName = ClassName.get(target);
        ClassName implementation = GeneratedFiles.implementationName(specName);
        annotated.write(implementation,
                GeneratedFiles.javaFile(implementation,
                        LinearWriter.write(model, specName, implementation),
                        "e3nn 0.5.4 o3.Linear, exact path coefficients", target),
                GeneratedFiles.auditResourceName(implementation),
                LinearAudit.json(model, specName, implementation));
    }
}
