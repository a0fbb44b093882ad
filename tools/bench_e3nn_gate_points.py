"""Times e3nn 0.5.4's `gate_points_2101.Network` in gate_points-public's configuration on CPU, so that a Java
benchmark run on the same machine can be divided by these numbers.

The model: `Network(**constructor)` with the constructor arguments of
`reference/models/gate_points-public/reference.json`, built under `torch.manual_seed(1234)` in float64 (this
reproduces gate_points-public's `state_dict.safetensors` exactly); the float32 runs use the same model cast
with `.to(torch.float32)`.

The batch (build the same one in Java with `java.util.Random`):
- `GRAPHS` = 40 graphs of `NODES_PER_GRAPH` = 25 nodes, 1,000 nodes; `batch[i] = i / 25`;
- `r = new java.util.Random(SEED)` with `SEED` = 18; for node i = 0..999 in order, its x, y, z are
  `BOX * r.nextDouble()` in that order, `BOX` = 5.7 (each graph's nodes uniform in `[0, 5.7)^3`: the public
  data's density, 5,153 edges = 5.15 neighbours per node within `max_radius` 2.5 against its 5.12);
- no node inputs or attributes (e3nn uses ones); the cotangent of the outputs is all ones, so the backward
  computes d(Σ outputs)/d pos.
The script prints the batch's edge count so that the Java side can check it built the same graph: `edges` =
5,038 pairs i != j within `max_radius` in the same graph. e3nn's own `radius_graph` finds these and also keeps
`self_loops` pairs (i, i) (115 here): `torch.cdist` computes more than 25 points through a matrix product whose
rounding leaves some self-distances around 1e-7 instead of 0, which pass its `r > 0` test. Each such loop adds a
message with a zero edge vector (only its l = 0 harmonic is non-zero), so e3nn's outputs on this batch differ
from an exact radius graph's; the timings are not affected beyond those 2% more edges. (The reference sets in
`reference/models` have at most 25 nodes, where cdist is exact.)

Measured: `forward` (under `torch.no_grad()`) and `forward_backward` (forward, then
`torch.autograd.grad(outputs.sum(), pos)`), each `--warmup` times untimed then `--repeats` times, with
`torch.set_num_threads(--threads)` (default 2). One JSON line per (dtype, operation) on stdout, with the median and
minimum milliseconds per call.

Usage (e3nn 0.5.4 and its dependencies on PYTHONPATH, see reference/models/README.md)::

    /usr/bin/python3 tools/bench_e3nn_gate_points.py [--threads 2] [--warmup 5] [--repeats 30]
"""
import argparse
import json
import os
import statistics
import time

import e3nn
import torch
from e3nn.nn.models.gate_points_2101 import Network, radius_graph

PUBLIC_REFERENCE = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "reference", "models", "gate_points-public", "reference.json"
)
MODEL_SEED = 1234
SEED = 18
GRAPHS = 40
NODES_PER_GRAPH = 25
BOX = 5.7


class JavaRandom:
    """`java.util.Random`'s linear congruential generator, so that Java can draw the same positions."""

    _MULTIPLIER = 0x5DEECE66D
    _MASK = (1 << 48) - 1

    def __init__(self, seed):
        self._seed = (seed ^ self._MULTIPLIER) & self._MASK

    def _next(self, bits):
        self._seed = (self._seed * self._MULTIPLIER + 0xB) & self._MASK
        return self._seed >> (48 - bits)

    def next_double(self):
        return ((self._next(26) << 27) + self._next(27)) * 2.0**-53


def batch_inputs():
    """Positions `[GRAPHS * NODES_PER_GRAPH][3]` (float64) and the graph of each node, as the docstring draws them."""
    random = JavaRandom(SEED)
    nodes = GRAPHS * NODES_PER_GRAPH
    pos = torch.tensor([[BOX * random.next_double() for _ in range(3)] for _ in range(nodes)], dtype=torch.float64)
    batch = torch.arange(nodes) // NODES_PER_GRAPH
    return pos, batch


def _median_and_min_ms(call, warmup, repeats):
    for _ in range(warmup):
        call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times), min(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    with open(PUBLIC_REFERENCE) as source:
        constructor = json.load(source)["constructor"]
    torch.set_default_dtype(torch.float64)
    torch.manual_seed(MODEL_SEED)
    model64 = Network(**constructor)
    pos64, batch = batch_inputs()
    edge_src, edge_dst = radius_graph(pos64, constructor["max_radius"], batch)
    self_loops = int((edge_src == edge_dst).sum())
    edges = len(edge_src) - self_loops

    for dtype in (torch.float64, torch.float32):
        model = model64.to(dtype) if dtype != torch.float64 else model64
        pos = pos64.to(dtype)

        def forward():
            with torch.no_grad():
                model({"pos": pos, "batch": batch})

        def forward_backward():
            moving = pos.clone().requires_grad_(True)
            out = model({"pos": moving, "batch": batch})
            torch.autograd.grad(out.sum(), moving)

        for operation, call in (("forward", forward), ("forward_backward", forward_backward)):
            median_ms, min_ms = _median_and_min_ms(call, args.warmup, args.repeats)
            print(
                json.dumps(
                    {
                        "impl": f"e3nn {e3nn.__version__}",
                        "torch": torch.__version__,
                        "model": "gate_points-public",
                        "dtype": str(dtype).replace("torch.", ""),
                        "operation": operation,
                        "nodes": len(pos),
                        "graphs": GRAPHS,
                        "edges": edges,
                        "self_loops": self_loops,
                        "threads": args.threads,
                        "repeats": args.repeats,
                        "median_ms": round(median_ms, 3),
                        "min_ms": round(min_ms, 3),
                    }
                ),
                flush=True,
            )


if __name__ == "__main__":
    main()
