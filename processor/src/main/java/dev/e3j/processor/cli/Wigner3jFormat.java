package dev.e3j.processor.cli;

import dev.e3j.processor.math.Wigner3j;
import java.util.List;

/** Text and JSON renderings of a {@link Wigner3j} for the audit CLI. */
final class Wigner3jFormat {

    private Wigner3jFormat() {}

    /**
     * An aligned table: one row per non-zero entry, {@code i j k exact double}.
     *
     * @param convention the signs' e3nn version as the header names it, or null for the default (not named)
     */
    static String table(Wigner3j w, String convention) {
        List<Wigner3j.Entry> entries = w.nonzero();
        int size = (2 * w.l1() + 1) * (2 * w.l2() + 1) * (2 * w.l3() + 1);
        String[][] rows = new String[entries.size() + 1][];
        rows[0] = new String[] {"i", "j", "k", "exact", "double"};
        for (int r = 0; r < entries.size(); r++) {
            Wigner3j.Entry e = entries.get(r);
            rows[r + 1] = new String[] {
                Integer.toString(e.i()), Integer.toString(e.j()), Integer.toString(e.k()),
                e.value().toString(), Double.toString(e.value().doubleValue())
            };
        }
        int[] widths = new int[rows[0].length];
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        StringBuilder text = new StringBuilder();
        text.append("wigner_3j(").append(w.l1()).append(", ").append(w.l2()).append(", ").append(w.l3())
                .append(")").append(convention == null ? "" : ", " + convention + " signs").append(": ")
                .append(entries.size()).append(" non-zero of ").append(size)
                .append(" entries, indices i = m1 + l1, j = m2 + l2, k = m3 + l3")
                .append(System.lineSeparator());
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.length; c++) {
                boolean numeric = c < 3;
                String cell = numeric ? " ".repeat(widths[c] - row[c].length()) + row[c] : row[c];
                line.append(c == 0 ? "" : "  ").append(cell);
                if (!numeric && c < row.length - 1) {
                    line.append(" ".repeat(widths[c] - row[c].length()));
                }
            }
            text.append(line.toString().stripTrailing()).append(System.lineSeparator());
        }
        return text.toString();
    }

    /**
     * {@code {"l1":..,"l2":..,"l3":..,"nonzero":[[i,j,k,"exact"],...]}} on one line, with {@code "convention":..}
     * before {@code "nonzero"} unless {@code convention} is null (the default).
     */
    static String json(Wigner3j w, String convention) {
        StringBuilder json = new StringBuilder();
        json.append("{\"l1\":").append(w.l1()).append(",\"l2\":").append(w.l2()).append(",\"l3\":").append(w.l3())
                .append(convention == null ? "" : ",\"convention\":\"" + convention + "\"").append(",\"nonzero\":[");
        List<Wigner3j.Entry> entries = w.nonzero();
        for (int r = 0; r < entries.size(); r++) {
            Wigner3j.Entry e = entries.get(r);
            json.append(r == 0 ? "" : ",").append('[').append(e.i()).append(',').append(e.j()).append(',')
                    .append(e.k()).append(",\"").append(e.value().toJson()).append("\"]");
        }
        return json.append("]}").append(System.lineSeparator()).toString();
    }
}
