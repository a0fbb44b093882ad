package dev.e3j.samples.md;

import dev.e3j.annotations.Mace;
import dev.e3j.runtime.io.StateDict;
import dev.e3j.runtime.model.InteratomicPotential;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * A small {@code ScaleShiftMACE} for copper, trained by {@code tools/train_mace_emt.py} on ASE's EMT calculator (fcc
 * Cu, 32 atoms, 300 to 1200 K; {@code mace-cu-emt.json} beside the weights has the constructor arguments, the data
 * and the errors against EMT). The hyperparameters here are that file's; the weights are
 * {@code mace-cu-emt.safetensors}, shipped in the jar.
 */
@Mace(rMax = 5.0, numBessel = 8, numPolynomialCutoff = 5, maxEll = 2, numInteractions = 2,
        interactionFirst = Mace.Interaction.REAL_AGNOSTIC_RESIDUAL,
        interaction = Mace.Interaction.REAL_AGNOSTIC_RESIDUAL,
        atomicNumbers = {29}, hiddenIrreps = "16x0e+16x1o", mlpIrreps = "16x0e", correlation = {3},
        gate = Mace.Gate.SILU, radialMlp = {32, 32, 32}, avgNumNeighbors = 44.71510416666667, scaleShift = true)
public interface CuPotential extends InteratomicPotential {

    /** The class-path resource holding the weights. */
    String WEIGHTS = "mace-cu-emt.safetensors";

    /**
     * {@return the potential with the shipped weights}
     *
     * @throws UncheckedIOException if the weights cannot be read from the class path
     */
    static InteratomicPotential load() {
        try (InputStream in = CuPotential.class.getResourceAsStream(WEIGHTS)) {
            if (in == null) {
                throw new IOException("class-path resource dev/e3j/samples/md/" + WEIGHTS + " not found");
            }
            return new CuPotentialImpl(StateDict.read(ByteBuffer.wrap(in.readAllBytes()), WEIGHTS));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
