"""Reference data for @SymmetricContraction: mace-torch 0.3.6's SymmetricContraction (e3nn 0.4.4), float64.

Writes reference/mace-0.3.6/symmetric_contraction.json: for each case the constructor arguments, random weights
(flattened in the order of SymmetricContractionKernel.weightViews(): per output irrep weights_max, then weights.0,
weights.1, ...), node features x in e3nn's mul_ir layout, the element of each node, out, and for a random grad_out
the gradients grad_x and grad_weights (same flat order).

Run with the MACE environment of the project notes (PYTHONPATH with mace-0.3.6, e3nn-0.4.4, opt_einsum,
opt_einsum_fx and the directory holding mace_env.py):
    python3 tools/make_symmetric_contraction_reference.py reference/mace-0.3.6/symmetric_contraction.json
"""
import json
import sys

import mace_env  # noqa: F401  registers mace.tools / mace.data without their training-only imports
import torch
from e3nn import o3
from mace.modules.irreps_tools import reshape_irreps
from mace.modules.symmetric_contraction import SymmetricContraction

CASES = [
    # (irreps_in, irreps_out, correlation, elements, nodes)
    ("3x0e+3x1o", "3x0e", 1, 2, 4),
    ("3x0e+3x1o+3x2e", "3x0e+3x1o", 2, 3, 5),
    ("2x0e+2x1o+2x1e+2x2e+2x3o", "2x0e+2x1o+2x2e", 2, 2, 4),
    ("2x0e+2x1o", "2x0e+2x1o", 3, 3, 5),
    ("2x0e+2x1o+2x2e", "2x0e+2x1o+2x2e", 3, 2, 3),
    ("2x1o+2x0e", "2x1o", 3, 2, 3),
]


def flat_weights(module):
    tensors = []
    for contraction in module.contractions:
        tensors.append(contraction.weights_max)
        tensors.extend(contraction.weights)
    return tensors


def case(irreps_in, irreps_out, correlation, elements, nodes, generator):
    irreps_in, irreps_out = o3.Irreps(irreps_in), o3.Irreps(irreps_out)
    module = SymmetricContraction(irreps_in, irreps_out, correlation, num_elements=elements)
    weights = flat_weights(module)
    with torch.no_grad():
        for w in weights:
            w.copy_(torch.randn(w.shape, generator=generator))
    x = torch.randn(nodes, irreps_in.dim, generator=generator, requires_grad=True)
    species = torch.randint(0, elements, (nodes,), generator=generator)
    one_hot = torch.nn.functional.one_hot(species, elements).to(torch.float64)
    out = module(reshape_irreps(irreps_in)(x), one_hot)
    grad_out = torch.randn(out.shape, generator=generator)
    grads = torch.autograd.grad(out, [x] + weights, grad_out)
    return {
        "irreps_in": str(irreps_in),
        "irreps_out": str(irreps_out),
        "correlation": correlation,
        "elements": elements,
        "weight_names": [name for name, _ in module.named_parameters()],
        "weight_shapes": [list(w.shape) for w in weights],
        "weights": torch.cat([w.detach().flatten() for w in weights]).tolist(),
        "x": x.detach().flatten().tolist(),
        "node_elements": species.tolist(),
        "out": out.detach().flatten().tolist(),
        "grad_out": grad_out.flatten().tolist(),
        "grad_x": grads[0].flatten().tolist(),
        "grad_weights": torch.cat([g.flatten() for g in grads[1:]]).tolist(),
    }


def main(path):
    torch.set_default_dtype(torch.float64)
    generator = torch.Generator().manual_seed(20)
    cases = [case(*spec, generator) for spec in CASES]
    document = {
        "source": "mace-torch 0.3.6 SymmetricContraction with e3nn 0.4.4, float64; weights flat in the order of"
                  " weight_names (per output irrep weights_max, then weights.0, weights.1, ...)",
        "cases": cases,
    }
    with open(path, "w") as f:
        json.dump(document, f)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
