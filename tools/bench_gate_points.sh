#!/usr/bin/env bash
# e3nn 0.5.4 and e3j side by side on one machine, in one run: the public gate-points network on a 1,000-node batch
# (tools/bench_e3nn_gate_points.py, then JMH's GatePointsBenchmark), and the ratios of the numbers measured here,
# forward and forward + d/dpos, float64 and float32, against the 10x target: medians against medians and fastest
# calls against fastest calls (JMH's sample mode times each of e3j's calls).
#
#   export PYTHONPATH=/work/refenv/e3nn-0.5.4:...   (reference/models/README.md)
#   mvn -B -q package -DskipTests && tools/bench_gate_points.sh [out-dir]
#
# Run it on a quiet machine: both sides use two threads, and other processes move either side by tens of percent.
# The load averages before and after the run are printed with the table. E3J_JMH_ARGS adds JMH options, e.g.
# E3J_JMH_ARGS='-p layout=MUL_IR,IR_MUL' to time the channel-last network too (a layout column in the table).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/bench-gate-points}
if ! /usr/bin/python3 -c "import e3nn" 2>/dev/null; then
    echo "e3nn is not importable: export PYTHONPATH as reference/models/README.md says" >&2
    exit 1
fi
if [ ! -f benchmarks/target/benchmarks.jar ]; then
    echo "benchmarks/target/benchmarks.jar is missing: run mvn -B -q package -DskipTests first" >&2
    exit 1
fi
mkdir -p "$out"
date -u +%Y-%m-%dT%H:%M:%SZ > "$out/date.txt"
cut -d' ' -f1-3 /proc/loadavg > "$out/load.txt"
/usr/bin/python3 tools/bench_e3nn_gate_points.py --threads 2 --warmup 5 --repeats 20 | tee "$out/e3nn.jsonl"
java -Djava.util.concurrent.ForkJoinPool.common.parallelism=2 -jar benchmarks/target/benchmarks.jar \
    GatePointsBenchmark -bm sample -f 1 -wi 10 -w 2 -i 5 -r 1 ${E3J_JMH_ARGS:-} -rf json -rff "$out/e3j.json"
cut -d' ' -f1-3 /proc/loadavg >> "$out/load.txt"
/usr/bin/python3 tools/gate_points_report.py "$out"
