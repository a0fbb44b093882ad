package dev.e3j.processor.testing;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A minimal class-file reader (JVMS 4): the bytecode length of each method's Code attribute, the private methods a
 * class declares and the methods its code refers to.
 */
public final class ClassFiles {

    private static final int ACC_PRIVATE = 0x0002;
    private static final int ACC_SYNTHETIC = 0x1000;

    private ClassFiles() {
    }

    /** Method name plus descriptor mapped to its {@code code_length}. */
    public static Map<String, Integer> codeLengths(byte[] classFile) {
        return read(classFile).codeLengths();
    }

    /**
     * The private methods {@code classFile} declares, not counting the synthetic ones (lambda bodies), each as
     * {@code <class>.<name><descriptor>} with the class in internal form ({@code a/b/C$D}).
     */
    public static Set<String> privateMethods(byte[] classFile) {
        return read(classFile).privateMethods();
    }

    /**
     * The methods {@code classFile}'s constant pool refers to (by {@code Methodref}: every call its code makes, and
     * the lambda bodies its bootstrap arguments name), in the form of {@link #privateMethods}.
     */
    public static Set<String> methodReferences(byte[] classFile) {
        return read(classFile).references();
    }

    /** What the three views read from one class file. */
    private record Parsed(Map<String, Integer> codeLengths, Set<String> privateMethods, Set<String> references) {
    }

    private static Parsed read(byte[] classFile) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile))) {
            in.readInt();
            in.readUnsignedShort();
            in.readUnsignedShort();
            int poolCount = in.readUnsignedShort();
            String[] utf8 = new String[poolCount];
            int[] tags = new int[poolCount];
            int[] first = new int[poolCount];
            int[] second = new int[poolCount];
            for (int i = 1; i < poolCount; i++) {
                int tag = in.readUnsignedByte();
                tags[i] = tag;
                switch (tag) {
                    case 1 -> utf8[i] = in.readUTF();
                    case 3, 4 -> in.readInt();
                    case 5, 6 -> {
                        in.readLong();
                        i++;
                    }
                    case 7, 8, 16, 19, 20 -> first[i] = in.readUnsignedShort();
                    case 9, 10, 11, 12, 17, 18 -> {
                        first[i] = in.readUnsignedShort();
                        second[i] = in.readUnsignedShort();
                    }
                    case 15 -> {
                        in.readUnsignedByte();
                        in.readUnsignedShort();
                    }
                    default -> throw new IllegalArgumentException("constant pool tag " + tag);
                }
            }
            Set<String> references = new LinkedHashSet<>();
            for (int i = 1; i < poolCount; i++) {
                if (tags[i] == 10 || tags[i] == 11) {
                    int nameAndType = second[i];
                    references.add(utf8[first[first[i]]] + "." + utf8[first[nameAndType]] + utf8[second[nameAndType]]);
                }
            }
            in.readUnsignedShort();
            String className = utf8[first[in.readUnsignedShort()]];
            in.readUnsignedShort();
            in.skipNBytes(2L * in.readUnsignedShort());
            int fields = in.readUnsignedShort();
            for (int f = 0; f < fields; f++) {
                in.skipNBytes(6);
                skipAttributes(in);
            }
            Map<String, Integer> lengths = new LinkedHashMap<>();
            Set<String> privateMethods = new LinkedHashSet<>();
            int methods = in.readUnsignedShort();
            for (int m = 0; m < methods; m++) {
                int access = in.readUnsignedShort();
                String method = utf8[in.readUnsignedShort()] + utf8[in.readUnsignedShort()];
                if ((access & ACC_PRIVATE) != 0 && (access & ACC_SYNTHETIC) == 0 && !method.startsWith("<init>")) {
                    privateMethods.add(className + "." + method);
                }
                int attributes = in.readUnsignedShort();
                for (int a = 0; a < attributes; a++) {
                    String attribute = utf8[in.readUnsignedShort()];
                    int length = in.readInt();
                    if (attribute.equals("Code")) {
                        in.readUnsignedShort();
                        in.readUnsignedShort();
                        lengths.put(method, in.readInt());
                        in.skipNBytes(length - 8L);
                    } else {
                        in.skipNBytes(length);
                    }
                }
            }
            return new Parsed(lengths, privateMethods, references);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void skipAttributes(DataInputStream in) throws IOException {
        int attributes = in.readUnsignedShort();
        for (int a = 0; a < attributes; a++) {
            in.readUnsignedShort();
            in.skipNBytes(in.readInt());
        }
    }
}
