"""Second derivatives of e3nn 0.5.4's tensor products, for `TensorProductKernel.doubleBackward`. Writes
`reference/e3nn-0.5.4/tensor_products_double_backward.json`.

For each product `out = tp(x1, x2, weights)` and a `grad_out`, the backward outputs `(grad_x1, grad_x2,
grad_weights) = torch.autograd.grad(out, (x1, x2, weights), grad_out, create_graph=True)` are contracted with
cotangents `gg_x1`, `gg_x2`, `gg_weights`, and `torch.autograd.grad` of that sum gives `g_x1`, `g_x2`, `g_weights`
and `g_grad_out`: what a force-trained potential differentiates. A `TensorSquare` has one input, `x1`: its
backward outputs are `grad_x1` (the total gradient) and `grad_weights`, so it has no `gg_x2` and no `g_x2`.

The cases cover `o3.TensorProduct` in every connection mode (`uvw`, `uvu`, `uvv`, `uuw`, `uuu`, `uvuv`, `uvu<v`,
`u<vw`; weighted and, where e3nn allows it, unweighted; shared and per-sample weights) and the subclasses
`FullyConnectedTensorProduct`, `FullTensorProduct`, `ElementwiseTensorProduct` and `TensorSquare` (with and without
`irreps_out`). Case fields as in `tensor_products.json` (the irreps, the instruction list `[i_in1, i_in2, i_out,
mode, has_weight, path_weight]` and a description the Java test reads the normalizations from); inputs are rounded
to four decimals (short in JSON, exact in both languages), results in full float64.

Usage::

    PYTHONPATH=/work/refenv/e3nn-0.5.4:/work/refenv/opt_einsum-3.3.0:/work/refenv/opt_einsum_fx-0.1.4 \\
        python3 tools/make_double_backward_reference.py [--out reference/e3nn-0.5.4]
"""
import argparse
import json
import os

import e3nn
import torch
from e3nn import o3

BATCH = 2

MULTIPLICITY_RULES = {
    "uvw": lambda m1, m2, mo: True,
    "uvu": lambda m1, m2, mo: mo == m1,
    "uvv": lambda m1, m2, mo: mo == m2,
    "uuw": lambda m1, m2, mo: m1 == m2,
    "uuu": lambda m1, m2, mo: m1 == m2 == mo,
    "uvuv": lambda m1, m2, mo: mo == m1 * m2,
    "uvu<v": lambda m1, m2, mo: m1 == m2 and mo == m1 * (m1 - 1) // 2,
    "u<vw": lambda m1, m2, mo: m1 == m2,
}


def every_path(in1, in2, out, mode, weighted=True):
    """Every allowed path (i1, i2, out) whose multiplicities fit `mode`, in loop order i1, i2, out."""
    in1, in2, out = o3.Irreps(in1), o3.Irreps(in2), o3.Irreps(out)
    instructions = []
    for i1, (mul1, ir1) in enumerate(in1):
        for i2, (mul2, ir2) in enumerate(in2):
            for o, (mul_out, ir_out) in enumerate(out):
                if ir_out in ir1 * ir2 and MULTIPLICITY_RULES[mode](mul1, mul2, mul_out):
                    instructions.append((i1, i2, o, mode, weighted, 1.0))
    return instructions


def short(shape):
    """Random inputs rounded to four decimals: exact as decimal literals in JSON and Java."""
    return torch.round(torch.randn(*shape) * 1e4) / 1e4


def flat(t):
    return [float(v) for v in t.reshape(-1).tolist()]


def rows(t):
    return [flat(row) for row in t]


def weights_json(t, shared):
    return flat(t) if shared else rows(t)


def double_backward_case(name, description, tp, instructions, shared, square=False):
    dim1, dim2, dim_out = tp.irreps_in1.dim, tp.irreps_in2.dim, tp.irreps_out.dim
    weight_shape = (tp.weight_numel,) if shared else (BATCH, tp.weight_numel)
    x1 = short((BATCH, dim1)).requires_grad_()
    x2 = x1 if square else short((BATCH, dim2)).requires_grad_()
    weights = short(weight_shape).requires_grad_()
    grad_out = short((BATCH, dim_out)).requires_grad_()
    gg_x1 = short((BATCH, dim1))
    gg_x2 = None if square else short((BATCH, dim2))
    gg_weights = short(weight_shape)

    out = tp(x1, weights) if square else tp(x1, x2, weights)
    inputs = (x1, weights) if square else (x1, x2, weights)
    grads = torch.autograd.grad(out, inputs, grad_out, create_graph=True, allow_unused=True)
    cotangents = (gg_x1, gg_weights) if square else (gg_x1, gg_x2, gg_weights)
    # an unweighted product's weight gradient is None (empty): it contributes nothing
    loss = sum((g * gg).sum() for g, gg in zip(grads, cotangents) if g is not None)
    seconds = torch.autograd.grad(loss, inputs + (grad_out,), allow_unused=True)
    seconds = [torch.zeros_like(t) if s is None else s for s, t in zip(seconds, inputs + (grad_out,))]
    case = {
        "name": name,
        "e3nn": description,
        "square": square,
        "irreps_in1": str(tp.irreps_in1),
        "irreps_in2": str(tp.irreps_in2),
        "irreps_out": str(tp.irreps_out),
        "instructions": [list(ins) for ins in instructions],
        "shared_weights": shared,
        "weight_numel": tp.weight_numel,
        "batch": BATCH,
        "x1": rows(x1.detach()),
        "weights": weights_json(weights.detach(), shared),
        "grad_out": rows(grad_out.detach()),
        "gg_x1": rows(gg_x1),
        "gg_weights": weights_json(gg_weights, shared),
        "g_x1": rows(seconds[0]),
        "g_weights": weights_json(seconds[-2], shared),
        "g_grad_out": rows(seconds[-1]),
    }
    if not square:
        case.update({"x2": rows(x2.detach()), "gg_x2": rows(gg_x2), "g_x2": rows(seconds[1])})
    return case


def instructions_of(tp):
    return [(i.i_in1, i.i_in2, i.i_out, i.connection_mode, i.has_weight, 1.0) for i in tp.instructions]


def mode_case(name, in1, in2, out, mode, weighted=True, shared=True, irrep_normalization="component",
              path_normalization="element"):
    instructions = every_path(in1, in2, out, mode, weighted)
    tp = o3.TensorProduct(in1, in2, out, instructions, irrep_normalization=irrep_normalization,
                          path_normalization=path_normalization, shared_weights=shared, internal_weights=False)
    description = (f"o3.TensorProduct('{in1}', '{in2}', '{out}', instructions=<every allowed path (i1, i2, out)"
                   f" whose multiplicities fit mode {mode}, in loop order i1, i2, out{'' if weighted else ', unweighted'}>,"
                   f" irrep_normalization='{irrep_normalization}', path_normalization='{path_normalization}',"
                   f" shared_weights={shared}, internal_weights=False)")
    return double_backward_case(name, description, tp, instructions, shared)


def cases():
    result = []
    fc = ("2x0e+2x1o", "0e+1o+2e", "4x0e+2x1o+1x2e")
    for shared, name in [(True, "fc_small"), (False, "fc_per_sample")]:
        tp = o3.FullyConnectedTensorProduct(*fc, shared_weights=shared, internal_weights=False)
        result.append(double_backward_case(
            name, f"o3.FullyConnectedTensorProduct('{fc[0]}', '{fc[1]}', '{fc[2]}', shared_weights={shared},"
            " internal_weights=False)", tp, instructions_of(tp), shared))
    result.append(mode_case("mode_uvw", "3x0e+2x1o+1x2e", "2x0e+1x1o+1x2e", "2x0e+3x1o+2x1e+1x2e+1x2o", "uvw"))
    result.append(mode_case("mode_uvu", "3x0e+2x1o+1x2e", "2x0e+1x1o+1x2e", "3x0e+2x1o+2x1e+1x2e", "uvu"))
    result.append(mode_case("mode_uvv", "3x0e+2x1o+1x2e", "2x0e+2x1o+2x2e", "2x0e+2x1o+2x1e+2x2e", "uvv"))
    result.append(mode_case("mode_uuw", "3x0e+2x1o+1x2e", "3x0e+2x1e+1x2o", "4x0e+2x1o+1x1e+2x2e+1x2o", "uuw"))
    result.append(mode_case("mode_uuu", "3x0e+2x1o+1x2e", "3x0e+2x1o+1x2e", "3x0e+2x1o+2x1e+1x2e", "uuu"))
    result.append(mode_case("mode_uvuv", "2x0e+2x1o", "2x0e+1x1o", "4x0e+2x0e+4x1o+2x1o+2x1e+2x2e", "uvuv"))
    result.append(mode_case("mode_uvu_lt_v", "3x0e+3x1o", "3x0e+3x1o", "3x0e+3x1o+3x1e+3x2e", "uvu<v"))
    result.append(mode_case("mode_u_lt_vw", "3x0e+3x1o", "3x0e+3x1o", "2x0e+2x1o+1x1e+2x2e", "u<vw"))
    result.append(mode_case("mode_uvu_unweighted", "2x0e+2x1o", "1x0e+1x1o+1x2e", "2x0e+2x1o+2x1e+2x2e", "uvu",
                            weighted=False))
    result.append(mode_case("mode_uuw_unweighted", "2x0e+2x1o", "2x0e+2x1o", "1x0e+1x1o+1x1e", "uuw",
                            weighted=False))
    result.append(mode_case("nequip_conv_uvu_per_edge_weights", "4x0e+4x1o+2x2e", "1x0e+1x1o+1x2e",
                            "4x0e+4x1o+4x1e+2x2e", "uvu", shared=False))
    result.append(mode_case("norm_path_uvw_per_sample", "2x0e+2x1o", "1x0e+1x1o", "2x0e+2x1o+1x1e", "uvw",
                            shared=False, irrep_normalization="norm", path_normalization="path"))
    full = ("2x1o+1x2e", "1x0e+1x1o")
    tp = o3.FullTensorProduct(*full)
    result.append(double_backward_case("full", f"o3.FullTensorProduct('{full[0]}', '{full[1]}')", tp,
                                       instructions_of(tp), True))
    tp = o3.ElementwiseTensorProduct("3x0e+2x1o+1x2e", "2x0e+1x0o+3x1e", filter_ir_out=["0e", "1e", "1o", "2e", "2o"])
    result.append(double_backward_case(
        "elementwise", "o3.ElementwiseTensorProduct('3x0e+2x1o+1x2e', '2x0e+1x0o+3x1e',"
        " filter_ir_out=['0e','1e','1o','2e','2o'])", tp, instructions_of(tp), True))
    tp = o3.TensorSquare("2x0e+2x1o+1x2e")
    result.append(double_backward_case("tensor_square", "o3.TensorSquare('2x0e+2x1o+1x2e')", tp,
                                       instructions_of(tp), True, square=True))
    tp = o3.TensorSquare("2x0e+2x1o", irreps_out="3x0e+2x1o+2x1e+1x2e", internal_weights=False)
    result.append(double_backward_case(
        "tensor_square_weighted", "o3.TensorSquare('2x0e+2x1o', irreps_out='3x0e+2x1o+2x1e+1x2e',"
        " internal_weights=False)", tp, instructions_of(tp), True, square=True))
    tp = o3.TensorSquare("2x0e+2x1o", irreps_out="2x0e+1x1e+2x2e", shared_weights=False, internal_weights=False)
    result.append(double_backward_case(
        "tensor_square_per_sample", "o3.TensorSquare('2x0e+2x1o', irreps_out='2x0e+1x1e+2x2e',"
        " shared_weights=False, internal_weights=False)", tp, instructions_of(tp), False, square=True))
    # Added later, as configurations the kernels were not written against: l up to 4, odd parities, irreps out of
    # order and repeated.
    result.append(mode_case("mode_uvw_l4_odd_per_sample", "2x0e+1x1o+1x3o+1x2e", "1x0e+1x1e+1x2o+1x3e",
                            "2x0o+2x1e+1x2o+1x3e+1x4o+1x0e", "uvw", shared=False))
    result.append(mode_case("mode_uvu_l4", "2x1o+1x3e+2x0e+1x4o", "0e+1o+2e+3o+4e",
                            "2x1o+1x3e+2x0e+1x4o+2x2e+1x3o+2x0o", "uvu"))
    result.append(mode_case("mode_uuu_l3", "2x0e+2x2o+2x3e", "2x1e+2x2o+2x3o", "2x1e+2x2e+2x3o+2x4e+2x0o", "uuu"))
    tp = o3.FullyConnectedTensorProduct("1x1o+2x0e+1x3o+1x1o", "1x2e+1x0e", "2x3e+1x1o+3x0e+1x2o+1x4o+1x3o",
                                        shared_weights=False, internal_weights=False)
    result.append(double_backward_case(
        "fc_l4_repeated_per_sample", "o3.FullyConnectedTensorProduct('1x1o+2x0e+1x3o+1x1o', '1x2e+1x0e',"
        " '2x3e+1x1o+3x0e+1x2o+1x4o+1x3o', shared_weights=False, internal_weights=False)", tp, instructions_of(tp),
        False))
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="reference/e3nn-0.5.4")
    args = parser.parse_args()
    if e3nn.__version__ != "0.5.4":
        raise SystemExit(f"expected e3nn 0.5.4 on PYTHONPATH, found {e3nn.__version__} at {e3nn.__file__}")
    torch.set_default_dtype(torch.float64)
    torch.manual_seed(22)
    document = {
        "source": f"e3nn {e3nn.__version__} o3.TensorProduct and subclasses, torch {torch.__version__}: g_* ="
                  " autograd of sum(gg_* * backward outputs) with create_graph=True",
        "layout": "mul_ir (e3nn default); weights flattened in instruction order, each path's weight tensor in"
                  " row-major path_shape order",
        "cases": cases(),
    }
    with open(os.path.join(args.out, "tensor_products_double_backward.json"), "w") as f:
        json.dump(document, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
