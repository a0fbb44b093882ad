package dev.e3j.runtime.model;

import dev.e3j.runtime.io.StateDict;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The constructor arguments an exported file records (metadata {@code "constructor"}, written by
 * {@code tools/export_mace.py} and {@code tools/export_e3nn.py}) against a model's own, for the arguments no tensor
 * shows: each {@code require} notes a recorded value that differs, {@link #check} throws one error naming them all.
 * A file without the entry, or without a key, passes.
 */
final class RecordedArguments {

    private final StateDict stateDict;
    private final Map<String, Object> recorded;
    private final List<String> problems = new ArrayList<>();

    RecordedArguments(StateDict stateDict) {
        this.stateDict = stateDict;
        this.recorded = stateDict.metadataObject("constructor");
    }

    /** The recorded number {@code key} must be {@code expected}, the model's {@code attribute}. */
    RecordedArguments requireNumber(String key, double expected, String attribute) {
        if (recorded.get(key) instanceof Number number && number.doubleValue() != expected) {
            problems.add(key + ": expected " + expected + " (the model's " + attribute + "), got " + number);
        }
        return this;
    }

    /** The recorded flag {@code key} must be {@code expected}, the model's {@code attribute}; Python's spelling. */
    RecordedArguments requireFlag(String key, boolean expected, String attribute) {
        if (recorded.get(key) instanceof Boolean flag && flag != expected) {
            problems.add(key + ": expected " + python(expected) + " (the model's " + attribute + "), got "
                    + python(flag));
        }
        return this;
    }

    /** The recorded name {@code key} must be {@code expected}, the model's {@code attribute}. */
    RecordedArguments requireName(String key, String expected, String attribute) {
        if (recorded.get(key) instanceof String name && !name.equals(expected)) {
            problems.add(key + ": expected \"" + expected + "\" (the model's " + attribute + "), got \"" + name + "\"");
        }
        return this;
    }

    /** @throws IllegalArgumentException naming every recorded value that differs from the model's */
    void check() {
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(stateDict + ": the constructor arguments in its metadata are not this "
                    + "model's: " + String.join("; ", problems));
        }
    }

    private static String python(boolean value) {
        return value ? "True" : "False";
    }
}
