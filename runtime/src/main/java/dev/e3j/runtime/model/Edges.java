package dev.e3j.runtime.model;

import dev.e3j.runtime.nn.RadiusGraph;

/**
 * The edges of one structure within a cutoff, in MACE's convention: {@code senders[e]} is the neighbour,
 * {@code receivers[e]} the atom the message goes to, and the edge vector is
 * {@code pos[receiver] - pos[sender] + shifts[e]}.
 */
record Edges(int[] senders, int[] receivers, double[] shifts) {

    /**
     * Every ordered pair of distinct atoms closer than {@code cutoff}.
     *
     * @throws IllegalArgumentException for a structure with a cell, whose periodic images this list lacks
     */
    static Edges of(Structure structure, double cutoff) {
        if (structure.hasCell()) {
            throw new IllegalArgumentException("structure: expected a structure without a cell (periodic images are"
                    + " not listed yet), got " + structure);
        }
        RadiusGraph graph = RadiusGraph.build(structure.size(), structure.positions(), cutoff);
        // RadiusGraph's edge vector is pos[src] - pos[dst]: MACE's receiver is its src, the sender its dst.
        return new Edges(graph.dst(), graph.src(), new double[3 * graph.numEdges()]);
    }
}
