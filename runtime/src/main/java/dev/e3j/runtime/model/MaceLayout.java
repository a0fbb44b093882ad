package dev.e3j.runtime.model;

import dev.e3j.runtime.io.DType;
import dev.e3j.runtime.io.StateDict;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code state_dict} entries a derived MACE model expects, under mace-torch's names: values read into the flat
 * parameter array (trained weights, and the buffers a trained model carries: atomic energies, Bessel frequencies,
 * scale and shift), and buffers that the derived architecture fixes (output masks, {@code r_max}, the atomic
 * numbers, the cutoff's degree), which must equal the derived values (rounded to float in a float32 model). The
 * Clebsch–Gordan buffers of e3nn's products
 * ({@code ._w3j_l1_l2_l3}) and the symmetric contractions' bases ({@code U_matrix_ν}), which the generated kernels
 * hold as exact constants, are accepted as they are.
 */
final class MaceLayout {

    private record Entry(String name, long[] shape, int offset, double[] fixed) {
        boolean isValue() {
            return fixed == null;
        }
    }

    private static final List<String> CONSTANT_BUFFERS = List.of("._compiled_main_left_right._w3j_",
            "._compiled_main_right._w3j_", ".U_matrix_");

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final List<String> constantModules = new ArrayList<>();
    private int count;

    /** Adds a value of {@code shape} at the end of the flat parameters and returns its offset. */
    int value(String name, long... shape) {
        int offset = count;
        entries.put(name, new Entry(name, shape.clone(), offset, null));
        count = Math.addExact(count, Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact)));
        return offset;
    }

    /** Adds a buffer whose values the architecture fixes; {@code shape} is that of the buffer. */
    void fixed(String name, double[] values, long... shape) {
        entries.put(name, new Entry(name, shape.clone(), -1, values.clone()));
    }

    /** Accepts the cached constant buffers ({@code _w3j_}, {@code U_matrix_}) under {@code module}. */
    void constants(String module) {
        constantModules.add(module);
    }

    /** Number of values in the flat parameters. */
    int count() {
        return count;
    }

    private boolean isConstantBuffer(String name) {
        for (String module : constantModules) {
            for (String buffer : CONSTANT_BUFFERS) {
                if (name.startsWith(module + buffer)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The flat parameters, or one exception listing every missing, mismatched and unexpected key. */
    double[] read(StateDict stateDict) {
        double[] params = new double[count];
        List<String> missing = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        for (Entry entry : entries.values()) {
            if (!stateDict.contains(entry.name())) {
                missing.add(entry.name() + " " + Arrays.toString(entry.shape()));
                continue;
            }
            long[] shape = stateDict.shape(entry.name());
            if (!Arrays.equals(shape, entry.shape())) {
                mismatched.add(entry.name() + ": expected shape " + Arrays.toString(entry.shape()) + ", got "
                        + Arrays.toString(shape));
                continue;
            }
            double[] values = stateDict.doubles(entry.name());
            if (entry.isValue()) {
                System.arraycopy(values, 0, params, entry.offset(), values.length);
            } else if (!Arrays.equals(values, stored(entry.fixed(), stateDict.dtype(entry.name())))) {
                mismatched.add(entry.name() + ": expected " + Arrays.toString(entry.fixed())
                        + " (the derived architecture's), got " + Arrays.toString(values));
            }
        }
        for (String name : stateDict.names()) {
            if (!entries.containsKey(name) && !isConstantBuffer(name)) {
                unexpected.add(name + " " + Arrays.toString(stateDict.shape(name)));
            }
        }
        if (missing.isEmpty() && mismatched.isEmpty() && unexpected.isEmpty()) {
            return params;
        }
        StringBuilder message = new StringBuilder("stateDict does not fit the model:");
        appendAll(message, "missing", missing);
        appendAll(message, "mismatched", mismatched);
        appendAll(message, "unexpected", unexpected);
        throw new IllegalArgumentException(message.toString());
    }

    /** {@code values} as a tensor of {@code dtype} holds them: rounded once to float for float32 models. */
    private static double[] stored(double[] values, DType dtype) {
        if (dtype != DType.F32) {
            return values;
        }
        double[] rounded = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            rounded[i] = (float) values[i];
        }
        return rounded;
    }

    private static void appendAll(StringBuilder message, String what, List<String> keys) {
        if (!keys.isEmpty()) {
            message.append("\n  ").append(keys.size()).append(' ').append(what).append(": ")
                    .append(String.join("; ", keys));
        }
    }
}
