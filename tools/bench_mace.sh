#!/usr/bin/env bash
# mace-torch 0.3.6 and e3j's @Mace side by side on one machine, in one run: energy + forces of the MD sample's copper
# MACE (mace-cu-emt) on rattled periodic fcc Cu supercells of 64, 512 and 4096 atoms (tools/bench_mace_torch.py on 2
# torch threads, float64 and float32, then JMH's MaceBenchmark (one calling thread, the model's blocks on both cores) with the gc profiler, e3j float64 and
# float32 (@Mace precision = FLOAT), then MaceHeap's peak heap and CPU time of both), and the
# ratios of the numbers measured here (tools/mace_report.py). MaceBenchmark runs both layouts (@Mace layout MUL_IR,
# the default, and IR_MUL, channel-last); E3J_JMH_ARGS, e.g. '-p layout=MUL_IR' or '-p atoms=64,512', narrows it.
#
#   export PYTHONPATH=/work/refenv/mace-0.3.6:...   (the MACE environment, reference/models/README.md)
#   mvn -B -q package -DskipTests && tools/bench_mace.sh [out-dir [bench_mace_torch.py options, e.g. --repeats 3]]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/bench-mace}
shift $(( $# > 0 ? 1 : 0 ))
mkdir -p "$out"
date -u +%Y-%m-%dT%H:%M:%SZ > "$out/date.txt"
/usr/bin/python3 tools/bench_mace_torch.py --threads 2 --out "$out/torch.json" "$@"
# 10 warm-up iterations of 2 s (MaceBenchmark's own): C2 compiles the model's methods for 12 s or more (its Javadoc).
java -jar benchmarks/target/benchmarks.jar MaceBenchmark -wi 10 -w 2 ${E3J_JMH_ARGS:-} -f 1 -prof gc -rf json -rff "$out/e3j.json"
java -Xmx8g -cp benchmarks/target/benchmarks.jar dev.e3j.benchmarks.MaceHeap | tee "$out/heap.jsonl"
/usr/bin/python3 tools/mace_report.py "$out"
