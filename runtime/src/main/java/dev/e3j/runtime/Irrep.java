package dev.e3j.runtime;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An irreducible representation of O(3): degree {@code l >= 0} and parity {@code p = +1} (even, "e") or
 * {@code -1} (odd, "o"). Its dimension is {@code 2l + 1}.
 *
 * <p>Ordering follows e3nn (tuples {@code (l, p)}): by {@code l}, then odd before even ({@code 0o < 0e < 1o}).
 */
public record Irrep(int l, int p) implements Comparable<Irrep> {

    /** The largest degree whose dimension {@code 2l + 1} is an {@code int}. */
    static final int MAX_L = (Integer.MAX_VALUE - 1) / 2;

    /**
     * Creates {@code l} with parity {@code p}; {@code 0 <= l <= 1073741823} (so that the dimension {@code 2l + 1} is an
     * {@code int}) and {@code p} is {@code 1} or {@code -1}.
     */
    public Irrep {
        if (l < 0 || l > MAX_L) {
            throw new IllegalArgumentException("new Irrep: l must be in [0, " + MAX_L + "] (the dimension 2l + 1 must "
                    + "be an int), got " + l);
        }
        if (p != 1 && p != -1) {
            throw new IllegalArgumentException("new Irrep: p must be 1 or -1, got " + p);
        }
    }

    /** The irrep of degree {@code l} and parity {@code p} (the canonical constructor's checks). */
    public static Irrep of(int l, int p) {
        return new Irrep(l, p);
    }

    /**
     * Parses e3nn's short form: {@code "1o"}, {@code "2e"}, or {@code "3y"} for the parity of the spherical
     * harmonics, {@code (-1)^l}. Surrounding whitespace is ignored.
     */
    public static Irrep parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("Irrep.parse: text must not be null");
        }
        int start = 0;
        while (start < text.length() && Character.isWhitespace(text.charAt(start))) {
            start++;
        }
        return parseAt(text.strip(), text, start);
    }

    /** Parses {@code token} (already stripped) found at {@code position} of {@code source}. */
    static Irrep parseAt(String token, String source, int position) {
        int digits = 0;
        while (digits < token.length() && isAsciiDigit(token.charAt(digits))) {
            digits++;
        }
        if (digits == 0) {
            throw Irreps.syntaxError(source, position, "expected a degree l (digits) in \"" + token + "\"");
        }
        long l;
        try {
            l = Long.parseLong(token.substring(0, digits));
        } catch (NumberFormatException e) {
            l = Long.MAX_VALUE;
        }
        if (l > MAX_L) {
            throw Irreps.syntaxError(source, position, "degree out of range in \"" + token + "\" (at most " + MAX_L
                    + ", so that the dimension 2l + 1 is an int)");
        }
        int at = digits;
        while (at < token.length() && Character.isWhitespace(token.charAt(at))) {
            at++;
        }
        if (at == token.length()) {
            throw Irreps.syntaxError(source, position + at,
                    "expected one parity letter e, o or y after the degree in \"" + token + "\"");
        }
        char parity = token.charAt(at);
        int p;
        switch (parity) {
            case 'e' -> p = 1;
            case 'o' -> p = -1;
            case 'y' -> p = shParity((int) l);
            default -> throw Irreps.syntaxError(source, position + at,
                    "unknown parity '" + parity + "' (expected e, o or y) in \"" + token + "\"");
        }
        if (at != token.length() - 1) {
            int extra = at + 1;
            while (Character.isWhitespace(token.charAt(extra))) {
                extra++;
            }
            throw Irreps.syntaxError(source, position + extra,
                    "unexpected characters after the parity letter in \"" + token + "\"");
        }
        return new Irrep((int) l, p);
    }

    /** Only '0'..'9': {@link Character#isDigit} would also take other scripts' digits, which never print back. */
    static boolean isAsciiDigit(int c) {
        return c >= '0' && c <= '9';
    }

    /** Dimension {@code 2l + 1}. */
    public int dim() {
        return 2 * l + 1;
    }

    /** Whether this is {@code 0e}, a true scalar. */
    public boolean isScalar() {
        return l == 0 && p == 1;
    }

    /** Irreps of the tensor product: every {@code l} from {@code |l1 - l2|} to {@code l1 + l2}, parity {@code p1 p2}. */
    public List<Irrep> times(Irrep other) {
        int parity = p * other.p;
        List<Irrep> out = new ArrayList<>();
        for (int lOut = Math.abs(l - other.l); lOut <= l + other.l; lOut++) {
            out.add(new Irrep(lOut, parity));
        }
        return Collections.unmodifiableList(out);
    }

    /** Whether {@code out} appears in {@code this ⊗ other} (triangle rule and parity). */
    public boolean couplesTo(Irrep other, Irrep out) {
        return out.p == p * other.p && out.l >= Math.abs(l - other.l) && out.l <= l + other.l;
    }

    /** The parity of the spherical harmonics of degree {@code l}: {@code (-1)^l}. */
    public static int shParity(int l) {
        return l % 2 == 0 ? 1 : -1;
    }

    @Override
    public int compareTo(Irrep o) {
        int c = Integer.compare(l, o.l);
        return c != 0 ? c : Integer.compare(p, o.p);
    }

    /** e3nn's form, e.g. {@code 1o}. */
    @Override
    public String toString() {
        return l + (p == 1 ? "e" : "o");
    }
}
