"""Reference data for e3nn's `o3.ReducedTensorProducts` and `io.CartesianTensor` (issue 24, item 1). Writes
`reference/e3nn-0.5.4/reduced_tensor_products.json`.

- `reduced_tensor_products`: for each case, the `formula`, the irreps of each named index (`irreps`, e3nn's keyword
  arguments), e3nn's `filter_ir_out` and `filter_ir_mid` (null when not given), e3nn's `irreps_in` (one per index of the formula, in formula order), `irreps_out`, and
  `change_of_basis` flattened row-major with its `shape` `[irreps_out.dim, dim_1, ..., dim_n]`; and the module's
  output `forward` `[batch][irreps_out.dim]` for random inputs `vectors` (one `[batch][dim_i]` per index).
- `cartesian_tensors`: for each formula, `irreps` (e3nn's `CartesianTensor(formula)`), a random Cartesian tensor
  `cartesian` `[batch][3]...[3]` (float64, recorded), `from_cartesian` `[batch][dim]` and `to_cartesian` of that
  result `[batch][3]...[3]`.

Usage (e3nn 0.5.4 and its dependencies on PYTHONPATH, see reference/e3nn-0.5.4/README.md)::

    python3 tools/make_rtp_reference.py [--out reference/e3nn-0.5.4/reduced_tensor_products.json]
"""
import argparse
import json

import torch
from e3nn import o3
from e3nn.io import CartesianTensor

REDUCED_TENSOR_PRODUCTS = [
    ("ij=ji", {"i": "1o"}),
    ("ij=-ji", {"i": "1o"}),
    ("ij", {"i": "1o", "j": "1e"}),
    ("ijk=jik", {"i": "1o", "k": "1o"}),
    ("ijk=-jik=-ikj", {"i": "1o"}),
    ("ijk=jki", {"i": "1e", "j": "1e", "k": "1e"}),
    ("ijkl=jikl=klij", {"i": "1o"}),
    ("ijkl=jikl=ijlk", {"i": "1o", "k": "1o"}),
    ("ijklm=jiklm=klijm", {"i": "1o", "m": "1o"}),
    ("ij=ji", {"i": "0e+1o"}),
    ("ijk=jik", {"i": "2e", "k": "1o"}),
    ("ijkl=jikl=klij", {"i": "1o"}, {"filter_ir_out": ["0e", "2e"]}),
    ("ijk", {"i": "1o", "j": "1o", "k": "1e"}, {"filter_ir_mid": ["0e", "1e", "1o"]}),
    ("ijk=jik", {"i": "1o", "k": "1o"}, {"filter_ir_out": ["1o"], "filter_ir_mid": ["0e", "2e", "1o"]}),
]

CARTESIAN_TENSORS = ["ij=ji", "ij=-ji", "ij", "ijk=jik", "ijkl=jikl=klij"]


def flat(t):
    return [float(v) for v in t.reshape(-1).tolist()]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="reference/e3nn-0.5.4/reduced_tensor_products.json")
    args = parser.parse_args()
    torch.set_default_dtype(torch.float64)
    torch.manual_seed(24)

    rtps = []
    for formula, irreps, *options in REDUCED_TENSOR_PRODUCTS:
        filters = options[0] if options else {}
        rtp = o3.ReducedTensorProducts(formula, **filters, **irreps)
        q = rtp.change_of_basis
        xs = [torch.randn(2, irreps_in.dim) for irreps_in in rtp.irreps_in]
        rtps.append({
            "formula": formula,
            "irreps": irreps,
            "filter_ir_out": filters.get("filter_ir_out"),
            "filter_ir_mid": filters.get("filter_ir_mid"),
            "irreps_in": [str(i) for i in rtp.irreps_in],
            "irreps_out": str(rtp.irreps_out),
            "shape": list(q.shape),
            "change_of_basis": flat(q),
            "batch": 2,
            "vectors": [flat(x) for x in xs],
            "forward": flat(rtp(*xs)),
        })

    cartesians = []
    for formula in CARTESIAN_TENSORS:
        ct = CartesianTensor(formula)
        rank = len(ct.indices)
        x = torch.randn(2, *([3] * rank))
        y = ct.from_cartesian(x)
        cartesians.append({
            "formula": formula,
            "irreps": str(o3.Irreps(ct)),
            "batch": 2,
            "cartesian": flat(x),
            "from_cartesian": flat(y),
            "to_cartesian": flat(ct.to_cartesian(y)),
        })

    with open(args.out, "w") as f:
        json.dump({"e3nn": "0.5.4", "reduced_tensor_products": rtps, "cartesian_tensors": cartesians}, f)
        f.write("\n")


if __name__ == "__main__":
    main()
