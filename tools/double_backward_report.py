"""The report of tools/bench_double_backward.sh: e3j's doubleBackward against its own forward + backward (issue 22:
at most 3x) and against e3nn's autograd double backward (at least 10x), from the numbers of one run only.

e3nn's `double_backward_second_grad` (the last torch.autograd.grad, its graph built untimed) is the like-for-like
peer of e3j's `doubleBackward`; e3nn's `double_backward` (forward, first gradients with create_graph=True, second
gradients: what a training step on forces runs for this product) is compared with e3j's forward + backward +
doubleBackward. Both layouts of e3j are reported when the run has them (e3nn has only mul_ir: its time divides both).
Each side's fastest call is compared: e3nn's best of its timed calls and e3j's fastest call from JMH's sample mode
(tools/bench_double_backward.sh runs `-bm sample`); an e3j.json in average-time mode (older runs) gives JMH's mean.

Usage: python3 tools/double_backward_report.py OUT_DIR   (OUT_DIR holds e3nn.jsonl, e3j.json, machine.txt)
"""
import json
import pathlib
import sys


def main():
    out = pathlib.Path(sys.argv[1])
    peer = {}
    for line in (out / "e3nn.jsonl").read_text().splitlines():
        if line.strip():
            row = json.loads(line)
            peer[(row["config"], row["dtype"], row["operation"])] = row
    e3j = {}
    for result in json.loads((out / "e3j.json").read_text()):
        if not result["benchmark"].endswith("DoubleBackwardBenchmark.batch"):
            continue
        p = result["params"]
        e3j[(p["config"], p["precision"], p["pass"], p.get("layout", "MUL_IR"))] = fastest(result)
    machine = (out / "machine.txt").read_text().splitlines()
    print(f"Measured {machine[0]} on {machine[1]} ({machine[2]} cores); load before: {machine[3].strip()};"
          f" after: {machine[-1].strip()}.")
    sampled = all(r["mode"] == "sample" for r in json.loads((out / "e3j.json").read_text()))
    print("e3nn: best of the timed calls, 2 torch threads; e3j: " + (
        "fastest call (JMH sample mode)" if sampled else "JMH mean") +
          ", the kernel splitting the batch over both cores. Milliseconds for the whole batch.\n")
    print("| config | precision | layout | e3j fwd+bwd | e3j doubleBackward | ratio (<= 3) | e3nn second grad"
          " | e3nn / e3j (>= 10) | e3nn fwd + bwd + double | e3j fwd + bwd + double | e3nn / e3j |")
    print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    configs = sorted({k[0] for k in e3j}, key=lambda c: [k[0] for k in e3j].index(c))
    for config in configs:
        for precision, dtype in (("f64", "float64"), ("f32", "float32")):
            for layout in ("MUL_IR", "IR_MUL"):
                first = e3j.get((config, precision, "forward+backward", layout))
                second = e3j.get((config, precision, "doubleBackward", layout))
                if first is None or second is None:
                    continue
                grad = peer.get((config, dtype, "double_backward_second_grad"))
                full = peer.get((config, dtype, "double_backward"))
                cells = [config, precision, layout, f"{first:.2f}", f"{second:.2f}", f"{second / first:.2f}"]
                cells += [f"{grad['min_ms']:.1f}", f"{grad['min_ms'] / second:.1f}x"] if grad else ["n/a", "n/a"]
                cells += ([f"{full['min_ms']:.1f}", f"{first + second:.2f}",
                           f"{full['min_ms'] / (first + second):.1f}x"] if full else ["n/a", f"{first + second:.2f}", "n/a"])
                print("| " + " | ".join(cells) + " |")


def fastest(result):
    """e3j's fastest call in ms where JMH timed every call (sample mode), like e3nn's best call; else JMH's mean."""
    metric = result["primaryMetric"]
    scale = {"ms/op": 1.0, "us/op": 1e-3, "s/op": 1e3}[metric["scoreUnit"]]
    if result["mode"] == "sample":
        return metric["scorePercentiles"]["0.0"] * scale
    return metric["score"] * scale


if __name__ == "__main__":
    main()
