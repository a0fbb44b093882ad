package dev.e3j.runtime.io;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads the pickle that {@code torch.save(model.state_dict())} writes ({@code data.pkl}, protocol 2 by default; the
 * opcodes of protocols 3 to 5 that such a pickle can hold are read too) the way {@code torch.load(weights_only=True)}
 * does: only the globals of an allow-list are resolved, and nothing is ever called or constructed but dicts, lists,
 * tuples, strings, numbers and the {@link TensorRef}s that {@code torch._utils._rebuild_tensor_v2} describes. Any other
 * opcode or global is an {@link IOException} naming it and its byte offset.
 *
 * <p>Python values become: {@code None} null, {@code bool} {@link Boolean}, {@code int} {@link Long} (a
 * {@link BigInteger} beyond 64 bits), {@code float} {@link Double}, {@code str} {@link String}, {@code tuple}
 * {@link Tuple}, {@code list} {@link ArrayList}, {@code dict} and {@code OrderedDict} {@link LinkedHashMap}.
 */
final class RestrictedUnpickler {

    /** A Python tuple. */
    record Tuple(List<Object> items) {
    }

    /** A storage that {@code torch.save} writes to the archive entry {@code data/<key>}: {@code count} elements. */
    record StorageRef(DType dtype, String key, long count) {
    }

    /** A tensor over a storage: element {@code i} at storage index {@code offset + sum(i[d] * strides[d])}. */
    record TensorRef(StorageRef storage, long offset, long[] shape, long[] strides) {
    }

    /** A resolved global of the allow-list. */
    private enum Global {
        ORDERED_DICT("collections", "OrderedDict"),
        REBUILD_TENSOR("torch._utils", "_rebuild_tensor_v2"),
        REBUILD_PARAMETER("torch._utils", "_rebuild_parameter"),
        REBUILD_PARAMETER_WITH_STATE("torch._utils", "_rebuild_parameter_with_state");

        final String module;
        final String name;

        Global(String module, String name) {
            this.module = module;
            this.name = name;
        }

        @Override
        public String toString() {
            return module + "." + name;
        }
    }

    /** A storage class such as {@code torch.FloatStorage}: allowed only inside a persistent id. */
    private record StorageType(DType dtype) {
    }

    private static final int HIGHEST_PROTOCOL = 5;

    private static final String ALLOWED = Arrays.stream(Global.values()).map(Global::toString)
            .collect(Collectors.joining(", "));

    private final ByteBuffer in;
    private final String source;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private final Map<String, StorageRef> storages = new LinkedHashMap<>();
    private int opcodeOffset;

    private RestrictedUnpickler(ByteBuffer in, String source) {
        this.in = in.slice().order(ByteOrder.LITTLE_ENDIAN);
        this.source = source;
    }

    /** Reads the pickle in {@code in}; {@code source} names it in messages ({@code "file.pt: archive/data.pkl"}). */
    static Object load(ByteBuffer in, String source) throws IOException {
        return new RestrictedUnpickler(in, source).run();
    }

    private Object run() throws IOException {
        while (true) {
            opcodeOffset = in.position();
            if (!in.hasRemaining()) {
                throw error("the pickle ends without a STOP opcode");
            }
            int code = in.get() & 0xFF;
            switch (code) {
                case 0x80 -> protocol();
                case 0x95 -> take(8); // FRAME: its length only guides buffered readers
                case '.' -> {
                    return pop();
                }
                case '(' -> marks.add(stack.size());
                case '0' -> pop();
                case '}' -> stack.add(new LinkedHashMap<Object, Object>());
                case ']' -> stack.add(new ArrayList<Object>());
                case ')' -> stack.add(new Tuple(List.of()));
                case 't' -> stack.add(new Tuple(popToMark()));
                case 0x85 -> tuple(1);
                case 0x86 -> tuple(2);
                case 0x87 -> tuple(3);
                case 'N' -> stack.add(null);
                case 0x88 -> stack.add(Boolean.TRUE);
                case 0x89 -> stack.add(Boolean.FALSE);
                case 'J' -> stack.add((long) take(4).getInt());
                case 'K' -> stack.add((long) (take(1).get() & 0xFF));
                case 'M' -> stack.add((long) (take(2).getShort() & 0xFFFF));
                case 0x8a -> stack.add(long1());
                case 'G' -> stack.add(take(8).order(ByteOrder.BIG_ENDIAN).getDouble());
                case 'X' -> stack.add(string(take(4).getInt() & 0xFFFFFFFFL));
                case 0x8c -> stack.add(string(take(1).get() & 0xFF));
                case 0x8d -> stack.add(string(take(8).getLong()));
                case 'c' -> stack.add(global(line(), line()));
                case 0x93 -> stackGlobal();
                case 'R' -> reduce();
                case 'b' -> build();
                case 'Q' -> stack.add(persistentLoad(pop()));
                case 'q' -> memo.put((long) (take(1).get() & 0xFF), peekTop());
                case 'r' -> memo.put(take(4).getInt() & 0xFFFFFFFFL, peekTop());
                case 0x94 -> memo.put((long) memo.size(), peekTop());
                case 'h' -> stack.add(memoGet(take(1).get() & 0xFF));
                case 'j' -> stack.add(memoGet(take(4).getInt() & 0xFFFFFFFFL));
                case 's' -> setItem();
                case 'u' -> setItems();
                case 'a' -> append();
                case 'e' -> appends();
                default -> throw error("opcode " + Opcodes.describe(code)
                        + " is outside the allow-list of a weights-only unpickler");
            }
        }
    }

    private void protocol() throws IOException {
        int version = take(1).get() & 0xFF;
        if (version > HIGHEST_PROTOCOL) {
            throw error("pickle protocol " + version + " is newer than the highest known (" + HIGHEST_PROTOCOL + ")");
        }
    }

    /** The next {@code count} bytes as a little-endian buffer, after checking they are there. */
    private ByteBuffer take(int count) throws IOException {
        if (in.remaining() < count) {
            throw error("the pickle is truncated: " + describeCurrentOpcode() + " needs " + count + " more bytes, "
                    + in.remaining() + " remain");
        }
        ByteBuffer bytes = in.slice().limit(count).order(ByteOrder.LITTLE_ENDIAN);
        in.position(in.position() + count);
        return bytes;
    }

    private String describeCurrentOpcode() {
        return "opcode " + Opcodes.describe(in.get(opcodeOffset) & 0xFF);
    }

    private Object long1() throws IOException {
        int length = take(1).get() & 0xFF;
        ByteBuffer bytes = take(length);
        byte[] bigEndian = new byte[length];
        for (int i = 0; i < length; i++) {
            bigEndian[length - 1 - i] = bytes.get(i);
        }
        BigInteger value = length == 0 ? BigInteger.ZERO : new BigInteger(bigEndian);
        return value.bitLength() < 64 ? (Object) value.longValue() : value;
    }

    private String string(long length) throws IOException {
        if (length < 0 || length > in.remaining()) {
            throw error("the pickle is truncated: a string of " + Long.toUnsignedString(length) + " bytes, "
                    + in.remaining() + " remain");
        }
        return utf8(take((int) length));
    }

    /** A {@code GLOBAL} operand line: bytes up to a newline. */
    private String line() throws IOException {
        int start = in.position();
        for (int i = start; i < in.limit(); i++) {
            if (in.get(i) == '\n') {
                String text = utf8(take(i - start));
                in.get();
                return text;
            }
        }
        throw error("the pickle is truncated: a GLOBAL name has no terminating newline");
    }

    private String utf8(ByteBuffer bytes) throws IOException {
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder().decode(bytes);
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw error("a string is not valid UTF-8");
        }
    }

    private void stackGlobal() throws IOException {
        Object name = pop();
        Object module = pop();
        if (!(module instanceof String) || !(name instanceof String)) {
            throw error("STACK_GLOBAL needs two strings, got " + typeName(module) + " and " + typeName(name));
        }
        stack.add(global((String) module, (String) name));
    }

    private Object global(String module, String name) throws IOException {
        for (Global global : Global.values()) {
            if (global.module.equals(module) && global.name.equals(name)) {
                return global;
            }
        }
        if (module.equals("torch") && name.endsWith("Storage") && DType.ofTorchStorage(name) != null) {
            return new StorageType(DType.ofTorchStorage(name));
        }
        throw error("global " + module + "." + name + " is outside the allow-list: a state_dict needs only "
                + ALLOWED + " and torch storage types such as torch.FloatStorage, and nothing else is resolved");
    }

    private void reduce() throws IOException {
        Object arguments = pop();
        Object callable = pop();
        if (!(callable instanceof Global)) {
            throw error("REDUCE calls " + typeName(callable) + "; only " + ALLOWED + " can be called");
        }
        if (!(arguments instanceof Tuple)) {
            throw error("REDUCE of " + callable + " needs a tuple of arguments, got " + typeName(arguments));
        }
        List<Object> args = ((Tuple) arguments).items();
        switch ((Global) callable) {
            case ORDERED_DICT -> {
                expectArguments(callable, args, 0, 0);
                stack.add(new LinkedHashMap<Object, Object>());
            }
            case REBUILD_TENSOR -> {
                expectArguments(callable, args, 6, 7);
                stack.add(rebuildTensor(args));
            }
            case REBUILD_PARAMETER, REBUILD_PARAMETER_WITH_STATE -> {
                int count = callable == Global.REBUILD_PARAMETER ? 3 : 4;
                expectArguments(callable, args, count, count);
                stack.add(argument(callable, args, 0, TensorRef.class, "a tensor"));
            }
            default -> throw new AssertionError(callable);
        }
    }

    private void expectArguments(Object callable, List<Object> args, int min, int max) throws IOException {
        if (args.size() < min || args.size() > max) {
            throw error(callable + " takes " + (min == max ? min : min + " to " + max) + " arguments, got "
                    + args.size());
        }
    }

    /** {@code _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])}. */
    private TensorRef rebuildTensor(List<Object> args) throws IOException {
        Object callable = Global.REBUILD_TENSOR;
        StorageRef storage = argument(callable, args, 0, StorageRef.class, "a storage");
        long offset = nonNegative(argument(callable, args, 1, Long.class, "an int"), "storage_offset");
        long[] shape = longs(argument(callable, args, 2, Tuple.class, "a tuple of ints"), "size");
        long[] strides = longs(argument(callable, args, 3, Tuple.class, "a tuple of ints"), "stride");
        argument(callable, args, 4, Boolean.class, "a bool");
        argument(callable, args, 5, LinkedHashMap.class, "an OrderedDict");
        if (shape.length != strides.length) {
            throw error(callable + " got size " + Arrays.toString(shape) + " and stride " + Arrays.toString(strides)
                    + " of different lengths");
        }
        return new TensorRef(storage, offset, shape, strides);
    }

    private <T> T argument(Object callable, List<Object> args, int index, Class<T> type, String expected)
            throws IOException {
        Object value = args.get(index);
        if (!type.isInstance(value)) {
            throw error(callable + " needs " + expected + " as argument " + index + ", got " + typeName(value));
        }
        return type.cast(value);
    }

    private long[] longs(Tuple tuple, String what) throws IOException {
        long[] out = new long[tuple.items().size()];
        for (int i = 0; i < out.length; i++) {
            Object item = tuple.items().get(i);
            if (!(item instanceof Long)) {
                throw error(what + " must hold ints below 2^63, got " + typeName(item) + " at index " + i);
            }
            out[i] = nonNegative((Long) item, what);
        }
        return out;
    }

    private long nonNegative(long value, String what) throws IOException {
        if (value < 0) {
            throw error(what + " must not be negative, got " + value);
        }
        return value;
    }

    /** {@code ('storage', torch.<Type>Storage, key, location, numel)}: the tensors' storages; nothing else. */
    private StorageRef persistentLoad(Object pid) throws IOException {
        List<Object> items = pid instanceof Tuple ? ((Tuple) pid).items() : List.of();
        if (items.size() != 5 || !"storage".equals(items.get(0)) || !(items.get(1) instanceof StorageType)
                || !(items.get(2) instanceof String) || !(items.get(3) instanceof String)
                || !(items.get(4) instanceof Long) || (Long) items.get(4) < 0) {
            throw error("persistent id " + describe(pid)
                    + " is not ('storage', torch.<Type>Storage, key, location, element count)");
        }
        DType dtype = ((StorageType) items.get(1)).dtype();
        String key = (String) items.get(2);
        StorageRef storage = new StorageRef(dtype, key, (Long) items.get(4));
        StorageRef previous = storages.putIfAbsent(key, storage);
        if (previous != null && !previous.equals(storage)) {
            throw error("storage '" + key + "' is declared twice, as " + previous.count() + " x " + previous.dtype()
                    + " and as " + storage.count() + " x " + storage.dtype());
        }
        return previous != null ? previous : storage;
    }

    /** BUILD on a dict sets instance attributes: the {@code _metadata} that {@code state_dict()} attaches. */
    private void build() throws IOException {
        Object state = pop();
        Object target = peekTop();
        if (!(target instanceof LinkedHashMap) || !(state instanceof LinkedHashMap)) {
            throw error("BUILD of " + typeName(target) + " with " + typeName(state)
                    + ": only an OrderedDict's attributes (a dict) are accepted, and ignored");
        }
    }

    private void setItem() throws IOException {
        Object value = pop();
        Object key = pop();
        dictionary(peekTop()).put(hashable(key), value);
    }

    private void setItems() throws IOException {
        List<Object> items = popToMark();
        Map<Object, Object> dict = dictionary(peekTop());
        if (items.size() % 2 != 0) {
            throw error("SETITEMS got an odd number of items (" + items.size() + ")");
        }
        for (int i = 0; i < items.size(); i += 2) {
            dict.put(hashable(items.get(i)), items.get(i + 1));
        }
    }

    private void append() throws IOException {
        Object value = pop();
        list(peekTop()).add(value);
    }

    private void appends() throws IOException {
        List<Object> items = popToMark();
        list(peekTop()).addAll(items);
    }

    /** A dict key: a str, int, float, bool or None (containers could hold themselves and never finish hashing). */
    private Object hashable(Object key) throws IOException {
        if (key == null || key instanceof String || key instanceof Long || key instanceof BigInteger
                || key instanceof Double || key instanceof Boolean) {
            return key;
        }
        throw error("a dict key is a " + typeName(key) + "; a state_dict's keys are strings");
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dictionary(Object target) throws IOException {
        if (!(target instanceof LinkedHashMap)) {
            throw error(describeCurrentOpcode() + " needs a dict, got " + typeName(target));
        }
        return (Map<Object, Object>) target;
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object target) throws IOException {
        if (!(target instanceof ArrayList)) {
            throw error(describeCurrentOpcode() + " needs a list, got " + typeName(target));
        }
        return (List<Object>) target;
    }

    private void tuple(int size) throws IOException {
        if (stack.size() - currentMarkFloor() < size) {
            throw error(describeCurrentOpcode() + " needs " + size + " items on the stack");
        }
        List<Object> top = stack.subList(stack.size() - size, stack.size());
        Tuple tuple = new Tuple(Collections.unmodifiableList(new ArrayList<>(top)));
        top.clear();
        stack.add(tuple);
    }

    private List<Object> popToMark() throws IOException {
        if (marks.isEmpty()) {
            throw error(describeCurrentOpcode() + " without a MARK");
        }
        int mark = marks.remove(marks.size() - 1);
        List<Object> top = stack.subList(mark, stack.size());
        List<Object> items = Collections.unmodifiableList(new ArrayList<>(top));
        top.clear();
        return items;
    }

    private int currentMarkFloor() {
        return marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
    }

    private Object pop() throws IOException {
        if (stack.size() <= currentMarkFloor()) {
            throw error(describeCurrentOpcode() + " pops an empty stack");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peekTop() throws IOException {
        if (stack.size() <= currentMarkFloor()) {
            throw error(describeCurrentOpcode() + " needs an item on the stack");
        }
        return stack.get(stack.size() - 1);
    }

    private Object memoGet(long index) throws IOException {
        if (!memo.containsKey(index)) {
            throw error("memo entry " + index + " was never stored");
        }
        return memo.get(index);
    }

    /** A tuple as the Python types of its items, anything else as its type: never a container's contents. */
    private static String describe(Object value) {
        if (!(value instanceof Tuple)) {
            return "of type " + typeName(value);
        }
        StringBuilder out = new StringBuilder("(");
        for (Object item : ((Tuple) value).items()) {
            out.append(out.length() > 1 ? ", " : "").append(item instanceof String ? "'" + item + "'" : typeName(item));
        }
        return out.append(")").toString();
    }

    /** The Python type of a value, for messages. */
    static String typeName(Object value) {
        if (value == null) {
            return "None";
        } else if (value instanceof String) {
            return "str";
        } else if (value instanceof Long || value instanceof BigInteger) {
            return "int";
        } else if (value instanceof Double) {
            return "float";
        } else if (value instanceof Boolean) {
            return "bool";
        } else if (value instanceof Tuple) {
            return "tuple";
        } else if (value instanceof ArrayList) {
            return "list";
        } else if (value instanceof LinkedHashMap) {
            return "dict";
        } else if (value instanceof TensorRef) {
            return "tensor";
        } else if (value instanceof StorageRef) {
            return "storage";
        } else if (value instanceof StorageType) {
            return "storage class torch." + ((StorageType) value).dtype().torchStorage();
        }
        return "global " + value;
    }

    private IOException error(String message) {
        return new IOException(source + ": " + message + " (at byte " + opcodeOffset + ")");
    }
}
