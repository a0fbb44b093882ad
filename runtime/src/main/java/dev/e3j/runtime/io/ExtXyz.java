package dev.e3j.runtime.io;

import dev.e3j.runtime.md.Elements;
import dev.e3j.runtime.model.Evaluation;
import dev.e3j.runtime.model.Structure;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Extended XYZ files, as ASE reads and writes them ({@code ase.io.extxyz}): frames of an atom count line, a comment
 * line of {@code key=value} pairs, and one line per atom.
 *
 * <p>Written: {@code Lattice="a1x a1y a1z a2x ... a3z"} (the lattice vectors, for a structure with a cell),
 * {@code Properties=species:S:1:pos:R:3} with {@code :forces:R:3} when there are forces, {@code energy=...},
 * {@code stress="..."} (3x3) when known, the frame's other {@link Frame#info() info} keys, and
 * {@code pbc="T T F"}; numbers with every digit ({@link Double#toString}), so a file reads back exactly.
 *
 * <p>Read: the comment line is split as ASE splits it (values quoted with {@code "..."}, {@code '...'}, {@code {...}}
 * or {@code [...]}, backslash escapes, a key without a value meaning {@code T}); without {@code Properties} the
 * columns are {@code species:S:1:pos:R:3}; a {@code Lattice} without {@code pbc} is periodic in all three directions.
 * The atoms' elements come from a {@code species} column (chemical symbols, capitalized as ASE does) or a {@code Z}
 * column; forces from a {@code forces} column, energy and stress from the {@code energy} and {@code stress} keys (a
 * 3x3 matrix of 9 numbers, in ASE's column-major order; a symmetric stress reads the same either way). Other columns
 * are skipped; other keys are kept as text in {@link Frame#info()}. A malformed file is an {@link IOException} naming
 * the file, the line, what was expected and what was found.
 */
public final class ExtXyz {

    private ExtXyz() {
    }

    /**
     * One frame: a structure and, where known, its energy (eV), forces ({@code [n][3]}, eV/Å) and stress
     * ({@code [3][3]} row-major, eV/Å³, {@code (1/V) dE/dstrain} as in {@link Evaluation}).
     *
     * @param structure the atoms
     * @param energy    the energy, or empty
     * @param forces    the forces, or null
     * @param stress    the stress, or null
     * @param info      the comment line's other keys and their values as written (unquoted), in file order
     */
    public record Frame(Structure structure, OptionalDouble energy, double[] forces, double[] stress,
                        Map<String, String> info) {

        /**
         * Checks the shapes and copies {@code info}.
         *
         * @throws IllegalArgumentException if {@code structure}, {@code energy} or {@code info} is null, the forces
         *     are not {@code [n][3]}, the stress is not 9 numbers, or an info key is one the frame writes itself
         */
        public Frame {
            if (structure == null || energy == null || info == null) {
                throw new IllegalArgumentException("ExtXyz.Frame: " + (structure == null ? "structure"
                        : energy == null ? "energy" : "info") + " must not be null");
            }
            if (forces != null && forces.length != 3 * structure.size()) {
                throw new IllegalArgumentException("ExtXyz.Frame: forces must have length " + 3 * structure.size()
                        + " (" + structure.size() + " atoms x 3), got " + forces.length);
            }
            if (stress != null && stress.length != 9) {
                throw new IllegalArgumentException("ExtXyz.Frame: stress must have length 9 ([3][3]), got "
                        + stress.length);
            }
            for (String key : info.keySet()) {
                if (WRITTEN_KEYS.contains(key) || key.isEmpty()) {
                    throw new IllegalArgumentException("ExtXyz.Frame: info keys must be non-empty and none of "
                            + WRITTEN_KEYS + ", got '" + key + "'");
                }
            }
            info = Collections.unmodifiableMap(new LinkedHashMap<>(info));
        }

        /** {@return a frame of {@code structure} alone} */
        public static Frame of(Structure structure) {
            return new Frame(structure, OptionalDouble.empty(), null, null, Map.of());
        }

        /** {@return a frame of {@code structure} with the energy, forces and stress of {@code evaluation}} */
        public static Frame of(Structure structure, Evaluation evaluation) {
            return new Frame(structure, OptionalDouble.of(evaluation.energy()), evaluation.forces(),
                    evaluation.stress(), Map.of());
        }
    }

    /** The keys a frame writes from its own fields. */
    private static final List<String> WRITTEN_KEYS = List.of("Lattice", "Properties", "energy", "stress", "pbc");

    // ---------------------------------------------------------------------------------------------- writing

    /**
     * Writes {@code frames} to {@code file}, replacing it.
     *
     * @throws IOException if the file cannot be written
     */
    public static void write(Path file, List<Frame> frames) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Frame frame : frames) {
                write(out, frame);
            }
        }
    }

    /**
     * Appends one frame to {@code out} (a trajectory being written).
     *
     * @throws IOException if {@code out} throws
     */
    public static void write(Appendable out, Frame frame) throws IOException {
        Structure structure = frame.structure();
        int n = structure.size();
        StringBuilder line = new StringBuilder();
        line.append(n).append('\n');
        if (structure.hasCell()) {
            line.append("Lattice=\"").append(join(structure.cell())).append("\" ");
        }
        line.append("Properties=species:S:1:pos:R:3").append(frame.forces() == null ? "" : ":forces:R:3");
        if (frame.energy().isPresent()) {
            line.append(" energy=").append(frame.energy().getAsDouble());
        }
        if (frame.stress() != null) {
            line.append(" stress=\"").append(join(transpose(frame.stress()))).append('"');
        }
        for (Map.Entry<String, String> entry : frame.info().entrySet()) {
            line.append(' ').append(quoted(entry.getKey())).append('=').append(quoted(entry.getValue()));
        }
        boolean[] pbc = structure.pbc();
        line.append(" pbc=\"").append(pbc[0] ? 'T' : 'F').append(' ').append(pbc[1] ? 'T' : 'F').append(' ')
                .append(pbc[2] ? 'T' : 'F').append("\"\n");
        int[] numbers = structure.atomicNumbers();
        double[] positions = structure.positions();
        double[] forces = frame.forces();
        for (int a = 0; a < n; a++) {
            line.append(Elements.symbol(numbers[a]));
            for (int c = 0; c < 3; c++) {
                line.append(' ').append(positions[3 * a + c]);
            }
            if (forces != null) {
                for (int c = 0; c < 3; c++) {
                    line.append(' ').append(forces[3 * a + c]);
                }
            }
            line.append('\n');
        }
        out.append(line);
    }

    private static String join(double[] values) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            sb.append(i == 0 ? "" : " ").append(values[i]);
        }
        return sb.toString();
    }

    /** The transpose of a row-major 3x3 matrix: ASE writes and reads 3x3 values column by column. */
    private static double[] transpose(double[] m) {
        return new double[] {m[0], m[3], m[6], m[1], m[4], m[7], m[2], m[5], m[8]};
    }

    /** A key or value as ASE reads it back: bare if it has no space or special character, else in double quotes. */
    private static String quoted(String text) {
        boolean bare = !text.isEmpty();
        for (int i = 0; i < text.length() && bare; i++) {
            char c = text.charAt(i);
            bare = !Character.isWhitespace(c) && "\"'{}[]=\\".indexOf(c) < 0;
        }
        return bare ? text : "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    // ---------------------------------------------------------------------------------------------- reading

    /**
     * Reads every frame of {@code file}.
     *
     * @throws IOException if the file cannot be read, or naming the file, line, expected and actual content where it
     *     is not extended XYZ
     */
    public static List<Frame> read(Path file) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(reader, file.toString());
        }
    }

    /**
     * Reads the structures of every frame of {@code file} (dropping energies, forces and stresses).
     *
     * @throws IOException as {@link #read(Path)}
     */
    public static List<Structure> readStructures(Path file) throws IOException {
        List<Structure> structures = new ArrayList<>();
        for (Frame frame : read(file)) {
            structures.add(frame.structure());
        }
        return structures;
    }

    /**
     * Reads every frame from {@code reader}; {@code name} (a file name or URI) is what errors call the source.
     *
     * @throws IOException if {@code reader} throws, or naming {@code name}, the line, expected and actual content
     *     where the text is not extended XYZ
     */
    public static List<Frame> read(BufferedReader reader, String name) throws IOException {
        Lines lines = new Lines(reader, name);
        List<Frame> frames = new ArrayList<>();
        String countLine;
        while ((countLine = lines.next()) != null) {
            if (countLine.isBlank()) {
                int blankLine = lines.number;
                if (lines.restIsBlank()) {
                    break;
                }
                throw lines.error(blankLine, "an atom count", "an empty line");
            }
            frames.add(readFrame(lines, countLine.strip()));
        }
        return frames;
    }

    private static Frame readFrame(Lines lines, String countText) throws IOException {
        int count;
        try {
            count = Integer.parseInt(countText);
        } catch (NumberFormatException e) {
            count = -1;
        }
        if (count < 0) {
            throw lines.error("an atom count (an integer >= 0)", "'" + countText + "'");
        }
        String comment = lines.next();
        if (comment == null) {
            throw lines.error("a comment line after the atom count", "the end of the file");
        }
        int commentLine = lines.number;
        Map<String, String> info = keyValues(comment, lines);
        String properties = info.getOrDefault("Properties", "species:S:1:pos:R:3");
        List<Column> columns = Column.parse(properties, lines);
        double[] cell = info.containsKey("Lattice") ? numbers(info, "Lattice", 9, lines) : null;
        boolean[] pbc = info.containsKey("pbc") ? flags(info.get("pbc"), lines)
                : new boolean[] {cell != null, cell != null, cell != null};
        OptionalDouble energy = info.containsKey("energy")
                ? OptionalDouble.of(numbers(info, "energy", 1, lines)[0]) : OptionalDouble.empty();
        double[] stress = info.containsKey("stress") ? transpose(numbers(info, "stress", 9, lines)) : null;
        for (String key : WRITTEN_KEYS) {
            info.remove(key);
        }
        if (cell == null && (pbc[0] || pbc[1] || pbc[2])) {
            throw lines.error("a Lattice for pbc with T", "no Lattice");
        }
        int width = 0;
        for (Column column : columns) {
            width += column.count;
        }
        int[] atomicNumbers = new int[count];
        double[] positions = new double[3 * count];
        double[] forces = columns.stream().anyMatch(c -> c.name.equals("forces")) ? new double[3 * count] : null;
        for (int a = 0; a < count; a++) {
            String line = lines.next();
            if (line == null) {
                throw lines.error(count + " atom lines after line " + commentLine, a + " atom lines and the end of "
                        + "the file");
            }
            String[] tokens = line.strip().split("\\s+");
            if (tokens.length != width) {
                throw lines.error(width + " columns (" + properties + ")", tokens.length + " in '" + line.strip()
                        + "'");
            }
            int at = 0;
            for (Column column : columns) {
                column.read(tokens, at, a, atomicNumbers, positions, forces, lines);
                at += column.count;
            }
        }
        Structure structure;
        try {
            structure = cell == null ? Structure.of(atomicNumbers, positions)
                    : Structure.periodic(atomicNumbers, positions, cell, pbc);
        } catch (IllegalArgumentException e) {
            throw new IOException(lines.name + ": frame ending at line " + lines.number + ": " + e.getMessage(), e);
        }
        return new Frame(structure, energy, forces, stress, info);
    }

    /** The columns of a frame's atom lines, from {@code Properties}, and what each one fills in. */
    private record Column(String name, char type, int count) {

        static List<Column> parse(String properties, Lines lines) throws IOException {
            String[] fields = properties.split(":", -1);
            if (fields.length % 3 != 0) {
                throw lines.error("Properties as name:type:count triples", "'" + properties + "'");
            }
            List<Column> columns = new ArrayList<>();
            boolean species = false;
            boolean positions = false;
            for (int f = 0; f < fields.length; f += 3) {
                String name = fields[f];
                String type = fields[f + 1];
                int count;
                try {
                    count = Integer.parseInt(fields[f + 2]);
                } catch (NumberFormatException e) {
                    count = 0;
                }
                if (!(type.equals("R") || type.equals("I") || type.equals("S") || type.equals("L")) || count < 1) {
                    throw lines.error("a Properties type R, I, S or L and a count >= 1 for '" + name + "'",
                            "'" + type + ":" + fields[f + 2] + "'");
                }
                Column column = new Column(name, type.charAt(0), count);
                boolean elements = name.equals("species") || name.equals("Z");
                if ((elements && count != 1) || ((name.equals("pos") || name.equals("forces")) && count != 3)) {
                    throw lines.error("'" + name + "' with " + (elements ? 1 : 3) + " column" + (elements ? "" : "s"),
                            count + " columns");
                }
                species |= elements;
                positions |= name.equals("pos");
                columns.add(column);
            }
            if (!species || !positions) {
                throw lines.error("Properties with a species (or Z) and a pos column", "'" + properties + "'");
            }
            return columns;
        }

        void read(String[] tokens, int at, int atom, int[] atomicNumbers, double[] positions, double[] forces,
                Lines lines) throws IOException {
            switch (name) {
                case "species" -> atomicNumbers[atom] = element(tokens[at], lines);
                case "Z" -> atomicNumbers[atom] = atomicNumber(tokens[at], lines);
                case "pos" -> {
                    for (int c = 0; c < 3; c++) {
                        positions[3 * atom + c] = number(tokens[at + c], "pos", lines);
                    }
                }
                case "forces" -> {
                    for (int c = 0; c < 3; c++) {
                        forces[3 * atom + c] = number(tokens[at + c], "forces", lines);
                    }
                }
                default -> {
                    // another per-atom property: not part of a Frame, its columns are skipped
                }
            }
        }

        /** A chemical symbol, capitalized as ASE does ({@code "CU"} and {@code "cu"} are copper). */
        private static int element(String symbol, Lines lines) throws IOException {
            String capitalized = symbol.isEmpty() ? symbol
                    : symbol.substring(0, 1).toUpperCase(java.util.Locale.ROOT)
                            + symbol.substring(1).toLowerCase(java.util.Locale.ROOT);
            try {
                return Elements.atomicNumber(capitalized);
            } catch (IllegalArgumentException e) {
                throw lines.error("a chemical symbol in the species column", "'" + symbol + "'");
            }
        }

        private static int atomicNumber(String text, Lines lines) throws IOException {
            try {
                int z = Integer.parseInt(text);
                if (z >= 1 && z <= Elements.MAX_ATOMIC_NUMBER) {
                    return z;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw lines.error("an atomic number from 1 to " + Elements.MAX_ATOMIC_NUMBER + " in the Z column",
                    "'" + text + "'");
        }
    }

    private static double number(String text, String what, Lines lines) throws IOException {
        try {
            double value = Double.parseDouble(text);
            if (Double.isFinite(value)) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw lines.error("a finite number for " + what, "'" + text + "'");
    }

    /** The {@code expected} numbers of key {@code key}, separated by spaces or commas. */
    private static double[] numbers(Map<String, String> info, String key, int expected, Lines lines)
            throws IOException {
        String value = info.get(key).strip();
        String[] parts = value.isEmpty() ? new String[0] : value.split("[\\s,]+");
        if (parts.length != expected) {
            throw lines.error(key + " with " + expected + (expected == 1 ? " number" : " numbers"),
                    "'" + value + "'");
        }
        double[] out = new double[expected];
        for (int i = 0; i < expected; i++) {
            out[i] = number(parts[i], key, lines);
        }
        return out;
    }

    private static boolean[] flags(String value, Lines lines) throws IOException {
        String[] parts = value.strip().split("[\\s,]+");
        boolean[] out = new boolean[3];
        boolean valid = parts.length == 3;
        for (int k = 0; k < 3 && valid; k++) {
            valid = parts[k].equals("T") || parts[k].equals("F") || parts[k].equals("True")
                    || parts[k].equals("False");
            out[k] = parts[k].startsWith("T");
        }
        if (!valid) {
            throw lines.error("pbc as three flags T or F", "'" + value + "'");
        }
        return out;
    }

    /**
     * The comment line's {@code key=value} pairs, split as ASE's {@code key_val_str_to_dict} splits them: whitespace
     * separates pairs, quotes and brackets delimit, a backslash takes the next character as it is, a bare key means
     * {@code T}.
     */
    static Map<String, String> keyValues(String line, Lines lines) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        List<StringBuilder> pair = new ArrayList<>();
        pair.add(new StringBuilder());
        char closing = 0;
        boolean escaped = false;
        String text = line.strip();
        for (int i = 0; i <= text.length(); i++) {
            if (i == text.length()) {
                if (escaped || closing != 0) {
                    throw lines.error(escaped ? "a character after the backslash" : "a closing " + closing,
                            "the end of the line");
                }
                addPair(pair, out, lines);
                break;
            }
            char c = text.charAt(i);
            StringBuilder current = pair.get(pair.size() - 1);
            if (escaped) {
                current.append(c);
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (closing != 0) {
                if (c == closing) {
                    closing = 0;
                } else {
                    current.append(c);
                }
            } else if (c == '"' || c == '\'') {
                closing = c;
            } else if (c == '{') {
                closing = '}';
            } else if (c == '[') {
                closing = ']';
            } else if (Character.isWhitespace(c)) {
                if (pair.size() > 1 || current.length() > 0) {
                    addPair(pair, out, lines);
                    pair.clear();
                    pair.add(new StringBuilder());
                }
            } else if (c == '=') {
                pair.add(new StringBuilder());
            } else {
                current.append(c);
            }
        }
        return out;
    }

    private static void addPair(List<StringBuilder> pair, Map<String, String> out, Lines lines) throws IOException {
        String key = pair.get(0).toString();
        if (pair.size() == 1 && key.isEmpty()) {
            return;
        }
        if (key.isEmpty()) {
            throw lines.error("a key before '='", "'=" + pair.get(1) + "'");
        }
        StringBuilder value = new StringBuilder();
        for (int i = 1; i < pair.size(); i++) {
            value.append(i == 1 ? "" : "=").append(pair.get(i));
        }
        if (out.put(key, pair.size() == 1 ? "T" : value.toString()) != null) {
            throw lines.error("each key once", "'" + key + "' again");
        }
    }

    /** The lines of the text being read, with the current line's number for errors. */
    static final class Lines {

        private final BufferedReader reader;
        private final String name;
        private int number;

        Lines(BufferedReader reader, String name) {
            this.reader = reader;
            this.name = name;
        }

        /** The next line, or null at the end. */
        String next() throws IOException {
            String line = reader.readLine();
            if (line != null) {
                number++;
            }
            return line;
        }

        /** Whether every line left is blank (trailing empty lines end a file). */
        boolean restIsBlank() throws IOException {
            String line;
            while ((line = next()) != null) {
                if (!line.isBlank()) {
                    return false;
                }
            }
            return true;
        }

        /** An error on the current line. */
        IOException error(String expected, String actual) {
            return error(number, expected, actual);
        }

        IOException error(int line, String expected, String actual) {
            return new IOException(name + ":" + line + ": expected " + expected + ", got " + actual);
        }
    }
}
