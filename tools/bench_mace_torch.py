"""Time mace-torch (v0.3.6, CPU) energy + forces on rattled fcc Cu supercells, the baseline for e3j's @Mace.

For each size (64, 512, 4096 atoms: fcc Cu, a = 3.6 A, conventional cells repeated 2x2x4, 4x4x8, 8x8x16,
positions rattled by 0.03 A under a fixed seed, periodic) and each dtype (float64, float32: the model after
`.float()`), the model runs `model(batch, training=False, compute_force=True)` `--warmup` times, then `--repeats`
more times (default per size 9, 5, 3), each timed; the median and every time are reported. The neighbour list
(`mace_graph.batch`: MACE's get_neighborhood with ASE's neighbour list, plus the input tensors) is timed the same
way, separately. torch runs on `--threads` threads (default 2).

The model: `samples/.../md/mace-cu-emt.safetensors` (from tools/train_mace_emt.py) or any file `--model` names
that `export_mace.load_model` reads and whose elements include Cu (e.g. reference/models/mace-periodic).

Writes JSON to stdout, or to `--out`. Usage (the MACE environment on PYTHONPATH)::

    python3 tools/bench_mace_torch.py [--model file.safetensors] [--sizes 64 512 4096] [--out bench.json]
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections import OrderedDict

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_mace import load_model  # noqa: E402  (imports mace)
from mace_graph import batch, from_atoms  # noqa: E402

from ase.build import bulk  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
DEFAULT_MODEL = os.path.join(ROOT, "samples", "src", "main", "resources", "dev", "e3j", "samples", "md", "mace-cu-emt.safetensors")
REPEATS = {64: (9, (2, 2, 4)), 512: (5, (4, 4, 8)), 4096: (3, (8, 8, 16))}
LATTICE = 3.6
RATTLE = 0.03
SEED = 64


def copper(size):
    """The rattled periodic fcc Cu supercell of `size` atoms (one of `REPEATS`)."""
    if size not in REPEATS:
        raise ValueError(f"size: expected one of {sorted(REPEATS)}, got {size}")
    atoms = bulk("Cu", "fcc", a=LATTICE, cubic=True).repeat(REPEATS[size][1])
    atoms.positions += np.random.default_rng(SEED).normal(0.0, RATTLE, size=atoms.positions.shape)
    return atoms


def _timed(function, warmup, repeats):
    for _ in range(warmup):
        function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def _summary(times):
    return OrderedDict([("median_ms", 1000 * statistics.median(times)), ("times_ms", [round(1000 * t, 3) for t in times])])


def bench(model_path, sizes, warmup, repeats_override, threads):
    torch.set_num_threads(threads)
    model64 = load_model(model_path)
    if 29 not in model64.atomic_numbers.tolist():
        raise ValueError(f"model {model_path}: elements {model64.atomic_numbers.tolist()} do not include Cu (29)")
    model32 = load_model(model_path).float()
    atomic_numbers = model64.atomic_numbers.tolist()
    r_max = float(model64.r_max.item())
    results = []
    for size in sizes:
        structure = from_atoms(copper(size))
        repeats = repeats_override or REPEATS[size][0]
        graph_times = _timed(lambda: batch([structure], atomic_numbers, r_max), warmup, repeats)
        data = batch([structure], atomic_numbers, r_max)
        entry = OrderedDict(
            [
                ("atoms", size),
                ("edges", int(data["edge_index"].shape[1])),
                ("repeats", repeats),
                ("neighbour_list", _summary(graph_times)),
            ]
        )
        for name, model, dtype in (("float64", model64, torch.float64), ("float32", model32, torch.float32)):
            inputs = {key: value.to(dtype) if value.is_floating_point() else value for key, value in data.items()}

            def energy_and_forces():
                out = model({key: value.clone() for key, value in inputs.items()}, training=False, compute_force=True)
                return out["energy"], out["forces"]

            entry[name] = _summary(_timed(energy_and_forces, warmup, repeats))
            entry[name]["us_per_atom"] = 1000 * entry[name]["median_ms"] / size
        results.append(entry)
        print(
            f"{size} atoms, {entry['edges']} edges: neighbour list {entry['neighbour_list']['median_ms']:.1f} ms, "
            f"f64 {entry['float64']['median_ms']:.1f} ms, f32 {entry['float32']['median_ms']:.1f} ms",
            file=sys.stderr,
            flush=True,
        )
    return OrderedDict(
        [
            ("what", "mace-torch energy + forces (compute_force=True, training=False), CPU"),
            ("model", os.path.relpath(os.path.abspath(model_path), os.path.abspath(ROOT))),
            ("structure", f"fcc Cu a={LATTICE} A, conventional cells repeated, rattled {RATTLE} A (seed {SEED}), pbc"),
            ("versions", OrderedDict([("mace", "0.3.6"), ("e3nn", "0.4.4"), ("torch", torch.__version__)])),
            ("threads", threads),
            ("warmup", warmup),
            ("machine", OrderedDict([("platform", platform.platform()), ("processor", _cpu_name()), ("cpus", os.cpu_count())])),
            ("results", results),
        ]
    )


def _cpu_name():
    try:
        with open("/proc/cpuinfo") as source:
            for line in source:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=DEFAULT_MODEL, help="safetensors file written by export_mace (default: mace-cu-emt)")
    parser.add_argument("--sizes", type=int, nargs="+", default=sorted(REPEATS), help="supercell sizes in atoms (64, 512, 4096)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs first (default 1)")
    parser.add_argument("--repeats", type=int, help="timed runs per size and dtype (default 9, 5, 3 by size)")
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    parser.add_argument("--out", help="write the JSON here instead of stdout")
    args = parser.parse_args(argv)
    report = bench(args.model, args.sizes, args.warmup, args.repeats, args.threads)
    text = json.dumps(report, indent=1) + "\n"
    if args.out:
        with open(args.out, "w") as sink:
            sink.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
