package dev.e3j.spark;

import dev.e3j.runtime.io.ExtXyz;
import dev.e3j.runtime.model.Structure;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Extended XYZ files as rows of {@link #SCHEMA}, read by the runtime's {@link ExtXyz} (ASE's format and checks). A
 * frame that {@link ExtXyz} rejects (an unknown element, a non-finite position, a wrong column count) becomes a row
 * with null arrays and the reason in {@value Structures#ERROR}, so one bad frame does not cost the others. Text that
 * cannot even be cut into frames (an atom count that is not a number, a file that ends inside a frame) fails the
 * read with {@link ExtXyz}'s message.
 */
final class ExtXyzFrames {

    /** {@link Structures#SCHEMA} with the reading errors. */
    static final StructType SCHEMA = Structures.SCHEMA.add(Structures.ERROR, DataTypes.StringType, true);

    private ExtXyzFrames() {
    }

    /** Reads every file that {@code path} names, each whole in one task, frames in file order. */
    static Dataset<Row> read(SparkSession spark, String path) {
        JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
        JavaRDD<Row> rows = context.wholeTextFiles(path).flatMap(file -> parse(file._1(), file._2()).iterator());
        return spark.createDataFrame(rows, SCHEMA);
    }

    /**
     * The frames of {@code text}, named {@code <file>:<frame>} after the file's last path segment.
     *
     * @throws IllegalArgumentException if the text cannot be cut into frames
     */
    static List<Row> parse(String file, String text) {
        String name = file.substring(file.lastIndexOf('/') + 1);
        List<Row> rows = new ArrayList<>();
        try {
            for (ExtXyz.Frame frame : ExtXyz.read(new BufferedReader(new StringReader(text)), file)) {
                rows.add(row(name + ":" + rows.size(), frame.structure()));
            }
            return rows;
        } catch (IOException wholeFile) {
            return frameByFrame(file, name, text, wholeFile);
        }
    }

    /** Reads each frame alone, so that the bad ones become error rows; {@code wholeFile} is the first problem. */
    private static List<Row> frameByFrame(String file, String name, String text, IOException wholeFile) {
        List<String> lines = Arrays.asList(text.split("\r?\n", -1));
        List<Row> rows = new ArrayList<>();
        int line = 0;
        while (line < lines.size() && !lines.get(line).isBlank()) {
            int count;
            try {
                count = Integer.parseInt(lines.get(line).strip());
            } catch (NumberFormatException e) {
                count = -1;
            }
            if (count < 0 || line + 2 + count > lines.size()) {
                throw new IllegalArgumentException(wholeFile.getMessage(), wholeFile);
            }
            String id = name + ":" + rows.size();
            String frame = String.join("\n", lines.subList(line, line + 2 + count));
            try {
                List<ExtXyz.Frame> read = ExtXyz.read(new BufferedReader(new StringReader(frame)),
                        file + " frame " + rows.size() + " (from line " + (line + 1) + ")");
                rows.add(row(id, read.get(0).structure()));
            } catch (IOException e) {
                rows.add(RowFactory.create(id, null, null, null, null, e.getMessage()));
            }
            line += 2 + count;
        }
        for (String rest : lines.subList(line, lines.size())) {
            if (!rest.isBlank()) {
                throw new IllegalArgumentException(wholeFile.getMessage(), wholeFile);
            }
        }
        return rows;
    }

    private static Row row(String id, Structure structure) {
        return RowFactory.create(id, structure.atomicNumbers(), structure.positions(), structure.cell(),
                structure.hasCell() ? structure.pbc() : null, null);
    }
}
