package dev.e3j.processor.model;

import dev.e3j.runtime.Irrep;
import dev.e3j.runtime.Irreps;
import dev.e3j.runtime.Irreps.MulIrrep;
import java.util.ArrayList;
import java.util.List;

/**
 * Instruction {@code (in1, in2, out, 'uvu', True)} of an edge product between node features and edge attributes,
 * as e3nn's gate-points convolution and MACE's {@code tp_out_irreps_with_instructions} derive them.
 */
public record EdgePath(int in1, int in2, int out) {

    /**
     * The edge product's middle irreps and instructions: one {@code mul x ir_out} per {@code ir_in x ir_edge} that
     * {@code targets} contains, then sorted (stably, by irrep) with the instructions' outputs renumbered; the
     * instructions stay in creation order.
     */
    record Product(Irreps mid, List<EdgePath> paths) {

        static Product of(Irreps in, Irreps edgeAttr, Irreps targets) {
            List<MulIrrep> mid = new ArrayList<>();
            List<EdgePath> paths = new ArrayList<>();
            for (int i = 0; i < in.size(); i++) {
                for (int j = 0; j < edgeAttr.size(); j++) {
                    for (Irrep irOut : in.get(i).ir().times(edgeAttr.get(j).ir())) {
                        if (targets.contains(irOut)) {
                            paths.add(new EdgePath(i, j, mid.size()));
                            mid.add(MulIrrep.of(in.get(i).mul(), irOut));
                        }
                    }
                }
            }
            Irreps.Sorted sorted = Irreps.of(mid).sort();
            return new Product(sorted.irreps(), paths.stream()
                    .map(path -> new EdgePath(path.in1(), path.in2(), sorted.p()[path.out()])).toList());
        }
    }
}
