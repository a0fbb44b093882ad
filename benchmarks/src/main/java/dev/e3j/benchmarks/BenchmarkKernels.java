package dev.e3j.benchmarks;

import dev.e3j.annotations.CgConvention;
import dev.e3j.annotations.Layout;
import dev.e3j.annotations.Path;
import dev.e3j.annotations.Precision;
import dev.e3j.annotations.SphericalHarmonics;
import dev.e3j.annotations.SymmetricContraction;
import dev.e3j.annotations.TensorProduct;
import dev.e3j.runtime.SphericalHarmonicsKernel;
import dev.e3j.runtime.SymmetricContractionKernel;
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

    /**
     * The edge product of e3nn's {@code gate_points_2101.Network} in reference/models/gate_points-public (hidden
     * {@code 8x0e+8x0o+4x1e+4x1o+2x2e+2x2o}, edge attributes {@code 0e+1o+2e}), its middle convolution
     * {@code layers.1.first.tp}: the first gate's output times the edge harmonics into the sorted
     * {@code irreps_mid}, one weighted {@code uvu} path per {@code mid} entry in e3nn's instruction order, weights per
     * edge (from the radial MLP).
     */
    @TensorProduct(in1 = GatePointsTp.IN1, in2 = GatePointsTp.IN2, out = GatePointsTp.MID,
            kind = TensorProduct.Kind.CUSTOM,
            paths = {@Path(in1 = 0, in2 = 0, out = 0, mode = "uvu"), @Path(in1 = 0, in2 = 1, out = 3, mode = "uvu"),
                    @Path(in1 = 0, in2 = 2, out = 11, mode = "uvu"), @Path(in1 = 1, in2 = 0, out = 4, mode = "uvu"),
                    @Path(in1 = 1, in2 = 1, out = 1, mode = "uvu"), @Path(in1 = 1, in2 = 1, out = 7, mode = "uvu"),
                    @Path(in1 = 1, in2 = 1, out = 12, mode = "uvu"), @Path(in1 = 1, in2 = 2, out = 5, mode = "uvu"),
                    @Path(in1 = 1, in2 = 2, out = 9, mode = "uvu"), @Path(in1 = 2, in2 = 0, out = 13, mode = "uvu"),
                    @Path(in1 = 2, in2 = 1, out = 6, mode = "uvu"), @Path(in1 = 2, in2 = 1, out = 10, mode = "uvu"),
                    @Path(in1 = 2, in2 = 2, out = 2, mode = "uvu"), @Path(in1 = 2, in2 = 2, out = 8, mode = "uvu"),
                    @Path(in1 = 2, in2 = 2, out = 14, mode = "uvu")},
            sharedWeights = false, precision = Precision.FLOAT)
    interface GatePointsTp extends TensorProductKernel {
        String IN1 = "8x0e+4x1o+2x2e";
        String IN2 = "0e+1o+2e";
        String MID = "8x0e+4x0e+2x0e+8x1o+4x1o+4x1o+2x1o+4x1e+2x1e+4x2o+2x2o+8x2e+4x2e+2x2e+2x2e";
    }

    @TensorProduct(in1 = GatePointsTp.IN1, in2 = GatePointsTp.IN2, out = GatePointsTp.MID,
            kind = TensorProduct.Kind.CUSTOM,
            paths = {@Path(in1 = 0, in2 = 0, out = 0, mode = "uvu"), @Path(in1 = 0, in2 = 1, out = 3, mode = "uvu"),
                    @Path(in1 = 0, in2 = 2, out = 11, mode = "uvu"), @Path(in1 = 1, in2 = 0, out = 4, mode = "uvu"),
                    @Path(in1 = 1, in2 = 1, out = 1, mode = "uvu"), @Path(in1 = 1, in2 = 1, out = 7, mode = "uvu"),
                    @Path(in1 = 1, in2 = 1, out = 12, mode = "uvu"), @Path(in1 = 1, in2 = 2, out = 5, mode = "uvu"),
                    @Path(in1 = 1, in2 = 2, out = 9, mode = "uvu"), @Path(in1 = 2, in2 = 0, out = 13, mode = "uvu"),
                    @Path(in1 = 2, in2 = 1, out = 6, mode = "uvu"), @Path(in1 = 2, in2 = 1, out = 10, mode = "uvu"),
                    @Path(in1 = 2, in2 = 2, out = 2, mode = "uvu"), @Path(in1 = 2, in2 = 2, out = 8, mode = "uvu"),
                    @Path(in1 = 2, in2 = 2, out = 14, mode = "uvu")},
            sharedWeights = false, precision = Precision.FLOAT, layout = Layout.IR_MUL)
    interface GatePointsTpIrMul extends TensorProductKernel {
    }

    /**
     * mace-torch's {@code conv_tp} of a {@code RealAgnosticResidualInteractionBlock} at MACE-MP medium's size (hidden
     * {@code 128x0e+128x1o}, {@code max_ell} 3): {@code tp_out_irreps_with_instructions} into the sorted
     * {@code irreps_mid} with its instructions sorted by output, weights per edge. MACE couples with e3nn 0.4.4's
     * signs; this kernel and the peer use e3nn 0.5.4's, which changes signs only, not the work.
     */
    @TensorProduct(in1 = MaceMediumConv.IN1, in2 = MaceMediumConv.IN2, out = MaceMediumConv.MID,
            kind = TensorProduct.Kind.CUSTOM,
            paths = {@Path(in1 = 0, in2 = 0, out = 0, mode = "uvu"), @Path(in1 = 1, in2 = 1, out = 1, mode = "uvu"),
                    @Path(in1 = 0, in2 = 1, out = 2, mode = "uvu"), @Path(in1 = 1, in2 = 0, out = 3, mode = "uvu"),
                    @Path(in1 = 1, in2 = 2, out = 4, mode = "uvu"), @Path(in1 = 0, in2 = 2, out = 5, mode = "uvu"),
                    @Path(in1 = 1, in2 = 1, out = 6, mode = "uvu"), @Path(in1 = 1, in2 = 3, out = 7, mode = "uvu"),
                    @Path(in1 = 0, in2 = 3, out = 8, mode = "uvu"), @Path(in1 = 1, in2 = 2, out = 9, mode = "uvu")},
            sharedWeights = false, precision = Precision.FLOAT)
    interface MaceMediumConv extends TensorProductKernel {
        String IN1 = "128x0e+128x1o";
        String IN2 = "0e+1o+2e+3o";
        String MID = "128x0e+128x0e+128x1o+128x1o+128x1o+128x2e+128x2e+128x2e+128x3o+128x3o";
    }

    @TensorProduct(in1 = MaceMediumConv.IN1, in2 = MaceMediumConv.IN2, out = MaceMediumConv.MID,
            kind = TensorProduct.Kind.CUSTOM,
            paths = {@Path(in1 = 0, in2 = 0, out = 0, mode = "uvu"), @Path(in1 = 1, in2 = 1, out = 1, mode = "uvu"),
                    @Path(in1 = 0, in2 = 1, out = 2, mode = "uvu"), @Path(in1 = 1, in2 = 0, out = 3, mode = "uvu"),
                    @Path(in1 = 1, in2 = 2, out = 4, mode = "uvu"), @Path(in1 = 0, in2 = 2, out = 5, mode = "uvu"),
                    @Path(in1 = 1, in2 = 1, out = 6, mode = "uvu"), @Path(in1 = 1, in2 = 3, out = 7, mode = "uvu"),
                    @Path(in1 = 0, in2 = 3, out = 8, mode = "uvu"), @Path(in1 = 1, in2 = 2, out = 9, mode = "uvu")},
            sharedWeights = false, precision = Precision.FLOAT, layout = Layout.IR_MUL)
    interface MaceMediumConvIrMul extends TensorProductKernel {
    }

    /**
     * MACE-MP medium's product basis: mace-torch's {@code SymmetricContraction} from the interaction's
     * {@code 128x0e+128x1o+128x2e+128x3o} to the hidden {@code 128x0e+128x1o}, correlation 3, with 10 elements and
     * e3nn 0.4.4's signs (MACE's).
     */
    @SymmetricContraction(in = MaceMediumProduct.IN, out = MaceMediumProduct.OUT, correlation = 3,
            elements = MaceMediumProduct.ELEMENTS, cgConvention = CgConvention.E3NN_0_4, precision = Precision.FLOAT)
    interface MaceMediumProduct extends SymmetricContractionKernel {
        String IN = "128x0e+128x1o+128x2e+128x3o";
        String OUT = "128x0e+128x1o";
        int ELEMENTS = 10;
    }

    @SymmetricContraction(in = MaceMediumProduct.IN, out = MaceMediumProduct.OUT, correlation = 3,
            elements = MaceMediumProduct.ELEMENTS, cgConvention = CgConvention.E3NN_0_4, precision = Precision.FLOAT,
            layout = Layout.IR_MUL)
    interface MaceMediumProductIrMul extends SymmetricContractionKernel {
    }

    @SphericalHarmonics(lmax = 3, normalize = true, precision = Precision.FLOAT)
    interface ShLmax3 extends SphericalHarmonicsKernel {
    }

    @SphericalHarmonics(lmax = 6, normalize = true, precision = Precision.FLOAT)
    interface ShLmax6 extends SphericalHarmonicsKernel {
    }
}
