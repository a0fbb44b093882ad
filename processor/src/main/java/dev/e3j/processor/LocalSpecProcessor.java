package dev.e3j.processor;

import com.google.auto.service.AutoService;
import java.util.Optional;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.ProcessingEnvironment;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.TypeElement;

/**
 * Reports e3j annotations on local types ({@link LocalSpecs}). javac never presents such an annotation to a processor,
 * so a compilation whose only specs are local would not even start {@link E3jProcessor}: this processor supports
 * {@code "*"} to run in every round, and claims nothing, so that other processors still see every annotation.
 */
@AutoService(Processor.class)
public final class LocalSpecProcessor extends AbstractProcessor {

    private Optional<LocalSpecs> localSpecs = Optional.empty();

    @Override
    public synchronized void init(ProcessingEnvironment processingEnv) {
        super.init(processingEnv);
        localSpecs = LocalSpecs.of(processingEnv);
    }

    @Override
    public Set<String> getSupportedAnnotationTypes() {
        return Set.of("*");
    }

    @Override
    public SourceVersion getSupportedSourceVersion() {
        return SourceVersion.latestSupported();
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
        localSpecs.ifPresent(check -> round.getRootElements().forEach(check::check));
        return false;
    }
}
