#!/usr/bin/env bash
# The kernel benchmark, side by side, in one run: e3nn 0.5.4 (tools/bench_e3nn_kernels.py, Debian's python3-torch)
# on the products and harmonics of benchmarks' Configuration, mace-torch 0.3.6 with e3nn 0.4.4
# (tools/bench_mace_kernels.py) on its symmetric contraction, sphericart built here from its C++ source with g++
# (tools/sphericart_bench.cpp) on the spherical harmonics per point, and JMH's KernelBenchmark,
# SphericalHarmonicsPointBenchmark, PeakFlopsBenchmark and BandwidthBenchmark with the README's settings
# (-f 1 -i 3 -r 1s, the default 5 x 2 s warm-up); then Report divides only numbers measured in this run, and prints
# the date, the machine and the peers' versions. Everything lands in the output folder (default
# target/bench-kernels): configurations.json, e3nn*.json, mace-torch*.json, sphericart*.json, jmh*.json, load.txt
# and report.md.
#
#   export PYTHONPATH=/work/refenv/e3nn-0.5.4:...        (e3nn 0.5.4, reference/models/README.md)
#   export MACE_PYTHONPATH=/work/refenv/mace-0.3.6:...   (the MACE environment, reference/models/README.md)
#   mvn -B -q package -DskipTests && tools/bench_kernels.sh [options]
#
# Options:
#   --order interleaved   (default) each configuration: its peer (e3nn or mace-torch), then e3j, then the peer
#                         again; the harmonics per point:
#                         sphericart, e3j, sphericart. Report takes each peer row's best and prints how far its
#                         two runs lay apart, so a machine that drifted during the run shows.
#   --order back-to-back  every peer once, then JMH on the suite (shorter: the peers run once).
#   --configs a,b         configuration names (default: all of PeerConfigurations); --precisions f64,f32;
#                         --passes forward,backward: narrow both sides alike.
#   --threads N           the peers' torch threads and the e3j kernels' fork/join parallelism (default 2).
#   --repeats N           the peers' timed calls per row, best of N (default 5, after 3 untimed).
#   --mace-pythonpath P   the PYTHONPATH of the mace-torch peer (default $MACE_PYTHONPATH); --no-mace-torch leaves
#                         it out (the contraction's ratios print as n/a).
#   --sphericart PATH     a sphericart checkout or git directory (default: clone $SPHERICART_REPO at
#                         $SPHERICART_REF, v2.0.3); --no-sphericart leaves it out (its ratios print as n/a).
#   --jmh "ARGS"          extra JMH arguments the settings above leave alone, e.g. "-prof gc".
#   --smoke               one call per peer row and one JMH iteration of 1 s: checks that the command works, measures
#                         nothing. E.g. tools/bench_kernels.sh --smoke --configs sh-lmax3 --precisions f64
#                         --passes forward --out target/bench-smoke
#
# Each configuration runs in the layouts PeerConfigurations lists for it: the products and the symmetric contraction
# in MUL_IR and IR_MUL, the harmonics (one channel per degree) in MUL_IR.
#
# Run it on a quiet machine: both sides share its cores, and other processes move either side by tens of percent.
set -euo pipefail
cd "$(dirname "$0")/.."

out=target/bench-kernels
order=interleaved
configs=
precisions=f64,f32
passes=forward,backward
threads=2
repeats=5
warmup=3
sphericart_source=
with_sphericart=1
sphericart_warmup=10
sphericart_repeats=20
mace_pythonpath=${MACE_PYTHONPATH:-}
with_mace_torch=1
jmh_extra=
jmh_settings=(-f 1 -i 3 -r 1s)
smoke=
while [ $# -gt 0 ]; do
    case "$1" in
        --out) out=$2; shift 2 ;;
        --order) order=$2; shift 2 ;;
        --configs) configs=$2; shift 2 ;;
        --precisions) precisions=$2; shift 2 ;;
        --passes) passes=$2; shift 2 ;;
        --threads) threads=$2; shift 2 ;;
        --repeats) repeats=$2; shift 2 ;;
        --sphericart) sphericart_source=$2; shift 2 ;;
        --no-sphericart) with_sphericart=0; shift ;;
        --mace-pythonpath) mace_pythonpath=$2; shift 2 ;;
        --no-mace-torch) with_mace_torch=0; shift ;;
        --jmh) jmh_extra=$2; shift 2 ;;
        --smoke)
            repeats=1; warmup=0; sphericart_warmup=0; sphericart_repeats=1
            jmh_settings=(-f 1 -wi 1 -w 1s -i 1 -r 1s); smoke=" --smoke (measures nothing)"; shift ;;
        *) echo "unknown option $1 (see the comment at the top of $0)" >&2; exit 2 ;;
    esac
done
case "$order" in
    interleaved|back-to-back) ;;
    *) echo "--order must be interleaved or back-to-back, got $order" >&2; exit 2 ;;
esac

jar=benchmarks/target/benchmarks.jar
if [ ! -f "$jar" ]; then
    echo "$jar is missing: run mvn -B -q package -DskipTests first" >&2
    exit 1
fi
python=/usr/bin/python3
mkdir -p "$out"
rm -f "$out"/e3nn*.json "$out"/mace-torch*.json "$out"/sphericart*.json "$out"/jmh*.json
java -cp "$jar" dev.e3j.benchmarks.PeerConfigurations > "$out/configurations.json"

# The selected names of one group: by kind (products, contractions, harmonics) or by layouts (both-layouts,
# mul-ir-only).
names() {
    "$python" - "$out/configurations.json" "$configs" "$1" <<'EOF'
import json, sys
configurations = json.load(open(sys.argv[1]))
known = [c["name"] for c in configurations]
wanted = sys.argv[2].split(",") if sys.argv[2] else known
unknown = [name for name in wanted if name not in known]
if unknown:
    sys.exit(f"--configs: expected some of {known}, got {unknown}")
by_name = {c["name"]: c for c in configurations}
groups = {
    "products": lambda c: c["kind"] in ("uvu", "uvw"),
    "contractions": lambda c: c["kind"] == "symmetric_contraction",
    "harmonics": lambda c: c["kind"] == "spherical_harmonics",
    "both-layouts": lambda c: "IR_MUL" in c["layouts"],
    "mul-ir-only": lambda c: "IR_MUL" not in c["layouts"],
}
print(" ".join(n for n in wanted if groups[sys.argv[3]](by_name[n])))
EOF
}
products=$(names products)
contractions=$(names contractions)
harmonics=$(names harmonics)
both_layouts=$(names both-layouts)
mul_ir_only=$(names mul-ir-only)
e3nn_names=$(echo $products $harmonics)
all_names=$(echo $products $contractions $harmonics)

if [ -n "$e3nn_names" ] && ! "$python" -c "import e3nn, torch" 2>/dev/null; then
    echo "e3nn is not importable: export PYTHONPATH as reference/models/README.md says" >&2
    exit 1
fi
if [ "$with_mace_torch" = 1 ] && [ -n "$contractions" ] && ! PYTHONPATH="$mace_pythonpath" "$python" -c \
        "import mace_env; from mace.modules.symmetric_contraction import SymmetricContraction" 2>/dev/null; then
    echo "mace-torch is not importable with --mace-pythonpath '$mace_pythonpath': pass the MACE environment" \
        "(reference/models/README.md) or --no-mace-torch" >&2
    exit 1
fi
cut -d' ' -f1-3 /proc/loadavg > "$out/load.txt"

# sphericart: sources into target/sphericart/src, built there with g++ (never copied into the repository).
sphericart_bin=target/sphericart/sphericart_bench
sphericart_version=
if [ "$with_sphericart" = 1 ] && [ -n "$harmonics" ]; then
    src=target/sphericart/src
    rm -rf "$src" && mkdir -p "$src"
    if [ -z "$sphericart_source" ]; then
        sphericart_source=target/sphericart/clone
        rm -rf "$sphericart_source"
        if ! git clone -q --depth 1 --branch "${SPHERICART_REF:-v2.0.3}" \
                "${SPHERICART_REPO:-https://github.com/lab-cosmo/sphericart}" "$sphericart_source"; then
            echo "cannot clone sphericart: pass --sphericart PATH (a checkout or git directory) or --no-sphericart" >&2
            exit 1
        fi
    fi
    if [ -f "$sphericart_source/sphericart/include/sphericart.hpp" ]; then
        cp -r "$sphericart_source/sphericart/include" "$sphericart_source/sphericart/src" \
            "$sphericart_source/sphericart/VERSION" "$src/"
        commit=$(git -C "$sphericart_source" rev-parse --short HEAD 2>/dev/null || echo "no git")
    else
        git --git-dir="$sphericart_source" archive HEAD sphericart/include sphericart/src sphericart/VERSION \
            | tar -x -C "$src" --strip-components=1
        commit=$(git --git-dir="$sphericart_source" rev-parse --short HEAD)
    fi
    flags="-std=c++17 -O3 -march=native -DNDEBUG"
    compiler="$(g++ -dumpfullversion 2>/dev/null || g++ -dumpversion)"
    sphericart_version="$(tr -d '[:space:]' < "$src/VERSION") ($commit)"
    stamp="$(cat "$src"/include/* "$src/src/sphericart.cpp" tools/sphericart_bench.cpp | sha256sum) g++ $compiler $flags"
    if [ -x "$sphericart_bin" ] && [ "$(cat target/sphericart/built-from 2>/dev/null)" = "$stamp" ]; then
        echo "sphericart $sphericart_version: already built with g++ $compiler $flags"
    else
        echo "building sphericart $sphericart_version with g++ $compiler $flags, without OpenMP (one thread)"
        # shellcheck disable=SC2086
        g++ $flags -Wno-unknown-pragmas -I"$src/include" tools/sphericart_bench.cpp "$src/src/sphericart.cpp" \
            -o "$sphericart_bin"
        echo "$stamp" > target/sphericart/built-from
    fi
    compiler_description="g++ $compiler"
    flags_description="$flags"
fi

e3nn() { # $1: output file, $2: configuration names
    "$python" tools/bench_e3nn_kernels.py --configurations "$out/configurations.json" --out "$1" \
        --configs "${2// /,}" --precisions "$precisions" --passes "$passes" --threads "$threads" \
        --warmup "$warmup" --repeats "$repeats"
}
mace_torch() { # $1: output file, $2: configuration names
    [ "$with_mace_torch" = 1 ] || return 0
    PYTHONPATH="$mace_pythonpath" "$python" tools/bench_mace_kernels.py --configurations "$out/configurations.json" \
        --out "$1" --configs "${2// /,}" --precisions "$precisions" --passes "$passes" --threads "$threads" \
        --warmup "$warmup" --repeats "$repeats"
}
peer() { # $1: output file suffix, $2: one configuration name, timed by its peer
    case " $contractions " in
        *" $2 "*) mace_torch "$out/mace-torch$1.json" "$2" ;;
        *) e3nn "$out/e3nn$1.json" "$2" ;;
    esac
}
sphericart() { # $1: output file
    [ -n "$sphericart_version" ] || return 0
    local lmax
    lmax=$(echo "$harmonics" | tr ' ' '\n' | sed 's/^sh-lmax//' | paste -sd, -)
    "$sphericart_bin" --out "$1" --lmax "$lmax" --precisions "$precisions" --passes "$passes" --points 100000 \
        --warmup "$sphericart_warmup" --repeats "$sphericart_repeats" --version "$sphericart_version" \
        --compiler "$compiler_description" --flags "$flags_description"
}
jmh() { # $1: output file, then benchmarks and -p filters
    local file=$1
    shift
    # shellcheck disable=SC2086
    java -jar "$jar" "$@" "${jmh_settings[@]}" -jvmArgsAppend \
        "-Djava.util.concurrent.ForkJoinPool.common.parallelism=$threads" $jmh_extra -rf json -rff "$file"
}
filters() { # $1: configuration names
    echo -p "config=${1// /,}" -p "precision=$precisions" -p "pass=$passes"
}
layouts() { # $1: configuration names of one layout group
    case " $both_layouts " in
        *" ${1%% *} "*) echo -p layout=MUL_IR,IR_MUL ;;
        *) echo -p layout=MUL_IR ;;
    esac
}

if [ "$order" = back-to-back ]; then
    if [ -n "$e3nn_names" ]; then
        e3nn "$out/e3nn.json" "$e3nn_names"
    fi
    if [ -n "$contractions" ]; then
        mace_torch "$out/mace-torch.json" "$contractions"
    fi
    sphericart "$out/sphericart.json"
    if [ -n "$both_layouts" ]; then
        # shellcheck disable=SC2046
        jmh "$out/jmh-kernels.json" KernelBenchmark $(filters "$both_layouts") $(layouts "$both_layouts")
    fi
    if [ -n "$mul_ir_only" ]; then
        # shellcheck disable=SC2046
        jmh "$out/jmh-mul-ir.json" KernelBenchmark $(filters "$mul_ir_only") $(layouts "$mul_ir_only")
    fi
    if [ -n "$harmonics" ]; then
        # shellcheck disable=SC2046
        jmh "$out/jmh-points.json" SphericalHarmonicsPointBenchmark $(filters "$harmonics")
    fi
    jmh "$out/jmh-machine.json" 'PeakFlopsBenchmark|BandwidthBenchmark'
else
    jmh "$out/jmh-machine.json" 'PeakFlopsBenchmark|BandwidthBenchmark'
    for name in $all_names; do
        peer "-$name-1" "$name"
        # shellcheck disable=SC2046
        jmh "$out/jmh-$name.json" KernelBenchmark $(filters "$name") $(layouts "$name")
        peer "-$name-2" "$name"
    done
    if [ -n "$harmonics" ]; then
        sphericart "$out/sphericart-1.json"
        # shellcheck disable=SC2046
        jmh "$out/jmh-points.json" SphericalHarmonicsPointBenchmark $(filters "$harmonics")
        sphericart "$out/sphericart-2.json"
    fi
fi
cut -d' ' -f1-3 /proc/loadavg >> "$out/load.txt"

{
    # shellcheck disable=SC2046
    java -cp "$jar" dev.e3j.benchmarks.Report "$out"/jmh*.json $(ls "$out"/e3nn*.json "$out"/mace-torch*.json \
        "$out"/sphericart*.json 2>/dev/null)
    echo
    echo "Load average (1, 5, 15 min) before and after: $(paste -sd';' "$out/load.txt")."
    echo "Command: tools/bench_kernels.sh --order $order${configs:+ --configs $configs} --precisions $precisions"\
" --passes $passes --threads $threads --repeats $repeats${jmh_extra:+ --jmh \"$jmh_extra\"}$smoke."
} | tee "$out/report.md"
