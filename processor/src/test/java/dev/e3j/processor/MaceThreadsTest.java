package dev.e3j.processor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.e3j.runtime.io.StateDict;
import dev.e3j.runtime.model.Evaluation;
import dev.e3j.runtime.model.InteratomicPotential;
import dev.e3j.runtime.model.Structure;
import dev.e3j.testsupport.ReferenceData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

/**
 * The {@code @Mace} engine's blocks of edges and nodes are fixed by the graph and its sums run in a fixed order: the
 * periodic reference model gives the same bits on one worker thread as on four.
 */
class MaceThreadsTest {

    @Test
    @SuppressWarnings("unchecked")
    void resultsDoNotDependOnTheNumberOfThreads() throws Exception {
        Path folder = GatePointsReferenceTest.modelsDirectory().resolve("mace-periodic");
        Map<String, Object> reference = (Map<String, Object>) ReferenceData.parse(
                Files.readString(folder.resolve("reference.json")));
        InteratomicPotential potential = MaceReferenceTest.load(MaceReferenceTest.specSource(
                (Map<String, Object>) reference.get("constructor")),
                StateDict.read(folder.resolve("state_dict.safetensors")));
        List<Structure> structures = MaceReferenceTest.structures(reference);
        List<Evaluation> one = evaluate(potential, structures, 1);
        List<Evaluation> four = evaluate(potential, structures, 4);
        for (int g = 0; g < structures.size(); g++) {
            assertEquals(one.get(g).energy(), four.get(g).energy(), 0.0, "energy of structure " + g);
            assertArrayEquals(one.get(g).forces(), four.get(g).forces(), 0.0, "forces of structure " + g);
            assertArrayEquals(one.get(g).stress(), four.get(g).stress(), 0.0, "stress of structure " + g);
        }
    }

    /** The evaluation with the parallel blocks run on a pool of {@code threads} workers. */
    private static List<Evaluation> evaluate(InteratomicPotential potential, List<Structure> structures, int threads)
            throws Exception {
        ForkJoinPool pool = new ForkJoinPool(threads);
        try {
            return pool.submit(() -> potential.evaluate(structures)).get();
        } finally {
            pool.shutdown();
        }
    }
}
