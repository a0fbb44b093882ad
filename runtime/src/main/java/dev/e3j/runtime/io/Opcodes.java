package dev.e3j.runtime.io;

/** Python's pickle opcode names (protocols 0 to 5), for messages about opcodes a reader does not accept. */
final class Opcodes {

    private static final String[] NAMES = new String[256];

    static {
        String table = "( MARK . STOP 0 POP 1 POP_MARK 2 DUP F FLOAT I INT J BININT K BININT1 L LONG M BININT2"
                + " N NONE P PERSID Q BINPERSID R REDUCE S STRING T BINSTRING U SHORT_BINSTRING V UNICODE"
                + " X BINUNICODE a APPEND b BUILD c GLOBAL d DICT } EMPTY_DICT e APPENDS g GET h BINGET i INST"
                + " j LONG_BINGET l LIST ] EMPTY_LIST o OBJ p PUT q BINPUT r LONG_BINPUT s SETITEM t TUPLE"
                + " ) EMPTY_TUPLE u SETITEMS G BINFLOAT B BINBYTES C SHORT_BINBYTES";
        String[] words = table.split(" ");
        for (int i = 0; i < words.length; i += 2) {
            NAMES[words[i].charAt(0)] = words[i + 1];
        }
        String[] extended = {"PROTO", "NEWOBJ", "EXT1", "EXT2", "EXT4", "TUPLE1", "TUPLE2", "TUPLE3", "NEWTRUE",
            "NEWFALSE", "LONG1", "LONG4", "SHORT_BINUNICODE", "BINUNICODE8", "BINBYTES8", "EMPTY_SET", "ADDITEMS",
            "FROZENSET", "NEWOBJ_EX", "STACK_GLOBAL", "MEMOIZE", "FRAME", "BYTEARRAY8", "NEXT_BUFFER",
            "READONLY_BUFFER"};
        for (int i = 0; i < extended.length; i++) {
            NAMES[0x80 + i] = extended[i];
        }
    }

    private Opcodes() {
    }

    /** {@code 0x81 (NEWOBJ)}, {@code 0x69 'i' (INST)}, or {@code 0x01 (not a pickle opcode)}. */
    static String describe(int code) {
        String hex = String.format("0x%02x", code);
        String character = code >= 0x20 && code < 0x7f ? " '" + (char) code + "'" : "";
        return hex + character + " (" + (NAMES[code] != null ? NAMES[code] : "not a pickle opcode") + ")";
    }
}
