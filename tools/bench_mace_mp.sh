#!/usr/bin/env bash
# mace-torch 0.3.6 and e3j's @Mace side by side on a MACE the size of MACE-MP-0 "medium" (89 elements,
# 128x0e+128x1o, max_ell 3, correlation 3, radial MLP [64, 64, 64]; tools/data/mace-mp-medium.json): energy + forces on
# the rattled periodic fcc Cu supercells of tools/bench_mace.sh (64 and 512 atoms). One model file with seeded random
# weights (tools/export_mace.py --constructor ... --seed 2026) feeds both sides; then tools/bench_mace_torch.py (2 torch
# threads, float64 and float32), JMH's MaceMpMediumBenchmark (float64 and float32;
# one calling thread, the model's blocks on both cores) and the report
# (tools/mace_report.py). E3J_JMH_ARGS narrows the JMH run, e.g. '-p atoms=64'.
#
#   export PYTHONPATH=/work/refenv/mace-0.3.6:...   (the MACE environment, reference/models/README.md)
#   mvn -B -q package -DskipTests && tools/bench_mace_mp.sh [out-dir [bench_mace_torch.py options, e.g. --repeats 3]]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/bench-mace-mp}
shift $(( $# > 0 ? 1 : 0 ))
mkdir -p "$out"
date -u +%Y-%m-%dT%H:%M:%SZ > "$out/date.txt"
echo "mace-mp-medium-sized" > "$out/model.txt"
model="$out/mp-medium.safetensors"
/usr/bin/python3 tools/export_mace.py --constructor tools/data/mace-mp-medium.json --seed 2026 --config mace-mp-medium-sized "$model"
/usr/bin/python3 tools/bench_mace_torch.py --threads 2 --model "$model" --sizes 64 512 --out "$out/torch.json" "$@"
java -jar benchmarks/target/benchmarks.jar MaceMpMediumBenchmark -p weights="$model" -wi 10 -w 2 ${E3J_JMH_ARGS:-} -f 1 \
    -prof gc -rf json -rff "$out/e3j.json"
/usr/bin/python3 tools/mace_report.py "$out"
