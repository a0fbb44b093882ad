package dev.e3j.runtime.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Named tensors, the weights of a trained model, read from a safetensors file or from a PyTorch
 * {@code torch.save(model.state_dict())} file:
 *
 * <pre>{@code
 * StateDict weights = StateDict.read(Path.of("model.safetensors"));
 * long[] shape = weights.shape("layers.0.fc.weight");         // [10, 16]
 * double[] w = weights.doubles("layers.0.fc.weight");         // row-major, converted from the stored dtype
 * Map<String, Double> constants = weights.metadataNumbers("normalize2mom");
 * }</pre>
 *
 * <p>Files are memory-mapped, not read onto the heap: each tensor is copied once, into the array that
 * {@link #doubles(String)} (or {@link #floats(String)}, {@link #longs(String)}) returns. The file must therefore not
 * change while the state dict is in use. Instances are immutable and thread-safe.
 */
public final class StateDict {

    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};

    /** {@code torch.save} before PyTorch 1.6 (or with {@code _use_new_zipfile_serialization=False}). */
    private static final byte[] LEGACY_TORCH_MAGIC = {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc,
        (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19};

    private final String source;
    private final Map<String, Tensor> tensors;
    private final Map<String, String> metadata;

    StateDict(String source, Map<String, Tensor> tensors, Map<String, String> metadata) {
        this.source = source;
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /**
     * Reads a safetensors file or a PyTorch (1.6 or later) {@code torch.save} file of a dict of tensors, told apart
     * by their content. PyTorch files are unpickled the way {@code torch.load(weights_only=True)} does: only
     * dicts, tensors and storages are built; no other global is resolved and no code runs.
     *
     * @throws IOException if the file cannot be read, or is malformed: the message names the file, the tensor and
     *     what was expected
     */
    public static StateDict read(Path file) throws IOException {
        MappedBytes bytes;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            bytes = MappedBytes.map(channel, channel.size(), MappedBytes.FILE_SEGMENT_SIZE);
        }
        return read(file.toString(), bytes);
    }

    /**
     * Reads a state dict held in memory: the bytes of a safetensors or {@code torch.save} file (as
     * {@link #read(Path)} reads it) from {@code bytes}' position to its limit, such as a file's bytes shipped to
     * another machine. {@code name} names them in messages. The bytes are not copied (tensors are views until read
     * into arrays), so they must not change while the state dict is in use; {@code bytes}' position and limit are
     * left as they are.
     *
     * @throws IllegalArgumentException if {@code bytes} or {@code name} is null
     * @throws IOException if the bytes are malformed: the message names {@code name}, the tensor and what was
     *     expected
     */
    public static StateDict read(ByteBuffer bytes, String name) throws IOException {
        if (bytes == null || name == null) {
            throw new IllegalArgumentException("StateDict.read: bytes and name must not be null, got "
                    + (bytes == null ? "null bytes" : "null name"));
        }
        return read(name, MappedBytes.wrap(bytes));
    }

    private static StateDict read(String name, MappedBytes bytes) throws IOException {
        if (startsWith(bytes, ZIP_MAGIC)) {
            return TorchZipReader.read(name, bytes);
        }
        if (startsWith(bytes, LEGACY_TORCH_MAGIC)) {
            throw new IOException(name + ": the legacy torch.save format of PyTorch before 1.6 is not supported;"
                    + " save it again with a current PyTorch (or as safetensors)");
        }
        return SafetensorsReader.read(name, bytes);
    }

    private static boolean startsWith(MappedBytes bytes, byte[] magic) {
        if (bytes.size() < magic.length) {
            return false;
        }
        ByteBuffer head = bytes.range(0, magic.length);
        for (int i = 0; i < magic.length; i++) {
            if (head.get(i) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    /** A state dict of the given tensors, in the map's iteration order, without metadata. */
    public static StateDict of(Map<String, Tensor> tensors) {
        return of(tensors, Map.of());
    }

    /** A state dict of the given tensors, in the map's iteration order, and metadata. */
    public static StateDict of(Map<String, Tensor> tensors, Map<String, String> metadata) {
        for (Map.Entry<String, Tensor> entry : tensors.entrySet()) {
            if (entry.getKey() == null || entry.getValue() == null) {
                throw new IllegalArgumentException("tensors must map names to tensors, got " + entry.getKey()
                        + " -> " + entry.getValue());
            }
        }
        for (Map.Entry<String, String> entry : metadata.entrySet()) {
            if (entry.getKey() == null || entry.getValue() == null) {
                throw new IllegalArgumentException("metadata must map names to strings, got " + entry.getKey()
                        + " -> " + entry.getValue());
            }
        }
        return new StateDict("in-memory state dict", tensors, metadata);
    }

    /** The tensor names, in file order. */
    public List<String> names() {
        return List.copyOf(tensors.keySet());
    }

    /** The number of tensors. */
    public int size() {
        return tensors.size();
    }

    /** Whether a tensor is named {@code name}. */
    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /**
     * The tensor named {@code name}.
     *
     * @throws IllegalArgumentException if there is none
     */
    public Tensor tensor(String name) {
        Tensor tensor = tensors.get(name);
        if (tensor == null) {
            List<String> some = new ArrayList<>(tensors.keySet()).subList(0, Math.min(tensors.size(), 5));
            throw new IllegalArgumentException("no tensor '" + name + "' in " + source + ", which holds "
                    + tensors.size() + " tensors" + (some.isEmpty() ? "" : ": " + String.join(", ", some)
                    + (tensors.size() > some.size() ? ", ..." : "")));
        }
        return tensor;
    }

    /** The shape of tensor {@code name} (a copy); see {@link #tensor(String)}. */
    public long[] shape(String name) {
        return tensor(name).shape();
    }

    /** The stored element type of tensor {@code name}; see {@link #tensor(String)}. */
    public DType dtype(String name) {
        return tensor(name).dtype();
    }

    /** Tensor {@code name} in row-major order as doubles; see {@link Tensor#doubles()}. */
    public double[] doubles(String name) {
        return tensor(name).doubles();
    }

    /** Tensor {@code name} in row-major order as floats; see {@link Tensor#floats()}. */
    public float[] floats(String name) {
        return tensor(name).floats();
    }

    /** Integer or bool tensor {@code name} in row-major order as longs; see {@link Tensor#longs()}. */
    public long[] longs(String name) {
        return tensor(name).longs();
    }

    /** The string metadata (safetensors' {@code __metadata__}; empty for PyTorch files), in file order. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * The metadata entry {@code key} read as a JSON object of numbers, such as the e3nn activation constants that
     * e3j's exporter stores under {@code "normalize2mom"}: <code>{"layers.0.fc.layer0.act": 1.679...}</code>. An
     * empty map if there is no such entry.
     *
     * @throws IllegalArgumentException if the entry is not a JSON object whose values are all numbers
     */
    public Map<String, Double> metadataNumbers(String key) {
        Map<String, Object> parsed = metadataObject(key, "a JSON object of numbers");
        Map<String, Double> numbers = new LinkedHashMap<>();
        for (Map.Entry<String, Object> entry : parsed.entrySet()) {
            if (!(entry.getValue() instanceof Number)) {
                throw new IllegalArgumentException("metadata '" + key + "' of " + source + ": entry '"
                        + entry.getKey() + "' must be a number, got " + entry.getValue());
            }
            numbers.put(entry.getKey(), ((Number) entry.getValue()).doubleValue());
        }
        return Collections.unmodifiableMap(numbers);
    }

    /**
     * The metadata entry {@code key} read as a JSON object, such as the constructor arguments e3j's exporters store
     * under {@code "constructor"}: strings, numbers ({@link Long} where integral and in range, else {@link Double}),
     * booleans, {@code null}, lists and nested maps, in file order. An empty map if there is no such entry.
     *
     * @throws IllegalArgumentException if the entry is not a JSON object
     */
    public Map<String, Object> metadataObject(String key) {
        return metadataObject(key, "a JSON object");
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> metadataObject(String key, String expected) {
        String text = metadata.get(key);
        if (text == null) {
            return Map.of();
        }
        Object parsed;
        try {
            parsed = Json.parse(text);
        } catch (Json.MalformedJsonException e) {
            throw new IllegalArgumentException("metadata '" + key + "' of " + source + " is not JSON: "
                    + e.getMessage());
        }
        if (!(parsed instanceof Map)) {
            throw new IllegalArgumentException("metadata '" + key + "' of " + source + " must be " + expected);
        }
        return Collections.unmodifiableMap((Map<String, Object>) parsed);
    }

    /** {@code StateDict(model.safetensors, 46 tensors)}. */
    @Override
    public String toString() {
        return "StateDict(" + source + ", " + tensors.size() + " tensors)";
    }
}
