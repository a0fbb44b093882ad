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

    /**
     * {@link #backward(Object, Object, double[])} with the output's gradient set by rows
     * ({@link OutputGradient#setRows}) instead of given whole, the input gradient added into {@code gradX}
     * ({@code gradX[i] += g}) and the parameter gradient written into {@code gradParams} ({@code null} to skip
     * either), both complete once {@link OutputGradient#finish} returns. Without a parameter
     * gradient, {@link FullyConnectedNet.OutputGradient} or {@link FullyConnectedNet.FloatOutputGradient}, whose
     * blocks run as their last rows come; with one, the rows are gathered for
     * {@link #backward(Object, Object, double[])}.
     */
    abstract OutputGradient<A> outputGradient(A gradX, double[] gradParams);

    /**
     * The gradient of a trace's output ({@code [batch][h_L]}), set a few rows at a time, each row exactly once;
     * distinct rows may be set from different threads at once, and {@link #finish} comes after the last.
     *
     * @param <A> {@code double[]} or {@code float[]}
     */
    interface OutputGradient<A> {
        /** Rows {@code first .. first + count}: {@code rows} ({@code [count][h_L]} from its start). */
        void setRows(int first, int count, A rows);

        /** Completes the gradients, after the last row is set. */
        void finish();
    }

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

        @Override
        OutputGradient<double[]> outputGradient(double[] gradX, double[] gradParams) {
            if (gradParams == null) {
                if (gradX == null) {
                    return discarded();
                }
                FullyConnectedNet.OutputGradient gradient = trace.outputGradient(gradX);
                return handOver(gradient::setRows, gradient::finish);
            }
            int width = net.outputDim();
            double[] gradOut = new double[trace.output().length];
            // With a parameter gradient (training) the rows are gathered for the row-wise backward pass.
            Runnable finish = () -> {
                double[] part = gradX != null ? new double[gradX.length] : null;
                backward(gradOut, part, gradParams);
                for (int i = 0; part != null && i < part.length; i++) {
                    gradX[i] += part[i];
                }
            };
            return handOver((first, count, rows) -> System.arraycopy(rows, 0, gradOut, first * width, count * width),
                    finish);
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
            requireNoParameterGradient(gradParams);
            if (gradX != null) {
                net.backward(trace, gradOut, gradX);
            }
        }

        @Override
        OutputGradient<float[]> outputGradient(float[] gradX, double[] gradParams) {
            requireNoParameterGradient(gradParams);
            if (gradX == null) {
                return discarded();
            }
            FullyConnectedNet.FloatOutputGradient gradient = trace.outputGradient(gradX);
            return handOver(gradient::setRows, gradient::finish);
        }
    }

    /** Sets rows of an output gradient ({@link OutputGradient#setRows}). */
    @FunctionalInterface
    private interface RowSetter<A> {
        void setRows(int first, int count, A rows);
    }

    /** An output gradient that hands its rows to {@code setter} and finishes with {@code finish}. */
    private static <A> OutputGradient<A> handOver(RowSetter<A> setter, Runnable finish) {
        return new OutputGradient<>() {
            @Override
            public void setRows(int first, int count, A rows) {
                setter.setRows(first, count, rows);
            }

            @Override
            public void finish() {
                finish.run();
            }
        };
    }

    /** An output gradient whose rows nothing needs: no gradient wanted. */
    private static <A> OutputGradient<A> discarded() {
        return handOver((first, count, rows) -> { }, () -> { });
    }

    private static void requireNoParameterGradient(double[] gradParams) {
        if (gradParams != null) {
            throw new IllegalArgumentException("gradParams: expected null, a float32 pass gives no parameter "
                    + "gradient");
        }
    }
}
