#!/usr/bin/env bash
# e3nn 0.5.4's autograd double backward and e3j's generated TensorProductKernel.doubleBackward side by side on one
# machine, in one run: tools/bench_double_backward.py (2 torch threads) on the configurations of
# DoubleBackwardBenchmark, then JMH's DoubleBackwardBenchmark in both layouts (the kernels split the batch over both
# cores; E3J_JMH_ARGS, e.g. '-p layout=MUL_IR', narrows it), then tools/double_backward_report.py, which divides only
# the numbers of this run, each side's fastest call (JMH's sample mode times every e3j call).
#
#   export PYTHONPATH=/work/refenv/e3nn-0.5.4:/work/refenv/opt_einsum-3.3.0:/work/refenv/opt_einsum_fx-0.1.4
#   mvn -B -q package -DskipTests && tools/bench_double_backward.sh [out-dir [bench_double_backward.py options]]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/bench-double-backward}
shift $(( $# > 0 ? 1 : 0 ))
mkdir -p "$out"
{ date -u +%Y-%m-%dT%H:%M:%SZ; grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'; nproc;
  uptime; } > "$out/machine.txt"
/usr/bin/python3 tools/bench_double_backward.py --threads 2 "$@" | tee "$out/e3nn.jsonl"
java -jar benchmarks/target/benchmarks.jar DoubleBackwardBenchmark -bm sample ${E3J_JMH_ARGS:-} -rf json -rff "$out/e3j.json"
uptime >> "$out/machine.txt"
/usr/bin/python3 tools/double_backward_report.py "$out" | tee "$out/report.md"
