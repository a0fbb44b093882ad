"""Reference data for e3nn 0.5.4's `e3nn.nn.models.gate_points_2101.Network`, in the layout of
`reference/models/gate_points-public`.

For each configuration below this script draws small point clouds, builds the network in float64 under
`torch.manual_seed(model_seed)`, runs it and writes `<out>/<name>/`:

- `state_dict.safetensors`: written by `export_e3nn.export` (the `normalize2mom` constants and the constructor
  arguments in `__metadata__`);
- `reference.json`: the keys of gate_points-public's file (constructor, the state_dict table, the activation
  constants, the inputs, the radius-graph edges, the intermediates layer by layer, the outputs, an equivariance
  check, a parameter-gradient sanity count and `gradient.d_pos` = d(sum(outputs * v))/d pos for a random `v`),
  plus `gradient.d_x` and `gradient.d_z` (same definition) when the network takes node inputs / attributes.

Inputs, drawn with `numpy.random.default_rng(data_seed)` in this order: per graph, its node positions uniform in
`[0, box)^3`; then `x` (when `irreps_in` is given) standard normal `[num_nodes][dim irreps_in]`; then the species
of each node uniform in `0..k-1` (when `irreps_node_attr` is `k x 0e`), given to the network as the one-hot `z`;
then `v` standard normal of the output's shape. `num_neighbors` (edges / nodes) and `num_nodes`
(nodes / graphs) are measured on the drawn clouds, as for gate_points-public. Where e3nn has no node input it
uses ones `[N][1]` as `1x0e`, and without node attributes ones `[N][1]` as `0e`: `inputs.x` / `inputs.z` are then
null.

Usage (e3nn 0.5.4 and its dependencies on PYTHONPATH, see reference/models/README.md)::

    python3 tools/make_gate_points_reference.py [--out reference/models] [config ...]
"""
import argparse
import json
import os
import sys
from collections import OrderedDict

import e3nn
import numpy as np
import torch
from e3nn import o3
from e3nn.math import normalize2mom, soft_one_hot_linspace
from e3nn.nn.models.gate_points_2101 import Network, radius_graph, smooth_cutoff

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_e3nn import export  # noqa: E402

MODEL = "e3nn.nn.models.gate_points_2101.Network"

CONFIGS = OrderedDict(
    [
        (
            "gate_points-attrs",
            dict(
                network=dict(
                    irreps_in="4x0e+2x1o",
                    irreps_hidden="8x0e+8x0o+4x1e+4x1o+2x2e+2x2o",
                    irreps_out="2x0e+1x1o+1x2e",
                    irreps_node_attr="3x0e",
                    irreps_edge_attr="0e+1o+2e+3o",
                    layers=3,
                    max_radius=2.0,
                    number_of_basis=8,
                    radial_layers=2,
                    radial_neurons=16,
                    reduce_output=True,
                ),
                graph_sizes=[6, 4, 5],
                box=2.3,
                model_seed=2101,
                data_seed=18,
            ),
        ),
        (
            "gate_points-noreduce",
            dict(
                network=dict(
                    irreps_in=None,
                    irreps_hidden="6x0e+3x1o+3x1e+2x2e+2x3o",
                    irreps_out="1x0o+2x0e+1x1e",
                    irreps_node_attr=None,
                    irreps_edge_attr="0e+1o+2e",
                    layers=2,
                    max_radius=2.0,
                    number_of_basis=6,
                    radial_layers=1,
                    radial_neurons=12,
                    reduce_output=False,
                ),
                graph_sizes=[5, 3, 4],
                box=2.0,
                model_seed=2102,
                data_seed=19,
            ),
        ),
        (
            "gate_points-odd",
            dict(
                network=dict(
                    irreps_in="2x0o+1x1e+1x3o",
                    irreps_hidden="4x0e+4x0o+2x1o+2x1e+2x2o+1x2e+2x3o+1x3e",
                    irreps_out="2x0o+1x3o+1x2e",
                    irreps_node_attr="2x0e",
                    irreps_edge_attr="0e+1o+2e+3o",
                    layers=2,
                    max_radius=1.8,
                    number_of_basis=7,
                    radial_layers=2,
                    radial_neurons=10,
                    reduce_output=False,
                ),
                graph_sizes=[5, 4],
                box=1.9,
                model_seed=2103,
                data_seed=20,
            ),
        ),
        (
            "gate_points-mixed",
            dict(
                network=dict(
                    irreps_in="2x1o+3x0e+1x2e+1x0e",
                    irreps_hidden="3x0e+2x1o+1x2e+2x0o+2x1o+1x3e+1x4o",
                    irreps_out="1x1e+2x0o+1x3o+1x0e",
                    irreps_node_attr="4x0e",
                    irreps_edge_attr="0e+1o+2e+3o+4e",
                    layers=4,
                    max_radius=1.6,
                    number_of_basis=4,
                    radial_layers=3,
                    radial_neurons=8,
                    reduce_output=False,
                ),
                graph_sizes=[1, 6, 3, 5],
                box=2.4,
                model_seed=2104,
                data_seed=21,
            ),
        ),
    ]
)

EDGE_CONVENTION = (
    "radius_graph: pairs (i,j), i!=j, |pos_i-pos_j| < max_radius, same graph, ordered as torch.nonzero on the NxN "
    "mask (row-major, src=row); edge_vec = pos[src] - pos[dst]; messages are summed into dst and divided by "
    "sqrt(num_neighbors)"
)


def _draw_inputs(config):
    """The generator, positions, batch, node inputs and species, drawn in the order the docstring gives."""
    network = config["network"]
    rng = np.random.default_rng(config["data_seed"])
    pos = np.concatenate([rng.uniform(0.0, config["box"], size=(n, 3)) for n in config["graph_sizes"]])
    batch = np.repeat(np.arange(len(config["graph_sizes"])), config["graph_sizes"])
    x = None
    if network["irreps_in"] is not None:
        x = rng.standard_normal((len(pos), o3.Irreps(network["irreps_in"]).dim))
    species = None
    if network["irreps_node_attr"] is not None:
        attrs = o3.Irreps(network["irreps_node_attr"])
        if attrs.lmax != 0 or any(ir.p != 1 for _, ir in attrs):
            raise ValueError(f"irreps_node_attr {attrs}: one-hot species need k x 0e")
        species = rng.integers(0, attrs.dim, size=len(pos))
    return rng, pos, batch, x, species


def _radius_graph(pos, batch, max_radius):
    """e3nn's radius graph, checked against exact distances.

    Above 25 points `torch.cdist` goes through a matrix product whose rounding can leave self-distances above 0,
    and e3nn's graph then keeps self-loops; a pair within 1e-6 of `max_radius` would hang on rounding too.
    """
    distances = (pos[:, None, :] - pos[None, :, :]).norm(dim=-1)
    margin = (distances - max_radius).abs().min().item()
    if margin < 1e-6:
        raise ValueError(f"a pair lies {margin} from max_radius: the radius graph would hang on rounding")
    exact = ((distances < max_radius) & (distances > 0) & (batch[:, None] == batch[None, :])).nonzero().T
    edges = radius_graph(pos, max_radius, batch)
    if not torch.equal(edges, exact):
        raise ValueError("e3nn's radius graph differs from the exact one (more than 25 nodes?)")
    return edges


def _intermediates(model, pos, batch, x, z):
    """The edge quantities of `Network.forward`, recomputed as it computes them, and each layer's output."""
    edge_src, edge_dst = radius_graph(pos, model.max_radius, batch)
    edge_vec = pos[edge_src] - pos[edge_dst]
    edge_sh = o3.spherical_harmonics(model.irreps_edge_attr, edge_vec, True, normalization="component")
    edge_length = edge_vec.norm(dim=1)
    edge_length_embedded = soft_one_hot_linspace(
        x=edge_length, start=0.0, end=model.max_radius, number=model.number_of_basis, basis="gaussian", cutoff=False
    ).mul(model.number_of_basis**0.5)
    edge_attr = smooth_cutoff(edge_length / model.max_radius)[:, None] * edge_sh

    layer_outputs = []
    hooks = [layer.register_forward_hook(lambda _m, _i, out: layer_outputs.append(out)) for layer in model.layers]
    model(_data(pos, batch, x, z))
    for hook in hooks:
        hook.remove()
    return edge_src, edge_dst, OrderedDict(
        [
            ("edge_vec", edge_vec),
            ("edge_length", edge_length),
            ("edge_sh", edge_sh),
            ("edge_length_embedded", edge_length_embedded),
            ("edge_attr", edge_attr),
            ("layer_outputs", layer_outputs),
        ]
    )


def _data(pos, batch, x, z):
    data = {"pos": pos, "batch": batch}
    if x is not None:
        data["x"] = x
    if z is not None:
        data["z"] = z
    return data


def _rotation_representation(irreps, rotation):
    """D(R) of `irreps` for a proper rotation, fitted from spherical harmonics: Y_l(R v) = D_l(R) Y_l(v).

    Not e3nn's `D_from_angles`: it composes `torch.matrix_exp`, which in torch 1.13 errs by up to 2e-10 for
    float64 generators of small norm (angles near 0.05), far above the model's own rounding.
    """
    directions = torch.randn(64, 3, generator=torch.Generator().manual_seed(0))
    blocks = []
    for mul, ir in irreps:
        harmonics = o3.spherical_harmonics(ir.l, directions, True)
        rotated = o3.spherical_harmonics(ir.l, directions @ rotation.T, True)
        blocks += [torch.linalg.lstsq(harmonics, rotated).solution.T] * mul
    return torch.block_diag(*blocks)


def _equivariance_error(pos, batch, x, z, out, model):
    """max |f(R pos + t, D_in(R) x, z) - D_out(R) f(pos, x, z)| for a random rotation R and translation t."""
    rotation = o3.rand_matrix()
    translation = torch.randn(3)
    rotated_x = None if x is None else x @ _rotation_representation(model.irreps_in, rotation).T
    moved = model(_data(pos @ rotation.T + translation, batch, rotated_x, z))
    return (moved - out @ _rotation_representation(model.irreps_out, rotation).T).abs().max().item()


def _parameter_gradient_sanity(model, loss):
    parameters = OrderedDict(model.named_parameters())
    gradients = torch.autograd.grad(loss, list(parameters.values()), retain_graph=True, allow_unused=True)
    zero_entries = OrderedDict()
    count = 0
    for (name, parameter), gradient in zip(parameters.items(), gradients):
        count += parameter.numel()
        if gradient is None:
            gradient = torch.zeros_like(parameter)
        flat = gradient.reshape(-1).abs()
        small = (flat <= 1e-10 * flat.max()).nonzero().reshape(-1).tolist() if flat.numel() else []
        if small:
            zero_entries[name] = small
    return OrderedDict(
        [
            (
                "test",
                "d(sum(outputs*v))/d(param) for every parameter entry; listed entries have |g| <= 1e-10 * max|g| "
                "of their tensor",
            ),
            ("num_parameter_entries", count),
            ("numerically_zero_gradient_entries", sum(len(v) for v in zero_entries.values())),
            ("by_tensor", zero_entries),
        ]
    )


def _inputs_note(network, species_count):
    if network["irreps_in"] is None:
        x_note = "x absent => model uses ones(N,1) as 1x0e input"
    else:
        x_note = f"x = standard normal [N][{o3.Irreps(network['irreps_in']).dim}] as {network['irreps_in']}"
    if network["irreps_node_attr"] is None:
        z_note = "z absent => ones(N,1) as 0e node attr"
    else:
        z_note = f"z = one-hot [N][{species_count}] of inputs.data.species as {network['irreps_node_attr']}"
    return f"{x_note}; {z_note}"


def _state_dict_table(model):
    names = {torch.float64: "F64", torch.float32: "F32"}
    return [[name, list(tensor.shape), names[tensor.dtype]] for name, tensor in model.state_dict().items()]


def make_reference(name, config, out_dir):
    """Builds configuration `name`, runs it and writes its folder under `out_dir`."""
    torch.set_default_dtype(torch.float64)
    network = config["network"]
    rng, pos_np, batch_np, x_np, species = _draw_inputs(config)
    pos = torch.tensor(pos_np)
    batch = torch.tensor(batch_np)
    edge_count = _radius_graph(pos, batch, network["max_radius"]).shape[1]
    constructor = OrderedDict(network)
    constructor["num_neighbors"] = edge_count / len(pos_np)
    constructor["num_nodes"] = len(pos_np) / len(config["graph_sizes"])

    torch.manual_seed(config["model_seed"])
    model = Network(**constructor)

    x = None if x_np is None else torch.tensor(x_np)
    z = None
    species_count = None
    if species is not None:
        species_count = o3.Irreps(network["irreps_node_attr"]).dim
        z = torch.nn.functional.one_hot(torch.tensor(species), species_count).to(torch.float64)

    edge_src, edge_dst, intermediates = _intermediates(model, pos, batch, x, z)

    differentiable = OrderedDict(
        (key, tensor.requires_grad_(True)) for key, tensor in (("d_pos", pos), ("d_x", x), ("d_z", z)) if tensor is not None
    )
    out = model(_data(pos, batch, x, z))
    v = torch.tensor(rng.standard_normal(tuple(out.shape)))
    loss = (out * v).sum()
    sanity = _parameter_gradient_sanity(model, loss)
    gradient = OrderedDict([("definition", "d/dpos of sum(outputs * v); d_x and d_z likewise"), ("v", v)])
    gradient.update(zip(differentiable, torch.autograd.grad(loss, list(differentiable.values()))))

    with torch.no_grad():
        equivariance = _equivariance_error(*(None if t is None else t.detach() for t in (pos, batch, x, z, out)), model)

    reference = OrderedDict(
        [
            ("model", MODEL),
            ("config", name),
            ("versions", OrderedDict([("e3nn", e3nn.__version__), ("torch", torch.__version__)])),
            ("dtype", "float64"),
            (
                "seeds",
                OrderedDict(
                    [
                        ("torch.manual_seed (model init)", config["model_seed"]),
                        ("numpy default_rng (data)", config["data_seed"]),
                    ]
                ),
            ),
            ("constructor", constructor),
            ("num_neighbors_definition", "num_edges / num_nodes over all graphs (edges = radius_graph pairs)"),
            ("num_nodes_definition", "num_nodes / num_graphs"),
            ("state_dict_file", "state_dict.safetensors"),
            ("state_dict", _state_dict_table(model)),
            ("parameters", [n for n, _ in model.named_parameters()]),
            ("buffers", [n for n, _ in model.named_buffers()]),
            (
                "normalize2mom_constants",
                OrderedDict(
                    (n, OrderedDict([("cst", m.cst), ("is_identity", m._is_id)]))
                    for n, m in model.named_modules()
                    if isinstance(m, normalize2mom)
                ),
            ),
            (
                "inputs",
                OrderedDict(
                    [
                        ("pos", pos),
                        ("batch", batch),
                        ("num_graphs", len(config["graph_sizes"])),
                        ("x", x),
                        ("z", z),
                        ("note", _inputs_note(network, species_count)),
                        ("data", OrderedDict([("graph_sizes", config["graph_sizes"]), ("box", config["box"]), ("species", species)])),
                    ]
                ),
            ),
            ("edges", OrderedDict([("edge_src", edge_src), ("edge_dst", edge_dst), ("convention", EDGE_CONVENTION)])),
            ("intermediates", intermediates),
            ("outputs", out),
            ("output_shape", list(out.shape)),
            ("equivariance_check_max_abs_diff (random rotation + translation)", equivariance),
            ("sanity", sanity),
            ("gradient", gradient),
        ]
    )

    folder = os.path.join(out_dir, name)
    os.makedirs(folder, exist_ok=True)
    export(model, os.path.join(folder, "state_dict.safetensors"), constructor, {"config": name})
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
        constructor = reference["constructor"]
        print(
            f"{name}: {len(reference['inputs']['pos'])} nodes, {len(reference['edges']['edge_src'])} edges, "
            f"num_neighbors {constructor['num_neighbors']:.4g}, outputs {reference['output_shape']}, "
            f"equivariance {reference['equivariance_check_max_abs_diff (random rotation + translation)']:.2e}"
        )


if __name__ == "__main__":
    main()
