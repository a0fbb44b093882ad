package dev.e3j.runtime.model;

import dev.e3j.runtime.nn.FullyConnectedNet;

/**
 * A radial MLP's ({@link FullyConnectedNet}) forward pass over every edge in the arrays of a {@link Numbers} type,
 * kept for its backward pass: {@link FullyConnectedNet.Trace} in double, {@link FullyConnectedNet.FloatTrace} in
 * float.
 *
 * @param <A> {@code double[]} or {@code float[]}
 */
abstract class RadialTrace<A> {

    /** The forward pass of {@code net} on {@code x} ({@code [batch][h_0]}, a {@code double[]} or a {@code float[]}). */
    @SuppressWarnings("unchecked")
    static <A> RadialTrace<A> of(FullyConnectedNet net, int batch, A x, double[] params) {
        if (x instanceof double[] wide) {
            return (RadialTrace<A>) new Float64(net, net.trace(batch, wide, params));
        }
        return (RadialTrace<A>) new Float32(net, net.trace(batch, (float[]) x, params));
    }

    /** The output, {@code [batch][h_L]}. */
    abstract A output();

    /**
     * The gradients of {@code sum(out * gradOut)}: {@code gradX} and {@code gradParams} (in double; only a double
     * trace gives it), each overwritten, {@code null} to skip.
     */
    abstract void backward(A gradOut, A gradX, double[] gradParams);

    private static final class Float64 extends RadialTrace<double[]> {
        private final FullyConnectedNet net;
        private final FullyConnectedNet.Trace trace;

        Float64(FullyConnectedNet net, FullyConnectedNet.Trace trace) {
            this.net = net;
            this.trace = trace;
        }

        @Override
        double[] output() {
            return trace.output();
        }

        @Override
        void backward(double[] gradOut, double[] gradX, double[] gradParams) {
            net.backward(trace, gradOut, gradX, gradParams);
        }
    }

    private static final class Float32 extends RadialTrace<float[]> {
        private final FullyConnectedNet net;
        private final FullyConnectedNet.FloatTrace trace;

        Float32(FullyConnectedNet net, FullyConnectedNet.FloatTrace trace) {
            this.net = net;
            this.trace = trace;
        }

        @Override
        float[] output() {
            return trace.output();
        }

        @Override
        void backward(float[] gradOut, float[] gradX, double[] gradParams) {
            if (gradParams != null) {
                throw new IllegalArgumentException("gradParams: expected null, a float32 pass gives no parameter "
                        + "gradient");
            }
            if (gradX != null) {
                net.backward(trace, gradOut, gradX);
            }
        }
    }
}
