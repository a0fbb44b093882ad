package dev.e3j.processor.writer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.palantir.javapoet.ClassName;
import dev.e3j.annotations.CgConvention;
import dev.e3j.annotations.Layout;
import dev.e3j.annotations.Mace;
import dev.e3j.annotations.Precision;
import dev.e3j.processor.model.GatePointsModel;
import dev.e3j.processor.model.GatePointsSpec;
import dev.e3j.processor.model.MaceModel;
import dev.e3j.processor.model.MaceSpec;
import dev.e3j.testsupport.ReferenceData;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The model audit files say when a model keeps its features channel-last, and stay as they were otherwise. */
class ModelAuditLayoutTest {

    private static final ClassName IMPLEMENTATION = ClassName.get("test", "ModelImpl");

    @Test
    void maceAuditNamesAChannelLastLayoutOnly() throws Exception {
        assertFalse(mace(Layout.MUL_IR).containsKey("layout"));
        assertEquals("ir_mul", mace(Layout.IR_MUL).get("layout"));
    }

    @Test
    void gatePointsAuditNamesAChannelLastLayoutOnly() throws Exception {
        assertFalse(gatePoints(Layout.MUL_IR).containsKey("layout"));
        Map<String, Object> channelLast = gatePoints(Layout.IR_MUL);
        assertEquals("ir_mul", channelLast.get("layout"));
        assertTrue(channelLast.containsKey("irrepsEdgeAttr"), "the rest of the audit is still there");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> mace(Layout layout) throws Exception {
        MaceSpec spec = new MaceSpec(5.0, 8, 5, 2, 2, Mace.Interaction.REAL_AGNOSTIC_RESIDUAL,
                Mace.Interaction.REAL_AGNOSTIC_RESIDUAL, List.of(1, 8), "8x0e+8x1o", "16x0e", List.of(2),
                Mace.Gate.SILU, List.of(16, 16), 10.0, false, Mace.RadialType.BESSEL, Mace.DistanceTransform.NONE,
                false, Precision.DOUBLE, layout);
        return (Map<String, Object>) ReferenceData.parse(MaceAudit.json(MaceModel.build(spec), IMPLEMENTATION));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> gatePoints(Layout layout) throws Exception {
        GatePointsSpec spec = new GatePointsSpec("", "4x0e+4x0o+2x1e+2x1o", "1x0e+1x1o", "", "1x0e+1x1o+1x2e", 2,
                2.5, 10, 1, 16, 5.0, 8.0, true, Precision.DOUBLE, CgConvention.E3NN_0_5, layout);
        return (Map<String, Object>) ReferenceData.parse(GatePointsAudit.json(GatePointsModel.build(spec),
                IMPLEMENTATION));
    }
}
