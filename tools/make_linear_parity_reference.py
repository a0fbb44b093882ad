"""Reference data for the `o3.Linear` options of issue 24: explicit `instructions`, `shared_weights=False`, `f_in`
and `f_out`, `biases` as a list per output entry, and `path_normalization="path"`. Writes
`reference/e3nn-0.5.4/linear_parity.json`.

Each case builds `o3.Linear(irreps_in, irreps_out, f_in, f_out, internal_weights=False, shared_weights,
instructions, biases, path_normalization)` in float64, draws `x`, `weights`, `bias` and `grad_out` with
`torch.manual_seed(seed)` (standard normal) and records them with `out` and the gradients of `sum(out * grad_out)`.
Shapes (flattened row-major): `x` `[batch][f_in][dim in]` (no `f_in` axis when it is null), `weights` `[f_in][f_out]
[weight_numel]` or with a leading `[batch]` when not shared, `bias` `[f_out][bias_numel]`, `out` `[batch][f_out][dim
out]`. e3nn 0.5.4 cannot trace biases with `shared_weights=False` (a reshape fails), so those cases have none.
`weight_numel` and `bias_numel` are e3nn's, of one feature pair.

`tensor_product_right` holds, per tensor product, e3nn's `right(x2, weights)` (`[batch][dim in1][dim out]`, the
operator of `x1` for fixed `x2`) and `weight_views`: for each weighted instruction its index, entries, mode, offset in
the flat weights and `path_shape`.

Usage (e3nn 0.5.4 and its dependencies on PYTHONPATH, see reference/e3nn-0.5.4/README.md)::

    python3 tools/make_linear_parity_reference.py [--out reference/e3nn-0.5.4/linear_parity.json]
"""
import argparse
import json
from math import prod

import e3nn
import torch
from e3nn import o3

torch.set_default_dtype(torch.float64)

CASES = [
    dict(irreps_in="2x0e+3x1o+1x0e", irreps_out="3x0e+2x1o+1x0e", instructions=[[0, 0], [1, 1], [2, 0], [0, 2]],
         biases=[True, False, False]),
    dict(irreps_in="3x0e+2x1o", irreps_out="2x0e+2x1o+1x2e", shared_weights=False),
    dict(irreps_in="2x0e+1x1o", irreps_out="1x0e+2x1o", f_in=2, f_out=3, biases=True),
    dict(irreps_in="2x1o+3x1o+1x2e", irreps_out="2x1o+1x2e", instructions=[[0, 0], [1, 0], [2, 1]],
         path_normalization="path"),
    dict(irreps_in="1x0e+2x1e", irreps_out="2x0e+1x1e+1x0e", shared_weights=False, f_in=2, f_out=2,
         path_normalization="path"),
    dict(irreps_in="1x0e+2x1e", irreps_out="2x0e+1x1e+1x0e", f_in=2, f_out=2, biases=[False, False, True]),
]


def flat(t):
    return t.detach().reshape(-1).tolist()


def case(seed, spec):
    f_in, f_out = spec.get("f_in"), spec.get("f_out")
    shared = spec.get("shared_weights", True)
    lin = o3.Linear(spec["irreps_in"], spec["irreps_out"], f_in=f_in, f_out=f_out, internal_weights=False,
                    shared_weights=shared, instructions=spec.get("instructions"), biases=spec.get("biases", False),
                    path_normalization=spec.get("path_normalization", "element"))
    torch.manual_seed(seed)
    batch = 3
    features = () if f_in is None else (f_in,)
    pairs = () if f_in is None else (f_in, f_out)
    x = torch.randn(batch, *features, lin.irreps_in.dim, requires_grad=True)
    weights = torch.randn(*(() if shared else (batch,)), *pairs, lin.weight_numel, requires_grad=True)
    bias = torch.randn(*(() if f_out is None else (f_out,)), lin.bias_numel, requires_grad=True)
    out = lin(x, weights, bias)
    grad_out = torch.randn_like(out)
    grad_x, grad_weights, grad_bias = torch.autograd.grad(out, [x, weights, bias], grad_out, allow_unused=True)
    zeros = torch.zeros_like
    return dict(spec, batch=batch, weight_numel=lin.weight_numel, bias_numel=lin.bias_numel, x=flat(x),
                weights=flat(weights), bias=flat(bias), out=flat(out), grad_out=flat(grad_out),
                grad_x=flat(grad_x if grad_x is not None else zeros(x)),
                grad_weights=flat(grad_weights if grad_weights is not None else zeros(weights)),
                grad_bias=flat(grad_bias if grad_bias is not None else zeros(bias)))


RIGHT_CASES = [
    dict(kind="FULLY_CONNECTED", irreps_in1="2x0e+1x1o", irreps_in2="1x0e+1x1o", irreps_out="2x0e+1x1o+1x1e"),
    dict(kind="CUSTOM", irreps_in1="2x0e+2x1o", irreps_in2="1x0e+1x1o", irreps_out="2x0e+2x1o+2x1e",
         instructions=[[0, 0, 0, "uvu"], [1, 1, 0, "uvu"], [0, 1, 1, "uvu"], [1, 0, 1, "uvu"], [1, 1, 2, "uvu"]],
         shared_weights=False),
]


def right_case(seed, spec):
    shared = spec.get("shared_weights", True)
    if spec["kind"] == "FULLY_CONNECTED":
        tp = o3.FullyConnectedTensorProduct(spec["irreps_in1"], spec["irreps_in2"], spec["irreps_out"],
                                            internal_weights=False, shared_weights=shared, compile_right=True)
    else:
        tp = o3.TensorProduct(spec["irreps_in1"], spec["irreps_in2"], spec["irreps_out"],
                              [tuple(i) + (True,) for i in spec["instructions"]], internal_weights=False,
                              shared_weights=shared, compile_right=True)
    torch.manual_seed(100 + seed)
    batch = 2
    x2 = torch.randn(batch, tp.irreps_in2.dim)
    weights = torch.randn(*(() if shared else (batch,)), tp.weight_numel)
    right = tp.right(x2, weights)
    views = []
    offset = 0
    for index, ins in enumerate(tp.instructions):
        if ins.has_weight:
            views.append([index, ins.i_in1, ins.i_in2, ins.i_out, ins.connection_mode, offset, list(ins.path_shape)])
            offset += prod(ins.path_shape)
    return dict(spec, batch=batch, weight_numel=tp.weight_numel, x2=flat(x2), weights=flat(weights),
                right=flat(right), weight_views=views)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="reference/e3nn-0.5.4/linear_parity.json")
    args = parser.parse_args()
    data = dict(
        source=f"e3nn {e3nn.__version__} (float64, PyTorch {torch.__version__} CPU),"
        " tools/make_linear_parity_reference.py",
        cases=[case(seed, spec) for seed, spec in enumerate(CASES)],
        tensor_product_right=[right_case(seed, spec) for seed, spec in enumerate(RIGHT_CASES)],
    )
    with open(args.out, "w") as f:
        json.dump(data, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
