#!/usr/bin/env python3
"""Writes the PyTorch and safetensors fixtures of dev.e3j.runtime.io's tests with real torch.save.

Run from the repository root with a Python that has PyTorch (Debian's python3-torch: /usr/bin/python3):
    /usr/bin/python3 tools/make_io_fixtures.py
The committed files were written by PyTorch 1.13, whose archives have no byteorder record (little-endian).
Writes into runtime/src/test/resources/io/:
  views.pt              a dict of every dtype and of views sharing storages (transposed, sliced with an offset),
                        a Parameter and nested names, with values the Java test knows exactly
  module.pt             torch.save(model.state_dict()) of a small seeded module (with its _metadata)
  module_protocol4.pt   the same, pickled with protocol 4 (FRAME, MEMOIZE, STACK_GLOBAL, SHORT_BINUNICODE)
  module.safetensors    the same tensors in safetensors, written here by hand (no safetensors package needed)
"""
import collections
import json
import os
import struct
import sys

import torch

OUT = os.path.join("runtime", "src", "test", "resources", "io")

SAFETENSORS_DTYPES = {
    torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
    torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8",
    torch.bool: "BOOL",
}


def views():
    """Tensors whose values are exact in every dtype, and views of shared storages."""
    weight = torch.nn.Parameter(torch.arange(6, dtype=torch.float32).reshape(2, 3) / 4)
    grid = torch.arange(20, dtype=torch.float64).reshape(4, 5)
    d = collections.OrderedDict()
    d["f64"] = torch.arange(12, dtype=torch.float64).reshape(3, 4) * 0.5 - 1
    d["f32"] = torch.tensor([0.1, -2.5, 3e38], dtype=torch.float32)
    d["f16"] = torch.tensor([1, -2, 65504, 2.0 ** -24, float("inf"), 0.333251953125], dtype=torch.float16)
    d["bf16"] = torch.tensor([1, -3.140625, 256], dtype=torch.bfloat16)
    d["i64"] = torch.tensor([2 ** 62, -5, 0], dtype=torch.int64)
    d["i32"] = torch.tensor([[-7], [123456]], dtype=torch.int32)
    d["i8"] = torch.tensor([-128, 127], dtype=torch.int8)
    d["u8"] = torch.tensor([200, 0], dtype=torch.uint8)
    d["bool"] = torch.tensor([True, False, True])
    d["scalar"] = torch.tensor(2.5, dtype=torch.float64)
    d["empty"] = torch.zeros(0, 3)
    d["layers.0.weight"] = weight
    d["layers.0.weight_t"] = weight.detach().t()
    d["layers.1.grid"] = grid
    d["layers.1.grid_slice"] = grid[1:, ::2]
    return d


def module():
    torch.manual_seed(18)
    model = torch.nn.Sequential(
        torch.nn.Linear(3, 4, dtype=torch.float64),
        torch.nn.BatchNorm1d(4, dtype=torch.float64),
        torch.nn.Linear(4, 2, bias=False),
    )
    model.train()
    model[1](torch.randn(8, 4, dtype=torch.float64))  # running statistics and num_batches_tracked move
    return model.state_dict()


def raw_bytes(tensor):
    """The elements in row-major order, in this (little-endian) machine's byte order."""
    flat = tensor.detach().contiguous().reshape(-1)
    if flat.dtype == torch.bfloat16:
        flat = flat.view(torch.int16)
    return flat.numpy().tobytes()


def write_safetensors(path, tensors, metadata):
    header = {"__metadata__": metadata}
    data = bytearray()
    for name, tensor in tensors.items():
        payload = raw_bytes(tensor)
        header[name] = {"dtype": SAFETENSORS_DTYPES[tensor.dtype], "shape": list(tensor.shape),
                        "data_offsets": [len(data), len(data) + len(payload)]}
        data += payload
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + bytes(data))


def main():
    assert sys.byteorder == "little", "safetensors data is little-endian"
    os.makedirs(OUT, exist_ok=True)
    torch.save(views(), os.path.join(OUT, "views.pt"))
    state = module()
    torch.save(state, os.path.join(OUT, "module.pt"))
    torch.save(state, os.path.join(OUT, "module_protocol4.pt"), pickle_protocol=4)
    write_safetensors(os.path.join(OUT, "module.safetensors"), state,
                      {"source": "tools/make_io_fixtures.py", "torch": torch.__version__})
    for name in sorted(os.listdir(OUT)):
        print(name, os.path.getsize(os.path.join(OUT, name)))


if __name__ == "__main__":
    main()
