"""Export a mace-torch (v0.3.6, e3nn 0.4.4) `MACE` or `ScaleShiftMACE` to one safetensors file that e3j reads.

The file has the layout of `reference/models/mace-public/state_dict.safetensors`: every entry of
`model.state_dict()` (parameters and buffers, in that order; floating tensors as float64) and a `__metadata__`
string map with, in this order,

- `model`: `mace.modules.MACE` or `mace.modules.ScaleShiftMACE`;
- `config`: a name for the configuration (`--config`, default: the output file's stem);
- `mace`: the mace version (0.3.6) and `e3nn`: the e3nn version (0.4.4);
- `normalize2mom`: a JSON object from module name (as `model.named_modules()` names it) to the constant by which
  that `e3nn.math.normalize2mom` module multiplies its activation (1.0 where e3nn applies none). A MACE model
  has one per radial MLP, `interactions.<i>.conv_tp_weights.layer0.act` — e3nn's `FullyConnectedNet` shares that
  one module between all its hidden layers, so `named_modules()` lists it once — and one for the gate of the
  last readout, `readouts.<last>.non_linearity.acts.0`. e3nn 0.4.4 computes each constant by Monte-Carlo in
  float64 (1,000,000 normal samples under seed 0): for SiLU 1.6791767923989418;
- `constructor`: the constructor arguments as a JSON object with the keys (and order) of mace-public's
  `reference.json` `constructor`: interaction classes by their name in `mace.modules.interaction_classes`, the
  gate by its name in `mace.modules.gate_dict`, irreps as strings, `correlation` an int when every interaction
  has the same, else the per-interaction list.

The constructor arguments are read back from the model itself (buffers, module types and shapes), so a whole
pickled model needs no side file. A float32 model is widened to float64 exactly (its values are those float32
numbers; `U_matrix_*` and `_w3j_*` buffers then carry float32 rounding).

Library use (mace importable, e.g. after `import mace_env`)::

    from export_mace import export, constructor_args, build_model, load_model
    export(model, "model.safetensors", config="my-model")
    model = load_model("model.safetensors")

Command line (the MACE environment on PYTHONPATH, see reference/models/README.md)::

    python3 tools/export_mace.py --pickled my.model out.safetensors            # torch.save(model); trusted files only
    python3 tools/export_mace.py --constructor args.json --weights sd.pt out.safetensors
    python3 tools/export_mace.py --constructor reference.json --seed 2024 out.safetensors  # fresh, seeded model
"""
import argparse
import importlib
import json
import os
import sys
from collections import OrderedDict

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_e3nn import normalize2mom_constants, read_safetensors, write_safetensors  # noqa: E402

try:  # the reference environment registers mace without its training-only imports
    import mace_env  # noqa: F401
except ImportError:
    pass
import e3nn  # noqa: E402
from e3nn import o3  # noqa: E402
from mace import modules  # noqa: E402

MACE_VERSION = importlib.import_module("mace.__version__").__version__

MODEL_CLASSES = OrderedDict([("mace.modules.MACE", modules.MACE), ("mace.modules.ScaleShiftMACE", modules.ScaleShiftMACE)])

_RADIAL_TYPES = {"BesselBasis": "bessel", "GaussianBasis": "gaussian", "ChebychevBasis": "chebyshev"}
_DISTANCE_TRANSFORMS = {"AgnesiTransform": "Agnesi", "SoftTransform": "Soft"}


def model_name(model):
    """`mace.modules.MACE` or `mace.modules.ScaleShiftMACE`; any other class is refused."""
    for name, cls in MODEL_CLASSES.items():
        if type(model) is cls:
            return name
    raise ValueError(f"model: expected one of {list(MODEL_CLASSES)}, got {type(model).__module__}.{type(model).__qualname__}")


def _class_name(instance, table, what):
    for name, cls in table.items():
        if type(instance) is cls:
            return name
    raise ValueError(f"{what}: {type(instance).__qualname__} is not in mace.modules' table {list(table)}")


def _gate_name(function):
    for name, candidate in modules.gate_dict.items():
        if candidate is function:
            return name
    raise ValueError(f"gate: {function} is not in mace.modules.gate_dict {list(modules.gate_dict)}")


def constructor_args(model):
    """The constructor arguments of `model`, JSON-ready, recovered from its buffers, module types and shapes."""
    model_name(model)
    num_interactions = int(model.num_interactions.item())
    if num_interactions < 2:
        raise ValueError(f"num_interactions: expected at least 2 (MACE's last readout is the gated MLP), got {num_interactions}")
    last_readout = model.readouts[-1]
    correlations = [int(product.symmetric_contractions.contractions[0].correlation) for product in model.products]
    embedding = model.radial_embedding
    transform = getattr(embedding, "distance_transform", None)
    if type(embedding.bessel_fn).__name__ == "ChebychevBasis":
        raise ValueError("radial_type: 'chebyshev' has no @Mace counterpart (torch's Chebyshev polynomials have no "
                         "autograd derivative, so mace-torch's forces of this model are not -dE/dx); use 'bessel' or "
                         "'gaussian'")
    args = OrderedDict(
        [
            ("r_max", float(model.r_max.item())),
            ("num_bessel", int(embedding.out_dim)),
            ("num_polynomial_cutoff", int(embedding.cutoff_fn.p.item())),
            ("max_ell", int(model.spherical_harmonics._lmax)),
            ("interaction_cls_first", _class_name(model.interactions[0], modules.interaction_classes, "interaction_cls_first")),
            ("interaction_cls", _class_name(model.interactions[-1], modules.interaction_classes, "interaction_cls")),
            ("num_interactions", num_interactions),
            ("num_elements", int(len(model.atomic_numbers))),
            ("hidden_irreps", str(model.products[0].linear.irreps_out)),
            ("MLP_irreps", str(last_readout.hidden_irreps)),
            ("atomic_energies", model.atomic_energies_fn.atomic_energies.detach().double().tolist()),
            ("atomic_numbers", [int(z) for z in model.atomic_numbers.tolist()]),
            ("correlation", correlations[0] if len(set(correlations)) == 1 else correlations),
            ("gate", _gate_name(last_readout.non_linearity.acts[0].f)),
            ("pair_repulsion", hasattr(model, "pair_repulsion")),
            ("distance_transform", "None" if transform is None else _DISTANCE_TRANSFORMS[type(transform).__name__]),
            ("radial_MLP", [int(h) for h in model.interactions[0].conv_tp_weights.hs[1:-1]]),
            ("radial_type", _RADIAL_TYPES[type(embedding.bessel_fn).__name__]),
            ("avg_num_neighbors", float(model.interactions[0].avg_num_neighbors)),
        ]
    )
    if isinstance(model, modules.ScaleShiftMACE):
        args["atomic_inter_scale"] = float(model.scale_shift.scale.item())
        args["atomic_inter_shift"] = float(model.scale_shift.shift.item())
    return args


def model_class_for(constructor):
    """The mace class a constructor object describes: ScaleShiftMACE when it has `atomic_inter_scale`."""
    return "mace.modules.ScaleShiftMACE" if "atomic_inter_scale" in constructor else "mace.modules.MACE"


def build_model(constructor, model=None):
    """A new mace model from JSON-ready constructor arguments (as `constructor_args` writes them).

    `model` names the class (`mace.modules.MACE` / `mace.modules.ScaleShiftMACE`, default: `model_class_for`).
    Parameters are drawn from torch's global generator in the default dtype: seed and set the dtype first.
    """
    name = model or model_class_for(constructor)
    if name not in MODEL_CLASSES:
        raise ValueError(f"model: expected one of {list(MODEL_CLASSES)}, got {name}")
    args = dict(constructor)
    for key in ("interaction_cls_first", "interaction_cls"):
        if args[key] not in modules.interaction_classes:
            raise ValueError(f"{key}: expected one of {list(modules.interaction_classes)}, got {args[key]}")
        args[key] = modules.interaction_classes[args[key]]
    if args["gate"] not in modules.gate_dict:
        raise ValueError(f"gate: expected one of {list(modules.gate_dict)}, got {args['gate']}")
    args["gate"] = modules.gate_dict[args["gate"]]
    args["hidden_irreps"] = o3.Irreps(args["hidden_irreps"])
    args["MLP_irreps"] = o3.Irreps(args["MLP_irreps"])
    args["atomic_energies"] = np.asarray(args["atomic_energies"], dtype=np.float64)
    return MODEL_CLASSES[name](**args)


def export(model, path, config=None, extra_metadata=None):
    """Writes `model`'s state_dict (floating tensors as float64) and the metadata of this module's docstring.

    Returns the constructor arguments written. `extra_metadata` (string values) follows `normalize2mom`.
    """
    name = model_name(model)
    constructor = constructor_args(model)
    metadata = OrderedDict()
    metadata["model"] = name
    metadata["config"] = config if config is not None else os.path.splitext(os.path.basename(path))[0]
    metadata["mace"] = MACE_VERSION
    metadata["e3nn"] = e3nn.__version__
    metadata["normalize2mom"] = json.dumps(normalize2mom_constants(model))
    metadata.update(extra_metadata or {})
    metadata["constructor"] = json.dumps(constructor)
    tensors = OrderedDict(
        (key, tensor.detach().to(torch.float64) if tensor.is_floating_point() else tensor.detach())
        for key, tensor in model.state_dict().items()
    )
    write_safetensors(path, tensors, metadata)
    return constructor


def load_model(path, constructor=None):
    """The float64 model a safetensors file of this layout holds, rebuilt from its metadata and loaded.

    `constructor` (JSON-ready arguments) is needed only for a file without the `constructor` entry (mace-public).
    """
    tensors, metadata = read_safetensors(path)
    if constructor is None:
        if "constructor" not in metadata:
            raise ValueError(f"{path}: no 'constructor' in __metadata__; pass the constructor arguments")
        constructor = json.loads(metadata["constructor"], object_pairs_hook=OrderedDict)
    torch.set_default_dtype(torch.float64)
    model = build_model(constructor, metadata.get("model"))
    model.load_state_dict(tensors)
    return model


def _load_constructor(text):
    """A JSON object, or a JSON file holding one (a reference.json: its `constructor` entry)."""
    if text.lstrip().startswith("{"):
        value = json.loads(text, object_pairs_hook=OrderedDict)
    else:
        with open(text) as source:
            value = json.load(source, object_pairs_hook=OrderedDict)
    if "constructor" in value and isinstance(value["constructor"], dict):
        return value["constructor"]
    return value


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], epilog=__doc__.split("Command line")[1].split("::", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--pickled", help="a whole model saved with torch.save(model, file), e.g. mace's *.model (unpickles: trusted files only)")
    source.add_argument("--constructor", help="constructor arguments: a JSON object, a JSON file, or a reference.json (its 'constructor')")
    parser.add_argument("--weights", help="with --constructor: a torch.save(model.state_dict()) file to load")
    parser.add_argument("--model", choices=list(MODEL_CLASSES), help="with --constructor: the class (default: ScaleShiftMACE when atomic_inter_scale is given)")
    parser.add_argument("--seed", type=int, default=0, help="with --constructor: torch.manual_seed before building (default 0)")
    parser.add_argument("--config", help="the metadata 'config' name (default: the output file's stem)")
    parser.add_argument("output", help="the safetensors file to write")
    args = parser.parse_args(argv)

    torch.set_default_dtype(torch.float64)
    if args.pickled:
        if args.weights or args.model:
            parser.error("--weights and --model go with --constructor")
        model = torch.load(args.pickled, map_location="cpu")
    else:
        torch.manual_seed(args.seed)
        model = build_model(_load_constructor(args.constructor), args.model)
        if args.weights:
            model.load_state_dict(torch.load(args.weights, map_location="cpu"))
    export(model, args.output, args.config)
    print(f"{args.output}: {model_name(model)}, {len(model.state_dict())} tensors, {os.path.getsize(args.output)} bytes")


if __name__ == "__main__":
    main()
