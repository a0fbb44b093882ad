"""MACE's input graph (v0.3.6) without matscipy: the neighbour list of `mace.data.neighborhood.get_neighborhood`
and the batched input dictionary that `mace.data.AtomicData` + `torch_geometric` batching would build.

`neighborhood` reproduces `get_neighborhood` (`true_self_interaction=False`) with ASE's
`primitive_neighbor_list("ijS")` in place of matscipy's `neighbour_list("ijS")` — both return every pair (i, j, S)
with |positions[j] - positions[i] + S @ cell| < cutoff — and keeps MACE's own steps around that call:

- no cell (None or all zeros): the identity;
- each non-periodic axis: its cell row replaced by `(max|positions| + 1) * 5 * cutoff` times the unit vector, so
  no pair can cross it (the same `temp_cell` MACE builds);
- self-edges i == j with S = 0 removed; an atom's own periodic images stay (edges i -> i with S != 0);
- `shifts = unit_shifts @ cell` with the original cell (not `temp_cell`).

MACE's edge order is matscipy's (grouped by i); here edges are sorted by sender, then receiver, then unit shift.
The set of edges is the same; only the order of summation (float rounding) can differ from a matscipy run.

Edge convention (MACE's): `edge_index[0]` = sender i, `edge_index[1]` = receiver j, edge vector
`positions[j] - positions[i] + shifts`; messages are summed into the receiver.
"""
from collections import OrderedDict

import numpy as np
import torch
from ase.neighborlist import primitive_neighbor_list


def neighborhood(positions, cutoff, pbc=None, cell=None):
    """(edge_index [2, E], shifts [E, 3], unit_shifts [E, 3]) as numpy arrays; see the module docstring."""
    positions = np.asarray(positions, dtype=np.float64)
    pbc = (False, False, False) if pbc is None else tuple(bool(p) for p in pbc)
    if len(pbc) != 3:
        raise ValueError(f"pbc: expected 3 flags, got {len(pbc)}")
    cell = np.identity(3) if cell is None or not np.any(cell) else np.asarray(cell, dtype=np.float64)
    if cell.shape != (3, 3):
        raise ValueError(f"cell: expected shape (3, 3), got {cell.shape}")
    temp_cell = np.copy(cell)
    extent = (np.max(np.absolute(positions)) + 1) * 5 * cutoff
    for axis in range(3):
        if not pbc[axis]:
            temp_cell[axis, :] = extent * np.identity(3)[axis]
    sender, receiver, unit_shifts = primitive_neighbor_list(
        "ijS", pbc, temp_cell, positions, cutoff, self_interaction=True
    )
    keep = ~((sender == receiver) & np.all(unit_shifts == 0, axis=1))
    sender, receiver, unit_shifts = sender[keep], receiver[keep], unit_shifts[keep]
    order = np.lexsort((unit_shifts[:, 2], unit_shifts[:, 1], unit_shifts[:, 0], receiver, sender))
    sender, receiver, unit_shifts = sender[order], receiver[order], unit_shifts[order].astype(np.float64)
    return np.stack((sender, receiver)).astype(np.int64), unit_shifts @ cell, unit_shifts


def brute_force_neighborhood(positions, cutoff, pbc, cell, max_image=4):
    """All (i, j, S) with |S_k| <= max_image on periodic axes, i != j or S != 0, |r| < cutoff, in `neighborhood`'s order.

    A check for `neighborhood` on small cells (`max_image` must cover the cutoff).
    """
    positions = np.asarray(positions, dtype=np.float64)
    cell = np.asarray(cell, dtype=np.float64)
    ranges = [range(-max_image, max_image + 1) if periodic else range(1) for periodic in pbc]
    edges = []
    for i in range(len(positions)):
        for j in range(len(positions)):
            for s in np.array(np.meshgrid(*ranges, indexing="ij")).reshape(3, -1).T:
                if i == j and not s.any():
                    continue
                if np.linalg.norm(positions[j] - positions[i] + s @ cell) < cutoff:
                    edges.append((i, j, *s))
    return sorted(edges)


def batch(structures, atomic_numbers, cutoff, dtype=torch.float64):
    """MACE's input dictionary for a list of structures.

    Each structure is a mapping with `numbers` (atomic numbers), `positions` [n, 3], `cell` (3x3 or None) and `pbc`.
    `atomic_numbers` is the model's element table (one-hot order). Keys: positions, node_attrs, edge_index, shifts,
    unit_shifts, cell ([3 * num_graphs, 3]; zeros for no cell), batch, ptr.
    """
    table = {int(z): k for k, z in enumerate(atomic_numbers)}
    positions, node_attrs, edge_index, shifts, unit_shifts, cells, graph, ptr = [], [], [], [], [], [], [], [0]
    for index, structure in enumerate(structures):
        numbers = [int(z) for z in structure["numbers"]]
        unknown = sorted(set(numbers) - set(table))
        if unknown:
            raise ValueError(f"structure {index}: atomic numbers {unknown} are not in the model's table {list(table)}")
        cell = structure.get("cell")
        cell = np.zeros((3, 3)) if cell is None else np.asarray(cell, dtype=np.float64)
        edges, edge_shifts, edge_unit_shifts = neighborhood(structure["positions"], cutoff, structure.get("pbc"), cell)
        positions.append(np.asarray(structure["positions"], dtype=np.float64))
        node_attrs.append(np.eye(len(table))[[table[z] for z in numbers]])
        edge_index.append(edges + ptr[-1])
        shifts.append(edge_shifts)
        unit_shifts.append(edge_unit_shifts)
        cells.append(cell)
        graph.append(np.full(len(numbers), index))
        ptr.append(ptr[-1] + len(numbers))
    return OrderedDict(
        [
            ("positions", torch.tensor(np.concatenate(positions), dtype=dtype)),
            ("node_attrs", torch.tensor(np.concatenate(node_attrs), dtype=dtype)),
            ("edge_index", torch.tensor(np.concatenate(edge_index, axis=1), dtype=torch.int64)),
            ("shifts", torch.tensor(np.concatenate(shifts), dtype=dtype)),
            ("unit_shifts", torch.tensor(np.concatenate(unit_shifts), dtype=dtype)),
            ("cell", torch.tensor(np.concatenate(cells), dtype=dtype)),
            ("batch", torch.tensor(np.concatenate(graph), dtype=torch.int64)),
            ("ptr", torch.tensor(ptr, dtype=torch.int64)),
        ]
    )


def from_atoms(atoms):
    """The structure mapping `batch` takes, from an ase.Atoms (no cell when the cell is all zeros)."""
    cell = np.array(atoms.get_cell())
    return OrderedDict(
        [
            ("numbers", atoms.get_atomic_numbers().tolist()),
            ("positions", atoms.get_positions()),
            ("cell", cell if np.any(cell) else None),
            ("pbc", [bool(p) for p in atoms.get_pbc()]),
        ]
    )
