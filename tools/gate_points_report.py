"""Prints e3nn / e3j ratios for the gate-points benchmark from one run of tools/bench_gate_points.sh.

Usage: python3 tools/gate_points_report.py <out-dir>   (reads e3nn.jsonl, e3j.json, date.txt and load.txt there)
e3nn's time is its median over the repeats, e3j's the JMH mean; both sides ran on this machine in the same run.
e3nn's calls spread widely (its forward + backward median moved between 36 and 189 ms in float32 over four runs of
one day, its minimum stayed at 34-44 ms), so its fastest call and that ratio print too: a target met against the
median but not against the fastest call says "met (median only)".
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
        e3j = {(r["params"]["precision"], r["params"]["pass"], r["params"].get("layout", "MUL_IR")):
               r["primaryMetric"]["score"] for r in json.load(f)}
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
    print("| precision | pass | layout | e3nn 0.5.4 (ms, median) | e3nn fastest call (ms) | e3j (ms, JMH mean) "
          "| e3nn / e3j (median) | e3nn / e3j (fastest) | 10x |")
    print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for key in [("f64", "forward"), ("f64", "backward"), ("f32", "forward"), ("f32", "backward")]:
        for layout in layouts:
            if key in e3nn and key + (layout,) in e3j:
                name = "forward" if key[1] == "forward" else "forward + d/dpos"
                ms = e3j[key + (layout,)]
                median, fastest = e3nn[key]
                ratio, fastest_ratio = median / ms, fastest / ms
                verdict = ("not met" if ratio < 10 else "met" if fastest_ratio >= 10 else "met (median only)")
                print(f"| {key[0]} | {name} | {layout} | {median:.1f} | {fastest:.1f} | {ms:.2f} | {ratio:.1f}x "
                      f"| {fastest_ratio:.1f}x | {verdict} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/bench-gate-points")
