"""Prints mace-torch / e3j ratios for the MACE benchmark from one run of tools/bench_mace.sh.

Usage: python3 tools/mace_report.py <out-dir>   (reads torch.json, e3j.json, date.txt and, where the run wrote them,
heap.jsonl and model.txt there; tools/bench_mace.sh writes all but model.txt, tools/bench_mace_mp.sh all but heap.jsonl)

mace-torch's time is its median over the repeats (2 threads), e3j's the JMH mean (one calling thread, the model's
parallel blocks on the common fork/join pool: both cores); both ran on this
machine in the same run. Each precision compares like with like: mace-torch's float64 model with e3j's @Mace, and
mace-torch's `.float()` model with e3j's @Mace(precision = FLOAT), which computes in float32. "e3j" includes the neighbour list (evaluate(Structure)); mace-torch's time does not include its
own (ASE's, timed separately), which favours mace-torch. MaceHeap's CPU time is the thread's, a fairer measure
than JMH's wall time on a machine other programs load. Time per atom at 4096 atoms over that at 64 shows linearity.
The tables compare the default layout (MUL_IR); where the run has @Mace(layout = IR_MUL) too, a last table divides
the two layouts' JMH times.
"""
import json
import os
import platform
import sys


def main(out):
    with open(os.path.join(out, "torch.json")) as f:
        torch = {row["atoms"]: row for row in json.load(f)["results"]}
    e3j = {}
    channel_last = {}
    allocated = {}
    with open(os.path.join(out, "e3j.json")) as f:
        for run in json.load(f):
            benchmark = run["benchmark"].rsplit(".", 1)[1]
            atoms = int(run["params"]["atoms"])
            precision = run["params"].get("precision", "float64")
            if run["params"].get("layout", "MUL_IR") != "MUL_IR":
                channel_last[(benchmark, atoms, precision)] = run["primaryMetric"]["score"]
                continue
            e3j[(benchmark, atoms, precision)] = run["primaryMetric"]["score"]
            norm = run.get("secondaryMetrics", {}).get("gc.alloc.rate.norm")
            if norm is not None:
                allocated[(benchmark, atoms, precision)] = norm["score"]
    heap = {}
    if os.path.exists(os.path.join(out, "heap.jsonl")):
        with open(os.path.join(out, "heap.jsonl")) as f:
            for line in f:
                row = json.loads(line)
                if row.get("layout", "MUL_IR") == "MUL_IR":
                    heap[(row["atoms"], row.get("precision", "float64"))] = row
    with open(os.path.join(out, "date.txt")) as f:
        date = f.read().strip()
    model = "mace-cu-emt"
    if os.path.exists(os.path.join(out, "model.txt")):
        with open(os.path.join(out, "model.txt")) as f:
            model = f.read().strip()
    print(f"{model} energy + forces, {date}, {platform.machine()}, {os.cpu_count()} cores")
    print("| atoms | edges | precision | mace-torch (ms, median, 2 threads) | e3j (ms, JMH mean, 2 cores, with "
          "neighbour list) | e3j on a graph (ms) | mace-torch / e3j | e3j µs per atom |")
    print("| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    sizes = sorted({atoms for _, atoms, _ in e3j})
    for atoms in sizes:
        for precision in ("float64", "float32"):
            mine = e3j.get(("energyAndForces", atoms, precision))
            if mine is None or atoms not in torch:
                continue
            theirs = torch[atoms][precision]["median_ms"]
            on_graph = e3j.get(("energyAndForcesOnGraph", atoms, precision))
            on_graph_text = f"{on_graph:.2f}" if on_graph is not None else "-"
            print(f"| {atoms} | {torch[atoms]['edges']} | {precision} | {theirs:.1f} | {mine:.2f} | {on_graph_text} | "
                  f"{theirs / mine:.1f}x | {1000 * mine / atoms:.1f} |")
    print()
    print("| atoms | e3j float64 / e3j float32 | mace-torch float32 / e3j float32 | mace-torch float64 / e3j float32 |")
    print("| ---: | ---: | ---: | ---: |")
    for atoms in sizes:
        mine32 = e3j.get(("energyAndForces", atoms, "float32"))
        mine64 = e3j.get(("energyAndForces", atoms, "float64"))
        if mine32 is None:
            continue
        own = f"{mine64 / mine32:.2f}" if mine64 is not None else "-"
        vs32 = f"{torch[atoms]['float32']['median_ms'] / mine32:.1f}x" if atoms in torch else "-"
        vs64 = f"{torch[atoms]['float64']['median_ms'] / mine32:.1f}x" if atoms in torch else "-"
        print(f"| {atoms} | {own} | {vs32} | {vs64} |")
    print()
    print("| atoms | precision | mace-torch neighbour list (ASE, ms) | e3j neighbour list (ms) | e3j allocated per "
          "evaluation (MB) | e3j peak heap (MB, -Xmx) | e3j CPU time per evaluation (ms) |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for atoms in sizes:
        for precision in ("float64", "float32"):
            if ("energyAndForces", atoms, precision) not in e3j:
                continue
            mine = e3j.get(("neighbourList", atoms, precision))
            mine_text = f"{mine:.2f}" if mine is not None else "-"
            alloc = allocated.get(("energyAndForces", atoms, precision), float("nan")) / 1e6
            peak = heap.get((atoms, precision))
            peak_text = f"{peak['peak_heap_mb']:.0f} ({peak['max_heap_mb']:.0f})" if peak else "-"
            cpu_text = f"{peak['cpu_ms']:.1f}" if peak and "cpu_ms" in peak else "-"
            theirs = f"{torch[atoms]['neighbour_list']['median_ms']:.1f}" if atoms in torch else "-"
            print(f"| {atoms} | {precision} | {theirs} | {mine_text} | {alloc:.1f} | {peak_text} | {cpu_text} |")
    if ("energyAndForces", sizes[0], "float64") in e3j and ("energyAndForces", sizes[-1], "float64") in e3j:
        first, last = sizes[0], sizes[-1]
        e3j_ratio = ((e3j[("energyAndForces", last, "float64")] / last)
                     / (e3j[("energyAndForces", first, "float64")] / first))
        text = f"time per atom at {last} atoms / at {first} atoms: e3j float64 {e3j_ratio:.2f}"
        if first in torch and last in torch:
            torch_ratio = (torch[last]["float64"]["median_ms"] / last) / (torch[first]["float64"]["median_ms"] / first)
            text += f", mace-torch float64 {torch_ratio:.2f}"
        print()
        print(text + " (1.00 = linear)")
    if channel_last:
        print()
        print("| atoms | precision | e3j MUL_IR (ms) | e3j IR_MUL (ms) | MUL_IR / IR_MUL |")
        print("| ---: | --- | ---: | ---: | ---: |")
        for atoms in sizes:
            for precision in ("float64", "float32"):
                mine = e3j.get(("energyAndForces", atoms, precision))
                last = channel_last.get(("energyAndForces", atoms, precision))
                if mine is not None and last is not None:
                    print(f"| {atoms} | {precision} | {mine:.2f} | {last:.2f} | {mine / last:.2f} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/bench-mace")
