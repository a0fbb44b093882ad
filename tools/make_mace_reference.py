"""Reference data for mace-torch v0.3.6 (e3nn 0.4.4) models, in the layout of `reference/models/mace-public`.

For each configuration in `CONFIGS` this script builds the model in float64 under
`torch.manual_seed(model_seed)` (parameters that MACE initialises to all zeros, if any, are then redrawn standard
normal and listed in `perturbed_zero_parameters`), draws or builds its structures, runs it and writes
`<out>/<name>/`:

- `state_dict.safetensors`: written by `export_mace.export` (`normalize2mom` constants and constructor in
  `__metadata__`);
- `reference.json`: mace-public's keys — constructor, derived irreps and conv_tp instructions, the state_dict
  table, the activation constants, `structures`, `batch_inputs` (MACE's input dictionary), `edges`,
  `intermediates` (node embedding, edge spherical harmonics and radial features, per interaction its output
  `[message reshaped to [nodes, channels, (max_ell+1)^2], self-connection or null]`, the product block's output
  and the readout's node energies), `outputs` (energy, node energy, interaction energy (ScaleShiftMACE) or
  contributions (MACE), forces, node_feats; for periodic structures also mace's `stress` and `virials`), an
  equivariance check and a parameter-gradient sanity count — plus `outputs_float32`: the same model after
  `.float()` on the same inputs rounded to float32 (energy, node energy, forces, stress), for float32 tolerances.

Inputs, drawn with `numpy.random.default_rng(data_seed)`: molecules grow atom by atom (each new atom at a
distance uniform in [0.95, 1.55) A from a random earlier one, in a uniform random direction, redrawn while
closer than 0.9 A to any atom; species uniform over the model's elements; then centred on the origin); periodic
structures are built with ASE and rattled (normal, `rattle` A).

Edges: `mace_graph.neighborhood` (MACE's `get_neighborhood` with ASE's neighbour list in place of matscipy's;
the same edge set, sorted by sender, receiver, unit shift), checked here against a brute-force image search.
Forces: `compute_force=True`; periodic structures run with `compute_stress=True` (mace's stress: the derivative
of the energy by a symmetric strain of positions and cell, divided by |det cell| — for the slab the cell includes
its vacuum).

Usage (the MACE environment on PYTHONPATH, see reference/models/README.md)::

    python3 tools/make_mace_reference.py [--out reference/models] [config ...]
"""
import argparse
import copy
import json
import os
import sys
from collections import OrderedDict

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_mace import MACE_VERSION, build_model, export, model_class_for  # noqa: E402  (imports mace)
from mace_graph import batch, brute_force_neighborhood, from_atoms  # noqa: E402

import e3nn  # noqa: E402
from ase import Atoms  # noqa: E402
from ase.build import bulk, fcc100  # noqa: E402
from ase.data import chemical_symbols  # noqa: E402
from e3nn import o3  # noqa: E402
from e3nn.math import normalize2mom  # noqa: E402

CONFIGS = OrderedDict(
    [
        (
            "mace-l2-corr3",
            dict(
                constructor=OrderedDict(
                    [
                        ("r_max", 4.0),
                        ("num_bessel", 6),
                        ("num_polynomial_cutoff", 6),
                        ("max_ell", 2),
                        ("interaction_cls_first", "RealAgnosticInteractionBlock"),
                        ("interaction_cls", "RealAgnosticResidualInteractionBlock"),
                        ("num_interactions", 3),
                        ("num_elements", 4),
                        ("hidden_irreps", "8x0e+8x1o+8x2e"),
                        ("MLP_irreps", "8x0e"),
                        ("atomic_energies", [-13.62, -1029.41, -1484.87, -2041.93]),
                        ("atomic_numbers", [1, 6, 7, 8]),
                        ("correlation", 3),
                        ("gate", "silu"),
                        ("pair_repulsion", False),
                        ("distance_transform", "None"),
                        ("radial_MLP", [16, 16]),
                        ("radial_type", "bessel"),
                        ("atomic_inter_scale", 0.85),
                        ("atomic_inter_shift", -0.35),
                    ]
                ),
                molecules=[6, 8, 5],
                model_seed=2031,
                data_seed=31,
            ),
        ),
        (
            "mace-plain",
            dict(
                constructor=OrderedDict(
                    [
                        ("r_max", 4.5),
                        ("num_bessel", 8),
                        ("num_polynomial_cutoff", 5),
                        ("max_ell", 3),
                        ("interaction_cls_first", "RealAgnosticResidualInteractionBlock"),
                        ("interaction_cls", "RealAgnosticResidualInteractionBlock"),
                        ("num_interactions", 2),
                        ("num_elements", 4),
                        ("hidden_irreps", "16x0e+16x1o"),
                        ("MLP_irreps", "8x0e"),
                        ("atomic_energies", [-13.58, -1029.62, -2042.11, -10831.27]),
                        ("atomic_numbers", [1, 6, 8, 16]),
                        ("correlation", [2, 3]),
                        ("gate", "silu"),
                        ("pair_repulsion", False),
                        ("distance_transform", "None"),
                        ("radial_MLP", [16, 16, 16]),
                        ("radial_type", "bessel"),
                    ]
                ),
                molecules=[5, 7, 4],
                model_seed=2032,
                data_seed=32,
            ),
        ),
        (
            "mace-periodic",
            dict(
                constructor=OrderedDict(
                    [
                        ("r_max", 4.0),
                        ("num_bessel", 6),
                        ("num_polynomial_cutoff", 5),
                        ("max_ell", 2),
                        ("interaction_cls_first", "RealAgnosticResidualInteractionBlock"),
                        ("interaction_cls", "RealAgnosticResidualInteractionBlock"),
                        ("num_interactions", 2),
                        ("num_elements", 2),
                        ("hidden_irreps", "8x0e+8x1o"),
                        ("MLP_irreps", "8x0e"),
                        ("atomic_energies", [-2041.93, -1640.12]),
                        ("atomic_numbers", [8, 29]),
                        ("correlation", 2),
                        ("gate", "silu"),
                        ("pair_repulsion", False),
                        ("distance_transform", "None"),
                        ("radial_MLP", [16, 16]),
                        ("radial_type", "bessel"),
                        ("atomic_inter_scale", 1.3),
                        ("atomic_inter_shift", -3.1),
                    ]
                ),
                periodic=True,
                rattle=0.08,
                model_seed=2033,
                data_seed=33,
            ),
        ),
        (
            "mace-tanh-l3",
            dict(
                constructor=OrderedDict(
                    [
                        ("r_max", 3.5),
                        ("num_bessel", 5),
                        ("num_polynomial_cutoff", 4),
                        ("max_ell", 3),
                        ("interaction_cls_first", "RealAgnosticInteractionBlock"),
                        ("interaction_cls", "RealAgnosticResidualInteractionBlock"),
                        ("num_interactions", 2),
                        ("num_elements", 3),
                        ("hidden_irreps", "12x0e+12x1o+12x2e"),
                        ("MLP_irreps", "6x0e"),
                        ("atomic_energies", [-13.62, -1029.41, -2041.93]),
                        ("atomic_numbers", [1, 6, 8]),
                        ("correlation", 2),
                        ("gate", "tanh"),
                        ("pair_repulsion", False),
                        ("distance_transform", "None"),
                        ("radial_MLP", [8, 12, 8]),
                        ("radial_type", "bessel"),
                        ("atomic_inter_scale", 0.7),
                        ("atomic_inter_shift", 0.2),
                    ]
                ),
                molecules=[7, 4, 1],
                model_seed=2034,
                data_seed=34,
            ),
        ),
        (
            "mace-zbl-agnesi",
            dict(
                # MACE-MP-0b's radial options: the Agnesi transform and the ZBL pair repulsion (scaled and shifted
                # with the interaction energies, as ScaleShiftMACE does)
                constructor=OrderedDict(
                    [
                        ("r_max", 4.0),
                        ("num_bessel", 6),
                        ("num_polynomial_cutoff", 5),
                        ("max_ell", 2),
                        ("interaction_cls_first", "RealAgnosticInteractionBlock"),
                        ("interaction_cls", "RealAgnosticResidualInteractionBlock"),
                        ("num_interactions", 2),
                        ("num_elements", 3),
                        ("hidden_irreps", "8x0e+8x1o+8x2e"),
                        ("MLP_irreps", "8x0e"),
                        ("atomic_energies", [-13.62, -1029.41, -2041.93]),
                        ("atomic_numbers", [1, 6, 8]),
                        ("correlation", 3),
                        ("gate", "silu"),
                        ("pair_repulsion", True),
                        ("distance_transform", "Agnesi"),
                        ("radial_MLP", [16, 16]),
                        ("radial_type", "bessel"),
                        ("atomic_inter_scale", 0.9),
                        ("atomic_inter_shift", -0.25),
                    ]
                ),
                molecules=[6, 5, 3],
                model_seed=2035,
                data_seed=35,
            ),
        ),
        (
            "mace-gaussian-soft",
            dict(
                # a Gaussian basis of softly transformed lengths, with ZBL, in periodic cells (the repulsion's stress)
                constructor=OrderedDict(
                    [
                        ("r_max", 4.2),
                        ("num_bessel", 7),
                        ("num_polynomial_cutoff", 6),
                        ("max_ell", 2),
                        ("interaction_cls_first", "RealAgnosticResidualInteractionBlock"),
                        ("interaction_cls", "RealAgnosticResidualInteractionBlock"),
                        ("num_interactions", 2),
                        ("num_elements", 2),
                        ("hidden_irreps", "8x0e+8x1o"),
                        ("MLP_irreps", "8x0e"),
                        ("atomic_energies", [-2041.93, -1640.12]),
                        ("atomic_numbers", [8, 29]),
                        ("correlation", 2),
                        ("gate", "silu"),
                        ("pair_repulsion", True),
                        ("distance_transform", "Soft"),
                        ("radial_MLP", [16, 16]),
                        ("radial_type", "gaussian"),
                    ]
                ),
                periodic=True,
                rattle=0.15,
                model_seed=2036,
                data_seed=36,
            ),
        ),
    ]
)

PERIODIC_NOTES = [
    "fcc Cu, a = 3.61 A, 2x2x2 conventional cells (32 atoms), pbc all, rattled",
    "triclinic cell (a = 2.7, b = 2.9, c = 3.1 A; alpha 71, beta 79, gamma 63 degrees) with Cu and O, pbc all, "
    "rattled: every atom sees its own periodic images within r_max",
    "Cu fcc(100) slab, 2x2 surface cells x 3 layers, an O adatom at a hollow site, 6 A vacuum each side, "
    "pbc (T, T, F), rattled",
]


def _molecule(rng, size, atomic_numbers):
    """One random molecule, drawn as the module docstring says: (atomic numbers, positions [size, 3])."""
    positions = [np.zeros(3)]
    while len(positions) < size:
        anchor = positions[rng.integers(len(positions))]
        direction = rng.standard_normal(3)
        candidate = anchor + rng.uniform(0.95, 1.55) * direction / np.linalg.norm(direction)
        if min(np.linalg.norm(candidate - p) for p in positions) >= 0.9:
            positions.append(candidate)
    positions = np.array(positions)
    numbers = [atomic_numbers[k] for k in rng.integers(len(atomic_numbers), size=size)]
    return numbers, positions - positions.mean(axis=0)


def _periodic_structures(rng, rattle):
    """The three periodic structures of `PERIODIC_NOTES`, as ase.Atoms."""
    copper = bulk("Cu", "fcc", a=3.61, cubic=True).repeat(2)
    triclinic = Atoms(
        "CuO",
        cell=[2.7, 2.9, 3.1, 71.0, 79.0, 63.0],
        scaled_positions=[[0.1, 0.2, 0.15], [0.55, 0.6, 0.5]],
        pbc=True,
    )
    slab = fcc100("Cu", size=(2, 2, 3), a=3.61, vacuum=6.0)
    top = slab.positions[:, 2].max()
    hollow = slab.positions[slab.positions[:, 2] == top][:, :2].mean(axis=0)
    slab += Atoms("O", positions=[[hollow[0], hollow[1], top + 0.9]])
    slab.pbc = (True, True, False)
    structures = []
    for atoms in (copper, triclinic, slab):
        atoms.positions += rng.normal(0.0, rattle, size=atoms.positions.shape)
        structures.append(from_atoms(atoms))
    return structures


def _structures(config, atomic_numbers):
    rng = np.random.default_rng(config["data_seed"])
    if config.get("periodic"):
        return _periodic_structures(rng, config["rattle"])
    structures = []
    for size in config["molecules"]:
        numbers, positions = _molecule(rng, size, atomic_numbers)
        structures.append(OrderedDict([("numbers", numbers), ("positions", positions), ("cell", None), ("pbc", [False] * 3)]))
    return structures


def _structure_json(structure, periodic, description):
    """A structure as reference.json lists it (mace-public writes `pbc: false` for its molecules)."""
    entry = OrderedDict(
        [
            ("symbols", [chemical_symbols[z] for z in structure["numbers"]]),
            ("atomic_numbers", list(structure["numbers"])),
            ("positions", structure["positions"]),
            ("pbc", structure["pbc"] if periodic else False),
            ("cell", structure["cell"]),
        ]
    )
    if description:
        entry["description"] = description
    return entry


def _check_edges(structures, r_max, data):
    """The edges of `data` against a brute-force image search, structure by structure."""
    ptr = data["ptr"].tolist()
    edge_index = data["edge_index"].numpy()
    unit_shifts = data["unit_shifts"].numpy().astype(int)
    for k, structure in enumerate(structures):
        cell = structure["cell"] if structure["cell"] is not None else np.identity(3)
        expected = brute_force_neighborhood(structure["positions"], r_max, structure["pbc"], cell)
        mask = (edge_index[0] >= ptr[k]) & (edge_index[0] < ptr[k + 1])
        found = sorted(
            (int(i) - ptr[k], int(j) - ptr[k], *map(int, s))
            for i, j, s in zip(edge_index[0][mask], edge_index[1][mask], unit_shifts[mask])
        )
        if found != expected:
            raise AssertionError(f"structure {k}: neighbour list differs from the brute-force search")


def _perturb_zero_parameters(model, generator):
    perturbed = []
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if parameter.numel() and not parameter.any():
                parameter.copy_(torch.randn(parameter.shape, generator=generator, dtype=parameter.dtype))
                perturbed.append(name)
    return perturbed


def _inputs(data):
    return {key: value.clone() for key, value in data.items()}


def _run(model, data, periodic, training=False):
    return model(_inputs(data), training=training, compute_force=True, compute_stress=periodic)


def _intermediates(model, data, periodic):
    """Node embedding, edge features and each interaction's, product's and readout's output, by forward hooks."""
    captured = OrderedDict()
    hooks = []

    def keep(key):
        def hook(_module, _inputs_, output):
            captured[key] = output

        return hook

    hooks.append(model.node_embedding.register_forward_hook(keep("node_embedding")))
    hooks.append(model.spherical_harmonics.register_forward_hook(keep("edge_attrs")))
    hooks.append(model.radial_embedding.register_forward_hook(keep("edge_feats")))
    for i, (interaction, product, readout) in enumerate(zip(model.interactions, model.products, model.readouts)):
        hooks.append(interaction.register_forward_hook(keep(f"interaction_{i}")))
        hooks.append(product.register_forward_hook(keep(f"product_{i}")))
        hooks.append(readout.register_forward_hook(keep(f"readout_{i}")))
    out = _run(model, data, periodic)
    for hook in hooks:
        hook.remove()
    ordered = OrderedDict((key, captured[key]) for key in ("node_embedding", "edge_attrs", "edge_feats"))
    for i in range(len(model.interactions)):
        message, sc = captured[f"interaction_{i}"]
        ordered[f"interaction_{i}"] = [message, sc]
        ordered[f"product_{i}"] = captured[f"product_{i}"]
        ordered[f"readout_{i}"] = captured[f"readout_{i}"]
    return ordered, out


def _outputs(out, scale_shift, periodic):
    keys = ["energy", "node_energy", "interaction_energy" if scale_shift else "contributions", "forces", "node_feats"]
    if periodic:
        keys += ["stress", "virials"]
    return OrderedDict((key, out[key]) for key in keys)


def _float32_outputs(model, data, periodic):
    single = copy.deepcopy(model).float()
    inputs = {key: value.float() if value.is_floating_point() else value for key, value in data.items()}
    out = single(inputs, training=False, compute_force=True, compute_stress=periodic)
    keys = ["energy", "node_energy", "forces"] + (["stress"] if periodic else [])
    return OrderedDict((key, out[key]) for key in keys)


def _rotated(data, rotation, translation):
    """MACE's inputs moved rigidly: positions R p + t, cell rows R c, shifts recomputed from the same unit shifts."""
    moved = _inputs(data)
    moved["positions"] = data["positions"] @ rotation.T + translation
    cells = data["cell"].view(-1, 3, 3) @ rotation.T
    moved["cell"] = cells.reshape(-1, 3)
    sender_graph = data["batch"][data["edge_index"][0]]
    moved["shifts"] = torch.einsum("ei,eij->ej", data["unit_shifts"], cells[sender_graph])
    return moved


def _interaction_energy(out):
    """The energy without the E0 sum: ScaleShiftMACE's `interaction_energy`, MACE's contributions after E0."""
    if "interaction_energy" in out:
        return out["interaction_energy"]
    return out["contributions"][:, 1:].sum(dim=-1)


def _equivariance(model, data, out, periodic, generator):
    """max |E(R x + t) - E(x)| (total and without E0), |F(R x + t) - R F(x)|, (periodic) |S(R x + t) - R S(x) R^T|."""
    rotation = o3.matrix_x(torch.rand((), generator=generator) * 6.0) @ o3.matrix_y(torch.rand((), generator=generator) * 6.0)
    rotation = rotation @ o3.matrix_x(torch.rand((), generator=generator) * 6.0)
    translation = torch.randn(3, generator=generator, dtype=torch.float64)
    moved = _run(model, _rotated(data, rotation, translation), periodic)
    check = OrderedDict(
        [
            ("max_abs_energy_diff", (moved["energy"] - out["energy"]).abs().max().item()),
            ("max_abs_interaction_energy_diff", (_interaction_energy(moved) - _interaction_energy(out)).abs().max().item()),
            ("max_abs_force_diff", (moved["forces"] - out["forces"] @ rotation.T).abs().max().item()),
        ]
    )
    if periodic:
        expected = rotation @ out["stress"] @ rotation.T
        check["max_abs_stress_diff"] = (moved["stress"] - expected).abs().max().item()
    return check


def _parameter_gradient_sanity(model, data):
    out = model(_inputs(data), training=True, compute_force=True)
    loss = out["energy"].sum() + out["forces"].pow(2).sum()
    parameters = OrderedDict(model.named_parameters())
    gradients = torch.autograd.grad(loss, list(parameters.values()), allow_unused=True)
    zero_entries = OrderedDict()
    count = 0
    for (name, parameter), gradient in zip(parameters.items(), gradients):
        count += parameter.numel()
        if not parameter.numel():
            continue
        flat = (torch.zeros_like(parameter) if gradient is None else gradient).reshape(-1).abs()
        small = (flat <= 1e-10 * flat.max()).nonzero().reshape(-1).tolist()
        if small:
            zero_entries[name] = small
    return OrderedDict(
        [
            ("test", "gradient of E.sum() + |F|^2 w.r.t. every parameter entry; listed entries have |g| <= 1e-10 * max|g| of their tensor"),
            ("num_parameter_entries", count),
            ("numerically_zero_gradient_entries", sum(len(v) for v in zero_entries.values())),
            ("by_tensor", zero_entries),
            (
                "note",
                "symmetric-contraction weights whose U basis element is an antisymmetric coupling (e.g. (1x1->1)) "
                "multiply a product that vanishes identically for x_c(x)x_c; they cannot influence any output "
                "(structural to MACE's U_matrix_real, not an initialisation issue)",
            ),
        ]
    )


def _derived(model, correlations):
    instructions = []
    mids = []
    for interaction in model.interactions:
        tp = interaction.conv_tp
        mids.append(str(tp.irreps_out))
        instructions.append(
            [[ins.i_in1, ins.i_in2, ins.i_out, ins.connection_mode, ins.has_weight, ins.path_weight] for ins in tp.instructions]
        )
    return OrderedDict(
        [
            ("sh_irreps", str(model.spherical_harmonics.irreps_out)),
            ("interaction_irreps (target of conv, input of products)", str(model.interactions[0].target_irreps)),
            ("irreps_mid conv_tp per interaction", mids),
            ("conv_tp instructions per interaction", instructions),
            ("product target irreps", [str(p.linear.irreps_out) for p in model.products]),
            ("correlation per product", correlations),
        ]
    )


def _state_dict_table(model):
    names = {torch.float64: "F64", torch.float32: "F32", torch.int64: "I64"}
    return [[name, list(tensor.shape), names[tensor.dtype]] for name, tensor in model.state_dict().items()]


def make_reference(name, config, out_dir):
    """Builds configuration `name`, runs it and writes its folder under `out_dir`; returns the reference."""
    torch.set_default_dtype(torch.float64)
    atomic_numbers = config["constructor"]["atomic_numbers"]
    r_max = config["constructor"]["r_max"]
    periodic = bool(config.get("periodic"))
    structures = _structures(config, atomic_numbers)
    data = batch(structures, atomic_numbers, r_max)
    _check_edges(structures, r_max, data)
    num_atoms = [len(s["numbers"]) for s in structures]
    edges = data["edge_index"].shape[1]
    constructor = OrderedDict()
    for key, value in config["constructor"].items():
        constructor[key] = value
        if key == "radial_type":
            constructor["avg_num_neighbors"] = edges / sum(num_atoms)

    model_class = model_class_for(constructor)
    scale_shift = model_class.endswith("ScaleShiftMACE")
    torch.manual_seed(config["model_seed"])
    model = build_model(constructor, model_class)
    generator = torch.Generator().manual_seed(config["model_seed"] + 1)
    perturbed = _perturb_zero_parameters(model, generator)

    intermediates, out = _intermediates(model, data, periodic)
    correlation = constructor["correlation"]
    correlations = correlation if isinstance(correlation, list) else [correlation] * constructor["num_interactions"]
    outputs = _outputs(out, scale_shift, periodic)
    outputs32 = _float32_outputs(model, data, periodic)
    equivariance = _equivariance(model, data, out, periodic, generator)
    sanity = _parameter_gradient_sanity(model, data)

    one_hot = "node_attrs (one-hot over atomic_numbers " + str(atomic_numbers).replace(" ", "") + ")"
    batch_inputs = OrderedDict([("positions", data["positions"]), (one_hot, data["node_attrs"]), ("batch", data["batch"]), ("ptr", data["ptr"])])
    if periodic:
        batch_inputs["shifts"] = data["shifts"]
        batch_inputs["unit_shifts"] = data["unit_shifts"]
        batch_inputs["cell"] = data["cell"]
    else:
        batch_inputs["shifts"] = "zeros (num_edges, 3)"
        batch_inputs["cell"] = "zeros (3*num_graphs, 3)"
    batch_inputs["num_atoms"] = num_atoms

    convention = (
        "edge_index[0]=sender, edge_index[1]=receiver; vector = pos[receiver] - pos[sender] + shift; messages summed "
        "into receiver, divided by avg_num_neighbors; "
        + (
            "MACE's get_neighborhood (pairs with |vector| < r_max over periodic images, shift = unit_shift @ cell, "
            "self-edges removed only for unit_shift 0, so atoms see their own images) with ASE's "
            "primitive_neighbor_list for matscipy's; non-periodic axes get MACE's enlarged temp_cell; "
            if periodic
            else "all ordered pairs i!=j within one molecule with |r| < r_max (no PBC, shifts 0); "
        )
        + "sorted by sender, then receiver, then unit shift"
    )
    structures_json = [
        _structure_json(s, periodic, PERIODIC_NOTES[k] if periodic else None) for k, s in enumerate(structures)
    ]

    reference = OrderedDict(
        [
            ("model", model_class),
            ("config", name),
            ("versions", OrderedDict([("mace", MACE_VERSION), ("e3nn", e3nn.__version__), ("torch", torch.__version__)])),
            ("dtype", "float64"),
            (
                "seeds",
                OrderedDict([("torch.manual_seed (model init)", config["model_seed"]), ("numpy default_rng (data)", config["data_seed"])]),
            ),
            ("constructor", constructor),
            (
                "constructor_notes",
                OrderedDict(
                    [
                        ("interaction classes", "names in mace.modules.interaction_classes"),
                        ("gate", "torch.nn.functional.silu"),
                        ("avg_num_neighbors", f"num_edges / num_atoms over the {len(structures)} reference structures"),
                    ]
                ),
            ),
            ("derived", _derived(model, correlations)),
            ("perturbed_zero_parameters", perturbed),
            ("state_dict_file", "state_dict.safetensors"),
            ("state_dict", _state_dict_table(model)),
            ("parameters", [n for n, _ in model.named_parameters()]),
            ("buffers", [n for n, _ in model.named_buffers()]),
            (
                "normalize2mom_constants",
                OrderedDict(
                    (n, OrderedDict([("cst", m.cst), ("is_identity", m._is_id)])) for n, m in model.named_modules() if isinstance(m, normalize2mom)
                ),
            ),
            ("structures", structures_json),
            ("batch_inputs", batch_inputs),
            ("edges", OrderedDict([("edge_index", data["edge_index"]), ("convention", convention)])),
            ("intermediates", intermediates),
            ("outputs", outputs),
            ("outputs_float32", outputs32),
            ("outputs_float32_note", "model.float() (every parameter and buffer rounded to float32) on the float32-rounded batch_inputs"),
            ("equivariance_check (random rotation + translation)", equivariance),
            ("sanity", sanity),
        ]
    )

    folder = os.path.join(out_dir, name)
    os.makedirs(folder, exist_ok=True)
    export(model, os.path.join(folder, "state_dict.safetensors"), config=name)
    with open(os.path.join(folder, "reference.json"), "w") as sink:
        json.dump(_plain(reference), sink, indent=1)
        sink.write("\n")
    return reference


def _plain(value):
    """Tensors and arrays as nested lists, recursively, for json."""
    if isinstance(value, torch.Tensor):
        return value.detach().tolist()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, dict):
        return OrderedDict((k, _plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference", "models"))
    parser.add_argument("configs", nargs="*", help=f"any of {', '.join(CONFIGS)} (default: all)")
    args = parser.parse_args(argv)
    unknown = [name for name in args.configs if name not in CONFIGS]
    if unknown:
        parser.error(f"unknown configurations {unknown}; known: {list(CONFIGS)}")
    torch.set_num_threads(1)
    for name in args.configs or CONFIGS:
        reference = make_reference(name, CONFIGS[name], args.out)
        outputs = reference["outputs"]
        float32 = reference["outputs_float32"]
        print(
            f"{name}: {sum(reference['batch_inputs']['num_atoms'])} atoms, {reference['edges']['edge_index'].shape[1]} edges, "
            f"max|E| {outputs['energy'].abs().max().item():.6g}, max|F| {outputs['forces'].abs().max().item():.4g}, "
            f"f32-f64 max|dE| {(float32['energy'].double() - outputs['energy']).abs().max().item():.2e} "
            f"max|dF| {(float32['forces'].double() - outputs['forces']).abs().max().item():.2e}, "
            f"equivariance {dict(reference['equivariance_check (random rotation + translation)'])}, "
            f"zero-gradient entries {reference['sanity']['numerically_zero_gradient_entries']}"
        )


if __name__ == "__main__":
    main()
