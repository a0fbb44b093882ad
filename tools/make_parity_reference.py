"""Reference data for the e3nn features ported to the runtime for parity (issue 24): `o3.Norm`, `nn.BatchNorm`
with `reduce` and `instance`, the derivatives of `math.soft_unit_step`, and `o3.spherical_harmonics`' parity check
of an irreps argument. Writes `reference/e3nn-0.5.4/parity.json`.

Every case draws its inputs with `torch.manual_seed` (float64) and records them, so the Java tests recompute the
outputs from the recorded inputs; nothing depends on reproducing PyTorch's generator. Arrays are flattened row-major.

- `norm`: `o3.Norm(irreps, squared)` applied to `x` `[batch][dim]`: `out` `[batch][num_irreps]`, and `grad_x`,
  the gradient of `sum(out * grad_out)`.
- `batch_norm`: `nn.BatchNorm(irreps, eps, momentum, affine, reduce, instance, normalization)` with the recorded
  `weight` and `bias`, on `x` `[batch][samples][dim]`: in training mode `train.out`, the running statistics after
  that call, and the gradients of `sum(out * grad_out)` (`grad_x`, `grad_weight`, `grad_bias`); then in evaluation
  mode the same for `x_eval`.
- `soft_unit_step`: `y`, `dy` and `d2y` (autograd's first and second derivatives) at `x`.
- `spherical_harmonics_parity`: for each irreps string, the input irreps e3nn's `SphericalHarmonics` chooses, or
  `null` where it raises `ValueError`.

Usage (e3nn 0.5.4 and its dependencies on PYTHONPATH, see reference/e3nn-0.5.4/README.md)::

    python3 tools/make_parity_reference.py [--out reference/e3nn-0.5.4/parity.json]
"""
import argparse
import itertools
import json

import e3nn
import torch
from e3nn import o3
from e3nn.math import soft_unit_step
from e3nn.nn import BatchNorm

torch.set_default_dtype(torch.float64)


def flat(t):
    return t.detach().reshape(-1).tolist()


def norm_cases():
    cases = []
    for seed, (irreps, squared) in enumerate(
        itertools.product(["5x0e", "1e + 2e + 4x1e + 3x3o", "2x0e + 3x0o + 1x1o + 1x1o + 2x4e"], [False, True])
    ):
        torch.manual_seed(seed)
        norm = o3.Norm(irreps, squared=squared)
        batch = 3
        x = torch.randn(batch, norm.irreps_in.dim, requires_grad=True)
        out = norm(x)
        grad_out = torch.randn_like(out)
        (grad_x,) = torch.autograd.grad(out, x, grad_out)
        cases.append(
            dict(
                irreps=irreps,
                squared=squared,
                batch=batch,
                irreps_out=str(norm.irreps_out),
                x=flat(x),
                out=flat(out),
                grad_out=flat(grad_out),
                grad_x=flat(grad_x),
            )
        )
    return cases


def batch_norm_run(m, x, grad_out):
    x = x.clone().requires_grad_(True)
    out = m(x)
    params = [p for p in (m.weight, getattr(m, "bias", None)) if p is not None]
    grads = torch.autograd.grad(out, [x] + params, grad_out)
    result = dict(out=flat(out), grad_out=flat(grad_out), grad_x=flat(grads[0]))
    if m.affine:
        result["grad_weight"] = flat(grads[1])
        result["grad_bias"] = flat(grads[2])
    return result


def batch_norm_cases():
    irreps = "2x0e + 1x0o + 2x1e + 1x2o"
    cases = []
    # Every reduce, instance and normalization with affine parameters, and one case without.
    settings = list(itertools.product([True], ["mean", "max"], [False, True], ["component", "norm"]))
    settings.append((False, "max", False, "norm"))
    for seed, (affine, reduce, instance, normalization) in enumerate(settings):
        torch.manual_seed(100 + seed)
        m = BatchNorm(irreps, eps=1e-5, momentum=0.1, affine=affine, reduce=reduce, instance=instance,
                      normalization=normalization)
        batch, samples = 3, 3
        dim = m.irreps.dim
        with torch.no_grad():
            if affine:
                m.weight.copy_(torch.rand(m.weight.shape) + 0.5)
                m.bias.copy_(torch.randn(m.bias.shape))
        x = torch.randn(batch, samples, dim) * 2 + 1
        x_eval = torch.randn(batch, samples, dim) * 2 + 1
        m.train()
        train = batch_norm_run(m, x, torch.randn(batch, samples, dim))
        if not instance:
            train["running_mean"] = flat(m.running_mean)
            train["running_var"] = flat(m.running_var)
        m.eval()
        evaluation = batch_norm_run(m, x_eval, torch.randn(batch, samples, dim))
        cases.append(
            dict(
                irreps=irreps,
                eps=1e-5,
                momentum=0.1,
                affine=affine,
                reduce=reduce,
                instance=instance,
                normalization=normalization,
                batch=batch,
                samples=samples,
                weight=flat(m.weight) if affine else None,
                bias=flat(m.bias) if affine else None,
                x=flat(x),
                train=train,
                x_eval=flat(x_eval),
                eval=evaluation,
            )
        )
    return cases


def soft_unit_step_case():
    x = torch.cat([torch.linspace(-1.0, 3.0, 41), torch.tensor([1e-3, 2e-3, 0.01, 0.05, 0.25, 0.5, 10.0, 100.0])])
    x.requires_grad_(True)
    y = soft_unit_step(x)
    (dy,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    (d2y,) = torch.autograd.grad(dy.sum(), x)
    return dict(x=flat(x), y=flat(y), dy=flat(dy), d2y=flat(d2y))


def spherical_harmonics_parity_cases():
    cases = []
    for irreps in ["0e + 1o + 2e", "0e + 1e + 2e", "2x1o + 3o", "0e + 2e", "3x2e + 1e",
                   "0e + 1o + 2o", "0o", "1e + 1o", "0e + 1e + 2o", "1o + 3e"]:
        try:
            chosen = str(o3.SphericalHarmonics(irreps, normalize=True).irreps_in)
        except ValueError:
            chosen = None
        cases.append(dict(irreps=irreps, irreps_in=chosen))
    return cases


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="reference/e3nn-0.5.4/parity.json")
    args = parser.parse_args()
    data = dict(
        source=f"e3nn {e3nn.__version__} (float64, PyTorch {torch.__version__} CPU), tools/make_parity_reference.py",
        norm=norm_cases(),
        batch_norm=batch_norm_cases(),
        soft_unit_step=soft_unit_step_case(),
        spherical_harmonics_parity=spherical_harmonics_parity_cases(),
    )
    with open(args.out, "w") as f:
        json.dump(data, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
