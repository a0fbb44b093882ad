"""Reference parameter gradients for training e3nn 0.5.4's `gate_points_2101.Network` on energies and forces.

Writes `reference/training/gate_points.json` (and the state_dict of the model it draws,
`reference/training/gate_points-energy.safetensors`, via `export_e3nn.export`) with, for each configuration:

- `loss`: with the energy `E_g = out[g, 0]` of each graph (a `0e` output of a `reduce_output` network) and the forces
  `F = -dE/dpos` (autograd with `create_graph=True`), `loss = energy_weight * mean((E - E_ref)^2) +
  force_weight * mean((F - F_ref)^2)` for drawn targets, its value and `d loss / d params`;
- `primitive`: for random `a`, `c` (shaped like the output) and `v` (like `pos`), `d/d params` of
  `sum(a * out) + sum(v * d(sum(c * out))/d pos)`.

Gradients are flat, in `model.named_parameters()` order (listed with their sizes under `parameters`), which is
e3j's flat parameter layout. Configurations:

- `gate_points-public`: `reference/models/gate_points-public` as it is (its state_dict, normalize2mom constants and
  inputs); its output is `1x0e+1x1o`, so the energy is the `0e` output and the primitive's `a`, `c` cover the `1o`.
- `gate_points-energy`: a network drawn here with one-hot node attributes and a `1x0e` output (an energy model).
- `gate_points-deep`: drawn the same way after it (added later, as a configuration the code was not written against):
  three layers, three radial layers, `l = 3` of both parities, output `1x0e+1x1o`.

Usage (e3nn 0.5.4 on PYTHONPATH, see reference/models/README.md)::

    python3 tools/make_gate_points_training_reference.py [--out reference/training]
"""
import argparse
import json
import os
import sys
from collections import OrderedDict

import numpy as np
import torch
from e3nn import o3
from e3nn.math import normalize2mom
from e3nn.nn.models.gate_points_2101 import Network

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_e3nn import export, read_safetensors  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
PUBLIC = os.path.join(ROOT, "reference", "models", "gate_points-public")

ENERGY_NETWORK = dict(
    irreps_in=None,
    irreps_hidden="6x0e+4x0o+3x1e+3x1o+2x2e",
    irreps_out="1x0e",
    irreps_node_attr="2x0e",
    irreps_edge_attr="0e+1o+2e",
    layers=2,
    max_radius=2.0,
    number_of_basis=6,
    radial_layers=2,
    radial_neurons=8,
    reduce_output=True,
)
ENERGY_GRAPHS = [5, 4, 6]
ENERGY_BOX = 2.0
ENERGY_MODEL_SEED = 2201
DATA_SEED = 2202
ENERGY_WEIGHT = 0.7
FORCE_WEIGHT = 3.0

# Added later, as a configuration the code was not written against: three layers, three radial layers, l = 3 of both
# parities in the hidden and edge irreps.
DEEP_NETWORK = dict(
    irreps_in=None,
    irreps_hidden="3x0e+2x0o+2x1o+2x1e+1x2e+1x2o+1x3o+1x3e",
    irreps_out="1x0e+1x1o",
    irreps_node_attr="3x0e",
    irreps_edge_attr="0e+1o+2e+3o",
    layers=3,
    max_radius=1.9,
    number_of_basis=5,
    radial_layers=3,
    radial_neurons=6,
    reduce_output=True,
)
DEEP_GRAPHS = [4, 6, 5]
DEEP_BOX = 2.1
DEEP_MODEL_SEED = 2203


def _data(pos, batch, z):
    data = {"pos": pos, "batch": batch}
    if z is not None:
        data["z"] = z
    return data


def _flat_gradient(model, scalar):
    parameters = [p for p in model.parameters()]
    gradients = torch.autograd.grad(scalar, parameters, allow_unused=True)
    return torch.cat([(torch.zeros_like(p) if g is None else g).reshape(-1) for p, g in zip(parameters, gradients)])


def _loss(model, pos, batch, z, energies, forces):
    out = model(_data(pos, batch, z))
    energy = out[:, 0]
    force = -torch.autograd.grad(energy.sum(), pos, create_graph=True)[0]
    return ENERGY_WEIGHT * ((energy - energies) ** 2).mean() + FORCE_WEIGHT * ((force - forces) ** 2).mean(), energy, force


def _configuration(model, pos, batch, z, rng):
    """The loss and primitive entries for `model` on one batch; targets and cotangents drawn from `rng`."""
    pos = pos.clone().requires_grad_(True)
    with torch.no_grad():
        out = model(_data(pos, batch, z))
    energies = out[:, 0] + torch.tensor(rng.standard_normal(out.shape[0])) * 0.5
    forces = torch.tensor(rng.standard_normal(tuple(pos.shape)))
    loss, energy, force = _loss(model, pos, batch, z, energies, forces)
    loss_gradient = _flat_gradient(model, loss)

    a = torch.tensor(rng.standard_normal(tuple(out.shape)))
    c = torch.tensor(rng.standard_normal(tuple(out.shape)))
    v = torch.tensor(rng.standard_normal(tuple(pos.shape)))
    out = model(_data(pos, batch, z))
    grad_pos = torch.autograd.grad((c * out).sum(), pos, create_graph=True)[0]
    primitive = (a * out).sum() + (v * grad_pos).sum()
    primitive_gradient = _flat_gradient(model, primitive)
    return OrderedDict(
        [
            ("parameters", [[name, p.numel()] for name, p in model.named_parameters()]),
            ("inputs", OrderedDict([("pos", pos), ("batch", batch), ("z", z)])),
            (
                "loss",
                OrderedDict(
                    [
                        ("energy_weight", ENERGY_WEIGHT),
                        ("force_weight", FORCE_WEIGHT),
                        ("energies", energies),
                        ("forces", forces),
                        ("predicted_energies", energy),
                        ("predicted_forces", force),
                        ("value", loss.item()),
                        ("gradient", loss_gradient),
                    ]
                ),
            ),
            (
                "primitive",
                OrderedDict([("a", a), ("c", c), ("v", v), ("value", primitive.item()), ("gradient", primitive_gradient)]),
            ),
        ]
    )


def _public(rng):
    with open(os.path.join(PUBLIC, "reference.json")) as source:
        reference = json.load(source)
    torch.manual_seed(0)
    model = Network(**reference["constructor"])
    state_dict, metadata = read_safetensors(os.path.join(PUBLIC, "state_dict.safetensors"))
    model.load_state_dict(state_dict)
    constants = json.loads(metadata["normalize2mom"])
    for name, module in model.named_modules():
        if isinstance(module, normalize2mom):
            module.cst = constants[name]
    pos = torch.tensor(reference["inputs"]["pos"])
    batch = torch.tensor(reference["inputs"]["batch"])
    entry = _configuration(model, pos, batch, None, rng)
    entry["state_dict"] = "../models/gate_points-public/state_dict.safetensors"
    entry["constructor"] = reference["constructor"]
    return entry


def _drawn(rng, out_dir, name, network, graphs, box, model_seed):
    """A network drawn under `model_seed` with one-hot node attributes, on clouds drawn from `rng`."""
    pos = torch.tensor(np.concatenate([rng.uniform(0.0, box, size=(n, 3)) for n in graphs]))
    batch = torch.tensor(np.repeat(np.arange(len(graphs)), graphs))
    species_count = o3.Irreps(network["irreps_node_attr"]).dim
    z = torch.nn.functional.one_hot(torch.tensor(rng.integers(0, species_count, size=len(pos))), species_count)
    z = z.to(torch.float64)
    edges = sum(
        ((pos[i] - pos[j]).norm() < network["max_radius"]).item()
        for i in range(len(pos))
        for j in range(len(pos))
        if i != j and batch[i] == batch[j]
    )
    constructor = OrderedDict(network)
    constructor["num_neighbors"] = edges / len(pos)
    constructor["num_nodes"] = len(pos) / len(graphs)
    torch.manual_seed(model_seed)
    model = Network(**constructor)
    export(model, os.path.join(out_dir, name + ".safetensors"), constructor, {"config": name})
    entry = _configuration(model, pos, batch, z, rng)
    entry["state_dict"] = name + ".safetensors"
    entry["constructor"] = constructor
    return entry


def _plain(value):
    """Tensors as nested lists, recursively, for json."""
    if isinstance(value, torch.Tensor):
        return value.detach().tolist()
    if isinstance(value, dict):
        return OrderedDict((k, _plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=os.path.join(ROOT, "reference", "training"))
    args = parser.parse_args(argv)
    torch.set_default_dtype(torch.float64)
    torch.set_num_threads(1)
    os.makedirs(args.out, exist_ok=True)
    rng = np.random.default_rng(DATA_SEED)
    reference = OrderedDict(
        [
            ("model", "e3nn.nn.models.gate_points_2101.Network"),
            ("e3nn", __import__("e3nn").__version__),
            ("torch", torch.__version__),
            ("dtype", "float64"),
            ("data_seed", DATA_SEED),
            (
                "configurations",
                OrderedDict(
                    [
                        ("gate_points-public", _public(rng)),
                        (
                            "gate_points-energy",
                            _drawn(rng, args.out, "gate_points-energy", ENERGY_NETWORK, ENERGY_GRAPHS, ENERGY_BOX,
                                   ENERGY_MODEL_SEED),
                        ),
                        (
                            "gate_points-deep",
                            _drawn(rng, args.out, "gate_points-deep", DEEP_NETWORK, DEEP_GRAPHS, DEEP_BOX,
                                   DEEP_MODEL_SEED),
                        ),
                    ]
                ),
            ),
        ]
    )
    path = os.path.join(args.out, "gate_points.json")
    with open(path, "w") as sink:
        json.dump(_plain(reference), sink, separators=(",", ":"))
        sink.write("\n")
    for name, entry in reference["configurations"].items():
        print(f"{name}: {len(entry['loss']['gradient'])} parameters, loss {entry['loss']['value']:.6g}")
    print(f"{path}: {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
