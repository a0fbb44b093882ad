"""Times mace-torch 0.3.6 (e3nn 0.4.4) on the kernel benchmark's `symmetric_contraction` configurations, so that a
report can divide by numbers from the same run; `tools/bench_e3nn_kernels.py`'s counterpart for MACE's product basis.

The configurations come from the Java side (`PeerConfigurations`, one JSON array; the other kinds are e3nn's and
left out), so mace-torch and JMH's `KernelBenchmark` time the same contraction: `mace.modules.symmetric_contraction.
SymmetricContraction(irreps_in, irreps_out, correlation, num_elements=elements)`, built in float64 (its `U_matrix`
buffers in float64, as MACE builds them) and cast with `.to(torch.float32)` for f32. The timed call takes the node
features in e3nn's `mul_ir` layout, as e3j's kernel does: `SymmetricContraction(reshape_irreps(irreps_in)(x), y)`,
`y` the one-hot of each node's element (drawn uniformly), `x` and the weights uniform in [-1, 1). Passes:
- `forward`: that call under `torch.no_grad()`;
- `backward`: the call, then `torch.autograd.grad` of the output against a fixed random cotangent with respect to the
  features and every weight (`weights_max`, `weights.j` of each contraction).

Each (configuration, precision, pass) runs `--warmup` times untimed, then `--repeats` times; `best` and `median` are
milliseconds for the whole batch of nodes, on `--threads` torch threads (default 2). Writes one JSON object in
`bench_e3nn_kernels.py`'s format with `"peer": "mace-torch"`.

Usage (the MACE environment on PYTHONPATH: mace-0.3.6, e3nn-0.4.4, opt_einsum, opt_einsum_fx and the directory
holding mace_env.py, see reference/models/README.md)::

    /usr/bin/python3 tools/bench_mace_kernels.py --configurations configurations.json --out mace-torch.json \
        [--configs mace-medium-product] [--precisions f64,f32] [--passes forward,backward] \
        [--threads 2] [--warmup 3] [--repeats 5]
"""
import os
import platform
import sys

try:  # the reference environment registers mace without its training-only imports
    import mace_env  # noqa: F401
except ImportError:
    pass
import e3nn
import torch
from e3nn import o3
from mace.__version__ import __version__ as mace_version
from mace.modules.irreps_tools import reshape_irreps
from mace.modules.symmetric_contraction import SymmetricContraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_e3nn_kernels import SEED, time_peer, uniform  # noqa: E402

KIND = "symmetric_contraction"


def symmetric_contraction(configuration):
    """MACE's contraction of `configuration` in float64, and the reshape of its `mul_ir` input."""
    irreps_in = o3.Irreps(configuration["irreps_in"])
    default = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        module = SymmetricContraction(irreps_in, o3.Irreps(configuration["irreps_out"]),
                                      configuration["correlation"], num_elements=configuration["elements"])
    finally:
        torch.set_default_dtype(default)
    return module, reshape_irreps(irreps_in), irreps_in.dim


def symmetric_contraction_calls(module, reshape, dim_in, configuration, dtype):
    """`(forward, backward)` callables on preallocated inputs of one contraction, in `dtype`."""
    module = module.to(dtype)
    nodes = configuration["batch"]
    generator = torch.Generator().manual_seed(SEED)
    weights = list(module.parameters())
    with torch.no_grad():
        for weight in weights:
            weight.copy_(uniform(generator, tuple(weight.shape), dtype))
    x = uniform(generator, (nodes, dim_in), dtype)
    species = torch.randint(0, configuration["elements"], (nodes,), generator=generator)
    y = torch.nn.functional.one_hot(species, configuration["elements"]).to(dtype)
    with torch.no_grad():
        grad_out = uniform(generator, tuple(module(reshape(x), y).shape), dtype)

    def forward():
        with torch.no_grad():
            module(reshape(x), y)

    def backward():
        features = x.requires_grad_(True)
        out = module(reshape(features), y)
        torch.autograd.grad(out, [features] + weights, grad_outputs=grad_out)

    return forward, backward


def calls(configuration, dtype):
    """The `(forward, backward)` callables of one contraction in `dtype` (the module built anew, in float64 first)."""
    module, reshape, dim_in = symmetric_contraction(configuration)
    return symmetric_contraction_calls(module, reshape, dim_in, configuration, dtype)


def main(argv=None):
    time_peer("mace-torch", {"mace-torch": mace_version, "e3nn": e3nn.__version__, "torch": torch.__version__,
                             "python": platform.python_version()}, (KIND,), calls, __doc__, argv)


if __name__ == "__main__":
    main()
