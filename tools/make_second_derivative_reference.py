"""Reference second derivatives of e3nn 0.5.4's runtime blocks (issue 22), from torch.autograd with
``create_graph=True``: the normalized activations, ``nn.FullyConnectedNet``, ``nn.Gate``,
``math.soft_one_hot_linspace`` and gate points' ``smooth_cutoff``. Writes
``reference/e3nn-0.5.4/second_derivatives.json``.

Every block's "double backward" is recorded the way e3j's ``doubleBackward`` methods define it: for the backward
outputs ``grad_x`` (and ``grad_weights``) of ``sum(out * grad_out)``, and random cotangents ``gg_x`` (and
``gg_weights``), the gradients of ``S = sum(gg_x * grad_x) + sum(gg_weights * grad_weights)`` with respect to ``x``
(``g_x``), the weights (``g_weights``) and ``grad_out`` (``g_grad_out``); ``jvp`` is the tangent of ``out`` along
``gg_x`` alone (weights fixed). Each case draws its inputs with ``torch.manual_seed`` (float64) and records them.
e3nn's ``normalize2mom`` constants (Monte Carlo, fixed seed) are recorded per activation (``constants``). Arrays are
flattened row-major.

- ``activations``: ``normalize2mom(f)`` for ``f`` in silu, tanh, sigmoid, softplus, abs, relu: ``x``, ``y``,
  ``dy``, ``d2y``.
- ``fully_connected``: ``FullyConnectedNet(hs, act, variance_in, variance_out, out_act)``; ``weights`` are the
  layers' ``[h_in][h_out]`` weights in order (the ``state_dict``'s).
- ``gate``: ``Gate(irreps_scalars, act_scalars, irreps_gates, act_gates, irreps_gated)``; ``constants`` are the
  scalars' then the gates' activation constants.
- ``soft_one_hot_linspace``: every basis with and without cutoff: ``y``, ``dy``, ``d2y`` (``[x][number]``).
- ``smooth_cutoff``: ``y``, ``dy``, ``d2y`` at ``x``.

Usage (e3nn 0.5.4 and its dependencies on PYTHONPATH, see reference/e3nn-0.5.4/README.md)::

    python3 tools/make_second_derivative_reference.py [--out reference/e3nn-0.5.4/second_derivatives.json]
"""
import argparse
import json

import torch
from e3nn import o3
from e3nn.math import normalize2mom, soft_one_hot_linspace
from e3nn.nn import FullyConnectedNet, Gate
from e3nn.nn.models.gate_points_2101 import smooth_cutoff

torch.set_default_dtype(torch.float64)

FUNCTIONS = {
    "silu": torch.nn.functional.silu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "softplus": torch.nn.functional.softplus,
    "abs": torch.abs,
    "relu": torch.relu,
}


def flat(t):
    # autograd returns a zero tensor without storage for a function whose derivative is constant (abs, relu).
    t = t.detach()
    return (torch.zeros(t.shape) if t._is_zerotensor() else t).reshape(-1).tolist()


def elementwise_derivatives(f, x):
    """y, dy/dx and d2y/dx2 of an elementwise f at x."""
    x = x.clone().requires_grad_(True)
    y = f(x)
    (dy,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    (d2y,) = torch.autograd.grad(dy.sum(), x)
    return y, dy, d2y


def double_backward(module, x, weights, grad_out, gg_x, gg_weights):
    """Forward, backward, and the gradients of S = gg_x . grad_x + gg_weights . grad_weights."""
    x = x.clone().requires_grad_(True)
    grad_out = grad_out.clone().requires_grad_(True)
    out = module(x)
    grads = torch.autograd.grad(out, [x] + weights, grad_out, create_graph=True)
    s = (gg_x * grads[0]).sum()
    for gg, g in zip(gg_weights, grads[1:]):
        s = s + (gg * g).sum()
    second = torch.autograd.grad(s, [x] + weights + [grad_out], allow_unused=True)
    second = [torch.zeros_like(v) if g is None else g for g, v in zip(second, [x] + weights + [grad_out])]
    return out, grads, second


def tangent(module, x, dx):
    return torch.autograd.functional.jvp(module, x, dx)[1]


def activation_cases():
    cases = []
    torch.manual_seed(0)
    x = torch.randn(12) * 2
    for name, f in FUNCTIONS.items():
        normalized = normalize2mom(f)
        y, dy, d2y = elementwise_derivatives(normalized, x)
        cases.append(dict(name=name, constant=normalized.cst, x=flat(x), y=flat(y), dy=flat(dy), d2y=flat(d2y)))
    return cases


def fully_connected_cases():
    cases = []
    configs = [
        ([3, 5, 4, 2], "silu", 1.0, 1.0, False),
        ([2, 6, 3], "tanh", 2.0, 3.0, True),
        ([4, 3, 2], None, 1.5, 0.5, False),
        ([8, 16, 16, 7], "silu", 1.0, 1.0, False),
    ]
    for seed, (hs, act, variance_in, variance_out, out_act) in enumerate(configs):
        torch.manual_seed(seed)
        net = FullyConnectedNet(hs, FUNCTIONS[act] if act else None, variance_in, variance_out, out_act)
        weights = list(net.parameters())
        batch = 3
        x = torch.randn(batch, hs[0])
        grad_out = torch.randn(batch, hs[-1])
        gg_x = torch.randn(batch, hs[0])
        gg_weights = [torch.randn_like(w) for w in weights]
        out, grads, second = double_backward(net, x, weights, grad_out, gg_x, gg_weights)
        constant = net[0].act.cst if act else 1.0
        cases.append(dict(
            hs=hs, act=act, variance_in=variance_in, variance_out=variance_out, out_act=out_act,
            constant=constant, batch=batch,
            x=flat(x), weights=[v for w in weights for v in flat(w)], grad_out=flat(grad_out), gg_x=flat(gg_x),
            gg_weights=[v for w in gg_weights for v in flat(w)],
            out=flat(out), grad_x=flat(grads[0]), grad_weights=[v for g in grads[1:] for v in flat(g)],
            g_x=flat(second[0]), g_weights=[v for g in second[1:-1] for v in flat(g)], g_grad_out=flat(second[-1]),
            jvp=flat(tangent(net, x, gg_x)),
        ))
    return cases


def gate_cases():
    cases = []
    configs = [
        ("3x0e+2x0o", ["silu", "tanh"], "2x0e+1x0o", ["sigmoid", "tanh"], "2x1o+1x2e"),
        ("8x0e", ["relu"], "4x0e+4x0o", ["sigmoid", "tanh"], "8x1o"),
        ("4x0e", ["softplus"], "3x0e", ["silu"], "1x1e+2x2o"),
    ]
    for seed, (scalars, act_scalars, gates, act_gates, gated) in enumerate(configs):
        torch.manual_seed(seed)
        gate = Gate(scalars, [FUNCTIONS[a] for a in act_scalars], gates, [FUNCTIONS[a] for a in act_gates], gated)
        batch = 2
        x = torch.randn(batch, gate.irreps_in.dim)
        grad_out = torch.randn(batch, gate.irreps_out.dim)
        gg_x = torch.randn(batch, gate.irreps_in.dim)
        out, grads, second = double_backward(gate, x, [], grad_out, gg_x, [])
        constants = [a.cst for a in gate.act_scalars.acts] + [a.cst for a in gate.act_gates.acts]
        cases.append(dict(
            irreps_scalars=scalars, act_scalars=act_scalars, irreps_gates=gates, act_gates=act_gates,
            irreps_gated=gated, constants=constants, irreps_in=str(gate.irreps_in), irreps_out=str(gate.irreps_out),
            batch=batch, x=flat(x), grad_out=flat(grad_out), gg_x=flat(gg_x),
            out=flat(out), grad_x=flat(grads[0]), g_x=flat(second[0]), g_grad_out=flat(second[-1]),
            jvp=flat(tangent(gate, x, gg_x)),
        ))
    return cases


def soft_one_hot_cases():
    cases = []
    torch.manual_seed(0)
    x = torch.tensor([-0.31, 0.17, 0.55, 0.93, 1.33, 1.71, 2.2])
    start, end, number = -0.5, 2.0, 5
    for basis in ["gaussian", "cosine", "smooth_finite", "fourier", "bessel"]:
        for cutoff in [False, True]:
            y = soft_one_hot_linspace(x, start, end, number, basis, cutoff)
            dy = []
            d2y = []
            for i in range(number):
                _, d, d2 = elementwise_derivatives(
                    lambda t: soft_one_hot_linspace(t, start, end, number, basis, cutoff)[:, i], x)
                dy.append(d.detach())
                d2y.append(d2)
            cases.append(dict(
                basis=basis, cutoff=cutoff, start=start, end=end, number=number, x=flat(x), y=flat(y),
                dy=flat(torch.stack(dy, dim=1)), d2y=flat(torch.stack(d2y, dim=1)),
            ))
    return cases


def smooth_cutoff_case():
    x = torch.tensor([0.2, 0.51, 0.6, 0.75, 0.83, 0.97, 1.3])
    y, dy, d2y = elementwise_derivatives(smooth_cutoff, x)
    return dict(x=flat(x), y=flat(y), dy=flat(dy), d2y=flat(d2y))


def main(path):
    data = dict(
        activations=activation_cases(),
        fully_connected=fully_connected_cases(),
        gate=gate_cases(),
        soft_one_hot_linspace=soft_one_hot_cases(),
        smooth_cutoff=smooth_cutoff_case(),
    )
    with open(path, "w") as f:
        json.dump(data, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="reference/e3nn-0.5.4/second_derivatives.json")
    main(parser.parse_args().out)
