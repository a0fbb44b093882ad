#!/usr/bin/env bash
# A/B of two builds of e3j on the gate-points benchmark: JMH's GatePointsBenchmark (forward + d/dpos, float64 and
# float32) from jar A, then jar B, alternately for a number of rounds, so that both see the same machine. Prints one
# line per run and the median of each jar's scores. Use it to check a change before timing it against e3nn with
# tools/bench_gate_points.sh.
#
#   cp benchmarks/target/benchmarks.jar /tmp/a.jar     (before the change; build again after it)
#   tools/ab_gate_points.sh /tmp/a.jar benchmarks/target/benchmarks.jar [rounds, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 2 ]; then
    echo "usage: $0 A.jar B.jar [rounds]" >&2
    exit 1
fi
a=$(realpath "$1")
b=$(realpath "$2")
rounds=${3:-3}
out=$(mktemp -d)
for round in $(seq "$rounds"); do
    for side in A B; do
        jar=$a
        [ "$side" = B ] && jar=$b
        java -Djava.util.concurrent.ForkJoinPool.common.parallelism=2 -jar "$jar" GatePointsBenchmark \
            -p pass=backward -f 1 -wi 5 -w 2 -i 5 -r 1 -rf json -rff "$out/$side-$round.json" > /dev/null
        /usr/bin/python3 - "$out/$side-$round.json" "$side" "$round" <<'PY'
import json, sys
rows = {r["params"]["precision"]: r["primaryMetric"]["score"] for r in json.load(open(sys.argv[1]))}
print(f"round {sys.argv[3]} {sys.argv[2]}: " + ", ".join(f"{p} {rows[p]:.2f} ms" for p in sorted(rows, reverse=True)))
PY
    done
done
/usr/bin/python3 - "$out" "$rounds" <<'PY'
import json, os, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
for precision in ("f64", "f32"):
    medians = {}
    for side in ("A", "B"):
        scores = [next(r["primaryMetric"]["score"] for r in json.load(open(os.path.join(out, f"{side}-{i}.json")))
                       if r["params"]["precision"] == precision) for i in range(1, rounds + 1)]
        medians[side] = statistics.median(scores)
    print(f"{precision} forward + d/dpos, median of {rounds}: A {medians['A']:.2f} ms, B {medians['B']:.2f} ms, "
          f"A / B = {medians['A'] / medians['B']:.2f}")
PY
rm -r "$out"
