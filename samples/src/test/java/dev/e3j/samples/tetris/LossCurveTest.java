package dev.e3j.samples.tetris;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LossCurveTest {

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    @Test
    void writesTheLossesAsCsvAndAPlot(@TempDir Path directory) throws IOException {
        double[] losses = {0.5, 0.125, 0.1 / 3};
        Path nested = directory.resolve("plots/run");
        LossCurve.Written written = LossCurve.write(losses, nested);
        assertEquals(nested.resolve("tetris-loss.csv"), written.csv());
        assertEquals(nested.resolve("tetris-loss.png"), written.png());
        List<String> lines = Files.readAllLines(written.csv());
        assertEquals(List.of("step,loss", "0,0.5", "1,0.125", "2,0.03333333333333333"), lines);
        assertEquals(losses[2], Double.parseDouble(lines.get(3).split(",")[1]), "full precision");
        BufferedImage image = ImageIO.read(written.png().toFile());
        assertNotNull(image, "a PNG that ImageIO reads");
        assertEquals(800, image.getWidth());
        assertEquals(500, image.getHeight());
    }

    @Test
    void logarithmicLossAxisOnlyForPositiveLosses() {
        assertTrue(LossCurve.chart(new double[] {1, 0.1}).getStyler().isYAxisLogarithmic());
        assertFalse(LossCurve.chart(new double[] {1, 0}).getStyler().isYAxisLogarithmic());
        assertFalse(LossCurve.chart(new double[] {1, Double.NaN}).getStyler().isYAxisLogarithmic());
    }
}
