package dev.e3j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.e3j.runtime.model.InteratomicPotential;
import dev.e3j.runtime.model.PointsModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;

class GeneratedModelTest {

    private static final byte[] COPPER = SafetensorsBytes.of(PairPotential.COPPER);

    @Test
    void buildsTheModelOnceFromItsStateDict() {
        GeneratedModel model = GeneratedModel.of(PairPotential.class.getName(), COPPER, "lj-cu.safetensors");
        InteratomicPotential potential = model.instance(InteratomicPotential.class);
        assertSame(potential, model.instance(InteratomicPotential.class));
        assertEquals(5.0, potential.rMax());
        assertEquals("GeneratedModel(dev.e3j.spark.PairPotential, lj-cu.safetensors, " + COPPER.length + " bytes)",
                model.toString());
    }

    @Test
    void aDeserializedCopyBuildsItsOwnModel() throws Exception {
        GeneratedModel model = GeneratedModel.of(PairPotential.class.getName(), COPPER, "lj-cu.safetensors");
        InteratomicPotential original = model.instance(InteratomicPotential.class);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(model);
        }
        GeneratedModel copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (GeneratedModel) in.readObject();
        }
        InteratomicPotential shipped = copy.instance(InteratomicPotential.class);
        assertTrue(shipped != original);
        assertEquals(original.rMax(), shipped.rMax());
    }

    @Test
    void wrongClassesAndWeightsAreNamed() {
        assertMessage(GeneratedModel.of("com.example.Missing", COPPER, "w"), InteratomicPotential.class,
                "com.example.Missing is not on the class path");
        assertMessage(GeneratedModel.of(PairPotential.class.getName(), COPPER, "w"), PointsModel.class,
                "must implement dev.e3j.runtime.model.PointsModel");
        assertMessage(GeneratedModel.of(String.class.getName(), COPPER, "w"), Object.class,
                "must have a public constructor taking a StateDict");
        assertMessage(GeneratedModel.of(CentroidPointsModel.class.getName(), COPPER, "lj.safetensors"),
                PointsModel.class, "rejected the state dict lj.safetensors: no tensor 'radius'");
        UncheckedIOException malformed = assertThrows(UncheckedIOException.class,
                () -> GeneratedModel.of(PairPotential.class.getName(), new byte[] {1, 2}, "broken.safetensors")
                        .instance(InteratomicPotential.class));
        assertTrue(malformed.getMessage().contains("broken.safetensors"), malformed.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GeneratedModel.of(" ", COPPER, "w"));
    }

    private static void assertMessage(GeneratedModel model, Class<?> type, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.instance(type));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
