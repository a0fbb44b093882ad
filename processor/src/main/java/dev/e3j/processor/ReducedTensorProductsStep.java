package dev.e3j.processor;

import com.palantir.javapoet.ClassName;
import dev.e3j.annotations.CgConvention;
import dev.e3j.processor.math.ReducedTensorProducts;
import dev.e3j.processor.model.CgConventions;
import dev.e3j.processor.model.InvalidSpecException;
import dev.e3j.processor.model.ReducedTensorProductsModel;
import dev.e3j.processor.model.ReducedTensorProductsSpec;
import dev.e3j.processor.writer.GeneratedFiles;
import dev.e3j.processor.writer.ReducedTensorProductsAudit;
import dev.e3j.processor.writer.ReducedTensorProductsWriter;
import java.util.List;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.TypeElement;

/**
 * {@code @ReducedTensorProducts} and {@code @CartesianTensor} (every index {@code 1o}): a
 * {@link ReducedTensorProductsSpec} validated into a {@link ReducedTensorProductsModel} (e3nn's change of basis),
 * written as {@code <Spec>Impl} with its audit file.
 */
final class ReducedTensorProductsStep extends KernelStep<ReducedTensorProductsSpec, ReducedTensorProductsModel> {

    private final boolean cartesian;

    /** @param cartesian whether this step handles {@code @CartesianTensor} rather than {@code @ReducedTensorProducts} */
    ReducedTensorProductsStep(ProcessingEnvironment env, boolean cartesian) {
        super(env, cartesian ? KernelAnnotation.CARTESIAN_TENSOR : KernelAnnotation.REDUCED_TENSOR_PRODUCTS);
        this.cartesian = cartesian;
    }

    @Override
    ReducedTensorProductsSpec read(AnnotationValues values) {
        return new ReducedTensorProductsSpec(values.string("formula"),
                cartesian ? List.of() : values.strings("irreps"), cartesian,
                cartesian ? List.of() : values.strings("filterIrOut"),
                cartesian ? List.of() : values.strings("filterIrMid"),
                values.enumConstant("cgConvention", CgConvention.class));
    }

    @Override
    ReducedTensorProductsModel build(ReducedTensorProductsSpec spec) throws InvalidSpecException {
        return ReducedTensorProductsModel.build(spec);
    }

    @Override
    void write(AnnotatedSpec annotated, TypeElement target, ReducedTensorProductsSpec spec,
               ReducedTensorProductsModel model) {
        ClassName specName = ClassName.get(target);
        ClassName implementation = GeneratedFiles.implementationName(specName);
        annotated.write(implementation,
                GeneratedFiles.javaFile(implementation,
                        ReducedTensorProductsWriter.write(model, specName, implementation),
                        "e3nn 0.5.4 ReducedTensorProducts change of basis, " + ReducedTensorProducts.DIGITS
                                + "-digit arithmetic rounded once" + CgConventions.suffix(model.products().cgConvention()),
                        target),
                GeneratedFiles.auditResourceName(implementation),
                ReducedTensorProductsAudit.json(model, specName, implementation));
    }
}
