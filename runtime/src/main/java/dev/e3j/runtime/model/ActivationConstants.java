package dev.e3j.runtime.model;

import dev.e3j.runtime.io.StateDict;
import java.util.Map;

/**
 * e3nn's activation constants as {@code tools/export_e3nn.py} stores them: the {@code state_dict} file's metadata
 * key {@value #METADATA_KEY} holds a JSON object from module name (as {@code model.named_modules()} names it) to the
 * constant that e3nn's {@code normalize2mom} computed by Monte Carlo when the model was built. No {@code state_dict}
 * holds them, and e3j's own quadrature constants differ from e3nn's in the third or fourth digit (SiLU: 1.67653
 * against 1.67918), which a trained model's outputs show.
 */
public final class ActivationConstants {

    /** The metadata key. */
    public static final String METADATA_KEY = "normalize2mom";

    private ActivationConstants() {
    }

    /**
     * The constants in {@code stateDict}'s metadata, empty when it has none.
     *
     * @throws IllegalArgumentException if the entry is not a JSON object of names to finite positive numbers
     */
    public static Map<String, Double> of(StateDict stateDict) {
        if (stateDict == null) {
            throw new IllegalArgumentException("stateDict is null");
        }
        Map<String, Double> constants = stateDict.metadataNumbers(METADATA_KEY);
        for (Map.Entry<String, Double> entry : constants.entrySet()) {
            double value = entry.getValue();
            if (!(value > 0 && value < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("metadata \"" + METADATA_KEY + "\": expected a finite constant > 0"
                        + " for " + entry.getKey() + ", got " + value);
            }
        }
        return constants;
    }
}
