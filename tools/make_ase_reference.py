"""Reference data from ASE for e3j's atomistic runtime (neighbour lists, elements, units, molecular dynamics, extxyz).
Writes into `reference/ase/`:

- `neighbor_list.json`: for each case (a molecule, fcc Cu 2x2x2, a skewed triclinic cell smaller than the cutoff,
  a slab periodic in two directions, one atom in a tiny cell, fcc Cu with unwrapped positions) the structure
  (`numbers`, `positions` [n][3], `cell` [3][3] or null, `pbc`), the `cutoff`, and
  `ase.neighborlist.primitive_neighbor_list("ijS", ..., self_interaction=False)` as `i`, `j`, `S` ([E][3]).
- `elements.json`: `ase.data.chemical_symbols` and `ase.data.atomic_masses` for Z = 1..118, and the units
  `ase.units.fs`, `ase.units.kB`.
- `lennard_jones.extxyz`: `ase.calculators.lj.LennardJones(sigma, epsilon, rc, smooth=True)` on a rattled fcc Ar
  supercell and an Ar cluster: energy, forces and stress as ASE writes them, the parameters in each frame's info.
- `lennard_jones_md.extxyz`: 10 steps of `ase.md.verlet.VelocityVerlet` (5 fs) with that potential from the Ar
  supercell and momenta `1.5 sqrt(m kB 300 K) sin(1 + 3a + c)` (atom a, direction c): the positions of each step,
  with `momenta`, `potential_energy`, `kinetic_energy` and `temperature`.
- `ase_written.extxyz`: two frames written by `ase.io.write(..., format="extxyz")` with energies and forces from a
  `SinglePointCalculator` (a periodic Cu cell, with a stress too, and a non-periodic molecule), for the Java reader.

Every structure is drawn from `numpy.random.default_rng` with a fixed seed per file and recorded, so the Java tests
do not depend on numpy's generator. With `--check FILE`, instead reads FILE (an extxyz file written by e3j) with ASE
and prints what it found, to confirm that ASE reads e3j's files.

Usage (Debian's python3-ase; no other dependency)::

    /usr/bin/python3 tools/make_ase_reference.py [--out reference/ase]
    /usr/bin/python3 tools/make_ase_reference.py --check trajectory.extxyz
"""
import argparse
import json
import os

import ase
import ase.data
import ase.io
import ase.units
import numpy as np
from ase import Atoms
from ase.build import bulk
from ase.calculators.lj import LennardJones
from ase.calculators.singlepoint import SinglePointCalculator
from ase.md.verlet import VelocityVerlet
from ase.neighborlist import primitive_neighbor_list


def structure(atoms):
    has_cell = atoms.cell.rank == 3
    return {
        "numbers": atoms.numbers.tolist(),
        "positions": atoms.positions.tolist(),
        "cell": atoms.cell.array.tolist() if has_cell else None,
        "pbc": atoms.pbc.tolist(),
    }


def neighbor_case(name, atoms, cutoff):
    cell = atoms.cell.array if atoms.cell.rank == 3 else np.zeros((3, 3))
    i, j, S = primitive_neighbor_list("ijS", atoms.pbc, cell, atoms.positions, cutoff, self_interaction=False)
    case = {"name": name, "cutoff": cutoff}
    case.update(structure(atoms))
    case.update({"i": i.tolist(), "j": j.tolist(), "S": S.tolist()})
    return case


def neighbor_cases(rng):
    molecule = Atoms("C2H6O", positions=rng.uniform(0, 4, size=(9, 3)))
    cu = bulk("Cu", "fcc", a=3.61, cubic=True).repeat((2, 2, 2))
    cu.rattle(0.05, seed=1)
    skewed = Atoms("SiO", cell=[[2.0, 0.0, 0.0], [1.7, 1.2, 0.0], [0.5, 0.7, 1.5]], pbc=True,
                   positions=[[0.1, 0.2, 0.3], [1.9, 1.1, 0.9]])
    slab = bulk("Cu", "fcc", a=3.61, cubic=True).repeat((2, 2, 2))
    slab.rattle(0.05, seed=2)
    slab.center(vacuum=1.0, axis=2)
    slab.pbc = [True, True, False]
    slab.positions[0, 2] -= 2.0  # one atom outside the cell along the non-periodic direction
    tiny = Atoms("H", cell=[[1.0, 0.0, 0.0], [0.3, 0.9, 0.0], [0.0, 0.2, 1.1]], pbc=True, positions=[[0.2, 0.1, 0.0]])
    unwrapped = bulk("Cu", "fcc", a=3.61, cubic=True).repeat((2, 1, 1))
    unwrapped.rattle(0.05, seed=3)
    unwrapped.positions += rng.integers(-3, 4, size=(len(unwrapped), 3)) @ unwrapped.cell.array
    return [
        neighbor_case("molecule", molecule, 2.5),
        neighbor_case("fcc Cu 2x2x2", cu, 3.0),
        neighbor_case("fcc Cu 2x2x2, second shell", cu, 4.5),
        neighbor_case("skewed triclinic cell, cutoff above its heights", skewed, 4.0),
        neighbor_case("slab periodic along a and b", slab, 3.5),
        neighbor_case("one atom in a tiny cell", tiny, 2.5),
        neighbor_case("fcc Cu with unwrapped positions", unwrapped, 3.0),
    ]


def lennard_jones(rng, out):
    """Writes lennard_jones.extxyz (ASE's smooth LJ on two structures) and lennard_jones_md.extxyz (a trajectory)."""
    parameters = dict(sigma=3.4, epsilon=0.0104, rc=8.0, smooth=True)
    argon = bulk("Ar", "fcc", a=5.26, cubic=True).repeat((2, 2, 2))
    argon.rattle(0.1, seed=4)
    bipyramid = [[0, 0, 0], [3.8, 0, 0], [1.9, 3.3, 0], [1.9, 1.1, 3.1], [1.9, 1.1, -3.1]]
    cluster = Atoms("Ar5", positions=np.array(bipyramid) + rng.normal(scale=0.1, size=(5, 3)))
    frames = []
    for atoms in (argon.copy(), cluster):
        atoms.calc = LennardJones(**parameters)
        atoms.get_potential_energy()
        if atoms.cell.rank == 3:
            atoms.get_stress()
        atoms.info.update(sigma=parameters["sigma"], epsilon=parameters["epsilon"], rc=parameters["rc"])
        frames.append(atoms)
    ase.io.write(os.path.join(out, "lennard_jones.extxyz"), frames, format="extxyz")

    atoms = argon.copy()
    atoms.calc = LennardJones(**parameters)
    # Momenta by a formula the Java test repeats: p = 1.5 sqrt(m kB 300 K) sin(1 + 3a + c).
    index = np.arange(3 * len(atoms)).reshape(-1, 3) + 1
    atoms.set_momenta(1.5 * np.sqrt(atoms.get_masses() * ase.units.kB * 300)[:, None] * np.sin(index))
    timestep = 5.0
    trajectory = []

    def record(step):
        frame = atoms.copy()
        frame.calc = None
        frame.info.update(step=step, timestep_fs=timestep, potential_energy=atoms.get_potential_energy(),
                          kinetic_energy=atoms.get_kinetic_energy(), temperature=atoms.get_temperature())
        trajectory.append(frame)

    record(0)
    dyn = VelocityVerlet(atoms, timestep=timestep * ase.units.fs)
    for step in range(1, 11):
        dyn.run(1)
        record(step)
    ase.io.write(os.path.join(out, "lennard_jones_md.extxyz"), trajectory, format="extxyz")


def extxyz_frames(rng):
    cu = bulk("Cu", "fcc", a=3.61).repeat((2, 1, 1))
    cu.rattle(0.05, seed=5)
    molecule = Atoms("CH4", positions=rng.uniform(0, 2, size=(5, 3)))
    frames = []
    for atoms in (cu, molecule):
        results = {"energy": float(rng.normal()), "forces": rng.normal(size=(len(atoms), 3))}
        if atoms.pbc.all():
            results["stress"] = rng.normal(size=6)
        atoms.calc = SinglePointCalculator(atoms, **results)
        frames.append(atoms)
    return frames


def check(path):
    for index, atoms in enumerate(ase.io.read(path, index=":", format="extxyz")):
        print(f"frame {index}: {atoms.get_chemical_formula()} pbc={atoms.pbc.tolist()} "
              f"cell={atoms.cell.array.round(6).tolist()} energy={atoms.get_potential_energy()} "
              f"max|F|={np.abs(atoms.get_forces()).max():.6f} first={atoms.positions[0].tolist()}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="reference/ase")
    parser.add_argument("--check", metavar="FILE", help="read an extxyz file with ASE instead")
    args = parser.parse_args()
    if args.check:
        check(args.check)
        return
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "neighbor_list.json"), "w") as f:
        json.dump({"ase": ase.__version__, "cases": neighbor_cases(np.random.default_rng(1))}, f)
    with open(os.path.join(args.out, "elements.json"), "w") as f:
        json.dump({"ase": ase.__version__, "symbols": ase.data.chemical_symbols[1:119],
                   "masses": ase.data.atomic_masses[1:119].tolist(), "fs": ase.units.fs, "kB": ase.units.kB}, f)
    lennard_jones(np.random.default_rng(2), args.out)
    ase.io.write(os.path.join(args.out, "ase_written.extxyz"), extxyz_frames(np.random.default_rng(3)),
                 format="extxyz")


if __name__ == "__main__":
    main()
