package dev.e3j.benchmarks;

import dev.e3j.annotations.Layout;
import dev.e3j.annotations.Precision;
import dev.e3j.annotations.SphericalHarmonics;
import dev.e3j.annotations.TensorProduct;
import dev.e3j.runtime.SphericalHarmonicsKernel;
import dev.e3j.runtime.TensorProductKernel;

/**
 * The kernels of the standard configurations (shared/bench/README.md), declared the way a user declares them. Every
 * spec asks for {@code precision = FLOAT}, which generates the double and the float entry points. Each product also
 * in the channel-last {@link Layout#IR_MUL} layout ({@code <Name>IrMul}, the same spec with {@code layout = IR_MUL}).
 */
final class BenchmarkKernels {

    private BenchmarkKernels() {
    }

    @TensorProduct(in1 = NequipWater.IRREPS, in2 = "0e+1o", out = NequipWater.IRREPS,
            kind = TensorProduct.Kind.CHANNELWISE, sharedWeights = false, precision = Precision.FLOAT)
    interface NequipWater extends TensorProductKernel {
        String IRREPS = "32x0o+32x0e+32x1o+32x1e";
    }

    @TensorProduct(in1 = NequipWater.IRREPS, in2 = "0e+1o", out = NequipWater.IRREPS,
            kind = TensorProduct.Kind.CHANNELWISE, sharedWeights = false, precision = Precision.FLOAT,
            layout = Layout.IR_MUL)
    interface NequipWaterIrMul extends TensorProductKernel {
    }

    @TensorProduct(in1 = Revmd17Toluene.IRREPS, in2 = "0e+1o+2e", out = Revmd17Toluene.IRREPS,
            kind = TensorProduct.Kind.CHANNELWISE, sharedWeights = false, precision = Precision.FLOAT)
    interface Revmd17Toluene extends TensorProductKernel {
        String IRREPS = "64x0o+64x0e+64x1o+64x1e+64x2o+64x2e";
    }

    @TensorProduct(in1 = Revmd17Toluene.IRREPS, in2 = "0e+1o+2e", out = Revmd17Toluene.IRREPS,
            kind = TensorProduct.Kind.CHANNELWISE, sharedWeights = false, precision = Precision.FLOAT,
            layout = Layout.IR_MUL)
    interface Revmd17TolueneIrMul extends TensorProductKernel {
    }

    @TensorProduct(in1 = "128x0e+128x1o", in2 = "0e+1o+2e+3o", out = "128x0e+128x1o+128x2e",
            kind = TensorProduct.Kind.CHANNELWISE, sharedWeights = false, precision = Precision.FLOAT)
    interface MaceMedium extends TensorProductKernel {
    }

    @TensorProduct(in1 = TetrisPoly1.IRREPS_IN, in2 = TetrisPoly1.IRREPS_IN, out = "64x0e+24x1e+24x1o+16x2e+16x2o",
            kind = TensorProduct.Kind.FULLY_CONNECTED, sharedWeights = true, precision = Precision.FLOAT)
    interface TetrisPoly1 extends TensorProductKernel {
        String IRREPS_IN = "1x0e+1x1o+1x2e+1x3o";
    }

    @TensorProduct(in1 = TetrisPoly1.IRREPS_IN, in2 = TetrisPoly1.IRREPS_IN, out = "64x0e+24x1e+24x1o+16x2e+16x2o",
            kind = TensorProduct.Kind.FULLY_CONNECTED, sharedWeights = true, precision = Precision.FLOAT,
            layout = Layout.IR_MUL)
    interface TetrisPoly1IrMul extends TensorProductKernel {
    }

    @TensorProduct(in1 = "128x0e+128x1o", in2 = "0e+1o+2e+3o", out = "128x0e+128x1o+128x2e",
            kind = TensorProduct.Kind.CHANNELWISE, sharedWeights = false, precision = Precision.FLOAT,
            layout = Layout.IR_MUL)
    interface MaceMediumIrMul extends TensorProductKernel {
    }

    /**
     * Not in e3nn's table: a fully connected product with 64 channels per irrep and shared weights (a NequIP- or
     * e3nn-style self-interaction), where the weights are read by rows ({@code PathWriter.weightRows}).
     */
    @TensorProduct(in1 = Fc64Shared.IRREPS, in2 = "0e+1o+2e", out = Fc64Shared.IRREPS,
            kind = TensorProduct.Kind.FULLY_CONNECTED, sharedWeights = true, precision = Precision.FLOAT)
    interface Fc64Shared extends TensorProductKernel {
        String IRREPS = "64x0e+64x1o+64x2e";
    }

    @TensorProduct(in1 = Fc64Shared.IRREPS, in2 = "0e+1o+2e", out = Fc64Shared.IRREPS,
            kind = TensorProduct.Kind.FULLY_CONNECTED, sharedWeights = true, precision = Precision.FLOAT,
            layout = Layout.IR_MUL)
    interface Fc64SharedIrMul extends TensorProductKernel {
    }

    @TensorProduct(in1 = DiffdockL1.IRREPS, in2 = "0e+1o", out = DiffdockL1.IRREPS,
            kind = TensorProduct.Kind.FULLY_CONNECTED, sharedWeights = false, precision = Precision.FLOAT)
    interface DiffdockL1 extends TensorProductKernel {
        String IRREPS = "10x1o+10x1e+48x0e+48x0o";
    }

    @TensorProduct(in1 = DiffdockL1.IRREPS, in2 = "0e+1o", out = DiffdockL1.IRREPS,
            kind = TensorProduct.Kind.FULLY_CONNECTED, sharedWeights = false, precision = Precision.FLOAT,
            layout = Layout.IR_MUL)
    interface DiffdockL1IrMul extends TensorProductKernel {
    }

    @SphericalHarmonics(lmax = 3, normalize = true, precision = Precision.FLOAT)
    interface ShLmax3 extends SphericalHarmonicsKernel {
    }

    @SphericalHarmonics(lmax = 6, normalize = true, precision = Precision.FLOAT)
    interface ShLmax6 extends SphericalHarmonicsKernel {
    }
}
