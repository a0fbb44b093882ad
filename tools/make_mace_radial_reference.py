"""Reference second derivatives of mace-torch 0.3.6's radial blocks (issue 22), from torch.autograd with
``create_graph=True`` (float64): ``RadialEmbeddingBlock`` (Bessel basis times polynomial cutoff) and the radial MLP
of an interaction (``conv_tp_weights``: e3nn 0.4.4's ``FullyConnectedNet([num_bessel] + radial_MLP +
[weight_numel], silu)``). Writes ``reference/mace-0.3.6/radial_second_derivatives.json``.

- ``radial_embedding``: per ``(r_max, num_bessel, num_polynomial_cutoff)``, the ``bessel_weights`` buffer, edge
  ``lengths``, ``out`` ``[edges][num_bessel]`` and autograd's ``d_out`` and ``d2_out`` (first and second derivatives
  of each output with respect to its edge length).
- ``radial_mlp``: ``hs``, the silu ``constant`` of e3nn 0.4.4's ``normalize2mom``, the layers' ``weights``
  (``[h_in][h_out]`` each, in order), inputs ``x``, random ``grad_out``, ``gg_x`` and ``gg_weights``; ``out``,
  ``grad_x``, ``grad_weights`` (gradients of ``sum(out * grad_out)``), and the gradients of ``S = sum(gg_x * grad_x)
  + sum(gg_weights * grad_weights)`` with respect to ``x``, the weights and ``grad_out`` (``g_x``, ``g_weights``,
  ``g_grad_out``); ``jvp``, the tangent of ``out`` along ``gg_x``.

Run with the MACE environment of the project notes (PYTHONPATH with mace-0.3.6, e3nn-0.4.4, opt_einsum,
opt_einsum_fx and the directory holding mace_env.py)::

    python3 tools/make_mace_radial_reference.py [--out reference/mace-0.3.6/radial_second_derivatives.json]
"""
import argparse
import json

import mace_env  # noqa: F401  registers mace.tools / mace.data without their training-only imports
import torch
from e3nn import nn
from mace.modules.blocks import RadialEmbeddingBlock

torch.set_default_dtype(torch.float64)


def flat(t):
    return t.detach().reshape(-1).tolist()


def embedding_case(r_max, num_bessel, num_polynomial_cutoff, lengths):
    block = RadialEmbeddingBlock(r_max, num_bessel, num_polynomial_cutoff)
    r = torch.tensor(lengths).unsqueeze(-1)
    out = block(r, None, None, None)
    d_out = []
    d2_out = []
    for n in range(num_bessel):
        x = r.clone().requires_grad_(True)
        (d,) = torch.autograd.grad(block(x, None, None, None)[:, n].sum(), x, create_graph=True)
        (d2,) = torch.autograd.grad(d.sum(), x)
        d_out.append(d.detach()[:, 0])
        d2_out.append(d2[:, 0])
    return dict(
        r_max=r_max, num_bessel=num_bessel, num_polynomial_cutoff=num_polynomial_cutoff,
        bessel_weights=flat(block.bessel_fn.bessel_weights), lengths=lengths, out=flat(out),
        d_out=flat(torch.stack(d_out, dim=1)), d2_out=flat(torch.stack(d2_out, dim=1)),
    )


def mlp_case(hs, batch, seed):
    torch.manual_seed(seed)
    net = nn.FullyConnectedNet(hs, torch.nn.functional.silu)
    weights = list(net.parameters())
    x = torch.randn(batch, hs[0]).requires_grad_(True)
    grad_out = torch.randn(batch, hs[-1]).requires_grad_(True)
    gg_x = torch.randn(batch, hs[0])
    gg_weights = [torch.randn_like(w) for w in weights]
    out = net(x)
    grads = torch.autograd.grad(out, [x] + weights, grad_out, create_graph=True)
    s = (gg_x * grads[0]).sum() + sum((gg * g).sum() for gg, g in zip(gg_weights, grads[1:]))
    second = torch.autograd.grad(s, [x] + weights + [grad_out])
    jvp = torch.autograd.functional.jvp(net, x.detach(), gg_x)[1]
    return dict(
        hs=hs, constant=net[0].act.cst, batch=batch, x=flat(x), weights=[v for w in weights for v in flat(w)],
        grad_out=flat(grad_out), gg_x=flat(gg_x), gg_weights=[v for w in gg_weights for v in flat(w)],
        out=flat(out), grad_x=flat(grads[0]), grad_weights=[v for g in grads[1:] for v in flat(g)],
        g_x=flat(second[0]), g_weights=[v for g in second[1:-1] for v in flat(g)], g_grad_out=flat(second[-1]),
        jvp=flat(jvp),
    )


def main(path):
    lengths = [0.4, 1.1, 2.35, 3.7, 4.6, 4.95]
    data = dict(
        radial_embedding=[
            embedding_case(5.0, 8, 5, lengths),
            embedding_case(5.0, 8, 6, lengths),
            embedding_case(4.0, 6, 3, [0.3, 1.9, 3.2, 3.99]),
        ],
        radial_mlp=[mlp_case([8, 12, 12, 9], 3, 0), mlp_case([6, 10, 5], 3, 1)],
    )
    with open(path, "w") as f:
        json.dump(data, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="reference/mace-0.3.6/radial_second_derivatives.json")
    main(parser.parse_args().out)
