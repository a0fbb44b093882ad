package dev.e3j.runtime.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads safetensors files: an unsigned 64-bit little-endian header length {@code N}, {@code N} bytes of UTF-8 JSON
 * (<code>{"name": {"dtype": "F64", "shape": [2, 3], "data_offsets": [begin, end]}, "__metadata__": {...}}</code>,
 * possibly padded with spaces), then the little-endian data, where the tensors' byte ranges must tile the data section
 * exactly (no overlap, no gap, nothing after), as the reference implementation requires.
 */
final class SafetensorsReader {

    /** The reference implementation's limit on the header length. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    static final String METADATA_KEY = "__metadata__";

    private record Entry(String name, DType dtype, long[] shape, long begin, long end) {
    }

    private final String file;
    private final MappedBytes bytes;
    private final long fileSize;

    private SafetensorsReader(String file, MappedBytes bytes) {
        this.file = file;
        this.bytes = bytes;
        this.fileSize = bytes.size();
    }

    /** Reads the safetensors file mapped in {@code bytes}; {@code file} names it in messages. */
    static StateDict read(String file, MappedBytes bytes) throws IOException {
        return new SafetensorsReader(file, bytes).read();
    }

    private StateDict read() throws IOException {
        if (fileSize < 8) {
            throw error("holds " + fileSize + " bytes, fewer than the 8-byte header length of a safetensors file");
        }
        long headerLength = bytes.range(0, 8).getLong(0);
        if (headerLength < 0 || headerLength > fileSize - 8) {
            throw error("the header length " + Long.toUnsignedString(headerLength) + " exceeds the "
                    + (fileSize - 8) + " bytes that follow it: the file is truncated or not a safetensors file");
        }
        if (headerLength > MAX_HEADER_BYTES) {
            throw error("the header length " + headerLength + " exceeds the safetensors limit of "
                    + MAX_HEADER_BYTES + " bytes");
        }
        Map<?, ?> header = header(bytes.range(8, (int) headerLength));
        long dataStart = 8 + headerLength;
        long dataSize = fileSize - dataStart;
        Map<String, String> metadata = Map.of();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<?, ?> item : header.entrySet()) {
            String name = (String) item.getKey();
            if (name.equals(METADATA_KEY)) {
                metadata = metadata(item.getValue());
            } else {
                entries.add(entry(name, item.getValue()));
            }
        }
        checkTiling(entries, dataSize);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Entry entry : entries) {
            tensors.put(entry.name(), new Tensor(entry.dtype(), entry.shape(), Tensor.contiguousStrides(entry.shape()),
                    bytes, dataStart + entry.begin(), ByteOrder.LITTLE_ENDIAN,
                    "tensor '" + entry.name() + "' of " + file));
        }
        return new StateDict(file, tensors, metadata);
    }

    private Map<?, ?> header(ByteBuffer bytes) throws IOException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw error("the JSON header is not valid UTF-8");
        }
        if (!text.startsWith("{")) {
            throw error("the header does not start with '{': not a safetensors file");
        }
        Object parsed;
        try {
            parsed = Json.parse(text);
        } catch (Json.MalformedJsonException e) {
            throw error("malformed JSON header: " + e.getMessage());
        }
        return (Map<?, ?>) parsed;
    }

    private Map<String, String> metadata(Object value) throws IOException {
        if (!(value instanceof Map)) {
            throw error(METADATA_KEY + " must be an object of strings");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<?, ?> item : ((Map<?, ?>) value).entrySet()) {
            if (!(item.getValue() instanceof String)) {
                throw error(METADATA_KEY + " entry '" + item.getKey() + "' must be a string, got "
                        + brief(item.getValue()));
            }
            metadata.put((String) item.getKey(), (String) item.getValue());
        }
        return metadata;
    }

    private Entry entry(String name, Object value) throws IOException {
        if (!(value instanceof Map)) {
            throw error("tensor '" + name + "': expected an object with dtype, shape and data_offsets");
        }
        Map<?, ?> info = (Map<?, ?>) value;
        Object dtypeName = info.get("dtype");
        if (!(dtypeName instanceof String)) {
            throw error("tensor '" + name + "': dtype must be a string, got " + brief(dtypeName));
        }
        DType dtype = DType.ofSafetensorsName((String) dtypeName);
        if (dtype == null) {
            throw error("tensor '" + name + "': unsupported dtype '" + dtypeName + "', expected one of "
                    + Arrays.toString(DType.values()));
        }
        long[] shape = naturals(name, "shape", info.get("shape"), -1);
        long[] offsets = naturals(name, "data_offsets", info.get("data_offsets"), 2);
        if (offsets[1] < offsets[0]) {
            throw error("tensor '" + name + "': data_offsets " + Arrays.toString(offsets) + " end before they begin");
        }
        long count = Tensor.elementCount(shape);
        long bytes = offsets[1] - offsets[0];
        if (count < 0 || count > Long.MAX_VALUE / dtype.byteSize() || count * dtype.byteSize() != bytes) {
            throw error("tensor '" + name + "': data_offsets " + Arrays.toString(offsets) + " hold " + bytes
                    + " bytes, but shape " + Arrays.toString(shape) + " of " + dtype + " needs "
                    + (count < 0 ? "more than 2^63 elements" : count + " x " + dtype.byteSize()));
        }
        return new Entry(name, dtype, shape, offsets[0], offsets[1]);
    }

    /** A JSON array of non-negative integers, of length {@code length} unless that is negative. */
    private long[] naturals(String name, String field, Object value, int length) throws IOException {
        String expected = length < 0 ? "an array of non-negative integers"
                : "an array of " + length + " non-negative integers";
        if (!(value instanceof List) || (length >= 0 && ((List<?>) value).size() != length)) {
            throw error("tensor '" + name + "': " + field + " must be " + expected + ", got " + brief(value));
        }
        List<?> list = (List<?>) value;
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Long) || (Long) list.get(i) < 0) {
                throw error("tensor '" + name + "': " + field + " must be " + expected + ", got " + brief(value));
            }
            out[i] = (Long) list.get(i);
        }
        return out;
    }

    /** Checks the tensors' byte ranges, in order, tile {@code [0, dataSize)}. */
    private void checkTiling(List<Entry> entries, long dataSize) throws IOException {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long end = 0;
        Entry previous = null;
        for (Entry entry : sorted) {
            if (entry.end() > dataSize) {
                throw error("tensor '" + entry.name() + "': data_offsets [" + entry.begin() + ", " + entry.end()
                        + "] leave the data section, which holds " + dataSize + " bytes: the file is truncated or"
                        + " the offsets are wrong");
            }
            if (entry.begin() < end) {
                throw error("tensor '" + entry.name() + "': data_offsets [" + entry.begin() + ", " + entry.end()
                        + "] overlap tensor '" + previous.name() + "' [" + previous.begin() + ", " + previous.end()
                        + "]");
            }
            if (entry.begin() > end) {
                throw error("bytes [" + end + ", " + entry.begin() + ") of the data section before tensor '"
                        + entry.name() + "' belong to no tensor");
            }
            end = entry.end();
            previous = entry;
        }
        if (end != dataSize) {
            throw error("the data section holds " + dataSize + " bytes, but the tensors end at byte " + end);
        }
    }

    /** A JSON value for a message, cut after 60 characters. */
    private static String brief(Object value) {
        String text = String.valueOf(value);
        return text.length() <= 60 ? text : text.substring(0, 60) + "...";
    }

    private IOException error(String message) {
        return new IOException(file + ": " + message);
    }
}
