package dev.e3j.runtime.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads {@code torch.save(model.state_dict())} files, the zip format of PyTorch 1.6 and later: a folder (named
 * {@code archive} or after the file) holding {@code data.pkl}, the pickled dict of tensors read by the
 * {@link RestrictedUnpickler}; {@code data/<key>}, the raw bytes of each storage, stored uncompressed; and
 * {@code byteorder} ({@code little} or {@code big}; little when absent, as PyTorch before 2.1 wrote).
 */
final class TorchZipReader {

    /** Bound on {@code data.pkl}, as safetensors bounds its header: it may be copied when it straddles a segment. */
    static final long MAX_PICKLE_BYTES = 100_000_000L;

    private final String file;
    private final MappedBytes bytes;

    private TorchZipReader(String file, MappedBytes bytes) {
        this.file = file;
        this.bytes = bytes;
    }

    /** Reads the archive mapped in {@code bytes}; {@code file} names it in messages. */
    static StateDict read(String file, MappedBytes bytes) throws IOException {
        return new TorchZipReader(file, bytes).read();
    }

    private StateDict read() throws IOException {
        ZipDirectory zip = ZipDirectory.read(file, bytes);
        String folder = recordFolder(zip);
        ByteOrder order = byteOrder(zip, folder);
        ZipDirectory.Entry pickle = stored(zip, folder + "data.pkl");
        if (pickle.size() > MAX_PICKLE_BYTES) {
            throw error(pickle.name() + " holds " + pickle.size() + " bytes, more than the " + MAX_PICKLE_BYTES
                    + " that a state_dict's pickle (about 100 bytes per tensor) may hold");
        }
        Object root = RestrictedUnpickler.load(zip.data(pickle), file + ": " + pickle.name());
        if (!(root instanceof LinkedHashMap)) {
            throw error(pickle.name() + " holds a Python " + RestrictedUnpickler.typeName(root)
                    + ", not the dict of tensors that torch.save(model.state_dict()) writes");
        }
        Map<String, Long> storageOffsets = new LinkedHashMap<>();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<?, ?> item : ((Map<?, ?>) root).entrySet()) {
            if (!(item.getKey() instanceof String)) {
                throw error(pickle.name() + " has a key of type " + RestrictedUnpickler.typeName(item.getKey())
                        + "; a state_dict's keys are strings");
            }
            String name = (String) item.getKey();
            if (!(item.getValue() instanceof RestrictedUnpickler.TensorRef)) {
                throw error("'" + name + "' holds a Python " + RestrictedUnpickler.typeName(item.getValue())
                        + ", not a tensor: StateDict reads torch.save(model.state_dict())");
            }
            RestrictedUnpickler.TensorRef tensor = (RestrictedUnpickler.TensorRef) item.getValue();
            RestrictedUnpickler.StorageRef storage = tensor.storage();
            Long storageOffset = storageOffsets.get(storage.key());
            if (storageOffset == null) {
                storageOffset = storageData(zip, folder, storage, name);
                storageOffsets.put(storage.key(), storageOffset);
            }
            checkInside(name, tensor);
            String origin = "tensor '" + name + "' of " + file;
            long position = storageOffset + tensor.offset() * storage.dtype().byteSize();
            tensors.put(name, new Tensor(storage.dtype(), tensor.shape(), tensor.strides(), bytes, position, order,
                    origin));
        }
        return new StateDict(file, tensors, Map.of());
    }

    /** The folder all records live in, with its slash: the one that holds {@code data.pkl}. */
    private String recordFolder(ZipDirectory zip) throws IOException {
        String folder = null;
        for (String name : zip.entries().keySet()) {
            int slash = name.indexOf('/');
            if (slash > 0 && name.substring(slash + 1).equals("data.pkl")) {
                if (folder != null) {
                    throw error("the archive holds two data.pkl records, " + folder + "data.pkl and " + name);
                }
                folder = name.substring(0, slash + 1);
            }
        }
        if (folder == null) {
            throw error("the zip archive holds no <folder>/data.pkl: it is not a file written by torch.save");
        }
        return folder;
    }

    private ByteOrder byteOrder(ZipDirectory zip, String folder) throws IOException {
        if (!zip.entries().containsKey(folder + "byteorder")) {
            return ByteOrder.LITTLE_ENDIAN;
        }
        ZipDirectory.Entry entry = stored(zip, folder + "byteorder");
        if (entry.size() > 16) {
            throw error(entry.name() + " holds " + entry.size() + " bytes, expected 'little' or 'big'");
        }
        ByteBuffer data = zip.data(entry);
        byte[] text = new byte[data.remaining()];
        data.get(text);
        String value = new String(text, StandardCharsets.US_ASCII).strip();
        switch (value) {
            case "little":
                return ByteOrder.LITTLE_ENDIAN;
            case "big":
                return ByteOrder.BIG_ENDIAN;
            default:
                throw error(entry.name() + " says '" + value + "', expected 'little' or 'big'");
        }
    }

    /** The file position of storage {@code data/<key>}, after checking it holds exactly its elements. */
    private long storageData(ZipDirectory zip, String folder, RestrictedUnpickler.StorageRef storage, String tensor)
            throws IOException {
        String name = folder + "data/" + storage.key();
        if (!zip.entries().containsKey(name)) {
            throw error("tensor '" + tensor + "': its storage record " + name + " is missing");
        }
        ZipDirectory.Entry entry = stored(zip, name);
        long size = storage.dtype().byteSize();
        if (storage.count() > Long.MAX_VALUE / size || entry.size() != storage.count() * size) {
            throw error("tensor '" + tensor + "': storage " + name + " holds " + entry.size() + " bytes, but "
                    + storage.count() + " x " + storage.dtype() + " elements need " + storage.count() + " x " + size);
        }
        return zip.dataOffset(entry);
    }

    /** Checks every element of {@code tensor} lies inside its storage. */
    private void checkInside(String name, RestrictedUnpickler.TensorRef tensor) throws IOException {
        long span = Tensor.storageSpan(tensor.shape(), tensor.strides());
        long count = tensor.storage().count();
        if (Tensor.elementCount(tensor.shape()) < 0 || span < 0 || tensor.offset() > count
                || (span > 0 && tensor.offset() > count - span)) {
            throw error("tensor '" + name + "' with size " + Arrays.toString(tensor.shape()) + ", stride "
                    + Arrays.toString(tensor.strides()) + " and storage offset " + tensor.offset()
                    + " reaches beyond its storage of " + count + " elements");
        }
    }

    /** The entry {@code name}, which must exist and be stored uncompressed, as torch.save writes it. */
    private ZipDirectory.Entry stored(ZipDirectory zip, String name) throws IOException {
        ZipDirectory.Entry entry = zip.entries().get(name);
        if (entry == null) {
            throw error("the archive holds no " + name);
        }
        if (entry.method() != ZipDirectory.Entry.STORED || entry.compressedSize() != entry.size()
                || (entry.flags() & 1) != 0) {
            throw error(name + " is compressed or encrypted (zip method " + entry.method() + ", flags "
                    + entry.flags() + "); torch.save stores records uncompressed");
        }
        return entry;
    }

    private IOException error(String message) {
        return new IOException(file + ": " + message);
    }
}
