#!/usr/bin/env bash
# A/B of two builds of e3j on the gate-points benchmark's forward + d/dpos by thread CPU time, for a machine that
# other jobs load: dev.e3j.benchmarks.GatePointsCpuTime runs every block in one thread (common pool parallelism 0) and
# prints the CPU time per call (minimum, first quartile, median), from jar A, then jar B, alternately. Compare the
# minima and quartiles; timings against e3nn need tools/bench_gate_points.sh on a quiet machine.
#
#   cp benchmarks/target/benchmarks.jar /tmp/a.jar     (before the change; build again after it)
#   tools/ab_gate_points_cpu.sh /tmp/a.jar benchmarks/target/benchmarks.jar [rounds, default 3]
#
# E3J_AB_LAYOUTS='MUL_IR IR_MUL' (A's layout, then B's) compares the two layouts instead, e.g. of one jar given twice;
# E3J_AB_PASS=forward times the forward alone.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 2 ]; then
    echo "usage: $0 A.jar B.jar [rounds]" >&2
    exit 1
fi
a=$(realpath "$1")
b=$(realpath "$2")
rounds=${3:-3}
read -r layout_a layout_b <<< "${E3J_AB_LAYOUTS:-MUL_IR MUL_IR}"
pass=${E3J_AB_PASS:-backward}
for round in $(seq "$rounds"); do
    for side in A B; do
        jar=$a
        layout=$layout_a
        if [ "$side" = B ]; then
            jar=$b
            layout=$layout_b
        fi
        echo "round $round $side (load average $(cut -d' ' -f1-3 /proc/loadavg))"
        java -Djava.util.concurrent.ForkJoinPool.common.parallelism=0 -cp "$jar" \
            dev.e3j.benchmarks.GatePointsCpuTime 6 10 "$layout" "$pass"
    done
done
