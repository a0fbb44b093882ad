package dev.e3j.samples.tetris;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The training loss per step, written as {@code tetris-loss.csv} ({@code step,loss}, every loss in full precision)
 * and plotted with XChart as {@code tetris-loss.png} (a logarithmic loss axis when every loss is positive). Plotting
 * needs no display: call it with {@code java.awt.headless=true}.
 */
public final class LossCurve {

    /** File name of the table. */
    public static final String CSV = "tetris-loss.csv";
    /** File name of the plot. */
    public static final String PNG = "tetris-loss.png";

    private static final int WIDTH = 800;
    private static final int HEIGHT = 500;

    /** The two files written. */
    public record Written(Path csv, Path png) {
    }

    private LossCurve() {
    }

    /**
     * Writes both files into {@code directory}, creating it if missing, and returns their paths.
     *
     * @throws IOException if the directory or a file cannot be written
     */
    public static Written write(double[] losses, Path directory) throws IOException {
        Files.createDirectories(directory);
        Path csv = directory.resolve(CSV);
        Path png = directory.resolve(PNG);
        Files.writeString(csv, csv(losses), StandardCharsets.UTF_8);
        Files.write(png, BitmapEncoder.getBitmapBytes(chart(losses), BitmapEncoder.BitmapFormat.PNG));
        return new Written(csv, png);
    }

    /** {@code step,loss} and one line per step; {@link Double#toString} reads back to the same double. */
    static String csv(double[] losses) {
        StringBuilder sb = new StringBuilder("step,loss\n");
        for (int step = 0; step < losses.length; step++) {
            sb.append(step).append(',').append(losses[step]).append('\n');
        }
        return sb.toString();
    }

    /** The loss against the step, one line without markers. */
    static XYChart chart(double[] losses) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("e3j tetris: training loss")
                .xAxisTitle("step").yAxisTitle("loss (mean squared error)").build();
        boolean positive = losses.length > 0;
        double[] steps = new double[losses.length];
        for (int step = 0; step < losses.length; step++) {
            steps[step] = step;
            positive &= losses[step] > 0 && losses[step] < Double.POSITIVE_INFINITY;
        }
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setYAxisLogarithmic(positive);
        XYSeries series = chart.addSeries("loss", steps, losses);
        series.setMarker(SeriesMarkers.NONE);
        return chart;
    }
}
