package dev.e3j.runtime.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The central directory of a zip archive (ZIP64 included), read from a mapped file: entry names, sizes and where each
 * entry's data starts, so that uncompressed ("stored") entries are read in place. Every size and offset is checked
 * against the file before use.
 */
final class ZipDirectory {

    /** One archive entry. */
    record Entry(String name, int method, int flags, long compressedSize, long size, long localHeaderOffset) {
        static final int STORED = 0;
    }

    private static final int END_SIGNATURE = 0x06054b50;
    private static final int ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
    private static final int ZIP64_END_SIGNATURE = 0x06064b50;
    private static final int CENTRAL_SIGNATURE = 0x02014b50;
    private static final int LOCAL_SIGNATURE = 0x04034b50;
    private static final int END_SIZE = 22;
    private static final int CENTRAL_SIZE = 46;
    private static final int LOCAL_SIZE = 30;
    private static final long UNKNOWN_32 = 0xFFFFFFFFL;

    /** Bound on the central directory, which may be copied onto the heap when it straddles a mapped segment. */
    static final long MAX_DIRECTORY_BYTES = 100_000_000L;

    private final String file;
    private final MappedBytes bytes;
    private final long fileSize;
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    private ZipDirectory(String file, MappedBytes bytes) {
        this.file = file;
        this.bytes = bytes;
        this.fileSize = bytes.size();
    }

    /** Reads the directory of the zip file mapped in {@code bytes}; {@code file} names it in messages. */
    static ZipDirectory read(String file, MappedBytes bytes) throws IOException {
        ZipDirectory zip = new ZipDirectory(file, bytes);
        zip.readEntries();
        return zip;
    }

    /** The entries by name, in directory order. */
    Map<String, Entry> entries() {
        return entries;
    }

    /** The position in the file of the first byte of {@code entry}'s data, after its local header. */
    long dataOffset(Entry entry) throws IOException {
        ByteBuffer local = range(entry.localHeaderOffset(), LOCAL_SIZE, "the local header of " + entry.name());
        if (local.getInt(0) != LOCAL_SIGNATURE) {
            throw error("entry " + entry.name() + " has no local header at byte " + entry.localHeaderOffset());
        }
        long offset = entry.localHeaderOffset() + LOCAL_SIZE + (local.getShort(26) & 0xFFFF)
                + (local.getShort(28) & 0xFFFF);
        if (offset > fileSize || entry.compressedSize() > fileSize - offset) {
            throw error("entry " + entry.name() + " holds " + entry.compressedSize() + " bytes from byte " + offset
                    + ", beyond the end of the file (" + fileSize + " bytes): the file is truncated");
        }
        return offset;
    }

    /** The data of a stored entry, checked to lie inside the file. */
    ByteBuffer data(Entry entry) throws IOException {
        return range(dataOffset(entry), entry.compressedSize(), "the data of " + entry.name());
    }

    private void readEntries() throws IOException {
        long end = findEnd();
        ByteBuffer record = range(end, END_SIZE, "the end of central directory record");
        long count = record.getShort(10) & 0xFFFF;
        long directorySize = record.getInt(12) & UNKNOWN_32;
        long directoryOffset = record.getInt(16) & UNKNOWN_32;
        if (end >= 20 && range(end - 20, 4, "the ZIP64 locator").getInt(0) == ZIP64_LOCATOR_SIGNATURE) {
            long zip64End = range(end - 20, 20, "the ZIP64 locator").getLong(8);
            ByteBuffer zip64 = range(zip64End, 56, "the ZIP64 end of central directory record");
            if (zip64.getInt(0) != ZIP64_END_SIGNATURE) {
                throw error("the ZIP64 locator points to byte " + zip64End + ", which holds no ZIP64 record");
            }
            count = zip64.getLong(32);
            directorySize = zip64.getLong(40);
            directoryOffset = zip64.getLong(48);
        }
        if (directorySize > MAX_DIRECTORY_BYTES) {
            throw error("the central directory holds " + directorySize + " bytes, more than the "
                    + MAX_DIRECTORY_BYTES + " of a million entries");
        }
        ByteBuffer directory = range(directoryOffset, directorySize, "the central directory");
        int position = 0;
        for (long i = 0; i < count; i++) {
            position = readEntry(directory, position);
        }
    }

    /** The position of the end of central directory record: the last signature within the comment's reach. */
    private long findEnd() throws IOException {
        if (fileSize < END_SIZE) {
            throw error("a zip file holds at least " + END_SIZE + " bytes, this one " + fileSize);
        }
        long searchFrom = Math.max(0, fileSize - END_SIZE - 0xFFFF);
        ByteBuffer tail = range(searchFrom, fileSize - searchFrom, "the end of the zip file");
        for (int i = tail.capacity() - END_SIZE; i >= 0; i--) {
            if (tail.getInt(i) == END_SIGNATURE) {
                return searchFrom + i;
            }
        }
        throw error("no end of central directory record: the zip file is truncated or not a zip file");
    }

    private int readEntry(ByteBuffer directory, int position) throws IOException {
        if (directory.capacity() - position < CENTRAL_SIZE || directory.getInt(position) != CENTRAL_SIGNATURE) {
            throw error("the central directory ends early or is corrupt at its byte " + position);
        }
        int flags = directory.getShort(position + 8) & 0xFFFF;
        int method = directory.getShort(position + 10) & 0xFFFF;
        long compressedSize = directory.getInt(position + 20) & UNKNOWN_32;
        long size = directory.getInt(position + 24) & UNKNOWN_32;
        int nameLength = directory.getShort(position + 28) & 0xFFFF;
        int extraLength = directory.getShort(position + 30) & 0xFFFF;
        int commentLength = directory.getShort(position + 32) & 0xFFFF;
        long localHeaderOffset = directory.getInt(position + 42) & UNKNOWN_32;
        int next = position + CENTRAL_SIZE + nameLength + extraLength + commentLength;
        if (next > directory.capacity()) {
            throw error("the central directory ends inside an entry at its byte " + position);
        }
        byte[] nameBytes = new byte[nameLength];
        directory.get(position + CENTRAL_SIZE, nameBytes);
        String name = new String(nameBytes, StandardCharsets.UTF_8);
        ByteBuffer extra = directory.slice(position + CENTRAL_SIZE + nameLength, extraLength)
                .order(ByteOrder.LITTLE_ENDIAN);
        long[] zip64 = zip64Sizes(extra, name);
        int field = 0;
        if (size == UNKNOWN_32) {
            size = zip64Field(zip64, field++, name);
        }
        if (compressedSize == UNKNOWN_32) {
            compressedSize = zip64Field(zip64, field++, name);
        }
        if (localHeaderOffset == UNKNOWN_32) {
            localHeaderOffset = zip64Field(zip64, field, name);
        }
        if (entries.put(name, new Entry(name, method, flags, compressedSize, size, localHeaderOffset)) != null) {
            throw error("the archive holds two entries named " + name);
        }
        return next;
    }

    /** The 64-bit values of the ZIP64 extra field (tag 1), or an empty array without one. */
    private long[] zip64Sizes(ByteBuffer extra, String name) throws IOException {
        int position = 0;
        while (position + 4 <= extra.capacity()) {
            int tag = extra.getShort(position) & 0xFFFF;
            int length = extra.getShort(position + 2) & 0xFFFF;
            if (position + 4 + length > extra.capacity()) {
                throw error("entry " + name + " has a truncated extra field");
            }
            if (tag == 1) {
                long[] values = new long[length / 8];
                for (int i = 0; i < values.length; i++) {
                    values[i] = extra.getLong(position + 4 + 8 * i);
                }
                return values;
            }
            position += 4 + length;
        }
        return new long[0];
    }

    private long zip64Field(long[] zip64, int index, String name) throws IOException {
        if (index >= zip64.length || zip64[index] < 0) {
            throw error("entry " + name + " lacks its ZIP64 size or offset");
        }
        return zip64[index];
    }

    /** The {@code length} bytes from {@code offset}, after checking they lie inside the file. */
    private ByteBuffer range(long offset, long length, String what) throws IOException {
        if (offset < 0 || length < 0 || offset > fileSize || length > fileSize - offset) {
            throw error(what + " (" + length + " bytes from byte " + offset + ") lies beyond the end of the file ("
                    + fileSize + " bytes): the file is truncated or corrupt");
        }
        if (length > Integer.MAX_VALUE) {
            throw error(what + " holds " + length + " bytes, more than 2 GiB");
        }
        return bytes.range(offset, (int) length);
    }

    private IOException error(String message) {
        return new IOException(file + ": " + message);
    }
}
