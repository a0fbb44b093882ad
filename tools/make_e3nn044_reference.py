"""Reference data for e3nn 0.4.4, the version MACE pins, whose Wigner 3j tensors differ in sign from 0.5's for some
(l1, l2, l3) such as (1, 2, 2) and (1, 3, 3). Writes into `reference/e3nn-0.4.4/`, in the formats of the e3nn 0.5.4
files of the same names (see `reference/e3nn-0.5.4/README.md`):

- `tensor_products.json`: forward and backward of `o3.TensorProduct` and its subclasses for products whose paths
  include flipped triples, in modes `uvw` and `uvu` (shared and per-sample weights) and a `FullTensorProduct`.
- `reduced_tensor_products.json`: `o3.ReducedTensorProducts` and `io.CartesianTensor` for formulas whose change of
  basis e3nn 0.4.4's signs change.

Usage (e3nn 0.4.4 and its dependencies on PYTHONPATH; its `constants.pt` rebuilt as
`../shared/reference/e3nn-0.4.4/README.md` describes)::

    PYTHONPATH=/work/refenv/e3nn-0.4.4:/work/refenv/opt_einsum-3.3.0:/work/refenv/opt_einsum_fx-0.1.4 \\
        python3 tools/make_e3nn044_reference.py [--out reference/e3nn-0.4.4]
"""
import argparse
import json
import os

import e3nn
import torch
from e3nn import o3
from e3nn.io import CartesianTensor

BATCH = 3


def every_path(in1, in2, out, mode):
    """Every allowed path (i1, i2, out) whose multiplicities fit `mode`, in loop order i1, i2, out."""
    in1, in2, out = o3.Irreps(in1), o3.Irreps(in2), o3.Irreps(out)
    instructions = []
    for i1, (mul1, ir1) in enumerate(in1):
        for i2, (mul2, ir2) in enumerate(in2):
            for o, (mul_out, ir_out) in enumerate(out):
                fits = {"uvw": True, "uvu": mul_out == mul1}[mode]
                if ir_out in ir1 * ir2 and fits:
                    instructions.append((i1, i2, o, mode, True, 1.0))
    return instructions


def flat(t):
    return [float(v) for v in t.reshape(-1).tolist()]


def rows(t):
    return [flat(row) for row in t]


def tensor_product_case(name, description, tp, instructions, shared):
    x1 = torch.randn(BATCH, tp.irreps_in1.dim, requires_grad=True)
    x2 = torch.randn(BATCH, tp.irreps_in2.dim, requires_grad=True)
    shape = (tp.weight_numel,) if shared else (BATCH, tp.weight_numel)
    weights = torch.randn(*shape, requires_grad=True)
    out = tp(x1, x2, weights)
    grad_out = torch.randn_like(out)
    (out * grad_out).sum().backward()
    # a product without weights leaves its (empty) weight gradient at None
    grad_weights = weights.grad if weights.grad is not None else torch.zeros_like(weights)
    return {
        "name": name,
        "e3nn": description,
        "square": False,
        "irreps_in1": str(tp.irreps_in1),
        "irreps_in2": str(tp.irreps_in2),
        "irreps_out": str(tp.irreps_out),
        "instructions": [list(ins) for ins in instructions],
        "path_normalization_coefficients": [float(ins.path_weight) for ins in tp.instructions],
        "shared_weights": shared,
        "weight_numel": tp.weight_numel,
        "batch": BATCH,
        "x1": rows(x1.detach()),
        "x2": rows(x2.detach()),
        "weights": flat(weights.detach()) if shared else rows(weights.detach()),
        "out": rows(out.detach()),
        "grad_out": rows(grad_out),
        "grad_x1": rows(x1.grad),
        "grad_x2": rows(x2.grad),
        "grad_weights": flat(grad_weights) if shared else rows(grad_weights),
    }


def tensor_products():
    cases = []
    fc = ("2x1o+1x2e", "1x1o+1x2e+1x3o", "2x1e+1x2o+1x2e+1x3e+1x3o")
    tp = o3.FullyConnectedTensorProduct(*fc, internal_weights=False)
    cases.append(tensor_product_case(
        "fc_flipped", f"o3.FullyConnectedTensorProduct('{fc[0]}', '{fc[1]}', '{fc[2]}', internal_weights=False)",
        tp, [(i.i_in1, i.i_in2, i.i_out, i.connection_mode, i.has_weight, 1.0) for i in tp.instructions], True))

    uvu = ("2x0e+2x1o+1x2e", "1x0e+1x1o+1x2e+1x3o", "2x0e+2x1o+2x2o+2x3e+1x2e+1x1e")
    instructions = every_path(*uvu, "uvu")
    tp = o3.TensorProduct(*uvu, instructions, shared_weights=False, internal_weights=False)
    cases.append(tensor_product_case(
        "channelwise_flipped", f"o3.TensorProduct('{uvu[0]}', '{uvu[1]}', '{uvu[2]}', instructions=<every allowed"
        " path (i1, i2, out) whose multiplicities fit mode uvu, in loop order i1, i2, out>, irrep_normalization="
        "'component', path_normalization='element', shared_weights=False, internal_weights=False)",
        tp, instructions, False))

    uvw = ("1x1o+2x3o", "2x2e+1x3o", "2x2o+1x3e+1x1e+1x4e")
    instructions = every_path(*uvw, "uvw")
    tp = o3.TensorProduct(*uvw, instructions, irrep_normalization="norm", path_normalization="path",
                          shared_weights=True, internal_weights=False)
    cases.append(tensor_product_case(
        "mode_uvw_flipped", f"o3.TensorProduct('{uvw[0]}', '{uvw[1]}', '{uvw[2]}', instructions=<every allowed"
        " path (i1, i2, out) whose multiplicities fit mode uvw, in loop order i1, i2, out>, irrep_normalization="
        "'norm', path_normalization='path', shared_weights=True, internal_weights=False)",
        tp, instructions, True))

    full = ("1x1o+1x2e", "1x2e+1x3o")
    tp = o3.FullTensorProduct(*full)
    cases.append(tensor_product_case(
        "full_flipped", f"o3.FullTensorProduct('{full[0]}', '{full[1]}')", tp,
        [(i.i_in1, i.i_in2, i.i_out, i.connection_mode, i.has_weight, 1.0) for i in tp.instructions], True))
    return {
        "source": f"e3nn {e3nn.__version__} o3.TensorProduct and subclasses; forward out = tp(x1, x2, weights);"
                  " grad_* = autograd of sum(out*grad_out)",
        "layout": "mul_ir (e3nn default); weights flattened in instruction order, each path's weight tensor in"
                  " row-major path_shape order",
        "cases": cases,
    }


REDUCED_TENSOR_PRODUCTS = [
    ("ij", {"i": "1o", "j": "2e"}),
    ("ijk=jik", {"i": "1o", "k": "2e"}),
]

CARTESIAN_TENSORS = ["ijk", "ijk=jik"]


def reduced_tensor_products():
    rtps = []
    for formula, irreps in REDUCED_TENSOR_PRODUCTS:
        rtp = o3.ReducedTensorProducts(formula, **irreps)
        q = rtp.change_of_basis
        xs = [torch.randn(2, irreps_in.dim) for irreps_in in rtp.irreps_in]
        rtps.append({
            "formula": formula,
            "irreps": irreps,
            "filter_ir_out": None,
            "filter_ir_mid": None,
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
        x = torch.randn(2, *([3] * len(ct.indices)))
        y = ct.from_cartesian(x)
        cartesians.append({
            "formula": formula,
            "irreps": str(o3.Irreps(ct)),
            "batch": 2,
            "cartesian": flat(x),
            "from_cartesian": flat(y),
            "to_cartesian": flat(ct.to_cartesian(y)),
        })
    return {"e3nn": e3nn.__version__, "reduced_tensor_products": rtps, "cartesian_tensors": cartesians}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="reference/e3nn-0.4.4")
    args = parser.parse_args()
    if e3nn.__version__ != "0.4.4":
        raise SystemExit(f"expected e3nn 0.4.4 on PYTHONPATH, found {e3nn.__version__} at {e3nn.__file__}")
    torch.set_default_dtype(torch.float64)
    torch.manual_seed(44)
    for name, document in [("tensor_products.json", tensor_products()),
                           ("reduced_tensor_products.json", reduced_tensor_products())]:
        with open(os.path.join(args.out, name), "w") as f:
            json.dump(document, f)
            f.write("\n")


if __name__ == "__main__":
    main()
