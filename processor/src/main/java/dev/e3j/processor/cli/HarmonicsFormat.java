package dev.e3j.processor.cli;

import dev.e3j.processor.math.Polynomial;
import java.util.List;

/** Text and JSON renderings of the spherical-harmonic polynomials {@code Y^l} for the audit CLI. */
final class HarmonicsFormat {

    private HarmonicsFormat() {}

    /** One line per m: {@code Y(2,-2) = sqrt(15)*x*z}. */
    static String text(int l, List<Polynomial> components) {
        StringBuilder text = new StringBuilder();
        for (int index = 0; index < components.size(); index++) {
            text.append("Y(").append(l).append(',').append(index - l).append(") = ").append(components.get(index))
                    .append(System.lineSeparator());
        }
        return text.toString();
    }

    /**
     * {@code {"l":2,"normalization":"component","components":[{"m":-2,"terms":[[1,0,1,"sqrt(15)"]]},...]}}, each term
     * {@code [xPower, yPower, zPower, "exact coefficient"]}.
     */
    static String json(int l, List<Polynomial> components) {
        StringBuilder json = new StringBuilder();
        json.append("{\"l\":").append(l).append(",\"normalization\":\"component\",\"components\":[");
        for (int index = 0; index < components.size(); index++) {
            json.append(index == 0 ? "" : ",").append("{\"m\":").append(index - l).append(",\"terms\":[");
            List<Polynomial.Term> terms = components.get(index).terms();
            for (int t = 0; t < terms.size(); t++) {
                Polynomial.Term term = terms.get(t);
                json.append(t == 0 ? "" : ",").append('[').append(term.xPower()).append(',').append(term.yPower())
                        .append(',').append(term.zPower()).append(",\"").append(term.coefficient().toJson())
                        .append("\"]");
            }
            json.append("]}");
        }
        return json.append("]}").append(System.lineSeparator()).toString();
    }
}
