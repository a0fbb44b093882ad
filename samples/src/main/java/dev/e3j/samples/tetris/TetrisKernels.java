package dev.e3j.samples.tetris;

import dev.e3j.annotations.Linear;
import dev.e3j.annotations.SphericalHarmonics;
import dev.e3j.annotations.TensorProduct;
import dev.e3j.runtime.LinearKernel;
import dev.e3j.runtime.SphericalHarmonicsKernel;
import dev.e3j.runtime.TensorProductKernel;

/**
 * The kernels of {@link TetrisNetwork}, declared the way a user declares them; e3j generates
 * {@code TetrisKernels_<Name>Impl} for each at compile time.
 *
 * <p>Irreps through the network (edge attributes {@code 0e+1o+2e}):
 * <pre>
 *   layer 1: 1x0e                        -> conv -> 24x0e+8x1o+8x2e            -> gate -> 8x0e+8x1o+8x2e
 *   layer 2: 8x0e+8x1o+8x2e              -> conv -> 40x0e+8x1o+8x1e+8x2o+8x2e  -> gate -> 8x0e+8x1o+8x1e+8x2o+8x2e
 *   layer 3: 8x0e+8x1o+8x1e+8x2o+8x2e    -> conv -> 1x0o+6x0e
 * </pre>
 * Each convolution has a self-connection, {@code lin1}, a channelwise edge product with per-edge weights and
 * {@code lin2} ({@link dev.e3j.runtime.nn.Convolution}). The edge product keeps only the outputs the next step can
 * use, as e3nn's {@code Convolution} does; the pseudoscalar {@code 0o} first appears in layer 3, from
 * {@code 1e x 1o} and {@code 2o x 2e}.
 */
public interface TetrisKernels {

    /** Spherical harmonics of the edge directions. */
    @SphericalHarmonics(lmax = 2, normalize = true)
    interface EdgeHarmonics extends SphericalHarmonicsKernel {
    }

    @Linear(in = "1x0e", out = "24x0e+8x1o+8x2e")
    interface Layer1SelfConnection extends LinearKernel {
    }

    @Linear(in = "1x0e", out = "1x0e")
    interface Layer1Lin1 extends LinearKernel {
    }

    @TensorProduct(in1 = "1x0e", in2 = "0e+1o+2e", out = "1x0e+1x1o+1x2e",
            kind = TensorProduct.Kind.CHANNELWISE, sharedWeights = false)
    interface Layer1EdgeProduct extends TensorProductKernel {
    }

    @Linear(in = "1x0e+1x1o+1x2e", out = "24x0e+8x1o+8x2e")
    interface Layer1Lin2 extends LinearKernel {
    }

    @Linear(in = "8x0e+8x1o+8x2e", out = "40x0e+8x1o+8x1e+8x2o+8x2e")
    interface Layer2SelfConnection extends LinearKernel {
    }

    @Linear(in = "8x0e+8x1o+8x2e", out = "8x0e+8x1o+8x2e")
    interface Layer2Lin1 extends LinearKernel {
    }

    @TensorProduct(in1 = "8x0e+8x1o+8x2e", in2 = "0e+1o+2e", out = "8x0e+8x1o+8x1e+8x2o+8x2e",
            kind = TensorProduct.Kind.CHANNELWISE, sharedWeights = false)
    interface Layer2EdgeProduct extends TensorProductKernel {
    }

    @Linear(in = "8x0e+8x1o+8x1e+8x2o+8x2e", out = "40x0e+8x1o+8x1e+8x2o+8x2e")
    interface Layer2Lin2 extends LinearKernel {
    }

    @Linear(in = "8x0e+8x1o+8x1e+8x2o+8x2e", out = "1x0o+6x0e")
    interface Layer3SelfConnection extends LinearKernel {
    }

    @Linear(in = "8x0e+8x1o+8x1e+8x2o+8x2e", out = "8x0e+8x1o+8x1e+8x2o+8x2e")
    interface Layer3Lin1 extends LinearKernel {
    }

    @TensorProduct(in1 = "8x0e+8x1o+8x1e+8x2o+8x2e", in2 = "0e+1o+2e", out = "8x0o+8x0e",
            kind = TensorProduct.Kind.CHANNELWISE, sharedWeights = false)
    interface Layer3EdgeProduct extends TensorProductKernel {
    }

    @Linear(in = "8x0o+8x0e", out = "1x0o+6x0e")
    interface Layer3Lin2 extends LinearKernel {
    }
}
