package dev.e3j.processor.plan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.annotations.Layout;
import dev.e3j.annotations.PathNormalization;
import dev.e3j.annotations.Precision;
import dev.e3j.processor.model.InvalidSpecException;
import dev.e3j.processor.model.LinearModel;
import dev.e3j.processor.model.LinearSpec;
import dev.e3j.processor.plan.LinearPlan.Shape;
import dev.e3j.runtime.Irreps;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The linear plan on its own: block size, weighted paths, their methods, and the shared shapes. */
class LinearPlanTest {

    private static LinearPlan plan(String in, String out) {
        return LinearPlan.of(LinearModel.of(Irreps.parse(in), Irreps.parse(out), false, PathNormalization.ELEMENT));
    }

    @Test
    void pathsOfOneShapeShareItsMethodsAndFewPathsStayInline() {
        LinearPlan plan = plan("2x0e+3x1o+2x0e", "4x0e+1x1o");
        assertEquals(List.of(0, 1, 2), plan.weightedPaths());
        assertTrue(plan.pathsInline());
        assertEquals(Map.of(new Shape(1, 2, 4), List.of(0, 2), new Shape(3, 3, 1), List.of(1)), plan.shapes());
        assertEquals("L1From3To1", new Shape(3, 3, 1).suffix());
        assertEquals(LinearPlan.BLOCK_DOUBLES / (13 + 7), plan.blockSize(), "inputs of 13 and outputs of 7 values");
    }

    @Test
    void pathsWithoutWeightsAreLeftOut() {
        LinearPlan plan = plan("0x0e+2x1o", "3x0e+2x1o");
        assertEquals(List.of(1), plan.weightedPaths().stream().map(p -> plan.model().paths().get(p).inIndex())
                .toList());
        assertEquals(1, plan.shapes().size());
    }

    @Test
    void manyPathsSplitIntoHelperMethodsInPathOrder() {
        String seventyScalars = String.join("+", IntStream.range(0, 70).mapToObj(i -> "1x0e").toList());
        LinearPlan plan = plan(seventyScalars, "1x0e");
        assertFalse(plan.pathsInline());
        assertEquals(List.of(LinearPlan.MAX_PATHS_PER_METHOD, 70 - LinearPlan.MAX_PATHS_PER_METHOD),
                plan.pathMethods().stream().map(List::size).toList());
        assertEquals(plan.weightedPaths(), plan.pathMethods().stream().flatMap(List::stream).toList());
        assertEquals(Map.of(new Shape(1, 1, 1), plan.weightedPaths()), plan.shapes());
    }

    @Test
    void channelLastRowsFollowTheEntriesDimensions() {
        assertArrayEquals(new int[] {0, 1, 4, 9}, LinearPlan.firstRows(Irreps.parse("4x0e+2x1o+1x2e")));
    }

    /** The weight gradient groups samples only channel-last with shared weights, and up to l = 7 (15 x 4 products). */
    @Test
    void channelLastSharedWeightsGroupTheWeightGradientsSamples() throws InvalidSpecException {
        LinearPlan channelLast = plan(Layout.IR_MUL, true);
        assertTrue(channelLast.channelLast());
        assertTrue(channelLast.weightGradientBySampleGroups());
        assertTrue(channelLast.groupsSamples(new Shape(15, 2, 2)));
        assertFalse(channelLast.groupsSamples(new Shape(17, 2, 2)));
        LinearPlan perSample = plan(Layout.IR_MUL, false);
        assertTrue(perSample.channelLast());
        assertFalse(perSample.weightGradientBySampleGroups());
        assertFalse(perSample.groupsSamples(new Shape(1, 2, 2)));
        LinearPlan e3nn = plan(Layout.MUL_IR, true);
        assertFalse(e3nn.channelLast());
        assertFalse(e3nn.groupsSamples(new Shape(1, 2, 2)));
    }

    private static LinearPlan plan(Layout layout, boolean sharedWeights) throws InvalidSpecException {
        return LinearPlan.of(LinearModel.build(new LinearSpec("2x0e+2x7o+2x8e", "2x0e+2x7o+2x8e", false, List.of(),
                List.of(), sharedWeights, 1, 1, PathNormalization.ELEMENT, layout, Precision.DOUBLE)));
    }
}
