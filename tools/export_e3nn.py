"""Export a PyTorch / e3nn model's state_dict to one safetensors file that e3j's `StateDict.read` loads.

The file holds every entry of `model.state_dict()` (parameters and buffers, in that order) and a
`__metadata__` string map with

- `model`: the model's class, `module.QualifiedName`;
- `e3nn`: the e3nn version the model was built with;
- `normalize2mom`: a JSON object from module name (as `model.named_modules()` names it) to the constant by
  which that `e3nn.math.normalize2mom` module multiplies its activation. e3nn computes these constants by
  Monte-Carlo when the model is built (`cst`, the inverse root of the second moment over 1,000,000 normal
  samples drawn under seed 0); no state_dict holds them, and a trained model only reproduces with them. A module
  whose constant is within 1e-4 of 1 applies no factor at all in e3nn (`_is_id`): it is written as 1.0;
- `constructor`: the constructor arguments, a JSON object: as given, or, for e3nn's
  `gate_points_2101.Network`, recovered from the model itself (its attributes, layer count and radial MLP widths),
  so that e3j can check the values no tensor holds (`max_radius`, `num_neighbors`, `num_nodes`, `reduce_output`)
  and `e3j-cli spec` can write the spec;
- any further string entries the caller passes.

The safetensors layout: an 8-byte little-endian header length, the header (compact JSON
`{name: {dtype, shape, data_offsets}, "__metadata__": {...}}`, padded with spaces to a multiple of 8 bytes),
then the raw little-endian tensor data, tensors one after the other in state_dict order.

Library use::

    from export_e3nn import export
    export(model, "model.safetensors", constructor_args)

Command line (run with e3nn on PYTHONPATH)::

    python3 tools/export_e3nn.py --model e3nn.nn.models.gate_points_2101.Network \\
        --constructor args.json --weights trained_state_dict.pt out.safetensors
    python3 tools/export_e3nn.py --pickled whole_model.pt --constructor args.json out.safetensors  # unpickles: trusted files only
    python3 tools/export_e3nn.py --import mypackage --expr "mypackage.build()" out.safetensors
"""
import argparse
import importlib
import json
import struct
import sys
from collections import OrderedDict

import torch

_DTYPE_NAMES = OrderedDict(
    [
        (torch.float64, "F64"),
        (torch.float32, "F32"),
        (torch.float16, "F16"),
        (torch.bfloat16, "BF16"),
        (torch.int64, "I64"),
        (torch.int32, "I32"),
        (torch.int16, "I16"),
        (torch.int8, "I8"),
        (torch.uint8, "U8"),
        (torch.bool, "BOOL"),
    ]
)
_DTYPES_BY_NAME = {name: dtype for dtype, name in _DTYPE_NAMES.items()}


def normalize2mom_constants(model):
    """The factor each `normalize2mom` module of `model` applies, by module name (1.0 where e3nn applies none)."""
    from e3nn.math import normalize2mom

    return OrderedDict(
        (name, 1.0 if module._is_id else float(module.cst))
        for name, module in model.named_modules()
        if isinstance(module, normalize2mom)
    )


def _tensor_bytes(tensor):
    tensor = tensor.detach().cpu().contiguous()
    if tensor.dtype == torch.bfloat16:
        tensor = tensor.view(torch.int16)
    if sys.byteorder != "little":
        raise OSError("safetensors data is little-endian; this writer only runs on little-endian machines")
    return tensor.numpy().tobytes()


def write_safetensors(path, tensors, metadata=None):
    """Writes `tensors` (an ordered mapping name -> tensor) and the string map `metadata` as a safetensors file."""
    header = OrderedDict()
    chunks = []
    offset = 0
    for name, tensor in tensors.items():
        if tensor.dtype not in _DTYPE_NAMES:
            raise ValueError(f"tensor {name}: dtype {tensor.dtype} has no safetensors name")
        data = _tensor_bytes(tensor)
        header[name] = OrderedDict(
            [
                ("dtype", _DTYPE_NAMES[tensor.dtype]),
                ("shape", list(tensor.shape)),
                ("data_offsets", [offset, offset + len(data)]),
            ]
        )
        chunks.append(data)
        offset += len(data)
    if metadata:
        for key, value in metadata.items():
            if not isinstance(value, str):
                raise ValueError(f"metadata {key}: safetensors metadata values are strings, got {type(value).__name__}")
        header["__metadata__"] = OrderedDict(metadata)
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    header_bytes += b" " * (-len(header_bytes) % 8)
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(header_bytes)))
        out.write(header_bytes)
        for chunk in chunks:
            out.write(chunk)


def read_safetensors(path):
    """Reads a safetensors file: (ordered mapping name -> tensor, metadata string map)."""
    with open(path, "rb") as source:
        data = source.read()
    (header_length,) = struct.unpack("<Q", data[:8])
    if 8 + header_length > len(data):
        raise OSError(f"{path}: header length {header_length} beyond the file ({len(data)} bytes)")
    header = json.loads(data[8 : 8 + header_length].decode("utf-8"), object_pairs_hook=OrderedDict)
    metadata = header.pop("__metadata__", OrderedDict())
    body = data[8 + header_length :]
    tensors = OrderedDict()
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        dtype = _DTYPES_BY_NAME[entry["dtype"]]
        raw = bytearray(body[begin:end])
        storage_dtype = torch.int16 if dtype == torch.bfloat16 else dtype
        flat = torch.frombuffer(raw, dtype=storage_dtype) if raw else torch.empty(0, dtype=storage_dtype)
        tensors[name] = flat.view(dtype).reshape(entry["shape"])
    return tensors, metadata


GATE_POINTS_NETWORK = "e3nn.nn.models.gate_points_2101.Network"


def gate_points_constructor(model):
    """The constructor arguments of an e3nn `gate_points_2101.Network`, recovered from the built model."""
    convolutions = [layer.first if hasattr(layer, "first") else layer for layer in model.layers]
    hs = convolutions[0].fc.hs
    return OrderedDict(
        [
            ("irreps_in", str(model.irreps_in) if model.input_has_node_in else None),
            ("irreps_hidden", str(model.irreps_hidden)),
            ("irreps_out", str(model.irreps_out)),
            ("irreps_node_attr", str(model.irreps_node_attr) if model.input_has_node_attr else None),
            ("irreps_edge_attr", str(model.irreps_edge_attr)),
            ("layers", len(model.layers) - 1),
            ("max_radius", float(model.max_radius)),
            ("number_of_basis", int(model.number_of_basis)),
            ("radial_layers", len(hs) - 2),
            ("radial_neurons", int(hs[1]) if len(hs) > 2 else 0),
            ("num_neighbors", float(model.num_neighbors)),
            ("num_nodes", float(model.num_nodes)),
            ("reduce_output", bool(model.reduce_output)),
        ]
    )


def export(model, path, constructor_args=None, extra_metadata=None):
    """Writes `model.state_dict()` to `path` with the metadata described in this module's docstring.

    `extra_metadata` (string values) follows `model` in the metadata map; `constructor_args` is written as JSON
    under `constructor` last (recovered from the model for e3nn's gate-points network when not given).
    """
    import e3nn

    model_name = f"{type(model).__module__}.{type(model).__qualname__}"
    if constructor_args is None and model_name == GATE_POINTS_NETWORK:
        constructor_args = gate_points_constructor(model)
    metadata = OrderedDict()
    metadata["model"] = model_name
    metadata.update(extra_metadata or {})
    metadata["e3nn"] = e3nn.__version__
    metadata["normalize2mom"] = json.dumps(normalize2mom_constants(model))
    if constructor_args is not None:
        metadata["constructor"] = json.dumps(constructor_args)
    write_safetensors(path, model.state_dict(), metadata)


def _resolve(dotted_name):
    module_name, _, attribute = dotted_name.rpartition(".")
    return getattr(importlib.import_module(module_name), attribute)


def _load_json_argument(text):
    if text.lstrip().startswith("{"):
        return json.loads(text)
    with open(text) as source:
        return json.load(source)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--model", help="dotted class name, built as Class(**constructor)")
    source.add_argument("--pickled", help="a whole model saved with torch.save(model, file)")
    source.add_argument("--expr", help="a Python expression that evaluates to the model")
    parser.add_argument("--constructor", help="constructor arguments: a JSON object or a JSON file")
    parser.add_argument("--import", dest="imports", action="append", default=[], help="module to import for --expr")
    parser.add_argument("--weights", help="a torch.save(model.state_dict()) file to load into the model")
    parser.add_argument("--seed", type=int, default=0, help="torch.manual_seed before building (default 0)")
    parser.add_argument("--dtype", default="float64", help="torch default dtype while building (default float64)")
    parser.add_argument("output", help="the safetensors file to write")
    args = parser.parse_args(argv)

    constructor_args = _load_json_argument(args.constructor) if args.constructor else None
    torch.set_default_dtype(getattr(torch, args.dtype))
    torch.manual_seed(args.seed)
    if args.model:
        if constructor_args is None:
            parser.error("--model needs --constructor")
        model = _resolve(args.model)(**constructor_args)
    elif args.pickled:
        model = torch.load(args.pickled)
    else:
        namespace = {"torch": torch}
        for name in args.imports:
            importlib.import_module(name)
            namespace[name.split(".")[0]] = sys.modules[name.split(".")[0]]
        model = eval(args.expr, namespace)
    if args.weights:
        model.load_state_dict(torch.load(args.weights, weights_only=True))
    export(model, args.output, constructor_args)


if __name__ == "__main__":
    main()
