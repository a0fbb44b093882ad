package dev.e3j.runtime.model;

import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.io.StateDict;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code state_dict} entries a derived e3nn model expects, under e3nn's names: parameters (required, copied
 * into the flat parameter array) and buffers (optional, but when present their shape and values must equal the
 * derived architecture's: e3nn's {@code output_mask}s check the derivation itself). e3nn's cached Clebsch–Gordan
 * buffers ({@code ._w3j_l1_l2_l3}) of the products are accepted as they are.
 */
final class StateDictLayout {

    private record Entry(String name, long[] shape, int offset, double[] buffer) {
        boolean isParameter() {
            return buffer == null;
        }
    }

    private static final List<String> CG_BUFFERS = List.of("._compiled_main_left_right._w3j_",
            "._compiled_main_right._w3j_");

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final List<String> productModules = new ArrayList<>();
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
        productModules.add(tp);
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

    private void product(String module, int weightNumel, int offset, double[] outputMask) {
        parameter(module + ".weight", new long[] {weightNumel}, offset);
        buffer(module + ".output_mask", outputMask);
        productModules.add(module);
    }

    private void parameter(String name, long[] shape, int offset) {
        entries.put(name, new Entry(name, shape, offset, null));
    }

    private void buffer(String name, double[] values) {
        entries.put(name, new Entry(name, new long[] {values.length}, -1, values));
    }

    private static double[] ones(int n) {
        double[] ones = new double[n];
        Arrays.fill(ones, 1.0);
        return ones;
    }

    private boolean isCgBuffer(String name) {
        for (String module : productModules) {
            for (String buffer : CG_BUFFERS) {
                if (name.startsWith(module + buffer)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The flat parameters, or one exception listing every missing, mismatched and unexpected key. */
    double[] read(StateDict stateDict, int count) {
        double[] params = new double[count];
        List<String> missing = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        for (Entry entry : entries.values()) {
            if (!stateDict.contains(entry.name())) {
                if (entry.isParameter()) {
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
            if (entry.isParameter()) {
                System.arraycopy(values, 0, params, entry.offset(), values.length);
            } else if (!Arrays.equals(values, entry.buffer())) {
                mismatched.add(entry.name() + ": expected " + Arrays.toString(entry.buffer())
                        + " (the derived architecture's), got " + Arrays.toString(values));
            }
        }
        for (String name : stateDict.names()) {
            if (!entries.containsKey(name) && !isCgBuffer(name)) {
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

    private static void appendAll(StringBuilder message, String what, List<String> keys) {
        if (!keys.isEmpty()) {
            message.append("\n  ").append(keys.size()).append(' ').append(what).append(": ")
                    .append(String.join("; ", keys));
        }
    }
}
