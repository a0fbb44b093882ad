#!/usr/bin/env bash
# e3nn 0.5.4 and e3j side by side on one machine, in one run: the public gate-points network on a 1,000-node batch
# (tools/bench_e3nn_gate_points.py, then JMH's GatePointsBenchmark), and the ratios of the numbers measured here.
#
#   export PYTHONPATH=/work/refenv/e3nn-0.5.4:...   (reference/models/README.md)
#   mvn -B -q package -DskipTests && tools/bench_gate_points.sh [out-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/bench-gate-points}
mkdir -p "$out"
date -u +%Y-%m-%dT%H:%M:%SZ > "$out/date.txt"
/usr/bin/python3 tools/bench_e3nn_gate_points.py --threads 2 --warmup 5 --repeats 20 | tee "$out/e3nn.jsonl"
java -Djava.util.concurrent.ForkJoinPool.common.parallelism=2 -jar benchmarks/target/benchmarks.jar \
    GatePointsBenchmark -f 1 -wi 5 -w 2 -i 5 -r 1 -rf json -rff "$out/e3j.json"
/usr/bin/python3 tools/gate_points_report.py "$out"
