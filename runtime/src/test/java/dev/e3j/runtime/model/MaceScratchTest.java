package dev.e3j.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** The per-block scratch of the MACE edge pass: arrays of the asked length, reused per use and length. */
class MaceScratchTest {

    @Test
    void reusesAnArrayPerUseAndLengthAndMakesOneForAnyOtherLength() {
        Mace.Scratch<float[]> scratch = new Mace.Scratch<>(Numbers.FLOAT32);
        float[] messages = scratch.array(Mace.Scratch.MESSAGES, 12);
        assertEquals(12, messages.length);
        assertSame(messages, scratch.array(Mace.Scratch.MESSAGES, 12), "same use and length");
        assertNotSame(messages, scratch.array(Mace.Scratch.GRAD_WEIGHTS, 12), "another use");
        float[] longer = scratch.array(Mace.Scratch.MESSAGES, 13);
        assertEquals(13, longer.length);
        assertSame(messages, scratch.array(Mace.Scratch.MESSAGES, 12), "a recent length is kept");
        for (int length = 20; length < 24; length++) {
            assertEquals(length, scratch.array(Mace.Scratch.MESSAGES, length).length);
        }
        assertNotSame(messages, scratch.array(Mace.Scratch.MESSAGES, 12), "the least recent length is let go");
    }
}
