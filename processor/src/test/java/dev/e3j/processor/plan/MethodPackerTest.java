package dev.e3j.processor.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The one method packer: runs in order, within the budget and the piece count. */
class MethodPackerTest {

    @Test
    void runsEndBeforeThePieceThatWouldPassTheBudget() {
        List<List<Integer>> runs = MethodPacker.ofSize(10).pack(List.of(4, 5, 2, 9, 1, 10), Integer::longValue);
        assertEquals(List.of(List.of(4, 5), List.of(2), List.of(9, 1), List.of(10)), runs);
    }

    @Test
    void aPieceOverTheBudgetGetsAMethodOfItsOwn() {
        List<List<Integer>> runs = MethodPacker.ofSize(10).pack(List.of(3, 25, 3), Integer::longValue);
        assertEquals(List.of(List.of(3), List.of(25), List.of(3)), runs);
    }

    @Test
    void countLimitsRunsLikeConsecutiveSublists() {
        List<Integer> pieces = IntStream.range(0, 250).boxed().toList();
        List<List<Integer>> runs = MethodPacker.ofCount(100).pack(pieces);
        assertEquals(List.of(pieces.subList(0, 100), pieces.subList(100, 200), pieces.subList(200, 250)), runs);
    }

    @Test
    void budgetAndCountTogether() {
        List<List<Integer>> runs = new MethodPacker(100, 2).pack(List.of(1, 1, 1, 90, 20), Integer::longValue);
        assertEquals(List.of(List.of(1, 1), List.of(1, 90), List.of(20)), runs);
    }

    @Test
    void aPieceMayCostLessAfterAPieceItSharesCodeWith() {
        // letters of one kind share 5 bytes of set-up, paid by the first of its kind in a run
        MethodPacker.SizeInRun<String> size = (previous, piece) ->
                1 + (previous == null || previous.charAt(0) != piece.charAt(0) ? 5 : 0);
        List<List<String>> runs = MethodPacker.ofSize(8).pack(List.of("a1", "a2", "a3", "b1", "b2"), size);
        // a1 a2 a3 = 6 + 1 + 1; b1 starts a run and pays the set-up again: 6 + 1
        assertEquals(List.of(List.of("a1", "a2", "a3"), List.of("b1", "b2")), runs);
    }

    @Test
    void noPiecesNoRuns() {
        assertEquals(List.of(), MethodPacker.ofCount(3).pack(List.of()));
    }

    @Test
    void budgetsArePositive() {
        assertThrows(IllegalArgumentException.class, () -> new MethodPacker(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new MethodPacker(1, 0));
    }
}
