package dev.e3j.processor.model;

import dev.e3j.processor.diagnostics.Problem;
import java.util.List;
import java.util.stream.Collectors;

/** Thrown by the model builders (such as {@link TensorProductModels#build}) with every problem found in a spec. */
public final class InvalidSpecException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient List<Problem> problems;

    public InvalidSpecException(List<Problem> problems) {
        super(problems.stream().map(Problem::toString).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }
}
