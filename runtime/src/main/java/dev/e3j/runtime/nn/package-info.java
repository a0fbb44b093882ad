/**
 * e3nn 0.5.4's {@code nn} building blocks in plain Java, each with forward and backward: {@link
 * dev.e3j.runtime.nn.Activation}, {@link dev.e3j.runtime.nn.Gate}, {@link dev.e3j.runtime.nn.NormActivation},
 * {@link dev.e3j.runtime.nn.BatchNorm}, {@link dev.e3j.runtime.nn.FullyConnectedNet}, the radial bases of
 * {@link dev.e3j.runtime.math.SoftOneHot}, point-cloud graphs ({@link dev.e3j.runtime.graph.RadiusGraph},
 * {@link dev.e3j.runtime.graph.Scatter}), e3nn's point {@link dev.e3j.runtime.nn.Convolution} over generated kernels, the
 * {@link dev.e3j.runtime.optim.Adam} optimizer and the equivariance test
 * {@link dev.e3j.runtime.testing.Equivariance}.
 *
 * <p>Arrays are row-major {@code double[]} with an explicit batch (or count) argument; irreps-typed features use
 * e3nn's {@code mul_ir} layout. Backward methods compute the gradients of {@code sum(out * gradOut)}. Bad sizes
 * throw {@link java.lang.IllegalArgumentException} naming the argument, the expected and the actual size.
 *
 * <p>Second derivatives, for training on forces, follow the generated kernels' contract: {@code doubleBackward}
 * takes cotangents {@code gg*} of backward's outputs ({@code null} = zero) and writes the gradients of
 * {@code sum(gg* · backward's outputs)} with respect to backward's inputs and {@code gradOut} into {@code g*}
 * arrays (overwritten, {@code null} = skip); its {@code gGradOut} is the forward-mode tangent that {@code jvp}
 * also gives alone ({@link dev.e3j.runtime.nn.Activation}, {@link dev.e3j.runtime.nn.Gate},
 * {@link dev.e3j.runtime.nn.FullyConnectedNet}).
 */
package dev.e3j.runtime.nn;
