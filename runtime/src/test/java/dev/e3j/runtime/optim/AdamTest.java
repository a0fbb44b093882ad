package dev.e3j.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AdamTest {

    @Test
    void firstStepMovesByLearningRateAgainstTheGradientSign() {
        Adam adam = new Adam(3, 0.01, 0.9, 0.999, 1e-8, 0.0);
        double[] params = {1, 2, 3};
        adam.step(params, new double[] {0.5, -4, 1e-3});
        // m_hat = g, v_hat = g^2: step = lr g / (|g| + eps).
        assertEquals(1 - 0.01 * 0.5 / (0.5 + 1e-8), params[0], 1e-16);
        assertEquals(2 + 0.01 * 4 / (4 + 1e-8), params[1], 1e-16);
        assertEquals(3 - 0.01 * 1e-3 / (1e-3 + 1e-8), params[2], 1e-16);
        assertEquals(1, adam.steps());
    }

    @Test
    void secondStepByHand() {
        Adam adam = new Adam(1, 0.1, 0.5, 0.75, 0.0, 0.0);
        double[] p = {0};
        adam.step(p, new double[] {2});
        adam.step(p, new double[] {1});
        // m = 0.5*2*0.5 + 0.5*1 = 1, v = 0.75*0.25*4 + 0.25*1 = 1;
        // corrections 1 - 0.25 and 1 - 0.5625: step = 0.1 / 0.75 * 1 / (1 / sqrt(0.4375)).
        assertEquals(-0.1 - 0.1 / 0.75 * Math.sqrt(0.4375), p[0], 1e-15);
    }

    @Test
    void weightDecayPullsTowardsZeroAndQuadraticConverges() {
        Adam decay = new Adam(1, 0.1, 0.9, 0.999, 1e-8, 0.5);
        double[] p = {2};
        decay.step(p, new double[] {0});
        assertEquals(1.9, p[0], 1e-8);

        Adam adam = new Adam(2, 0.05, 0.9, 0.999, 1e-8, 0.0);
        double[] x = {3, -2};
        for (int t = 0; t < 2000; t++) {
            adam.step(x, new double[] {2 * (x[0] - 1), 8 * (x[1] + 0.5)});
        }
        assertTrue(Math.abs(x[0] - 1) < 1e-3 && Math.abs(x[1] + 0.5) < 1e-3, x[0] + ", " + x[1]);
    }

    @Test
    void rejectsBadArguments() {
        Adam adam = new Adam(3);
        IllegalArgumentException grads = assertThrows(IllegalArgumentException.class,
                () -> adam.step(new double[3], new double[2]));
        assertEquals("Adam.step: grads must have length 3, got 2", grads.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Adam(1, 0.1, 1.0, 0.9, 1e-8, 0));
    }
}
