package dev.e3j.processor.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.annotations.CgConvention;
import dev.e3j.annotations.IrrepNormalization;
import dev.e3j.annotations.Layout;
import dev.e3j.annotations.PathNormalization;
import dev.e3j.annotations.Precision;
import dev.e3j.annotations.TensorProduct.Kind;
import dev.e3j.processor.model.CgTerm;
import dev.e3j.processor.model.ConnectionMode;
import dev.e3j.processor.model.InvalidSpecException;
import dev.e3j.processor.model.TensorProductModel;
import dev.e3j.processor.model.TensorProductModels;
import dev.e3j.processor.model.TensorProductSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The tensor-product plan on its own: strategies, weight rows and columns, and the index formulas. */
class TensorProductPlanTest {

    private static TensorProductPlan plan(String in1, String in2, String out, Kind kind, boolean sharedWeights)
            throws InvalidSpecException {
        return plan(in1, in2, out, kind, sharedWeights, Layout.MUL_IR);
    }

    private static TensorProductPlan plan(String in1, String in2, String out, Kind kind, boolean sharedWeights,
                                          Layout layout) throws InvalidSpecException {
        TensorProductModel model = TensorProductModels.build(new TensorProductSpec(in1, in2, out, kind, List.of(),
                IrrepNormalization.COMPONENT, PathNormalization.ELEMENT, sharedWeights, Precision.DOUBLE,
                CgConvention.E3NN_0_5, false, layout));
        return TensorProductPlan.of(model);
    }

    @Test
    void sharedUvwWeightsAreReadByRowsAndColumnsAssignedInOrder() throws InvalidSpecException {
        // every path is 8x? x 1x? -> 8x?: rows of 8 weights, 8 channel pairs each
        TensorProductPlan plan = plan("8x0e+8x1o", "0e+1o", "8x0e+8x1o", Kind.FULLY_CONNECTED, true);
        assertTrue(plan.weightRows());
        assertFalse(plan.channelLast());
        int row = 0;
        int column = 0;
        int scratch = 0;
        for (PathPlan path : plan.paths()) {
            assertEquals(row, path.firstWeightRow(), path.path().describe());
            assertEquals(column, path.firstWeightColumn(), path.path().describe());
            assertTrue(path.readsWeightRows() && path.backwardByColumns());
            row += 8;
            column += 8;
            scratch = Math.max(scratch, 8 * path.layout().dimOut());
        }
        assertEquals(4, plan.paths().size());
        assertEquals(row, plan.weightRowCount());
        assertEquals(column, plan.weightColumnCount());
        assertEquals(scratch, plan.gScratch());
        assertEquals(24, plan.gScratch(), "8 pairs x the 3 components of 1o");
    }

    @Test
    void perSampleWeightsReadNoRows() throws InvalidSpecException {
        TensorProductPlan plan = plan("8x0e+8x1o", "0e+1o", "8x0e+8x1o", Kind.FULLY_CONNECTED, false);
        assertFalse(plan.weightRows());
        assertEquals(0, plan.weightRowCount());
        assertTrue(plan.paths().stream().noneMatch(path -> path.readsWeightRows() || path.backwardByColumns()));
    }

    @Test
    void shortRowsAreReadWithoutColumns() throws InvalidSpecException {
        // one channel pair per path (1x? x 1x?): rows of 8 weights, too few pairs for the column backward
        TensorProductPlan plan = plan("1x0e", "1x0e", "8x0e", Kind.FULLY_CONNECTED, true);
        PathPlan path = plan.paths().get(0);
        assertTrue(path.readsWeightRows());
        assertFalse(path.backwardByColumns());
        assertEquals(1, plan.weightRowCount());
        assertEquals(0, plan.weightColumnCount());
    }

    @Test
    void channelwiseWithOneX2ChannelRunsChannelLast() throws InvalidSpecException {
        TensorProductPlan plan = plan("4x0e+4x1o", "0e+1o", "4x0e+4x1o+4x1e", Kind.CHANNELWISE, false);
        assertTrue(plan.channelLast());
        assertTrue(plan.paths().stream().allMatch(path -> path.sharesX2() && path.channelLast()));
        assertFalse(plan("1x0e+1x1o", "0e+1o", "1x0e+1x1o", Kind.CHANNELWISE, false).channelLast(),
                "one channel: nothing to share");
    }

    @Test
    void fewChannelsRunTheForwardChannelLastOnlyInIrMul() throws InvalidSpecException {
        int few = TensorProductPlan.MIN_MUL_IR_FORWARD_CHANNELS - 1;
        int enough = TensorProductPlan.MIN_MUL_IR_FORWARD_CHANNELS;
        String in1 = enough + "x0e+" + few + "x1o";
        String out = enough + "x0e+" + few + "x1o";
        TensorProductPlan mulIr = plan(in1, "0e+1o", out, Kind.CHANNELWISE, false, Layout.MUL_IR);
        assertTrue(mulIr.channelLast(), "the double backward stays channel-last");
        assertFalse(mulIr.forwardChannelLast(), "one path under the threshold: the plain forward");
        assertTrue(plan(in1, "0e+1o", out, Kind.CHANNELWISE, false, Layout.IR_MUL).forwardChannelLast(),
                "ir_mul copies are plain");
        String wide = enough + "x0e+" + enough + "x1o";
        assertTrue(plan(wide, "0e+1o", wide, Kind.CHANNELWISE, false, Layout.MUL_IR).forwardChannelLast());
    }

    @Test
    void irMulProductsOfUvwPathsAloneIndexTheirArraysInPlace() throws InvalidSpecException {
        String in1 = "4x0e+2x1o";
        String out = "3x0e+5x1o";
        assertTrue(plan(in1, "0e+1o", out, Kind.FULLY_CONNECTED, true, Layout.IR_MUL).irMulInPlace());
        assertTrue(plan(in1, "2x0e+1o", out, Kind.FULLY_CONNECTED, false, Layout.IR_MUL).irMulInPlace());
        assertFalse(plan(in1, "0e+1o", out, Kind.FULLY_CONNECTED, true, Layout.MUL_IR).irMulInPlace(),
                "mul_ir arguments are e3nn's own");
        assertFalse(plan("4x0e+4x1o", "0e+1o", "4x0e+4x1o", Kind.CHANNELWISE, false, Layout.IR_MUL).irMulInPlace(),
                "uvu products run channel-last on copies");
        assertFalse(plan(in1, "2x0e+1o", "4x0e+2x1o", Kind.FULL, false, Layout.IR_MUL).irMulInPlace(),
                "other modes convert blocks");
    }

    @Test
    void sharedSinglePairUvwProductsGoByPairsInMulIrToo() throws InvalidSpecException {
        String tetrisIn = "1x0e+1x1o+1x2e";
        String wideOut = "16x0e+8x1o+8x1e+8x2e";
        TensorProductPlan mulIr = plan(tetrisIn, tetrisIn, wideOut, Kind.FULLY_CONNECTED, true, Layout.MUL_IR);
        assertTrue(mulIr.paths().stream().allMatch(mulIr::backwardByPairs), "one pair, rows of 8 or more");
        TensorProductPlan irMul = plan(tetrisIn, tetrisIn, wideOut, Kind.FULLY_CONNECTED, true, Layout.IR_MUL);
        assertTrue(irMul.paths().stream().allMatch(irMul::backwardByPairs));
        TensorProductPlan perSample = plan(tetrisIn, tetrisIn, wideOut, Kind.FULLY_CONNECTED, false, Layout.MUL_IR);
        assertTrue(perSample.paths().stream().noneMatch(perSample::backwardByPairs), "per-sample weights");
        TensorProductPlan twoChannels = plan("2x0e+2x1o", "1x0e+1x1o", wideOut, Kind.FULLY_CONNECTED, true,
                Layout.MUL_IR);
        assertTrue(twoChannels.paths().stream().noneMatch(twoChannels::backwardByPairs),
                "mul_ir inputs of several channels");
        TensorProductPlan shortRows = plan(tetrisIn, tetrisIn, "16x0e+4x1o+8x1e+8x2e", Kind.FULLY_CONNECTED, true,
                Layout.MUL_IR);
        assertTrue(shortRows.paths().stream().noneMatch(shortRows::backwardByPairs),
                "mul_ir with a path of fewer than 8 output channels");
    }

    @Test
    void theFusedBackwardRunsChannelLastInMulIrOnlyInFloatWithManyChannels() throws InvalidSpecException {
        int few = TensorProductPlan.MIN_MUL_IR_BACKWARD_CHANNELS - 1;
        int enough = TensorProductPlan.MIN_MUL_IR_BACKWARD_CHANNELS;
        String wide = enough + "x0e+" + enough + "x1o";
        TensorProductPlan mulIr = plan(wide, "0e+1o", wide, Kind.CHANNELWISE, false, Layout.MUL_IR);
        assertTrue(mulIr.backwardChannelLast(true));
        assertFalse(mulIr.backwardChannelLast(false), "double keeps the mul_ir backward");
        String narrow = enough + "x0e+" + few + "x1o";
        TensorProductPlan fewChannels = plan(narrow, "0e+1o", narrow, Kind.CHANNELWISE, false, Layout.MUL_IR);
        assertTrue(fewChannels.forwardChannelLast());
        assertFalse(fewChannels.backwardChannelLast(true), "one path under the threshold");
        // 0e x 0e -> 0e and 0e x 1o -> 1o: two paths into two output blocks of their own
        TensorProductPlan unshared = plan(enough + "x0e", "0e+1o", enough + "x0e+" + enough + "x1o",
                Kind.CHANNELWISE, false, Layout.MUL_IR);
        assertTrue(unshared.forwardChannelLast());
        assertFalse(unshared.backwardChannelLast(true), "no output block shared");
        TensorProductPlan irMul = plan(narrow, "0e+1o", narrow, Kind.CHANNELWISE, false, Layout.IR_MUL);
        assertTrue(irMul.backwardChannelLast(true) && irMul.backwardChannelLast(false), "ir_mul copies are plain");
        assertFalse(plan("1x0e+1x1o", "0e+1o", "1x0e+1x1o", Kind.CHANNELWISE, false, Layout.IR_MUL)
                .backwardChannelLast(true), "not channel-last at all");
    }

    @Test
    void fewChannelsWithPerSampleWeightsLoopOverTheSamplesInThePathMethods() throws InvalidSpecException {
        int most = TensorProductPlan.MAX_SAMPLE_LOOP_CHANNELS;
        // gate points' edge product: uvu paths of 8, 4 and 2 channels, weights per edge
        assertTrue(plan("8x0e+4x1o+2x2e", "0e+1o+2e", "8x0e+4x1o+2x2e", Kind.CHANNELWISE, false)
                .pathsOverSamples());
        String narrow = most + "x0e+" + most + "x1o";
        assertTrue(plan(narrow, "0e+1o", narrow, Kind.CHANNELWISE, false).pathsOverSamples());
        String wider = (most + 1) + "x0e+" + most + "x1o";
        assertFalse(plan(wider, "0e+1o", wider, Kind.CHANNELWISE, false).pathsOverSamples(),
                "one path over the threshold (nequip: 32 channels)");
        assertFalse(plan(narrow, "0e+1o", narrow, Kind.CHANNELWISE, true).pathsOverSamples(), "shared weights");
        assertFalse(plan(narrow, "0e+1o", narrow, Kind.CHANNELWISE, false, Layout.IR_MUL).pathsOverSamples(),
                "ir_mul runs channel-last");
        assertFalse(plan("4x0e+4x1o", "0e+1o", "4x0e+4x1o", Kind.FULLY_CONNECTED, false).pathsOverSamples(),
                "uvw paths");
    }

    @Test
    void pathsOverTheSamplesAssignWhatTheyWriteFirst() throws InvalidSpecException {
        int uses = 3;
        // each output block of one path; x1 block 0 first written by path 0, x2 blocks by paths 0 and 1
        TensorProductPlan own = plan("8x0e", "0e+1o", "8x0e+8x1o", Kind.CHANNELWISE, false);
        assertTrue(own.assignsOutputs());
        assertTrue(own.assignsGradients(uses));
        assertEquals(new TensorProductPlan.Assignments(true, true, true, true),
                own.assignments(own.paths().get(0), uses));
        assertEquals(new TensorProductPlan.Assignments(true, false, true, true),
                own.assignments(own.paths().get(1), uses), "the second path into x1's block adds to it");
        // 4x1o x 0e and 4x0e x 1o both write out's 4x1o: the forward adds, the gradients are still assigned first
        TensorProductPlan shared = plan("4x0e+4x1o", "0e+1o", "4x0e+4x1o", Kind.CHANNELWISE, false);
        assertFalse(shared.assignsOutputs(), "two paths into one output block");
        assertTrue(shared.assignsGradients(uses));
        assertFalse(shared.assignments(shared.paths().get(0), uses).out());
        // a fused backward split over several methods writes a gradient entry from each of them
        assertFalse(own.assignsGradients(PathPlan.MAX_TERM_USES_PER_METHOD), "split backward");
        assertFalse(plan("8x0e", "0e+1o", "8x0e+8x1o", Kind.CHANNELWISE, true).assignsOutputs(), "shared weights");
        assertFalse(plan("8x0e", "0e+1o", "8x0e+8x1o", Kind.CHANNELWISE, true).assignsGradients(uses));
        // x2's 2e block meets no path: its gradient keeps the zero fill, so no gradient is assigned
        TensorProductPlan unread = plan("8x0e", "0e+2e", "8x0e", Kind.CHANNELWISE, false);
        assertTrue(unread.assignsOutputs());
        assertFalse(unread.assignsGradients(uses));
    }

    @Test
    void theFusedBackwardPerSampleAssignsWhatItWritesFirst() throws InvalidSpecException {
        int uses = 3;
        // mace-medium: 128 channels, too many to loop over the samples; each path's fused backward runs per sample
        TensorProductPlan mace = plan("128x0e+128x1o", "0e+1o+2e+3o", "128x0e+128x1o+128x2e", Kind.CHANNELWISE,
                false);
        assertFalse(mace.pathsOverSamples());
        assertFalse(mace.assignsOutputs(), "the forward adds");
        assertTrue(mace.assignsGradients(uses));
        // x1's 128x1o block: first written by 128x1o x 0e (path 3), then added to by paths 4-7
        PathPlan first = mace.paths().stream().filter(path -> path.path().in1() == 1).findFirst().orElseThrow();
        assertTrue(mace.assignments(first, uses).gradX1());
        assertTrue(mace.paths().stream().filter(path -> path.path().in1() == 1 && path != first)
                .noneMatch(path -> mace.assignments(path, uses).gradX1()));
        assertTrue(mace.paths().stream().allMatch(path -> mace.assignments(path, uses).gradWeights()));
        assertFalse(plan("128x0e+128x1o", "0e+1o", "128x0e+128x1o", Kind.CHANNELWISE, true).assignsGradients(uses),
                "shared weights sum over the samples");
        assertFalse(plan("8x0e+8x1o", "0e+1o", "8x0e+8x1o", Kind.FULLY_CONNECTED, false).assignsGradients(uses),
                "uvw paths");
    }

    @Test
    void vacuousPathsAreLeftOut() throws InvalidSpecException {
        // 0x1o x 1o -> 2x0e is an instruction that contributes nothing (e3nn's output mask)
        TensorProductPlan plan = plan("2x0e+0x1o", "0e+1o", "2x0e", Kind.FULLY_CONNECTED, false);
        assertTrue(plan.model().paths().size() > plan.paths().size());
        assertTrue(plan.paths().stream().noneMatch(path -> path.path().isVacuous()));
    }

    @Test
    void pairIndexFollowsTheMode() throws InvalidSpecException {
        PathPlan uvw = plan("2x0e", "3x0e", "1x0e", Kind.FULLY_CONNECTED, false).paths().get(0);
        assertEquals("u * 3 + v", uvw.pairIndex("u", "v"));
        assertEquals("v", uvw.pairIndex("0", "v"), "a left-out u loop reads as 0");
        PathPlan oneX2 = plan("2x0e", "1x0e", "1x0e", Kind.FULLY_CONNECTED, false).paths().get(0);
        assertEquals("u", oneX2.pairIndex("u", "0"));
        PathPlan uuu = plan("3x0e", "3x0e", "3x0e", Kind.ELEMENTWISE, false).paths().get(0);
        assertEquals(ConnectionMode.UUU, uuu.mode());
        assertEquals("u", uuu.pairIndex("u", "v"));
        PathPlan upper = plan("4x0e", "", "1x0e", Kind.SQUARE, false).paths().stream()
                .filter(path -> path.mode().strictlyUpper()).findFirst().orElseThrow();
        // pairs (r, s) with r < s < 4, row-major: (0,1) -> 0, (0,3) -> 2, (1,2) -> 3, (2,3) -> 5
        assertEquals("u * (7 - u) / 2 + v - u - 1", upper.pairIndex("u", "v"));
    }

    @Test
    void layoutLocatesTheOperands() throws InvalidSpecException {
        PathPlan path = plan("2x0e+3x1o", "0e+1o", "3x1o", Kind.CHANNELWISE, false).paths().stream()
                .filter(p -> p.path().in1() == 1 && p.path().in2() == 0).findFirst().orElseThrow();
        assertEquals(new PathLayout(2, 0, 0, 3, 1, 3, 3, 1, 3), path.layout());
    }

    /** Nested-class groups: consecutive paths in order, one group under the default budget, split under a small one. */
    @Test
    void pathClassesKeepThePathsInOrderWithinTheBudget() throws InvalidSpecException {
        TensorProductPlan plan = plan("1x0e+1x1o+1x2e+1x3o", "1x0e+1x1o+1x2e+1x3o", "1x0e+1x1o+1x2e+1x3o",
                Kind.FULLY_CONNECTED, true);
        assertEquals(List.of(plan.paths()), plan.pathClasses(1, 8, TensorProductPlan.MAX_POOL_ENTRIES_PER_CLASS));
        List<List<PathPlan>> small = plan.pathClasses(1, 8, 200);
        List<List<PathPlan>> smallTwoTypes = plan.pathClasses(2, 8, 200);
        assertTrue(small.size() > 1, "split under 200 entries: " + small.size());
        assertTrue(smallTwoTypes.size() > small.size(), "float and double need more classes");
        assertEquals(plan.paths(), small.stream().flatMap(List::stream).toList());
        assertTrue(small.stream().noneMatch(List::isEmpty));
        // a single path above the budget still gets its class
        assertEquals(plan.paths().size(), plan.pathClasses(1, 8, 1).size());
    }

    /** A path's methods hold consecutive output components, each within the budget of term uses. */
    @Test
    void methodComponentsSplitTheOutputComponentsUnderTheBudget() throws InvalidSpecException {
        PathPlan path = plan("1x2e", "1x2e", "1x4e", Kind.FULLY_CONNECTED, false).paths().get(0);
        List<Integer> components = IntStream.range(0, 9).boxed().toList();
        assertEquals(List.of(components), path.methodComponents(CgTerm::k, 1, 0), "a few terms fit one method");
        List<List<Integer>> alone = path.methodComponents(CgTerm::k, PathPlan.MAX_TERM_USES_PER_METHOD, 0);
        assertEquals(components.stream().map(List::of).toList(), alone, "a component's terms fill a method");
        List<List<Integer>> byOutput = path.methodComponents(CgTerm::k, 0, PathPlan.MAX_TERM_USES_PER_METHOD / 4);
        assertEquals(List.of(List.of(0, 1, 2, 3), List.of(4, 5, 6, 7), List.of(8)), byOutput,
                "statements per component count too");
        List<List<Integer>> byX1 = path.methodComponents(CgTerm::i, 1, 0);
        assertEquals(List.of(IntStream.range(0, 5).boxed().toList()), byX1, "the x1 gradient goes by i");
    }

    /** Per-sample calls go into helpers of one class each, at most MAX_CALLS_PER_METHOD calls, in order. */
    @Test
    void helperCallsStayInOneClassAndWithinTheCallBudget() {
        List<String> calls = new ArrayList<>();
        IntStream.range(0, 150).forEach(i -> calls.add("A" + i));
        IntStream.range(0, 30).forEach(i -> calls.add("B" + i));
        calls.add("A150");
        List<List<String>> helpers = TensorProductPlan.helperCalls(calls, call -> call.charAt(0));
        assertEquals(List.of(100, 50, 30, 1), helpers.stream().map(List::size).toList());
        assertEquals(calls, helpers.stream().flatMap(List::stream).toList());
    }
}
