"""Reference for training MACE in e3j: mace-torch v0.3.6's energy/force(/stress) loss and its parameter gradient.

For each case in `CASES` the model of `reference/models/<model>` is rebuilt from its `state_dict.safetensors`
(float64), run on that folder's structures with `training=True` (forces and, for cells, stress kept in the autograd
graph), and given made-up targets drawn with `numpy.random.default_rng(seed)`, in this order: per structure a config
weight (uniform [0.5, 2)), an energy offset (normal, 0.05 eV per atom) added to the model's energy, forces (the
model's scaled by uniform [0.5, 1.5) per structure plus normal noise of 0.1 eV/A) and, for cells, stress (the
model's plus normal noise of 0.01). The loss is mace's `WeightedEnergyForcesLoss` or
`WeightedEnergyForcesStressLoss` (`mace/modules/loss.py`) with the case's weights; its gradient with respect to
every `model.named_parameters()` tensor comes from `torch.autograd.grad` (second derivatives through the forces).

Written (compact) to `reference/models/<model>/training.json`: the loss weights, the targets,
the loss value, and per parameter tensor (in `named_parameters` order) its name, size, Euclidean norm, the
gradient's entries at three indices (the first, the largest in magnitude, one drawn) and its inner products with
`PROJECTIONS` pseudo-random vectors: vector k of tensor j has entries `2 u - 1` for the successive `u` of
`splitmix64` seeded with `7919 (j + 1) + k` (`u` = the top 53 bits of each output times 2^-53), so the Java test
regenerates them and any wrong entry changes a projection.

Usage (the MACE environment on PYTHONPATH, see reference/models/README.md)::

    python3 tools/make_mace_training_reference.py [--models reference/models] [case ...]
"""
import argparse
import json
import os
import sys
from collections import OrderedDict

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_mace import load_model  # noqa: E402  (imports mace)
from mace_graph import batch  # noqa: E402
from mace.modules.loss import WeightedEnergyForcesLoss, WeightedEnergyForcesStressLoss  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
MODELS = os.path.join(ROOT, "reference", "models")
PROJECTIONS = 2
MASK = (1 << 64) - 1

CASES = OrderedDict(
    [
        ("mace-public", dict(model="mace-public", energy_weight=1.0, forces_weight=10.0, stress_weight=None, seed=221)),
        ("mace-periodic", dict(model="mace-periodic", energy_weight=2.0, forces_weight=5.0, stress_weight=3.0, seed=222)),
        ("mace-plain", dict(model="mace-plain", energy_weight=1.0, forces_weight=100.0, stress_weight=None, seed=223)),
        ("mace-l2-corr3", dict(model="mace-l2-corr3", energy_weight=3.0, forces_weight=1.0, stress_weight=None, seed=224)),
        ("mace-tanh-l3", dict(model="mace-tanh-l3", energy_weight=1.0, forces_weight=20.0, stress_weight=None, seed=225)),
        ("mace-zbl-agnesi", dict(model="mace-zbl-agnesi", energy_weight=1.0, forces_weight=10.0, stress_weight=None, seed=226)),
        ("mace-gaussian-soft", dict(model="mace-gaussian-soft", energy_weight=1.0, forces_weight=5.0, stress_weight=2.0, seed=227)),
    ]
)


def splitmix64_uniform(seed, count):
    """`count` numbers in [-1, 1): 2 u - 1 for splitmix64's successive outputs from `seed` (see the docstring)."""
    state = seed & MASK
    values = np.empty(count)
    for i in range(count):
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        z ^= z >> 31
        values[i] = 2.0 * ((z >> 11) * 2.0**-53) - 1.0
    return values


class Reference:
    """The part of a torch_geometric Batch that mace's loss functions read."""

    def __init__(self, ptr, weight, energy, forces, stress):
        self.ptr = ptr
        self.weight = weight
        self.energy_weight = torch.ones_like(weight)
        self.forces_weight = torch.ones_like(weight)
        self.stress_weight = torch.ones_like(weight)
        self._values = {"energy": energy, "forces": forces, "stress": stress}

    def __getitem__(self, key):
        return self._values[key]


def _structures(reference):
    structures = []
    for item in reference["structures"]:
        cell = item["cell"]
        pbc = item["pbc"] if isinstance(item["pbc"], list) else [False] * 3
        structures.append(
            OrderedDict(
                [
                    ("numbers", item["atomic_numbers"]),
                    ("positions", np.asarray(item["positions"], dtype=np.float64)),
                    ("cell", None if cell is None else np.asarray(cell, dtype=np.float64)),
                    ("pbc", pbc),
                ]
            )
        )
    return structures


def make_case(case, models):
    folder = os.path.join(models, case["model"])
    with open(os.path.join(folder, "reference.json")) as source:
        reference = json.load(source, object_pairs_hook=OrderedDict)
    constructor = reference["constructor"]
    model = load_model(os.path.join(folder, "state_dict.safetensors"), constructor)
    structures = _structures(reference)
    periodic = case["stress_weight"] is not None
    data = batch(structures, constructor["atomic_numbers"], constructor["r_max"])
    out = model(dict(data), training=True, compute_force=True, compute_stress=periodic)

    rng = np.random.default_rng(case["seed"])
    sizes = [len(s["numbers"]) for s in structures]
    weight = rng.uniform(0.5, 2.0, size=len(structures))
    energy = out["energy"].detach().numpy() + rng.normal(0.0, 0.05, size=len(structures)) * np.array(sizes)
    forces = out["forces"].detach().numpy().copy()
    start = 0
    for size in sizes:
        forces[start:start + size] *= rng.uniform(0.5, 1.5)
        start += size
    forces += rng.normal(0.0, 0.1, size=forces.shape)
    stress = None
    if periodic:
        stress = out["stress"].detach().numpy() + rng.normal(0.0, 0.01, size=(len(structures), 3, 3))

    ref = Reference(
        data["ptr"],
        torch.tensor(weight),
        torch.tensor(energy),
        torch.tensor(forces),
        None if stress is None else torch.tensor(stress),
    )
    if periodic:
        loss_fn = WeightedEnergyForcesStressLoss(case["energy_weight"], case["forces_weight"], case["stress_weight"])
    else:
        loss_fn = WeightedEnergyForcesLoss(case["energy_weight"], case["forces_weight"])
    loss = loss_fn(ref, out)
    names, parameters = zip(*model.named_parameters())
    gradients = torch.autograd.grad(loss, parameters, allow_unused=True)

    tensors = []
    for j, (name, parameter, gradient) in enumerate(zip(names, parameters, gradients)):
        flat = (torch.zeros_like(parameter) if gradient is None else gradient).detach().reshape(-1).numpy()
        drawn = int(rng.integers(flat.size))
        indices = sorted({0, int(np.argmax(np.abs(flat))), drawn})
        projections = [float(splitmix64_uniform(7919 * (j + 1) + k, flat.size) @ flat) for k in range(PROJECTIONS)]
        tensors.append(
            OrderedDict(
                [
                    ("name", name),
                    ("numel", int(flat.size)),
                    ("norm", float(np.linalg.norm(flat))),
                    ("entries", [[i, float(flat[i])] for i in indices]),
                    ("projections", projections),
                ]
            )
        )
    targets = OrderedDict(
        [
            ("weight", weight.tolist()),
            ("energy", energy.tolist()),
            ("forces", forces.tolist()),
            ("stress", None if stress is None else stress.tolist()),
        ]
    )
    return OrderedDict(
        [
            ("model", case["model"]),
            ("loss", "WeightedEnergyForcesStressLoss" if periodic else "WeightedEnergyForcesLoss"),
            ("energy_weight", case["energy_weight"]),
            ("forces_weight", case["forces_weight"]),
            ("stress_weight", case["stress_weight"] if periodic else 0.0),
            ("seed", case["seed"]),
            ("targets", targets),
            ("loss_value", float(loss)),
            ("gradient", tensors),
        ]
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default=MODELS, help="the folder of the model folders")
    parser.add_argument("cases", nargs="*", help=f"cases to write (default: all of {list(CASES)})")
    args = parser.parse_args(argv)
    torch.set_default_dtype(torch.float64)
    for name in args.cases or CASES:
        case = CASES[name]
        result = OrderedDict([("description", __doc__.split("\n\n")[0]), ("projections", PROJECTIONS)])
        result.update(make_case(case, args.models))
        with open(os.path.join(args.models, case["model"], "training.json"), "w") as sink:
            json.dump(result, sink, indent=1)
            sink.write("\n")


if __name__ == "__main__":
    main()
