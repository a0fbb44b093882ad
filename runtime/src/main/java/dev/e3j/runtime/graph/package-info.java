/**
 * Graphs of atomic structures: {@link dev.e3j.runtime.graph.NeighborList}, the pairs of atoms within a cutoff with
 * their periodic images, in ASE's and MACE's conventions (sender {@code i}, receiver {@code j}, lattice translation
 * {@code S}, edge vector {@code pos[j] - pos[i] + S·cell}).
 */
package dev.e3j.runtime.graph;
