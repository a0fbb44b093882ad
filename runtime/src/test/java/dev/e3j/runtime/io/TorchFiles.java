package dev.e3j.runtime.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Crafts {@code torch.save} archives the way PyTorch lays them out, without PyTorch. */
final class TorchFiles {

    /** One entry of a state dict: {@code _rebuild_tensor_v2(storage, offset, shape, strides, False, OrderedDict())}. */
    record StoredTensor(String name, String storageType, String key, long storageCount, long offset, long[] shape,
            long[] strides, boolean parameter) {

        /** A tensor, not a parameter. */
        StoredTensor(String name, String storageType, String key, long storageCount, long offset, long[] shape,
                long[] strides) {
            this(name, storageType, key, storageCount, offset, shape, strides, false);
        }
    }

    private TorchFiles() {
    }

    /** The pickle {@code torch.save(state_dict)} writes for these tensors (protocol 2, {@code _metadata} included). */
    static byte[] stateDictPickle(List<StoredTensor> tensors) {
        PickleWriter pickle = new PickleWriter().proto(2);
        pickle.global("collections", "OrderedDict").op(')').op('R').op('q').op(0);
        pickle.mark();
        for (StoredTensor tensor : tensors) {
            pickle.string(tensor.name());
            if (tensor.parameter()) {
                pickle.global("torch._utils", "_rebuild_parameter").mark();
            }
            pickle.global("torch._utils", "_rebuild_tensor_v2");
            pickle.mark().mark().string("storage").global("torch", tensor.storageType()).string(tensor.key())
                    .string("cpu").integer(tensor.storageCount()).op('t').op('Q');
            pickle.integer(tensor.offset()).ints(tensor.shape()).ints(tensor.strides()).op(0x89);
            pickle.global("collections", "OrderedDict").op(')').op('R');
            pickle.op('t').op('R');
            if (tensor.parameter()) {
                pickle.op(0x88).global("collections", "OrderedDict").op(')').op('R').op('t').op('R');
            }
        }
        pickle.op('u');
        pickle.op('}').string("_metadata").global("collections", "OrderedDict").op(')').op('R')
                .string("").op('}').string("version").integer(1).op('s').op('s').op('s');
        return pickle.op('b').stop().toByteArray();
    }

    /** Writes a zip with {@code folder/data.pkl}, {@code folder/data/<key>}, version and byteorder (if non-null). */
    static void writeArchive(Path file, String folder, byte[] pickle, Map<String, byte[]> storages, String byteorder)
            throws IOException {
        Map<String, byte[]> records = new LinkedHashMap<>();
        records.put(folder + "/data.pkl", pickle);
        if (byteorder != null) {
            records.put(folder + "/byteorder", byteorder.getBytes(StandardCharsets.US_ASCII));
        }
        storages.forEach((key, bytes) -> records.put(folder + "/data/" + key, bytes));
        records.put(folder + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        writeZip(file, records, ZipEntry.STORED);
    }

    /** Writes a zip of the given entries with compression {@code method}. */
    static void writeZip(Path file, Map<String, byte[]> records, int method) throws IOException {
        try (OutputStream stream = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(stream)) {
            for (Map.Entry<String, byte[]> record : records.entrySet()) {
                ZipEntry entry = new ZipEntry(record.getKey());
                entry.setMethod(method);
                if (method == ZipEntry.STORED) {
                    CRC32 crc = new CRC32();
                    crc.update(record.getValue());
                    entry.setSize(record.getValue().length);
                    entry.setCompressedSize(record.getValue().length);
                    entry.setCrc(crc.getValue());
                }
                zip.putNextEntry(entry);
                zip.write(record.getValue());
                zip.closeEntry();
            }
        }
    }
}
