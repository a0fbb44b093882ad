"""Reference second derivatives for the generated kernels' doubleBackward: torch autograd with create_graph=True.

For each module the backward pass is taken with create_graph=True, and the gradient of
L = sum(gg_i * backward_output_i) (random cotangents gg) with respect to the backward's inputs (the module's inputs and
weights, and grad_out) is recorded. All float64, arrays flattened row-major.

    e3nn   (e3nn 0.5.4 on PYTHONPATH, see reference/e3nn-0.5.4/README.md):
        python3 tools/make_double_backward_kernels_reference.py e3nn reference/e3nn-0.5.4/double_backward_kernels.json
        o3.spherical_harmonics(ls, xyz, normalize, normalization): xyz, grad_out, gg_xyz -> g_xyz, g_grad_out.
        o3.Linear(irreps_in, irreps_out, f_in, f_out, shared_weights, biases, internal_weights=False): x, weights,
        bias, grad_out, gg_x, gg_weights, gg_bias -> g_x, g_weights, g_grad_out (shapes as linear_parity.json).
    mace   (the MACE environment of the project notes, with mace_env.py's directory on PYTHONPATH):
        python3 tools/make_double_backward_kernels_reference.py mace reference/mace-0.3.6/double_backward_kernels.json
        mace-torch 0.3.6's SymmetricContraction: x, node_elements, weights (flat in the order of
        SymmetricContractionKernel.weightViews()), grad_out, gg_x, gg_weights -> g_x, g_weights, g_grad_out.
"""
import json
import sys

import torch

torch.set_default_dtype(torch.float64)

SH_CASES = [
    # (ls, normalize, normalization)
    ([0, 1, 2, 3], True, "component"),
    ([0, 2, 5], False, "norm"),
    ([1, 4, 6], True, "integral"),
    ([3, 1, 3], False, "component"),
    ([2, 7], True, "norm"),
]

LINEAR_CASES = [
    dict(irreps_in="3x0e+2x1o+1x2e", irreps_out="2x0e+3x1o+2x2e", biases=True),
    dict(irreps_in="2x0e+2x1o", irreps_out="3x0e+1x1o", shared_weights=False),
    dict(irreps_in="2x0e+1x1o", irreps_out="1x0e+2x1o", f_in=2, f_out=3, biases=True),
]

SC_CASES = [
    # (irreps_in, irreps_out, correlation, elements, nodes)
    ("2x0e+2x1o+2x2e", "2x0e", 1, 2, 3),
    ("3x0e+3x1o+3x2e", "3x0e+3x1o", 2, 3, 4),
    ("2x0e+2x1o", "2x0e+2x1o", 3, 2, 3),
    ("2x0e+2x1o+2x2e+2x3o", "2x0e+2x1o", 3, 2, 2),
]


def flat(t):
    return t.detach().reshape(-1).tolist()


def second_derivatives(outputs, firsts, seconds, grad_out, generator):
    """The gradients of sum(gg * d<outputs . grad_out>/d firsts) with respect to seconds + [grad_out], and the gg."""
    backward = torch.autograd.grad(outputs, firsts, grad_out, create_graph=True, allow_unused=True)
    ggs = [torch.randn(f.shape, generator=generator) for f in firsts]
    loss = sum((b * gg).sum() for b, gg in zip(backward, ggs) if b is not None)
    wrt = seconds + [grad_out]
    grads = torch.autograd.grad(loss, wrt, allow_unused=True)
    return ggs, [g if g is not None else torch.zeros_like(w) for g, w in zip(grads, wrt)]


def sh_case(ls, normalize, normalization, generator):
    from e3nn import o3
    xyz = torch.randn(4, 3, generator=generator)
    xyz[3] = torch.tensor([3e-13, -2e-13, 1e-13])  # below normalize's floor 1e-12
    xyz.requires_grad_(True)
    values = o3.spherical_harmonics(ls, xyz, normalize=normalize, normalization=normalization)
    grad_out = torch.randn(values.shape, generator=generator, requires_grad=True)
    (gg_xyz,), (g_xyz, g_grad_out) = second_derivatives(values, [xyz], [xyz], grad_out, generator)
    return dict(ls=ls, normalize=normalize, normalization=normalization, xyz=flat(xyz), grad_out=flat(grad_out),
                gg_xyz=flat(gg_xyz), g_xyz=flat(g_xyz), g_grad_out=flat(g_grad_out))


def linear_case(spec, generator):
    from e3nn import o3
    f_in, f_out = spec.get("f_in"), spec.get("f_out")
    shared = spec.get("shared_weights", True)
    lin = o3.Linear(spec["irreps_in"], spec["irreps_out"], f_in=f_in, f_out=f_out, internal_weights=False,
                    shared_weights=shared, biases=spec.get("biases", False))
    batch = 3
    features = () if f_in is None else (f_in,)
    pairs = () if f_in is None else (f_in, f_out)
    x = torch.randn(batch, *features, lin.irreps_in.dim, generator=generator, requires_grad=True)
    weights = torch.randn(*(() if shared else (batch,)), *pairs, lin.weight_numel, generator=generator,
                          requires_grad=True)
    bias = torch.randn(*(() if f_out is None else (f_out,)), lin.bias_numel, generator=generator, requires_grad=True)
    out = lin(x, weights, bias)
    grad_out = torch.randn(out.shape, generator=generator, requires_grad=True)
    firsts = [x, weights] + ([bias] if lin.bias_numel > 0 else [])
    ggs, (g_x, g_weights, g_grad_out) = second_derivatives(out, firsts, [x, weights], grad_out, generator)
    gg_bias = ggs[2] if lin.bias_numel > 0 else torch.zeros(0)
    return dict(spec, batch=batch, x=flat(x), weights=flat(weights), bias=flat(bias), grad_out=flat(grad_out),
                gg_x=flat(ggs[0]), gg_weights=flat(ggs[1]), gg_bias=flat(gg_bias), g_x=flat(g_x),
                g_weights=flat(g_weights), g_grad_out=flat(g_grad_out))


def sc_case(irreps_in, irreps_out, correlation, elements, nodes, generator):
    import mace_env  # noqa: F401  registers mace.tools / mace.data without their training-only imports
    from e3nn import o3
    from mace.modules.irreps_tools import reshape_irreps
    from mace.modules.symmetric_contraction import SymmetricContraction
    irreps_in, irreps_out = o3.Irreps(irreps_in), o3.Irreps(irreps_out)
    module = SymmetricContraction(irreps_in, irreps_out, correlation, num_elements=elements)
    weights = []
    for contraction in module.contractions:
        weights.append(contraction.weights_max)
        weights.extend(contraction.weights)
    with torch.no_grad():
        for w in weights:
            w.copy_(torch.randn(w.shape, generator=generator))
    x = torch.randn(nodes, irreps_in.dim, generator=generator, requires_grad=True)
    species = torch.randint(0, elements, (nodes,), generator=generator)
    one_hot = torch.nn.functional.one_hot(species, elements).to(torch.float64)
    out = module(reshape_irreps(irreps_in)(x), one_hot)
    grad_out = torch.randn(out.shape, generator=generator, requires_grad=True)
    firsts = [x] + weights
    ggs, grads = second_derivatives(out, firsts, firsts, grad_out, generator)
    return dict(irreps_in=str(irreps_in), irreps_out=str(irreps_out), correlation=correlation, elements=elements,
                x=flat(x), node_elements=species.tolist(), weights=torch.cat([flat_tensor(w) for w in weights]).tolist(),
                grad_out=flat(grad_out), gg_x=flat(ggs[0]),
                gg_weights=torch.cat([flat_tensor(g) for g in ggs[1:]]).tolist(), g_x=flat(grads[0]),
                g_weights=torch.cat([flat_tensor(g) for g in grads[1:-1]]).tolist(), g_grad_out=flat(grads[-1]))


def flat_tensor(t):
    return t.detach().reshape(-1)


def main(which, path):
    generator = torch.Generator().manual_seed(22)
    if which == "e3nn":
        import e3nn
        document = dict(
            source=f"e3nn {e3nn.__version__}, torch {torch.__version__}, float64, autograd create_graph=True;"
                   " tools/make_double_backward_kernels_reference.py",
            spherical_harmonics=[sh_case(*spec, generator) for spec in SH_CASES],
            linear=[linear_case(spec, generator) for spec in LINEAR_CASES])
    elif which == "mace":
        document = dict(
            source=f"mace-torch 0.3.6 SymmetricContraction with e3nn 0.4.4, torch {torch.__version__}, float64,"
                   " autograd create_graph=True; tools/make_double_backward_kernels_reference.py",
            symmetric_contraction=[sc_case(*spec, generator) for spec in SC_CASES])
    else:
        raise SystemExit(f"unknown reference {which!r}: e3nn or mace")
    with open(path, "w") as f:
        json.dump(document, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
