package dev.e3j.processor;

import com.palantir.javapoet.ClassName;
import dev.e3j.annotations.Normalization;
import dev.e3j.annotations.PathNormalization;
import dev.e3j.annotations.Precision;
import dev.e3j.annotations.TensorProduct;
import dev.e3j.processor.diagnostics.Diagnostics;
import dev.e3j.processor.diagnostics.Message;
import dev.e3j.processor.model.InvalidSpecException;
import dev.e3j.processor.model.PathSpec;
import dev.e3j.processor.model.TensorProductModel;
import dev.e3j.processor.model.TensorProductModels;
import dev.e3j.processor.model.TensorProductSpec;
import dev.e3j.processor.writer.TensorProductWriter;
import dev.e3j.processor.writer.cuda.CudaTensorProductWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.tools.Diagnostic;
import javax.tools.FileObject;
import javax.tools.StandardLocation;

/**
 * {@code @TensorProduct}: reads the annotation into a {@link TensorProductSpec}, builds the exact model (which
 * collects every problem with its position), prints the problems on the annotation values, and otherwise writes
 * {@code <Spec>Impl} and its audit file with the spec as the only originating element.
 */
final class TensorProductStep implements ProcessingStep {

    private static final String KERNEL = "dev.e3j.runtime.TensorProductKernel";

    private final ProcessingEnvironment env;

    TensorProductStep(ProcessingEnvironment env) {
        this.env = env;
    }

    @Override
    public String annotation() {
        return E3jProcessor.TENSOR_PRODUCT;
    }

    @Override
    public void process(Element element) {
        AnnotationMirror mirror = findMirror(element);
        if (mirror == null) {
            return;
        }
        Diagnostics diagnostics = new Diagnostics(env.getMessager(), element, mirror);
        if (element.getKind() != ElementKind.INTERFACE) {
            diagnostics.error(Message.NOT_AN_INTERFACE, "TensorProduct", KERNEL, element.getSimpleName(),
                    element.getKind().toString().toLowerCase().replace('_', ' '));
            return;
        }
        TypeElement type = (TypeElement) element;
        TypeElement kernel = env.getElementUtils().getTypeElement(KERNEL);
        if (kernel == null || !env.getTypeUtils().isAssignable(type.asType(),
                env.getTypeUtils().getDeclaredType(kernel))) {
            diagnostics.error(Message.NOT_A_KERNEL, type.getQualifiedName(), KERNEL, "TensorProduct");
        }
        TensorProductModel model;
        try {
            model = TensorProductModels.build(readSpec(mirror));
        } catch (InvalidSpecException e) {
            diagnostics.reportAll(e.problems());
            return;
        }
        if (diagnostics.errorCount() > 0) {
            return;
        }
        write(type, model);
        if ((Boolean) value(env.getElementUtils().getElementValuesWithDefaults(mirror), "cuda")) {
            writeCuda(type, model);
        }
    }

    private static AnnotationMirror findMirror(Element element) {
        for (AnnotationMirror mirror : element.getAnnotationMirrors()) {
            TypeElement annotation = (TypeElement) mirror.getAnnotationType().asElement();
            if (annotation.getQualifiedName().contentEquals(E3jProcessor.TENSOR_PRODUCT)) {
                return mirror;
            }
        }
        return null;
    }

    private TensorProductSpec readSpec(AnnotationMirror mirror) {
        Map<? extends ExecutableElement, ? extends AnnotationValue> values =
                env.getElementUtils().getElementValuesWithDefaults(mirror);
        List<PathSpec> paths = new ArrayList<>();
        for (Object element : (List<?>) value(values, "paths")) {
            AnnotationMirror path = (AnnotationMirror) ((AnnotationValue) element).getValue();
            Map<? extends ExecutableElement, ? extends AnnotationValue> pathValues =
                    env.getElementUtils().getElementValuesWithDefaults(path);
            paths.add(new PathSpec((Integer) value(pathValues, "in1"), (Integer) value(pathValues, "in2"),
                    (Integer) value(pathValues, "out"), (String) value(pathValues, "mode"),
                    (Boolean) value(pathValues, "weighted"), (String) value(pathValues, "pathWeight")));
        }
        return new TensorProductSpec(
                (String) value(values, "in1"),
                (String) value(values, "in2"),
                (String) value(values, "out"),
                TensorProduct.Kind.valueOf(enumName(values, "kind")),
                paths,
                Normalization.valueOf(enumName(values, "irrepNormalization")),
                PathNormalization.valueOf(enumName(values, "pathNormalization")),
                (Boolean) value(values, "sharedWeights"),
                Precision.valueOf(enumName(values, "precision")));
    }

    private static Object value(Map<? extends ExecutableElement, ? extends AnnotationValue> values, String name) {
        for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> entry : values.entrySet()) {
            if (entry.getKey().getSimpleName().contentEquals(name)) {
                return entry.getValue().getValue();
            }
        }
        throw new IllegalStateException("annotation has no member " + name);
    }

    private static String enumName(Map<? extends ExecutableElement, ? extends AnnotationValue> values, String name) {
        return ((VariableElement) value(values, name)).getSimpleName().toString();
    }

    private void write(TypeElement type, TensorProductModel model) {
        TensorProductWriter writer = new TensorProductWriter(model, ClassName.get(type));
        try {
            writer.javaFile(type).writeTo(env.getFiler());
            FileObject audit = env.getFiler().createResource(StandardLocation.CLASS_OUTPUT, "",
                    writer.auditResourceName(), type);
            try (Writer out = new OutputStreamWriter(audit.openOutputStream(), StandardCharsets.UTF_8)) {
                out.write(writer.auditJson());
            }
        } catch (IOException e) {
            env.getMessager().printMessage(Diagnostic.Kind.ERROR,
                    Message.WRITE_FAILED.format(writer.implementation(), e.getMessage()), type);
        }
    }

    /** {@code cuda = true}: the same kernel as CUDA C++, {@code META-INF/e3j/cuda/<binary name>.cu}. */
    private void writeCuda(TypeElement type, TensorProductModel model) {
        String binaryName = TensorProductWriter.implementationName(ClassName.get(type)).reflectionName();
        CudaTensorProductWriter writer = new CudaTensorProductWriter(model, type.getQualifiedName().toString(),
                binaryName);
        try {
            FileObject file = env.getFiler().createResource(StandardLocation.CLASS_OUTPUT, "", writer.resourceName(),
                    type);
            try (Writer out = new OutputStreamWriter(file.openOutputStream(), StandardCharsets.UTF_8)) {
                out.write(writer.source());
            }
        } catch (IOException e) {
            env.getMessager().printMessage(Diagnostic.Kind.ERROR,
                    Message.WRITE_FAILED.format(writer.resourceName(), e.getMessage()), type);
        }
    }
}
