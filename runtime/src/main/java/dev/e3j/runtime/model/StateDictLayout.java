package dev.e3j.runtime.model;

import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.io.DType;
import dev.e3j.runtime.io.StateDict;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The {@code state_dict} entries a derived model expects, under the Python library's names, read into one flat
 * parameter array: values (trained weights, and buffers a trained model carries, e.g. MACE's atomic energies),
 * required buffers whose values the derived architecture fixes (MACE's {@code r_max}, output masks), and optional
 * buffers that must equal the derived values when present (e3nn's {@code output_mask}s, which check the derivation
 * itself). Fixed values are compared as the file stores them (rounded once to float in a float32 model). The
 * Clebsch–Gordan buffers of e3nn's products ({@code ._w3j_l1_l2_l3}) and MACE's symmetric-contraction bases
 * ({@code .U_matrix_ν}), which the generated kernels hold as exact constants, are accepted as they are under the
 * modules registered with {@link #constants(String)}. Used by {@link GatePoints} and {@link Mace}.
 */
final class StateDictLayout {

    private record Entry(String name, long[] shape, int offset, double[] fixed, boolean required) {
        boolean isValue() {
            return fixed == null;
        }
    }

    private static final List<String> CONSTANT_BUFFERS = List.of("._compiled_main_left_right._w3j_",
            "._compiled_main_right._w3j_", ".U_matrix_");

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final List<String> constantModules = new ArrayList<>();
    /** Advice for missing or unexpected keys under a prefix, by prefix (an option the spec and the model differ in). */
    private final Map<String, String> hints = new LinkedHashMap<>();
    private int parameterCount;

    /** Adds a convolution's entries; its parameters follow those added before. */
    void convolution(PointConvolution convolution) {
        String prefix = convolution.prefix;
        int base = parameterCount;
        product(prefix + ".sc", convolution.selfConnection.weightNumel(), base + convolution.offsets[0],
                convolution.selfConnectionMask);
        product(prefix + ".lin1", convolution.lin1.weightNumel(), base + convolution.offsets[1],
                PointConvolution.outputMask(convolution.lin1.irrepsIn1(), convolution.lin1.irrepsIn2(),
                        convolution.lin1.irrepsOut()));
        int[] hs = convolution.radial.hs();
        int offset = base + convolution.offsets[2];
        for (int k = 0; k + 1 < hs.length; k++) {
            parameter(prefix + ".fc.layer" + k + ".weight", new long[] {hs[k], hs[k + 1]}, offset);
            offset += hs[k] * hs[k + 1];
        }
        String tp = prefix + ".tp";
        buffer(tp + ".weight", new double[0]);
        buffer(tp + ".output_mask", ones(convolution.edgeProduct.irrepsOut().dim()));
        constants(tp);
        product(prefix + ".lin2", convolution.lin2.weightNumel(), base + convolution.offsets[3],
                PointConvolution.outputMask(convolution.lin2.irrepsIn1(), convolution.lin2.irrepsIn2(),
                        convolution.lin2.irrepsOut()));
        parameterCount = Math.addExact(parameterCount, convolution.parameterCount());
    }

    /** Adds a gate's buffers: its element-wise product of the gated irreps with the gates has no weights. */
    void gate(String prefix, Irreps irrepsGated) {
        buffer(prefix + ".mul.weight", new double[0]);
        buffer(prefix + ".mul.output_mask", ones(irrepsGated.dim()));
    }

    /** Adds a value of {@code shape} at the end of the flat parameters and returns its offset. */
    int value(String name, long... shape) {
        int offset = parameterCount;
        parameter(name, shape.clone(), offset);
        parameterCount = Math.addExact(parameterCount,
                Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact)));
        return offset;
    }

    /** Adds a required buffer whose values the architecture fixes; {@code shape} is that of the buffer. */
    void fixed(String name, double[] values, long... shape) {
        entries.put(name, new Entry(name, shape.clone(), -1, values.clone(), true));
    }

    /**
     * Adds {@code advice} to the error of a {@code state_dict} with a missing or unexpected key that starts with
     * {@code prefix}: what to declare so that the derived model has the keys the Python model had.
     */
    void hint(String prefix, String advice) {
        hints.put(prefix, advice);
    }

    /** Accepts the cached constant buffers ({@code _w3j_}, {@code U_matrix_}) under {@code module}. */
    void constants(String module) {
        constantModules.add(module);
    }

    /** Number of values in the flat parameters. */
    int count() {
        return parameterCount;
    }

    /** The offset in the flat parameters of the value {@code name}, or -1 if no value has that name. */
    int offset(String name) {
        Entry entry = entries.get(name);
        return entry == null || !entry.isValue() ? -1 : entry.offset();
    }

    private void product(String module, int weightNumel, int offset, double[] outputMask) {
        parameter(module + ".weight", new long[] {weightNumel}, offset);
        buffer(module + ".output_mask", outputMask);
        constants(module);
    }

    private void parameter(String name, long[] shape, int offset) {
        entries.put(name, new Entry(name, shape, offset, null, true));
    }

    /** An optional buffer: absent is fine, present must equal {@code values}. */
    private void buffer(String name, double[] values) {
        entries.put(name, new Entry(name, new long[] {values.length}, -1, values, false));
    }

    private static double[] ones(int n) {
        double[] ones = new double[n];
        Arrays.fill(ones, 1.0);
        return ones;
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

    /** The flat parameters ({@link #count()} of them), or one exception listing every problem. */
    double[] read(StateDict stateDict) {
        return read(stateDict, parameterCount);
    }

    /** The flat parameters, or one exception listing every missing, mismatched and unexpected key. */
    double[] read(StateDict stateDict, int count) {
        double[] params = new double[count];
        List<String> missing = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        for (Entry entry : entries.values()) {
            if (!stateDict.contains(entry.name())) {
                if (entry.required()) {
                    missing.add(entry.name() + " " + Arrays.toString(entry.shape()));
                }
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
        for (Map.Entry<String, String> hint : hints.entrySet()) {
            if (Stream.concat(missing.stream(), unexpected.stream()).anyMatch(key -> key.startsWith(hint.getKey()))) {
                message.append("\n  hint: ").append(hint.getValue());
            }
        }
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
