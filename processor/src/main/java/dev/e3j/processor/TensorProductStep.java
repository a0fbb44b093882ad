package dev.e3j.processor;

import com.palantir.javapoet.ClassName;
import dev.e3j.annotations.CgConvention;
import dev.e3j.annotations.IrrepNormalization;
import dev.e3j.annotations.Layout;
import dev.e3j.annotations.PathNormalization;
import dev.e3j.annotations.Precision;
import dev.e3j.annotations.TensorProduct;
import dev.e3j.processor.diagnostics.Location;
import dev.e3j.processor.diagnostics.Message;
import dev.e3j.processor.diagnostics.Problem;
import dev.e3j.processor.model.InvalidSpecException;
import dev.e3j.processor.model.PathSpec;
import dev.e3j.processor.model.TensorProductModel;
import dev.e3j.processor.model.TensorProductModels;
import dev.e3j.processor.model.TensorProductSpec;
import dev.e3j.processor.writer.TensorProductWriter;
import dev.e3j.processor.writer.cuda.CudaTensorProductWriter;
import java.util.List;
import java.util.stream.Collectors;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.TypeElement;

/**
 * {@code @TensorProduct}: a {@link TensorProductSpec} validated into a {@link TensorProductModel}, written as
 * {@code <Spec>Impl} and, with {@code cuda = true}, as CUDA C++ too.
 */
final class TensorProductStep extends KernelStep<TensorProductSpec, TensorProductModel> {

    TensorProductStep(ProcessingEnvironment env) {
        super(env, KernelAnnotation.TENSOR_PRODUCT);
    }

    @Override
    TensorProductSpec read(AnnotationValues values) {
        return new TensorProductSpec(
                values.string("in1"),
                values.string("in2"),
                values.string("out"),
                values.enumConstant("kind", TensorProduct.Kind.class),
                values.annotations("paths").stream()
                        .map(path -> new PathSpec(path.integer("in1"), path.integer("in2"), path.integer("out"),
                                path.string("mode"), path.bool("weighted"), path.string("pathWeight")))
                        .toList(),
                values.enumConstant("irrepNormalization", IrrepNormalization.class),
                values.enumConstant("pathNormalization", PathNormalization.class),
                values.bool("sharedWeights"),
                values.enumConstant("precision", Precision.class),
                values.enumConstant("cgConvention", CgConvention.class),
                values.bool("cuda"),
                values.enumConstant("layout", Layout.class));
    }

    @Override
    TensorProductModel build(TensorProductSpec spec) throws InvalidSpecException {
        return TensorProductModels.build(spec);
    }

    /** {@code [e3j.unreachable]} on {@code out}, naming every output entry no path reaches. */
    @Override
    List<Problem> warnings(TensorProductModel model) {
        List<Integer> unreachable = model.unreachableOutputs();
        if (unreachable.isEmpty()) {
            return List.of();
        }
        String entries = unreachable.stream().map(o -> "out[" + o + "] = " + model.irrepsOut().get(o))
                .collect(Collectors.joining(", "));
        boolean one = unreachable.size() == 1;
        return List.of(Problem.at(Location.attribute("out"), Message.UNREACHABLE, entries, one ? "it" : "them",
                one ? "it" : "them"));
    }

    @Override
    void write(AnnotatedSpec annotated, TypeElement target, TensorProductSpec spec, TensorProductModel model) {
        TensorProductWriter writer = new TensorProductWriter(model, ClassName.get(target));
        annotated.write(writer.implementation(), writer.javaFile(target), writer.auditResourceName(),
                writer.auditJson());
        if (model.cuda()) {
            CudaTensorProductWriter cuda = new CudaTensorProductWriter(model, target.getQualifiedName().toString(),
                    writer.implementation().reflectionName());
            annotated.writeResource(cuda.resourceName(), cuda.source());
        }
    }
}
