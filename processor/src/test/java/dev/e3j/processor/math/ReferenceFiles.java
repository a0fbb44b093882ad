package dev.e3j.processor.math;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/** Public door to {@link ReferenceData} for tests outside this package. */
public final class ReferenceFiles {

    private ReferenceFiles() {
    }

    /** The cases of {@code reference/e3nn-0.5.4/<name>}. */
    public static List<Map<String, Object>> cases(String name) throws IOException {
        return ReferenceData.cases(ReferenceData.load(name));
    }
}
