package dev.e3j.runtime.io;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Writes pickle opcodes by hand, to craft the {@code data.pkl} of test archives. */
final class PickleWriter {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    PickleWriter op(int code) {
        out.write(code);
        return this;
    }

    PickleWriter bytes(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    PickleWriter proto(int version) {
        return op(0x80).op(version);
    }

    /** {@code GLOBAL module\nname\n}. */
    PickleWriter global(String module, String name) {
        return op('c').bytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** {@code BINUNICODE}. */
    PickleWriter string(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        return op('X').bytes(littleEndian(4).putInt(utf8.length).array()).bytes(utf8);
    }

    /** {@code BININT1}, {@code BININT} or {@code LONG1}, as Python picks. */
    PickleWriter integer(long value) {
        if (value >= 0 && value < 256) {
            return op('K').op((int) value);
        }
        if (value == (int) value) {
            return op('J').bytes(littleEndian(4).putInt((int) value).array());
        }
        return op(0x8a).op(8).bytes(littleEndian(8).putLong(value).array());
    }

    PickleWriter ints(long... values) {
        mark();
        for (long value : values) {
            integer(value);
        }
        return op('t');
    }

    PickleWriter mark() {
        return op('(');
    }

    PickleWriter stop() {
        return op('.');
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    private static ByteBuffer littleEndian(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
