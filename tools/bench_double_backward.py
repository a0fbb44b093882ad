"""Times e3nn 0.5.4's autograd double backward of the tensor products of `benchmarks/` (`DoubleBackwardBenchmark`,
the configurations of shared/bench/README.md), so that the JMH numbers of e3j's generated `doubleBackward` can be
divided by these, measured side by side on the same machine.

Per configuration and dtype, on inputs uniform in [-1, 1) (as the Java benchmark draws them):
- `forward_backward`: `out = tp(x1, x2, w)` and `torch.autograd.grad(out, (x1, x2, w), grad_out)`: the cost
  `doubleBackward` is compared with in Java;
- `double_backward`: what training on forces runs: the forward, the first gradients with `create_graph=True`, and
  `torch.autograd.grad(sum(g * gg), (x1, x2, w, grad_out))`: the gradients `doubleBackward` writes (the forward and
  the first backward are part of it, as autograd needs their graph);
- `double_backward_second_grad`: the last `torch.autograd.grad` alone, its graph built untimed before each call.
Each `--warmup` times untimed, then `--repeats` times, with `torch.set_num_threads(--threads)` (default 2, as the
shared table). One JSON line per (config, dtype, operation) on stdout, with the median and minimum milliseconds
for the whole batch. `--batch-scale 0.1` runs a tenth of each batch (a quick smoke run; the ratio to Java then needs
the Java batch scaled too).

Usage (e3nn 0.5.4 and its dependencies on PYTHONPATH)::

    PYTHONPATH=/work/refenv/e3nn-0.5.4:/work/refenv/opt_einsum-3.3.0:/work/refenv/opt_einsum_fx-0.1.4 \\
        python3 tools/bench_double_backward.py [--configs mace-medium-uvu,...] [--dtypes float64,float32] \\
        [--threads 2] [--warmup 3] [--repeats 10] [--batch-scale 1.0]
"""
import argparse
import json
import statistics
import time

import e3nn
import torch
from e3nn import o3

# name: (irreps_in1, irreps_in2, irreps_out, mode, shared weights, batch), as benchmarks/Configuration.java
CONFIGS = {
    "nequip-water-uvu": ("32x0o+32x0e+32x1o+32x1e", "0e+1o", "32x0o+32x0e+32x1o+32x1e", "uvu", False, 20000),
    "revmd17-toluene-uvu": ("64x0o+64x0e+64x1o+64x1e+64x2o+64x2e", "0e+1o+2e",
                            "64x0o+64x0e+64x1o+64x1e+64x2o+64x2e", "uvu", False, 5000),
    "mace-medium-uvu": ("128x0e+128x1o", "0e+1o+2e+3o", "128x0e+128x1o+128x2e", "uvu", False, 2000),
    "tetris-poly-1-uvw": ("1x0e+1x1o+1x2e+1x3o", "1x0e+1x1o+1x2e+1x3o", "64x0e+24x1e+24x1o+16x2e+16x2o", "uvw",
                          True, 20000),
    "diffdock-l1-uvw-per-sample": ("10x1o+10x1e+48x0e+48x0o", "0e+1o", "10x1o+10x1e+48x0e+48x0o", "uvw", False,
                                   5000),
    "fc-64-shared-uvw": ("64x0e+64x1o+64x2e", "0e+1o+2e", "64x0e+64x1o+64x2e", "uvw", True, 2000),
}


def tensor_product(in1, in2, out, mode, shared):
    """A channel-wise product over every allowed uvu path, or a fully connected one, with weights passed in."""
    if mode == "uvw":
        return o3.FullyConnectedTensorProduct(in1, in2, out, shared_weights=shared, internal_weights=False)
    in1, in2, out = o3.Irreps(in1), o3.Irreps(in2), o3.Irreps(out)
    instructions = [(i1, i2, o, "uvu", True)
                    for i1, (mul1, ir1) in enumerate(in1)
                    for i2, (_, ir2) in enumerate(in2)
                    for o, (mul_out, ir_out) in enumerate(out)
                    if ir_out in ir1 * ir2 and mul_out == mul1]
    return o3.TensorProduct(in1, in2, out, instructions, shared_weights=shared, internal_weights=False)


def uniform(*shape, dtype):
    return torch.rand(*shape, dtype=dtype) * 2 - 1


def timed(function, warmup, repeats, prepare=None):
    """Milliseconds of each of `repeats` calls after `warmup`; `prepare()` runs untimed before each call."""
    times = []
    for n in range(warmup + repeats):
        argument = prepare() if prepare is not None else None
        start = time.perf_counter()
        function(argument)
        elapsed = (time.perf_counter() - start) * 1e3
        if n >= warmup:
            times.append(elapsed)
    return times


def bench(name, dtype, args):
    in1, in2, out, mode, shared, batch = CONFIGS[name]
    batch = max(1, int(batch * args.batch_scale))
    tp = tensor_product(in1, in2, out, mode, shared).to(dtype)
    weight_shape = (tp.weight_numel,) if shared else (batch, tp.weight_numel)
    x1 = uniform(batch, tp.irreps_in1.dim, dtype=dtype).requires_grad_()
    x2 = uniform(batch, tp.irreps_in2.dim, dtype=dtype).requires_grad_()
    w = uniform(*weight_shape, dtype=dtype).requires_grad_()
    grad_out = uniform(batch, tp.irreps_out.dim, dtype=dtype).requires_grad_()
    gg = (uniform(*x1.shape, dtype=dtype), uniform(*x2.shape, dtype=dtype), uniform(*w.shape, dtype=dtype))

    def forward_backward(_):
        torch.autograd.grad(tp(x1, x2, w), (x1, x2, w), grad_out.detach())

    def first_gradients():
        return torch.autograd.grad(tp(x1, x2, w), (x1, x2, w), grad_out, create_graph=True)

    def second_grad(grads):
        loss = sum((g * c).sum() for g, c in zip(grads, gg))
        torch.autograd.grad(loss, (x1, x2, w, grad_out))

    def double_backward(_):
        second_grad(first_gradients())

    results = []
    for operation, function, prepare in [("forward_backward", forward_backward, None),
                                         ("double_backward", double_backward, None),
                                         ("double_backward_second_grad", second_grad, first_gradients)]:
        times = timed(function, args.warmup, args.repeats, prepare)
        results.append({"config": name, "dtype": str(dtype).replace("torch.", ""), "operation": operation,
                        "batch": batch, "threads": args.threads, "median_ms": statistics.median(times),
                        "min_ms": min(times), "e3nn": e3nn.__version__, "torch": torch.__version__})
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--dtypes", default="float64,float32")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--batch-scale", type=float, default=1.0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(22)
    for name in args.configs.split(","):
        if name not in CONFIGS:
            raise SystemExit(f"unknown config {name}; known: {', '.join(CONFIGS)}")
        for dtype_name in args.dtypes.split(","):
            for result in bench(name, getattr(torch, dtype_name), args):
                print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
