"""Times e3nn 0.5.4 on the kernel benchmark configurations, so that a report can divide by numbers from the same run.

The configurations come from the Java side (`java -cp benchmarks/target/benchmarks.jar
dev.e3j.benchmarks.PeerConfigurations`, one JSON array), so e3nn and JMH's `KernelBenchmark` time the same products:
- `uvu`: `o3.TensorProduct` with the configuration's `instructions` (`[i1, i2, i_out]`, e.g. a gate-points or MACE
  convolution's, in their order) or, without them, every path `(i1, i2, i_out)` whose `ir_out` is in `ir1 x ir2`;
  mode `uvu`, one weight per path and channel, `shared_weights` as given (per sample: `internal_weights=False`,
  weights an input);
- `uvw`: `o3.FullyConnectedTensorProduct`, shared (its own parameter) or per sample (an input);
- `spherical_harmonics`: `o3.spherical_harmonics(range(lmax + 1), xyz, normalize=True, normalization="component")`.
Configurations of other kinds (`symmetric_contraction`: mace-torch's, `tools/bench_mace_kernels.py`) are not e3nn's:
left out by default, refused when named.

Inputs are uniform in [-1, 1), as the Java side draws them. Passes, in the JMH parameter's words:
- `forward`: the forward under `torch.no_grad()`;
- `backward`: the forward, then `torch.autograd.grad` of the outputs against a fixed random cotangent with respect
  to both inputs and the weights (e3nn's "fwd+bwd"; for the harmonics, the vectors).

Each (configuration, precision, pass) runs `--warmup` times untimed, then `--repeats` times; `best` (the minimum) and
`median` are milliseconds for the whole batch, on `--threads` torch threads (default 2). Writes one JSON object:

    {"peer": "e3nn", "versions": {...}, "settings": {...}, "started": "...Z", "unit": "ms",
     "results": [{"config": ..., "precision": "f64"|"f32", "pass": "forward"|"backward", "batch": ...,
                  "best": ..., "median": ...}, ...]}

Usage (e3nn 0.5.4 and its dependencies on PYTHONPATH, see reference/models/README.md)::

    /usr/bin/python3 tools/bench_e3nn_kernels.py --configurations configurations.json --out e3nn.json \
        [--configs nequip-water-uvu,sh-lmax3] [--precisions f64,f32] [--passes forward,backward] \
        [--threads 2] [--warmup 3] [--repeats 5]
"""
import argparse
import datetime
import json
import platform
import statistics
import time

import e3nn
import torch
from e3nn import o3

SEED = 20240917
DTYPES = {"f64": torch.float64, "f32": torch.float32}
PASSES = ("forward", "backward")


KINDS = ("uvu", "uvw", "spherical_harmonics")


def channelwise(irreps_in1, irreps_in2, irreps_out, shared_weights, paths=None):
    """The `uvu` product of `paths` (`[i1, i2, i_out]` each) or, without them, of every allowed path, as
    OpenEquivariance's benchmark problems build it."""
    irreps_in1, irreps_in2, irreps_out = o3.Irreps(irreps_in1), o3.Irreps(irreps_in2), o3.Irreps(irreps_out)
    if paths is None:
        paths = [
            (i1, i2, i_out)
            for i1, (_, ir1) in enumerate(irreps_in1)
            for i2, (_, ir2) in enumerate(irreps_in2)
            for i_out, (_, ir_out) in enumerate(irreps_out)
            if ir_out in ir1 * ir2
        ]
    instructions = [(i1, i2, i_out, "uvu", True) for i1, i2, i_out in paths]
    return o3.TensorProduct(
        irreps_in1, irreps_in2, irreps_out, instructions,
        shared_weights=shared_weights, internal_weights=shared_weights,
    )


def fully_connected(irreps_in1, irreps_in2, irreps_out, shared_weights):
    return o3.FullyConnectedTensorProduct(
        irreps_in1, irreps_in2, irreps_out, shared_weights=shared_weights, internal_weights=shared_weights
    )


def uniform(generator, shape, dtype):
    return (2 * torch.rand(shape, generator=generator, dtype=torch.float64) - 1).to(dtype)


def tensor_product_calls(configuration, dtype):
    """`(forward, backward)` callables on preallocated inputs of one tensor-product configuration."""
    shared = configuration["shared_weights"]
    irreps = (configuration["irreps_in1"], configuration["irreps_in2"], configuration["irreps_out"])
    if configuration["kind"] == "uvu":
        tp = channelwise(*irreps, shared, configuration.get("instructions"))
    else:
        tp = fully_connected(*irreps, shared)
    tp = tp.to(dtype)
    batch = configuration["batch"]
    generator = torch.Generator().manual_seed(SEED)
    x1 = uniform(generator, (batch, tp.irreps_in1.dim), dtype)
    x2 = uniform(generator, (batch, tp.irreps_in2.dim), dtype)
    grad_out = uniform(generator, (batch, tp.irreps_out.dim), dtype)
    if shared:
        with torch.no_grad():
            tp.weight.copy_(uniform(generator, tuple(tp.weight.shape), dtype))
        weight = tp.weight
    else:
        weight = uniform(generator, (batch, tp.weight_numel), dtype)

    def forward():
        with torch.no_grad():
            if shared:
                tp(x1, x2)
            else:
                tp(x1, x2, weight)

    def backward():
        inputs = [x1.requires_grad_(True), x2.requires_grad_(True)]
        if shared:
            out = tp(x1, x2)
            inputs.append(tp.weight)
        else:
            inputs.append(weight.requires_grad_(True))
            out = tp(x1, x2, weight)
        torch.autograd.grad(out, inputs, grad_outputs=grad_out)

    return forward, backward


def spherical_harmonics_calls(configuration, dtype):
    """`(forward, backward)` callables of one spherical-harmonics configuration."""
    ls = list(range(configuration["lmax"] + 1))
    batch = configuration["batch"]
    generator = torch.Generator().manual_seed(SEED)
    xyz = uniform(generator, (batch, 3), dtype)
    grad_out = uniform(generator, (batch, (configuration["lmax"] + 1) ** 2), dtype)

    def forward():
        with torch.no_grad():
            o3.spherical_harmonics(ls, xyz, normalize=True, normalization="component")

    def backward():
        vectors = xyz.requires_grad_(True)
        out = o3.spherical_harmonics(ls, vectors, normalize=True, normalization="component")
        torch.autograd.grad(out, [vectors], grad_outputs=grad_out)

    return forward, backward


def best_and_median_ms(call, warmup, repeats):
    for _ in range(warmup):
        call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1e3)
    return min(times), statistics.median(times)


def selected(value, allowed, what):
    names = value.split(",")
    unknown = [name for name in names if name not in allowed]
    if unknown:
        raise SystemExit(f"--{what}: expected some of {sorted(allowed)}, got {unknown}")
    return names


def time_peer(peer, versions, kinds, calls_of, description, argv=None):
    """The command line the peers' timing scripts share: times `calls_of(configuration, dtype)`'s `(forward,
    backward)` callables on the configurations of `kinds` and writes the report of `peer` with its `versions`."""
    parser = argparse.ArgumentParser(description=description.split("\n\n")[0])
    parser.add_argument("--configurations", required=True, help="JSON array written by PeerConfigurations")
    parser.add_argument("--out", required=True, help="the JSON file to write")
    parser.add_argument("--configs", help="comma-separated configuration names (default: all this peer times)")
    parser.add_argument("--precisions", default="f64,f32")
    parser.add_argument("--passes", default="forward,backward")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    if args.threads < 1 or args.warmup < 0 or args.repeats < 1:
        raise SystemExit(f"need --threads >= 1, --warmup >= 0, --repeats >= 1, got {args.threads}, {args.warmup},"
                         f" {args.repeats}")
    with open(args.configurations) as source:
        configurations = {configuration["name"]: configuration for configuration in json.load(source)
                          if configuration["kind"] in kinds}
    names = selected(args.configs, configurations, "configs") if args.configs else list(configurations)
    precisions = selected(args.precisions, DTYPES, "precisions")
    passes = selected(args.passes, PASSES, "passes")
    torch.set_num_threads(args.threads)

    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    results = []
    for name in names:
        configuration = configurations[name]
        for precision in precisions:
            calls = calls_of(configuration, DTYPES[precision])
            for pass_name, call in zip(PASSES, calls):
                if pass_name not in passes:
                    continue
                best, median = best_and_median_ms(call, args.warmup, args.repeats)
                row = {"config": name, "precision": precision, "pass": pass_name, "batch": configuration["batch"],
                       "best": round(best, 4), "median": round(median, 4)}
                print(json.dumps(row), flush=True)
                results.append(row)
    report = {
        "peer": peer,
        "versions": versions,
        "settings": {"threads": args.threads, "warmup": args.warmup, "repeats": args.repeats},
        "started": started,
        "unit": "ms",
        "results": results,
    }
    with open(args.out, "w") as sink:
        json.dump(report, sink, indent=1)
        sink.write("\n")


def calls(configuration, dtype):
    """The `(forward, backward)` callables of one e3nn configuration in `dtype`."""
    if configuration["kind"] == "spherical_harmonics":
        return spherical_harmonics_calls(configuration, dtype)
    return tensor_product_calls(configuration, dtype)


def main(argv=None):
    time_peer("e3nn", {"e3nn": e3nn.__version__, "torch": torch.__version__, "python": platform.python_version()},
              KINDS, calls, __doc__, argv)


if __name__ == "__main__":
    main()
