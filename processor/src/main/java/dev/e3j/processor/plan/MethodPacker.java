package dev.e3j.processor.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Splits generated code, in order, into methods that HotSpot compiles: its JIT refuses methods over 8000 bytes of
 * bytecode, and C2 gives up on methods with too many loops or calls. Each writer estimates its pieces (statements,
 * loops, calls, output components) in its own unit; the packer fills consecutive runs of pieces, each run one
 * method, while the estimates stay within {@code budget} and the run holds at most {@code maxPieces}. A piece over
 * the budget on its own still gets a method of its own: the writers split such pieces further before packing.
 *
 * @param budget    the estimated size one method may hold, in the writer's unit
 * @param maxPieces the pieces one method may hold
 */
public record MethodPacker(long budget, int maxPieces) {

    public MethodPacker {
        if (budget < 1 || maxPieces < 1) {
            throw new IllegalArgumentException("budget and maxPieces must be positive, got " + budget + " and "
                    + maxPieces);
        }
    }

    /** Methods of at most {@code budget} estimated size, any number of pieces each. */
    public static MethodPacker ofSize(long budget) {
        return new MethodPacker(budget, Integer.MAX_VALUE);
    }

    /** Methods of at most {@code maxPieces} pieces each, whatever their size (calls, copies, per-path statements). */
    public static MethodPacker ofCount(int maxPieces) {
        return new MethodPacker(Long.MAX_VALUE, maxPieces);
    }

    /**
     * {@code pieces} in order, as consecutive runs: a run ends before the piece that would take it over the budget
     * or past {@code maxPieces}. No runs for no pieces; one run for pieces that fit one method.
     */
    public <T> List<List<T>> pack(List<T> pieces, ToLongFunction<? super T> size) {
        return pack(pieces, (previous, piece) -> size.applyAsLong(piece));
    }

    /**
     * {@link #pack(List, ToLongFunction)} where a piece's size depends on the piece before it in its run (code it
     * shares with that piece need not be written again): {@code size.of(previous, piece)}, {@code previous} null
     * for the first piece of a run.
     */
    public <T> List<List<T>> pack(List<T> pieces, SizeInRun<? super T> size) {
        List<List<T>> runs = new ArrayList<>();
        List<T> current = new ArrayList<>();
        long used = 0;
        for (T piece : pieces) {
            long cost = size.of(current.isEmpty() ? null : current.get(current.size() - 1), piece);
            if (!current.isEmpty() && (used + cost > budget || current.size() == maxPieces)) {
                runs.add(List.copyOf(current));
                current = new ArrayList<>();
                cost = size.of(null, piece);
                used = 0;
            }
            current.add(piece);
            used += cost;
        }
        if (!current.isEmpty()) {
            runs.add(List.copyOf(current));
        }
        return List.copyOf(runs);
    }

    /** The estimated size of a piece after {@code previous} in its run ({@code null}: the run's first piece). */
    @FunctionalInterface
    public interface SizeInRun<T> {

        /** The size of {@code piece} placed after {@code previous} ({@code null} at the start of a run). */
        long of(T previous, T piece);
    }

    /** {@code pieces} in runs of at most {@code maxPieces}: {@link #pack(List, ToLongFunction)} with no sizes. */
    public <T> List<List<T>> pack(List<T> pieces) {
        return pack(pieces, piece -> 0);
    }
}
