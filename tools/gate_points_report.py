"""Prints e3nn / e3j ratios for the gate-points benchmark from one run of tools/bench_gate_points.sh.

Usage: python3 tools/gate_points_report.py <out-dir>   (reads e3nn.jsonl, e3j.json, date.txt and load.txt there)
Both sides ran on this machine in the same run, and each is summarized the same way: the median call and the
fastest call (e3nn over its repeats; e3j from JMH's sample mode, which times every call, `-bm sample` as
tools/bench_gate_points.sh runs it), so the ratios divide a median by a median and a fastest call by a fastest call.
e3j's JMH mean prints too. e3nn's calls spread widely (its forward + backward median moved between 36 and 189 ms in
float32 over four runs of one day, its minimum stayed at 34-44 ms): a target met by the medians but not by the
fastest calls says "met (median only)". An e3j.json from JMH's average-time mode (runs before 2026-12-07 14:00 UTC)
has no per-call times: its mean stands in for e3j's median and fastest call, as those runs reported.
One row per layout that JMH ran (GatePointsBenchmark's layout parameter, MUL_IR unless E3J_JMH_ARGS asked for more).
The last column compares the ratio with the issue's target, 10x on every row.
"""
import json
import os
import platform
import sys


def main(out):
    e3nn = {}
    with open(os.path.join(out, "e3nn.jsonl")) as f:
        for line in f:
            row = json.loads(line)
            dtype = {"float64": "f64", "float32": "f32"}[row["dtype"]]
            operation = {"forward": "forward", "forward_backward": "backward"}[row["operation"]]
            e3nn[(dtype, operation)] = (row["median_ms"], row["min_ms"])
    with open(os.path.join(out, "e3j.json")) as f:
        e3j = {(r["params"]["precision"], r["params"]["pass"], r["params"].get("layout", "MUL_IR")): summary(r)
               for r in json.load(f)}
    layouts = [layout for layout in ("MUL_IR", "IR_MUL") if any(key[2] == layout for key in e3j)]
    with open(os.path.join(out, "date.txt")) as f:
        date = f.read().strip()
    load = ""
    if os.path.exists(os.path.join(out, "load.txt")):
        with open(os.path.join(out, "load.txt")) as f:
            before_after = [line.split() for line in f if line.strip()]
        load = ", load averages (1/5/15 min) before " + " ".join(before_after[0]) + (
            " and after " + " ".join(before_after[-1]) if len(before_after) > 1 else "")
    print(f"gate_points-public, 1,000 nodes (40 graphs), {date}, {platform.machine()}, {os.cpu_count()} cores{load}")
    print("| precision | pass | layout | e3nn 0.5.4 median (ms) | e3nn fastest call | e3j median (ms) "
          "| e3j fastest call | e3j mean (JMH) | e3nn / e3j, medians | e3nn / e3j, fastest calls | 10x |")
    print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for key in [("f64", "forward"), ("f64", "backward"), ("f32", "forward"), ("f32", "backward")]:
        for layout in layouts:
            if key in e3nn and key + (layout,) in e3j:
                name = "forward" if key[1] == "forward" else "forward + d/dpos"
                mean, median, fastest = e3j[key + (layout,)]
                e3nn_median, e3nn_fastest = e3nn[key]
                ratio, fastest_ratio = e3nn_median / median, e3nn_fastest / fastest
                verdict = ("not met" if ratio < 10 else "met" if fastest_ratio >= 10 else "met (median only)")
                print(f"| {key[0]} | {name} | {layout} | {e3nn_median:.1f} | {e3nn_fastest:.1f} | {median:.2f} "
                      f"| {fastest:.2f} | {mean:.2f} | {ratio:.1f}x | {fastest_ratio:.1f}x | {verdict} |")


def summary(result):
    """(mean, median, fastest call) in ms of one JMH result: per-call times in sample mode, else the mean for all."""
    metric = result["primaryMetric"]
    scale = {"ms/op": 1.0, "us/op": 1e-3, "s/op": 1e3}[metric["scoreUnit"]]
    mean = metric["score"] * scale
    if result["mode"] != "sample":
        return mean, mean, mean
    percentiles = metric["scorePercentiles"]
    return mean, percentiles["50.0"] * scale, percentiles["0.0"] * scale

if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/bench-gate-points")
