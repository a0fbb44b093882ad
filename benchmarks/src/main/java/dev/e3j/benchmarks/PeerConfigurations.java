package dev.e3j.benchmarks;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Prints every {@link Configuration} as one JSON array of {@link Configuration#peerDefinition() peer definitions},
 * which {@code tools/bench_e3nn_kernels.py} reads, so that e3nn times the very products {@link KernelBenchmark} does.
 *
 * <pre>{@code
 * java -cp benchmarks/target/benchmarks.jar dev.e3j.benchmarks.PeerConfigurations > configurations.json
 * }</pre>
 */
public final class PeerConfigurations {

    private PeerConfigurations() {
    }

    /**
     * Writes the JSON array to standard output.
     *
     * @param args none
     */
    public static void main(String[] args) {
        System.out.println(json());
    }

    static String json() {
        return Arrays.stream(Configuration.values()).map(Configuration::peerDefinition)
                .collect(Collectors.joining(",\n ", "[", "]"));
    }
}
