package dev.e3j.spark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * Extended XYZ text (ASE's {@code extxyz} format) as rows of {@link Structures#SCHEMA}. Each frame is an atom count,
 * a comment line of {@code key=value} pairs (values may be quoted) and one line per atom. Read from the comment:
 * {@code Lattice="ax ay az bx by bz cx cy cz"} (the cell's rows), {@code pbc="T T T"} (default: periodic along all
 * three when a lattice is given, as ASE reads it) and {@code Properties} (default {@code species:S:1:pos:R:3}), whose
 * {@code species} or {@code Z} column gives the elements and {@code pos} the positions; other columns and keys are
 * skipped. An element symbol that is not in the periodic table reads as atomic number 0 (ASE's dummy atom {@code X}),
 * which potentials reject row by row; {@code nan} and {@code inf} positions are read as such, and rejected row by row
 * too. Text that is not extended XYZ (a count that is not a number, too few lines or columns) fails the read with a
 * message naming the file and the line.
 */
final class ExtXyzFrames {

    private static final String[] SYMBOLS = ("X H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co"
            + " Ni Cu Zn Ga Ge As Se Br Kr Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu"
            + " Gd Tb Dy Ho Er Tm Yb Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf Es"
            + " Fm Md No Lr Rf Db Sg Bh Hs Mt Ds Rg Cn Nh Fl Mc Lv Ts Og").split(" ");

    private static final Map<String, Integer> NUMBERS = new LinkedHashMap<>();

    static {
        for (int z = 1; z < SYMBOLS.length; z++) {
            NUMBERS.put(SYMBOLS[z], z);
        }
    }

    private ExtXyzFrames() {
    }

    /** Reads every file that {@code path} names, each whole in one task, frames in file order. */
    static Dataset<Row> read(SparkSession spark, String path) {
        JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
        JavaRDD<Row> rows = context.wholeTextFiles(path)
                .flatMap(file -> parse(file._1(), file._2()).iterator());
        return spark.createDataFrame(rows, Structures.SCHEMA);
    }

    /** The frames of {@code text}, named {@code <file>:<frame>} after the file's last path segment. */
    static List<Row> parse(String file, String text) {
        String name = file.substring(file.lastIndexOf('/') + 1);
        String[] lines = text.split("\r?\n", -1);
        List<Row> frames = new ArrayList<>();
        int line = 0;
        while (line < lines.length && !lines[line].isBlank()) {
            int count;
            try {
                count = Integer.parseInt(lines[line].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(file + ":" + (line + 1) + ": expected the atom count of frame "
                        + frames.size() + ", got '" + lines[line] + "'");
            }
            if (count < 0 || line + 2 + count > lines.length) {
                throw new IllegalArgumentException(file + ":" + (line + 1) + ": frame " + frames.size() + " declares "
                        + count + " atoms, but " + Math.max(0, lines.length - line - 2) + " lines follow");
            }
            frames.add(frame(file, line + 1, name + ":" + frames.size(), count, lines, line + 1));
            line += 2 + count;
        }
        return frames;
    }

    private static Row frame(String file, int lineNumber, String id, int count, String[] lines, int comment) {
        Map<String, String> info = keyValues(lines[comment]);
        String properties = info.getOrDefault("Properties", "species:S:1:pos:R:3");
        String[] spec = properties.split(":");
        int column = 0;
        int speciesColumn = -1;
        boolean speciesAreNumbers = false;
        int positionColumn = -1;
        for (int k = 0; k + 2 < spec.length; k += 3) {
            int width = Integer.parseInt(spec[k + 2]);
            boolean species = spec[k].equals("species");
            if (species || spec[k].equals("Z") && !(speciesColumn >= 0 && !speciesAreNumbers)) {
                speciesColumn = column;
                speciesAreNumbers = !species;
            } else if (spec[k].equals("pos")) {
                positionColumn = column;
            }
            column += width;
        }
        if (speciesColumn < 0 || positionColumn < 0) {
            throw new IllegalArgumentException(file + ":" + (lineNumber + 1) + ": Properties must name species (or Z)"
                    + " and pos, got '" + properties + "'");
        }
        int[] numbers = new int[count];
        double[] positions = new double[3 * count];
        for (int i = 0; i < count; i++) {
            String[] fields = lines[comment + 1 + i].trim().split("\\s+");
            if (fields.length < column) {
                throw new IllegalArgumentException(file + ":" + (lineNumber + 2 + i) + ": expected " + column
                        + " columns (" + properties + "), got " + fields.length);
            }
            String species = fields[speciesColumn];
            try {
                numbers[i] = speciesAreNumbers ? Integer.parseInt(species) : NUMBERS.getOrDefault(species, 0);
                for (int c = 0; c < 3; c++) {
                    positions[3 * i + c] = number(fields[positionColumn + c]);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(file + ":" + (lineNumber + 2 + i) + ": expected numbers for Z and"
                        + " pos, got '" + lines[comment + 1 + i].trim() + "'", e);
            }
        }
        String lattice = info.get("Lattice");
        if (lattice == null) {
            return RowFactory.create(id, numbers, positions, null, null);
        }
        String[] cellFields = lattice.trim().split("\\s+");
        double[] cell = new double[cellFields.length];
        try {
            for (int k = 0; k < cell.length; k++) {
                cell[k] = number(cellFields[k]);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ":" + (lineNumber + 1) + ": Lattice must hold numbers, got '"
                    + lattice + "'", e);
        }
        boolean[] pbc = {true, true, true};
        String flags = info.get("pbc");
        if (flags != null) {
            String[] values = flags.trim().split("\\s+");
            pbc = new boolean[values.length];
            for (int k = 0; k < values.length; k++) {
                pbc[k] = values[k].equalsIgnoreCase("T") || values[k].equalsIgnoreCase("true");
            }
        }
        return RowFactory.create(id, numbers, positions, cell, pbc);
    }

    /** {@return the {@code key=value} pairs of a comment line; values may be in double quotes} */
    static Map<String, String> keyValues(String comment) {
        Map<String, String> pairs = new LinkedHashMap<>();
        int i = 0;
        int n = comment.length();
        while (i < n) {
            while (i < n && Character.isWhitespace(comment.charAt(i))) {
                i++;
            }
            int keyStart = i;
            while (i < n && comment.charAt(i) != '=' && !Character.isWhitespace(comment.charAt(i))) {
                i++;
            }
            String key = comment.substring(keyStart, i);
            if (i >= n || comment.charAt(i) != '=') {
                if (!key.isEmpty()) {
                    pairs.put(key, "T");
                }
                continue;
            }
            i++;
            String value;
            if (i < n && comment.charAt(i) == '"') {
                int end = comment.indexOf('"', i + 1);
                end = end < 0 ? n : end;
                value = comment.substring(i + 1, end);
                i = Math.min(n, end + 1);
            } else {
                int valueStart = i;
                while (i < n && !Character.isWhitespace(comment.charAt(i))) {
                    i++;
                }
                value = comment.substring(valueStart, i);
            }
            pairs.put(key, value);
        }
        return pairs;
    }

    /** Parses a number as Fortran and numpy write them: {@code nan}, {@code inf}, {@code 1.5D+00} included. */
    private static double number(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        return switch (lower) {
            case "nan", "+nan", "-nan" -> Double.NaN;
            case "inf", "+inf", "infinity" -> Double.POSITIVE_INFINITY;
            case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(lower.replace('d', 'e'));
        };
    }
}
